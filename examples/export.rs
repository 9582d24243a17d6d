//! Exports every sent invitation as JSON Lines (default) or CSV on stdout.
//!
//! ```text
//! LINKUP_API_KEY=... LINKUP_LOGIN_TOKEN=... cargo run --example export -- --max-credits 20 > invitations.jsonl
//! ```
//!
//! Progress goes to stderr. When the credit budget stops it (exit code 3), it prints the page to
//! resume from: run it again with `--start-page N` to continue without paying for a page twice.

#[path = "support/cli.rs"]
mod cli;

use std::process::ExitCode;

use cli::{Flags, Usage};
use linkup_sent_invitations::Invitation;

const USAGE: &str = "Export sent LinkedIn invitations through the LinkUp API.

Usage: export [FLAGS] > invitations.jsonl

  --format FORMAT      jsonl (default: one JSON object per line) or csv";

const CSV_HEADER: &str = "invitation_id,name,profile_url,subtitle,sent_time,sent_days_ago,\
invitation_state,invitation_type,message,entity_urn,profile_picture";

fn main() -> ExitCode {
    let usage = format!("{USAGE}\n{}", cli::COMMON_USAGE);
    let mut allowed = cli::COMMON_FLAGS.to_vec();
    allowed.push("format");
    let parsed = Flags::parse(std::env::args().skip(1), &allowed).and_then(|flags| {
        let csv = match flags.get("format").unwrap_or("jsonl") {
            "jsonl" | "json" => false,
            "csv" => true,
            other => {
                return Err(Usage::Bad(format!(
                    "--format is jsonl or csv, got {other:?}"
                )))
            }
        };
        Ok((cli::paginator(&flags)?, csv))
    });
    let (mut pages, csv) = match parsed {
        Ok(parsed) => parsed,
        Err(usage_error) => return cli::usage_exit(usage_error, &usage),
    };
    if csv {
        if cli::out(format_args!("{CSV_HEADER}")).is_err() {
            return ExitCode::SUCCESS;
        }
        cli::walk(&mut pages, |i| cli::out(format_args!("{}", csv_row(&i))))
    } else {
        cli::walk(&mut pages, |i| {
            let line = serde_json::to_string(&i).expect("an Invitation always serialises");
            cli::out(format_args!("{line}"))
        })
    }
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
