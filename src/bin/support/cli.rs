//! What the `export` and `stale` tools share: their common flags (parsed with `lexopt`), the
//! environment, the walk over pages with progress and retries on stderr, and the exit codes (0
//! done, 1 error, 2 bad usage, 3 stopped at the credit budget).
//!
//! Every mistake that sends nothing exits 2 with one line saying what is wrong and one pointing
//! to `--help`; flag values are checked before the environment is read; messages name flags and
//! variables, not the library's methods.
#![allow(dead_code)] // each tool uses a different part

use std::io::{Read, Write};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime};

use lexopt::{Arg, Parser};
use linkup_sent_invitations::{
    connect_account, Config, Country, Error, Invitation, InvitationType, Listing, Paginator,
    Params, ResumePoint, SentInvitationsPage,
};

pub const EXIT_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_BUDGET: u8 = 3;

/// The flags every tool takes, as usage text.
pub const COMMON_USAGE: &str =
    "  --type TYPE          CONNECTION (default), ORGANIZATION or CONTENT_SERIES
  --max-credits N      spend at most N credits (1 or more), then stop with exit code 3
  --resume POINT       go on from where a stopped run said to (it printed --resume POINT)
  --account ID         a LinkedIn account connected to LinkUp: use the v2 API, one credit per
                       50 invitations (default: $LINKUP_ACCOUNT_ID)
  --login-token TOKEN  the LinkedIn session token for the v1 API, one credit per 10 invitations
                       (default: $LINKUP_LOGIN_TOKEN)
  --connect-account    print the v2 account id of the login token (free), then exit
  --api-key KEY        the API key (default: $LINKUP_API_KEY; prefer the variable, flags show in ps)
  --country CODE       v1 proxy country: US, UK, FR, DE, NL, IT, IL, CA, BR, ES, IN
  --base-url URL       the API's base URL (default: $LINKUP_BASE_URL, else
                       https://api.linkupapi.com); http://127.0.0.1:PORT for a local fake
  --cacert FILE        also trust the CA certificates in FILE (PEM, or one DER .cer/.der), for
                       a network whose proxy re-signs TLS with a CA of its own (ask its admins
                       for the file); give it again for more files (default: $LINKUP_CACERT,
                       else $SSL_CERT_FILE, as curl reads it; built with the native-certs
                       feature, the operating system's store is trusted too)
  --requests-per-minute N
                       pace requests (default 300, the API's limit; 0 turns pacing off, for a
                       local fake)
  --timeout SECONDS    give up on an attempt after this long (default 90)
  --quiet              no progress or retry lines on stderr
  -v, --verbose        one line per request on stderr: method, path, status, credits, time
  --summary json       end with one JSON line on stderr: the stop, credits (and those possibly
                       charged), pages, rows, and where to go on
  -h, --help           this help

Exit codes: 0 done, 1 error, 2 bad usage (nothing sent), 3 stopped at the credit budget,
130 interrupted (Ctrl-C or SIGTERM).";

/// Why a tool stops before sending anything.
pub enum Usage {
    Help,
    Bad(String),
}

impl From<lexopt::Error> for Usage {
    fn from(err: lexopt::Error) -> Usage {
        Usage::Bad(match err {
            lexopt::Error::MissingValue {
                option: Some(option),
            } => format!("{option} needs a value"),
            lexopt::Error::UnexpectedOption(option) => format!("unknown flag {option}"),
            lexopt::Error::UnexpectedArgument(value) => {
                format!("unexpected argument {:?}", value.to_string_lossy())
            }
            lexopt::Error::UnexpectedValue { option, .. } => format!("{option} takes no value"),
            other => other.to_string(),
        })
    }
}

/// One command-line argument, owned (lexopt's borrows its parser, which reads the value).
pub enum Flag {
    Long(String),
    Short(char),
    Value(std::ffi::OsString),
}

impl Flag {
    pub fn from(arg: Arg<'_>) -> Flag {
        match arg {
            Arg::Long(flag) => Flag::Long(flag.to_owned()),
            Arg::Short(flag) => Flag::Short(flag),
            Arg::Value(value) => Flag::Value(value),
        }
    }

    /// The name of a `--long` flag.
    pub fn long(&self) -> Option<&str> {
        match self {
            Flag::Long(flag) => Some(flag),
            _ => None,
        }
    }

    /// The mistake of giving this flag (or argument) to a tool that has no such thing.
    pub fn unexpected(&self) -> Usage {
        Usage::Bad(match self {
            Flag::Long(flag) => format!("unknown flag --{flag}"),
            Flag::Short(flag) => format!("unknown flag -{flag}"),
            // A long one may be a key or token whose flag was left out: not shown, so it stays
            // off the screen and out of logs.
            Flag::Value(value) if value.to_string_lossy().chars().count() >= 8 => format!(
                "unexpected argument of {} characters (a value whose flag is missing?)",
                value.to_string_lossy().chars().count()
            ),
            Flag::Value(value) => format!("unexpected argument {:?}", value.to_string_lossy()),
        })
    }
}

/// The parser of the tool's flags; `--help` or `-h` anywhere before a `--` wins over every
/// other flag and mistake, so asking for help never runs the tool.
pub fn parser() -> Result<Parser, Usage> {
    let help = std::env::args_os()
        .skip(1)
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--help" || arg == "-h");
    match help {
        true => Err(Usage::Help),
        false => Ok(Parser::from_env()),
    }
}

/// The value of the flag just read. A value that is itself a flag (`--api-key --max-credits 1`)
/// is a forgotten value: taking it would send a request with a flag for a key.
pub fn value(parser: &mut Parser, flag: &str) -> Result<std::ffi::OsString, Usage> {
    let value = parser.value()?;
    let text = value.to_string_lossy();
    if text.starts_with("--") {
        // Named without what follows an `=`: `--login-token=TOKEN` would show the token.
        let other = text.split('=').next().unwrap_or_default();
        return Err(Usage::Bad(format!(
            "--{flag} needs a value, got the flag {}",
            visible(other)
        )));
    }
    Ok(value)
}

/// The value of the flag just read, as text.
pub fn text(parser: &mut Parser, flag: &str) -> Result<String, Usage> {
    value(parser, flag)?
        .into_string()
        .map_err(|_| Usage::Bad(format!("--{flag} is not valid text")))
}

/// The value of the flag just read, as a whole number.
pub fn number<T: FromStr>(parser: &mut Parser, flag: &str) -> Result<T, Usage> {
    let value = text(parser, flag)?;
    value.parse().map_err(|_| {
        Usage::Bad(format!(
            "--{flag} takes a whole number, got {}",
            quoted(&value)
        ))
    })
}

/// The flags every tool takes, as given.
#[derive(Default)]
pub struct Common {
    kind: Option<InvitationType>,
    country: Option<Country>,
    max_credits: Option<u64>,
    requests_per_minute: Option<u32>,
    timeout: Option<u64>,
    account: Option<String>,
    login_token: Option<String>,
    api_key: Option<String>,
    base_url: Option<String>,
    /// The files `--cacert` named, in order (read by [`Common::check`]).
    cacert: Vec<std::ffi::OsString>,
    /// Their PEM, read.
    pems: Vec<Vec<u8>>,
    resume: Option<ResumePoint>,
    /// What a stopped export carried in its resume token besides the point.
    pub carried: Carried,
    pub quiet: bool,
    pub verbose: bool,
    /// `--summary json`.
    pub summary: bool,
    pub connect: bool,
}

/// What an export's resume token carries besides the library's point, so that a chain of
/// resumed runs can vouch for what the first run began: the newest id the export wrote, and
/// the `--after-id` it stops at. Written `POINT,newest=ID,after=ID`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Carried {
    pub newest: Option<u64>,
    pub after: Option<u64>,
}

impl Carried {
    /// `POINT` and what it carries, as `--resume` takes it.
    pub fn token(&self, point: ResumePoint) -> String {
        let mut token = point.to_string();
        if let Some(newest) = self.newest {
            token += &format!(",newest={newest}");
        }
        if let Some(after) = self.after {
            token += &format!(",after={after}");
        }
        token
    }

    /// Reads `POINT,newest=ID,after=ID` (either part optional).
    fn read(text: &str) -> Option<(ResumePoint, Carried)> {
        let mut parts = text.trim().split(',');
        let point = parts.next()?.parse().ok()?;
        let mut carried = Carried::default();
        for part in parts {
            let (name, value) = part.split_once('=')?;
            let value = Some(value.parse().ok().filter(|id| *id > 0)?);
            match name {
                "newest" if carried.newest.is_none() => carried.newest = value,
                "after" if carried.after.is_none() => carried.after = value,
                _ => return None,
            }
        }
        Some((point, carried))
    }
}

impl Common {
    /// Takes `arg` if it is a flag every tool has (or `--help`); `Ok(false)` leaves it to the
    /// tool.
    pub fn take(&mut self, arg: &Flag, parser: &mut Parser) -> Result<bool, Usage> {
        let flag = match arg {
            Flag::Short('h') => return Err(Usage::Help),
            Flag::Short('v') => {
                self.verbose = true;
                return Ok(true);
            }
            Flag::Long(flag) if flag == "help" => return Err(Usage::Help),
            Flag::Long(flag) => flag.as_str(),
            _ => return Ok(false),
        };
        match flag {
            "type" => {
                let value = text(parser, flag)?;
                let kind = value.parse().map_err(|_| {
                    bad_value(flag, &value, "CONNECTION, ORGANIZATION or CONTENT_SERIES")
                })?;
                self.kind = Some(kind);
            }
            "country" => {
                let value = text(parser, flag)?;
                let country = value.parse().map_err(|_| {
                    bad_value(flag, &value, "US, UK, FR, DE, NL, IT, IL, CA, BR, ES or IN")
                })?;
                self.country = Some(country);
            }
            "max-credits" => self.max_credits = Some(number(parser, flag)?),
            "requests-per-minute" => self.requests_per_minute = Some(number(parser, flag)?),
            "timeout" => self.timeout = Some(number(parser, flag)?),
            "account" => self.account = Some(given(parser, flag)?),
            "login-token" => self.login_token = Some(given(parser, flag)?),
            "api-key" => self.api_key = Some(given(parser, flag)?),
            "base-url" => self.base_url = Some(text(parser, flag)?),
            // Read once all flags are in, so that `--help` after it still helps.
            "cacert" => self.cacert.push(value(parser, flag)?),
            "resume" => {
                let value = text(parser, flag)?;
                let (point, carried) = Carried::read(&value).ok_or_else(|| {
                    // The library's reason quotes the value: only for one shaped as a point.
                    let point = value.starts_with("v1:") || value.starts_with("v2:");
                    let why = match value.split(',').next().map(str::parse::<ResumePoint>) {
                        Some(Err(err)) if point => in_flags(&err.to_string()),
                        _ => format!("got {}", quoted(&value)),
                    };
                    Usage::Bad(format!(
                        "--resume takes the point a stopped run printed (such as \
                         v1:newest:7329176687475109888:59:138): {why}"
                    ))
                })?;
                self.resume = Some(point);
                self.carried = carried;
            }
            "quiet" => self.quiet = true,
            "verbose" => self.verbose = true,
            "summary" => match text(parser, flag)?.as_str() {
                "json" => self.summary = true,
                other => return Err(bad_value(flag, other, "json")),
            },
            "connect-account" => self.connect = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Goes on from `token`, as `--resume token` would (a state file's, for `--output`).
    pub fn resume_from(&mut self, token: &str) -> Result<(), Usage> {
        let (point, carried) = Carried::read(token).ok_or_else(|| {
            Usage::Bad(format!(
                "the saved resume point {} is not one this tool wrote",
                quoted(token)
            ))
        })?;
        self.resume = Some(point);
        self.carried = carried;
        Ok(())
    }

    /// Whether the walk goes on from an earlier run's point (`--resume`): it does not read what
    /// that run read.
    pub fn resumed(&self) -> bool {
        self.resume.is_some()
    }

    /// The point `--resume` named.
    pub fn resume_point(&self) -> Option<ResumePoint> {
        self.resume
    }

    /// Checks the flags against each other, and reads the `--cacert` files, still before the
    /// environment is read.
    pub fn check(&mut self) -> Result<(), Usage> {
        if self.max_credits == Some(0) {
            return Err(Usage::Bad(
                "--max-credits 0 would send nothing: allow at least 1".into(),
            ));
        }
        if self.timeout == Some(0) {
            return Err(Usage::Bad("--timeout must be at least 1 second".into()));
        }
        if self.account.is_some() && self.login_token.is_some() {
            return Err(Usage::Bad(
                "pass --account (v2) or --login-token (v1), not both".into(),
            ));
        }
        if self.account.is_some() && self.country.is_some() {
            return Err(Usage::Bad(
                "--country is for v1: v2 calls (--account) take no country".into(),
            ));
        }
        if self.connect && self.account.is_some() {
            return Err(Usage::Bad(
                "--connect-account turns a login token into an account id: leave out --account"
                    .into(),
            ));
        }
        if let Some(url) = &self.base_url {
            // Checked with a stand-in key, so a bad URL is reported before a missing key.
            Config::new("stand-in")
                .base_url(url.as_str())
                .check()
                .map_err(usage)?;
        }
        // No --cacert: LINKUP_CACERT, else SSL_CERT_FILE (as curl and OpenSSL read it).
        if self.cacert.is_empty() {
            let from_env = ["LINKUP_CACERT", "SSL_CERT_FILE"]
                .iter()
                .find_map(|name| std::env::var_os(name).filter(|v| !v.is_empty()));
            self.cacert.extend(from_env);
        }
        for path in &self.cacert {
            let pem = read_cacert(path)?;
            Config::new("stand-in")
                .add_root_certificates(&pem)
                .check()
                .map_err(|err| {
                    // Which file, when several are given.
                    let named = format!("--cacert {}", visible(&path.to_string_lossy()));
                    Usage::Bad(
                        in_flags(&err.to_string()).replace("the file given to --cacert", &named),
                    )
                })?;
            self.pems.push(pem);
        }
        Ok(())
    }
}

/// A flag's value that must not be empty.
fn given(parser: &mut Parser, flag: &str) -> Result<String, Usage> {
    let value = text(parser, flag)?;
    if value.trim().is_empty() {
        let variable = match flag {
            "account" => "LINKUP_ACCOUNT_ID",
            "login-token" => "LINKUP_LOGIN_TOKEN",
            _ => "LINKUP_API_KEY",
        };
        return Err(Usage::Bad(format!(
            "--{flag} is empty: pass a value, or leave the flag out to use ${variable}"
        )));
    }
    Ok(value)
}

fn bad_value(flag: &str, value: &str, choices: &str) -> Usage {
    Usage::Bad(format!(
        "--{flag} is one of {choices}, got {}",
        quoted(value)
    ))
}

/// A value a flag refused, as the mistake's line shows it: quoted when it is short or a
/// number; else by its length only, as it may be a key or token given to the wrong flag
/// (`--days "$LINKUP_API_KEY"`), which must not reach the screen or a log.
pub fn quoted(value: &str) -> String {
    let count = value.chars().count();
    if count < 8 || value.bytes().all(|b| b.is_ascii_digit()) {
        format!("{:?}", visible(value))
    } else {
        format!("a value of {count} characters (not shown: a secret given to the wrong flag?)")
    }
}

/// The walk a tool makes: its paginator, or a listing around it that a withdrawal journal can
/// settle by.
pub enum Pages {
    Paginator(Paginator),
    Listing(Listing),
}

impl Pages {
    pub fn paginator(&self) -> &Paginator {
        match self {
            Pages::Paginator(pages) => pages,
            Pages::Listing(listing) => listing.paginator(),
        }
    }

    fn next(&mut self) -> Option<Result<SentInvitationsPage, Error>> {
        match self {
            Pages::Paginator(pages) => pages.next(),
            Pages::Listing(listing) => listing.next(),
        }
    }
}

/// What the common flags and the environment make: the config, the params and the walk.
pub struct Setup {
    pub config: Config,
    pub params: Params,
    pub pages: Pages,
    /// `--max-credits`: the budget of the whole run.
    pub max_credits: Option<u64>,
    /// What a resume token carries besides the point (see [`Carried`]): what `--resume`
    /// brought, updated by the tool as it goes.
    pub carried: Carried,
    /// Whether the calls go through v2 (`--account`, `LINKUP_ACCOUNT_ID`).
    pub v2: bool,
    pub quiet: bool,
    /// The tool's name, for "see `NAME --help`".
    pub name: &'static str,
    /// `--summary json`.
    pub summary: bool,
    /// The listing's pages read so far.
    pub pages_read: u64,
    /// Whether stdout is where the rows go (the export without `--output`): the walk then
    /// looks whether its reader left before paying for the next page.
    pub watch_stdout: bool,
    /// The pause between requests that pacing makes (`--requests-per-minute`): how long the
    /// walk may watch stdout before a page at no cost in time.
    pub pace: Duration,
}

/// A variable of the environment: `None` unset, `Some("")` set but empty.
fn variable(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned())
}

/// The config, params and paginator (walking `oldest_first` or not, as a `listing` a journal
/// can settle by or not) from the checked flags, then the environment.
pub fn setup(
    common: &Common,
    name: &'static str,
    oldest_first: bool,
    listing: bool,
) -> Result<Setup, Usage> {
    let key = match (&common.api_key, variable("LINKUP_API_KEY")) {
        (Some(key), _) => key.clone(),
        (None, Some(key)) if !key.is_empty() => key,
        (None, Some(_)) => {
            return Err(Usage::Bad(
                "LINKUP_API_KEY is empty: set it to the key from your LinkUp dashboard".into(),
            ))
        }
        (None, None) => {
            return Err(Usage::Bad(
                "no API key: set LINKUP_API_KEY (or pass --api-key)".into(),
            ))
        }
    };
    let account = variable("LINKUP_ACCOUNT_ID").filter(|v| !v.is_empty());
    let token = variable("LINKUP_LOGIN_TOKEN").filter(|v| !v.is_empty());
    let (params, v2) =
        match (&common.account, &common.login_token) {
            (Some(account), _) => (Params::account(account), true),
            (None, Some(token)) => (Params::new(token), false),
            // Connecting needs the token, whatever else is set.
            _ if common.connect => {
                match token {
                    Some(token) => (Params::new(token), false),
                    None => return Err(Usage::Bad(
                        "--connect-account needs a login token: set LINKUP_LOGIN_TOKEN or pass \
                     --login-token"
                            .into(),
                    )),
                }
            }
            _ => match (account, token) {
                (Some(account), token) => {
                    if token.is_some() && !common.quiet {
                        say(format_args!(
                        "note: LINKUP_ACCOUNT_ID and LINKUP_LOGIN_TOKEN are both set: using the \
                         account (v2); pass --login-token to use v1"
                    ));
                    }
                    (Params::account(account), true)
                }
                (None, Some(token)) => (Params::new(token), false),
                (None, None) => return Err(Usage::Bad(
                    "no account: set LINKUP_ACCOUNT_ID (v2) or LINKUP_LOGIN_TOKEN (v1), or pass \
                     --account or --login-token"
                        .into(),
                )),
            },
        };
    // The tool's name in the User-Agent, so LinkUp can tell its requests apart.
    let mut config = Config::new(key).app_name(name);
    for pem in &common.pems {
        config = config.add_root_certificates(pem);
    }
    // Where IT installs a company's CA, when the tools were built to read it.
    #[cfg(feature = "native-certs")]
    {
        config = config.add_native_root_certificates();
    }
    let base_url = common
        .base_url
        .clone()
        .or_else(|| variable("LINKUP_BASE_URL").filter(|url| !url.is_empty()));
    if let Some(url) = base_url {
        config = config.base_url(url);
    }
    if let Some(rpm) = common.requests_per_minute {
        config = config.requests_per_minute(rpm);
    }
    if let Some(secs) = common.timeout {
        let timeout = Duration::from_secs(secs);
        // Room for the three attempts the default retries allow.
        config = config
            .timeout(timeout)
            .call_timeout(timeout.saturating_mul(4).max(Duration::from_secs(300)));
    }
    config.check().map_err(usage)?;
    let mut params = params;
    if let Some(kind) = &common.kind {
        params = params.invitation_type(kind.clone());
    }
    if let Some(country) = common.country {
        params = params.country(country);
    }
    let mut pages = Paginator::new(&config, params.clone());
    if oldest_first {
        pages = pages.oldest_first();
    }
    if let Some(max) = common.max_credits {
        pages = pages.max_credits(max);
    }
    if let Some(point) = common.resume {
        pages = pages.resume(point);
    }
    let pages = if listing {
        Pages::Listing(Listing::new(pages))
    } else {
        Pages::Paginator(pages)
    };
    show_retries(common.quiet, common.verbose);
    catch_stops();
    Ok(Setup {
        config,
        params,
        pages,
        max_credits: common.max_credits,
        carried: common.carried,
        v2,
        quiet: common.quiet,
        name,
        summary: common.summary,
        pages_read: 0,
        watch_stdout: false,
        pace: match common.requests_per_minute.unwrap_or(300) {
            0 => Duration::ZERO,
            rpm => Duration::from_secs(60) / rpm,
        },
    })
}

/// `--connect-account`: prints the v2 account id of the login token, as a line to paste.
pub fn connect(setup: &Setup) -> ExitCode {
    match connect_account(&setup.config, &setup.params) {
        Ok(id) => {
            // A line a shell can eval, whatever the server sent as the id.
            if out(format_args!("export LINKUP_ACCOUNT_ID={}", shell_word(&id))).is_err() {
                say(format_args!(
                    "error: the output was closed before the account id was written"
                ));
                return ExitCode::from(EXIT_ERROR);
            }
            if !setup.quiet {
                say(format_args!(
                    "connected (free): eval that line (eval \"$(... --connect-account)\"), and \
                     keep the id as secret as the token, to use v2 from now on"
                ));
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail(setup.name, &err),
    }
}

/// The most a `--cacert` file may hold: company bundles are a few hundred KiB; `/dev/zero` is
/// not one.
const MAX_CACERT_BYTES: u64 = 16 << 20;

/// The bytes of a `--cacert` file, or why it cannot be one.
fn read_cacert(path: &std::ffi::OsStr) -> Result<Vec<u8>, Usage> {
    let shown = || visible(&path.to_string_lossy()).to_string();
    let cannot =
        |err: std::io::Error| Usage::Bad(format!("--cacert {}: cannot read it ({err})", shown()));
    // Checked before opening, as the journal is: a FIFO with no writer would block the open
    // for ever, and a device never end.
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Usage::Bad(format!(
            "--cacert {}: not a regular file (a folder, a FIFO or a device): give the CA's PEM \
             or DER file",
            shown()
        )));
    }
    let mut pem = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CACERT_BYTES + 1).read_to_end(&mut pem))
        .map_err(cannot)?;
    if pem.len() as u64 > MAX_CACERT_BYTES {
        return Err(Usage::Bad(format!(
            "--cacert {}: over {} MiB, more than any CA file: give the CA's PEM or DER file",
            shown(),
            MAX_CACERT_BYTES >> 20
        )));
    }
    Ok(pem)
}

/// A refusal from the library, in the tool's words.
pub fn usage(err: Error) -> Usage {
    Usage::Bad(in_flags(&err.to_string()))
}

/// The library's message with its method names as the tool's flags and variables.
pub fn in_flags(text: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("invalid parameters, nothing sent: ", ""),
        (
            "(Params::new is v1, Params::account v2): resume with the same kind of params",
            "(--login-token is v1, --account v2): resume with the same one",
        ),
        (
            "comes from an oldest-first walk: add .oldest_first()",
            "comes from an oldest-first walk, as linkup-stale makes: resume it with linkup-stale",
        ),
        (
            "comes from a newest-first walk: drop .oldest_first()",
            "comes from a newest-first walk, as linkup-export makes: resume it with linkup-export",
        ),
        (
            "connect_account takes the login token of Params::new: Params::account names an \
             account that is connected already",
            "--connect-account takes a login token (--login-token or LINKUP_LOGIN_TOKEN): an \
             account id is connected already",
        ),
        ("v2 calls (Params::account)", "v2 calls (--account)"),
        (" (WithdrawalJournal::settle)", " (a later run does it)"),
        (
            "passed to Params::account",
            "in --account or LINKUP_ACCOUNT_ID",
        ),
        (
            "trust that CA with Config::add_root_certificates",
            "trust that CA with --cacert FILE",
        ),
        ("added with Config::add_root_certificates", "of --cacert"),
        (
            "the PEM given to Config::add_root_certificates",
            "the file given to --cacert",
        ),
        ("Config::requests_per_minute", "--requests-per-minute"),
        ("Config::call_timeout", "--timeout"),
        ("Config::timeout", "--timeout"),
        ("Config::base_url", "--base-url"),
        (
            "Config::proxy_from_env(false) to connect directly",
            "unset it to connect directly",
        ),
        ("Config::proxy or HTTPS_PROXY", "HTTPS_PROXY"),
        ("pass it to Params::new", "set LINKUP_LOGIN_TOKEN"),
        ("to Params::account", "in LINKUP_ACCOUNT_ID"),
        (
            "pass the key from your LinkUp dashboard to Config::new",
            "set LINKUP_API_KEY",
        ),
        ("base_url ", "--base-url "),
    ];
    WORDS
        .iter()
        .fold(text.to_owned(), |text, (from, to)| text.replace(from, to))
}

/// `--help` (exit 0), or a mistake: one line that says what, one that points to `--help`
/// (exit 2).
pub fn usage_exit(usage: Usage, name: &str, help: &str) -> ExitCode {
    match usage {
        Usage::Help => {
            // `--help | head` closes the pipe early: that is no error (println! would panic).
            let _ = writeln!(std::io::stdout(), "{help}");
            ExitCode::SUCCESS
        }
        Usage::Bad(message) => {
            say(format_args!("error: {message}\nsee `{name} --help`"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Prints an error from the library: a refusal before sending as a mistake (exit 2), anything
/// else as an error (exit 1).
fn fail(name: &str, err: &Error) -> ExitCode {
    if matches!(err, Error::InvalidParams(_)) {
        say(format_args!(
            "error: {}\nsee `{name} --help`",
            in_flags(&err.to_string())
        ));
        return ExitCode::from(EXIT_USAGE);
    }
    say(format_args!("error: {}", in_flags(&err.to_string())));
    ExitCode::from(EXIT_ERROR)
}

/// Shows the library's retry lines (its `debug` records) and warnings on stderr, as they
/// happen, unless quiet: a slow server is then visibly being retried, not silent.
fn show_retries(quiet: bool, verbose: bool) {
    struct Lines {
        level: log::Level,
    }
    impl log::Log for Lines {
        fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
            metadata.target().starts_with("linkup_sent_invitations")
                && metadata.level() <= self.level
        }
        fn log(&self, record: &log::Record<'_>) {
            if self.enabled(record.metadata()) {
                let text = record.args().to_string();
                let text = text.trim_start_matches("linkup: ");
                match record.level() {
                    log::Level::Warn | log::Level::Error => say(format_args!("warning: {text}")),
                    _ => say(format_args!("{}", in_flags(text))),
                }
            }
        }
        fn flush(&self) {}
    }
    static LINES: Lines = Lines {
        level: log::Level::Debug,
    };
    static VERBOSE: Lines = Lines {
        level: log::Level::Trace,
    };
    // --verbose shows every request (trace), even with --quiet; --quiet alone shows nothing.
    let logger: &'static Lines = match (verbose, quiet) {
        (true, _) => &VERBOSE,
        (false, false) => &LINES,
        (false, true) => return,
    };
    if log::set_logger(logger).is_ok() {
        log::set_max_level(logger.level.to_level_filter());
    }
}

/// Set by SIGINT or SIGTERM: the walk stops after the page under way, written whole, and the
/// run ends saying where to go on. A second one ends the run at once (exit 130).
fn stop_flag() -> &'static std::sync::Arc<std::sync::atomic::AtomicBool> {
    static FLAG: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicBool>> =
        std::sync::OnceLock::new();
    FLAG.get_or_init(Default::default)
}

/// Catches SIGINT and SIGTERM (see [`stop_flag`]).
fn catch_stops() {
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let flag = stop_flag().clone();
        // The second one: exit at once, as an interrupted process does.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, flag.clone());
        let _ = signal_hook::flag::register(signal, flag);
    }
}

/// Whether the reader of stdout has left, watching for up to `wait`: the write end of a pipe
/// or socket whose reader closed it polls as an error (or a hang-up) before any write fails.
/// A file or a terminal has no reader to leave, and is not watched.
#[cfg(unix)]
fn reader_gone(wait: Duration) -> bool {
    use std::os::fd::{AsFd as _, AsRawFd as _};
    use std::os::unix::fs::FileTypeExt as _;
    let stdout = std::io::stdout();
    let piped = stdout
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|file| file.metadata())
        .is_ok_and(|m| m.file_type().is_fifo() || m.file_type().is_socket());
    if !piped {
        return false;
    }
    // No events asked: poll reports only an error or a hang-up, which it always reports.
    let mut fd = libc::pollfd {
        fd: stdout.as_raw_fd(),
        events: 0,
        revents: 0,
    };
    let ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one valid pollfd, alive for the call, and a count of one.
    let ready = unsafe { libc::poll(&mut fd, 1, ms) };
    ready > 0 && fd.revents & (libc::POLLERR | libc::POLLHUP) != 0
}

#[cfg(not(unix))]
fn reader_gone(_wait: Duration) -> bool {
    false
}

/// Whether SIGINT or SIGTERM came.
pub fn stopped() -> bool {
    stop_flag().load(std::sync::atomic::Ordering::SeqCst)
}

/// "1 credit", "2 credits".
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// An invitation's exact sent time, RFC 3339 in UTC to the millisecond, from its id; empty when
/// the id carries no time.
pub fn sent_at(invitation: &Invitation) -> String {
    invitation
        .sent_at()
        .map(|at| humantime::format_rfc3339_millis(at).to_string())
        .unwrap_or_default()
}

/// How many whole days ago an invitation was sent: from its id's time, else LinkedIn's wording.
pub fn age_in_days(invitation: &Invitation, now: SystemTime) -> Option<u32> {
    match invitation.sent_at() {
        Some(at) => {
            let secs = now.duration_since(at).unwrap_or_default().as_secs();
            Some(u32::try_from(secs / 86_400).unwrap_or(u32::MAX))
        }
        None => invitation.sent_days_ago(),
    }
}

/// Whether the walk goes on after an invitation.
pub enum Next {
    More,
    /// Enough: no page after this one is needed (unless the list proves out of order).
    Enough,
}

/// How a walk ended.
pub enum End {
    /// The data, or what the tool needed of it, is read.
    Done,
    /// The credit budget stopped it; it can be resumed.
    Budget,
    /// An error, printed already, with the exit code to return.
    Failed(ExitCode),
    /// The output was closed (a reader such as `head` has had enough).
    Closed,
    /// SIGINT or SIGTERM, after the page under way: it can be resumed.
    Interrupted,
}

/// The exit code of a run stopped by SIGINT or SIGTERM, as a shell gives an interrupted one.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Walks pages, handing each invitation to `each`, then the page to `page_done` (with whether
/// it is the walk's last), with a progress line per page on stderr unless quiet. An error is printed with what was spent and where to resume.
/// `each` also gets what the resume token carries, to note what the run wrote.
pub fn walk(
    setup: &mut Setup,
    mut each: impl FnMut(Invitation, &mut Carried) -> std::io::Result<Next>,
    mut page_done: impl FnMut(&Paginator, &Carried, bool) -> std::io::Result<()>,
) -> End {
    let mut enough = false;
    let mut asked: Option<Instant> = None;
    loop {
        // A reader that left (`| head`) is seen before the next page is paid for, watching
        // while pacing would wait anyway.
        if let Some(at) = asked.filter(|_| setup.watch_stdout) {
            if reader_gone(setup.pace.saturating_sub(at.elapsed())) {
                return End::Closed;
            }
        }
        asked = Some(Instant::now());
        let number = setup.pages.paginator().next_page();
        let Some(page) = setup.pages.next() else {
            break;
        };
        let pages = setup.pages.paginator();
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                let code = fail(setup.name, &err);
                if !matches!(err, Error::InvalidParams(_)) {
                    let spent = count(pages.credits_used(), "credit");
                    match pages.resume_point() {
                        Some(point) => say(format_args!(
                            "{spent} used; to resume, pass --resume {}",
                            setup.carried.token(point)
                        )),
                        None => say(format_args!("{spent} used")),
                    }
                }
                return End::Failed(code);
            }
        };
        setup.pages_read += 1;
        // The page the reply covers (an oldest-first walk reads page 1 before the last page).
        let shown = page
            .pagination
            .as_ref()
            .map(|p| p.start_page)
            .filter(|p| *p > 0)
            .or(number);
        let written = page
            .invitations
            .into_iter()
            .try_for_each(|invitation| match each(invitation, &mut setup.carried)? {
                Next::More => Ok(()),
                Next::Enough => {
                    enough = true;
                    Ok(())
                }
            })
            .and_then(|()| {
                // Whether this page ends the walk: what it needed is read, or all of it.
                let pages = setup.pages.paginator();
                let last = (enough && !pages.out_of_order()) || pages.next_page().is_none();
                page_done(pages, &setup.carried, last)
            });
        match written {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return End::Closed,
            Err(err) => {
                say(format_args!("error: cannot write the output: {err}"));
                return End::Failed(ExitCode::from(EXIT_ERROR));
            }
        }
        let pages = setup.pages.paginator();
        if !setup.quiet {
            let total = pages
                .total_pages()
                .map_or("?".to_owned(), |t| t.to_string());
            say(format_args!(
                "page {}/{total}, {}",
                shown.unwrap_or(0),
                count(pages.credits_used(), "credit")
            ));
        }
        // Stopping early relies on the list's order; out of order, only a full walk is safe.
        if enough && !pages.out_of_order() {
            return End::Done;
        }
        if stopped() {
            return End::Interrupted;
        }
    }
    // A page still to read after the walk ended: the budget stopped it (an oldest-first walk
    // stopped before its first page has nothing to resume from, but stopped all the same).
    if setup.pages.paginator().next_page().is_some() {
        End::Budget
    } else {
        End::Done
    }
}

/// Ends a walk's run: warnings about what the walk could not vouch for, then `summary` (what
/// the tool wrote) with the credits spent, and the exit code. After an error, the error and
/// what was spent are printed already, and nothing else is.
pub fn finish(setup: &Setup, end: End, summary: &str) -> ExitCode {
    let pages = setup.pages.paginator();
    let code = match end {
        End::Failed(code) => return code,
        End::Closed => {
            // A reader that stopped reading (`| head`): what it did not take is not written,
            // and nothing here can say where the rows stopped within a page.
            say(format_args!(
                "stopped: the output was closed after {summary}; the rest was not written (run \
                 again to write it all), {}",
                count(pages.credits_used(), "credit")
            ));
            return ExitCode::from(EXIT_ERROR);
        }
        End::Done => ExitCode::SUCCESS,
        End::Budget => ExitCode::from(EXIT_BUDGET),
        End::Interrupted => {
            let spent = count(pages.credits_used(), "credit");
            match pages.resume_point() {
                Some(point) => say(format_args!(
                    "stopped (interrupted): {summary}, {spent}; to resume, pass --resume {}",
                    setup.carried.token(point)
                )),
                None => say(format_args!(
                    "stopped (interrupted): {summary}, {spent}; nothing to resume from"
                )),
            }
            return ExitCode::from(EXIT_INTERRUPTED);
        }
    };
    if pages.out_of_order() {
        say(format_args!(
            "warning: the list came out of order, so every page was read to miss nothing"
        ));
    }
    if pages.possibly_missed() > 0 {
        say(format_args!(
            "warning: the list changed during the walk in a way that could not be proven safe: \
             up to {} may be missing; run again to catch them",
            count(pages.possibly_missed(), "invitation")
        ));
    }
    let spent = count(pages.credits_used(), "credit");
    match (code == ExitCode::SUCCESS, pages.resume_point()) {
        (false, Some(point)) => say(format_args!(
            "stopped at the credit budget: {summary}, {spent}; to resume, pass --resume {}",
            setup.carried.token(point)
        )),
        (false, None) => say(format_args!(
            "stopped at the credit budget: {summary}, {spent}; nothing to resume from: run again \
             with a larger --max-credits"
        )),
        (true, _) if !setup.quiet => say(format_args!("done: {summary}, {spent}")),
        (true, _) => {}
    }
    code
}

impl End {
    /// The stop, in one word, as the summary line names it.
    pub fn word(&self) -> &'static str {
        match self {
            End::Done => "done",
            End::Budget => "budget",
            End::Failed(_) => "error",
            End::Closed => "closed",
            End::Interrupted => "interrupted",
        }
    }
}

/// `--summary json`: one JSON line on stderr at the end of the run, for a job to read instead
/// of the prose: the stop, the credits (those possibly charged among them), the pages read, the
/// rows written, where a resumed run goes on, and what the tool adds (`extra`).
pub fn summary(setup: &Setup, stop: &str, rows: u64, extra: serde_json::Value) {
    if !setup.summary {
        return;
    }
    let pages = setup.pages.paginator();
    let resume = match stop {
        "done" => None,
        _ => pages.resume_point().map(|point| setup.carried.token(point)),
    };
    let mut line = serde_json::json!({
        "tool": setup.name,
        "stop": stop,
        "credits": setup.config.credits_used() + setup.config.credits_possibly_used(),
        "credits_possibly": setup.config.credits_possibly_used(),
        "pages": setup.pages_read,
        "rows": rows,
        "resume": resume,
    });
    if let (Some(line), serde_json::Value::Object(extra)) = (line.as_object_mut(), extra) {
        line.extend(extra);
    }
    say(format_args!("{}", json_text(&line)));
}

/// Writes a line to stdout, reporting failures (a closed pipe) instead of panicking.
pub fn out(line: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_fmt(line)?;
    stdout.write_all(b"\n")
}

// ---------------------------------------------------------------------------------------------
// Other people's text: names, headlines and messages are written by other LinkedIn users.
// ---------------------------------------------------------------------------------------------

/// `text` with every control character (and every [`invisible`] one, which can reorder or hide
/// what a terminal shows) replaced by a visible stand-in: a C0 control or DEL by its Unicode
/// control picture (ESC as `␛`, a newline as `␊`), the rest by `�`. Such text cannot move a
/// cursor, erase a line, start a link or break a row.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hostile = |c: char| c.is_control() || invisible(c);
    if !text.chars().any(hostile) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\0'..='\u{1F}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
            '\u{7F}' => '\u{2421}',
            c if hostile(c) => '\u{FFFD}',
            c => c,
        })
        .collect::<String>()
        .into()
}

/// Whether `c` is a character a terminal shows as nothing while it changes what is around it:
/// the bidirectional controls (which reorder a line, U+202A–U+202E, U+2066–U+2069, U+061C,
/// U+200E, U+200F) and the zero-width and invisible format characters (U+200B–U+200D,
/// U+2060–U+2064, U+FEFF, U+180E, U+FFF9–U+FFFB). (The library's errors show them as `�`
/// too.)
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// A line on stderr: every character of it a terminal could act on made visible (see
/// [`visible`]), whoever wrote it (a server's message, a path, the tool's own words), one line
/// of `text` after another. Everything the tools show on stderr goes through here.
pub fn say(text: std::fmt::Arguments<'_>) {
    let text = text.to_string();
    let lines: Vec<std::borrow::Cow<'_, str>> = text.split('\n').map(visible).collect();
    let _ = writeln!(std::io::stderr(), "{}", lines.join("\n"));
}

/// A JSON value as one line of JSON Lines that a terminal cannot act on either: serde_json
/// escapes control characters, and this escapes the [`invisible`] ones too (`\u202e`), as
/// JSON allows for any character; a reader gets the text back exactly.
pub fn json_text(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).expect("the tools' values always serialise");
    if !text.chars().any(invisible) {
        return text;
    }
    text.chars()
        .map(|c| match c {
            c if invisible(c) => format!("\\u{:04x}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Whether a spreadsheet would run a cell starting like this as a formula (OWASP's CSV
/// injection list: `=`, `+`, `-`, `@`, a tab, a carriage return; and a NUL, as ASVS adds).
fn formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\0'])
}

/// One CSV cell, as OWASP recommends against CSV injection: quoted (RFC 4180, quotes doubled),
/// with a single quote before a cell a spreadsheet would run as a formula, and no control
/// character but a line break inside the quotes (the format's own); the others are made
/// visible (see [`visible`]).
pub fn csv_cell(cell: &str) -> String {
    let guarded = if formula(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    let text: String = guarded
        .split('\n')
        .map(|line| visible(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// One TSV cell: on one line, with no tab but the separators (every control character made
/// visible), and a single quote before a cell a spreadsheet would run as a formula.
pub fn tsv_cell(cell: &str) -> String {
    let shown = visible(cell);
    if formula(cell) {
        format!("'{shown}")
    } else {
        shown.into_owned()
    }
}

/// `text` as one word for a POSIX shell, in single quotes.
pub fn shell_word(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
