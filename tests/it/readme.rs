//! The end-to-end checks of the README, slow enough (a cold build each) that a plain `cargo
//! test` skips them and `.ci/run` runs them: `cargo test --test it -- --ignored`.
//!
//! Every Rust program in the README builds with the dependency lines the README shows next to
//! it, as a user who copies both would build it: in a project of its own, outside this
//! repository's dev-dependencies. (The crate's doctests compile the same blocks too, but with
//! every dev-dependency at hand, so they cannot tell when the README forgets one.)

use std::path::{Path, PathBuf};
use std::process::Command;

/// A block of the README: its language tag and its lines.
struct Block {
    tag: String,
    text: String,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for line in readme.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(tag)) => {
                current = Some(Block {
                    tag: tag.trim().to_owned(),
                    text: String::new(),
                })
            }
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some(block), None) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The program a block is, as rustdoc makes it: hidden lines shown, and a body without
/// `fn main` wrapped in one that returns the `Result` its last line names.
fn program(block: &str) -> String {
    let text: String = block
        .lines()
        .map(|line| {
            line.strip_prefix("# ")
                .or_else(|| (line == "#").then_some(""))
                .unwrap_or(line)
        })
        .collect::<Vec<_>>()
        .join("\n");
    if text.contains("fn main(") {
        return text;
    }
    let (uses, body): (Vec<&str>, Vec<&str>) =
        text.lines().partition(|line| line.starts_with("use "));
    let body = body.join("\n");
    let result = body
        .trim_end()
        .rsplit('\n')
        .next()
        .and_then(|last| last.strip_prefix("Ok::<(), "))
        .and_then(|rest| rest.strip_suffix(">(())"));
    match result {
        Some(error) => format!(
            "{}\nfn main() -> Result<(), {error}> {{\n{body}\n}}\n",
            uses.join("\n")
        ),
        None => format!("{}\nfn main() {{\n{body}\n}}\n", uses.join("\n")),
    }
}

#[test]
#[ignore = "slow (a project of its own, built cold): .ci/run runs it, cargo test --test it -- --ignored"]
fn every_readme_program_builds_with_the_dependencies_the_readme_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let project: PathBuf =
        std::env::temp_dir().join(format!("linkup-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(project.join("src/bin")).unwrap();
    std::fs::create_dir_all(project.join("examples")).unwrap();
    std::fs::write(project.join("src/lib.rs"), "").unwrap();

    // Each program goes with the dependency lines shown before it: [dependencies] for a
    // program (a binary sees only those), [dev-dependencies] for a test (an example sees both).
    let mut manifest = String::from(
        "[package]\nname = \"readme-programs\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[workspace]\n\n",
    );
    let mut section = None;
    let mut programs = 0;
    for (n, block) in blocks(&readme).into_iter().enumerate() {
        if block.tag == "toml" {
            let lines = block.text.replace(
                "path = \"../linkup-sent-invitations\"",
                &format!("path = {:?}", root.display().to_string()),
            );
            section = lines.lines().next().map(str::to_owned);
            manifest += &lines;
            manifest.push('\n');
        } else if block.tag.starts_with("rust") {
            let dir = match section.as_deref() {
                Some("[dependencies]") => "src/bin",
                Some("[dev-dependencies]") => "examples",
                other => panic!("README block {n} follows no dependency lines: {other:?}"),
            };
            let path = project.join(dir).join(format!("block{n}.rs"));
            std::fs::write(path, program(&block.text)).unwrap();
            programs += 1;
        }
    }
    assert!(programs >= 3, "{programs} programs found");
    std::fs::write(project.join("Cargo.toml"), &manifest).unwrap();
    // This repository's lock file, so that nothing is resolved anew (and nothing fetched).
    if root.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("readme-programs");
    let out = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet", "--bins", "--examples"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&project);
    assert!(
        out.status.success(),
        "the README's programs do not build with its dependency lines:\n{}\n{manifest}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The README's install line, run as shown into a scratch root (and, so as not to wait on
/// the build this test runs in, its own target directory), installs the two tools and nothing
/// else, under names no shell builtin shadows, each answering `--help`.
#[test]
#[ignore = "slow (cargo install, cold): .ci/run runs it, cargo test --test it -- --ignored"]
fn the_readme_install_line_installs_tools_that_answer_help() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lines: Vec<&str> = readme
        .lines()
        .filter(|line| line.starts_with("cargo install "))
        .collect();
    let [line] = lines[..] else {
        panic!("the README shows one install line, not {lines:?}")
    };
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("install-root");
    let _ = std::fs::remove_dir_all(&scratch);
    let out = Command::new(env!("CARGO"))
        .args(&args)
        .arg("--root")
        .arg(&scratch)
        .arg("--target-dir")
        .arg(Path::new(env!("CARGO_TARGET_TMPDIR")).join("install-target"))
        .args(["--offline", "--quiet"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut installed: Vec<String> = std::fs::read_dir(scratch.join("bin"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    installed.sort();
    assert_eq!(installed, ["linkup-export", "linkup-stale"]);
    for (tool, says) in [
        ("linkup-export", "Usage: linkup-export [FLAGS]"),
        ("linkup-stale", "Usage: linkup-stale [FLAGS]"),
    ] {
        let out = Command::new(scratch.join("bin").join(tool))
            .arg("--help")
            .env_clear()
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && help.contains(says),
            "{tool}: {help}"
        );
        assert!(help.contains("--cacert FILE"), "{tool}: {help}");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The crate's documentation (docs.rs's front page) says what the README says of the tools:
/// their names, and the install line that works (the crate is not on crates.io yet, so
/// `cargo install linkup-sent-invitations` finds nothing).
#[test]
fn the_crate_doc_names_the_tools_and_installs_them_as_the_readme_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let doc = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    assert!(
        !doc.contains("example tool"),
        "the tools are binaries, not examples"
    );
    let installs: Vec<&str> = doc
        .lines()
        .filter_map(|line| line.split_once("cargo install").map(|(_, rest)| rest))
        .collect();
    assert!(
        !installs.is_empty(),
        "the crate doc shows how to install the tools"
    );
    for rest in installs {
        let line = format!("cargo install{}", rest.split('`').next().unwrap_or(rest));
        assert!(
            readme.contains(&line),
            "{line:?} is not the README's install line"
        );
    }
}
