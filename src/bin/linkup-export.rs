//! Exports sent invitations as JSON Lines (default) or CSV on stdout, newest first, each with
//! its exact sent time (`sent_at`, RFC 3339, from the id).
//!
//! ```text
//! LINKUP_API_KEY=... LINKUP_ACCOUNT_ID=... linkup-export --max-credits 20 > invitations.jsonl
//! ```
//!
//! Progress and retries go to stderr. When the credit budget stops it (exit code 3), it prints
//! where to resume: run it again with `--resume POINT` to go on without paying for a page twice
//! or missing one. Every run that wrote an invitation prints the newest id; with
//! `--after-id ID` a later run exports only what is newer, which costs one credit a day for a
//! daily export of fewer than a page of new invitations.

#[path = "support/cli.rs"]
mod cli;

use std::process::ExitCode;

use cli::{Common, End, Flag, Next, Usage};
use linkup_sent_invitations::Invitation;
use serde_json::Value;

const USAGE: &str = "Export sent LinkedIn invitations through the LinkUp API, newest first.

Usage: linkup-export [FLAGS] > invitations.jsonl

  --format FORMAT      jsonl (the default; json is the same: one JSON object per line) or csv
  --after-id ID        only invitations newer than ID (the newest id a previous run printed):
                       stops after the first page that reaches it
";

const CSV_HEADER: &str = "invitation_id,name,profile_url,subtitle,sent_time,sent_at,\
sent_days_ago,invitation_state,invitation_type,message,entity_urn,profile_picture";

/// A JSON line: the invitation as the API gives it, its id as a string (exact in every
/// reader: jq 1.6 and JavaScript read ids above 2^53 as doubles, which lose digits), and its
/// exact sent time.
fn json_line(invitation: &Invitation) -> String {
    let mut line = serde_json::to_value(invitation).expect("an Invitation always serialises");
    line["invitation_id"] = Value::String(invitation.invitation_id.to_string());
    let at = cli::sent_at(invitation);
    if !at.is_empty() {
        line["sent_at"] = Value::String(at);
    }
    cli::json_text(&line)
}

fn main() -> ExitCode {
    let help = format!("{USAGE}{}", cli::COMMON_USAGE);
    let (common, csv, after) = match parse() {
        Ok(parsed) => parsed,
        Err(usage) => return cli::usage_exit(usage, "linkup-export", &help),
    };
    let mut setup = match cli::setup(&common, "linkup-export", false, false) {
        Ok(setup) => setup,
        Err(usage) => return cli::usage_exit(usage, "linkup-export", &help),
    };
    if common.connect {
        return cli::connect(&setup);
    }
    // A resumed export stops where its chain began: at the --after-id the first run had.
    let after = after.or(setup.carried.after);
    setup.carried.after = after;
    // The newest id of the whole export: this run's, or the one its chain carries (a
    // resumed run's rows are older). A chain that did not carry it cannot be vouched for.
    let resumed = common.resumed();
    let vouch = !resumed || setup.carried.newest.is_some();
    if csv && cli::out(format_args!("{CSV_HEADER}")).is_err() {
        cli::say(format_args!(
            "stopped: the output was closed before anything was written"
        ));
        return ExitCode::from(cli::EXIT_ERROR);
    }
    let mut written = 0u64;
    let end = cli::walk(&mut setup, |invitation, carried| {
        // Ids are time-ordered: at or below the last run's newest, the rest is already out.
        if after.is_some_and(|after| invitation.invitation_id <= after) {
            return Ok(Next::Enough);
        }
        if csv {
            cli::out(format_args!("{}", csv_row(&invitation)))?;
        } else {
            cli::out(format_args!("{}", json_line(&invitation)))?;
        }
        written += 1;
        if vouch {
            carried.newest = carried.newest.max(Some(invitation.invitation_id));
        }
        Ok(Next::More)
    });
    let complete = matches!(end, End::Done);
    let code = cli::finish(&setup, end, &cli::count(written, "invitation"));
    if written == 0 && resumed && complete {
        cli::say(format_args!(
            "note: the resume point matched nothing in this account's list (no invitation \
             older than the one it names): it may come from another account, --type or API \
             generation"
        ));
    }
    // The hint for the next daily run, only when this export reached from the newest end to
    // where it stops, in this run or in the chain of resumed runs it carries: never after a
    // budget stop, an error or a closed output, which would skip what was not written.
    if complete && !setup.quiet {
        match (vouch, setup.carried.newest, after) {
            (true, Some(id), _) => cli::say(format_args!(
                "newest id: {id}; next time pass --after-id {id}"
            )),
            (true, None, Some(after)) => cli::say(format_args!(
                "nothing newer than {after}; next time pass --after-id {after} again"
            )),
            (true, None, None) => {}
            (false, ..) => cli::say(format_args!(
                "no --after-id to give: the run this one resumes did not carry its newest id \
                 (resume with the whole text a stopped run printed)"
            )),
        }
    }
    code
}

/// The flags: the common ones, then export's own.
fn parse() -> Result<(Common, bool, Option<u64>), Usage> {
    let mut common = Common::default();
    let (mut csv, mut after) = (false, None);
    let mut parser = cli::parser()?;
    while let Some(arg) = parser.next()? {
        let arg = Flag::from(arg);
        if common.take(&arg, &mut parser)? {
            continue;
        }
        match arg.long() {
            Some("format") => {
                csv = match cli::text(&mut parser, "format")?.as_str() {
                    "jsonl" | "json" => false,
                    "csv" => true,
                    other => {
                        return Err(Usage::Bad(format!(
                            "--format is jsonl or csv, got {}",
                            cli::quoted(other)
                        )))
                    }
                }
            }
            Some("after-id") => after = Some(cli::number(&mut parser, "after-id")?),
            _ => return Err(arg.unexpected()),
        }
    }
    common.check()?;
    if let (Some(given), Some(carried)) = (after, common.carried.after) {
        if given != carried {
            return Err(Usage::Bad(format!(
                "--after-id {given} differs from the one the resume point carries ({carried}): \
                 leave --after-id out when resuming"
            )));
        }
    }
    Ok((common, csv, after))
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
        cli::sent_at(i),
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
    .map(|field| cli::csv_cell(field))
    .collect::<Vec<_>>()
    .join(",")
}
