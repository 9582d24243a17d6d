//! Exports sent invitations as JSON Lines (default) or CSV, newest first, each with its exact
//! sent time (`sent_at`, RFC 3339, from the id) and age in days.
//!
//! ```text
//! LINKUP_API_KEY=... LINKUP_ACCOUNT_ID=... linkup-export --output invitations.csv
//! ```
//!
//! With `--output FILE` it keeps the export in FILE across runs: each run appends only what FILE
//! lacks (the header once), and where to go on is kept beside it, in `FILE.state`, committed
//! after each page is on disk; a run stopped any way (the budget, an error, SIGINT, `kill -9`,
//! a full disk) leaves FILE and its state agreeing, and the next run goes on from there (rows
//! past the last commit are cut). On stdout it prints, when stopped, where to resume
//! (`--resume POINT`), and after a complete export the newest id (`--after-id ID` then exports
//! only what is newer).

#[path = "support/cli.rs"]
mod cli;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use cli::{Carried, Common, End, Flag, Next, Usage};
use linkup_sent_invitations::{Invitation, Paginator};
use serde::{Deserialize, Serialize};
use serde_json::Value;

const USAGE: &str = "Export sent LinkedIn invitations through the LinkUp API, newest first.

Usage: linkup-export [FLAGS] > invitations.jsonl
       linkup-export [FLAGS] --output invitations.csv

  --output FILE        keep the export in FILE (CSV or JSON Lines, by its extension or
                       --format): each run appends only what FILE lacks, the header once, and
                       keeps where to go on in FILE.state, so that a run stopped any way (the
                       budget, an error, Ctrl-C, kill -9) loses and repeats nothing; run it
                       again, daily, and it goes on or fetches only what is new
  --format FORMAT      jsonl (the default; json is the same: one JSON object per line) or csv
  --after-id ID        only invitations newer than ID (the newest id a previous run printed):
                       stops after the first page that reaches it
";

const CSV_HEADER: &str = "invitation_id,name,profile_url,subtitle,sent_time,sent_at,\
sent_days_ago,invitation_state,invitation_type,message,entity_urn,profile_picture";

/// A JSON line: the invitation as the API gives it, its id as a string (exact in every
/// reader: jq 1.6 and JavaScript read ids above 2^53 as doubles, which lose digits), its
/// exact sent time and its age in whole days, from the id (LinkedIn's rounded wording stays in
/// `sent_time`).
fn json_line(invitation: &Invitation, now: SystemTime) -> String {
    let mut line = serde_json::to_value(invitation).expect("an Invitation always serialises");
    line["invitation_id"] = Value::String(invitation.invitation_id.to_string());
    let at = cli::sent_at(invitation);
    if !at.is_empty() {
        line["sent_at"] = Value::String(at);
    }
    if let Some(days) = cli::age_in_days(invitation, now) {
        line["sent_days_ago"] = days.into();
    }
    cli::json_text(&line)
}

/// A CSV row, its cells quoted as OWASP recommends; `sent_days_ago` exact, from the id.
fn csv_row(i: &Invitation, now: SystemTime) -> String {
    let days = cli::age_in_days(i, now).map(|d| d.to_string());
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

/// What `FILE.state` holds: how much of FILE is committed, and where to go on.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct State {
    /// FILE's committed length: a longer FILE has rows a stopped run wrote past its last
    /// commit, cut on the next run.
    bytes: u64,
    rows: u64,
    /// The newest id of the last complete export: a new run exports only what is newer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    complete_through: Option<String>,
    /// Where a stopped chain of runs goes on: a resume token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resume: Option<String>,
}

/// `--output FILE`: the file, its state, and the rows of the page under way.
struct Output {
    path: PathBuf,
    state_path: PathBuf,
    file: File,
    state: State,
    /// The page under way, written and committed whole by [`Output::commit`].
    pending: Vec<u8>,
    pending_rows: u64,
}

/// `FILE.state`, beside FILE.
fn state_path(path: &Path) -> PathBuf {
    let mut state_name = path.file_name().unwrap_or_default().to_owned();
    state_name.push(".state");
    path.with_file_name(state_name)
}

impl State {
    /// FILE's state as it is on disk (none yet: the default), without writing anything.
    fn read(path: &Path) -> Result<State, String> {
        let shown = cli::visible(&path.to_string_lossy()).into_owned();
        let state_path = state_path(path);
        match std::fs::read(&state_path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| {
                format!(
                    "--output {shown}: its state {} is not one this tool wrote ({err}): remove \
                     both to start again",
                    state_path.display()
                )
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(err) => Err(format!("--output {shown}: cannot read its state ({err})")),
        }
    }
}

impl Output {
    /// Opens FILE and holds it (a second run on it is refused before it pays for anything),
    /// then cuts what a stopped run wrote past its last commit. `expected` is the state the
    /// run was set up from: one that changed since (another run ended meanwhile) is refused.
    fn open(path: &Path, csv: bool, expected: &State) -> Result<Output, String> {
        let shown = cli::visible(&path.to_string_lossy()).into_owned();
        let state_path = state_path(path);
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_file() {
                return Err(format!("--output {shown}: not a regular file"));
            }
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|err| format!("--output {shown}: cannot be opened for writing ({err})"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "--output {shown} is being written by another linkup-export run: nothing \
                     sent; run again when it has ended"
                ))
            }
            Err(std::fs::TryLockError::Error(err)) => {
                return Err(format!("--output {shown}: cannot be locked ({err})"))
            }
        }
        // Read again, held: what a run that ended meanwhile committed is not overwritten.
        let state = State::read(path)?;
        if state != *expected {
            return Err(format!(
                "--output {shown} changed while this run started (another run ended \
                 meanwhile): nothing sent; run again"
            ));
        }
        let len = file
            .metadata()
            .map_err(|err| format!("--output {shown}: cannot be read ({err})"))?
            .len();
        if len < state.bytes {
            return Err(format!(
                "--output {shown} is shorter ({len} bytes) than its state says ({} bytes): it \
                 was edited or replaced; remove {} to start again",
                state.bytes,
                state_path.display()
            ));
        }
        if len > 0 && state.bytes == 0 && !state_path.exists() {
            return Err(format!(
                "--output {shown} has rows but no state beside it ({}): pass a new file, or \
                 remove it to export again",
                state_path.display()
            ));
        }
        // Rows past the last commit: written by a run stopped before committing them.
        file.set_len(state.bytes)
            .and_then(|()| file.sync_data())
            .map_err(|err| format!("--output {shown}: cannot be written ({err})"))?;
        let new = !state_path.exists();
        let mut output = Output {
            path: path.to_owned(),
            state_path,
            file,
            state,
            pending: Vec::new(),
            pending_rows: 0,
        };
        if new {
            // The state first, before any row: a run stopped after its first rows leaves FILE
            // with a state that says to cut them.
            output
                .save()
                .map_err(|err| format!("--output {shown}: cannot write its state ({err})"))?;
        }
        if csv && output.state.bytes == 0 {
            output.pending.extend_from_slice(CSV_HEADER.as_bytes());
            output.pending.push(b'\n');
            output
                .commit(None)
                .map_err(|err| format!("--output {shown}: cannot be written ({err})"))?;
        }
        Ok(output)
    }

    fn row(&mut self, line: &str) {
        self.pending.extend_from_slice(line.as_bytes());
        self.pending.push(b'\n');
        self.pending_rows += 1;
    }

    /// Writes the page under way to FILE, syncs it, then writes the state (a new file synced,
    /// renamed over the old, the folder synced): at any instant of a crash, the state on disk
    /// names a length FILE has, and FILE past it holds only rows the next run cuts.
    fn commit(&mut self, resume: Option<String>) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        self.file.seek(SeekFrom::Start(self.state.bytes))?;
        self.file.write_all(&self.pending)?;
        self.file.sync_data()?;
        self.state.bytes += self.pending.len() as u64;
        self.state.rows += self.pending_rows;
        self.pending.clear();
        self.pending_rows = 0;
        self.state.resume = resume;
        self.save()
    }

    fn save(&self) -> std::io::Result<()> {
        let mut tmp_name = self.state_path.file_name().unwrap_or_default().to_owned();
        tmp_name.push(".tmp");
        let tmp = self.state_path.with_file_name(tmp_name);
        let mut file = File::create(&tmp)?;
        file.write_all(&serde_json::to_vec(&self.state).unwrap_or_default())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &self.state_path)?;
        let folder = match self.state_path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => Path::new("."),
        };
        File::open(folder)?.sync_all()
    }
}

fn main() -> ExitCode {
    let help = format!("{USAGE}{}", cli::COMMON_USAGE);
    let (mut common, csv, after, output_path) = match parse() {
        Ok(parsed) => parsed,
        Err(usage) => return cli::usage_exit(usage, "linkup-export", &help),
    };
    // --output: where to go on is the state's, not a flag's. Read first, for the setup;
    // FILE is created, held and cut only once the flags and the environment passed, so a
    // mistake leaves no file behind.
    let mut state = None;
    if let Some(path) = &output_path {
        match State::read(path) {
            Ok(read) => {
                if let Some(token) = &read.resume {
                    if let Err(usage) = common.resume_from(token) {
                        return cli::usage_exit(usage, "linkup-export", &help);
                    }
                }
                state = Some(read);
            }
            Err(why) => return cli::usage_exit(Usage::Bad(why), "linkup-export", &help),
        }
    }
    let mut setup = match cli::setup(&common, "linkup-export", false, false) {
        Ok(setup) => setup,
        Err(usage) => return cli::usage_exit(usage, "linkup-export", &help),
    };
    if common.connect {
        return cli::connect(&setup);
    }
    let mut output = None;
    let mut complete_through = None;
    if let (Some(path), Some(state)) = (&output_path, &state) {
        match Output::open(path, csv, state) {
            Ok(opened) => {
                complete_through = opened
                    .state
                    .complete_through
                    .as_deref()
                    .and_then(|id| id.parse::<u64>().ok());
                output = Some(opened);
            }
            Err(why) => return cli::usage_exit(Usage::Bad(why), "linkup-export", &help),
        }
    }
    // A resumed export stops where its chain began: at the --after-id the first run had.
    let after = after.or(setup.carried.after).or(complete_through);
    setup.carried.after = after;
    let now = SystemTime::now();
    if let Some(after) = after {
        // An id older than a year is no daily export's last: a typo, or another account's.
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(after >> 22);
        let old = now
            .duration_since(at)
            .is_ok_and(|age| age.as_secs() > 365 * 86_400);
        if old && !setup.quiet {
            cli::say(format_args!(
                "warning: --after-id {after} is older than a year (or carries no time): a typo, \
                 or another account's id? everything newer is exported"
            ));
        }
    }
    // The newest id of the whole export: this run's, or the one its chain carries (a
    // resumed run's rows are older). A chain that did not carry it cannot be vouched for.
    let resumed = common.resumed();
    let vouch = !resumed || setup.carried.newest.is_some();
    if csv && output.is_none() && cli::out(format_args!("{CSV_HEADER}")).is_err() {
        cli::say(format_args!(
            "stopped: the output was closed before anything was written"
        ));
        return ExitCode::from(cli::EXIT_ERROR);
    }
    let mut written = 0u64;
    let mut newest_listed = None;
    setup.watch_stdout = output.is_none();
    let output_cell = std::cell::RefCell::new(output);
    let end = cli::walk(
        &mut setup,
        |invitation, carried| {
            newest_listed = newest_listed.max(Some(invitation.invitation_id));
            // Ids are time-ordered: at or below the last run's newest, the rest is already out.
            if after.is_some_and(|after| invitation.invitation_id <= after) {
                return Ok(Next::Enough);
            }
            let line = if csv {
                csv_row(&invitation, now)
            } else {
                json_line(&invitation, now)
            };
            match output_cell.borrow_mut().as_mut() {
                Some(output) => output.row(&line),
                None => cli::out(format_args!("{line}"))?,
            }
            written += 1;
            if vouch {
                carried.newest = carried.newest.max(Some(invitation.invitation_id));
            }
            Ok(Next::More)
        },
        |pages: &Paginator, carried: &Carried, last: bool| match output_cell.borrow_mut().as_mut() {
            // Each page on disk, and where to go on after it, before the next is paid for; the
            // last page's commit says the chain is complete, in the same write.
            Some(output) => {
                let resume = match last {
                    true => None,
                    false => pages.resume_point().map(|point| carried.token(point)),
                };
                if last && vouch {
                    let newest = carried.newest.max(complete_through);
                    output.state.complete_through = newest.map(|id| id.to_string());
                }
                output.commit(resume)
            }
            None => std::io::stdout().flush(),
        },
    );
    let output = output_cell.into_inner();
    let complete = matches!(end, End::Done);
    let stop = end.word();
    let code = if output.is_some() && !matches!(end, End::Failed(_) | End::Closed) {
        // With --output, the state says where to go on: no token to carry.
        finish_output(&setup, end, written)
    } else {
        cli::finish(&setup, end, &cli::count(written, "invitation"))
    };
    if written == 0 && resumed && complete && output.is_none() {
        cli::say(format_args!(
            "note: the resume point matched nothing in this account's list (no invitation \
             older than the one it names): it may come from another account, --type or API \
             generation"
        ));
    }
    if let (Some(after), Some(newest)) = (after, newest_listed) {
        if after > newest && !resumed && !setup.quiet {
            cli::say(format_args!(
                "warning: --after-id {after} is newer than the newest invitation listed \
                 ({newest}): nothing will ever be newer; another account's id, or a typo?"
            ));
        }
    }
    // The hint for the next daily run, only when this export reached from the newest end to
    // where it stops, in this run or in the chain of resumed runs it carries: never after a
    // budget stop, an error or a closed output, which would skip what was not written.
    let next_after = match (complete, vouch) {
        (true, true) => setup.carried.newest.or(after),
        _ => None,
    };
    if complete && !setup.quiet && output.is_none() {
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
    let extra = serde_json::json!({
        "next_after_id": next_after.map(|id| id.to_string()),
        "output": output.as_ref().map(|o| o.path.to_string_lossy().into_owned()),
    });
    cli::summary(&setup, stop, written, extra);
    code
}

/// The end of a run with `--output`: what it wrote and spent, and the exit code; where to go
/// on is in the state.
fn finish_output(setup: &cli::Setup, end: End, written: u64) -> ExitCode {
    let pages = setup.pages.paginator();
    let spent = cli::count(pages.credits_used(), "credit");
    let rows = cli::count(written, "new invitation");
    let (code, what) = match end {
        End::Done => (ExitCode::SUCCESS, "done"),
        End::Budget => (
            ExitCode::from(cli::EXIT_BUDGET),
            "stopped at the credit budget",
        ),
        End::Interrupted => (
            ExitCode::from(cli::EXIT_INTERRUPTED),
            "stopped (interrupted)",
        ),
        End::Failed(code) => return code,
        End::Closed => (ExitCode::from(cli::EXIT_ERROR), "stopped"),
    };
    if pages.possibly_missed() > 0 {
        cli::say(format_args!(
            "warning: the list changed during the walk in a way that could not be proven safe: \
             up to {} may be missing; run again to catch them",
            cli::count(pages.possibly_missed(), "invitation")
        ));
    }
    if code != ExitCode::SUCCESS || !setup.quiet {
        let next = if code == ExitCode::SUCCESS {
            "the next run fetches only what is newer"
        } else {
            "the next run goes on from there"
        };
        cli::say(format_args!("{what}: {rows}, {spent}; {next}"));
    }
    code
}

/// The flags: the common ones, then export's own.
fn parse() -> Result<(Common, bool, Option<u64>, Option<PathBuf>), Usage> {
    let mut common = Common::default();
    let (mut format, mut after, mut output) = (None, None, None);
    let mut parser = cli::parser()?;
    while let Some(arg) = parser.next()? {
        let arg = Flag::from(arg);
        if common.take(&arg, &mut parser)? {
            continue;
        }
        match arg.long() {
            Some("format") => {
                format = Some(match cli::text(&mut parser, "format")?.as_str() {
                    "jsonl" | "json" => false,
                    "csv" => true,
                    other => {
                        return Err(Usage::Bad(format!(
                            "--format is jsonl or csv, got {}",
                            cli::quoted(other)
                        )))
                    }
                })
            }
            Some("after-id") => after = Some(cli::number(&mut parser, "after-id")?),
            Some("output") => output = Some(PathBuf::from(cli::value(&mut parser, "output")?)),
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
    if output.is_some() && (common.resumed() || after.is_some()) {
        return Err(Usage::Bad(
            "--output keeps where to go on beside the file: leave out --resume and --after-id"
                .into(),
        ));
    }
    // The format: as given, else by the output's extension, else JSON Lines.
    let by_extension = output.as_ref().and_then(|path: &PathBuf| {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Some(true),
            Some(e) if e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("json") => {
                Some(false)
            }
            _ => None,
        }
    });
    let csv = format.or(by_extension).unwrap_or(false);
    Ok((common, csv, after, output))
}
