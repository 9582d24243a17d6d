//! The dependency budget: the normal dependency tree with default features stays at most 33
//! crates, this one included (ureq with rustls, serde, serde_json, log and what they need).

use std::collections::BTreeSet;
use std::process::Command;

const BUDGET: usize = 33;

/// The crates of the normal dependency tree (name and version), with these extra arguments.
fn normal_tree(extra: &[&str]) -> BTreeSet<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--no-dedupe",
            "--offline",
        ])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        // "name vX.Y.Z (marker)": the name and version identify a crate.
        .map(|line| {
            line.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn normal_dependency_tree_stays_within_budget() {
    let crates = normal_tree(&[]);
    assert!(
        crates.len() <= BUDGET,
        "{} crates in the normal tree, budget {BUDGET}:\n{crates:#?}",
        crates.len()
    );
    for unwanted in [
        "flate2",
        "native-tls",
        "openssl",
        "tokio",
        "url",
        "lexopt",
        "humantime",
    ] {
        assert!(
            !crates.iter().any(|c| c.split(' ').next() == Some(unwanted)),
            "{unwanted} is in the default tree"
        );
    }
}

/// What the installable tools need beyond the library is theirs alone: `--features tools`
/// adds `lexopt` and `humantime`, nothing else.
#[test]
fn the_tools_feature_adds_only_its_two_crates() {
    let library = normal_tree(&[]);
    let tools = normal_tree(&["--features", "tools"]);
    let added: Vec<&str> = tools
        .difference(&library)
        .map(|c| c.split(' ').next().unwrap())
        .collect();
    assert_eq!(added, ["humantime", "lexopt"], "{tools:#?}");
    assert!(library.is_subset(&tools));
}
