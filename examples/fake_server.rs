//! Serves the crate's fake of the LinkUp API on 127.0.0.1 until stopped, so the tools can be
//! tried offline: no key, no credit.
//!
//! ```text
//! cargo run --example fake_server -- 138 --port 8080   # prints LINKUP_BASE_URL=http://127.0.0.1:8080
//! LINKUP_BASE_URL=http://127.0.0.1:8080 LINKUP_API_KEY=any LINKUP_LOGIN_TOKEN=any \
//!     linkup-stale --requests-per-minute 0
//! ```
//!
//! For a day of cron runs: the same ids at every start (`--seed`), new invitations while it
//! runs (`--arrive`), failures on demand (`--fail`) and a line per request (`--log`).

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use lexopt::Arg;
use linkup_sent_invitations::{FakeApi, FakeFailure};

const HELP: &str =
    "Serve a local fake of the LinkUp API (v1, v2, /v2/login) until stopped (Ctrl-C).

Usage: fake_server [INVITATIONS] [--port N] [--seed S] [--arrive N] [--fail SPEC]... [--log FILE]

  INVITATIONS  how many sent invitations it holds (default 138)
  --port N     the port to listen on, on 127.0.0.1 (default: a free one)
  --seed S     the same ids at every start (the newest sent 2026-12-01T00:00:00Z), and the
               draws of --fail ...:p=P made from S (default: ids from the start time, seed 0)
  --arrive N   N new invitations a minute while it runs (default 0)
  --fail SPEC  answer some listing and withdrawal requests with a failure, SPEC as
               KIND:every=K (the K-th, 2K-th, ... request) or KIND:p=P (each with
               probability P, seeded); KIND is 402 (no credits left), 429 (rate limited,
               Retry-After: 1), a 5xx status, or hang-up (no reply; a withdrawal is
               performed first); repeat for several
  --log FILE   append one JSON line per request to FILE as it is answered: the time, path,
               page, invitation, status, credits and whether it withdrew
  -h, --help   this help";

/// What the command line asks for.
struct Options {
    total: u64,
    port: u16,
    seed: Option<u64>,
    arrive: u64,
    fail: Vec<(Every, FakeFailure)>,
    log: Option<PathBuf>,
}

/// When a `--fail` applies.
enum Every {
    Kth(u64),
    Probability(f64),
}

fn main() -> ExitCode {
    let options = match parse() {
        Ok(options) => options,
        Err(None) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(Some(message)) => {
            eprintln!("error: {message}\nsee `fake_server --help`");
            return ExitCode::from(2);
        }
    };
    let port = options.port;
    let fake = match FakeApi::start_on(("127.0.0.1", port), options.total) {
        Ok(fake) => fake,
        Err(err) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {err}; pick another --port");
            return ExitCode::from(1);
        }
    };
    if let Some(seed) = options.seed {
        fake.seed(seed);
    }
    for (every, failure) in options.fail {
        match every {
            Every::Kth(k) => fake.fail_every(k, failure),
            Every::Probability(p) => fake.fail_randomly(p, failure),
        };
    }
    if let Some(path) = &options.log {
        match OpenOptions::new().create(true).append(true).open(path) {
            Ok(file) => fake.log(file),
            Err(err) => {
                eprintln!("error: cannot open --log {}: {err}", path.display());
                return ExitCode::from(2);
            }
        };
    }
    println!("LINKUP_BASE_URL={}", fake.base_url());
    eprintln!(
        "serving {} invitations (v1 and v2); pass --requests-per-minute 0 to the tools; \
         stop with Ctrl-C",
        options.total
    );
    // The fake serves from its own threads until the process is stopped; new invitations
    // arrive at an even pace.
    if options.arrive == 0 {
        loop {
            std::thread::park();
        }
    }
    let every = Duration::from_secs(60) / u32::try_from(options.arrive).unwrap_or(u32::MAX);
    loop {
        std::thread::sleep(every);
        fake.arrive(1);
    }
}

/// The options; `Err(None)` for `--help`, `Err(Some(message))` for a mistake.
fn parse() -> Result<Options, Option<String>> {
    let mut options = Options {
        total: 138,
        port: 0,
        seed: None,
        arrive: 0,
        fail: Vec::new(),
        log: None,
    };
    let mut total = None;
    let mut parser = lexopt::Parser::from_env();
    let mistake = |err: lexopt::Error| Some(err.to_string());
    while let Some(arg) = parser.next().map_err(mistake)? {
        match arg {
            Arg::Short('h') | Arg::Long("help") => return Err(None),
            Arg::Long(flag @ ("port" | "seed" | "arrive" | "fail" | "log")) => {
                let flag = flag.to_owned();
                let value = parser.value().map_err(mistake)?;
                if flag == "log" {
                    options.log = Some(value.into());
                    continue;
                }
                let value = value.to_string_lossy();
                match flag.as_str() {
                    "port" => {
                        options.port = value.parse().map_err(|_| {
                            Some(format!("--port is a number up to 65535, got {value:?}"))
                        })?;
                    }
                    "seed" => {
                        options.seed = Some(value.parse().map_err(|_| {
                            Some(format!("--seed is a whole number, got {value:?}"))
                        })?);
                    }
                    "arrive" => {
                        options.arrive = value.parse().map_err(|_| {
                            Some(format!("--arrive is a number a minute, got {value:?}"))
                        })?;
                    }
                    _ => options.fail.push(failure(&value)?),
                }
            }
            Arg::Value(value) if total.is_none() => {
                let value = value.to_string_lossy();
                total =
                    Some(value.parse().map_err(|_| {
                        Some(format!("INVITATIONS is a whole number, got {value:?}"))
                    })?);
            }
            Arg::Value(value) => {
                return Err(Some(format!(
                    "unexpected argument {:?}: give one number of invitations",
                    value.to_string_lossy()
                )))
            }
            Arg::Long(flag) => return Err(Some(format!("unknown flag --{flag}"))),
            Arg::Short(flag) => return Err(Some(format!("unknown flag -{flag}"))),
        }
    }
    options.total = total.unwrap_or(options.total);
    Ok(options)
}

/// One `--fail` SPEC: `KIND:every=K` or `KIND:p=P`.
fn failure(spec: &str) -> Result<(Every, FakeFailure), Option<String>> {
    let wrong = || {
        Some(format!(
            "--fail is KIND:every=K or KIND:p=P, KIND 402, 429, 5xx or hang-up, got {spec:?}"
        ))
    };
    let (kind, when) = spec.split_once(':').ok_or_else(wrong)?;
    let failure = match kind {
        "402" => FakeFailure::insufficient_credits(),
        "429" => FakeFailure::rate_limited(1),
        "hang-up" => FakeFailure::hang_up(),
        status => match status.parse::<u16>() {
            Ok(status @ 500..=599) => FakeFailure::reply(
                status,
                format!("<html><body><h1>{status} Server Error</h1></body></html>"),
            ),
            _ => return Err(wrong()),
        },
    };
    let every = match when.split_once('=') {
        Some(("every", k)) => Every::Kth(k.parse().ok().filter(|k| *k > 0).ok_or_else(wrong)?),
        Some(("p", p)) => Every::Probability(
            p.parse()
                .ok()
                .filter(|p: &f64| (0.0..=1.0).contains(p))
                .ok_or_else(wrong)?,
        ),
        _ => return Err(wrong()),
    };
    Ok((every, failure))
}
