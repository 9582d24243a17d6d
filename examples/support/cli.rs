//! What the `export` and `stale` tools share: flags, the walk over pages with progress on
//! stderr, and the exit codes (0 done, 1 error, 2 bad usage, 3 stopped at the credit budget).
#![allow(dead_code)] // each tool uses a different part

use std::io::Write;
use std::process::ExitCode;

use linkup_sent_invitations::{
    Config, Country, Error, Invitation, InvitationType, Paginator, Params,
};

pub const EXIT_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_BUDGET: u8 = 3;

/// The flags both tools take, as usage text.
pub const COMMON_USAGE: &str = "\
  --type TYPE          CONNECTION (default), ORGANIZATION or CONTENT_SERIES
  --country CODE       proxy country: US, UK, FR, DE, NL, IT, IL, CA, BR, ES, IN
  --max-credits N      spend at most N credits (one per page), then stop with exit code 3
  --start-page N       start at page N: resume where a budget stop said
  --base-url URL       the API's base URL (default https://api.linkupapi.com)
  --requests-per-minute N
                       pace requests (default 300, the API's limit; lower it when other jobs
                       share the API key)
  --api-key KEY        the API key (default: $LINKUP_API_KEY; prefer the variable, flags show in ps)
  --login-token TOKEN  the LinkedIn session token (default: $LINKUP_LOGIN_TOKEN)
  -h, --help           this help

Exit codes: 0 done, 1 error, 2 bad usage, 3 stopped at the credit budget.";

/// Parsed flags: `--name value` or `--name=value`, only those in `allowed`.
pub struct Flags(Vec<(String, String)>);

pub enum Usage {
    Help,
    Bad(String),
}

impl Flags {
    pub fn parse(mut args: impl Iterator<Item = String>, allowed: &[&str]) -> Result<Flags, Usage> {
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
            if !allowed.contains(&name) {
                return Err(Usage::Bad(format!("unknown flag --{name}")));
            }
            let value = match inline {
                Some(value) => value,
                None => args
                    .next()
                    .ok_or_else(|| Usage::Bad(format!("--{name} needs a value")))?,
            };
            let name = name.to_owned();
            flags.push((name, value));
        }
        Ok(Flags(flags))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
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

/// The flags every tool accepts.
pub const COMMON_FLAGS: [&str; 8] = [
    "type",
    "country",
    "max-credits",
    "start-page",
    "base-url",
    "requests-per-minute",
    "api-key",
    "login-token",
];

/// A paginator from the common flags and the environment.
pub fn paginator(flags: &Flags) -> Result<Paginator, Usage> {
    let key = flags
        .get("api-key")
        .map(str::to_owned)
        .or_else(|| std::env::var("LINKUP_API_KEY").ok());
    let key = key
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| Usage::Bad("no API key: set LINKUP_API_KEY (or pass --api-key)".into()))?;
    let token = flags
        .get("login-token")
        .map(str::to_owned)
        .or_else(|| std::env::var("LINKUP_LOGIN_TOKEN").ok())
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            Usage::Bad("no login token: set LINKUP_LOGIN_TOKEN (or pass --login-token)".into())
        })?;

    let mut config = Config::new(key);
    if let Some(url) = flags
        .get("base-url")
        .map(str::to_owned)
        .or_else(|| std::env::var("LINKUP_BASE_URL").ok())
    {
        config = config.base_url(url);
    }
    if let Some(rpm) = flags.number::<u32>("requests-per-minute")? {
        config = config.requests_per_minute(rpm);
    }
    let mut params = Params::new(token);
    if let Some(kind) = flags.get("type") {
        params = params.invitation_type(kind.parse::<InvitationType>().map_err(bad)?);
    }
    if let Some(code) = flags.get("country") {
        params = params.country(code.parse::<Country>().map_err(bad)?);
    }
    if let Some(start) = flags.number::<u32>("start-page")? {
        params = params.start_page(start);
    }
    let mut pages = Paginator::new(&config, params);
    if let Some(max) = flags.number::<u64>("max-credits")? {
        pages = pages.max_credits(max);
    }
    Ok(pages)
}

fn bad(err: Error) -> Usage {
    Usage::Bad(err.to_string())
}

/// Prints the usage (exit 0 for --help, 2 for a mistake).
pub fn usage_exit(usage: Usage, text: &str) -> ExitCode {
    match usage {
        Usage::Help => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Usage::Bad(message) => {
            eprintln!("error: {message}\n\n{text}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Walks every page, handing each invitation to `each` and printing progress on stderr.
pub fn walk(
    pages: &mut Paginator,
    mut each: impl FnMut(Invitation) -> std::io::Result<()>,
) -> ExitCode {
    let mut count = 0u64;
    loop {
        let number = pages.next_page();
        let Some(page) = pages.next() else { break };
        match page {
            Ok(page) => {
                for invitation in page.invitations {
                    count += 1;
                    if let Err(err) = each(invitation) {
                        if err.kind() == std::io::ErrorKind::BrokenPipe {
                            return ExitCode::SUCCESS; // the reader (say, `head`) has had enough
                        }
                        eprintln!("error: cannot write the output: {err}");
                        return ExitCode::from(EXIT_ERROR);
                    }
                }
                let total = pages
                    .total_pages()
                    .map_or("?".to_owned(), |t| t.to_string());
                eprintln!(
                    "page {}/{total}, {} credits",
                    number.unwrap_or(0),
                    pages.credits_used()
                );
            }
            Err(err) => {
                eprintln!("error: {err}");
                if let Some(page) = pages.next_page() {
                    eprintln!(
                        "{} credits used; to resume, pass --start-page {page}",
                        pages.credits_used()
                    );
                }
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    if pages.possibly_missed() > 0 {
        eprintln!(
            "warning: the list changed during the walk in a way that could not be repaired: up \
             to {} invitations may be missing; run again to catch them",
            pages.possibly_missed()
        );
    }
    if let Some(page) = pages.next_page() {
        eprintln!(
            "stopped at the credit budget: {count} invitations, {} credits; to resume, pass --start-page {page}",
            pages.credits_used()
        );
        return ExitCode::from(EXIT_BUDGET);
    }
    eprintln!(
        "done: {count} invitations, {} credits",
        pages.credits_used()
    );
    ExitCode::SUCCESS
}

/// Writes a line to stdout, reporting failures (a closed pipe) instead of panicking.
pub fn out(line: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_fmt(line)?;
    stdout.write_all(b"\n")
}
