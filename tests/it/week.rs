//! A week of cron against the fake, as the README's "As a daily, unattended job" runs it: a
//! daily export to one file (a budget a day, killed at random, people invited between days),
//! and a weekly clean-up (a plan, then its withdrawal through the journal within a daily cap,
//! killed at random and run again, the unknown ones settled by what the user saw on
//! LinkedIn). Each day is a real day to the tools: libfaketime moves their wall clock a day
//! on (the boot clock, which the journal's settling time reads, is left alone).
//!
//! What the week must hold: the export file has every invitation once (all of the list,
//! nothing the list never held, those withdrawn meanwhile aside), no invitation is withdrawn
//! twice, no day sends more than its cap, no unknown is left after settling, and every run
//! that ended with a summary line charged what it says.

use std::collections::{HashMap, HashSet};
use std::process::{Command, Stdio};

use linkup_sent_invitations::{FakeApi, FakeFailure, FakeRequest};

use super::examples::{example, exported_ids};
use crate::support::{KEY, TOKEN};

/// The daily cap of withdrawals, `--max-per-day`.
const CAP: usize = 12;
/// What is stale: sent 30 or more days ago (the fake's invitation n was sent 1 + 7n hours
/// before it started: of 150, the 54 oldest at day 2).
const STALE_DAYS: &str = "30";
/// The export's daily budget: a first export of 15 pages and more takes days.
const EXPORT_BUDGET: &str = "6";
const WEEK_PATH: &str = "/v1/network/withdraw-invitation";

/// One run of a tool on day `day` of the week.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
    /// The `--summary json` line, if the run got to print it (a killed one does not).
    summary: Option<serde_json::Value>,
    /// What the fake was asked during the run.
    requests: Vec<FakeRequest>,
}

/// Runs `tool ARGS` against `fake` with its clock `day` days on, killed with SIGKILL after
/// `kill_after_ms` if given.
fn on_day(fake: &FakeApi, day: u64, tool: &str, args: &[&str], kill_after_ms: Option<u64>) -> Ran {
    // libfaketime itself sometimes fails to start (a named semaphore of a reused pid, "faketime:
    // sem_open: File exists") before the tool runs: nothing was sent, so run it again.
    for _ in 0..3 {
        let ran = on_day_once(fake, day, tool, args, kill_after_ms);
        if !(ran.stderr.starts_with("faketime:") && ran.requests.is_empty()) {
            return ran;
        }
    }
    on_day_once(fake, day, tool, args, kill_after_ms)
}

fn on_day_once(
    fake: &FakeApi,
    day: u64,
    tool: &str,
    args: &[&str],
    kill_after_ms: Option<u64>,
) -> Ran {
    use std::os::unix::process::CommandExt as _;
    let base = example(tool);
    let mut command = Command::new("faketime");
    command
        .args(["-f", &format!("+{day}d")])
        .arg(base.get_program())
        .args(["--base-url", &fake.base_url(), "--requests-per-minute", "0"])
        .args(args)
        .envs(base.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("LINKUP_BASE_URL")
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        // faketime waits for the tool as its child: a group of their own, so a kill takes
        // both, as a machine's crash would.
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let before = fake.requests().len();
    let child = command.spawn().unwrap();
    if let Some(ms) = kill_after_ms {
        std::thread::sleep(std::time::Duration::from_millis(ms));
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        !stdout.contains(KEY) && !stderr.contains(KEY) && !stderr.contains(TOKEN),
        "a secret leaked: {stderr}"
    );
    let summary = stderr
        .lines()
        .rev()
        .find(|line| line.starts_with('{'))
        .and_then(|line| serde_json::from_str(line).ok());
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout,
        stderr,
        summary,
        requests: fake.requests()[before..].to_vec(),
    }
}

impl Ran {
    /// The credits the fake charged for this run's requests.
    fn charged(&self) -> u64 {
        self.requests.iter().map(|r| r.credits).sum()
    }

    fn withdrawals(&self) -> Vec<u64> {
        self.requests
            .iter()
            .filter(|r| r.path == WEEK_PATH)
            .filter_map(|r| r.invitation_id)
            .collect()
    }

    /// The credits a summary line says match what the fake charged: exactly what it names as
    /// known, and at most what it names as possibly charged on top.
    fn check_credits(&self, what: &str) -> Result<(), String> {
        let Some(summary) = &self.summary else {
            if self.code == -1 {
                return Ok(()); // killed: no line to hold to
            }
            return Err(format!("{what}: no summary line: {}", self.stderr));
        };
        let credits = summary["credits"].as_u64().unwrap_or(u64::MAX);
        let possibly = summary["credits_possibly"].as_u64().unwrap_or(u64::MAX);
        let charged = self.charged();
        if charged > credits || charged < credits - possibly {
            return Err(format!(
                "{what}: the summary says {credits} credits ({possibly} possibly), the fake \
                 charged {charged}: {summary}"
            ));
        }
        Ok(())
    }
}

#[test]
fn a_week_of_cron_loses_nothing_repeats_nothing_and_keeps_the_daily_cap() {
    let available = Command::new("faketime")
        .args(["-f", "+1d", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        eprintln!("faketime is not installed (apt-get install faketime): .ci/run installs it");
        return;
    }
    let seeds: Vec<u64> = match std::env::var("LINKUP_WEEK_SEED") {
        Ok(seed) => vec![seed.parse().unwrap()],
        Err(_) => (1..=8).collect(),
    };
    let failures: Vec<String> = std::thread::scope(|scope| {
        let weeks: Vec<_> = seeds
            .iter()
            .map(|&seed| scope.spawn(move || week(seed).err()))
            .collect();
        weeks
            .into_iter()
            .filter_map(|w| w.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn week(seed: u64) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("linkup-week-{}-{seed}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut trace = Vec::new();
    let result = week_in(seed, &dir, &mut trace);
    let _ = std::fs::remove_dir_all(&dir);
    result.map_err(|e| {
        format!(
            "seed {seed}: {e}\n{}\nrerun: LINKUP_WEEK_SEED={seed} cargo test --test it week::",
            trace.join("\n")
        )
    })
}

fn week_in(seed: u64, dir: &std::path::Path, trace: &mut Vec<String>) -> Result<(), String> {
    // splitmix64, the simulations' own.
    let mut state = seed;
    let mut next = move |below: u64| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below.max(1)
    };
    let fake = FakeApi::start(150 + next(50));
    let extension = if next(2) == 0 { "csv" } else { "jsonl" };
    let export = dir.join(format!("invitations.{extension}"));
    let plan = dir.join("stale-plan.json");
    let journal = dir.join("withdrawals.jsonl");
    let (export, plan, journal) = (
        export.to_str().unwrap(),
        plan.to_str().unwrap(),
        journal.to_str().unwrap(),
    );
    let export_args = [
        "--output",
        export,
        "--max-credits",
        EXPORT_BUDGET,
        "--quiet",
        "--summary",
        "json",
    ];
    let cap = CAP.to_string();
    // As the README: a plan of the day's cap, the oldest, its listing stopped there.
    let plan_args = [
        "--days",
        STALE_DAYS,
        "--max-withdrawals",
        &cap,
        "--plan",
        plan,
        "--quiet",
    ];
    let plan_args = [&plan_args[..], &["--summary", "json"]].concat();
    let withdraw_args = [
        "--withdraw",
        "--yes",
        "--plan",
        plan,
        "--journal",
        journal,
        "--max-per-day",
        &CAP.to_string(),
        "--withdraw-interval",
        "0",
        "--quiet",
        "--summary",
        "json",
    ]
    .map(str::to_owned);
    let withdraw_args: Vec<&str> = withdraw_args.iter().map(String::as_str).collect();
    let mut sent_on: Vec<usize> = Vec::new();
    let mut settled = 0;
    for day in 0..7u64 {
        if day > 0 {
            let arrived = next(15);
            fake.arrive(arrived);
            trace.push(format!("day {day}: {arrived} invited"));
        }
        // The daily export: its budget, or killed at any instant.
        let kill = (next(4) == 0).then(|| next(250));
        let ran = on_day(&fake, day, "linkup-export", &export_args, kill);
        trace.push(format!("day {day}: export killed {kill:?} -> {}", ran.code));
        if !matches!(ran.code, 0 | 3 | -1) {
            return Err(format!("day {day}: the export failed: {}", ran.stderr));
        }
        ran.check_credits(&format!("day {day}: the export"))?;

        // The weekly clean-up, spread by the cap over three days.
        let mut sent_today = 0;
        if (2..=4).contains(&day) {
            // What the user saw on LinkedIn of each unknown one, told to the journal.
            settled += settle_by_hand(&fake, day, journal)?;
            if day > 2 {
                let old = on_day(&fake, day, "linkup-stale", &withdraw_args, None);
                if old.code != 2 || !old.stderr.contains("over a day") || !old.requests.is_empty() {
                    return Err(format!(
                        "day {day}: yesterday's plan was used: {}",
                        old.stderr
                    ));
                }
            }
            let planned = on_day(&fake, day, "linkup-stale", &plan_args, None);
            if planned.code != 0 || !planned.withdrawals().is_empty() {
                return Err(format!("day {day}: the plan: {}", planned.stderr));
            }
            planned.check_credits(&format!("day {day}: the plan"))?;
            let stale = planned.summary.as_ref().and_then(|s| s["rows"].as_u64());
            trace.push(format!("day {day}: planned {stale:?}"));
            if stale != Some(CAP as u64) {
                return Err(format!("day {day}: a plan of {stale:?}, not the cap"));
            }
            if day == 2 {
                // One answer lost after the deed: unknown to the tool.
                let text = std::fs::read_to_string(plan).unwrap();
                let entries: serde_json::Value = serde_json::from_str(&text).unwrap();
                let pick = next(CAP as u64 / 2) as usize;
                let id = entries["invitations"][pick]["invitation_id"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                fake.fail_withdraw(id, FakeFailure::hang_up());
                trace.push(format!("day {day}: the answer to {id} will be lost"));
            }
            // The withdrawal: a first run of half the cap (now and then killed), which meets
            // the lost answer on day 2; run again, as cron's retry would, with the unknown one
            // still in the plan; then a third time, which the cap holds.
            let half = (CAP / 2).to_string();
            for attempt in 0..3 {
                let kill = (attempt == 0 && next(2) == 0).then(|| next(40));
                let args = match attempt {
                    0 => [&withdraw_args[..], &["--max-withdrawals", &half]].concat(),
                    _ => withdraw_args.clone(),
                };
                let ran = on_day(&fake, day, "linkup-stale", &args, kill);
                let sent = ran.withdrawals();
                sent_today += sent.len();
                trace.push(format!(
                    "day {day}: withdraw {attempt} killed {kill:?} -> {}, {} sent",
                    ran.code,
                    sent.len()
                ));
                if !matches!(ran.code, -1..=1) {
                    return Err(format!("day {day}: the withdrawal: {}", ran.stderr));
                }
                ran.check_credits(&format!("day {day}: withdrawal {attempt}"))?;
                let results = ran.stdout.lines().skip(1).count() as u64;
                if let Some(summary) = &ran.summary {
                    if summary["rows"].as_u64() != Some(results) {
                        return Err(format!("day {day}: rows vs results: {summary}"));
                    }
                    if attempt == 2 && sent_today >= CAP && summary["stop"] != "daily_cap" {
                        return Err(format!("day {day}: past the cap: {summary}"));
                    }
                }
            }
        }
        sent_on.push(sent_today);
    }
    // The week's end: what is left unknown, settled; the export run to its end.
    settled += settle_by_hand(&fake, 7, journal)?;
    let calm = [&export_args[..2], &export_args[4..]].concat(); // no budget
    let ran = on_day(&fake, 7, "linkup-export", &calm, None);
    if ran.code != 0 {
        return Err(format!("the last export: {}", ran.stderr));
    }
    ran.check_credits("the last export")?;
    trace.push(format!(
        "sent by day {sent_on:?}; {settled} settled by hand"
    ));

    // No day over its cap.
    if let Some(day) = sent_on.iter().position(|sent| *sent > CAP) {
        return Err(format!("day {day} sent {} withdrawals", sent_on[day]));
    }
    // No invitation withdrawn twice, nor asked twice.
    let mut asked: HashMap<u64, usize> = HashMap::new();
    let mut withdrawn = HashSet::new();
    for request in fake.requests().iter().filter(|r| r.path == WEEK_PATH) {
        let id = request.invitation_id.unwrap();
        *asked.entry(id).or_default() += 1;
        if request.withdrew {
            withdrawn.insert(id);
        }
    }
    if let Some((id, n)) = asked.iter().find(|(_, n)| **n > 1) {
        return Err(format!(
            "invitation {id} was asked to be withdrawn {n} times"
        ));
    }
    if withdrawn.len() < 2 * CAP {
        return Err(format!("only {} withdrawn in the week", withdrawn.len()));
    }
    // The export: every invitation of the list once, and nothing the list never held.
    let rows = exported_ids(std::path::Path::new(export));
    let once: HashSet<u64> = rows.iter().copied().collect();
    if once.len() != rows.len() {
        return Err(format!(
            "a row twice: {} rows, {} ids",
            rows.len(),
            once.len()
        ));
    }
    let listed = super::examples::all_ids(&fake);
    if let Some(id) = listed.iter().find(|id| !once.contains(id)) {
        return Err(format!("invitation {id} is not in the export"));
    }
    if let Some(id) = once
        .iter()
        .find(|id| !listed.contains(id) && !withdrawn.contains(id))
    {
        return Err(format!(
            "invitation {id} is in the export but never was in the list"
        ));
    }
    // The journal agrees with what happened: nothing unknown, each withdrawal as done.
    let shown = on_day(
        &fake,
        7,
        "linkup-stale",
        &["--journal", journal, "--show"],
        None,
    );
    for line in shown.stdout.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let id: u64 = fields[0].parse().unwrap();
        let done = matches!(fields[1], "withdrawn" | "gone");
        if fields[1] == "unknown" || done != withdrawn.contains(&id) {
            return Err(format!(
                "the journal says {line}; the fake withdrew it: {}",
                withdrawn.contains(&id)
            ));
        }
    }
    Ok(())
}

/// Settles each unknown withdrawal the journal holds as the user would, by looking on
/// LinkedIn (here: asking the fake whether it is still pending); returns how many.
fn settle_by_hand(fake: &FakeApi, day: u64, journal: &str) -> Result<usize, String> {
    if !std::path::Path::new(journal).exists() {
        return Ok(0);
    }
    let shown = on_day(
        fake,
        day,
        "linkup-stale",
        &["--journal", journal, "--show"],
        None,
    );
    if shown.code != 0 {
        return Err(format!("day {day}: --show: {}", shown.stderr));
    }
    let mut settled = 0;
    for line in shown.stdout.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields[1] != "unknown" {
            continue;
        }
        let id: u64 = fields[0].parse().unwrap();
        let seen = if fake.is_pending(id) {
            "pending"
        } else {
            "gone"
        };
        let recorded = on_day(
            fake,
            day,
            "linkup-stale",
            &["--journal", journal, "--seen", &format!("{id}:{seen}")],
            None,
        );
        if recorded.code != 0 || !recorded.requests.is_empty() {
            return Err(format!(
                "day {day}: --seen {id}:{seen}: {}",
                recorded.stderr
            ));
        }
        settled += 1;
    }
    Ok(settled)
}
