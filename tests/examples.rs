//! The example tools, run as a user would against local fakes: output, progress and exit codes.
//!
//! `cargo test` builds the examples before it runs this; to run this file alone, build them first
//! (`cargo build --examples && cargo test --test examples`).

mod support;

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Command, Output};

use httpmock::MockServer;
use linkup_sent_invitations::Invitation;
use support::{fake_api, KEY, TOKEN};

/// An example binary, built by `cargo test` next to this test's own directory.
fn example(name: &str) -> Command {
    let mut dir = std::env::current_exe().unwrap();
    dir.pop(); // the test binary
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path: PathBuf = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: build it with cargo test",
        path.display()
    );
    let mut command = Command::new(path);
    command
        .env_remove("LINKUP_BASE_URL")
        .env("LINKUP_API_KEY", KEY)
        .env("LINKUP_LOGIN_TOKEN", TOKEN);
    command
}

fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    );
    assert!(
        !stdout.contains(KEY) && !stderr.contains(KEY),
        "the key leaked:\n{stderr}"
    );
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "the token leaked:\n{stderr}"
    );
    (status.code().unwrap(), stdout, stderr)
}

fn tool(name: &str, server: &MockServer, args: &[&str]) -> (i32, String, String) {
    let base_url = server.base_url();
    run(example(name)
        .args(["--base-url", &base_url, "--requests-per-minute", "0"])
        .args(args))
}

fn ids(jsonl: &str) -> Vec<u64> {
    jsonl
        .lines()
        .map(|line| {
            serde_json::from_str::<Invitation>(line)
                .unwrap()
                .invitation_id
        })
        .collect()
}

#[test]
fn demo_walks_138_invitations_offline() {
    let (code, stdout, stderr) = run(&mut example("demo"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 138);
    assert!(stderr.contains("page 3/14, 3 credits\n"), "{stderr}");
    assert!(stderr.contains("page 14/14, 14 credits\n"), "{stderr}");
}

#[test]
fn export_writes_json_lines_with_exact_ids() {
    let server = fake_api::start(25);
    let (code, stdout, stderr) = tool("export", &server, &[]);
    assert_eq!(code, 0, "{stderr}");
    let expected: Vec<u64> = (0..25)
        .map(|n| fake_api::invitation(n)["invitation_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids(&stdout), expected);
    assert!(stderr.contains("page 3/3, 3 credits"), "{stderr}");
    assert!(
        stderr.contains("done: 25 invitations, 3 credits"),
        "{stderr}"
    );
}

#[test]
fn export_writes_csv() {
    let server = fake_api::start(12);
    let (code, stdout, stderr) = tool(
        "export",
        &server,
        &["--format", "csv", "--type", "connection", "--country", "us"],
    );
    assert_eq!(code, 0, "{stderr}");
    let mut lines = stdout.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("invitation_id,name,profile_url,"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 12);
    // Invitation 1 has a note with a comma: quoted, so the row still splits into 11 fields.
    assert!(
        rows[1].contains(r#","Hi Arjun, glad to connect!","#),
        "{}",
        rows[1]
    );
    assert!(rows[1].starts_with(&format!(
        "{},Arjun Mehta,",
        fake_api::invitation(1)["invitation_id"]
    )));
    assert!(
        rows[1].contains(",Sent yesterday,1,PENDING,CONNECTION,"),
        "{}",
        rows[1]
    );
}

#[test]
fn export_stops_at_the_budget_and_resumes_where_it_said() {
    let server = fake_api::start(138);
    let (code, first, stderr) = tool("export", &server, &["--max-credits", "2"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(first.lines().count(), 20);
    assert!(stderr.contains("stopped at the credit budget: 20 invitations, 2 credits; to resume, pass --start-page 3"), "{stderr}");

    let (code, rest, stderr) = tool("export", &server, &["--start-page", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("done: 118 invitations, 12 credits"),
        "{stderr}"
    );
    let all: HashSet<u64> = ids(&first).into_iter().chain(ids(&rest)).collect();
    assert_eq!(all.len(), 138);
}

#[test]
fn export_reports_a_bad_key_with_what_to_do() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(401)
            .body(r#"{"status":"error","message":"Invalid API key"}"#);
    });
    let (code, stdout, stderr) = tool("export", &server, &[]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("unauthorized (HTTP 401): Invalid API key; check the API key"),
        "{stderr}"
    );
    assert!(
        stderr.contains("to resume, pass --start-page 1"),
        "{stderr}"
    );
}

#[test]
fn tools_refuse_bad_usage_with_exit_code_2_and_send_nothing() {
    let server = MockServer::start();
    let any = support::any_request(&server);
    for (name, args, says) in [
        (
            "export",
            vec!["--type", "people"],
            "unknown invitation type",
        ),
        ("export", vec!["--country", "XX"], "unknown country"),
        (
            "export",
            vec!["--max-credits", "many"],
            "--max-credits takes a whole number",
        ),
        (
            "export",
            vec!["--format", "xml"],
            "--format is jsonl or csv",
        ),
        ("export", vec!["--verbose"], "unknown flag --verbose"),
        ("export", vec!["--start-page"], "--start-page needs a value"),
        ("stale", vec!["--days", "-1"], "--days takes a whole number"),
    ] {
        let (code, _, stderr) = tool(name, &server, &args);
        assert_eq!(code, 2, "{name} {args:?}: {stderr}");
        assert!(stderr.contains(says), "{name} {args:?}: {stderr}");
        assert!(stderr.contains("Exit codes:"), "usage follows the error");
    }
    let (code, _, stderr) = run(example("export")
        .env_remove("LINKUP_API_KEY")
        .args(["--base-url", &server.base_url()]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no API key: set LINKUP_API_KEY"),
        "{stderr}"
    );
    let (code, stdout, _) = run(example("stale").arg("--help"));
    assert_eq!(code, 0);
    assert!(stdout.contains("--days N"));
    any.assert_calls(0);
}

#[test]
fn stale_lists_old_pending_invitations_oldest_first() {
    let server = fake_api::start(138);
    let (code, stdout, stderr) = tool("stale", &server, &["--days", "60"]);
    assert_eq!(code, 0, "{stderr}");
    let mut expected: Vec<(u32, u64)> = (0..138)
        .map(|n| {
            let invitation: Invitation = serde_json::from_value(fake_api::invitation(n)).unwrap();
            (
                invitation.sent_days_ago().unwrap(),
                invitation.invitation_id,
            )
        })
        .filter(|(days, _)| *days >= 60)
        .collect();
    expected.sort_by_key(|(days, _)| std::cmp::Reverse(*days));
    let got: Vec<(u32, u64)> = stdout
        .lines()
        .map(|line| {
            let mut fields = line.split('\t');
            (
                fields.next().unwrap().parse().unwrap(),
                fields.next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
    assert!(
        stderr.contains(&format!(
            "{} pending invitations sent 60 or more days ago",
            expected.len()
        )),
        "{stderr}"
    );
}

#[test]
fn stale_defaults_to_three_weeks() {
    let server = fake_api::start(30);
    let (code, stdout, _) = tool("stale", &server, &[]);
    assert_eq!(code, 0);
    // Invitations 21..=29 read "Sent 3 weeks ago" or more (fake_api words n/7 weeks).
    assert_eq!(stdout.lines().count(), 9);
    assert!(stdout
        .lines()
        .all(|l| l.split('\t').next().unwrap().parse::<u32>().unwrap() >= 21));
}
