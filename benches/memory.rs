//! Memory: walking 5,000 pages, a `Paginator` holds one page at a time, and grows only by the
//! ids it keeps to yield nothing twice and to notice a server that brings nothing new (two hash
//! sets of `u64`: about 18 bytes an id each at worst, as the tables double). Peak RSS (VmHWM,
//! Linux) after the first 100 pages and after all 5,000 may grow by at most 40 bytes per
//! invitation walked in between; the bench prints both and exits with 1 when the budget is
//! broken (a copy of each invitation kept, say).
//!
//! `cargo bench --bench memory`

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::ExitCode;

use linkup_sent_invitations::{Config, Paginator, Params};
use support::{fake_api, http_response, Action, RawServer, KEY, TOKEN};

const PAGES: u64 = 5_000;
const WARM_UP_PAGES: u64 = 100;
/// Bytes of peak RSS each invitation walked after the warm-up may add.
const BUDGET_PER_INVITATION: u64 = 40;

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
    let invitations = (PAGES - WARM_UP_PAGES) * 10;
    let budget = invitations * BUDGET_PER_INVITATION / 1024;
    println!(
        "memory: {PAGES} pages, {} credits; peak RSS {start} KiB after {WARM_UP_PAGES} pages, \
         {end} KiB after {PAGES}: growth {growth} KiB for {invitations} invitations, {:.1} bytes \
         each (budget {budget} KiB, {BUDGET_PER_INVITATION} bytes each)",
        pages.credits_used(),
        growth as f64 * 1024.0 / invitations as f64
    );
    if growth <= budget {
        ExitCode::SUCCESS
    } else {
        println!("memory: over budget");
        ExitCode::FAILURE
    }
}
