//! Helpers shared by the integration tests: the fake API and a scripted raw HTTP server.
#![allow(dead_code)] // each test file uses a different part

pub mod fake_api;
pub mod tls;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use linkup_sent_invitations::Config;

pub const KEY: &str = "test-api-key-SECRET-1234";
pub const TOKEN: &str = "AQEDAT-login-token-SECRET-5678";

/// A config for a local server: no pacing, no backoff wait, so tests only wait where waiting is
/// the feature.
pub fn config(base_url: impl Into<String>) -> Config {
    Config::new(KEY)
        .base_url(base_url)
        .requests_per_minute(0)
        .retry_backoff(Duration::from_millis(1))
}

/// A mock that answers any request with the documented sample page, to count requests that
/// must not be sent.
pub fn any_request(server: &httpmock::MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .body(fixture("documented-sample-page.json"));
    })
}

/// A loopback URL where nothing listens: the port was free a moment ago.
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One request as the raw server read it.
#[derive(Clone, Debug)]
pub struct Request {
    pub head: String,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
}

/// What the raw server does with one request.
pub enum Action {
    /// Write these bytes (a whole response, or part of one) and keep the connection open.
    Write(Vec<u8>),
    /// Write these bytes, then close the connection.
    WriteAndClose(Vec<u8>),
    /// Close without a reply.
    Close,
    /// Wait this long without replying, then close.
    Stall(Duration),
    /// Write these bytes (the start of a reply), then wait this long and close.
    WriteThenStall(Vec<u8>, Duration),
    /// Anything else: the function gets the connection, which closes when it returns.
    Run(Box<dyn FnOnce(&mut TcpStream) + Send>),
}

/// A complete HTTP/1.1 response with a JSON body.
pub fn http_response(status: u16, extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A scripted HTTP/1.1 server on 127.0.0.1 that counts connections and requests; the handler
/// gets the request's index (from 0) and the request.
pub struct RawServer {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<Request>>>,
    served: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl RawServer {
    /// A server that keeps every request for the test to inspect.
    pub fn start<F>(handler: F) -> RawServer
    where
        F: Fn(usize, &Request) -> Action + Send + Sync + 'static,
    {
        RawServer::spawn(handler, true)
    }

    /// A server that only counts requests, so its memory stays flat (for the benches).
    pub fn start_lean<F>(handler: F) -> RawServer
    where
        F: Fn(usize, &Request) -> Action + Send + Sync + 'static,
    {
        RawServer::spawn(handler, false)
    }

    fn spawn<F>(handler: F, record: bool) -> RawServer
    where
        F: Fn(usize, &Request) -> Action + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let served = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let log = Log {
            requests: requests.clone(),
            served: served.clone(),
            record,
        };
        let (conns, stopping) = (connections.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                conns.fetch_add(1, Ordering::SeqCst);
                let (handler, log) = (handler.clone(), log.clone());
                std::thread::spawn(move || serve_connection(stream, &*handler, &log));
            }
        });
        RawServer {
            addr,
            connections,
            requests,
            served,
            stop,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn request_count(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }

    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wake the accept loop so it sees `stop`
    }
}

/// Where a server notes its requests.
#[derive(Clone)]
struct Log {
    requests: Arc<Mutex<Vec<Request>>>,
    served: Arc<AtomicUsize>,
    record: bool,
}

fn serve_connection(
    stream: TcpStream,
    handler: &(dyn Fn(usize, &Request) -> Action + Send + Sync),
    log: &Log,
) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let length = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0usize);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Request { head, body };
        let index = log.served.fetch_add(1, Ordering::SeqCst);
        if log.record {
            log.requests.lock().unwrap().push(request.clone());
        }
        match handler(index, &request) {
            Action::Write(bytes) => {
                if writer.write_all(&bytes).is_err() {
                    return;
                }
            }
            Action::WriteAndClose(bytes) => {
                let _ = writer.write_all(&bytes);
                return;
            }
            Action::Close => return,
            Action::Stall(wait) => {
                std::thread::sleep(wait);
                return;
            }
            Action::WriteThenStall(bytes, wait) => {
                let _ = writer.write_all(&bytes);
                std::thread::sleep(wait);
                return;
            }
            Action::Run(script) => {
                script(&mut writer);
                return;
            }
        }
    }
}

/// A raw server that answers like the fake API with `total` invitations.
pub fn raw_fake(total: u64) -> RawServer {
    RawServer::start(move |_, request| {
        let key = request.header("x-api-key");
        let (status, body) = fake_api::reply_to(total, key.as_deref(), &request.body);
        Action::Write(http_response(status, "", body.to_string().as_bytes()))
    })
}

// ---------------------------------------------------------------------------------------------
// A list that changes under the walk
// ---------------------------------------------------------------------------------------------

/// An id that carries a time, as LinkedIn's do: milliseconds since the epoch above bit 22.
pub fn sent_id(ms: u64, n: u64) -> u64 {
    (ms << 22) | (n & 0x3F_FFFF)
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// `count` ids, newest first: the newest sent an hour ago, then one every `hours_apart` hours.
pub fn timed_ids(count: u64, hours_apart: u64) -> Vec<u64> {
    let newest = now_ms() - 3_600_000;
    (0..count)
        .map(|n| sent_id(newest - n * hours_apart * 3_600_000, n))
        .collect()
}

/// A new id, newer than every id of `timed_ids`.
pub fn newer_id(n: u64) -> u64 {
    sent_id(now_ms() - 60_000 + n, n)
}

/// The state of a `LiveList`: the ids, newest first, and those LinkedIn hides but counts.
#[derive(Debug, Default)]
pub struct List {
    pub ids: Vec<u64>,
    pub hidden: Vec<u64>,
    /// Whether replies carry `total_available_results`.
    pub without_total: bool,
}

/// A server over a list that changes between requests, as the real one does: `change` runs
/// before request `index` (from 0) is served and may edit the list. It answers v1 requests and
/// v2 `list_sent` actions alike.
pub fn live_list<F>(ids: Vec<u64>, change: F) -> RawServer
where
    F: Fn(usize, &mut List) + Send + Sync + 'static,
{
    let list = Mutex::new(List {
        ids,
        ..List::default()
    });
    RawServer::start(move |index, request| {
        let mut list = list.lock().unwrap();
        change(index, &mut list);
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        if body["action"] == "list_sent" {
            let reply = v2_reply(&list, &body["params"]);
            return Action::Write(http_response(200, "", reply.to_string().as_bytes()));
        }
        let page = body["start_page"].as_u64().unwrap_or(1) as usize;
        let invitations: Vec<serde_json::Value> = list
            .ids
            .iter()
            .skip((page - 1) * 10)
            .take(10)
            .filter(|id| !list.hidden.contains(id))
            .map(|id| {
                serde_json::json!({"name": format!("n{id}"), "invitation_id": id,
                    "invitation_state": "PENDING", "invitation_type": "CONNECTION"})
            })
            .collect();
        let mut data = serde_json::json!({
            "total_results": invitations.len(),
            "total_available_results": list.ids.len(),
            "invitations": invitations,
            "pagination": {"start_page": page, "end_page": page, "results_per_page": 10,
                "pages_fetched": 1},
        });
        if list.without_total {
            data.as_object_mut()
                .unwrap()
                .remove("total_available_results");
        }
        let reply = serde_json::json!({"status": "success", "data": data});
        Action::Write(http_response(200, "", reply.to_string().as_bytes()))
    })
}

/// The `start_page` of every request a server saw, in order.
pub fn pages_asked(server: &RawServer) -> Vec<u64> {
    asked(server, |body| body["start_page"].as_u64())
}

/// The v2 `offset` of every request a server saw, in order.
pub fn offsets_asked(server: &RawServer) -> Vec<u64> {
    asked(server, |body| body["params"]["offset"].as_u64())
}

/// One number from the JSON body of every request a server saw, in order.
fn asked(server: &RawServer, field: fn(&serde_json::Value) -> Option<u64>) -> Vec<u64> {
    server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            field(&body).unwrap_or(u64::MAX)
        })
        .collect()
}

/// A v2 `list_sent` reply for `count` invitations after `offset`, as the documented sample has it.
fn v2_reply(list: &List, params: &serde_json::Value) -> serde_json::Value {
    let offset = params["offset"].as_u64().unwrap_or(0) as usize;
    let count = params["count"].as_u64().unwrap_or(10) as usize;
    let invitations: Vec<serde_json::Value> = list
        .ids
        .iter()
        .skip(offset)
        .take(count)
        .filter(|id| !list.hidden.contains(id))
        .map(|id| {
            serde_json::json!({
                "entity_urn": format!("urn:li:invitation:{id}"),
                "recipient": {"first_name": "n", "last_name": id.to_string(),
                    "headline": "Engineer", "linkedin_url": format!("https://www.linkedin.com/in/{id}"),
                    "profile_picture": null},
                "invitation_type": "CONNECTION",
                "sent_time": "5d",
                "sent_time_days": 5,
            })
        })
        .collect();
    let returned = invitations.len();
    let more = offset + returned < list.ids.len();
    let mut data = serde_json::json!({
        "invitations": invitations,
        "total_results": returned,
        "total_available_results": list.ids.len(),
        "invitation_type": "CONNECTION",
        "pagination": {"offset": offset, "count": returned, "next_offset": offset + returned,
            "has_more": more, "results_per_page": 10, "pages_fetched": returned.div_ceil(10)},
    });
    if list.without_total {
        data.as_object_mut()
            .unwrap()
            .remove("total_available_results");
    }
    serde_json::json!({
        "success": true,
        "data": data,
        "metadata": {"action": "list_sent", "account_id": "acc", "timestamp": "2026-04-26T10:35:00Z",
            "credits_consumed": returned.div_ceil(50).max(1)},
    })
}

/// The one logger of the `it` binary (a logger is process-wide): it takes every record, at every
/// level, ureq's included, and keeps each with the thread that logged it.
pub struct Logged {
    lines: Mutex<Vec<LoggedLine>>,
}

struct LoggedLine {
    thread: std::thread::ThreadId,
    level: log::Level,
    target: String,
    text: String,
}

impl log::Log for Logged {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let line = LoggedLine {
            thread: std::thread::current().id(),
            level: record.level(),
            target: record.target().to_owned(),
            text: record.args().to_string(),
        };
        self.lines.lock().unwrap().push(line);
    }
    fn flush(&self) {}
}

impl Logged {
    /// Every record so far, from any thread, as `TARGET TEXT`.
    pub fn lines(&self) -> Vec<String> {
        let lines = self.lines.lock().unwrap();
        lines
            .iter()
            .map(|l| format!("{} {}", l.target, l.text))
            .collect()
    }

    /// Where the records stand now, for [`Logged::mine_since`].
    pub fn mark(&self) -> usize {
        self.lines.lock().unwrap().len()
    }

    /// The records this thread logged since `mark`, but ureq's own (the README says to filter
    /// those out, `ureq=off,ureq_proto=off`: the crate cannot redact another crate's
    /// records), as `LEVEL TARGET TEXT`.
    pub fn mine_since(&self, mark: usize) -> Vec<String> {
        let me = std::thread::current().id();
        let lines = self.lines.lock().unwrap();
        lines[mark.min(lines.len())..]
            .iter()
            .filter(|l| l.thread == me && !l.target.starts_with("ureq"))
            .map(|l| format!("{} {} {}", l.level, l.target, l.text))
            .collect()
    }
}

/// The logger, installed on first use.
pub fn logs() -> &'static Logged {
    static LOGGER: OnceLock<&'static Logged> = OnceLock::new();
    LOGGER.get_or_init(|| {
        let logged: &'static Logged = Box::leak(Box::new(Logged {
            lines: Mutex::new(Vec::new()),
        }));
        log::set_logger(logged).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        logged
    })
}
