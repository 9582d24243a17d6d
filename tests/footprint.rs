//! The dependency budget: the normal dependency tree with default features stays at most 33
//! crates, this one included (ureq with rustls, serde, serde_json, log and what they need).

use std::collections::BTreeSet;
use std::process::Command;

const BUDGET: usize = 33;

#[test]
fn normal_dependency_tree_stays_within_budget() {
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
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let crates: BTreeSet<String> = String::from_utf8(output.stdout)
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
        .collect();
    assert!(
        crates.len() <= BUDGET,
        "{} crates in the normal tree, budget {BUDGET}:\n{crates:#?}",
        crates.len()
    );
    for unwanted in ["flate2", "native-tls", "openssl", "tokio", "url"] {
        assert!(
            !crates.iter().any(|c| c.split(' ').next() == Some(unwanted)),
            "{unwanted} is in the default tree"
        );
    }
}
