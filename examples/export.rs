//! Exports sent invitations as JSON Lines (default) or CSV on stdout, newest first.
//!
//! ```text
//! LINKUP_API_KEY=... LINKUP_ACCOUNT_ID=... cargo run --example export -- --max-credits 20 > invitations.jsonl
//! ```
//!
//! Progress goes to stderr. When the credit budget stops it (exit code 3), it prints the page to
//! resume from: run it again with `--start-page N` to continue without paying for a page twice.
//! With `--after-id ID` it exports only what is newer than a previous run's newest invitation,
//! which costs one credit a day for a daily export of fewer than a page of new invitations.

#[path = "support/cli.rs"]
mod cli;

use std::process::ExitCode;

use cli::{Flags, Next, Usage};
use linkup_sent_invitations::Invitation;

const USAGE: &str = "Export sent LinkedIn invitations through the LinkUp API, newest first.

Usage: export [FLAGS] > invitations.jsonl

  --format FORMAT      jsonl (default: one JSON object per line) or csv
  --after-id ID        only invitations newer than ID (the newest id a previous run printed):
                       stops after the first page that reaches it
  --start-page N       start at page N, from 1: resume where a budget stop said";

const CSV_HEADER: &str = "invitation_id,name,profile_url,subtitle,sent_time,sent_days_ago,\
invitation_state,invitation_type,message,entity_urn,profile_picture";

fn main() -> ExitCode {
    let help = format!("{USAGE}\n{}", cli::COMMON_USAGE);
    let mut valued = cli::COMMON_FLAGS.to_vec();
    valued.extend(["format", "after-id", "start-page"]);
    let parsed =
        Flags::parse(std::env::args().skip(1), &valued, &cli::COMMON_SWITCHES).and_then(|flags| {
            let csv = match flags.get("format").unwrap_or("jsonl") {
                "jsonl" | "json" => false,
                "csv" => true,
                other => {
                    return Err(Usage::Bad(format!(
                        "--format is jsonl or csv, got {other:?}"
                    )))
                }
            };
            let after = flags.number::<u64>("after-id")?;
            let start = flags.number::<u32>("start-page")?;
            if start == Some(0) {
                return Err(Usage::Bad("--start-page counts from 1".into()));
            }
            if after.is_some() && start.is_some() {
                return Err(Usage::Bad(
                    "--after-id walks from the newest invitation: leave out --start-page".into(),
                ));
            }
            Ok((cli::setup(&flags, "export", start)?, csv, after))
        });
    let (mut setup, csv, after) = match parsed {
        Ok(parsed) => parsed,
        Err(usage) => return cli::usage_exit(usage, "export", &help),
    };
    if csv && cli::out(format_args!("{CSV_HEADER}")).is_err() {
        return ExitCode::SUCCESS;
    }
    let mut newest: Option<u64> = None;
    let status = cli::walk(&mut setup, after.is_none(), |invitation| {
        // Ids are time-ordered: at or below the last run's newest, the rest is already out.
        if after.is_some_and(|after| invitation.invitation_id <= after) {
            return Ok(Next::Enough);
        }
        newest = newest.max(Some(invitation.invitation_id));
        if csv {
            cli::out(format_args!("{}", csv_row(&invitation)))?;
        } else {
            let line = serde_json::to_string(&invitation).expect("an Invitation always serialises");
            cli::out(format_args!("{line}"))?;
        }
        Ok(Next::More)
    });
    if let Some(after) = after {
        match newest {
            Some(id) => eprintln!("newest id: {id}; next time pass --after-id {id}"),
            None => eprintln!(
                "no invitation newer than {after}; next time pass --after-id {after} again"
            ),
        }
    }
    status
}

fn csv_row(i: &Invitation) -> String {
    let days = i.sent_days_ago().map(|d| d.to_string());
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").to_owned();
    [
        i.invitation_id.to_string(),
        i.name.clone(),
        text(&i.profile_url),
        text(&i.subtitle),
        text(&i.sent_time),
        days.unwrap_or_default(),
        i.invitation_state
            .as_ref()
            .map_or(String::new(), |s| s.to_string()),
        i.invitation_type
            .as_ref()
            .map_or(String::new(), |t| t.to_string()),
        text(&i.message),
        text(&i.entity_urn),
        text(&i.profile_picture),
    ]
    .iter()
    .map(|field| csv_field(field))
    .collect::<Vec<_>>()
    .join(",")
}

/// RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
