//! End to end on loopback: a `Paginator` walking 200 pages from a local keep-alive server,
//! against a bare `ureq::Agent` + `serde_json` loop sending the same requests to the same server
//! with the same guarantee: a deadline over each whole attempt (`timeout_global`, plus the 10 s
//! resolve and connect limits). Goal: the Paginator's pages per second at least 0.95x that
//! loop's (pacing off). A third loop without any deadline is reported only, to show what the
//! guarantee costs (ureq resolves the host in a new thread per request under a deadline).
//!
//! `cargo bench --bench end_to_end -- --interleaved 100` runs 100 pairs of walks, library and
//! baseline back to back, and prints the median ratio: the figure to trust on a shared machine.
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

/// The two clients under test, against one server.
struct Clients {
    _server: RawServer,
    url: String,
    config: Config,
    agent: ureq::Agent,
    no_deadline: ureq::Agent,
}

impl Clients {
    fn new() -> Clients {
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
        Clients {
            _server: server,
            url,
            config,
            agent,
            no_deadline,
        }
    }

    /// The library: a `Paginator` over every page.
    fn paginator(&self) {
        let mut invitations = 0;
        for page in Paginator::new(&self.config, Params::new(TOKEN)) {
            invitations += black_box(page.unwrap()).invitations.len();
        }
        assert_eq!(invitations, PAGES as usize * 10);
    }

    /// The baseline: the same requests by hand, decoded into a derive mirror.
    fn bare_loop(&self, agent: &ureq::Agent) {
        let mut invitations = 0;
        for page in 1..=PAGES {
            let body = format!(
                r#"{{"login_token":"{TOKEN}","invitation_type":"CONNECTION","start_page":{page},"end_page":{page}}}"#
            );
            let mut response = agent
                .post(&self.url)
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
    }
}

fn end_to_end(c: &mut Criterion) {
    let clients = Clients::new();
    let mut group = c.benchmark_group("end_to_end/200_pages");
    group.throughput(Throughput::Elements(u64::from(PAGES)));
    group.sample_size(20);
    group.bench_function("paginator", |b| b.iter(|| clients.paginator()));
    group.bench_function("bare_ureq_loop", |b| {
        b.iter(|| clients.bare_loop(&clients.agent))
    });
    group.bench_function("bare_ureq_loop_no_deadline", |b| {
        b.iter(|| clients.bare_loop(&clients.no_deadline))
    });
    group.finish();
}

/// `-- --interleaved N`: N pairs of walks, library and baseline back to back (in alternating
/// order), and the median of the pairs' ratios. On a shared machine whose speed swings by 2x
/// over seconds, criterion's separate runs of each compare different weather; a pair shares it.
fn interleaved(pairs: usize) {
    let clients = Clients::new();
    let time = |f: &dyn Fn()| {
        let started = std::time::Instant::now();
        f();
        started.elapsed().as_secs_f64()
    };
    let library = || clients.paginator();
    let baseline = || clients.bare_loop(&clients.agent);
    for _ in 0..5 {
        library();
        baseline();
    }
    let mut ratios: Vec<f64> = (0..pairs)
        .map(|n| {
            let (lib, base) = if n.is_multiple_of(2) {
                let lib = time(&library);
                (lib, time(&baseline))
            } else {
                let base = time(&baseline);
                (time(&library), base)
            };
            // Pages per second of the library over the baseline's.
            base / lib
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    println!(
        "end_to_end/200_pages interleaved, {pairs} pairs: paginator / bare_ureq_loop pages/s: \
         median {:.3} (quartiles {:.3} to {:.3}; goal >= 0.95)",
        at(0.5),
        at(0.25),
        at(0.75)
    );
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
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--interleaved") {
        let pairs = args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(100);
        interleaved(pairs);
        return;
    }
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
