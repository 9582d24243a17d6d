//! Lists pending invitations sent `--days N` or more days ago (default 21), oldest first: the
//! ones worth withdrawing, by hand or with LinkUp's withdraw call.
//!
//! ```text
//! LINKUP_API_KEY=... LINKUP_LOGIN_TOKEN=... cargo run --example stale -- --days 30
//! ```
//!
//! Each line is tab-separated: days ago, invitation id, name, profile URL.

#[path = "support/cli.rs"]
mod cli;

use std::process::ExitCode;

use cli::Flags;
use linkup_sent_invitations::{Invitation, InvitationState};

const USAGE: &str = "List pending LinkedIn invitations older than a number of days, oldest first.

Usage: stale [FLAGS]

  --days N             list invitations sent N or more days ago (default 21)";

fn main() -> ExitCode {
    let usage = format!("{USAGE}\n{}", cli::COMMON_USAGE);
    let mut allowed = cli::COMMON_FLAGS.to_vec();
    allowed.push("days");
    let parsed = Flags::parse(std::env::args().skip(1), &allowed).and_then(|flags| {
        Ok((
            cli::paginator(&flags)?,
            flags.number::<u32>("days")?.unwrap_or(21),
        ))
    });
    let (mut pages, days) = match parsed {
        Ok(parsed) => parsed,
        Err(usage_error) => return cli::usage_exit(usage_error, &usage),
    };

    // Collect first: "oldest first" needs every page, and a page holds only ten.
    let mut stale: Vec<(u32, Invitation)> = Vec::new();
    let mut unreadable = 0;
    let status = cli::walk(&mut pages, |invitation| {
        if invitation.invitation_state != Some(InvitationState::Pending) {
            return Ok(());
        }
        match invitation.sent_days_ago() {
            Some(age) if age >= days => stale.push((age, invitation)),
            Some(_) => {}
            None => unreadable += 1,
        }
        Ok(())
    });
    stale.sort_by_key(|(age, _)| std::cmp::Reverse(*age));
    for (age, i) in &stale {
        let url = i.profile_url.as_deref().unwrap_or("-");
        if cli::out(format_args!(
            "{age}\t{}\t{}\t{url}",
            i.invitation_id, i.name
        ))
        .is_err()
        {
            break;
        }
    }
    eprintln!(
        "{} pending invitations sent {days} or more days ago",
        stale.len()
    );
    if unreadable > 0 {
        eprintln!(
            "{unreadable} pending invitations have a sent_time this tool cannot read; skipped"
        );
    }
    status
}
