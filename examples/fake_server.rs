//! Serves the crate's fake of the LinkUp API on 127.0.0.1 until stopped, so the tools can be
//! tried offline: no key, no credit.
//!
//! ```text
//! cargo run --example fake_server -- 138 --port 8080   # prints LINKUP_BASE_URL=http://127.0.0.1:8080
//! LINKUP_BASE_URL=http://127.0.0.1:8080 LINKUP_API_KEY=any LINKUP_LOGIN_TOKEN=any \
//!     linkup-stale --requests-per-minute 0
//! ```

use std::process::ExitCode;

use lexopt::Arg;
use linkup_sent_invitations::FakeApi;

const HELP: &str =
    "Serve a local fake of the LinkUp API (v1, v2, /v2/login) until stopped (Ctrl-C).

Usage: fake_server [INVITATIONS] [--port N]

  INVITATIONS  how many sent invitations it holds (default 138)
  --port N     the port to listen on, on 127.0.0.1 (default: a free one)
  -h, --help   this help";

fn main() -> ExitCode {
    let (total, port) = match parse() {
        Ok(parsed) => parsed,
        Err(None) => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(Some(message)) => {
            eprintln!("error: {message}\nsee `fake_server --help`");
            return ExitCode::from(2);
        }
    };
    let fake = match FakeApi::start_on(("127.0.0.1", port), total) {
        Ok(fake) => fake,
        Err(err) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {err}; pick another --port");
            return ExitCode::from(1);
        }
    };
    println!("LINKUP_BASE_URL={}", fake.base_url());
    eprintln!(
        "serving {total} invitations (v1 and v2); pass --requests-per-minute 0 to the tools; \
         stop with Ctrl-C"
    );
    // The fake serves from its own threads until the process is stopped.
    loop {
        std::thread::park();
    }
}

/// The invitations and the port; `Err(None)` for `--help`, `Err(Some(message))` for a mistake.
fn parse() -> Result<(u64, u16), Option<String>> {
    let (mut total, mut port) = (None, 0);
    let mut parser = lexopt::Parser::from_env();
    let mistake = |err: lexopt::Error| Some(err.to_string());
    while let Some(arg) = parser.next().map_err(mistake)? {
        match arg {
            Arg::Short('h') | Arg::Long("help") => return Err(None),
            Arg::Long("port") => {
                let value = parser.value().map_err(mistake)?;
                let value = value.to_string_lossy();
                port = value
                    .parse()
                    .map_err(|_| Some(format!("--port is a number up to 65535, got {value:?}")))?;
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
    Ok((total.unwrap_or(138), port))
}
