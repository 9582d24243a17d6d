//! Walks 138 sent invitations page by page, offline: the README's first command.
//!
//! The crate's own fake of the API (`FakeApi`, feature `test-util`, on 127.0.0.1 at a free port)
//! stands in for LinkUp, so no key is needed and no credit is spent. Each invitation is a line
//! on stdout; each page is a progress line on stderr with the credits a real run would have used.
//!
//! ```text
//! cargo run --example demo          # through v1: 14 pages of 10, 14 credits
//! cargo run --example demo -- --v2  # through v2: 3 pages of 50, 3 credits
//! ```

use std::io::Write;
use std::process::ExitCode;

use linkup_sent_invitations::{Config, FakeApi, Paginator, Params};

const HELP: &str = "Walk 138 sent invitations from a local fake of the LinkUp API: offline, no key.

Usage: demo [--v2] [--quiet]

  --v2       walk them through the v2 API (pages of 50, one credit each)
  --quiet    no progress lines on stderr
  -h, --help this help";

fn main() -> ExitCode {
    let (mut v2, mut quiet) = (false, false);
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{HELP}");
                return ExitCode::SUCCESS;
            }
            "--v2" => v2 = true,
            "--quiet" => quiet = true,
            other => {
                eprintln!("error: unknown argument {other:?}\nsee `demo --help`");
                return ExitCode::from(2);
            }
        }
    }

    let fake = FakeApi::start(138);
    let config = Config::new("demo-api-key")
        .base_url(fake.base_url())
        // The fake has no rate limit; the real API's is 300 a minute, the default pace.
        .requests_per_minute(0);
    let params = if v2 {
        Params::account("demo-account-id")
    } else {
        Params::new("demo-login-token")
    };
    let mut pages = Paginator::new(&config, params);

    while let Some(page) = pages.next() {
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        };
        let mut stdout = std::io::stdout().lock();
        for invitation in &page.invitations {
            let line = writeln!(
                stdout,
                "{:>19}  {:<24}  {:<18}  {}",
                invitation.invitation_id,
                fit(&invitation.name, 24),
                fit(invitation.sent_time.as_deref().unwrap_or(""), 18),
                invitation.subtitle.as_deref().unwrap_or(""),
            );
            if line.is_err() {
                // A reader that has had enough (`demo | head -1`): stop, quietly.
                return ExitCode::SUCCESS;
            }
        }
        if !quiet {
            let number = page.pagination.as_ref().map_or(0, |p| p.start_page);
            let total = pages
                .total_pages()
                .map_or("?".to_owned(), |t| t.to_string());
            eprintln!("page {number}/{total}, {}", credits(pages.credits_used()));
        }
    }
    eprintln!(
        "done: {} for {} pages of invitations",
        credits(pages.credits_used()),
        pages.total_pages().unwrap_or(0)
    );
    ExitCode::SUCCESS
}

/// At most `width` characters, cut with an ellipsis, so the columns stay in line.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

fn credits(n: u64) -> String {
    if n == 1 {
        "1 credit".to_owned()
    } else {
        format!("{n} credits")
    }
}
