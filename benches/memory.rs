//! Memory: walking 5,000 pages keeps peak RSS flat, because a `Paginator` holds one page at a
//! time. Peak RSS (VmHWM, Linux) after the first 100 pages and after all 5,000 may differ by less
//! than 2 MiB; the bench prints both and exits with 1 when the budget is broken.
//!
//! `cargo bench --bench memory`

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::ExitCode;

use linkup_sent_invitations::{Config, Paginator, Params};
use support::{fake_api, http_response, Action, RawServer, KEY, TOKEN};

const PAGES: u64 = 5_000;
const WARM_UP_PAGES: u64 = 100;
const BUDGET_KIB: u64 = 2 * 1024;

/// A field of /proc/self/status, in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> ExitCode {
    // Every reply is built before the walk, so the server's own memory is settled by then.
    let replies: Vec<Vec<u8>> = (1..=PAGES)
        .map(|p| {
            http_response(
                200,
                "",
                fake_api::pages_reply(PAGES * 10, p, p)
                    .to_string()
                    .as_bytes(),
            )
        })
        .collect();
    let server = RawServer::start_lean(move |index, _| Action::Write(replies[index].clone()));
    let config = Config::new(KEY)
        .base_url(server.base_url())
        .requests_per_minute(0);

    let mut pages = Paginator::new(&config, Params::new(TOKEN));
    let mut walked = 0;
    let mut after_warm_up = None;
    for page in &mut pages {
        assert_eq!(
            page.expect("the local server answers").invitations.len(),
            10
        );
        walked += 1;
        if walked == WARM_UP_PAGES {
            after_warm_up = status_kib("VmHWM:");
        }
    }
    let (Some(start), Some(end)) = (after_warm_up, status_kib("VmHWM:")) else {
        println!("memory: no /proc/self/status here (not Linux); nothing measured");
        return ExitCode::SUCCESS;
    };
    assert_eq!(walked, PAGES, "the walk covers every page");
    let growth = end.saturating_sub(start);
    println!(
        "memory: {PAGES} pages, {} credits; peak RSS {start} KiB after {WARM_UP_PAGES} pages, \
         {end} KiB after {PAGES}: growth {growth} KiB (budget {BUDGET_KIB} KiB)",
        pages.credits_used()
    );
    if growth < BUDGET_KIB {
        ExitCode::SUCCESS
    } else {
        println!("memory: over budget");
        ExitCode::FAILURE
    }
}
