//! Walks 138 sent invitations page by page, offline: the README's first command.
//!
//! An embedded local fake of the endpoint (on 127.0.0.1, a free port) stands in for the API,
//! so no key is needed and no credit is spent. Each invitation is a line on stdout; each page
//! is a progress line on stderr with the credits a real run would have used.
//!
//! ```text
//! cargo run --example demo
//! ```

#[path = "support/fake_api.rs"]
mod fake_api;

use linkup_sent_invitations::{Config, Paginator, Params};

fn main() {
    let server = fake_api::start(138);
    let config = Config::new("demo-api-key")
        .base_url(server.base_url())
        // The fake has no rate limit; the real API's is 300 a minute, the default pace.
        .requests_per_minute(0);
    let mut pages = Paginator::new(&config, Params::new("demo-login-token"));

    while let Some(page) = pages.next() {
        let page = match page {
            Ok(page) => page,
            Err(err) => {
                eprintln!("error: {err}");
                std::process::exit(1);
            }
        };
        for invitation in &page.invitations {
            println!(
                "{:>19}  {:<18} {:<16} {}",
                invitation.invitation_id,
                invitation.name,
                invitation.sent_time.as_deref().unwrap_or("-"),
                invitation.subtitle.as_deref().unwrap_or(""),
            );
        }
        let number = page.pagination.as_ref().map_or(0, |p| p.start_page);
        let total = pages
            .total_pages()
            .map_or("?".to_owned(), |t| t.to_string());
        eprintln!("page {number}/{total}, {} credits", pages.credits_used());
    }
    eprintln!(
        "done: {} credits for {} pages of invitations",
        pages.credits_used(),
        pages.total_pages().unwrap_or(0)
    );
}
