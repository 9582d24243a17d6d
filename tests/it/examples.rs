//! The tools (and the demo), run as a user would against local fakes: output, progress,
//! credits, and how they answer mistakes (exit codes, short messages in the tools' own words).
//!
//! `cargo test` builds the tools and examples before it runs this; to run this file alone,
//! build the examples first (`cargo build --examples && cargo test --test it examples::`).

use crate::support;

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::{Command, Output};

use linkup_sent_invitations::{FakeApi, FakeFailure, Invitation};
use support::{live_list, now_ms, sent_id, KEY, TOKEN};

/// A tool (`linkup-export`, `linkup-stale`) or an example binary, built by `cargo test`, with
/// a key and a v1 login token in its environment and nothing else of LinkUp's.
pub(crate) fn example(name: &str) -> Command {
    let path = match name {
        // Cargo builds the crate's binaries before its tests, and names them here.
        "linkup-export" => PathBuf::from(env!("CARGO_BIN_EXE_linkup-export")),
        "linkup-stale" => PathBuf::from(env!("CARGO_BIN_EXE_linkup-stale")),
        example => built_example(example),
    };
    let mut command = Command::new(&path);
    command
        .env_remove("LINKUP_BASE_URL")
        .env_remove("LINKUP_ACCOUNT_ID")
        // A machine's CA bundle is its own tests' business.
        .env_remove("SSL_CERT_FILE")
        .env_remove("LINKUP_CACERT")
        .env("LINKUP_API_KEY", KEY)
        .env("LINKUP_LOGIN_TOKEN", TOKEN);
    command
}

/// An example's binary, which `cargo test` builds next to this test's own directory (but
/// does not name, nor rebuild for `cargo test --test it` alone).
fn built_example(name: &str) -> PathBuf {
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
    let fresh = std::fs::metadata(&path).and_then(|m| m.modified()).unwrap();
    let source = format!("{}/examples/{name}.rs", env!("CARGO_MANIFEST_DIR"));
    let written = std::fs::metadata(source)
        .and_then(|m| m.modified())
        .unwrap();
    assert!(
        fresh >= written,
        "{name} is older than its source: run cargo build --examples"
    );
    path
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

fn tool(name: &str, base_url: &str, args: &[&str]) -> (i32, String, String) {
    run(example(name)
        .args(["--base-url", base_url, "--requests-per-minute", "0"])
        .args(args))
}

/// The exact time an id carries, as the tools print it: RFC 3339, UTC, milliseconds.
fn sent_at(id: u64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(id >> 22);
    humantime::format_rfc3339_millis(at).to_string()
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

// ---------------------------------------------------------------------------------------------
// demo
// ---------------------------------------------------------------------------------------------

#[test]
fn demo_walks_138_invitations_offline_through_v1_and_v2() {
    let (code, stdout, stderr) = run(&mut example("demo"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 138);
    assert!(stderr.starts_with("page 1/14, 1 credit\n"), "{stderr}");
    assert!(stderr.contains("page 14/14, 14 credits\n"), "{stderr}");
    assert!(!stderr.contains(" 1 credits"), "grammar: {stderr}");
    assert!(
        !stdout.contains(" 1 weeks") && !stdout.contains(" 1 months"),
        "grammar"
    );
    // Every line's columns in line: the name column is cut to fit.
    let starts: HashSet<usize> = stdout.lines().map(|l| l.find("Sent").unwrap()).collect();
    assert_eq!(starts.len(), 1, "sent times start in one column");

    let (code, stdout, stderr) = run(example("demo").args(["--v2", "--quiet"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 138);
    assert_eq!(stderr, "done: 3 credits for 3 pages of invitations\n");
}

#[test]
fn demo_answers_help_and_refuses_unknown_flags() {
    let (code, stdout, _) = run(example("demo").arg("--help"));
    assert_eq!(code, 0);
    assert!(stdout.contains("Usage: demo"), "{stdout}");
    assert!(!stdout.contains("Sent"), "help does not run the demo");
    let (code, stdout, stderr) = run(example("demo").arg("--bogus"));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr,
        "error: unknown argument \"--bogus\"\nsee `demo --help`\n"
    );
}

// ---------------------------------------------------------------------------------------------
// export
// ---------------------------------------------------------------------------------------------

#[test]
fn export_writes_json_lines_with_exact_ids() {
    let fake = FakeApi::start(25);
    let (code, stdout, stderr) = tool("linkup-export", &fake.base_url(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let expected: Vec<u64> = (0..25).map(|n| fake.invitation_id(n)).collect();
    assert_eq!(ids(&stdout), expected);
    assert!(stderr.contains("page 3/3, 3 credits"), "{stderr}");
    assert!(
        stderr.contains("done: 25 invitations, 3 credits"),
        "{stderr}"
    );

    // Each line carries the exact time, and the run ends with the newest id for --after-id.
    let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["sent_at"], sent_at(expected[0]));
    assert!(
        stderr.ends_with(&format!(
            "newest id: {0}; next time pass --after-id {0}\n",
            expected[0]
        )),
        "{stderr}"
    );

    let (code, _, stderr) = tool("linkup-export", &fake.base_url(), &["--quiet"]);
    assert_eq!(code, 0);
    assert!(stderr.is_empty(), "--quiet hides progress: {stderr}");
}

#[test]
fn export_writes_csv() {
    let fake = FakeApi::start(12);
    let (code, stdout, stderr) = tool(
        "linkup-export",
        &fake.base_url(),
        &["--format", "csv", "--type", "connection", "--country", "us"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("invitation_id,name,profile_url,"));
    let rows = csv_rows(&stdout);
    assert_eq!(rows.len(), 12);
    // Invitation 1 has a note with a comma: quoted, so the row still splits into 12 fields.
    let row = &rows[1];
    assert_eq!(row.len(), 12, "{row:?}");
    assert_eq!(row[0], fake.invitation_id(1).to_string());
    assert_eq!(row[1], "Arjun Mehta");
    assert_eq!(row[9], "Hi Arjun, glad to connect!");
    // The exact time, RFC 3339 in UTC, from the id, after LinkedIn's wording.
    assert_eq!(
        row[4..9],
        [
            "Sent 8 hours ago".to_owned(),
            sent_at(fake.invitation_id(1)),
            "0".into(),
            "PENDING".into(),
            "CONNECTION".into()
        ]
    );
}

/// The rows of a CSV as a real CSV reader (the csv crate) reads them, header left out.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn export_through_v2_takes_an_account() {
    let fake = FakeApi::start(138);
    let (code, stdout, stderr) = tool("linkup-export", &fake.base_url(), &["--account", "acct-1"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&stdout).len(), 138);
    assert!(
        stderr.contains("done: 138 invitations, 3 credits"),
        "{stderr}"
    );
    assert!(fake.requests().iter().all(|r| r.version == 2));

    // From the environment too.
    let fake = FakeApi::start(10);
    let (code, _, _) = run(example("linkup-export")
        .env("LINKUP_ACCOUNT_ID", "acct-1")
        .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"]));
    assert_eq!(code, 0);
    assert_eq!(
        fake.requests()[0].version,
        2,
        "the account wins over the login token"
    );
}

/// The point a stopped run said to resume from.
fn resume_point(stderr: &str) -> String {
    let (_, rest) = stderr
        .split_once("to resume, pass --resume ")
        .unwrap_or_else(|| panic!("no resume point in {stderr}"));
    rest.split_whitespace().next().unwrap().to_owned()
}

#[test]
fn export_stops_at_the_budget_and_resumes_where_it_said() {
    let fake = FakeApi::start(138);
    let (code, first, stderr) = tool("linkup-export", &fake.base_url(), &["--max-credits", "2"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(first.lines().count(), 20);
    assert!(
        stderr.contains("stopped at the credit budget: 20 invitations, 2 credits; to resume"),
        "{stderr}"
    );
    let point = resume_point(&stderr);

    let (code, rest, stderr) = tool("linkup-export", &fake.base_url(), &["--resume", &point]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("done: 118 invitations, 12 credits"),
        "{stderr}"
    );
    let all: HashSet<u64> = ids(&first).into_iter().chain(ids(&rest)).collect();
    assert_eq!(all.len(), 138);
    assert_eq!(fake.credits_charged(), 14, "no page paid for twice");
}

#[test]
fn an_incremental_export_costs_one_credit_a_day() {
    let fake = FakeApi::start(138);
    // Yesterday's run printed invitation 7 as its newest; 7 have been sent since.
    let after = fake.invitation_id(7).to_string();
    let (code, stdout, stderr) = tool("linkup-export", &fake.base_url(), &["--after-id", &after]);
    assert_eq!(code, 0, "{stderr}");
    let expected: Vec<u64> = (0..7).map(|n| fake.invitation_id(n)).collect();
    assert_eq!(ids(&stdout), expected);
    assert_eq!(fake.credits_charged(), 1);
    assert!(
        stderr.contains(&format!(
            "next time pass --after-id {}",
            fake.invitation_id(0)
        )),
        "{stderr}"
    );
    // The summary counts what was written, not what was read.
    assert!(
        stderr.contains("done: 7 invitations, 1 credit\n"),
        "{stderr}"
    );

    // Through v2: fewer than 50 new, one credit.
    let fake = FakeApi::start(138);
    let after = fake.invitation_id(7).to_string();
    let (code, stdout, _) = tool(
        "linkup-export",
        &fake.base_url(),
        &["--after-id", &after, "--account", "acct-1"],
    );
    assert_eq!(code, 0);
    assert_eq!(ids(&stdout).len(), 7);
    assert_eq!(fake.credits_charged(), 1);

    // Invitation 7 was since accepted (it is gone), and 25 are new: still works, by time.
    let fake = FakeApi::start(138);
    let gone_id = fake.invitation_id(25) + 1; // between invitations 24 and 25
    let (code, stdout, _) = tool(
        "linkup-export",
        &fake.base_url(),
        &["--after-id", &gone_id.to_string()],
    );
    assert_eq!(code, 0);
    assert_eq!(ids(&stdout).len(), 25);
    assert_eq!(
        fake.credits_charged(),
        3,
        "pages 1 to 3: the third reaches the old id"
    );
}

#[test]
fn export_reports_a_bad_key_with_what_to_do() {
    let fake = FakeApi::start(25);
    fake.fail(
        1,
        FakeFailure::reply(401, r#"{"status":"error","message":"Invalid API key"}"#),
    );
    let (code, stdout, stderr) = tool("linkup-export", &fake.base_url(), &[]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("unauthorized (HTTP 401): Invalid API key; check the API key"),
        "{stderr}"
    );
    assert!(!stderr.contains("resume"), "nothing to resume: {stderr}");
    assert!(stderr.contains("1 credit used"), "{stderr}");

    // Failing later, there is something to resume.
    let fake = FakeApi::start(25);
    fake.fail(
        2,
        FakeFailure::reply(400, r#"{"status":"error","message":"Bad request"}"#),
    );
    let (code, _, stderr) = tool("linkup-export", &fake.base_url(), &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("2 credits used; to resume"), "{stderr}");
    let point = resume_point(&stderr);
    let (code, rest, stderr) = tool("linkup-export", &fake.base_url(), &["--resume", &point]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&rest).len(), 15, "pages 2 and 3");
}

// ---------------------------------------------------------------------------------------------
// Mistakes
// ---------------------------------------------------------------------------------------------

#[test]
fn every_mistake_that_sends_nothing_exits_2_in_two_lines() {
    let fake = FakeApi::start(10);
    let url = fake.base_url();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("linkup-export", vec!["--type", "people"], "--type is one of"),
        ("linkup-export", vec!["--country", "XX"], "--country is one of"),
        (
            "linkup-export",
            vec!["--max-credits", "abc"],
            "--max-credits takes a whole number",
        ),
        (
            "linkup-export",
            vec!["--format", "xml"],
            "--format is jsonl or csv",
        ),
        ("linkup-export", vec!["--loud"], "unknown flag --loud"),
        ("linkup-export", vec!["--summary", "yaml"], "--summary is one of json"),
        ("linkup-export", vec!["--resume"], "--resume needs a value"),
        (
            "linkup-export",
            vec!["--resume", "3"],
            "--resume takes the point a stopped run printed",
        ),
        (
            "linkup-export",
            vec!["--max-credits", "0"],
            "--max-credits 0 would send nothing",
        ),
        (
            "linkup-export",
            vec!["--login-token", ""],
            "--login-token is empty: pass a value, or leave the flag out to use $LINKUP_LOGIN_TOKEN",
        ),
        (
            "linkup-stale",
            vec!["--connect-account", "--account", "a"],
            "leave out --account",
        ),
        ("linkup-export", vec!["extra"], "unexpected argument \"extra\""),
        ("linkup-export", vec!["--quiet=yes"], "--quiet takes no value"),
        (
            "linkup-export",
            vec!["--timeout", "0"],
            "--timeout must be at least 1 second",
        ),
        (
            "linkup-export",
            vec!["--account", "a", "--login-token", "t"],
            "not both",
        ),
        (
            "linkup-export",
            vec!["--account", "a", "--country", "US"],
            "take no country",
        ),
        (
            "linkup-stale",
            vec!["--account", "a", "--country", "US"],
            "take no country",
        ),
        (
            "linkup-export",
            vec!["--base-url", "notaurl"],
            "--base-url \"notaurl\" is not an https:// URL",
        ),
        (
            "linkup-export",
            vec!["--base-url", "http://api.linkupapi.com"],
            "plain http",
        ),
        ("linkup-stale", vec!["--days", "-1"], "--days takes a whole number"),
        (
            "linkup-stale",
            vec!["--start-page", "2"],
            "unknown flag --start-page",
        ),
        ("linkup-stale", vec!["--format", "csv"], "--format is tsv or jsonl"),
        // Withdrawing: never without a yes, never with a setting that makes no sense.
        (
            "linkup-stale",
            vec!["--withdraw"],
            "stdin is not a terminal: pass --yes",
        ),
        ("linkup-stale", vec!["--yes"], "--yes is for --withdraw"),
        ("linkup-stale", vec!["--journal", "j.jsonl"], "--journal is for --withdraw"),
        (
            "linkup-stale",
            vec!["--max-withdrawals", "3"],
            "--max-withdrawals is for --withdraw",
        ),
        (
            "linkup-stale",
            vec!["--withdraw", "--yes", "--max-withdrawals", "0"],
            "--max-withdrawals 0 would withdraw nothing",
        ),
        (
            "linkup-stale",
            vec!["--withdraw", "--yes", "--max-withdrawals", "ten"],
            "--max-withdrawals takes a whole number",
        ),
        (
            "linkup-stale",
            vec!["--withdraw", "--yes", "--withdraw-interval", "-1"],
            "--withdraw-interval takes seconds, from 0 to 3600, got \"-1\"",
        ),
        (
            "linkup-stale",
            vec!["--withdraw", "--yes", "--journal", "/nonexistent/dir/j.jsonl"],
            "the journal /nonexistent/dir/j.jsonl cannot be opened for writing",
        ),
    ];
    for (name, args, says) in cases {
        // Flag values come before the environment: a bad value is named even with no key.
        let (code, stdout, stderr) = run(example(name)
            .env_remove("LINKUP_API_KEY")
            .args(["--requests-per-minute", "0"])
            .args(if args.contains(&"--base-url") {
                vec![]
            } else {
                vec!["--base-url", &url]
            })
            .args(&args));
        assert_eq!(code, 2, "{name} {args:?}: {stderr}");
        assert!(stdout.is_empty(), "{name} {args:?}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{name} {args:?}: {stderr}");
        assert!(
            lines[0].starts_with("error: ") && lines[0].contains(says),
            "{name} {args:?}: {stderr}"
        );
        assert_eq!(lines[1], format!("see `{name} --help`"));
        assert!(
            !stderr.contains("Config::") && !stderr.contains("Params::"),
            "{stderr}"
        );
    }
    let (code, _, stderr) = run(example("linkup-export")
        .env_remove("LINKUP_API_KEY")
        .args(["--base-url", &url]));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: no API key: set LINKUP_API_KEY"),
        "{stderr}"
    );
    let (code, _, stderr) = run(example("linkup-export")
        .env("LINKUP_API_KEY", "key with spaces")
        .args(["--base-url", &url]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("trim it"), "{stderr}");
    // A proxy this build cannot use: refused before anything is sent.
    let (code, _, stderr) = run(example("linkup-export")
        .env("ALL_PROXY", "socks5://127.0.0.1:9")
        .args(["--base-url", "https://127.0.0.1:9"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("ALL_PROXY names a SOCKS proxy"), "{stderr}");
    assert!(stderr.contains("unset it to connect directly"), "{stderr}");
    assert!(fake.requests().is_empty(), "nothing was sent");

    let (code, stdout, _) = run(example("linkup-stale").arg("--help"));
    assert_eq!(code, 0);
    assert!(stdout.contains("--days N") && stdout.contains("--account ID"));
}

// ---------------------------------------------------------------------------------------------
// stale
// ---------------------------------------------------------------------------------------------

/// (days, id) rows of stale's TSV output, after its header; each row's exact time checked.
fn stale_rows(stdout: &str) -> Vec<(u32, u64)> {
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("days\tsent_at\tinvitation_id\tname\tprofile_url")
    );
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let id = fields[2].parse().unwrap();
            assert_eq!(fields[1], sent_at(id), "{line}");
            (fields[0].parse().unwrap(), id)
        })
        .collect()
}

#[test]
fn stale_lists_old_pending_invitations_oldest_first_from_the_old_end() {
    // The fake's invitation n was sent 1 + 7n hours ago: 103 to 137 are 30 days or older.
    let fake = FakeApi::start(138);
    let (code, stdout, stderr) = tool("linkup-stale", &fake.base_url(), &["--days", "30"]);
    assert_eq!(code, 0, "{stderr}");
    let expected: Vec<u64> = (103..138).rev().map(|n| fake.invitation_id(n)).collect();
    let rows = stale_rows(&stdout);
    assert_eq!(rows.iter().map(|r| r.1).collect::<Vec<_>>(), expected);
    assert!(rows.windows(2).all(|w| w[0].0 >= w[1].0), "oldest first");
    let pages: Vec<u32> = fake.requests().iter().map(|r| r.page).collect();
    assert_eq!(
        pages,
        [1, 14, 13, 12, 11],
        "stops at the first young invitation"
    );
    // One summary, counting the rows written.
    assert!(
        stderr.ends_with("done: 35 pending invitations sent 30 or more days ago, 5 credits\n"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("done:").count(), 1, "{stderr}");
}

#[test]
fn the_stale_sweep_of_1000_pays_for_the_old_end_only() {
    // 1,000 pending invitations; the 95 oldest are 21 days or older.
    let now = now_ms();
    let hour = 3_600_000;
    let ids: Vec<u64> = (0..1000u64)
        .map(|i| {
            let age = if i < 905 {
                hour + i * hour / 2
            } else {
                21 * 24 * hour + hour + (i - 905) * hour
            };
            sent_id(now - age, i)
        })
        .collect();
    let server = live_list(ids.clone(), |_, _| {});
    let (code, stdout, stderr) = tool("linkup-stale", &server.base_url(), &["--days", "21"]);
    assert_eq!(code, 0, "{stderr}");
    let rows = stale_rows(&stdout);
    assert_eq!(rows.len(), 95);
    let expected: Vec<u64> = ids[905..].iter().rev().copied().collect();
    assert_eq!(rows.iter().map(|r| r.1).collect::<Vec<_>>(), expected);
    assert_eq!(
        server.request_count(),
        11,
        "page 1, then pages 100 down to 91"
    );
    assert!(
        stderr.contains("95 pending invitations sent 21 or more days ago, 11 credits"),
        "{stderr}"
    );

    // Through v2, pages of 50: offset 0, then pages 20 and 19.
    let server = live_list(ids.clone(), |_, _| {});
    let (code, stdout, stderr) = tool(
        "linkup-stale",
        &server.base_url(),
        &["--days", "21", "--account", "acct-1"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stale_rows(&stdout).len(), 95);
    assert_eq!(server.request_count(), 3);
}

#[test]
fn stale_walks_everything_when_the_list_is_out_of_order() {
    let now = now_ms();
    let day = 24 * 3_600_000;
    // 60 invitations, one a day; page 6 (the oldest) is not newest first.
    let mut ids: Vec<u64> = (0..60u64)
        .map(|i| sent_id(now - i * day - 3_600_000, i))
        .collect();
    ids.swap(51, 58);
    let server = live_list(ids.clone(), |_, _| {});
    let (code, stdout, stderr) = tool("linkup-stale", &server.base_url(), &["--days", "40"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stale_rows(&stdout).len(), 20, "days 40 to 59");
    assert!(
        stderr.contains("out of order, so every page was read"),
        "{stderr}"
    );
    assert_eq!(server.request_count(), 6, "every page once");
}

#[test]
fn stale_stopped_by_its_budget_before_any_page_says_so() {
    // Oldest first, 1 credit reads page 1 for the total and leaves none for the oldest page.
    let fake = FakeApi::start(138);
    let (code, stdout, stderr) = tool("linkup-stale", &fake.base_url(), &["--max-credits", "1"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stale_rows(&stdout).len(), 0);
    assert!(
        stderr.ends_with(
            "stopped at the credit budget: 0 pending invitations sent 21 or more days ago, 1 \
             credit; nothing to resume from: run again with a larger --max-credits\n"
        ),
        "{stderr}"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn stale_defaults_to_three_weeks() {
    // Invitation n was sent 1 + 7n hours ago: 72 to 79 are 21 days or older.
    let fake = FakeApi::start(80);
    let (code, stdout, _) = tool("linkup-stale", &fake.base_url(), &[]);
    assert_eq!(code, 0);
    let rows = stale_rows(&stdout);
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|(days, _)| *days >= 21));
}

// ---------------------------------------------------------------------------------------------
// stale --withdraw
// ---------------------------------------------------------------------------------------------

/// The fake's invitation n was sent 1 + 7n hours ago: of 1,000, the 95 oldest (905 to 999) are
/// 264 days or older.
const DAYS: &str = "264";

/// The 95 stale invitations of a fake of 1,000, oldest first.
fn the_stale(fake: &FakeApi) -> Vec<u64> {
    (905..1000).rev().map(|n| fake.invitation_id(n)).collect()
}

/// A journal file of this test's own, not there yet.
fn journal_path(test: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "linkup-journal-{}-{test}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

/// The withdrawals the fake was asked for, in order.
fn withdrawals(fake: &FakeApi) -> Vec<u64> {
    fake.requests()
        .iter()
        .filter_map(|r| r.invitation_id)
        .collect()
}

/// The (id, result) of each result line, after the header; each line's exact time checked.
fn results(stdout: &str) -> Vec<(u64, String)> {
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("invitation_id\tname\tsent_at\tresult"));
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "{line}");
            let id = fields[0].parse().unwrap();
            assert_eq!(fields[2], sent_at(id), "{line}");
            (id, fields[3].to_owned())
        })
        .collect()
}

fn withdrawn(ids: &[u64]) -> Vec<(u64, String)> {
    ids.iter().map(|id| (*id, "withdrawn".to_owned())).collect()
}

/// `stale --days 264 --withdraw --yes --withdraw-interval 0 --journal JOURNAL ARGS`.
fn withdraw(fake: &FakeApi, journal: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let journal = journal.to_str().unwrap();
    let mut all = vec!["--days", DAYS, "--withdraw", "--yes"];
    // The daily cap is its own tests' (the last given wins).
    all.extend([
        "--withdraw-interval",
        "0",
        "--journal",
        journal,
        "--max-per-day",
        "10000",
    ]);
    all.extend(args);
    tool("linkup-stale", &fake.base_url(), &all)
}

/// The events the journal holds for an invitation, in order.
fn journaled(journal: &std::path::Path, id: u64) -> Vec<String> {
    std::fs::read_to_string(journal)
        .unwrap()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        // A string, so that readers that parse numbers as doubles keep every digit.
        .filter(|entry| entry["invitation_id"].as_str().and_then(|s| s.parse().ok()) == Some(id))
        .map(|entry| entry["event"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn stale_withdraws_the_oldest_within_its_cap_and_the_next_run_goes_on() {
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);

    // Without --withdraw: the list, and not one withdrawal.
    let (code, stdout, stderr) = tool("linkup-stale", &fake.base_url(), &["--days", DAYS]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stale_rows(&stdout).len(), 95);
    assert!(withdrawals(&fake).is_empty());

    let journal = journal_path("cap");
    let charged = fake.credits_charged();
    let (code, stdout, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(results(&stdout), withdrawn(&stale[..3]), "the 3 oldest");
    assert_eq!(withdrawals(&fake), stale[..3], "each asked once");
    assert!(stale[..3].iter().all(|id| !fake.is_pending(*id)));
    assert!(stale[3..].iter().all(|id| fake.is_pending(*id)));
    // The listing stops once it holds the 3 (page 1 for the total, then the oldest page);
    // the listing and the withdrawals are paid apart, and add up to what the API charged.
    assert!(
        stderr.ends_with(
            "done: 3 withdrawn, 0 unknown, 0 failed; 7 stale invitations left for a later run \
             (--max-withdrawals 3, and maybe more: the listing stopped there); listing 2 \
             credits, withdrawals 3 credits\n"
        ),
        "{stderr}"
    );
    assert_eq!(fake.credits_charged() - charged, 2 + 3);
    for id in &stale[..3] {
        assert_eq!(journaled(&journal, *id), ["attempting", "withdrawn"]);
    }

    // The same again goes on with the next 3.
    let (code, stdout, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(results(&stdout), withdrawn(&stale[3..6]));
    assert_eq!(withdrawals(&fake), stale[..6]);
    assert!(stderr.contains("the listing stopped there"), "{stderr}");

    // Through v2: the same tool, the v2 call; not with the v1 account's journal, which
    // refuses another scope before anything is paid.
    let v2 = [
        "--max-withdrawals",
        "1",
        "--account",
        "acct-1-SECRET-id",
        "--quiet",
    ];
    let requests = fake.requests().len();
    let (code, _, stderr) = withdraw(&fake, &journal, &v2);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("holds the withdrawals of v1, no account label, CONNECTION")
            && stderr.contains("this call is for v2 account #"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRET"), "{stderr}");
    assert_eq!(
        fake.requests().len(),
        requests,
        "nothing sent, nothing paid"
    );
    let v2_journal = journal_path("cap-v2");
    let (code, stdout, stderr) = withdraw(&fake, &v2_journal, &v2);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(results(&stdout), withdrawn(&stale[6..7]));
    assert_eq!(fake.requests().last().unwrap().path, "/v2/network");
    let _ = std::fs::remove_file(&journal);
    let _ = std::fs::remove_file(&v2_journal);
}

#[test]
fn a_run_killed_after_its_first_withdrawal_and_run_again_withdraws_each_once() {
    use std::io::BufRead;
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);
    let journal = journal_path("kill");
    let mut first = example("linkup-stale")
        .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"])
        .args([
            "--days",
            DAYS,
            "--withdraw",
            "--yes",
            "--withdraw-interval",
            "0",
        ])
        .args(["--max-withdrawals", "5", "--quiet", "--journal"])
        .arg(&journal)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(first.stdout.take().unwrap()).lines();
    lines.next(); // the header
    let line = lines.next().unwrap().unwrap();
    assert!(line.ends_with("\twithdrawn"), "{line}");
    // SIGKILL, wherever the run stands: between calls, during one, between a call and its line.
    first.kill().unwrap();
    first.wait().unwrap();
    let before = withdrawals(&fake).len();
    assert!((1..=5).contains(&before), "{before}");

    let (code, _, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "5"]);
    assert_eq!(code, 0, "{stderr}");
    let asked = withdrawals(&fake);
    let once: HashSet<u64> = asked.iter().copied().collect();
    assert_eq!(
        once.len(),
        asked.len(),
        "an invitation asked twice: {asked:?}"
    );
    // Oldest first, skipping only the one the kill may have caught during its call (written
    // to the journal, maybe not sent): its outcome is unknown, and it is not sent again
    // before a listing settles it.
    let attempted: Vec<u64> = stale
        .iter()
        .copied()
        .filter(|id| !journaled(&journal, *id).is_empty())
        .collect();
    assert_eq!(attempted, stale[..attempted.len()], "oldest first");
    let unsettled: Vec<&u64> = attempted
        .iter()
        .filter(|id| journaled(&journal, **id) == ["attempting"])
        .collect();
    assert!(unsettled.len() <= 1, "one kill: {unsettled:?}");
    for id in &attempted {
        let sent = asked.iter().filter(|a| *a == id).count();
        assert!(
            sent == 1 || unsettled.contains(&id),
            "{id} sent {sent} times"
        );
    }
    assert!(asked.len() > before, "the second run went on");
    assert!(asked.iter().all(|id| !fake.is_pending(*id)));
    // Every paid withdrawal withdrew something: no credit paid twice for one invitation.
    let paid: u64 = fake
        .requests()
        .iter()
        .filter(|r| r.invitation_id.is_some())
        .map(|r| r.credits)
        .sum();
    assert_eq!(paid, asked.len() as u64);
    let _ = std::fs::remove_file(&journal);
}

/// `stale --withdraw` on `fake`, started and not waited for.
fn spawn_withdraw(fake: &FakeApi, journal: &std::path::Path, max: &str) -> std::process::Child {
    example("linkup-stale")
        .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"])
        .args([
            "--days",
            DAYS,
            "--withdraw",
            "--yes",
            "--withdraw-interval",
            "0",
        ])
        .args(["--max-withdrawals", max, "--quiet", "--journal"])
        .arg(journal)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn killed_at_random_and_run_again_on_a_lagging_list_it_never_sends_one_twice() {
    // LinkedIn's list lags: a withdrawn invitation stays listed for the next 25 pages read,
    // more than two listings of the old end (11 pages each).
    let fake = FakeApi::start(1000);
    fake.lag_withdrawals(25);
    let stale = the_stale(&fake);
    let journal = journal_path("kill-lag");
    let mut seed = 0x5EED_u64;
    let mut kills = 0;
    for _ in 0..24 {
        let mut run = spawn_withdraw(&fake, &journal, "5");
        // kill -9 after 0 to 40 ms (a run takes about that): while listing, between
        // withdrawals, or during one.
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        std::thread::sleep(std::time::Duration::from_micros((seed >> 33) % 40_000));
        if run.try_wait().unwrap().is_none() {
            run.kill().unwrap();
            kills += 1;
        }
        run.wait().unwrap();
    }
    // Then calm runs, until one has nothing left to do.
    for _ in 0..20 {
        let (code, _, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "40"]);
        assert!(code == 0 || code == 1, "{stderr}");
        if stderr.contains("nothing to withdraw") {
            break;
        }
    }
    let asked = withdrawals(&fake);
    let mut count: std::collections::HashMap<u64, usize> = Default::default();
    for id in &asked {
        *count.entry(*id).or_default() += 1;
    }
    let left = stale.iter().filter(|id| fake.is_pending(**id)).count();
    eprintln!(
        "{kills} kills, {} withdrawals sent, {left} left unknown",
        asked.len()
    );
    // Within the settling time (an hour: these runs take seconds), never twice.
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:?} ({kills} kills)");
    // Every stale invitation is withdrawn, or unknown because a kill landed during its call.
    let pending: Vec<u64> = stale
        .iter()
        .copied()
        .filter(|id| fake.is_pending(*id))
        .collect();
    assert!(
        pending.len() <= kills,
        "{pending:?} pending after {kills} kills"
    );
    for id in &pending {
        let events = journaled(&journal, *id);
        assert_eq!(
            events.last().map(String::as_str),
            Some("attempting"),
            "{id}: {events:?}"
        );
    }
    let _ = std::fs::remove_file(&journal);
}

#[test]
fn two_runs_at_once_on_one_journal_the_second_sends_nothing() {
    use std::io::BufRead;
    let fake = FakeApi::start(1000);
    let journal = journal_path("two-at-once");
    // The first run paces its withdrawals (0.1 to 0.3 s apart), so it holds the journal a while.
    let mut first = example("linkup-stale")
        .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"])
        .args([
            "--days",
            DAYS,
            "--withdraw",
            "--yes",
            "--withdraw-interval",
            "0.2",
        ])
        .args(["--max-withdrawals", "6", "--quiet", "--journal"])
        .arg(&journal)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(first.stdout.take().unwrap()).lines();
    // Its first result line: it holds the journal, and is withdrawing.
    lines.next();
    lines.next();
    let (code, stdout, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "6"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("is held by another run"), "{stderr}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(first.wait().unwrap().success());
    let asked = withdrawals(&fake);
    assert_eq!(asked.len(), 6, "{asked:?}");
    let once: HashSet<u64> = asked.iter().copied().collect();
    assert_eq!(once.len(), 6, "{asked:?}");
    let _ = std::fs::remove_file(&journal);
}

#[test]
fn an_open_withdrawal_is_settled_by_the_next_listing_and_never_sent_twice() {
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);
    let journal = journal_path("settle");
    // The second withdrawal goes through, and the answer is lost.
    fake.fail_withdraw(stale[1], FakeFailure::hang_up());
    let (code, stdout, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "3"]);
    assert_eq!(code, 1, "not all known: {stderr}");
    let lines = results(&stdout);
    assert_eq!(lines[0], (stale[0], "withdrawn".to_owned()));
    assert_eq!(lines[1], (stale[1], "unknown".to_owned()));
    assert_eq!(lines[2], (stale[2], "withdrawn".to_owned()));
    assert!(
        stderr.contains("done, not all withdrawn: 2 withdrawn, 1 unknown, 0 failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("a listing run with the same journal (without --plan) settles it"),
        "{stderr}"
    );
    // It says what it may have paid, the unknown one counted, and how much of it is unsure.
    assert!(
        stderr.contains("withdrawals 3 credits, 1 of them possibly"),
        "{stderr}"
    );
    assert_eq!(
        withdrawals(&fake),
        stale[..3],
        "the unknown one not retried"
    );

    // A run that withdrew stale[4] (the listing may lag behind and still show it), then
    // stopped during its call to withdraw stale[3], before sending, and was cut short while
    // writing its next line.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap();
    std::io::Write::write_all(
        &mut file,
        format!(
            "{{\"at\":\"2026-11-26T08:59:59.000Z\",\"invitation_id\":\"{}\",\"event\":\"withdrawn\"}}\n\
             {{\"at\":\"2026-11-26T09:00:00.000Z\",\"invitation_id\":\"{}\",\"event\":\"attempting\"}}\n\
             {{\"at\":\"2026-11-2",
            stale[4], stale[3]
        )
        .as_bytes(),
    )
    .unwrap();
    drop(file);

    let (code, stdout, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "2"]);
    assert_eq!(code, 0, "{stderr}");
    // stale[1] is gone from the list, so it was withdrawn: never asked again. stale[3] is
    // still listed, so the stopped call never reached LinkedIn: asked now, once. stale[4] is
    // withdrawn, says the journal, whatever the list says: not asked.
    assert_eq!(results(&stdout), withdrawn(&[stale[3], stale[5]]));
    let mut asked = stale[..4].to_vec();
    asked.push(stale[5]);
    assert_eq!(withdrawals(&fake), asked);
    assert!(
        stderr.contains(
            "1 invitation listed but withdrawn, refused or unsettled already, says the journal; \
             left alone"
        ),
        "{stderr}"
    );
    assert_eq!(
        journaled(&journal, stale[1]),
        ["attempting", "unknown", "gone"]
    );
    assert_eq!(
        journaled(&journal, stale[3]),
        ["attempting", "still_pending", "attempting", "withdrawn"]
    );
    // The cut-short line was dropped: every line is an entry again.
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        text.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "{text}"
    );
    let _ = std::fs::remove_file(&journal);
}

#[test]
fn a_resumed_listing_settles_nothing_it_did_not_read() {
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);
    let journal = journal_path("resumed");
    // A run stopped during its call to withdraw the oldest, before sending: still pending.
    std::fs::write(
        &journal,
        format!(
            "{{\"at\":\"2026-11-26T09:00:00.000Z\",\"invitation_id\":\"{}\",\"event\":\"attempting\"}}\n",
            stale[0]
        ),
    )
    .unwrap();
    // A listing stopped at its budget after page 1 and the last two pages, then resumed: the
    // rest of the walk never reads the page that holds the oldest.
    let (code, _, stderr) = tool(
        "linkup-stale",
        &fake.base_url(),
        &["--days", DAYS, "--max-credits", "3"],
    );
    assert_eq!(code, 3, "{stderr}");
    let point = resume_point(&stderr);
    let (code, stdout, stderr) = withdraw(
        &fake,
        &journal,
        &["--resume", &point, "--max-withdrawals", "1"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("1 withdrawal from an earlier run still unsettled"),
        "{stderr}"
    );
    assert_eq!(journaled(&journal, stale[0]), ["attempting"], "left open");
    assert!(!results(&stdout).iter().any(|(id, _)| *id == stale[0]));

    // A whole listing then finds it still pending, and withdraws it.
    let (code, stdout, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(results(&stdout), withdrawn(&stale[..1]));
    assert_eq!(
        journaled(&journal, stale[0]),
        ["attempting", "still_pending", "attempting", "withdrawn"]
    );
    let _ = std::fs::remove_file(&journal);
}

#[test]
fn withdrawing_goes_on_after_a_refusal_and_stops_for_the_account() {
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);
    let journal = journal_path("refusals");
    fake.fail_withdraw(
        stale[0],
        FakeFailure::reply(
            400,
            r#"{"status":"error","message":"Invitation is not pending"}"#,
        ),
    )
    .fail_withdraw(
        stale[2],
        FakeFailure::reply(
            401,
            r#"{"status":"error","message":"Invalid or expired LinkedIn cookie"}"#,
        ),
    );
    let (code, stdout, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "10"]);
    assert_eq!(code, 1, "{stderr}");
    let lines = results(&stdout);
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].1.starts_with("failed: ") && lines[0].1.contains("Invitation is not pending"),
        "{stdout}"
    );
    assert!(
        lines[0].1.ends_with(
            "list the invitations again: it may have been accepted, declined \
                              or withdrawn already"
        ),
        "what to do: {stdout}"
    );
    assert_eq!(lines[1], (stale[1], "withdrawn".to_owned()));
    assert!(lines[2].1.starts_with("failed: "), "{stdout}");
    assert_eq!(withdrawals(&fake), stale[..3], "nothing after the 401");
    assert!(stderr.contains("stopped: unauthorized"), "{stderr}");
    assert!(
        stderr.contains("1 withdrawn, 0 unknown, 2 failed, 7 not attempted"),
        "{stderr}"
    );

    // --max-credits counts the withdrawals: 11 for the listing leaves 2.
    let fake = FakeApi::start(1000);
    // (--max-withdrawals 95: the listing reads all 95, 11 credits.)
    let (code, stdout, stderr) = withdraw(
        &fake,
        &journal_path("budget"),
        &["--max-credits", "13", "--max-withdrawals", "95"],
    );
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(results(&stdout).len(), 2);
    assert_eq!(fake.credits_charged(), 13);
    assert!(stderr.contains("stopped at the credit budget"), "{stderr}");
    let _ = std::fs::remove_file(&journal);
    let _ = std::fs::remove_file(journal_path("budget"));
}

// ---------------------------------------------------------------------------------------------
// What the tools say
// ---------------------------------------------------------------------------------------------

#[test]
fn retries_show_as_they_happen_and_quiet_hides_them() {
    let fake = FakeApi::start(25);
    fake.fail(1, FakeFailure::hang_up())
        .fail(2, FakeFailure::rate_limited(0));
    let (code, _, stderr) = tool("linkup-export", &fake.base_url(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let host = fake.base_url().replace("http://", "");
    assert!(
        stderr.contains(&format!(
            "attempt 1 of 3 failed: {host} closed the connection before any reply; retrying in"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("attempt 1 of 3 failed: HTTP 429; retrying in 0.0s"),
        "{stderr}"
    );

    let fake = FakeApi::start(25);
    fake.fail(1, FakeFailure::hang_up());
    let (code, _, stderr) = tool("linkup-export", &fake.base_url(), &["--quiet"]);
    assert_eq!(code, 0);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn after_an_error_stale_prints_no_results_only_the_error_and_the_spend() {
    let fake = FakeApi::start(138);
    // Page 1 answers (the total); the old end's page fails.
    fake.fail(
        14,
        FakeFailure::reply(
            402,
            r#"{"status":"error","message":"Insufficient credits available"}"#,
        ),
    );
    let (code, stdout, stderr) = tool("linkup-stale", &fake.base_url(), &["--days", "30"]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "no header, no rows: {stdout}");
    assert!(
        stderr.contains("insufficient credits (HTTP 402)") && stderr.contains("top up"),
        "{stderr}"
    );
    assert!(stderr.contains("2 credits used"), "{stderr}");
    assert!(
        !stderr.contains("pending invitation"),
        "no result line: {stderr}"
    );
}

#[test]
fn stale_json_lines_carry_the_exact_time_and_the_age() {
    let fake = FakeApi::start(80);
    let (code, stdout, _) = tool("linkup-stale", &fake.base_url(), &["--format", "json"]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    let oldest = fake.invitation_id(79);
    // A string: readers that parse numbers as doubles keep every digit.
    assert_eq!(lines[0]["invitation_id"], oldest.to_string());
    assert_eq!(lines[0]["sent_at"], sent_at(oldest));
    assert!(lines[0]["days"].as_u64().unwrap() >= 21);
}

#[test]
fn the_environment_is_read_as_it_is_set() {
    let fake = FakeApi::start(10);
    let url = fake.base_url();
    let (code, _, stderr) = run(example("linkup-export")
        .env("LINKUP_API_KEY", "")
        .args(["--base-url", &url]));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: LINKUP_API_KEY is empty: set it to the key"),
        "{stderr}"
    );
    // Both set: the account is used, and the tool says so.
    let (code, _, stderr) = run(example("linkup-export")
        .env("LINKUP_ACCOUNT_ID", "acct-1")
        .args(["--base-url", &url, "--requests-per-minute", "0"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with(
            "note: LINKUP_ACCOUNT_ID and LINKUP_LOGIN_TOKEN are both set: using the account (v2)"
        ),
        "{stderr}"
    );
    assert!(fake.requests().iter().all(|r| r.version == 2));
}

#[test]
fn connect_account_prints_the_id_to_use_for_v2() {
    let fake = FakeApi::start(10);
    let (code, stdout, stderr) = tool("linkup-export", &fake.base_url(), &["--connect-account"]);
    assert_eq!(code, 0, "{stderr}");
    // A line a shell can eval.
    let quoted = stdout
        .trim()
        .strip_prefix("export LINKUP_ACCOUNT_ID=")
        .unwrap();
    let id = quoted
        .strip_prefix('\'')
        .and_then(|q| q.strip_suffix('\''))
        .unwrap();
    assert!(id.starts_with("acc_"), "{stdout}");
    assert_eq!(fake.credits_charged(), 0, "free");
    assert_eq!(fake.requests()[0].path, "/v2/login");
    // And the id works for v2.
    let (code, out, _) = tool("linkup-export", &fake.base_url(), &["--account", id]);
    assert_eq!(code, 0);
    assert_eq!(ids(&out).len(), 10);
}

#[test]
fn help_lists_every_flag_in_line() {
    for name in ["linkup-export", "linkup-stale"] {
        let (code, stdout, _) = run(example(name).arg("--help"));
        assert_eq!(code, 0);
        for flag in [
            "  --type TYPE ",
            "  --max-credits N ",
            "  --resume POINT ",
            "  --connect-account ",
            "  --format FORMAT ",
        ] {
            assert!(
                stdout.lines().any(|l| l.starts_with(flag)),
                "{name}: {flag:?} in\n{stdout}"
            );
        }
        assert!(stdout.contains("json is the same"), "{stdout}");
    }
    let (_, stdout, _) = run(example("linkup-stale").arg("--help"));
    assert!(stdout.contains("  --withdraw ") && stdout.contains("  --journal FILE "));
    assert!(
        stdout.trim_end().ends_with(
            "LinkedIn does not let you invite the same person again for up to\nthree weeks. \
             --max-credits counts the withdrawals too."
        ),
        "{stdout}"
    );
}

/// `--help | head`: the pipe closes before the help is written, and that is no panic.
#[test]
fn help_into_a_closed_pipe_exits_quietly() {
    for name in ["linkup-export", "linkup-stale"] {
        let mut child = example(name)
            .arg("--help")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reading end goes before the tool has started, let alone written.
        drop(child.stdout.take());
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(0), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

/// Asking for help never runs a tool, and a flag missing its value never lends it the next
/// flag: `--api-key --help` once sent a paid request with `--help` for a key.
#[test]
fn help_anywhere_wins_and_a_flag_is_never_taken_for_a_value() {
    let server = support::RawServer::start(|_, _| {
        support::Action::Write(support::http_response(200, "", b"{}"))
    });
    let url = server.base_url();
    for name in ["linkup-export", "linkup-stale"] {
        for args in [
            &["--api-key", "--help"][..],
            &["--login-token", "-h"],
            &["--cacert", "--help"],
            &["--bogus", "--help"],
            &["--timeout=abc", "--help"],
            &["--max-credits", "1", "--help"],
        ] {
            let (code, stdout, stderr) = tool(name, &url, args);
            assert_eq!(code, 0, "{name} {args:?}: {stderr}");
            assert!(
                stdout.contains("--max-credits N"),
                "{name} {args:?}: {stdout}"
            );
        }
        for (args, says) in [
            (
                &["--api-key", "--max-credits", "1"][..],
                "--api-key needs a value, got the flag --max-credits",
            ),
            (
                &["--login-token", "--type", "CONNECTION"],
                "--login-token needs a value, got the flag --type",
            ),
            (
                &["--cacert", "--quiet"],
                "--cacert needs a value, got the flag --quiet",
            ),
            (
                &["--api-key", "--login-token=AQEDAT-token-SECRET-5678"],
                "--api-key needs a value, got the flag --login-token\n",
            ),
            (
                &["AQEDAT-token-SECRET-5678"],
                "unexpected argument of 24 characters (a value whose flag is missing?)",
            ),
        ] {
            let (code, _, stderr) = tool(name, &url, args);
            assert_eq!(code, 2, "{name} {args:?}: {stderr}");
            assert!(stderr.contains(says), "{name} {args:?}: {stderr}");
            assert!(!stderr.contains("SECRET"), "{name} {args:?}: {stderr}");
        }
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

#[test]
fn fake_server_listens_on_the_port_asked_and_refuses_extra_arguments() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let (mut server, url) = fake_server(&["25", "--port", &port.to_string()]);
    assert_eq!(url, format!("http://127.0.0.1:{port}"));
    let (code, stdout, stderr) = tool("linkup-export", &url, &[]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&stdout).len(), 25);

    for args in [vec!["138", "extra"], vec!["--port", "x"], vec!["--verbose"]] {
        let (code, stdout, stderr) = run(example("fake_server").args(&args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 2, "{stderr}");
        assert!(stderr.ends_with("see `fake_server --help`\n"), "{stderr}");
    }
}

/// `fake_server` with these arguments, and the base URL it printed.
fn fake_server(args: &[&str]) -> (std::process::Child, String) {
    let mut server = example("fake_server")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("LINKUP_BASE_URL=")
        .unwrap()
        .to_owned();
    (server, url)
}

#[test]
fn fake_server_stands_in_for_a_day_the_same_ids_failures_on_demand_and_a_log() {
    let log = journal_path("fake-server-log").with_extension("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let l = log.to_str().unwrap();
    let args = ["30", "--seed", "7", "--fail", "402:every=5", "--log", l];
    let (mut server, url) = fake_server(&args);
    let (code, first, stderr) = tool("linkup-export", &url, &[]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = tool("linkup-export", &url, &[]);
    assert_eq!(code, 1, "the fifth request is refused: {stderr}");
    assert!(
        stderr.contains("insufficient credits (HTTP 402)"),
        "{stderr}"
    );
    server.kill().unwrap();
    server.wait().unwrap();
    let logged: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let statuses: Vec<u64> = logged
        .iter()
        .map(|l| l["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 200, 200, 200, 402], "{logged:?}");
    assert!(logged.iter().all(|l| l["withdrew"] == false));
    let (mut server, url) = fake_server(&["30", "--seed", "7"]);
    let (code, again, stderr) = tool("linkup-export", &url, &[]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ids(&first), ids(&again), "the same ids at every start");
    assert_eq!(ids(&first).len(), 30);
    // New invitations while it runs: 600 a minute is one every 100 ms.
    let (mut server, url) = fake_server(&["5", "--arrive", "600"]);
    std::thread::sleep(std::time::Duration::from_millis(450));
    let (code, grown, stderr) = tool("linkup-export", &url, &[]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert!(ids(&grown).len() >= 8, "{}", ids(&grown).len());
    for spec in [
        "402",
        "404:every=2",
        "hang-up:p=2",
        "503:every=0",
        "429:sometimes",
    ] {
        let (code, _, stderr) = run(example("fake_server").args(["--fail", spec]));
        assert_eq!(code, 2, "{spec}: {stderr}");
        assert!(stderr.contains("KIND:every=K or KIND:p=P"), "{stderr}");
    }
    let _ = std::fs::remove_file(&log);
}

// ---------------------------------------------------------------------------------------------
// Other people's text: names that try to run, break rows or drive the terminal
// ---------------------------------------------------------------------------------------------

/// Names other LinkedIn users could give themselves, each trying something.
const HOSTILE: [&str; 12] = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1 555 0100",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTabbed",
    "\rCarriage",
    "Line\nBreak",
    "Erase \u{1b}[2K\u{1b}[1A up",
    "Link \u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7}",
    "Bidi \u{202e}gnp.exe",
    "Tab\tinside, and \"quotes\"",
    "Ümlaut Öl",
];

/// A v1 account whose 12 pending invitations, 30 to 41 days old, carry hostile names,
/// headlines and notes.
fn hostile_account() -> (support::RawServer, Vec<u64>) {
    let newest = now_ms() - 30 * 86_400_000;
    let ids: Vec<u64> = (0..12u64)
        .map(|n| sent_id(newest - n * 86_400_000, n + 1))
        .collect();
    let invitations: Vec<serde_json::Value> = ids
        .iter()
        .zip(HOSTILE)
        .map(|(id, name)| {
            serde_json::json!({"name": name, "invitation_id": id, "subtitle": name,
                "message": name, "invitation_state": "PENDING", "invitation_type": "CONNECTION",
                "profile_url": format!("https://www.linkedin.com/in/{id}")})
        })
        .collect();
    let server = support::RawServer::start(move |_, request| {
        let asked: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let page = asked["start_page"].as_u64().unwrap_or(1).max(1) as usize;
        let on_page: Vec<&serde_json::Value> =
            invitations.iter().skip((page - 1) * 10).take(10).collect();
        let body = serde_json::json!({"status": "success", "data": {
            "total_results": on_page.len(), "total_available_results": 12,
            "invitations": on_page, "pagination": {"start_page": page, "end_page": page,
                "results_per_page": 10, "pages_fetched": 1}}});
        support::Action::Write(support::http_response(200, "", body.to_string().as_bytes()))
    });
    (server, ids)
}

/// Whether `text` holds a control character other than the ones named, or a bidi override.
fn hostile_char(text: &str, allowed: &[char]) -> Option<char> {
    text.chars().find(|c| {
        (c.is_control() && !allowed.contains(c))
            || matches!(*c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}')
            || matches!(*c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
    })
}

#[test]
fn a_server_s_message_cannot_reorder_or_hide_an_error_line() {
    // A refusal whose message holds bidirectional overrides, isolates and zero-width spaces.
    let hostile = "not\u{202E}gnidnep \u{2066}x\u{2069} \u{200B}zero \u{FEFF}bom \u{061C}";
    let body = serde_json::json!({"status": "error", "message": hostile}).to_string();
    for tool_name in ["linkup-export", "linkup-stale"] {
        let fake = FakeApi::start(25);
        fake.fail(1, FakeFailure::reply(400, body.clone()));
        let (code, _, stderr) = tool(tool_name, &fake.base_url(), &[]);
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains("request refused (HTTP 400): not"),
            "{stderr}"
        );
        assert_eq!(
            hostile_char(&stderr, &['\n']),
            None,
            "{tool_name}: {stderr:?}"
        );
    }
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_neutralised_as_owasp_recommends() {
    let (server, ids) = hostile_account();
    let (code, stdout, stderr) = tool("linkup-export", &server.base_url(), &["--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    let rows = csv_rows(&stdout);
    assert_eq!(rows.len(), 12, "one row per invitation");
    for ((row, id), name) in rows.iter().zip(&ids).zip(HOSTILE) {
        assert_eq!(row.len(), 12, "{row:?}");
        assert_eq!(row[0], id.to_string());
        for cell in [&row[1], &row[3], &row[9]] {
            // OWASP: no cell begins with = + - @ tab or carriage return; a single quote first.
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
            if name.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                assert!(cell.starts_with('\''), "{cell:?}");
            }
            // No control character but a line break inside the quotes: the format's own.
            assert_eq!(hostile_char(cell, &['\n']), None, "{cell:?}");
        }
    }
    // Every cell is quoted, quotes doubled (RFC 4180).
    let line = stdout.lines().nth(1).unwrap();
    assert!(
        line.starts_with(&format!("\"{}\",\"'=HYPERLINK(\"\"http", ids[0])),
        "{line}"
    );
}

#[test]
fn the_stale_list_keeps_one_row_per_invitation_and_no_escape_reaches_the_terminal() {
    let (server, ids) = hostile_account();
    let (code, stdout, stderr) = tool("linkup-stale", &server.base_url(), &["--days", "21"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 13, "a header and 12 rows:\n{stdout}");
    for line in &lines {
        assert_eq!(line.split('\t').count(), 5, "{line:?}");
        assert_eq!(hostile_char(line, &['\t']), None, "{line:?}");
    }
    // Oldest first, each name shown, visibly where it held what a terminal would run.
    let row = |id: u64| lines.iter().find(|l| l.contains(&id.to_string())).unwrap();
    assert!(row(ids[7]).contains("Erase ␛[2K␛[1A up"), "{}", row(ids[7]));
    assert!(row(ids[6]).contains("Line␊Break"), "{}", row(ids[6]));
    assert!(row(ids[0]).contains("\t'=HYPERLINK("), "{}", row(ids[0]));
    assert_eq!(hostile_char(&stderr, &['\n']), None, "{stderr:?}");
}

#[test]
fn the_list_shown_before_withdrawing_cannot_move_the_cursor_or_hide_entries() {
    // On a real terminal (a pty from script(1)), answered "n".
    let (server, _) = hostile_account();
    let dir = std::env::temp_dir().join(format!("linkup-pty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stale = example("linkup-stale");
    let command = format!(
        "{} --base-url {} --requests-per-minute 0 --days 21 --withdraw --quiet",
        stale.get_program().to_string_lossy(),
        server.base_url()
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .envs(stale.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script(1), from util-linux");
    std::thread::sleep(std::time::Duration::from_millis(500));
    use std::io::Write as _;
    child.stdin.as_mut().unwrap().write_all(b"n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(shown.contains("withdraw 12 invitations? [y/N]"), "{shown}");
    // Every name is there, on a line of its own, and nothing a terminal would act on.
    assert_eq!(hostile_char(&shown, &['\n', '\r']), None, "{shown:?}");
    assert!(
        shown.contains("Link ␛]8;;http://evil.example␇click"),
        "{shown}"
    );
    assert!(shown.contains("nothing withdrawn"), "{shown}");
    let withdrawals = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.head.contains("withdraw"))
        .count();
    assert_eq!(withdrawals, 0);
}

#[test]
fn json_lines_give_every_reader_the_exact_id() {
    let (server, ids) = hostile_account();
    let (code, stdout, stderr) = tool("linkup-export", &server.base_url(), &[]);
    assert_eq!(code, 0, "{stderr}");
    // Shown on a terminal, the lines move nothing (every control or invisible character is
    // escaped, as JSON allows), and read back, every name is exactly what LinkedIn had.
    assert_eq!(hostile_char(&stdout, &['\n']), None, "{stdout:?}");
    for ((line, id), name) in stdout.lines().zip(&ids).zip(HOSTILE) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(value["invitation_id"], id.to_string());
        assert_eq!(value["name"], name);
    }
    // jq 1.6 reads JSON numbers as doubles: a string keeps every digit.
    let Ok(mut jq) = Command::new("jq")
        .arg("-r")
        .arg(".invitation_id")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("jq is not installed: checked with serde_json only");
        return;
    };
    use std::io::Write as _;
    jq.stdin
        .take()
        .unwrap()
        .write_all(stdout.as_bytes())
        .unwrap();
    let read = String::from_utf8(jq.wait_with_output().unwrap().stdout).unwrap();
    let read: Vec<u64> = read.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(read, ids);
}

// ---------------------------------------------------------------------------------------------
// Advice that never loses or repeats a row
// ---------------------------------------------------------------------------------------------

/// The `--resume` token a stopped run printed.
fn resume_token(stderr: &str) -> String {
    let at = stderr.rfind("--resume ").expect("a resume token") + "--resume ".len();
    stderr[at..].split_whitespace().next().unwrap().to_owned()
}

#[test]
fn a_budget_stop_gives_a_resume_token_and_no_after_id_and_the_chain_names_the_newest() {
    let fake = FakeApi::start(45);
    let (code, first, stderr) = tool("linkup-export", &fake.base_url(), &["--max-credits", "2"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        !stderr.contains("--after-id"),
        "no hint after a budget stop: {stderr}"
    );
    let token = resume_token(&stderr);
    assert!(
        token.contains(&format!(",newest={}", fake.invitation_id(0))),
        "{token}"
    );
    // Resumed twice: the hint names the newest of the whole export, not of the last part.
    let (code, second, stderr) = tool(
        "linkup-export",
        &fake.base_url(),
        &["--max-credits", "1", "--resume", &token],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(!stderr.contains("--after-id"), "{stderr}");
    let (code, third, stderr) = tool(
        "linkup-export",
        &fake.base_url(),
        &["--resume", &resume_token(&stderr)],
    );
    assert_eq!(code, 0, "{stderr}");
    let newest = fake.invitation_id(0);
    assert!(
        stderr.ends_with(&format!(
            "newest id: {newest}; next time pass --after-id {newest}\n"
        )),
        "{stderr}"
    );
    let all: Vec<u64> = [first, second, third].iter().flat_map(|o| ids(o)).collect();
    let expected: Vec<u64> = (0..45).map(|n| fake.invitation_id(n)).collect();
    assert_eq!(all, expected, "every row once, in order");
    // Following the hint: one credit, no row again.
    let charged = fake.credits_charged();
    let (code, again, stderr) = tool(
        "linkup-export",
        &fake.base_url(),
        &["--after-id", &newest.to_string()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(again.is_empty(), "{again}");
    assert_eq!(fake.credits_charged() - charged, 1);
}

#[test]
fn an_incremental_export_stopped_by_its_budget_resumes_to_its_after_id() {
    let fake = FakeApi::start(60);
    let after = fake.invitation_id(35); // 35 invitations newer than the last run's newest
    let (code, first, stderr) = tool(
        "linkup-export",
        &fake.base_url(),
        &["--after-id", &after.to_string(), "--max-credits", "2"],
    );
    assert_eq!(code, 3, "{stderr}");
    let token = resume_token(&stderr);
    assert!(token.ends_with(&format!(",after={after}")), "{token}");
    let (code, rest, stderr) = tool("linkup-export", &fake.base_url(), &["--resume", &token]);
    assert_eq!(code, 0, "{stderr}");
    let all: Vec<u64> = ids(&first).into_iter().chain(ids(&rest)).collect();
    assert_eq!(
        all,
        (0..35).map(|n| fake.invitation_id(n)).collect::<Vec<_>>()
    );
    assert!(
        stderr.contains(&format!("--after-id {}", fake.invitation_id(0))),
        "{stderr}"
    );
}

#[test]
fn a_closed_output_is_an_error_with_no_after_id() {
    let fake = FakeApi::start(40);
    let mut export = example("linkup-export")
        .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `export | head -1`: one line read, then the pipe closed.
    let mut out = std::io::BufReader::new(export.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    drop(out);
    let done = export.wait_with_output().unwrap();
    let stderr = String::from_utf8(done.stderr).unwrap();
    assert_eq!(done.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("--after-id"), "{stderr}");
    assert!(
        stderr.contains("stopped: the output was closed after"),
        "{stderr}"
    );
}

/// `linkup-export | head -1`: the reader leaves after the first page, and the export sees it
/// before paying for the second (while pacing waits anyway), so a closed pipe costs no page.
#[test]
fn a_reader_that_left_costs_no_further_page() {
    let fake = FakeApi::start(40);
    let mut export = example("linkup-export")
        .args([
            "--base-url",
            &fake.base_url(),
            "--requests-per-minute",
            "300",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // As `head -1` does: it reads what came (the whole first page), shows a line, and exits.
    let mut out = std::io::BufReader::new(export.stdout.take().unwrap());
    let mut line = String::new();
    for _ in 0..10 {
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    }
    drop(out);
    let done = export.wait_with_output().unwrap();
    let stderr = String::from_utf8(done.stderr).unwrap();
    assert_eq!(done.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stopped: the output was closed after 10 invitations"),
        "{stderr}"
    );
    assert_eq!(fake.requests().len(), 1, "{stderr}");
    assert_eq!(fake.credits_charged(), 1);
}

#[test]
fn a_resume_point_that_cannot_be_real_sends_nothing_and_one_that_matches_nothing_says_so() {
    let fake = FakeApi::start(20);
    for point in [
        "v1:newest:0:0:0",
        "v1:newest:7329176687475109888:42949672950000:-",
        "v1:newest:7329176687475109888:59:30",
        "v1:newest:7329176687475109888:59:138:extra",
    ] {
        let (code, stdout, stderr) = tool("linkup-export", &fake.base_url(), &["--resume", point]);
        assert_eq!(code, 2, "{point}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 2, "{stderr}");
    }
    assert!(fake.requests().is_empty(), "nothing sent");
    // The README's own sample point, in an account whose invitations are all newer: real,
    // but it matches nothing.
    let (code, stdout, stderr) = tool(
        "linkup-export",
        &fake.base_url(),
        &["--resume", "v1:newest:7329176687475109888:5:20"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("the resume point matched nothing"),
        "{stderr}"
    );
}

#[test]
fn a_resume_point_of_the_other_tool_is_refused_in_the_tools_words() {
    let fake = FakeApi::start(50);
    let (code, _, stderr) = tool(
        "linkup-stale",
        &fake.base_url(),
        &["--days", "0", "--max-credits", "2"],
    );
    assert_eq!(code, 3, "{stderr}");
    let token = resume_token(&stderr);
    let (code, _, stderr) = tool("linkup-export", &fake.base_url(), &["--resume", &token]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("resume it with linkup-stale"), "{stderr}");
    let (code, _, stderr) = tool(
        "linkup-stale",
        &fake.base_url(),
        &["--resume", &token, "--account", "acct-1"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("(--login-token is v1, --account v2)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("::") && !stderr.contains(".oldest_first()"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Small things a user met
// ---------------------------------------------------------------------------------------------

#[test]
fn stale_says_each_withdrawal_as_it_goes_and_the_v1_blind_spot_once() {
    let fake = FakeApi::start(1000);
    let journal = journal_path("progress");
    let (code, _, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "3"]);
    assert_eq!(code, 0, "{stderr}");
    for k in 1..=3 {
        assert!(
            stderr.contains(&format!(
                "withdrawal {k} of 3: withdrawn; withdrawals {k} credit"
            )),
            "{stderr}"
        );
    }
    assert_eq!(stderr.matches("blind spot").count(), 1, "{stderr}");
    let (code, _, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "1", "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "--quiet: {stderr}");
    let (_, _, stderr) = withdraw(
        &fake,
        &journal,
        &["--max-withdrawals", "1", "--account", "a-1"],
    );
    assert!(!stderr.contains("blind spot"), "v2 has none: {stderr}");
    let _ = std::fs::remove_file(&journal);
}

#[test]
fn a_journal_that_is_no_regular_file_is_refused_before_the_listing_is_paid() {
    let fake = FakeApi::start(100);
    let fifo = std::env::temp_dir().join(format!("linkup-fifo-{}", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success();
    let mut paths = vec![
        "/dev/full".to_owned(),
        "/dev/zero".to_owned(),
        "/dev/null".to_owned(),
    ];
    paths.push(std::env::temp_dir().to_string_lossy().into_owned());
    if made {
        paths.push(fifo.to_string_lossy().into_owned());
    }
    for path in &paths {
        let (code, _, stderr) = tool(
            "linkup-stale",
            &fake.base_url(),
            &["--days", DAYS, "--withdraw", "--yes", "--journal", path],
        );
        assert_eq!(code, 2, "{path}: {stderr}");
        assert!(stderr.contains("is not a regular file"), "{path}: {stderr}");
    }
    let _ = std::fs::remove_file(&fifo);
    assert!(fake.requests().is_empty(), "nothing paid");
}

#[test]
fn connect_account_prints_a_line_a_shell_can_eval_whatever_the_id_holds() {
    let id = "acc_'$(touch /tmp/linkup-pwned)'\"`id`\"";
    let body = serde_json::json!({"success": true, "data": {"account_id": id}}).to_string();
    let server = support::RawServer::start(move |_, _| {
        support::Action::Write(support::http_response(200, "", body.as_bytes()))
    });
    let (code, stdout, stderr) = tool("linkup-export", &server.base_url(), &["--connect-account"]);
    assert_eq!(code, 0, "{stderr}");
    let script = "eval \"$1\"; printf %s \"$LINKUP_ACCOUNT_ID\"";
    let out = Command::new("sh")
        .args(["-c", script, "sh", stdout.trim()])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), id);
    assert!(!std::path::Path::new("/tmp/linkup-pwned").exists());
}

// ---------------------------------------------------------------------------------------------
// Behind a proxy that re-signs TLS: --cacert, against a real TLS server (openssl s_server)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_tools_trust_the_ca_of_cacert_and_name_themselves_in_the_user_agent() {
    use support::tls::{closing_reply, Pki, TlsServer};
    let pki = Pki::new("Example Corp Inspection CA");
    let page = support::fixture("documented-sample-page.json");
    let server = TlsServer::start(&pki, closing_reply(200, page.as_bytes()));
    let ca = pki.ca_path();
    let ca = ca.to_str().unwrap();
    // Given more than once, the files add up, as the library's calls do.
    let other = Pki::new("Some Other CA");
    let other = other.ca_path();
    let other = other.to_str().unwrap();
    let (code, stdout, stderr) = tool(
        "linkup-export",
        &server.base_url(),
        &[
            "--cacert",
            other,
            "--cacert",
            ca,
            "--max-credits",
            "1",
            "--timeout",
            "10",
        ],
    );
    assert_eq!(ids(&stdout), [7329176687475109888], "exit {code}: {stderr}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{stderr}");
    let head = String::from_utf8_lossy(&requests[0]).to_ascii_lowercase();
    let agent = format!(
        "user-agent: linkup-export linkup-sent-invitations/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(head.contains(&agent), "{head}");

    // Without it: the certificate is refused, nothing sent, and the advice names the flag.
    for name in ["linkup-export", "linkup-stale"] {
        let (code, _, stderr) = tool(name, &server.base_url(), &["--timeout", "10"]);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("UnknownIssuer"), "{stderr}");
        assert!(
            stderr.contains("trust that CA with --cacert FILE"),
            "{stderr}"
        );
        assert!(!stderr.contains("Config::"), "the tools' words: {stderr}");
    }
    assert_eq!(server.requests().len(), 1, "nothing more was sent");
}

#[test]
fn a_cacert_that_holds_no_certificate_exits_2_before_anything_is_sent() {
    use support::tls::Pki;
    let server = support::RawServer::start(|_, _| {
        support::Action::Write(support::http_response(200, "", b"{}"))
    });
    let pki = Pki::new("Example Corp Inspection CA");
    let dir = support::tls::TempDir::new("cacert");
    let key = dir.0.join("server.key");
    std::fs::write(&key, pki.server_key_pem()).unwrap();
    let missing = dir.0.join("missing.pem");
    let ca = dir.0.join("ca.pem");
    std::fs::write(&ca, pki.ca_pem()).unwrap();
    let (key, missing, ca) = (
        key.to_str().unwrap(),
        missing.to_str().unwrap(),
        ca.to_str().unwrap(),
    );
    let holds_a_key = format!("--cacert {key} holds a private key and no certificate");
    let mut cases = vec![
        (vec![key], holds_a_key.clone()),
        (vec![missing], format!("--cacert {missing}: cannot read it")),
        // A bad file among good ones is named, whatever its place.
        (vec![ca, key], holds_a_key.clone()),
        (vec![key, ca], holds_a_key),
    ];
    let fifo = dir.0.join("fifo.pem");
    if cfg!(unix) {
        // A device that never ends is not read, nor a FIFO that no one writes (its open would
        // block for ever), nor a folder.
        let not_a_file = |path: &str| format!("--cacert {path}: not a regular file");
        cases.push((vec!["/dev/zero"], not_a_file("/dev/zero")));
        let made = Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let fifo = fifo.to_str().unwrap();
        cases.push((vec![ca, fifo], not_a_file(fifo)));
        let folder = dir.0.to_str().unwrap();
        cases.push((vec![folder], not_a_file(folder)));
    }
    for (files, says) in &cases {
        let args: Vec<&str> = files.iter().flat_map(|file| ["--cacert", file]).collect();
        for name in ["linkup-export", "linkup-stale"] {
            let (code, _, stderr) = tool(name, &server.base_url(), &args);
            assert_eq!(code, 2, "{files:?}: {stderr}");
            assert!(stderr.contains(says.as_str()), "{files:?}: {stderr}");
            assert!(!stderr.contains("Config::"), "{stderr}");
        }
    }
    // The files are read once every flag is in: --help after a bad one still helps.
    for name in ["linkup-export", "linkup-stale"] {
        let (code, stdout, stderr) =
            tool(name, &server.base_url(), &["--cacert", missing, "--help"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("--cacert FILE"), "{stdout}");
    }
    assert_eq!(server.request_count(), 0);
}

/// A full disk in the middle of a journal line: the run stops, the piece it wrote is cut back
/// off (a later line would join it, and the journal could not be read again), and the next
/// run reads the journal and sends nothing twice.
#[cfg(unix)]
#[test]
fn a_journal_write_cut_short_by_a_full_disk_is_undone_and_the_next_run_goes_on() {
    let fake = FakeApi::start(1000);
    let journal = journal_path("full-disk");
    let path = journal.to_str().unwrap();
    // Files may grow to one block of 512 bytes, about five journal lines: the write that
    // crosses it is cut short, as on a full disk. SIGXFSZ is ignored, so the write fails
    // instead of killing the run.
    let (code, _, stderr) = run(Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_linkup-stale"))
        .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"])
        .args([
            "--days",
            DAYS,
            "--withdraw",
            "--yes",
            "--withdraw-interval",
            "0",
        ])
        .args(["--journal", path, "--max-withdrawals", "10"])
        .env_remove("LINKUP_BASE_URL")
        .env_remove("LINKUP_ACCOUNT_ID")
        .env("LINKUP_API_KEY", KEY)
        .env("LINKUP_LOGIN_TOKEN", TOKEN));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot be written"), "{stderr}");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.ends_with('\n') && text.len() <= 512, "{text}");
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect(line);
    }
    let sent = withdrawals(&fake);
    assert!(!sent.is_empty() && sent.len() < 10, "{sent:?}");

    // The next run, with room again: it reads the journal, and goes on.
    let (code, _, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "10"]);
    assert_eq!(code, 0, "{stderr}");
    let sent = withdrawals(&fake);
    let once: HashSet<u64> = sent.iter().copied().collect();
    assert_eq!(once.len(), sent.len(), "each sent once: {sent:?}");
    let _ = std::fs::remove_file(&journal);
}

#[test]
fn a_timeout_too_long_for_any_clock_is_no_panic() {
    let fake = FakeApi::start(30);
    for name in ["linkup-export", "linkup-stale"] {
        let (code, _, stderr) = tool(
            name,
            &fake.base_url(),
            &["--timeout", "18446744073709551615", "--max-credits", "1"],
        );
        assert!(matches!(code, 0 | 3), "{name}: {code} {stderr}");
    }
}

/// A real wall clock 2 h behind at the send (a machine before NTP synced), run by
/// libfaketime, and the next run with the clock put right: the boot clock says seconds
/// passed, not 2 h, so the withdrawal whose answer was lost is not sent again early, though
/// the lagging list still shows it pending.
#[cfg(target_os = "linux")]
#[test]
fn a_clock_put_right_between_two_runs_sends_no_unknown_withdrawal_again_early() {
    let available = Command::new("faketime")
        .args(["-f", "-2h", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        eprintln!("faketime is not installed (apt-get install faketime): .ci/run installs it");
        return;
    }
    let fake = FakeApi::start(1000);
    fake.lag_withdrawals(1_000);
    let stale = the_stale(&fake);
    fake.fail_withdraw(stale[0], FakeFailure::hang_up()); // done, and the answer lost
    let journal = journal_path("clock-step");
    let path = journal.to_str().unwrap();
    let args = [
        "--days",
        DAYS,
        "--withdraw",
        "--yes",
        "--withdraw-interval",
        "0",
        "--journal",
        path,
        "--max-withdrawals",
        "1",
        "--base-url",
    ];
    let behind = example("linkup-stale");
    let out = Command::new("faketime")
        .args(["-f", "-2h"])
        .arg(behind.get_program())
        .args(args)
        .arg(fake.base_url())
        .args(["--requests-per-minute", "0"])
        .envs(behind.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        results(&stdout),
        [(stale[0], "unknown".to_owned())],
        "{out:?}"
    );
    // The clock put right: 2 h later by the wall clock, at once by the boot clock.
    let (_, stdout, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "1"]);
    assert_eq!(
        withdrawals(&fake)
            .iter()
            .filter(|id| **id == stale[0])
            .count(),
        1,
        "sent again at once: {stdout}{stderr}"
    );
    assert!(stderr.contains("still unsettled"), "{stderr}");
    let _ = std::fs::remove_file(&journal);
}

/// Unknown withdrawals may have been charged: --max-credits counts them, so lost answers
/// never overrun it (once, 2 with lost answers counted 0, and the server charged 2 more than
/// the budget).
#[test]
fn the_budget_counts_an_unknown_withdrawal_as_possibly_charged() {
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);
    // The 1st and 3rd answers lost (done, and charged, with no word of it).
    fake.fail_withdraw(stale[0], FakeFailure::hang_up())
        .fail_withdraw(stale[2], FakeFailure::hang_up());
    let journal = journal_path("possibly");
    // 11 for the listing leaves 3.
    let (code, stdout, stderr) = withdraw(
        &fake,
        &journal,
        &["--max-credits", "14", "--max-withdrawals", "95"],
    );
    assert_eq!(code, 3, "{stderr}");
    let results = results(&stdout);
    assert_eq!(results.len(), 3, "{stdout}");
    assert_eq!(
        fake.credits_charged(),
        14,
        "never over the budget: {stderr}"
    );
    assert!(stderr.contains("stopped at the credit budget"), "{stderr}");
    assert!(
        stderr.contains("withdrawals 3 credits, 2 of them possibly"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(&journal);
}

/// An invitation the listing gives but no withdrawal can take (id 0): its own line, skipped;
/// the others are withdrawn (once, it stopped the run for the whole account).
#[test]
fn an_invitation_no_withdrawal_can_take_is_skipped_and_the_sweep_goes_on() {
    let old = now_ms() - 40 * 86_400_000;
    let ids = [0, sent_id(old, 1), sent_id(old - 86_400_000, 2)];
    let server = support::RawServer::start(move |_, request| {
        let body = if request.head.contains("withdraw-invitation") {
            serde_json::json!({"status": "success", "message": "withdrawn"})
        } else {
            // Newest first: the two real ones, then the one with id 0 (which carries no time).
            let invitations: Vec<serde_json::Value> = [ids[1], ids[2], ids[0]]
                .iter()
                .map(|id| {
                    serde_json::json!({"name": "N", "invitation_id": id,
                    "invitation_state": "PENDING", "sent_time": "Sent 1 month ago"})
                })
                .collect();
            serde_json::json!({"status": "success", "data": {"total_results": 3,
                "total_available_results": 3, "invitations": invitations,
                "pagination": {"start_page": 1, "end_page": 1, "results_per_page": 10}}})
        };
        support::Action::Write(support::http_response(200, "", body.to_string().as_bytes()))
    });
    let journal = journal_path("id-zero");
    let path = journal.to_str().unwrap();
    let args = [
        "--days",
        "21",
        "--withdraw",
        "--yes",
        "--withdraw-interval",
        "0",
    ];
    let (code, stdout, stderr) = tool(
        "linkup-stale",
        &server.base_url(),
        &[&args[..], &["--journal", path]].concat(),
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("0\t") && l.contains("skipped: ")),
        "{stdout}{stderr}"
    );
    let withdrawn = lines.iter().filter(|l| l.ends_with("\twithdrawn")).count();
    assert_eq!(withdrawn, 2, "{stdout}{stderr}");
    assert!(!stderr.contains("stopped"), "{stderr}");
    assert_eq!(code, 1, "not all withdrawn: {stderr}");
    let _ = std::fs::remove_file(&journal);
}

/// v1 charges a rate limit too: the retries of a withdrawal stay within what --max-credits
/// leaves (an outside trial spent 4 credits against a budget of 2 through two 429 retries).
#[test]
fn the_retries_of_a_withdrawal_stay_within_the_budget() {
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);
    fake.fail_withdraw(stale[0], FakeFailure::rate_limited(0))
        .fail_withdraw(stale[0], FakeFailure::rate_limited(0));
    // 11 for the listing leaves 2: one attempt and one retry.
    let (code, _, stderr) = withdraw(
        &fake,
        &journal_path("budget-retries"),
        &["--max-credits", "13", "--max-withdrawals", "95"],
    );
    assert_ne!(code, 0, "{stderr}");
    assert_eq!(fake.credits_charged(), 13, "{stderr}");
    let _ = std::fs::remove_file(journal_path("budget-retries"));
}

/// A key or token given to the wrong flag is never shown back in the mistake's line.
#[test]
fn a_secret_given_to_the_wrong_flag_is_not_shown_back() {
    let secret = "sk_live_SECRET_0123456789abcdef";
    for (tool_name, flag) in [
        ("linkup-stale", "--days"),
        ("linkup-stale", "--format"),
        ("linkup-export", "--max-credits"),
        ("linkup-export", "--type"),
        ("linkup-export", "--country"),
        ("linkup-export", "--resume"),
        ("linkup-export", "--format"),
    ] {
        let (code, _, stderr) = tool(tool_name, "http://127.0.0.1:9", &[flag, secret]);
        assert_eq!(code, 2, "{tool_name} {flag}: {stderr}");
        assert!(!stderr.contains("SECRET"), "{tool_name} {flag}: {stderr}");
        assert!(
            stderr.contains("a value of 31 characters"),
            "{tool_name} {flag}: {stderr}"
        );
    }
    // A short mistake is still shown, as it helps.
    let (_, _, stderr) = tool("linkup-stale", "http://127.0.0.1:9", &["--days", "abc"]);
    assert!(stderr.contains("got \"abc\""), "{stderr}");
}

/// A journal whose last line was whole but for its newline (a run stopped between the two
/// writes): the next open ends it, and a later write cut short by a full disk is undone back to
/// just after that newline, so the lines stay apart and the journal opens again.
#[cfg(unix)]
#[test]
fn a_last_line_ended_on_open_survives_a_later_write_cut_short() {
    let fake = FakeApi::start(1000);
    let journal = journal_path("newline-then-full");
    let path = journal.to_str().unwrap();
    let line = r#"{"at":"2026-11-26T09:00:01.250Z","invitation_id":"1","event":"gone"}"#;
    std::fs::write(&journal, line).unwrap();
    let (code, _, stderr) = run(Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_linkup-stale"))
        .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"])
        .args([
            "--days",
            DAYS,
            "--withdraw",
            "--yes",
            "--withdraw-interval",
            "0",
        ])
        .args(["--journal", path, "--max-withdrawals", "10"])
        .env_remove("LINKUP_BASE_URL")
        .env_remove("LINKUP_ACCOUNT_ID")
        .env("LINKUP_API_KEY", KEY)
        .env("LINKUP_LOGIN_TOKEN", TOKEN));
    assert_eq!(code, 1, "{stderr}");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.starts_with(&format!("{line}\n")), "{text}");
    for written in text.lines() {
        serde_json::from_str::<serde_json::Value>(written).expect(written);
    }
    let (code, _, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "1"]);
    assert_eq!(code, 0, "the journal opens again: {stderr}");
    let _ = std::fs::remove_file(&journal);
}

// ---------------------------------------------------------------------------------------------
// --output: a state that survives any stop
// ---------------------------------------------------------------------------------------------

/// How an export run ends, in the property below.
#[derive(Clone, Copy, Debug)]
enum Stop {
    /// Runs to the end.
    Whole,
    /// `--max-credits N`.
    Budget(u64),
    /// `kill -9` after so many milliseconds.
    Kill(u64),
    /// SIGINT or SIGTERM after so many milliseconds.
    Signal(&'static str, u64),
}

/// One `linkup-export --output FILE` run against `fake`, ended as `stop` says.
fn export_run(fake: &FakeApi, file: &std::path::Path, stop: Stop) -> (i32, String) {
    let mut command = example("linkup-export");
    command
        .args([
            "--base-url",
            &fake.base_url(),
            "--requests-per-minute",
            "3000",
        ])
        .args([
            "--output",
            file.to_str().unwrap(),
            "--quiet",
            "--summary",
            "json",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    if let Stop::Budget(credits) = stop {
        command.args(["--max-credits", &credits.to_string()]);
    }
    let child = command.spawn().unwrap();
    match stop {
        Stop::Kill(ms) | Stop::Signal(_, ms) => {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            let signal = match stop {
                Stop::Signal(signal, _) => signal,
                _ => "KILL",
            };
            let _ = Command::new("kill")
                .args([&format!("-{signal}"), &child.id().to_string()])
                .status();
        }
        Stop::Whole | Stop::Budget(_) => {}
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CSV_HEADER_START: &str = "invitation_id,name,profile_url,";

/// The ids of an export file, CSV or JSON Lines.
pub(crate) fn exported_ids(file: &std::path::Path) -> Vec<u64> {
    let text = std::fs::read_to_string(file).unwrap();
    if file.extension().is_some_and(|e| e == "csv") {
        assert!(text.starts_with(CSV_HEADER_START), "the header first");
        assert_eq!(text.matches(CSV_HEADER_START).count(), 1, "the header once");
        // (The reader takes the header as such.)
        let rows = csv_rows(&text);
        rows.iter().map(|row| row[0].parse().unwrap()).collect()
    } else {
        ids(&text)
    }
}

/// Every invitation the fake lists now, by a walk of its own.
pub(crate) fn all_ids(fake: &FakeApi) -> HashSet<u64> {
    let config = linkup_sent_invitations::Config::new(KEY)
        .base_url(fake.base_url())
        .requests_per_minute(0);
    linkup_sent_invitations::Paginator::new(&config, linkup_sent_invitations::Params::new(TOKEN))
        .items()
        .map(|i| i.unwrap().invitation_id)
        .collect()
}

/// Daily exports to one file, over a list that grows between runs, each run stopped at random
/// (the budget, SIGINT, SIGTERM, kill -9 at any instant) or whole: the file ends holding every
/// invitation of the list once, the header once, and each run learnt where to go on from the
/// file's state, not from what it printed.
#[cfg(unix)]
#[test]
fn exports_to_one_file_stopped_any_way_hold_every_invitation_once() {
    let seeds: Vec<u64> = match std::env::var("LINKUP_EXPORT_SEED") {
        Ok(seed) => vec![seed.parse().unwrap()],
        Err(_) => (1..=16).collect(),
    };
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = seeds
            .iter()
            .map(|&seed| scope.spawn(move || export_seed(seed).err()))
            .collect();
        runs.into_iter().filter_map(|r| r.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn export_seed(seed: u64) -> Result<(), String> {
    // splitmix64, the simulations' own.
    let mut state = seed;
    let mut next = move |below: u64| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below.max(1)
    };
    let fake = FakeApi::start(80 + next(120));
    let extension = if next(2) == 0 { "csv" } else { "jsonl" };
    let file = std::env::temp_dir().join(format!(
        "linkup-export-{}-{seed}.{extension}",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(file.with_extension(format!("{extension}.state")));
    let mut trace = Vec::new();
    for run in 0..(3 + next(4)) {
        let stop = match next(6) {
            0 => Stop::Whole,
            1 => Stop::Budget(1 + next(6)),
            2 => Stop::Signal("INT", next(300)),
            3 => Stop::Signal("TERM", next(300)),
            _ => Stop::Kill(next(400)),
        };
        let (code, stderr) = export_run(&fake, &file, stop);
        trace.push(format!("run {run}: {stop:?} -> {code}"));
        if ![0, 3, 130, -1, 143].contains(&code) {
            return Err(format!("seed {seed}: {trace:?}: {stderr}"));
        }
        // Now and then a crash after a page's rows were written and before they were
        // committed: rows past the state's length (a whole one, again, and one cut short).
        if next(3) == 0 {
            if let Some(last) = std::fs::read_to_string(&file)
                .ok()
                .and_then(|text| text.lines().last().map(str::to_owned))
            {
                use std::io::Write as _;
                let mut appended = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&file)
                    .unwrap();
                write!(appended, "{last}\n{}", &last[..last.len() / 2]).unwrap();
                trace.push("rows written past the commit".into());
            }
        }
        // People are invited between the runs.
        let arrivals = next(25);
        fake.arrive(arrivals);
        trace.push(format!("{arrivals} arrived"));
    }
    // Calm runs, to the end: the first ends the chain a stopped run began, the second
    // fetches what arrived meanwhile (as the next day's would), and finds nothing more.
    for calm in 0..3 {
        let (code, stderr) = export_run(&fake, &file, Stop::Whole);
        if code != 0 {
            return Err(format!("seed {seed}: calm run {calm}: {code} {stderr}"));
        }
        if calm == 2 && !stderr.contains(r#""rows":0"#) {
            return Err(format!(
                "seed {seed}: a third calm run wrote rows: {stderr}"
            ));
        }
    }
    let written = exported_ids(&file);
    let once: HashSet<u64> = written.iter().copied().collect();
    let result = if once.len() != written.len() {
        Err(format!(
            "seed {seed}: a row twice ({} rows, {} ids): {trace:?}",
            written.len(),
            once.len()
        ))
    } else if once != all_ids(&fake) {
        Err(format!(
            "seed {seed}: the file lacks or has extra invitations: {trace:?}"
        ))
    } else {
        Ok(())
    };
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(file.with_extension(format!("{extension}.state")));
    result.map_err(|e| {
        format!("{e}\nrerun: LINKUP_EXPORT_SEED={seed} cargo test --test it exports_to_one_file")
    })
}

/// Ctrl-C (SIGINT) or SIGTERM during a long export to stdout: the page under way is written
/// whole, and the run says where to go on (exit 130), so nothing is paid for twice.
#[cfg(unix)]
#[test]
fn an_export_interrupted_says_where_to_go_on_and_goes_on_from_there() {
    let fake = FakeApi::start(300);
    for signal in ["INT", "TERM"] {
        let child = example("linkup-export")
            .args([
                "--base-url",
                &fake.base_url(),
                "--requests-per-minute",
                "600",
            ])
            .args(["--summary", "json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{stderr}");
        assert!(stderr.contains("stopped (interrupted)"), "{stderr}");
        assert!(stderr.contains(r#""stop":"interrupted""#), "{stderr}");
        let first = ids(&String::from_utf8_lossy(&out.stdout));
        assert!(
            !first.is_empty() && first.len() < 300 && first.len().is_multiple_of(10),
            "{stderr}"
        );
        let token = resume_token(&stderr);
        let (code, rest, stderr) = tool("linkup-export", &fake.base_url(), &["--resume", &token]);
        assert_eq!(code, 0, "{stderr}");
        let all: Vec<u64> = [first, ids(&rest)].concat();
        let once: HashSet<u64> = all.iter().copied().collect();
        assert_eq!((all.len(), once.len()), (300, 300));
    }
}

/// Ctrl-C (SIGINT) or SIGTERM while withdrawing: nothing is sent after it (the one under way
/// ends and is recorded), the run says so and exits 130, its summary line says `interrupted`,
/// and the next run with the same journal goes on, each invitation once.
#[cfg(unix)]
#[test]
fn an_interrupt_while_withdrawing_sends_nothing_more() {
    let fake = FakeApi::start(1000);
    for signal in ["INT", "TERM"] {
        let journal = journal_path(&format!("interrupted-{signal}"));
        let args = [
            "--days",
            DAYS,
            "--withdraw",
            "--yes",
            "--max-withdrawals",
            "10",
            // 0.2 to 0.6 s between withdrawals: 10 take seconds.
            "--withdraw-interval",
            "0.4",
            "--journal",
            journal.to_str().unwrap(),
            "--summary",
            "json",
        ];
        let before = withdrawals(&fake).len();
        let child = example("linkup-stale")
            .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let waited = std::time::Instant::now();
        while withdrawals(&fake).len() < before + 2 {
            assert!(waited.elapsed().as_secs() < 30, "no withdrawal came");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        let at_signal = withdrawals(&fake).len() - before;
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let sent = withdrawals(&fake).len() - before;
        assert!(
            sent <= at_signal + 1,
            "{sent} sent, {at_signal} at the signal: {stderr}"
        );
        assert_eq!(out.status.code(), Some(130), "{stderr}");
        assert!(stderr.contains("stopped: interrupted"), "{stderr}");
        assert!(stderr.contains(r#""stop":"interrupted""#), "{stderr}");
        let results = results(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(results.len(), sent, "a result line for each sent");
        // The next run goes on: the rest of the 10, none again.
        let (code, _, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "10"]);
        assert_eq!(code, 0, "{stderr}");
        let all = withdrawals(&fake)[before..].to_vec();
        let once: HashSet<u64> = all.iter().copied().collect();
        assert_eq!((all.len(), once.len()), (sent + 10, sent + 10), "{stderr}");
        let _ = std::fs::remove_file(&journal);
    }
}

/// Every run of `linkup-stale` that gets past its flags ends with one `--summary json` line:
/// a dry run, a withdrawal, the daily cap reached.
#[test]
fn stale_ends_every_run_with_a_summary_line() {
    let fake = FakeApi::start(1000);
    let journal = journal_path("summary");
    let summary = |stderr: &str| -> serde_json::Value {
        let last = stderr.lines().last().unwrap_or_default();
        serde_json::from_str(last).unwrap_or_else(|_| panic!("no summary line: {stderr}"))
    };
    let (code, stdout, stderr) = tool(
        "linkup-stale",
        &fake.base_url(),
        &["--days", DAYS, "--summary", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let line = summary(&stderr);
    assert_eq!(line["stop"], "done");
    assert_eq!(line["rows"], stale_rows(&stdout).len() as u64);
    assert_eq!(line["credits"], fake.credits_charged());
    let listed = fake.credits_charged();
    let (code, _, stderr) = withdraw(
        &fake,
        &journal,
        &[
            "--max-withdrawals",
            "3",
            "--max-per-day",
            "3",
            "--summary",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let line = summary(&stderr);
    assert_eq!(
        (
            &line["stop"],
            &line["withdrawn"],
            &line["rows"],
            &line["resume"]
        ),
        (
            &"done".into(),
            &3.into(),
            &3.into(),
            &serde_json::Value::Null
        ),
        "{line}"
    );
    assert_eq!(line["credits"], fake.credits_charged() - listed);
    let (code, _, stderr) = withdraw(
        &fake,
        &journal,
        &["--max-per-day", "3", "--summary", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let line = summary(&stderr);
    assert_eq!(
        (&line["stop"], &line["credits"]),
        (&"daily_cap".into(), &0.into()),
        "{line}"
    );
    let _ = std::fs::remove_file(&journal);
}

/// The careful week: a dry run writes a plan; `--withdraw --plan` withdraws exactly those,
/// without listing again, within a daily cap counted across runs; the journal shows what it
/// holds, and an unknown one is settled by what the user saw on LinkedIn.
#[test]
fn a_plan_then_its_withdrawal_within_a_daily_cap_across_runs() {
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);
    let plan = journal_path("plan").with_extension("plan.json");
    let journal = journal_path("plan-journal");
    let (p, j) = (plan.to_str().unwrap(), journal.to_str().unwrap());
    let (code, stdout, stderr) = tool(
        "linkup-stale",
        &fake.base_url(),
        &["--days", DAYS, "--plan", p],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stale_rows(&stdout).len(), 95);
    assert!(withdrawals(&fake).is_empty(), "a dry run withdraws nothing");
    let listing_requests = fake.requests().len();
    let with_plan = |extra: &[&str]| {
        let mut args = vec![
            "--withdraw",
            "--yes",
            "--withdraw-interval",
            "0",
            "--plan",
            p,
        ];
        args.extend(["--journal", j]);
        args.extend(extra);
        tool("linkup-stale", &fake.base_url(), &args)
    };
    // Day one: 5 of the plan, the 5 oldest, and no listing paid again.
    fake.fail_withdraw(stale[3], FakeFailure::hang_up()); // done, the answer lost
    let (code, stdout, stderr) = with_plan(&["--max-per-day", "5"]);
    assert_eq!(code, 1, "one unknown: {stderr}");
    // A --plan run lists nothing: the note says what does settle it.
    assert!(stderr.contains("(without --plan) settles it"), "{stderr}");
    assert_eq!(withdrawals(&fake), stale[..5]);
    assert_eq!(results(&stdout)[3], (stale[3], "unknown".to_owned()));
    assert_eq!(fake.requests().len(), listing_requests + 5, "no listing");
    // The same day again: the cap is reached, nothing listed or sent.
    let (code, _, stderr) = with_plan(&["--max-per-day", "5"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("daily cap reached: 5 withdrawals in the last 24 hours"),
        "{stderr}"
    );
    assert_eq!(fake.requests().len(), listing_requests + 5);
    // What the journal holds, and the unknown one looked at on LinkedIn: gone.
    let show = |args: &[&str]| tool("linkup-stale", "http://127.0.0.1:9", args);
    let (code, stdout, stderr) = show(&["--journal", j, "--show"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!("{}\tunknown\t1\t", stale[3])),
        "{stdout}"
    );
    // A settled one has no sends nor since: those are an open one's.
    assert_eq!(stdout.matches("\twithdrawn\t\t\n").count(), 4, "{stdout}");
    let seen = format!("{}:gone", stale[3]);
    let (code, _, stderr) = show(&["--journal", j, "--seen", &seen]);
    assert_eq!(code, 0, "{stderr}");
    let (_, stdout, _) = show(&["--journal", j, "--show"]);
    assert!(
        stdout.contains(&format!("{}\tgone\t", stale[3])),
        "{stdout}"
    );
    // A withdrawn one is not the user's to settle.
    let (code, _, stderr) = show(&["--journal", j, "--seen", &format!("{}:pending", stale[0])]);
    assert_eq!(code, 2, "{stderr}");
    // A plan older than a day is refused, nothing sent.
    let text = std::fs::read_to_string(&plan).unwrap();
    let old = serde_json::from_str::<serde_json::Value>(&text).unwrap()["listed_at"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::write(&plan, text.replace(&old, "2020-01-01T00:00:00Z")).unwrap();
    let (code, _, stderr) = with_plan(&["--max-per-day", "50"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("over a day"), "{stderr}");
    assert_eq!(fake.requests().len(), listing_requests + 5);
    // So is one from the future (the clock moved back since): its age is unknown.
    std::fs::write(&plan, text.replace(&old, "2099-01-01T00:00:00Z")).unwrap();
    let (code, _, stderr) = with_plan(&["--max-per-day", "50"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the clock moved back"), "{stderr}");
    assert_eq!(fake.requests().len(), listing_requests + 5);
    let _ = std::fs::remove_file(&plan);
    let _ = std::fs::remove_file(&journal);
}

/// Two exports on one `--output` file at once: the second is refused before it pays for
/// anything (the first's rows past its last commit are not cut under it); a mistake in the
/// flags or the environment leaves no file behind.
#[test]
fn a_second_export_on_a_file_being_written_is_refused_and_a_mistake_leaves_no_file() {
    let fake = FakeApi::start(100);
    let file = journal_path("locked-export").with_extension("csv");
    let state = file.with_extension("csv.state");
    let _ = std::fs::remove_file(&state);
    let f = file.to_str().unwrap();
    // No key: exit 2, and neither FILE nor its state is made.
    let (code, _, stderr) = run(example("linkup-export").env_remove("LINKUP_API_KEY").args([
        "--base-url",
        &fake.base_url(),
        "--output",
        f,
    ]));
    assert_eq!(code, 2, "{stderr}");
    assert!(!file.exists() && !state.exists(), "a mistake left files");
    // One run paced to a page a second, and a second run while it goes.
    let mut first = example("linkup-export")
        .args([
            "--base-url",
            &fake.base_url(),
            "--requests-per-minute",
            "60",
        ])
        .args(["--output", f, "--quiet"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let waited = std::time::Instant::now();
    while fake.requests().is_empty() {
        assert!(
            waited.elapsed().as_secs() < 30,
            "the first run sent nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let before = fake.requests().len();
    let (code, _, stderr) = tool("linkup-export", &fake.base_url(), &["--output", f]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("being written by another linkup-export run"),
        "{stderr}"
    );
    assert!(fake.requests().len() <= before + 1, "the second run paid");
    let _ = first.kill();
    let _ = first.wait();
    // The file is free again: the next run goes on and ends with every invitation once.
    let (code, _, stderr) = tool("linkup-export", &fake.base_url(), &["--output", f]);
    assert_eq!(code, 0, "{stderr}");
    let ids = exported_ids(&file);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 100);
    assert_eq!(ids.len(), 100);
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&state);
}

/// `--show` and `--seen` on a journal that is not there (a typo) say so, exit 2 and make no
/// file; `--seen` says why it records nothing in words of the case, and shows an id and a word
/// it could not read.
#[test]
fn show_and_seen_say_what_is_not_there() {
    let fake = FakeApi::start(1000);
    let stale = the_stale(&fake);
    let missing = journal_path("no-such-journal");
    let m = missing.to_str().unwrap();
    let show = |args: &[&str]| tool("linkup-stale", "http://127.0.0.1:9", args);
    let (code, stdout, stderr) = show(&["--journal", m, "--show"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("there is no journal at"), "{stderr}");
    let (code, _, stderr) = show(&["--journal", m, "--seen", &format!("{}:gone", stale[0])]);
    assert_eq!(code, 2, "{stderr}");
    assert!(!missing.exists(), "a journal was made");
    let lock = missing.with_extension("jsonl.lock");
    assert!(!lock.exists(), "a lock was made");

    let journal = journal_path("seen-words");
    let j = journal.to_str().unwrap();
    let (code, _, stderr) = withdraw(&fake, &journal, &["--max-withdrawals", "1"]);
    assert_eq!(code, 0, "{stderr}");
    let cases = [
        (
            format!("{}:gone", stale[0]),
            "was withdrawn, as LinkUp answered",
        ),
        (
            format!("{}:gone", stale[1]),
            "has no withdrawal sent in this journal",
        ),
        (
            format!("{}:maybe", stale[1]),
            &format!("got \"{}:maybe\"", stale[1]),
        ),
    ];
    for (value, said) in &cases {
        let (code, _, stderr) = show(&["--journal", j, "--seen", value]);
        assert_eq!(code, 2, "{value}: {stderr}");
        assert!(stderr.contains(said), "{value}: {stderr}");
    }
    let _ = std::fs::remove_file(&journal);
}

/// A company's CA as IT sets it up: named by SSL_CERT_FILE (as curl and OpenSSL read it) or
/// LINKUP_CACERT, or handed out as a DER `.cer` file: each is trusted, with no --cacert.
#[test]
fn the_tools_trust_ssl_cert_file_linkup_cacert_and_a_der_certificate() {
    use support::tls::{closing_reply, Pki, TlsServer};
    let pki = Pki::new("Example Corp CA, as IT installs it");
    let page = support::fixture("documented-sample-page.json");
    let server = TlsServer::start(&pki, closing_reply(200, page.as_bytes()));
    let ca = pki.ca_path();
    let der = ca.with_extension("cer");
    let made = Command::new("openssl")
        .args(["x509", "-in"])
        .arg(&ca)
        .args(["-outform", "DER", "-out"])
        .arg(&der)
        .status()
        .unwrap();
    assert!(made.success());
    let args = [
        "--base-url",
        &server.base_url(),
        "--requests-per-minute",
        "0",
    ];
    let args = [&args[..], &["--max-credits", "1", "--timeout", "10"]].concat();
    for (variable, file) in [
        ("SSL_CERT_FILE", &ca),
        ("LINKUP_CACERT", &ca),
        ("LINKUP_CACERT", &der),
    ] {
        let (code, stdout, stderr) = run(example("linkup-export").env(variable, file).args(&args));
        assert_eq!(
            ids(&stdout),
            [7329176687475109888],
            "{variable} {file:?}: {code} {stderr}"
        );
    }
    let der = der.to_str().unwrap();
    let (code, stdout, stderr) = run(example("linkup-export").args(&args).args(["--cacert", der]));
    assert_eq!(
        ids(&stdout),
        [7329176687475109888],
        "--cacert DER: {code} {stderr}"
    );
}
