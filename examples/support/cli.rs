//! What the `export` and `stale` tools share: flags, the walk over pages with progress on
//! stderr, and the exit codes (0 done, 1 error, 2 bad usage, 3 stopped at the credit budget).
//!
//! Every mistake that sends nothing exits 2 with one line saying what is wrong and one pointing
//! to `--help`; flag values are checked before the environment; messages name flags, not the
//! library's methods.
#![allow(dead_code)] // each tool uses a different part

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use linkup_sent_invitations::{
    Config, Country, Error, Invitation, InvitationType, Paginator, Params,
};

pub const EXIT_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_BUDGET: u8 = 3;

/// The flags every tool takes, as usage text.
pub const COMMON_USAGE: &str = "\
  --type TYPE          CONNECTION (default), ORGANIZATION or CONTENT_SERIES
  --max-credits N      spend at most N credits, then stop with exit code 3
  --account ID         a LinkedIn account connected to LinkUp: use the v2 API, one credit per
                       50 invitations (default: $LINKUP_ACCOUNT_ID)
  --login-token TOKEN  the LinkedIn session token for the v1 API, one credit per 10 invitations
                       (default: $LINKUP_LOGIN_TOKEN)
  --api-key KEY        the API key (default: $LINKUP_API_KEY; prefer the variable, flags show in ps)
  --country CODE       v1 proxy country: US, UK, FR, DE, NL, IT, IL, CA, BR, ES, IN
  --base-url URL       the API's base URL (default: $LINKUP_BASE_URL, else
                       https://api.linkupapi.com); http://127.0.0.1:PORT for a local fake
  --requests-per-minute N
                       pace requests (default 300, the API's limit; 0 turns pacing off, for a
                       local fake)
  --timeout SECONDS    give up on an attempt after this long (default 90)
  --quiet              no progress lines on stderr
  -h, --help           this help

Exit codes: 0 done, 1 error, 2 bad usage (nothing sent), 3 stopped at the credit budget.";

/// The flags every tool accepts that take a value.
pub const COMMON_FLAGS: [&str; 9] = [
    "type",
    "max-credits",
    "account",
    "login-token",
    "api-key",
    "country",
    "base-url",
    "requests-per-minute",
    "timeout",
];

/// The flags every tool accepts that take no value.
pub const COMMON_SWITCHES: [&str; 1] = ["quiet"];

/// Why a tool stops before sending anything.
pub enum Usage {
    Help,
    Bad(String),
}

/// Parsed flags: `--name value`, `--name=value`, or a switch `--name`.
pub struct Flags(Vec<(String, Option<String>)>);

impl Flags {
    pub fn parse(
        mut args: impl Iterator<Item = String>,
        valued: &[&str],
        switches: &[&str],
    ) -> Result<Flags, Usage> {
        let mut flags = Vec::new();
        while let Some(arg) = args.next() {
            if arg == "-h" || arg == "--help" {
                return Err(Usage::Help);
            }
            let Some(flag) = arg.strip_prefix("--") else {
                return Err(Usage::Bad(format!("unexpected argument {arg:?}")));
            };
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (flag, None),
            };
            if switches.contains(&name) {
                if inline.is_some() {
                    return Err(Usage::Bad(format!("--{name} takes no value")));
                }
                flags.push((name.to_owned(), None));
                continue;
            }
            if !valued.contains(&name) {
                return Err(Usage::Bad(format!("unknown flag --{name}")));
            }
            let value = match inline {
                Some(value) => value,
                None => args
                    .next()
                    .ok_or_else(|| Usage::Bad(format!("--{name} needs a value")))?,
            };
            flags.push((name.to_owned(), Some(value)));
        }
        Ok(Flags(flags))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, Usage> {
        self.get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| Usage::Bad(format!("--{name} takes a whole number, got {v:?}")))
            })
            .transpose()
    }
}

/// What the common flags and the environment make: the paginator and how to report on it.
pub struct Setup {
    pub pages: Paginator,
    pub quiet: bool,
    /// The tool's name, for "see `NAME --help`".
    pub name: &'static str,
}

/// A paginator from the common flags, then the environment. `start_page` is the tool's own
/// (only `export` takes one). Every value is checked before any variable is read.
pub fn setup(flags: &Flags, name: &'static str, start_page: Option<u32>) -> Result<Setup, Usage> {
    // 1. The flags' values.
    let kind = flags
        .get("type")
        .map(|t| {
            t.parse::<InvitationType>()
                .map_err(|_| bad_value("type", t, "CONNECTION, ORGANIZATION or CONTENT_SERIES"))
        })
        .transpose()?;
    let country = flags
        .get("country")
        .map(|c| {
            c.parse::<Country>().map_err(|_| {
                bad_value("country", c, "US, UK, FR, DE, NL, IT, IL, CA, BR, ES or IN")
            })
        })
        .transpose()?;
    let max_credits = flags.number::<u64>("max-credits")?;
    let rpm = flags.number::<u32>("requests-per-minute")?;
    let timeout = flags.number::<u64>("timeout")?;
    if timeout == Some(0) {
        return Err(Usage::Bad("--timeout must be at least 1 second".into()));
    }
    if flags.get("account").is_some() && flags.get("login-token").is_some() {
        return Err(Usage::Bad(
            "pass --account (v2) or --login-token (v1), not both".into(),
        ));
    }
    if flags.get("account").is_some() && country.is_some() {
        return Err(Usage::Bad(
            "--country is for v1: v2 calls (--account) take no country".into(),
        ));
    }
    let base_url = flags.get("base-url").map(str::to_owned).or_else(|| {
        std::env::var("LINKUP_BASE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
    });
    if let Some(url) = &base_url {
        // Checked with a stand-in key, so a bad URL is reported before a missing key.
        Config::new("stand-in")
            .base_url(url.as_str())
            .check()
            .map_err(usage)?;
    }

    // 2. The environment.
    let key = flags
        .get("api-key")
        .map(str::to_owned)
        .or_else(|| std::env::var("LINKUP_API_KEY").ok())
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| Usage::Bad("no API key: set LINKUP_API_KEY (or pass --api-key)".into()))?;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let who = if let Some(account) = flags.get("account") {
        Params::account(account)
    } else if let Some(token) = flags.get("login-token") {
        Params::new(token)
    } else if let Some(account) = env("LINKUP_ACCOUNT_ID") {
        Params::account(account)
    } else if let Some(token) = env("LINKUP_LOGIN_TOKEN") {
        Params::new(token)
    } else {
        return Err(Usage::Bad(
            "no account: set LINKUP_ACCOUNT_ID (v2) or LINKUP_LOGIN_TOKEN (v1), or pass --account \
             or --login-token"
                .into(),
        ));
    };

    // 3. Put together, and checked as the first call would.
    let mut config = Config::new(key);
    if let Some(url) = base_url {
        config = config.base_url(url);
    }
    if let Some(rpm) = rpm {
        config = config.requests_per_minute(rpm);
    }
    if let Some(secs) = timeout {
        let timeout = Duration::from_secs(secs);
        // Room for the three attempts the default retries allow.
        config = config
            .timeout(timeout)
            .call_timeout((timeout * 4).max(Duration::from_secs(300)));
    }
    config.check().map_err(usage)?;
    let mut params = who;
    if let Some(kind) = kind {
        params = params.invitation_type(kind);
    }
    if let Some(country) = country {
        params = params.country(country);
    }
    if let Some(start) = start_page {
        params = params.start_page(start);
    }
    let mut pages = Paginator::new(&config, params);
    if let Some(max) = max_credits {
        pages = pages.max_credits(max);
    }
    Ok(Setup {
        pages,
        quiet: flags.has("quiet"),
        name,
    })
}

fn bad_value(flag: &str, value: &str, choices: &str) -> Usage {
    Usage::Bad(format!("--{flag} is one of {choices}, got {value:?}"))
}

/// A refusal from the library, in the tool's words.
fn usage(err: Error) -> Usage {
    Usage::Bad(in_flags(&err.to_string()))
}

/// The library's message with its method names as the tool's flags and variables.
pub fn in_flags(text: &str) -> String {
    const WORDS: [(&str, &str); 11] = [
        ("invalid parameters, nothing sent: ", ""),
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
            println!("{help}");
            ExitCode::SUCCESS
        }
        Usage::Bad(message) => {
            eprintln!("error: {message}\nsee `{name} --help`");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// "1 credit", "2 credits".
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Whether the walk goes on after an invitation.
pub enum Next {
    More,
    /// Enough: no page after this one is needed (unless the list proves out of order).
    Enough,
}

/// Walks pages, handing each invitation to `each`, with a progress line per page on stderr
/// unless quiet. `resume` says how a user resumes this walk (`--start-page N`), if they can.
pub fn walk(
    setup: &mut Setup,
    resume: bool,
    mut each: impl FnMut(Invitation) -> std::io::Result<Next>,
) -> ExitCode {
    let name = setup.name;
    let pages = &mut setup.pages;
    let mut seen = 0u64;
    let mut enough = false;
    loop {
        let number = pages.next_page();
        let Some(page) = pages.next() else { break };
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                if matches!(err, Error::InvalidParams(_)) {
                    // Refused before sending: a mistake like any other.
                    eprintln!("error: {}\nsee `{name} --help`", in_flags(&err.to_string()));
                    return ExitCode::from(EXIT_USAGE);
                }
                eprintln!("error: {}", in_flags(&err.to_string()));
                let spent = count(pages.credits_used(), "credit");
                match pages.next_page() {
                    Some(page) if resume && seen > 0 => {
                        eprintln!("{spent} used; to resume, pass --start-page {page}")
                    }
                    _ => eprintln!("{spent} used"),
                }
                return ExitCode::from(EXIT_ERROR);
            }
        };
        // The page the reply covers (an oldest-first walk reads page 1 before the last page).
        let shown = page
            .pagination
            .as_ref()
            .map(|p| p.start_page)
            .filter(|p| *p > 0)
            .or(number);
        for invitation in page.invitations {
            seen += 1;
            match each(invitation) {
                Ok(Next::More) => {}
                Ok(Next::Enough) => enough = true,
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
                    // The reader (say, `head`) has had enough.
                    return ExitCode::from(0);
                }
                Err(err) => {
                    eprintln!("error: cannot write the output: {err}");
                    return ExitCode::from(EXIT_ERROR);
                }
            }
        }
        if !setup.quiet {
            let total = pages
                .total_pages()
                .map_or("?".to_owned(), |t| t.to_string());
            eprintln!(
                "page {}/{total}, {}",
                shown.unwrap_or(0),
                count(pages.credits_used(), "credit")
            );
        }
        // Stopping early relies on the list's order; out of order, only a full walk is safe.
        if enough && !pages.out_of_order() {
            break;
        }
    }
    if pages.out_of_order() {
        eprintln!("warning: the list came out of order, so every page was read to miss nothing");
    }
    if pages.possibly_missed() > 0 {
        eprintln!(
            "warning: the list changed during the walk in a way that could not be repaired: up \
             to {} may be missing; run again to catch them",
            count(pages.possibly_missed(), "invitation")
        );
    }
    let spent = count(pages.credits_used(), "credit");
    match pages.next_page() {
        Some(page) if !enough => {
            let how = if resume {
                format!("; to resume, pass --start-page {page}")
            } else {
                "; raise --max-credits to go further".to_owned()
            };
            eprintln!(
                "stopped at the credit budget: {}, {spent}{how}",
                count(seen, "invitation")
            );
            ExitCode::from(EXIT_BUDGET)
        }
        _ => {
            if !setup.quiet {
                eprintln!("done: {}, {spent}", count(seen, "invitation"));
            }
            ExitCode::from(0)
        }
    }
}

/// Writes a line to stdout, reporting failures (a closed pipe) instead of panicking.
pub fn out(line: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_fmt(line)?;
    stdout.write_all(b"\n")
}
