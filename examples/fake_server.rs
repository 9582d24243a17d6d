//! Serves the crate's fake of the LinkUp API on 127.0.0.1 until stopped, so the tools can be
//! tried offline: no key, no credit.
//!
//! ```text
//! cargo run --example fake_server -- 138      # prints LINKUP_BASE_URL=http://127.0.0.1:PORT
//! LINKUP_BASE_URL=http://127.0.0.1:PORT LINKUP_API_KEY=any LINKUP_LOGIN_TOKEN=any \
//!     cargo run --example stale -- --requests-per-minute 0
//! ```

use std::process::ExitCode;

use linkup_sent_invitations::FakeApi;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    let total = match arg.as_deref() {
        None => 138,
        Some("-h" | "--help") => {
            println!(
                "Serve a local fake of the LinkUp API until stopped (Ctrl-C).\n\n\
                 Usage: fake_server [INVITATIONS]   (default 138)"
            );
            return ExitCode::SUCCESS;
        }
        Some(n) => match n.parse::<u64>() {
            Ok(n) => n,
            Err(_) => {
                eprintln!(
                    "error: INVITATIONS is a whole number, got {n:?}\nsee `fake_server --help`"
                );
                return ExitCode::from(2);
            }
        },
    };
    let fake = FakeApi::start(total);
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
