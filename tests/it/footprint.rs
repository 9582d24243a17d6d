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
        "signal-hook",
    ] {
        assert!(
            !crates.iter().any(|c| c.split(' ').next() == Some(unwanted)),
            "{unwanted} is in the default tree"
        );
    }
}

/// What the installable tools need beyond the library is theirs alone: `--features tools`
/// adds `lexopt`, `humantime` and `signal-hook` (with its registry and `errno`), nothing else.
#[test]
fn the_tools_feature_adds_only_its_own_crates() {
    let library = normal_tree(&[]);
    let tools = normal_tree(&["--features", "tools"]);
    let added: Vec<&str> = tools
        .difference(&library)
        .map(|c| c.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        added,
        [
            "errno",
            "humantime",
            "lexopt",
            "signal-hook",
            "signal-hook-registry"
        ],
        "{tools:#?}"
    );
    assert!(library.is_subset(&tools));
}

/// `native-certs` (off by default) adds `rustls-native-certs` and `openssl-probe` on Linux,
/// nothing else: the weight it was chosen for over ureq's `platform-verifier` (which adds 5
/// here, and 38 over all targets against 10).
#[cfg(target_os = "linux")] // macOS and Windows read their stores through crates of their own
#[test]
fn the_native_certs_feature_adds_two_crates() {
    let library = normal_tree(&[]);
    let native = normal_tree(&["--features", "native-certs"]);
    let added: Vec<&str> = native
        .difference(&library)
        .map(|c| c.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        added,
        ["openssl-probe", "rustls-native-certs"],
        "{native:#?}"
    );
    assert!(library.is_subset(&native));
}

/// The crates the library names directly besides ureq (rustls, ureq-proto, rustls-webpki,
/// ring, percent-encoding) are ureq's own: one version of each in the tree, no crate twice
/// (`cargo tree -d`). Its types are matched (a refused certificate, an unwritable request):
/// a second rustls would not be the one ureq reports with.
#[test]
fn no_crate_is_in_the_tree_twice_and_the_direct_ones_are_ureq_s() {
    let crates = normal_tree(&[]);
    let mut names: Vec<&str> = crates
        .iter()
        .map(|c| c.split(' ').next().unwrap())
        .collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "a crate twice: {crates:#?}");
    for direct in [
        "rustls",
        "ureq-proto",
        "rustls-webpki",
        "ring",
        "percent-encoding",
    ] {
        assert!(
            names.contains(&direct),
            "{direct} is not in the tree: {crates:#?}"
        );
    }
    let output = Command::new(env!("CARGO"))
        .args(["tree", "-d", "-e", "normal", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    let duplicates = String::from_utf8_lossy(&output.stdout);
    assert!(duplicates.trim().is_empty(), "cargo tree -d:\n{duplicates}");
}
