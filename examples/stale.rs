//! Lists pending invitations sent `--days N` or more days ago (default 21), oldest first: the
//! ones worth withdrawing, by hand or with LinkUp's withdraw call.
//!
//! ```text
//! LINKUP_API_KEY=... LINKUP_ACCOUNT_ID=... cargo run --example stale -- --days 30
//! ```
//!
//! It walks from the oldest end and stops at the first invitation younger than that, so it pays
//! only for the pages that hold old invitations (plus one to learn where the end is). Ages come
//! from the time in each invitation's id, exact in any language, else from LinkedIn's wording.

#[path = "support/cli.rs"]
mod cli;

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use cli::{Flags, Next, Usage};
use linkup_sent_invitations::{Invitation, InvitationState};

const USAGE: &str = "List pending LinkedIn invitations older than a number of days, oldest first.

Usage: stale [FLAGS]

  --days N             list invitations sent N or more days ago (default 21)
  --format FORMAT      tsv (default, with a header line) or jsonl";

const DAY: Duration = Duration::from_secs(86_400);

fn main() -> ExitCode {
    let help = format!("{USAGE}\n{}", cli::COMMON_USAGE);
    let mut valued = cli::COMMON_FLAGS.to_vec();
    valued.extend(["days", "format"]);
    let parsed =
        Flags::parse(std::env::args().skip(1), &valued, &cli::COMMON_SWITCHES).and_then(|flags| {
            let days = flags.number::<u32>("days")?.unwrap_or(21);
            let jsonl = match flags.get("format").unwrap_or("tsv") {
                "tsv" => false,
                "jsonl" | "json" => true,
                other => {
                    return Err(Usage::Bad(format!(
                        "--format is tsv or jsonl, got {other:?}"
                    )))
                }
            };
            Ok((cli::setup(&flags, "stale", None)?, days, jsonl))
        });
    let (mut setup, days, jsonl) = match parsed {
        Ok(parsed) => parsed,
        Err(usage) => return cli::usage_exit(usage, "stale", &help),
    };
    setup.pages = setup.pages.oldest_first();

    let now = SystemTime::now();
    let mut stale: Vec<(u32, Invitation)> = Vec::new();
    let mut unreadable = 0u64;
    let status = cli::walk(&mut setup, false, |invitation| {
        let age = match invitation.sent_at() {
            Some(at) => {
                Some((now.duration_since(at).unwrap_or_default().as_secs() / DAY.as_secs()) as u32)
            }
            None => invitation.sent_days_ago(),
        };
        let Some(age) = age else {
            unreadable += 1;
            return Ok(Next::More);
        };
        if age < days {
            // Oldest first: everything after this one is younger still.
            return Ok(Next::Enough);
        }
        if invitation.invitation_state == Some(InvitationState::Pending) {
            stale.push((age, invitation));
        }
        Ok(Next::More)
    });
    // Oldest first, whatever order the pages came in.
    stale.sort_by_key(|(age, i)| (std::cmp::Reverse(*age), i.invitation_id));
    if !jsonl && cli::out(format_args!("days\tinvitation_id\tname\tprofile_url")).is_err() {
        return ExitCode::SUCCESS;
    }
    for (age, i) in &stale {
        let written = if jsonl {
            let line = serde_json::to_string(i).expect("an Invitation always serialises");
            cli::out(format_args!("{line}"))
        } else {
            let url = i.profile_url.as_deref().unwrap_or("");
            cli::out(format_args!(
                "{age}\t{}\t{}\t{url}",
                i.invitation_id, i.name
            ))
        };
        if written.is_err() {
            break;
        }
    }
    eprintln!(
        "{} sent {days} or more days ago, for {}",
        cli::count(stale.len() as u64, "pending invitation"),
        cli::count(setup.pages.credits_used(), "credit")
    );
    if unreadable > 0 {
        eprintln!(
            "{} with no age this tool can read (no time in the id, and wording it does not \
             know); skipped",
            cli::count(unreadable, "invitation")
        );
    }
    status
}
