//! The journal's promise at its boundary, with real bytes: a relay that cuts, corrupts (a TLS
//! record) or stalls the exchange at a random byte of either direction, in front of a local
//! fake of the API that counts the withdrawals it receives and performs, over plain http and
//! over TLS (rustls, with a CA and a certificate `openssl` makes). Runs of `withdraw` on one
//! journal, against a list that lags behind withdrawals, checked at every call:
//!
//! - each invitation is sent (a withdrawal request reaches the fake, and is not refused before
//!   acting) at most twice ever, the second time only once the settling time has passed since
//!   the call that sent it first;
//! - nothing is sent after the journal recorded a withdrawal or a refusal;
//! - `not_sent` is recorded only when no request was sent (none reached the fake, or the fake
//!   refused it before acting, as the docs name such refusals).
//!
//! A failing seed is printed; run it alone with `LINKUP_BOUNDARY_SEED=<seed> cargo test --test
//! it boundary`. `LINKUP_BOUNDARY_TALLY=1` counts what the seeds covered (fault points by
//! direction and kind, sends, unknowns, refusals) and the failing seeds, instead of stopping
//! at the first: for checking that a deliberately broken rule is caught, and how often.

use crate::support;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use linkup_sent_invitations::{
    Config, Error, Listing, Paginator, Params, WithdrawalJournal, WithdrawalState,
};
use serde_json::{json, Value};
use support::tls::{Pki, TempDir};

#[path = "../simulation/rng.rs"]
mod rng;
use rng::Rng;

/// The settling time of the journals here, and what a stall holds a connection for: longer
/// than the client's timeout.
const SETTLING: Duration = Duration::from_millis(150);
const TIMEOUT: Duration = Duration::from_millis(120);
const STALL: Duration = Duration::from_millis(200);

// ---------------------------------------------------------------------------------------------
// The fake: listings that lag, withdrawals it counts
// ---------------------------------------------------------------------------------------------

/// What the fake answers the next withdrawal that reaches it (when the invitation is pending).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// Withdraws it, says so.
    Success,
    /// Withdraws it, then answers what the docs do not name: a 404 with a JSON body, a
    /// redirect, a server error, a gateway's page, or nothing (a hang-up).
    NotFound,
    SeeOther,
    ServerError,
    BadGateway,
    HangUp,
    /// Refuses before doing anything, as the docs name it: the rate limit, no credits.
    RateLimited,
    NoCredits,
    /// Acts, then answers a status the docs do not pair with it (409) in the words of a
    /// documented refusal before acting: the words prove nothing.
    OddRefusal,
}

impl Plan {
    const ALL: [Plan; 9] = [
        Plan::Success,
        Plan::NotFound,
        Plan::SeeOther,
        Plan::ServerError,
        Plan::BadGateway,
        Plan::HangUp,
        Plan::RateLimited,
        Plan::NoCredits,
        Plan::OddRefusal,
    ];
}

#[derive(Default)]
struct Counts {
    /// Withdrawal requests read whole and not refused before acting.
    sends: Vec<Instant>,
    performed: u32,
    /// Withdrawal requests read whole, every one.
    seen: u32,
}

struct State {
    v2: bool,
    pending: BTreeSet<u64>,
    /// Withdrawn invitations a listing still shows, for so many more listing requests.
    lagging: Vec<(u64, u32)>,
    lag: u32,
    plan: Plan,
    counts: HashMap<u64, Counts>,
}

type Backend = Arc<Mutex<State>>;

/// Serves one connection: one request, one reply, then the connection closes.
fn serve(stream: &mut (impl Read + Write), backend: &Backend) {
    let Some((path, body)) = read_request(stream) else {
        return; // cut short, or broken: nothing was read whole
    };
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let reply = {
        let mut state = backend.lock().unwrap();
        answer(&mut state, &path, &request)
    };
    if let Some(reply) = reply {
        let _ = stream.write_all(&reply).and_then(|()| stream.flush());
    }
}

fn read_request(stream: &mut impl Read) -> Option<(String, Vec<u8>)> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(head_end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|len| len.trim().parse().ok())?;
            if bytes.len() >= head_end + 4 + length {
                let path = head.split_whitespace().nth(1)?.to_owned();
                return Some((path, bytes[head_end + 4..head_end + 4 + length].to_vec()));
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
        }
    }
}

fn http(status: u16, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n{headers}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn v1_error(message: &str) -> String {
    json!({"status": "error", "message": message}).to_string()
}

fn v2_error(code: &str, message: &str) -> String {
    json!({"success": false, "error": {"code": code, "message": message},
        "metadata": {"credits_consumed": 0}})
    .to_string()
}

/// The reply to a request (`None`: hang up).
fn answer(state: &mut State, path: &str, request: &Value) -> Option<Vec<u8>> {
    let withdrawal = path == "/v1/network/withdraw-invitation"
        || (path == "/v2/network" && request["action"] == "withdraw");
    if !withdrawal {
        return Some(listing(state, request));
    }
    let id = if state.v2 {
        &request["params"]["invitation_id"]
    } else {
        &request["invitation_id"]
    };
    let Some(id) = id.as_str().and_then(|id| id.parse::<u64>().ok()) else {
        let message = "Missing required parameter: invitation_id";
        let body = match state.v2 {
            true => v2_error("INVALID_PARAMS", message),
            false => v1_error(message),
        };
        return Some(http(400, "", &body));
    };
    let plan = state.plan;
    let v2 = state.v2;
    let counts = state.counts.entry(id).or_default();
    counts.seen += 1;
    match plan {
        Plan::RateLimited => {
            let body = match v2 {
                true => v2_error("RATE_LIMITED", "Rate limit exceeded"),
                false => v1_error("Rate limit exceeded. Please try again later"),
            };
            return Some(http(429, "retry-after: 0\r\n", &body));
        }
        Plan::NoCredits => {
            let body = match v2 {
                true => v2_error("INSUFFICIENT_CREDITS", "Insufficient credits"),
                false => v1_error("Insufficient credits available"),
            };
            return Some(http(402, "", &body));
        }
        _ => {}
    }
    counts.sends.push(Instant::now());
    if !state.pending.remove(&id) {
        // Looked at, and refused: in the documented envelope, words the docs do not name.
        let message = "Invitation not found or not pending";
        let body = match v2 {
            true => v2_error("INVITATION_NOT_PENDING", message),
            false => v1_error(message),
        };
        return Some(http(400, "", &body));
    }
    counts.performed += 1;
    if state.lag > 0 {
        state.lagging.push((id, state.lag));
    }
    match plan {
        Plan::Success if v2 => {
            let body = json!({"success": true,
                "data": {"withdrawn": true, "invitation_id": id.to_string()},
                "metadata": {"action": "withdraw", "credits_consumed": 1}});
            Some(http(200, "", &body.to_string()))
        }
        Plan::Success => {
            let body = json!({"status": "success",
                "message": "Connection invitation withdrawn successfully"});
            Some(http(200, "", &body.to_string()))
        }
        Plan::NotFound => {
            let body = match v2 {
                true => v2_error("NOT_FOUND", "Invitation not found"),
                false => v1_error("Invitation not found"),
            };
            Some(http(404, "", &body))
        }
        Plan::SeeOther => Some(http(303, "location: https://www.linkedin.com/\r\n", "")),
        Plan::ServerError => Some(http(500, "", &v1_error("Internal server error"))),
        Plan::BadGateway => Some(http(502, "", "<html>502 Bad Gateway</html>")),
        Plan::OddRefusal => {
            let body = match v2 {
                true => v2_error("RATE_LIMITED", "Rate limit exceeded"),
                false => v1_error("Rate limit exceeded. Please try again later"),
            };
            Some(http(409, "retry-after: 0\r\n", &body))
        }
        Plan::HangUp | Plan::RateLimited | Plan::NoCredits => None,
    }
}

/// A listing page: what is pending and what the listing lags behind on, newest first.
fn listing(state: &mut State, request: &Value) -> Vec<u8> {
    let mut shown: Vec<u64> = state.pending.iter().copied().collect();
    shown.extend(state.lagging.iter().map(|(id, _)| *id));
    shown.sort_unstable_by(|a, b| b.cmp(a));
    shown.dedup();
    state.lagging.retain_mut(|(_, left)| {
        *left -= 1;
        *left > 0
    });
    let total = shown.len() as u64;
    let (offset, count) = if state.v2 {
        let params = &request["params"];
        (
            params["offset"].as_u64().unwrap_or(0),
            params["count"].as_u64().unwrap_or(50),
        )
    } else {
        let page = request["start_page"].as_u64().unwrap_or(1).max(1);
        ((page - 1) * 10, 10)
    };
    let from = offset.min(total) as usize;
    let to = offset.saturating_add(count).min(total) as usize;
    let ids = &shown[from..to];
    let body = if state.v2 {
        let invitations: Vec<Value> = ids
            .iter()
            .map(|id| {
                json!({"entity_urn": format!("urn:li:invitation:{id}"),
                    "recipient": {"first_name": "Ada", "last_name": "Lovelace"},
                    "invitation_type": "CONNECTION", "sent_time": "30d", "sent_time_days": 30})
            })
            .collect();
        json!({"success": true, "data": {"invitations": invitations,
            "total_results": ids.len(), "total_available_results": total,
            "pagination": {"offset": offset, "count": ids.len(), "has_more": (to as u64) < total}},
            "metadata": {"action": "list_sent", "credits_consumed": 1}})
    } else {
        let invitations: Vec<Value> = ids
            .iter()
            .map(|id| {
                json!({"name": "Ada Lovelace", "invitation_id": id,
                "invitation_state": "PENDING", "invitation_type": "CONNECTION"})
            })
            .collect();
        let page = offset / 10 + 1;
        json!({"status": "success", "data": {"total_results": ids.len(),
            "total_available_results": total, "invitations": invitations,
            "pagination": {"start_page": page, "end_page": page, "results_per_page": 10,
                "pages_fetched": 1}}})
    };
    http(200, "", &body.to_string())
}

// ---------------------------------------------------------------------------------------------
// The servers: plain, and TLS with rustls
// ---------------------------------------------------------------------------------------------

/// Starts the fake on 127.0.0.1, plain or behind TLS with `pki`'s server certificate.
fn start_server(backend: Backend, pki: Option<&Pki>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let tls = pki.map(|pki| {
        use rustls::pki_types::pem::PemObject;
        let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(&pki.server_pem())
            .collect::<Result<_, _>>()
            .unwrap();
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(&pki.server_key_pem()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        Arc::new(config)
    });
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let backend = backend.clone();
            let tls = tls.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                match tls {
                    None => serve(&mut &stream, &backend),
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        let mut tls = rustls::StreamOwned::new(connection, stream);
                        serve(&mut tls, &backend);
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                }
            });
        }
    });
    addr
}

// ---------------------------------------------------------------------------------------------
// The relay: a fault at one byte of one direction
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    /// Both directions closed at that byte.
    Cut,
    /// That byte flipped (TLS only: plain http has no integrity to break, so a flipped status
    /// digit is no fault the client could be asked to see).
    Corrupt,
    /// Nothing more passes for longer than the client waits, then both close.
    Stall,
}

#[derive(Clone, Copy, Debug)]
struct Fault {
    /// Client to server (the request's direction), or back.
    up: bool,
    offset: usize,
    kind: Kind,
    flip: u8,
}

#[derive(Default)]
struct Wire {
    /// The fault for the next connection.
    next: Option<Fault>,
    /// Whether the last connection's fault was reached (its stream got that far).
    reached: bool,
    /// The bytes the last clean connection carried each way: where offsets are drawn from.
    lengths: (usize, usize),
    /// How many clean connections have ended.
    clean: u64,
}

struct Relay {
    addr: SocketAddr,
    wire: Arc<Mutex<Wire>>,
}

impl Relay {
    fn start(target: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let wire = Arc::new(Mutex::new(Wire::default()));
        let shared = wire.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                let fault = shared.lock().unwrap().next.take();
                let wire = shared.clone();
                std::thread::spawn(move || relay(client, server, fault, &wire));
            }
        });
        Relay { addr, wire }
    }

    /// The lengths of the last clean connection, once `n` have ended (a client may finish
    /// before the relay has seen both ends close).
    fn lengths_of_clean_connections(&self, n: u64) -> (usize, usize) {
        let started = Instant::now();
        while self.wire.lock().unwrap().clean < n {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "no clean connection ended"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        self.wire.lock().unwrap().lengths
    }
}

fn relay(client: TcpStream, server: TcpStream, fault: Option<Fault>, wire: &Arc<Mutex<Wire>>) {
    let pump = |mut from: TcpStream, mut to: TcpStream, up: bool, wire: Arc<Mutex<Wire>>| {
        let fault = fault.filter(|f| f.up == up);
        std::thread::spawn(move || {
            let mut at = 0usize;
            let mut chunk = [0u8; 4096];
            loop {
                let n = match from.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let bytes = &mut chunk[..n];
                if let Some(fault) = fault.filter(|f| (at..at + n).contains(&f.offset)) {
                    wire.lock().unwrap().reached = true;
                    let cut = fault.offset - at;
                    match fault.kind {
                        Kind::Corrupt => bytes[cut] ^= fault.flip,
                        Kind::Cut | Kind::Stall => {
                            let _ = to.write_all(&bytes[..cut]);
                            if fault.kind == Kind::Stall {
                                std::thread::sleep(STALL);
                            }
                            let _ = to.shutdown(Shutdown::Both);
                            let _ = from.shutdown(Shutdown::Both);
                            return at + cut;
                        }
                    }
                }
                if to.write_all(bytes).is_err() {
                    break;
                }
                at += n;
            }
            let _ = to.shutdown(Shutdown::Write);
            at
        })
    };
    let up = pump(
        client.try_clone().unwrap(),
        server.try_clone().unwrap(),
        true,
        wire.clone(),
    );
    let down = pump(server, client, false, wire.clone());
    let lengths = (up.join().unwrap_or(0), down.join().unwrap_or(0));
    if fault.is_none() {
        let mut wire = wire.lock().unwrap();
        wire.lengths = lengths;
        wire.clean += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------------------------

#[derive(Default, Debug)]
struct Tally {
    seeds: u64,
    calls: u64,
    /// Faults drawn, by (direction, kind), and how many were reached.
    faults: HashMap<(&'static str, Kind), (u64, u64)>,
    sends: u64,
    resends: u64,
    performed: u64,
    unknown: u64,
    refused: u64,
    not_sent: u64,
    withdrawn: u64,
    journaled: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.seeds += other.seeds;
        self.calls += other.calls;
        for (key, (drawn, reached)) in other.faults {
            let entry = self.faults.entry(key).or_default();
            entry.0 += drawn;
            entry.1 += reached;
        }
        self.sends += other.sends;
        self.resends += other.resends;
        self.performed += other.performed;
        self.unknown += other.unknown;
        self.refused += other.refused;
        self.not_sent += other.not_sent;
        self.withdrawn += other.withdrawn;
        self.journaled += other.journaled;
    }
}

/// What the fake counted of one invitation.
fn counts(backend: &Backend, id: u64) -> (usize, u32, Option<Instant>) {
    let state = backend.lock().unwrap();
    state.counts.get(&id).map_or((0, 0, None), |c| {
        (c.sends.len(), c.performed, c.sends.last().copied())
    })
}

/// One seed: a fake of 4 to 12 pending invitations, plain or TLS, v1 or v2, a lag of 0 to 3
/// listing requests, and 3 to 6 runs of a batch on one journal, each withdrawal through a
/// fault drawn at random.
fn seed_run(seed: u64, pki: &Pki, dir: &std::path::Path) -> Result<Tally, String> {
    let mut rng = Rng(seed);
    let tls = rng.chance(50);
    let v2 = rng.chance(50);
    let count = 4 + rng.below(9);
    let pending: BTreeSet<u64> = (0..count)
        .map(|n| 7_400_000_000_000_000_000 - n * 1_000_003)
        .collect();
    let backend: Backend = Arc::new(Mutex::new(State {
        v2,
        pending,
        lagging: Vec::new(),
        lag: rng.below(4) as u32,
        plan: Plan::Success,
        counts: HashMap::new(),
    }));
    let server = start_server(backend.clone(), tls.then_some(pki));
    let relay = Relay::start(server);
    let scheme = if tls { "https" } else { "http" };
    let config = |addr: SocketAddr| {
        let config = Config::new("test-api-key-SECRET-1234")
            .base_url(format!("{scheme}://{addr}"))
            .requests_per_minute(0)
            .retry_backoff(Duration::from_millis(1))
            .timeout(TIMEOUT)
            .call_timeout(Duration::from_secs(2));
        match tls {
            true => config.add_root_certificates(pki.ca_pem()),
            false => config,
        }
    };
    let (direct, faulty) = (config(server), config(relay.addr));
    let params = match v2 {
        true => Params::account("acc_boundary_SECRET_account"),
        false => Params::new("AQEDAT-boundary-token-SECRET"),
    };
    let path: PathBuf = dir.join(format!("journal-{seed}.jsonl"));
    let mut tally = Tally {
        seeds: 1,
        ..Tally::default()
    };
    // A clean exchange first, so that fault offsets are drawn over real lengths.
    let mut warm = Paginator::new(&faulty, params.clone());
    warm.next()
        .ok_or("no first page")?
        .map_err(|e| e.to_string())?;
    // Per invitation: when the call that sent it first began, and what the journal recorded.
    let mut first_sent: HashMap<u64, Instant> = HashMap::new();
    let mut recorded_final: HashSet<u64> = HashSet::new();
    let runs = 3 + rng.below(4);
    for run in 0..runs {
        let mut journal = WithdrawalJournal::open(&path)
            .map_err(|e| format!("run {run}: the journal did not open: {e}"))?
            .settling_time(SETTLING);
        let mut listing = Listing::new(Paginator::new(&direct, params.clone()));
        let mut shown = Vec::new();
        for page in &mut listing {
            let page = page.map_err(|e| format!("run {run}: the listing failed: {e}"))?;
            shown.extend(page.invitations.iter().map(|i| i.invitation_id));
        }
        journal
            .settle(&listing)
            .map_err(|e| format!("run {run}: settling failed: {e}"))?;
        shown.reverse(); // oldest first
        let mut candidates: Vec<u64> = shown
            .into_iter()
            .filter(|id| journal.state(*id).may_send())
            .take(1 + rng.below(4) as usize)
            .collect();
        // Now and then the same one twice in a row, as a careless caller would.
        if let Some(&id) = candidates.first().filter(|_| rng.chance(20)) {
            candidates.insert(0, id);
        }
        for id in candidates {
            let plan = Plan::ALL[rng.below(Plan::ALL.len() as u64) as usize];
            backend.lock().unwrap().plan = plan;
            let fault = {
                let mut wire = relay.wire.lock().unwrap();
                let fault = rng.chance(70).then(|| {
                    let up = rng.chance(50);
                    let length = if up { wire.lengths.0 } else { wire.lengths.1 };
                    let kinds: &[Kind] = if tls {
                        &[Kind::Cut, Kind::Corrupt, Kind::Corrupt, Kind::Stall]
                    } else {
                        &[Kind::Cut, Kind::Cut, Kind::Stall]
                    };
                    let kind = kinds[rng.below(kinds.len() as u64) as usize];
                    let kind = if kind == Kind::Stall && !rng.chance(40) {
                        Kind::Cut // stalls cost the timeout: fewer of them
                    } else {
                        kind
                    };
                    Fault {
                        up,
                        offset: rng.below(length.max(64) as u64 + 16) as usize,
                        kind,
                        flip: 1 + rng.below(255) as u8,
                    }
                });
                wire.next = fault;
                wire.reached = false;
                fault
            };
            let (sends_before, performed_before, _) = counts(&backend, id);
            let started = Instant::now();
            let result = journal.withdraw(&faulty, &params, id);
            let (sends, performed, last_send) = counts(&backend, id);
            // The relay's pumps may still be closing: what they reached is settled by now for
            // every fault that matters (the exchange is over).
            if let Some(fault) = fault {
                let reached = relay.wire.lock().unwrap().reached;
                let direction = if fault.up { "up" } else { "down" };
                let entry = tally.faults.entry((direction, fault.kind)).or_default();
                entry.0 += 1;
                entry.1 += u64::from(reached);
            }
            relay.wire.lock().unwrap().next = None;
            tally.calls += 1;
            let state = journal.state(id);
            let what = format!(
                "run {run}, invitation {id}, plan {plan:?}, fault {fault:?}: {result:?}, \
                 recorded {state:?}, sends {sends_before} -> {sends}"
            );
            if recorded_final.contains(&id) && sends > sends_before {
                return Err(format!("sent after the journal recorded it final: {what}"));
            }
            if sends > 2 {
                return Err(format!("sent a third time: {what}"));
            }
            if sends_before == 0 && sends > 0 {
                first_sent.insert(id, started);
            }
            if sends == 2 && sends_before < 2 {
                tally.resends += 1;
                let first = first_sent[&id];
                let second = last_send.unwrap_or(first);
                if second.duration_since(first) < SETTLING {
                    return Err(format!(
                        "sent twice {:?} apart, within the settling time: {what}",
                        second.duration_since(first)
                    ));
                }
            }
            // `not_sent` leaves the invitation sendable (as it was, or once more after a
            // settled resend): only right where nothing went out.
            if state.may_send() && (sends > sends_before || performed > performed_before) {
                return Err(format!("recorded not_sent though sent: {what}"));
            }
            tally.sends += (sends - sends_before) as u64;
            tally.performed += u64::from(performed - performed_before);
            match (&result, &state) {
                (Err(Error::Journaled { .. }), _) => tally.journaled += 1,
                (Ok(_), _) => tally.withdrawn += 1,
                (Err(Error::OutcomeUnknown { .. }), _) => tally.unknown += 1,
                (Err(_), WithdrawalState::Refused { .. }) => tally.refused += 1,
                (Err(_), state) if state.may_send() => tally.not_sent += 1,
                (Err(err), _) => {
                    return Err(format!(
                        "an error the journal holds as neither refused nor sendable: {err}: {what}"
                    ))
                }
            }
            if matches!(
                state,
                WithdrawalState::Withdrawn
                    | WithdrawalState::Gone
                    | WithdrawalState::Refused { .. }
            ) {
                recorded_final.insert(id);
            }
        }
        drop(journal);
        std::thread::sleep(Duration::from_millis(
            rng.below(SETTLING.as_millis() as u64 * 3 / 2),
        ));
    }
    Ok(tally)
}

#[test]
fn no_fault_on_the_wire_makes_a_withdrawal_go_out_twice_early_or_after_it_was_settled() {
    let only: Option<u64> = std::env::var("LINKUP_BOUNDARY_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    let tally_mode = std::env::var("LINKUP_BOUNDARY_TALLY").is_ok();
    let seeds: Vec<u64> = match only {
        Some(seed) => vec![seed],
        None => (0xB0_0000..0xB0_0000 + 48).collect(),
    };
    let pki = Arc::new(Pki::new("Boundary Test CA"));
    let dir = Arc::new(TempDir::new("boundary"));
    let queue = Arc::new(Mutex::new(seeds));
    let results = Arc::new(Mutex::new((Tally::default(), Vec::<(u64, String)>::new())));
    // The seeds mostly wait (on the settling time, on stalls): a dozen at a time.
    let workers: Vec<_> = (0..12)
        .map(|_| {
            let (queue, results, pki, dir) =
                (queue.clone(), results.clone(), pki.clone(), dir.clone());
            std::thread::spawn(move || loop {
                let Some(seed) = queue.lock().unwrap().pop() else {
                    return;
                };
                let outcome = seed_run(seed, &pki, &dir.0);
                let mut results = results.lock().unwrap();
                match outcome {
                    Ok(tally) => results.0.add(tally),
                    Err(broken) => results.1.push((seed, broken)),
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let (tally, failed) = std::mem::take(&mut *results.lock().unwrap());
    eprintln!("boundary: {tally:?}");
    if tally_mode {
        eprintln!(
            "{} seeds failed, the first {:?}",
            failed.len(),
            failed.first().map(|f| f.0)
        );
        return;
    }
    if let Some((seed, broken)) = failed.first() {
        panic!(
            "seed {seed}: {broken}\nrerun: LINKUP_BOUNDARY_SEED={seed} cargo test --test it \
             boundary ({} seeds failed)",
            failed.len()
        );
    }
    if only.is_none() {
        // The faults were as hostile as intended: each happened, and the outcomes each kind.
        let reached: u64 = tally.faults.values().map(|(_, reached)| reached).sum();
        assert!(reached > 60, "{tally:?}");
        assert!(
            tally.unknown > 20 && tally.not_sent > 10 && tally.refused > 5,
            "{tally:?}"
        );
        assert!(tally.withdrawn > 8 && tally.resends > 5, "{tally:?}");
    }
}

/// One invitation, one fake (plain or TLS), one relay: what two `withdraw` calls on one
/// journal give, with `plan` for the fake's answer and a fault for the first call's
/// connection, chosen once a clean exchange has shown the lengths.
fn twice(
    tls: bool,
    plan: Plan,
    fault: impl Fn((usize, usize)) -> Option<Fault>,
) -> (
    Result<(), String>,
    Result<(), String>,
    usize,
    WithdrawalState,
) {
    let pki = Pki::new("Boundary Case CA");
    let id = 7_400_000_000_000_000_000;
    let others = [7_399_999_999_999_999_999, 7_399_999_999_999_999_998];
    let backend: Backend = Arc::new(Mutex::new(State {
        v2: false,
        pending: BTreeSet::from([id, others[0], others[1]]),
        lagging: Vec::new(),
        lag: 0,
        plan,
        counts: HashMap::new(),
    }));
    let server = start_server(backend.clone(), tls.then_some(&pki));
    let relay = Relay::start(server);
    let scheme = if tls { "https" } else { "http" };
    let mut config = Config::new("test-api-key-SECRET-1234")
        .base_url(format!("{scheme}://{}", relay.addr))
        .requests_per_minute(0)
        .timeout(TIMEOUT);
    if tls {
        config = config.add_root_certificates(pki.ca_pem());
    }
    let params = Params::new("AQEDAT-boundary-token-SECRET");
    // Clean withdrawals of others, as long as this one's, the second on a resumed TLS session
    // as this one's will be: the lengths to draw the fault by.
    let plan_then = std::mem::replace(&mut backend.lock().unwrap().plan, Plan::Success);
    for (n, other) in others.into_iter().enumerate() {
        linkup_sent_invitations::withdraw_invitation(&config, &params, other).unwrap();
        relay.lengths_of_clean_connections(n as u64 + 1);
    }
    backend.lock().unwrap().plan = plan_then;
    let lengths = relay.lengths_of_clean_connections(2);
    relay.wire.lock().unwrap().next = fault(lengths);
    let dir = TempDir::new("boundary-case");
    let mut journal = WithdrawalJournal::open(dir.0.join("journal.jsonl")).unwrap();
    let shown = |r: Result<_, Error>| r.map(drop).map_err(|e| format!("{e:?}"));
    let first = shown(journal.withdraw(&config, &params, id));
    let second = shown(journal.withdraw(&config, &params, id));
    let sends = counts(&backend, id).0;
    (first, second, sends, journal.state(id))
}

#[test]
fn a_tls_record_corrupted_after_the_withdrawal_is_an_unknown_outcome_not_nothing_done() {
    // The fake withdraws, and its reply's last record is corrupted on the way back (after a
    // `200` status line was written inside it): rustls cannot decrypt it.
    let (first, second, sends, state) = twice(true, Plan::Success, |(_, down)| {
        Some(Fault {
            up: false,
            offset: down.saturating_sub(40),
            kind: Kind::Corrupt,
            flip: 0x5a,
        })
    });
    assert!(
        first
            .as_ref()
            .is_err_and(|e| e.starts_with("OutcomeUnknown")),
        "{first:?}"
    );
    assert!(
        first.as_ref().is_err_and(|e| e.contains("Tls")),
        "{first:?}"
    );
    assert!(
        second.as_ref().is_err_and(|e| e.starts_with("Journaled")),
        "{second:?}"
    );
    assert_eq!(sends, 1, "sent once, not again on the next call");
    assert!(
        matches!(state, WithdrawalState::Unknown { sends: 1, .. }),
        "{state:?}"
    );
}

#[test]
fn a_refused_certificate_is_nothing_sent_and_the_next_call_may_send() {
    // A certificate no root vouches for: the handshake refuses it before any request byte.
    let pki = Pki::self_signed();
    let id = 7_400_000_000_000_000_000;
    let backend: Backend = Arc::new(Mutex::new(State {
        v2: false,
        pending: BTreeSet::from([id]),
        lagging: Vec::new(),
        lag: 0,
        plan: Plan::Success,
        counts: HashMap::new(),
    }));
    let server = start_server(backend.clone(), Some(&pki));
    let config = Config::new("test-api-key-SECRET-1234")
        .base_url(format!("https://{server}"))
        .requests_per_minute(0)
        .timeout(TIMEOUT);
    let params = Params::new("AQEDAT-boundary-token-SECRET");
    let dir = TempDir::new("boundary-certificate");
    let mut journal = WithdrawalJournal::open(dir.0.join("journal.jsonl")).unwrap();
    let err = journal.withdraw(&config, &params, id).unwrap_err();
    assert!(matches!(&err, Error::Transport(_)), "{err:?}");
    assert_eq!(journal.state(id), WithdrawalState::NotSent);
    assert_eq!(counts(&backend, id).0, 0);
}

#[test]
fn a_404_a_redirect_or_odd_refusal_words_after_acting_are_an_unknown_outcome() {
    for plan in [Plan::NotFound, Plan::SeeOther, Plan::OddRefusal] {
        for tls in [false, true] {
            let (first, second, sends, state) = twice(tls, plan, |_| None);
            assert!(
                first
                    .as_ref()
                    .is_err_and(|e| e.starts_with("OutcomeUnknown")),
                "{plan:?}: {first:?}"
            );
            assert!(
                second.as_ref().is_err_and(|e| e.starts_with("Journaled")),
                "{plan:?}: {second:?}"
            );
            assert_eq!(sends, 1, "{plan:?}");
            assert!(
                matches!(state, WithdrawalState::Unknown { .. }),
                "{plan:?}: {state:?}"
            );
        }
    }
}

#[test]
fn a_documented_refusal_before_acting_is_nothing_done_and_the_next_call_sends() {
    for plan in [Plan::RateLimited, Plan::NoCredits] {
        let (first, second, sends, state) = twice(false, plan, |_| None);
        assert!(
            first.is_err() && second.is_err(),
            "{plan:?}: {first:?} {second:?}"
        );
        assert_eq!(sends, 0, "{plan:?}: refused before acting");
        assert_eq!(state, WithdrawalState::NotSent, "{plan:?}");
    }
}
