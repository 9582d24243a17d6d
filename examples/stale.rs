//! Lists pending invitations sent `--days N` or more days ago (default 21), oldest first: the
//! ones worth withdrawing.
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
use std::time::SystemTime;

use cli::{Common, Flag, Next, Usage};
use linkup_sent_invitations::{Invitation, InvitationState};
use serde::Serialize;

const USAGE: &str = "List pending LinkedIn invitations older than a number of days, oldest first.

Usage: stale [FLAGS]

  --days N             list invitations sent N or more days ago (default 21)
  --format FORMAT      tsv (default, with a header line) or jsonl (json is the same)
";

/// A JSON line: the invitation, its exact sent time and its age.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    invitation: &'a Invitation,
    sent_at: Option<String>,
    days: u32,
}

fn main() -> ExitCode {
    let help = format!("{USAGE}{}", cli::COMMON_USAGE);
    let (common, days, jsonl) = match parse() {
        Ok(parsed) => parsed,
        Err(usage) => return cli::usage_exit(usage, "stale", &help),
    };
    let mut setup = match cli::setup(&common, "stale", true) {
        Ok(setup) => setup,
        Err(usage) => return cli::usage_exit(usage, "stale", &help),
    };
    if common.connect {
        return cli::connect(&setup);
    }

    let now = SystemTime::now();
    let mut stale: Vec<(u32, Invitation)> = Vec::new();
    let mut unreadable = 0u64;
    let end = cli::walk(&mut setup, |invitation| {
        let Some(age) = cli::age_in_days(&invitation, now) else {
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
    if matches!(end, cli::End::Failed(_)) {
        // The error, what was spent and where to resume are printed; no partial results.
        return cli::finish(&setup, end, "");
    }
    // Oldest first, whatever order the pages came in.
    stale.sort_by_key(|(age, i)| (std::cmp::Reverse(*age), i.invitation_id));
    let mut written = 0u64;
    if jsonl
        || cli::out(format_args!(
            "days\tsent_at\tinvitation_id\tname\tprofile_url"
        ))
        .is_ok()
    {
        for (age, i) in &stale {
            let at = cli::sent_at(i);
            let line = if jsonl {
                let line = Line {
                    invitation: i,
                    sent_at: (!at.is_empty()).then_some(at),
                    days: *age,
                };
                serde_json::to_string(&line).expect("an Invitation always serialises")
            } else {
                let url = i.profile_url.as_deref().unwrap_or("");
                format!("{age}\t{at}\t{}\t{}\t{url}", i.invitation_id, i.name)
            };
            if cli::out(format_args!("{line}")).is_err() {
                break;
            }
            written += 1;
        }
    }
    if unreadable > 0 {
        eprintln!(
            "{} with no age this tool can read (no time in the id, and wording it does not \
             know); skipped",
            cli::count(unreadable, "invitation")
        );
    }
    let summary = format!(
        "{} sent {days} or more days ago",
        cli::count(written, "pending invitation")
    );
    cli::finish(&setup, end, &summary)
}

/// The flags: the common ones, then stale's own.
fn parse() -> Result<(Common, u32, bool), Usage> {
    let mut common = Common::default();
    let (mut days, mut jsonl) = (21, false);
    let mut parser = lexopt::Parser::from_env();
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
                            "--format is tsv or jsonl, got {other:?}"
                        )))
                    }
                }
            }
            _ => return Err(arg.unexpected()),
        }
    }
    common.check()?;
    Ok((common, days, jsonl))
}
