//! Lists pending invitations sent `--days N` or more days ago (default 21), oldest first: the
//! ones worth withdrawing; with `--withdraw`, withdraws them.
//!
//! ```text
//! LINKUP_API_KEY=... LINKUP_ACCOUNT_ID=... linkup-stale --days 30
//! LINKUP_API_KEY=... LINKUP_ACCOUNT_ID=... linkup-stale --days 30 \
//!     --withdraw --journal withdrawals.jsonl
//! ```
//!
//! It walks from the oldest end and stops at the first invitation younger than that, so it pays
//! only for the pages that hold old invitations (plus one to learn where the end is). Ages come
//! from the time in each invitation's id, exact in any language, else from LinkedIn's wording.
//! Withdrawing old invitations does not shift the newer pages the walk has not read.
//!
//! Withdrawing changes the user's LinkedIn, so it is careful: a dry run unless `--withdraw`, a
//! question before acting (or `--yes`), a cap per run, a pause between withdrawals, no blind
//! retry of a withdrawal whose outcome is unknown, and with `--journal` a record on disk that
//! makes a run stopped at any point safe to run again.

#[path = "support/cli.rs"]
mod cli;

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use cli::{Common, End, Flag, Next, Pages, Setup, Usage};
use linkup_sent_invitations::{
    withdraw_invitation, Error, Invitation, InvitationState, Seen, WithdrawalJournal,
    WithdrawalState,
};
use serde::Serialize;

const USAGE: &str = "List pending LinkedIn invitations older than a number of days, oldest first,
and with --withdraw, withdraw them.

Usage: linkup-stale [FLAGS]

  --days N             list invitations sent N or more days ago (default 21)
  --format FORMAT      tsv (default, with a header line) or jsonl (json is the same)
  --withdraw           withdraw the invitations listed, oldest first, one credit each, and print
                       a result per invitation: withdrawn, unknown (sent, no answer: the next
                       listing settles it) or failed; without it, nothing is withdrawn
  --max-withdrawals N  withdraw at most N in this run (default 40, a daily safety cap: LinkedIn
                       restricts accounts that act in bursts; run once a day for more)
  --withdraw-interval SECONDS
                       wait about this long between withdrawals, half to one and a half times
                       at random (default 4; 0 for a local fake)
  --journal FILE       record each withdrawal in FILE (JSON Lines, synced before and after each
                       call): a run stopped at any point and run again with the same FILE never
                       withdraws an invitation twice or pays twice for one. A journal is for one
                       account and --type: another is refused before anything is paid
  --account-label NAME with --journal on v1: the account the journal is for (v1 names no
                       account, and LinkedIn rotates the login token), such as your e-mail
  --max-per-day N      with --journal: withdraw at most N in any 24 hours, counted in the
                       journal across runs (default 40); reached, a run lists nothing and exits 0
  --plan FILE          a dry run writes what it found to FILE (with --max-withdrawals N, the N
                       oldest: the listing stops there); --withdraw --plan FILE (with
                       --journal) withdraws exactly those, without listing again (a plan older
                       than a day is refused: plan on the day you withdraw)
  --show               with --journal: list the journal's invitations and their states
  --seen ID:gone|pending
                       with --journal: record what you saw on LinkedIn of an unknown
                       withdrawal (gone: never sent again; pending: sent once more)
  --yes                withdraw without asking (needed when stdin is not a terminal)
";

/// The last words of `--help`.
const WITHDRAW_NOTE: &str =
    "Withdrawing cannot be undone: LinkedIn does not let you invite the same person again for up to
three weeks. --max-credits counts the withdrawals too.";

/// The flags of `--withdraw`.
struct Withdraw {
    max: u32,
    /// `--max-per-day`: sends in the last 24 hours, across runs, by the journal.
    per_day: u32,
    interval: Duration,
    journal: Option<PathBuf>,
    /// `--account-label`: the v1 account a journal is for.
    account_label: Option<String>,
    yes: bool,
}

/// The flags: the common ones, then stale's own.
struct Flags {
    common: Common,
    days: u32,
    jsonl: bool,
    withdraw: Option<Withdraw>,
    /// `--plan FILE`: written by a dry run, withdrawn by `--withdraw`.
    plan: Option<PathBuf>,
    /// `--plan FILE --max-withdrawals N` in a dry run: a plan of the N oldest at most.
    plan_max: Option<u32>,
    /// `--journal FILE --show`, `--journal FILE --seen ID:gone|pending`.
    show: Option<PathBuf>,
    seen: Option<(PathBuf, u64, Seen)>,
}

/// A JSON line of the listing: the invitation, its id as a string (exact in every reader),
/// its exact sent time and its age.
fn json_line(invitation: &Invitation, days: u32) -> String {
    let mut line = serde_json::to_value(invitation).expect("an Invitation always serialises");
    line["invitation_id"] = serde_json::Value::String(invitation.invitation_id.to_string());
    let at = cli::sent_at(invitation);
    if !at.is_empty() {
        line["sent_at"] = serde_json::Value::String(at);
    }
    line["days"] = days.into();
    cli::json_text(&line)
}

/// How one withdrawal went, as the result lines say it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Event {
    Withdrawn,
    Unknown,
    Failed,
    /// Refused before anything was sent: this invitation cannot be withdrawn (an id of 0).
    Skipped,
}

impl Event {
    fn word(self) -> &'static str {
        match self {
            Event::Withdrawn => "withdrawn",
            Event::Unknown => "unknown",
            Event::Failed => "failed",
            Event::Skipped => "skipped",
        }
    }
}

/// A JSON line of a withdrawal's result.
#[derive(Serialize)]
struct Outcome<'a> {
    invitation_id: String,
    name: &'a str,
    sent_at: Option<String>,
    result: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

fn main() -> ExitCode {
    let help = format!("{USAGE}{}\n\n{WITHDRAW_NOTE}", cli::COMMON_USAGE);
    let flags = match parse() {
        Ok(flags) => flags,
        Err(usage) => return cli::usage_exit(usage, "linkup-stale", &help),
    };
    if let Some(path) = &flags.show {
        return show_journal(path, flags.jsonl);
    }
    if let Some((path, id, seen)) = &flags.seen {
        return record_seen(path, *id, *seen);
    }
    // A journal that cannot be used (no regular file, held by another run) is found before
    // anything is paid for.
    let label = flags
        .withdraw
        .as_ref()
        .and_then(|w| w.account_label.clone());
    let journal = match flags.withdraw.as_ref().and_then(|w| w.journal.as_deref()) {
        Some(path) => match WithdrawalJournal::open(path) {
            Ok(journal) => Some(match label {
                Some(label) => journal.account_label(label),
                None => journal,
            }),
            Err(err) => return cli::usage_exit(Usage::Bad(err.to_string()), "linkup-stale", &help),
        },
        None => None,
    };
    let mut setup = match cli::setup(&flags.common, "linkup-stale", true, journal.is_some()) {
        Ok(setup) => setup,
        Err(usage) => return cli::usage_exit(usage, "linkup-stale", &help),
    };
    // A journal of another account or invitation type is refused before the listing is paid.
    if let Some(journal) = &journal {
        if let Err(err) = journal.check_scope(&setup.params) {
            return cli::usage_exit(Usage::Bad(err.to_string()), "linkup-stale", &help);
        }
    }
    if flags.common.connect {
        return cli::connect(&setup);
    }
    let ended = match run(&mut setup, &flags, journal) {
        Ok(ended) => ended,
        Err(why) => return cli::usage_exit(Usage::Bad(why), "linkup-stale", &help),
    };
    // Every run that got past its flags ends with one line a job can read. A run that
    // withdrew goes on by running again (the journal knows what was sent), not by resuming
    // its listing.
    let extra = match &ended.tally {
        Some(tally) => serde_json::json!({
            "resume": null,
            "withdrawn": tally.withdrawn,
            "unknown": tally.unknown,
            "failed": tally.failed,
            "skipped": tally.skipped,
        }),
        None => serde_json::json!({}),
    };
    cli::summary(&setup, ended.stop, ended.rows, extra);
    ended.code
}

/// How a run ended: the exit code, and for `--summary json` the stop in one word (`done`,
/// `budget`, `error`, `closed`, `interrupted`, `declined` at the question, `daily_cap`), the
/// result lines written and, when it withdrew, how that went.
struct Ended {
    code: ExitCode,
    stop: &'static str,
    rows: u64,
    tally: Option<Tally>,
}

impl Ended {
    /// An end with no withdrawal attempted.
    fn listed(code: ExitCode, stop: &'static str, rows: u64) -> Ended {
        Ended {
            code,
            stop,
            rows,
            tally: None,
        }
    }
}

/// The run past its flags: the daily cap, then the plan or the listing, then the dry run's
/// rows or the withdrawals. `Err` is a mistake in what was asked (a plan that cannot be used),
/// found before anything was sent.
fn run(
    setup: &mut Setup,
    flags: &Flags,
    journal: Option<WithdrawalJournal>,
) -> Result<Ended, String> {
    // The daily cap, across runs: what the journal sent in the last 24 hours.
    let today_left = match (&flags.withdraw, &journal) {
        (Some(withdraw), Some(journal)) => {
            let day_ago = SystemTime::now() - Duration::from_secs(86_400);
            let sent = journal.sends_since(day_ago) as u64;
            let left = u64::from(withdraw.per_day).saturating_sub(sent);
            if left == 0 {
                cli::say(format_args!(
                    "daily cap reached: {} in the last 24 hours (--max-per-day {}); nothing \
                     listed, nothing paid: run again tomorrow",
                    cli::count(sent, "withdrawal"),
                    withdraw.per_day
                ));
                return Ok(Ended::listed(ExitCode::SUCCESS, "daily_cap", 0));
            }
            Some(left)
        }
        _ => None,
    };
    // --withdraw --plan: exactly the plan's invitations, through the journal, no listing.
    if let (Some(withdraw), Some(plan)) = (&flags.withdraw, &flags.plan) {
        let stale = read_plan(plan)?;
        let found = Found {
            end: End::Done,
            stale,
            days: flags.days,
            today_left,
            enough: false,
        };
        return Ok(self::withdraw(setup, found, withdraw, journal, flags.jsonl));
    }
    if !setup.v2 && !setup.quiet {
        cli::say(format_args!(
            "note: walking v1 oldest first has one blind spot: an invitation sent and another \
             withdrawn between the same two requests can hide one old invitation from this run \
             (the next run sees it); v2 (--account) has none"
        ));
    }

    let days = flags.days;
    let now = SystemTime::now();
    let mut stale: Vec<(u32, Invitation)> = Vec::new();
    let mut unreadable = 0u64;
    // Withdrawing at most this many, oldest first, the listing can stop once it holds them:
    // the rest would be left for a later run anyway.
    let enough = match &flags.withdraw {
        Some(w) => Some(today_left.map_or(u64::from(w.max), |left| left.min(u64::from(w.max)))),
        // A plan of at most N: the N oldest stale ones, whatever a journal holds of them.
        None => flags.plan_max.map(u64::from),
    };
    let mut sendable = 0u64;
    let end = cli::walk(
        setup,
        |invitation, _| {
            let Some(age) = cli::age_in_days(&invitation, now) else {
                unreadable += 1;
                return Ok(Next::More);
            };
            if age < days {
                // Oldest first: everything after this one is younger still.
                return Ok(Next::Enough);
            }
            if invitation.invitation_state == Some(InvitationState::Pending) {
                let held = journal
                    .as_ref()
                    .is_some_and(|j| !j.state(invitation.invitation_id).may_send());
                sendable += u64::from(!held);
                stale.push((age, invitation));
            }
            match enough {
                Some(enough) if sendable >= enough => Ok(Next::Enough),
                _ => Ok(Next::More),
            }
        },
        |_, _, _| Ok(()),
    );
    if matches!(end, End::Failed(_)) {
        // The error, what was spent and where to resume are printed; no partial results.
        let stop = end.word();
        return Ok(Ended::listed(cli::finish(setup, end, ""), stop, 0));
    }
    // Oldest first, whatever order the pages came in.
    stale.sort_by_key(|(age, i)| (std::cmp::Reverse(*age), i.invitation_id));
    if unreadable > 0 {
        cli::say(format_args!(
            "{} with no age this tool can read (no time in the id, and wording it does not \
             know); skipped",
            cli::count(unreadable, "invitation")
        ));
    }
    Ok(match &flags.withdraw {
        None => {
            if let Some(max) = flags.plan_max {
                // The oldest N: the last page read may hold more.
                stale.truncate(max as usize);
            }
            if let Some(plan) = &flags.plan {
                if let Err(why) = write_plan(plan, &stale, days) {
                    cli::say(format_args!("error: {why}"));
                    return Ok(Ended::listed(ExitCode::from(cli::EXIT_ERROR), "error", 0));
                }
            }
            list(setup, end, &stale, days, flags.jsonl)
        }
        Some(withdraw) => {
            let listing = Found {
                end,
                stale,
                days,
                today_left,
                enough: enough.is_some_and(|enough| sendable >= enough),
            };
            self::withdraw(setup, listing, withdraw, journal, flags.jsonl)
        }
    })
}

/// The dry run: the stale invitations, as rows.
fn list(setup: &Setup, end: End, stale: &[(u32, Invitation)], days: u32, jsonl: bool) -> Ended {
    let mut written = 0u64;
    if jsonl
        || cli::out(format_args!(
            "days\tsent_at\tinvitation_id\tname\tprofile_url"
        ))
        .is_ok()
    {
        for (age, i) in stale {
            let at = cli::sent_at(i);
            let line = if jsonl {
                json_line(i, *age)
            } else {
                // One line per invitation, whatever the name holds.
                let url = cli::tsv_cell(i.profile_url.as_deref().unwrap_or(""));
                let name = cli::tsv_cell(&i.name);
                format!("{age}\t{at}\t{}\t{name}\t{url}", i.invitation_id)
            };
            if cli::out(format_args!("{line}")).is_err() {
                break;
            }
            written += 1;
        }
    }
    let summary = format!(
        "{} sent {days} or more days ago",
        cli::count(written, "pending invitation")
    );
    let stop = end.word();
    Ended::listed(cli::finish(setup, end, &summary), stop, written)
}

/// What the listing found, for the withdrawals.
struct Found {
    end: End,
    /// The stale pending invitations, oldest first.
    stale: Vec<(u32, Invitation)>,
    days: u32,
    /// What the daily cap leaves (with a journal).
    today_left: Option<u64>,
    /// The listing stopped once it held what the caps let this run withdraw.
    enough: bool,
}

/// A plan: what a dry run found, for `--withdraw --plan` to withdraw exactly.
#[derive(Serialize, serde::Deserialize)]
struct Plan {
    /// When it was listed (RFC 3339): a plan older than a day is refused.
    listed_at: String,
    days: u32,
    invitations: Vec<serde_json::Value>,
}

/// Writes the plan of a dry run, whole or not at all (a new file renamed over).
fn write_plan(
    path: &std::path::Path,
    stale: &[(u32, Invitation)],
    days: u32,
) -> Result<(), String> {
    let plan = Plan {
        listed_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        days,
        invitations: stale
            .iter()
            .map(|(age, i)| serde_json::from_str(&json_line(i, *age)).unwrap_or_default())
            .collect(),
    };
    let shown = cli::visible(&path.to_string_lossy()).into_owned();
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    // Whole or not there, whatever stops the run: synced, then put in place by a rename.
    let written = std::fs::File::create(&tmp).and_then(|mut file| {
        use std::io::Write as _;
        file.write_all((cli::json_text(&plan) + "\n").as_bytes())?;
        file.sync_all()
    });
    written
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|err| format!("--plan {shown} cannot be written ({err})"))
}

/// The invitations of a plan, oldest first; refused if older than a day.
fn read_plan(path: &std::path::Path) -> Result<Vec<(u32, Invitation)>, String> {
    let shown = cli::visible(&path.to_string_lossy()).into_owned();
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("--plan {shown}: cannot read it ({err})"))?;
    let plan: Plan = serde_json::from_str(&text)
        .map_err(|_| format!("--plan {shown} is no plan a dry run wrote (linkup-stale --plan)"))?;
    let listed = humantime::parse_rfc3339(&plan.listed_at)
        .map_err(|_| format!("--plan {shown} is no plan a dry run wrote"))?;
    // A plan "from the future" means the clock moved back since (or another machine's
    // clock): its age is unknown, so it is refused as an old one is.
    let ahead = listed.duration_since(SystemTime::now()).unwrap_or_default();
    if ahead > Duration::from_secs(3600) {
        return Err(format!(
            "--plan {shown} was listed {} hours from now by this machine's clock: the clock \
             moved back since, so its age is unknown; make a new plan (a dry run with --plan)",
            ahead.as_secs() / 3600
        ));
    }
    let age = SystemTime::now().duration_since(listed).unwrap_or_default();
    if age > Duration::from_secs(86_400) {
        return Err(format!(
            "--plan {shown} was listed {} hours ago, over a day: invitations may have been \
             accepted or withdrawn since; make a new plan (a dry run with --plan)",
            age.as_secs() / 3600
        ));
    }
    plan.invitations
        .into_iter()
        .map(|value| {
            let age = value["days"].as_u64().unwrap_or(0);
            let invitation: Invitation = serde_json::from_value(value)
                .map_err(|_| format!("--plan {shown} holds an entry that is no invitation"))?;
            Ok((u32::try_from(age).unwrap_or(u32::MAX), invitation))
        })
        .collect()
}

/// `--journal FILE --show`: every invitation the journal holds, with its state.
fn show_journal(path: &std::path::Path, jsonl: bool) -> ExitCode {
    if let Err(code) = journal_exists(path) {
        return code;
    }
    let journal = match WithdrawalJournal::open(path) {
        Ok(journal) => journal,
        Err(err) => {
            cli::say(format_args!("error: {err}"));
            return ExitCode::from(cli::EXIT_USAGE);
        }
    };
    if !jsonl && cli::out(format_args!("invitation_id\tstate\tsends\tsince")).is_err() {
        return ExitCode::SUCCESS;
    }
    for (id, state) in journal.entries() {
        // `sends` and `since` are an open withdrawal's: how often it was sent with no answer,
        // and since when. A settled one has neither.
        let (word, sends, since) = match &state {
            WithdrawalState::NotSent => ("not_sent", None, None),
            WithdrawalState::StillPending => ("still_pending", Some(1), None),
            WithdrawalState::Withdrawn => ("withdrawn", None, None),
            WithdrawalState::Gone => ("gone", None, None),
            WithdrawalState::Refused { .. } => ("refused", None, None),
            WithdrawalState::Unknown { sends, since } => ("unknown", Some(*sends), Some(*since)),
            _ => ("other", None, None),
        };
        let since = since.map_or(String::new(), |at| {
            humantime::format_rfc3339_seconds(at).to_string()
        });
        let line = if jsonl {
            cli::json_text(
                &serde_json::json!({"invitation_id": id.to_string(), "state": word,
                "sends": sends, "since": since}),
            )
        } else {
            let sends = sends.map_or(String::new(), |n| n.to_string());
            format!("{id}\t{word}\t{sends}\t{since}")
        };
        if cli::out(format_args!("{line}")).is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// `--show` and `--seen` read a journal a withdrawal wrote: a path that names none is a typo,
/// refused (opening would create an empty journal, and show nothing as if all were well).
fn journal_exists(path: &std::path::Path) -> Result<(), ExitCode> {
    if path.exists() {
        return Ok(());
    }
    cli::say(format_args!(
        "error: there is no journal at {}: give the --journal FILE a withdrawing run wrote",
        cli::visible(&path.to_string_lossy())
    ));
    Err(ExitCode::from(cli::EXIT_USAGE))
}

/// `--journal FILE --seen ID:gone|pending`: what you saw on LinkedIn of an unknown one.
fn record_seen(path: &std::path::Path, id: u64, seen: Seen) -> ExitCode {
    if let Err(code) = journal_exists(path) {
        return code;
    }
    let recorded = WithdrawalJournal::open(path).and_then(|mut j| j.record_seen(id, seen));
    match recorded {
        Ok(()) => {
            let what = match seen {
                Seen::Gone => "gone: it is never sent again",
                Seen::Pending => {
                    "still pending: the next run that lists it, or has it in its plan, sends it \
                     once more"
                }
            };
            cli::say(format_args!("recorded invitation {id} as {what}"));
            ExitCode::SUCCESS
        }
        Err(err) => {
            cli::say(format_args!("error: {err}"));
            ExitCode::from(cli::EXIT_USAGE)
        }
    }
}

/// How the withdrawals went.
#[derive(Default)]
struct Tally {
    withdrawn: u64,
    unknown: u64,
    failed: u64,
    skipped: u64,
}

impl Tally {
    /// The result lines written: one per withdrawal attempted.
    fn rows(&self) -> u64 {
        self.withdrawn + self.unknown + self.failed + self.skipped
    }
}

/// The credits spent through `config`, those unknown withdrawals may have cost counted.
fn spent(config: &linkup_sent_invitations::Config) -> u64 {
    config
        .credits_used()
        .saturating_add(config.credits_possibly_used())
}

/// `--withdraw`: settles what the journal left open, asks, then withdraws one by one.
fn withdraw(
    setup: &Setup,
    found: Found,
    flags: &Withdraw,
    mut journal: Option<WithdrawalJournal>,
    jsonl: bool,
) -> Ended {
    let Found {
        end,
        stale,
        days,
        today_left,
        enough,
    } = found;
    if matches!(end, End::Interrupted) {
        // Stopped during the listing: nothing is withdrawn, nor asked about.
        let summary = format!(
            "no withdrawal; {} found",
            cli::count(stale.len() as u64, "stale invitation")
        );
        return Ended::listed(cli::finish(setup, end, &summary), "interrupted", 0);
    }
    let listed_credits = setup.pages.paginator().credits_used();
    let mut skipped = 0u64;
    let mut candidates: Vec<&Invitation> = Vec::new();
    if let (Some(journal), Pages::Listing(listing)) = (journal.as_mut(), &setup.pages) {
        // What earlier runs left unknown, settled by what this listing read.
        match journal.settle(listing) {
            Ok(settled) if !settled.unknown.is_empty() => cli::say(format_args!(
                "{} from an earlier run still unsettled: not sent again until a listing settles \
                 it (a run with --days at least its age, an hour or more after it was sent, \
                 without --plan) or you record what you saw on LinkedIn (--seen ID:gone or \
                 ID:pending; --show lists them)",
                cli::count(settled.unknown.len() as u64, "withdrawal")
            )),
            Ok(_) => {}
            Err(err) => return Ended::listed(stop(&err.to_string()), "error", 0),
        }
    }
    for (_, invitation) in &stale {
        let journaled = journal.as_ref();
        if journaled.is_some_and(|j| !j.state(invitation.invitation_id).may_send()) {
            skipped += 1;
        } else {
            candidates.push(invitation);
        }
    }
    if skipped > 0 {
        cli::say(format_args!(
            "{} listed but withdrawn, refused or unsettled already, says the journal; left \
             alone (LinkedIn can take a while to drop them)",
            cli::count(skipped, "invitation")
        ));
    }
    // The run's cap, and what the daily cap leaves of it.
    let cap = today_left.map_or(flags.max as usize, |left| {
        (flags.max as usize).min(usize::try_from(left).unwrap_or(usize::MAX))
    });
    let left_over = candidates.len().saturating_sub(cap);
    candidates.truncate(cap);
    if candidates.is_empty() {
        let summary = format!(
            "nothing to withdraw: no pending invitation sent {days} or more days ago{}",
            if skipped > 0 {
                " but those skipped"
            } else {
                ""
            }
        );
        let word = end.word();
        return Ended::listed(cli::finish(setup, end, &summary), word, 0);
    }
    if !flags.yes && !confirm(&candidates) {
        cli::say(format_args!(
            "nothing withdrawn; listing {}",
            cli::count(listed_credits, "credit")
        ));
        return Ended::listed(ExitCode::SUCCESS, "declined", 0);
    }
    if !jsonl && cli::out(format_args!("invitation_id\tname\tsent_at\tresult")).is_err() {
        return Ended::listed(stop("the output is closed"), "closed", 0);
    }

    let mut tally = Tally::default();
    // Unanswered calls in a row: the connection, not the invitation, is failing.
    let mut unanswered = 0;
    let mut stopped = None;
    let mut closed = false;
    for (n, invitation) in candidates.iter().enumerate() {
        if n > 0 {
            pause(jittered(flags.interval));
        }
        // Ctrl-C or SIGTERM: no withdrawal after it (one under way ends, and is recorded).
        if cli::stopped() {
            stopped = Some((
                cli::EXIT_INTERRUPTED,
                "interrupted (Ctrl-C or SIGTERM): nothing more sent; run again to go on".to_owned(),
            ));
            break;
        }
        if let Some(max) = setup.max_credits {
            // What unknown withdrawals may have cost counts: lost answers never overrun it.
            if spent(&setup.config) >= max {
                stopped = Some((cli::EXIT_BUDGET, "the credit budget".to_owned()));
                break;
            }
        }
        let id = invitation.invitation_id;
        // Each attempt may be charged (v1 charges a rate limit too): no more retries than the
        // budget leaves room for, beside the first attempt. (A clone shares the pacer and the
        // counts.) The default is 2.
        let config = match setup.max_credits {
            Some(max) => {
                let room = max.saturating_sub(spent(&setup.config)).saturating_sub(1);
                setup.config.clone().max_retries(room.min(2) as u32)
            }
            None => setup.config.clone(),
        };
        // With a journal, the attempt is on disk before the call and the outcome after it.
        let result = match journal.as_mut() {
            Some(journal) => journal.withdraw(&config, &setup.params, id),
            None => withdraw_invitation(&config, &setup.params, id),
        };
        let (event, message) = match &result {
            Ok(_) => (Event::Withdrawn, None),
            Err(Error::OutcomeUnknown { .. }) => (Event::Unknown, Some(result_message(&result))),
            // Refused here, before anything was written or sent: this invitation only (the
            // config and the account were checked before the listing), such as an id of 0.
            Err(Error::InvalidParams(_)) => (Event::Skipped, Some(result_message(&result))),
            Err(_) => (Event::Failed, Some(result_message(&result))),
        };
        if let Err(broken @ Error::Journal { .. }) = &result {
            // The journal could not record it: the message says what happened.
            let code = stop(&broken.to_string());
            return Ended {
                code,
                stop: "error",
                rows: tally.rows(),
                tally: Some(tally),
            };
        }
        if let Err(Error::Journaled { .. }) = &result {
            continue; // the journal holds it as done or unsettled: nothing was sent
        }
        match event {
            Event::Withdrawn => tally.withdrawn += 1,
            Event::Unknown => tally.unknown += 1,
            Event::Skipped => tally.skipped += 1,
            Event::Failed => tally.failed += 1,
        }
        if show(invitation, event, message.as_deref(), jsonl).is_err() {
            closed = true;
            stopped = Some((cli::EXIT_ERROR, "the output is closed".to_owned()));
            break;
        }
        if !setup.quiet {
            let word = event.word();
            cli::say(format_args!(
                "withdrawal {} of {}: {word}; withdrawals {} so far",
                n + 1,
                candidates.len(),
                cli::count(spent(&setup.config) - listed_credits, "credit")
            ));
        }
        match &result {
            Ok(_) => unanswered = 0,
            Err(Error::InvalidParams(_)) => {}
            // The account cannot withdraw anything now: going on would only fail again.
            Err(
                err @ (Error::Unauthorized { .. }
                | Error::InsufficientCredits { .. }
                | Error::RateLimited { .. }),
            ) => {
                stopped = Some((cli::EXIT_ERROR, cli::in_flags(&err.to_string())));
                break;
            }
            Err(err @ (Error::OutcomeUnknown { .. } | Error::Transport(_))) => {
                unanswered += 1;
                if unanswered >= 2 {
                    stopped = Some((
                        cli::EXIT_ERROR,
                        format!("{unanswered} withdrawals in a row got no answer: {err}"),
                    ));
                    break;
                }
            }
            // A refusal of this invitation only: the next one may go through.
            Err(_) => unanswered = 0,
        }
    }

    let withdrawal_credits = spent(&setup.config) - listed_credits;
    let attempted = tally.rows();
    let not_attempted = candidates.len() as u64 - attempted;
    let mut summary = format!(
        "{} withdrawn, {} unknown, {} failed",
        tally.withdrawn, tally.unknown, tally.failed
    );
    if tally.skipped > 0 {
        summary += &format!(", {} skipped", tally.skipped);
    }
    if not_attempted > 0 {
        summary += &format!(", {not_attempted} not attempted");
    }
    if enough && left_over == 0 {
        summary += &format!(
            "; the listing stopped at the {} this run may withdraw: more may be left for a \
             later run",
            candidates.len()
        );
    } else if left_over > 0 {
        summary += &format!(
            "; {} left for a later run (--max-withdrawals {}{})",
            cli::count(left_over as u64, "stale invitation"),
            flags.max,
            if enough {
                ", and maybe more: the listing stopped there"
            } else {
                ""
            }
        );
    }
    let mut spent = format!(
        "listing {}, withdrawals {}",
        cli::count(listed_credits, "credit"),
        cli::count(withdrawal_credits, "credit")
    );
    let possibly = setup.config.credits_possibly_used();
    if possibly > 0 {
        // A call with no answer may have been done, and charged.
        spent += &format!(", {possibly} of them possibly");
    }
    if tally.unknown > 0 {
        cli::say(format_args!(
            "note: an unknown withdrawal may have happened; {}",
            if journal.is_some() {
                "a listing run with the same journal (without --plan) settles it, or look on \
                 LinkedIn and record what you saw (--seen ID:gone or ID:pending)"
            } else {
                "run again and the listing shows whether it is still pending"
            }
        ));
    }
    let (code, word) = match stopped {
        Some((code, why)) => {
            let (what, word) = match code {
                cli::EXIT_BUDGET => ("stopped at", "budget"),
                cli::EXIT_INTERRUPTED => ("stopped:", "interrupted"),
                _ if closed => ("stopped:", "closed"),
                _ => ("stopped:", "error"),
            };
            cli::say(format_args!("{what} {why}\n{summary}; {spent}"));
            (ExitCode::from(code), word)
        }
        None if tally.unknown + tally.failed + tally.skipped > 0 => {
            cli::say(format_args!("done, not all withdrawn: {summary}; {spent}"));
            (ExitCode::from(cli::EXIT_ERROR), "done")
        }
        None => {
            if !setup.quiet {
                cli::say(format_args!("done: {summary}; {spent}"));
            }
            (ExitCode::SUCCESS, "done")
        }
    };
    Ended {
        code,
        stop: word,
        rows: tally.rows(),
        tally: Some(tally),
    }
}

/// Waits `interval`, or less if Ctrl-C or SIGTERM comes meanwhile.
fn pause(interval: Duration) {
    let until = std::time::Instant::now() + interval;
    while !cli::stopped() {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// On a terminal, shows what it is about to withdraw and asks; anything but yes is no.
fn confirm(candidates: &[&Invitation]) -> bool {
    for invitation in candidates {
        // A name cannot move the cursor or hide the entries around it.
        cli::say(format_args!(
            "  {}  {}",
            cli::sent_at(invitation),
            cli::visible(&invitation.name)
        ));
    }
    eprint!(
        "withdraw {}? [y/N] ",
        cli::count(candidates.len() as u64, "invitation")
    );
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES")
}

/// The message of a failed withdrawal, in the tool's words.
fn result_message<T>(result: &Result<T, Error>) -> String {
    match result {
        Ok(_) => String::new(),
        Err(err) => cli::in_flags(&err.to_string()),
    }
}

/// Prints a withdrawal's result line.
fn show(
    invitation: &Invitation,
    event: Event,
    message: Option<&str>,
    jsonl: bool,
) -> std::io::Result<()> {
    let result = event.word();
    let at = cli::sent_at(invitation);
    if jsonl {
        let line = Outcome {
            invitation_id: invitation.invitation_id.to_string(),
            name: &invitation.name,
            sent_at: (!at.is_empty()).then_some(at),
            result,
            message,
        };
        let line = cli::json_text(&line);
        return cli::out(format_args!("{line}"));
    }
    let result = match (event, message) {
        (Event::Failed | Event::Skipped, Some(message)) => {
            format!("{result}: {}", cli::tsv_cell(message))
        }
        _ => result.to_owned(),
    };
    // One line per invitation, whatever the name holds.
    let name = cli::tsv_cell(&invitation.name);
    cli::out(format_args!(
        "{}\t{name}\t{at}\t{result}",
        invitation.invitation_id
    ))
}

/// Ends a run early with one line (exit 1).
fn stop(message: &str) -> ExitCode {
    cli::say(format_args!("error: {message}; stopped"));
    ExitCode::from(cli::EXIT_ERROR)
}

/// `interval` times a random factor between one half and one and a half: a steady beat is
/// what automation looks like.
fn jittered(interval: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let fraction = (bits >> 11) as f64 / (1u64 << 53) as f64;
    interval.mul_f64(0.5 + fraction)
}

fn parse() -> Result<Flags, Usage> {
    let mut common = Common::default();
    let (mut days, mut jsonl) = (21, false);
    let (mut withdraw, mut yes) = (false, false);
    let (mut max, mut interval, mut journal) = (None, None, None);
    let mut account_label = None;
    let (mut per_day, mut plan, mut show, mut seen) = (None, None, false, None);
    let mut parser = cli::parser()?;
    while let Some(arg) = parser.next()? {
        let arg = Flag::from(arg);
        if common.take(&arg, &mut parser)? {
            continue;
        }
        match arg.long() {
            Some("days") => days = cli::number(&mut parser, "days")?,
            Some("format") => {
                jsonl = match cli::text(&mut parser, "format")?.as_str() {
                    "tsv" => false,
                    "jsonl" | "json" => true,
                    other => {
                        return Err(Usage::Bad(format!(
                            "--format is tsv or jsonl, got {}",
                            cli::quoted(other)
                        )))
                    }
                }
            }
            Some("withdraw") => withdraw = true,
            Some("yes") => yes = true,
            Some("max-withdrawals") => {
                let n: u32 = cli::number(&mut parser, "max-withdrawals")?;
                if n == 0 {
                    return Err(Usage::Bad(
                        "--max-withdrawals 0 would withdraw nothing: allow at least 1, or leave \
                         out --withdraw for a dry run"
                            .into(),
                    ));
                }
                max = Some(n);
            }
            Some("withdraw-interval") => {
                let value = cli::text(&mut parser, "withdraw-interval")?;
                let seconds = value
                    .parse::<f64>()
                    .ok()
                    .and_then(|s| Duration::try_from_secs_f64(s).ok())
                    .filter(|d| *d <= Duration::from_secs(3600));
                interval = Some(seconds.ok_or_else(|| {
                    Usage::Bad(format!(
                        "--withdraw-interval takes seconds, from 0 to 3600, got {}",
                        cli::quoted(&value)
                    ))
                })?);
            }
            Some("journal") => journal = Some(PathBuf::from(cli::value(&mut parser, "journal")?)),
            Some("max-per-day") => {
                let n: u32 = cli::number(&mut parser, "max-per-day")?;
                if n == 0 {
                    return Err(Usage::Bad(
                        "--max-per-day 0 would withdraw nothing: allow at least 1".into(),
                    ));
                }
                per_day = Some(n);
            }
            Some("plan") => plan = Some(PathBuf::from(cli::value(&mut parser, "plan")?)),
            Some("show") => show = true,
            Some("seen") => {
                let value = cli::text(&mut parser, "seen")?;
                let parsed = value.split_once(':').and_then(|(id, what)| {
                    let id: u64 = id.parse().ok().filter(|id| *id > 0)?;
                    let what = match what {
                        "gone" => Seen::Gone,
                        "pending" => Seen::Pending,
                        _ => return None,
                    };
                    Some((id, what))
                });
                seen = Some(parsed.ok_or_else(|| {
                    // An id and a word are shown back; anything else might be a secret given
                    // to the wrong flag.
                    let shown = match value.split_once(':') {
                        Some((id, what))
                            if id.bytes().all(|b| b.is_ascii_digit())
                                && what.len() <= 12
                                && what.bytes().all(|b| b.is_ascii_alphabetic()) =>
                        {
                            format!("{value:?}")
                        }
                        _ => cli::quoted(&value),
                    };
                    Usage::Bad(format!(
                        "--seen takes ID:gone or ID:pending (what you saw on LinkedIn of an \
                         unknown withdrawal), got {shown}"
                    ))
                })?);
            }
            Some("account-label") => {
                let label = cli::text(&mut parser, "account-label")?;
                if label.trim().is_empty() || label.chars().count() > 100 {
                    return Err(Usage::Bad(
                        "--account-label takes a name of 1 to 100 characters, such as the \
                         account's e-mail address"
                            .into(),
                    ));
                }
                account_label = Some(label);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    common.check()?;
    // The journal alone: show it, or record what was seen; no listing, no key needed.
    if show || seen.is_some() {
        let Some(path) = journal.clone() else {
            return Err(Usage::Bad(
                "--show and --seen are of a journal: pass --journal FILE".into(),
            ));
        };
        if withdraw || plan.is_some() {
            return Err(Usage::Bad(
                "--show and --seen only read or note the journal: leave out --withdraw and --plan"
                    .into(),
            ));
        }
        return Ok(Flags {
            common,
            days,
            jsonl,
            withdraw: None,
            plan: None,
            plan_max: None,
            show: show.then(|| path.clone()),
            seen: seen.map(|(id, what)| (path, id, what)),
        });
    }
    if !withdraw {
        let given = [
            (yes, "--yes"),
            // A plan of at most N: the listing stops once it holds them.
            (max.is_some() && plan.is_none(), "--max-withdrawals"),
            (per_day.is_some(), "--max-per-day"),
            (interval.is_some(), "--withdraw-interval"),
            (journal.is_some(), "--journal"),
            (account_label.is_some(), "--account-label"),
        ];
        if let Some((_, flag)) = given.iter().find(|(given, _)| *given) {
            return Err(Usage::Bad(format!(
                "{flag} is for --withdraw: add --withdraw to withdraw, or leave {flag} out for a \
                 dry run"
            )));
        }
    }
    if withdraw && common.connect {
        return Err(Usage::Bad(
            "--connect-account only prints the account id: leave out --withdraw".into(),
        ));
    }
    if withdraw && !yes && !std::io::stdin().is_terminal() {
        return Err(Usage::Bad(
            "--withdraw asks before acting and stdin is not a terminal: pass --yes to withdraw \
             without asking"
                .into(),
        ));
    }
    if withdraw && plan.is_some() && journal.is_none() {
        return Err(Usage::Bad(
            "--withdraw --plan withdraws through the journal: pass --journal FILE".into(),
        ));
    }
    let plan_max = if withdraw { None } else { max };
    let withdraw = withdraw.then(|| Withdraw {
        max: max.unwrap_or(40),
        per_day: per_day.unwrap_or(40),
        interval: interval.unwrap_or(Duration::from_secs(4)),
        journal,
        account_label,
        yes,
    });
    Ok(Flags {
        common,
        days,
        jsonl,
        withdraw,
        plan,
        plan_max,
        show: None,
        seen: None,
    })
}
