//! End to end on loopback: a `Paginator` walking 200 pages from a local keep-alive server,
//! against a bare `ureq::Agent` + `serde_json` loop sending the same requests to the same server
//! with the same guarantee: a deadline over each whole attempt (`timeout_global`, plus the 10 s
//! resolve and connect limits). Goal: the Paginator's pages per second at least 0.95x that
//! loop's (pacing off). A third loop without any deadline is reported only, to show what the
//! guarantee costs (ureq resolves the host in a new thread per request under a deadline).
//!
//! `cargo bench --bench end_to_end -- --serve` only starts the server and prints its URL, for
//! `benches/python_requests.py` to measure a Python `requests` loop against the same server.

#[path = "support/mirror.rs"]
mod mirror;
#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::io::Read;
use std::time::Duration;

use criterion::{criterion_group, Criterion, Throughput};
use linkup_sent_invitations::{Config, Paginator, Params};
use mirror::MirrorEnvelope;
use support::{fake_api, http_response, Action, RawServer, KEY, TOKEN};

const PAGES: u32 = 200;

/// A keep-alive server with every page's reply ready, so its own cost is small and the same
/// for both clients.
fn serve(pages: u32) -> RawServer {
    let total = u64::from(pages) * 10;
    let replies: Vec<Vec<u8>> = (1..=u64::from(pages))
        .map(|p| {
            http_response(
                200,
                "",
                fake_api::pages_reply(total, p, p).to_string().as_bytes(),
            )
        })
        .collect();
    RawServer::start_lean(move |_, request| {
        let page = start_page(&request.body)
            .unwrap_or(1)
            .clamp(1, replies.len());
        Action::Write(replies[page - 1].clone())
    })
}

/// `"start_page":N` from a request body, without a JSON parse.
fn start_page(body: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(body).ok()?;
    let rest = &text[text.find("\"start_page\":")? + 13..];
    rest[..rest.find(|c: char| !c.is_ascii_digit())?]
        .parse()
        .ok()
}

fn end_to_end(c: &mut Criterion) {
    let server = serve(PAGES);
    let url = format!("{}{}", server.base_url(), fake_api::PATH);
    let config = Config::new(KEY)
        .base_url(server.base_url())
        .requests_per_minute(0);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(90)))
        .timeout_resolve(Some(Duration::from_secs(10)))
        .timeout_connect(Some(Duration::from_secs(10)))
        .build()
        .into();
    let no_deadline: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .build()
        .into();
    let bare_loop = |agent: &ureq::Agent| {
        let mut invitations = 0;
        for page in 1..=PAGES {
            let body = format!(
                r#"{{"login_token":"{TOKEN}","invitation_type":"CONNECTION","start_page":{page},"end_page":{page}}}"#
            );
            let mut response = agent
                .post(&url)
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .send(body.as_bytes())
                .unwrap();
            let mut bytes = Vec::new();
            response
                .body_mut()
                .as_reader()
                .read_to_end(&mut bytes)
                .unwrap();
            let reply: MirrorEnvelope = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(reply.status, "success");
            invitations += black_box(reply).data.invitations.len();
        }
        assert_eq!(invitations, PAGES as usize * 10);
    };

    let mut group = c.benchmark_group("end_to_end/200_pages");
    group.throughput(Throughput::Elements(u64::from(PAGES)));
    group.sample_size(20);
    group.bench_function("paginator", |b| {
        b.iter(|| {
            let mut invitations = 0;
            for page in Paginator::new(&config, Params::new(TOKEN)) {
                invitations += black_box(page.unwrap()).invitations.len();
            }
            assert_eq!(invitations, PAGES as usize * 10);
        })
    });
    group.bench_function("bare_ureq_loop", |b| b.iter(|| bare_loop(&agent)));
    group.bench_function("bare_ureq_loop_no_deadline", |b| {
        b.iter(|| bare_loop(&no_deadline))
    });
    group.finish();
}

criterion_group!(benches, end_to_end);

fn main() {
    if std::env::args().any(|arg| arg == "--serve") {
        let server = serve(PAGES);
        println!("{}{}", server.base_url(), fake_api::PATH);
        // Serve until whoever started us closes our stdin.
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        return;
    }
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
