//! A local fake of the API, for users' tests (feature `test-util`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// A local fake of the sent-invitations API on 127.0.0.1 (a free port), to test a tool
/// offline, spending no credit. Feature `test-util`; no extra dependency.
///
/// It holds `total_invitations` pending invitations, newest first, sent one every 7 hours
/// back from an hour before it started (or from a fixed time: [`seed`](FakeApi::seed)), with ids that carry those times (so
/// [`Invitation::sent_at`](crate::Invitation::sent_at) works) and English `sent_time` text.
/// It answers v1 (`POST /v1/network/sent-invitations`, pages of 10) and v2
/// (`POST /v2/network`, `count` after `offset`) in their documented shapes, with the
/// documented error bodies for a missing API key or login token; `POST /v2/login`
/// ([`connect_account`](crate::connect_account)) with the same account id for the same
/// token, free; withdrawals ([`withdraw_invitation`](crate::withdraw_invitation)), v1 and v2,
/// which take the invitation off its list, so that a test sees the effect on the next walk;
/// and any other path with a 404 and an HTML page, as a web server in front of the real API
/// does, so that a wrong base URL fails offline too. A test can script
/// failures for a page ([`fail`](FakeApi::fail)) and read back what was asked
/// ([`requests`](FakeApi::requests)) and what the real API would have charged
/// ([`credits_charged`](FakeApi::credits_charged)). It stops when dropped.
///
/// Turn pacing off against it (`requests_per_minute(0)`): it has no rate limit, and the
/// default pace of 300 a minute would make 500 pages take 100 s.
///
/// # Examples
///
/// A user's test of their own code, with no key and no network:
///
/// ```
/// use linkup_sent_invitations::{Config, Error, FakeApi, FakeFailure, Paginator, Params};
///
/// /// The code under test: the names of everyone invited, within a budget.
/// fn invited(config: &Config, budget: u64) -> Result<Vec<String>, Error> {
///     let pages = Paginator::new(config, Params::new("login-token")).max_credits(budget);
///     pages.items().map(|i| i.map(|i| i.name)).collect()
/// }
///
/// let fake = FakeApi::start(25);
/// let config = Config::new("test-key")
///     .base_url(fake.base_url())
///     .requests_per_minute(0);
/// assert_eq!(invited(&config, 10)?.len(), 25);
/// assert_eq!(fake.credits_charged(), 3);
///
/// // An expired login token on page 2: the error, and what it cost.
/// let fake = FakeApi::start(25);
/// fake.fail(2, FakeFailure::reply(401, r#"{"status":"error","message":"Invalid or expired LinkedIn cookie"}"#));
/// let config = config.base_url(fake.base_url());
/// assert!(matches!(invited(&config, 10), Err(Error::Unauthorized { .. })));
/// assert_eq!(fake.requests().iter().map(|r| r.page).collect::<Vec<_>>(), [1, 2]);
/// # Ok::<(), Error>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub struct FakeApi {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

/// A failure scripted for one request; see [`FakeApi::fail`].
///
/// # Examples
///
/// Each kind the API can send, for the first three pages of a walk:
///
/// ```
/// use linkup_sent_invitations::{Config, Error, FakeApi, FakeFailure, Paginator, Params};
///
/// let fake = FakeApi::start(50);
/// fake.fail(1, FakeFailure::hang_up()) // no reply: retried
///     .fail(2, FakeFailure::rate_limited(0)) // 429, Retry-After: 0: retried
///     .fail(3, FakeFailure::reply(402, r#"{"status":"error","message":"Insufficient credits available"}"#));
/// let config = Config::new("test-key").base_url(fake.base_url()).requests_per_minute(0);
/// let result: Result<Vec<_>, Error> = Paginator::new(&config, Params::new("token")).collect();
/// assert!(matches!(result, Err(Error::InsufficientCredits { .. })));
/// let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
/// assert_eq!(statuses, [0, 200, 429, 200, 402]); // 0: the hang-up
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub struct FakeFailure {
    status: u16,
    body: String,
    /// A documented error: its v2 code, and the body then follows the request's generation.
    code: Option<&'static str>,
    retry_after: Option<u64>,
    hang_up: bool,
}

impl FakeFailure {
    /// Any HTTP status with this body, such as 401 with the documented
    /// `{"status":"error","message":"Invalid or expired LinkedIn cookie"}`.
    pub fn reply(status: u16, body: impl Into<String>) -> FakeFailure {
        FakeFailure {
            status,
            body: body.into(),
            code: None,
            retry_after: None,
            hang_up: false,
        }
    }

    /// HTTP 429 with the documented rate-limit body (v1's or v2's, as the request) and
    /// `Retry-After: seconds`.
    pub fn rate_limited(retry_after_secs: u64) -> FakeFailure {
        FakeFailure {
            code: Some("RATE_LIMITED"),
            retry_after: Some(retry_after_secs),
            ..FakeFailure::reply(429, "Rate limit exceeded. Please try again later")
        }
    }

    /// HTTP 402 with the documented body for an account out of credits (v1's or v2's, as
    /// the request).
    pub fn insufficient_credits() -> FakeFailure {
        FakeFailure {
            code: Some("INSUFFICIENT_CREDITS"),
            ..FakeFailure::reply(402, "Insufficient credits available")
        }
    }

    /// The connection closes without any reply.
    pub fn hang_up() -> FakeFailure {
        FakeFailure {
            hang_up: true,
            ..FakeFailure::reply(0, "")
        }
    }
}

/// One request the fake received: where, which generation, which page, and what it cost.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub struct FakeRequest {
    /// The request's path, such as `/v1/network/sent-invitations` or `/v2/login`.
    pub path: String,
    /// `1` for a v1 path, `2` for a v2 one.
    pub version: u8,
    /// For a listing, the page asked for, from 1: v1's `start_page`, or v2's
    /// `offset / 50 + 1`; 0 for other calls.
    pub page: u32,
    /// For a withdrawal, the invitation asked for.
    pub invitation_id: Option<u64>,
    /// The HTTP status of the reply (0 for a hang-up).
    pub status: u16,
    /// What the real API would have charged for it.
    pub credits: u64,
    /// For a withdrawal, whether the fake performed it (took the invitation off its list),
    /// whatever it answered: a [`hang_up`](FakeFailure::hang_up) after withdrawing is `true`.
    /// What a test counts to check that nothing was withdrawn twice.
    pub withdrew: bool,
}

struct State {
    /// The invitations still pending, by their number `n` (0 is the newest), newest first.
    /// (Negative: invitations that arrived after the start, -1 the first.)
    listed: Vec<i64>,
    /// Withdrawn invitations the listing still shows, with how many more listing requests.
    lagging: Vec<(i64, u32)>,
    /// When each invitation that arrived after the start was sent ([`FakeApi::arrive`]),
    /// in ms, oldest first: invitation `-k` is `arrivals[k - 1]`.
    arrivals: Vec<u64>,
    /// The low bits every id is mixed with ([`FakeApi::seed`]; 0 without one).
    id_bits: u64,
    /// Failures for every k-th request, or at random ([`FakeApi::fail_every`],
    /// [`FakeApi::fail_randomly`]).
    rules: Vec<(Rule, FakeFailure)>,
    /// How many listing and withdrawal requests so far, for the every-k-th rules.
    counted: u64,
    /// The seeded draws of [`FakeApi::fail_randomly`] (SplitMix64).
    draws: u64,
    /// Where each request is logged as it is answered ([`FakeApi::log`]).
    log: Option<Box<dyn Write + Send>>,
    /// How many listing requests a withdrawn invitation stays shown.
    lag: u32,
    newest_ms: u64,
    failures: HashMap<u32, Vec<FakeFailure>>,
    withdraw_failures: HashMap<u64, Vec<FakeFailure>>,
    requests: Vec<FakeRequest>,
}

/// The fake's endpoints.
const V1_LIST: &str = "/v1/network/sent-invitations";
const V2_NETWORK: &str = "/v2/network";
const V2_LOGIN: &str = "/v2/login";
const V1_WITHDRAW: &str = "/v1/network/withdraw-invitation";

/// What a path that is no endpoint gets, as a web server in front of an API answers.
const NOT_FOUND: &str =
    "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>";

impl FakeApi {
    /// Starts a fake holding `total_invitations` sent invitations, on a free loopback port.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound, which only a broken test machine does.
    pub fn start(total_invitations: u64) -> FakeApi {
        FakeApi::start_on("127.0.0.1:0", total_invitations).expect("bind a loopback port")
    }

    /// Starts a fake holding `total_invitations` sent invitations on `addr`, such as
    /// `127.0.0.1:8080`: for a fake that people point tools at by a port they chose.
    ///
    /// # Errors
    ///
    /// When `addr` cannot be listened on: the port is in use, or the address is not this
    /// machine's.
    pub fn start_on(
        addr: impl std::net::ToSocketAddrs,
        total_invitations: u64,
    ) -> std::io::Result<FakeApi> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let state = Arc::new(Mutex::new(State {
            listed: (0..i64::try_from(total_invitations).unwrap_or(i64::MAX)).collect(),
            lagging: Vec::new(),
            arrivals: Vec::new(),
            id_bits: 0,
            rules: Vec::new(),
            counted: 0,
            draws: 0,
            log: None,
            lag: 0,
            newest_ms: now_ms.saturating_sub(3_600_000),
            failures: HashMap::new(),
            withdraw_failures: HashMap::new(),
            requests: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stopping) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let state = shared.clone();
                    std::thread::spawn(move || serve(stream, &state));
                }
            }
        });
        Ok(FakeApi { addr, state, stop })
    }

    /// The URL to pass to [`Config::base_url`](crate::Config::base_url).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next request for `page` (v1's page, or v2's page of 50) with `failure`
    /// instead; scripting the same page again queues another failure.
    pub fn fail(&self, page: u32, failure: FakeFailure) -> &FakeApi {
        self.lock().failures.entry(page).or_default().push(failure);
        self
    }

    /// Answers the next withdrawal of `invitation_id` with `failure` instead; scripting it
    /// again queues another. A [`hang_up`](FakeFailure::hang_up) withdraws it first, then
    /// drops the connection: the worst case for a caller, the deed done and no word of it.
    /// Any other failure leaves it pending.
    pub fn fail_withdraw(&self, invitation_id: u64, failure: FakeFailure) -> &FakeApi {
        let mut state = self.lock();
        state
            .withdraw_failures
            .entry(invitation_id)
            .or_default()
            .push(failure);
        drop(state);
        self
    }

    /// Makes the listing lag behind withdrawals, as LinkedIn's may: a withdrawn invitation is
    /// still shown, as pending, by the next `listing_requests` listing requests (pages), though
    /// withdrawing it again is refused as not pending.
    pub fn lag_withdrawals(&self, listing_requests: u32) -> &FakeApi {
        self.lock().lag = listing_requests;
        self
    }

    /// Adds `count` new pending invitations, sent now (each newer than all the others), as
    /// people are invited while a tool runs: the list grows at its newest end.
    pub fn arrive(&self, count: u64) -> &FakeApi {
        let mut state = self.lock();
        for _ in 0..count {
            // Now, but never older than the newest: a seeded fake's newest may lie ahead.
            let newest = state.arrivals.last().copied().unwrap_or(state.newest_ms);
            state.arrivals.push(now_ms().max(newest + 1));
            let n = -i64::try_from(state.arrivals.len()).unwrap_or(i64::MAX);
            state.listed.insert(0, n);
        }
        drop(state);
        self
    }

    /// Makes the fake the same at every start: the newest of its invitations sent at
    /// 2026-12-01T00:00:00Z (not an hour before it started), every id mixed with `seed`, and
    /// the draws of [`fail_randomly`](FakeApi::fail_randomly) made from `seed`. Call it
    /// before the first request. Without it, ids follow the start time and draws use seed 0.
    pub fn seed(&self, seed: u64) -> &FakeApi {
        let mut state = self.lock();
        state.newest_ms = SEEDED_NEWEST_MS;
        state.id_bits = seed & ID_BITS;
        state.draws = seed;
        drop(state);
        self
    }

    /// Answers every `k`-th listing or withdrawal request (counted from the start, the
    /// `k`-th, the `2k`-th, ...) with `failure`, after the ones scripted for a page or an
    /// invitation; of several such rules, the first added that applies. A [`hang_up`](FakeFailure::hang_up) of a withdrawal withdraws first, as in
    /// [`fail_withdraw`](FakeApi::fail_withdraw). `k` of 0 is no rule.
    pub fn fail_every(&self, k: u64, failure: FakeFailure) -> &FakeApi {
        if k > 0 {
            self.lock().rules.push((Rule::Every(k), failure));
        }
        self
    }

    /// Answers each listing or withdrawal request with `failure` with this probability (0 to
    /// 1), drawn from the [`seed`](FakeApi::seed): the same requests fail at every run of the
    /// same calls. Otherwise as [`fail_every`](FakeApi::fail_every).
    pub fn fail_randomly(&self, probability: f64, failure: FakeFailure) -> &FakeApi {
        // In 2^-32 steps: p as a threshold on a 32-bit draw, so no float is compared later.
        let threshold = (probability.clamp(0.0, 1.0) * 4_294_967_296.0) as u64;
        self.lock().rules.push((Rule::Random(threshold), failure));
        self
    }

    /// Writes one JSON line per request to `log` as it is answered, before the reply is
    /// sent: the time, the path, the page, the invitation, the status, the credits it cost
    /// and whether it withdrew, so a log holds every request a caller heard back from.
    ///
    /// ```text
    /// {"at_ms":1796083200000,"path":"/v1/network/withdraw-invitation","page":0,"invitation_id":"7533605601117470720","status":0,"credits":1,"withdrew":true}
    /// ```
    pub fn log(&self, log: impl Write + Send + 'static) -> &FakeApi {
        self.lock().log = Some(Box::new(log));
        self
    }

    /// Whether the invitation with this id is still pending (a lagging listing may still show
    /// it when it is not).
    pub fn is_pending(&self, invitation_id: u64) -> bool {
        let state = self.lock();
        state.listed.iter().any(|n| state.id(*n) == invitation_id)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<FakeRequest> {
        self.lock().requests.clone()
    }

    /// The credits the real API would have charged so far: v1 charges every reply but
    /// HTTP 500 a credit per page; v2 a credit per 50 invitations, nothing for errors; a
    /// withdrawal one credit, a scripted hang-up after withdrawing included (the deed is
    /// done, though the caller hears nothing).
    pub fn credits_charged(&self) -> u64 {
        self.lock().requests.iter().map(|r| r.credits).sum()
    }

    /// The id of invitation `n` (0 is the newest), as the fake serves it.
    pub fn invitation_id(&self, n: u64) -> u64 {
        let state = self.lock();
        state.id(i64::try_from(n).unwrap_or(i64::MAX))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wake the accept loop so it sees `stop`
    }
}

impl std::fmt::Debug for FakeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeApi").field("addr", &self.addr).finish()
    }
}

const HOUR_MS: u64 = 3_600_000;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
const FIRST: [&str; 8] = [
    "Michelle", "Arjun", "Sofia", "Kwame", "Ines", "Tomasz", "Yuki", "Lena",
];
const LAST: [&str; 7] = [
    "Heppler",
    "Mehta",
    "Rossi-Bianchi",
    "Mensah",
    "Duarte",
    "Nowak",
    "Sato",
];
const ROLES: [&str; 5] = [
    "Co-Founder & CCO at Unique AI",
    "Head of Growth at Parcel",
    "Senior Rust Engineer at Ferrous Labs",
    "Talent Partner at Northwind",
    "VP Sales EMEA at Brightline",
];

/// Where a seeded fake's newest invitation was sent: 2026-12-01T00:00:00Z.
const SEEDED_NEWEST_MS: u64 = 1_796_083_200_000;
/// The low bits of an id, which carry no time.
const ID_BITS: u64 = 0x3F_FFFF;

impl State {
    /// Invitation `n` was sent `n * 7` hours before the newest (one that arrived later, `-k`,
    /// when it arrived): the id carries that time, its low bits `n` mixed with the seed.
    fn id(&self, n: i64) -> u64 {
        let ms = match u64::try_from(n) {
            Ok(n) => self.newest_ms.saturating_sub(n.saturating_mul(7 * HOUR_MS)),
            Err(_) => {
                let k = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
                self.arrivals.get(k - 1).copied().unwrap_or(self.newest_ms)
            }
        };
        (ms << 22) | ((n.unsigned_abs() ^ self.id_bits) & ID_BITS)
    }

    /// The failure the every-k-th and random rules give this listing or withdrawal request.
    fn ruled(&mut self) -> Option<FakeFailure> {
        self.counted += 1;
        let mut chosen = None;
        for at in 0..self.rules.len() {
            let hit = match self.rules[at].0 {
                Rule::Every(k) => self.counted.is_multiple_of(k),
                Rule::Random(threshold) => (self.draw() >> 32) < threshold,
            };
            // Every random rule draws, hit or not, so one rule's draws do not depend on another's.
            if hit && chosen.is_none() {
                chosen = Some(self.rules[at].1.clone());
            }
        }
        chosen
    }

    /// SplitMix64.
    fn draw(&mut self) -> u64 {
        self.draws = self.draws.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.draws;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// When a [`FakeApi::fail_every`] or [`FakeApi::fail_randomly`] failure applies.
enum Rule {
    Every(u64),
    /// Out of 2^32.
    Random(u64),
}

/// LinkedIn's English wording for an age, rounded down.
fn sent_time(age_ms: u64) -> String {
    let hours = age_ms / HOUR_MS;
    let days = hours / 24;
    let (count, unit) = match days {
        0 if hours == 0 => return "Sent just now".to_owned(),
        0 => (hours, "hour"),
        1 => return "Sent yesterday".to_owned(),
        2..=6 => (days, "day"),
        7..=29 => (days / 7, "week"),
        30..=364 => (days / 30, "month"),
        _ => (days / 365, "year"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("Sent {count} {unit}{plural} ago")
}

fn invitation(state: &State, n: i64) -> Value {
    let id = state.id(n);
    let n = n.unsigned_abs();
    let (first, last) = (FIRST[(n % 8) as usize], LAST[(n % 7) as usize]);
    let slug = format!("{}-{}-{n}", first.to_lowercase(), last.to_lowercase());
    let age = now_ms().saturating_sub(id >> 22);
    json!({
        "name": format!("{first} {last}"),
        "profile_url": format!("https://www.linkedin.com/in/{slug}"),
        "subtitle": ROLES[(n % 5) as usize],
        "sent_time": sent_time(age),
        "invitation_id": id,
        "invitation_state": "PENDING",
        "message": if n.is_multiple_of(3) { Value::Null } else { json!(format!("Hi {first}, glad to connect!")) },
        "entity_urn": format!("urn:li:fsd_invitation:{id}"),
        "profile_picture": format!("https://media.licdn.com/dms/image/{slug}.jpg"),
        "invitation_type": "CONNECTION",
    })
}

/// The reply to one request, and the request as recorded.
fn answer(state: &mut State, path: &str, api_key: bool, body: &[u8]) -> (Reply, FakeRequest) {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let path = path.split('?').next().unwrap_or(path);
    let version = if path.starts_with("/v2/") { 2 } else { 1 };
    let record = |status, credits| FakeRequest {
        path: path.to_owned(),
        version,
        page: 0,
        invitation_id: None,
        status,
        credits,
        withdrew: false,
    };
    if path == V1_WITHDRAW || (path == V2_NETWORK && request["action"] == "withdraw") {
        return withdraw(state, version, api_key, &request, record(0, 0));
    }
    let listing = path == V1_LIST || (path == V2_NETWORK && request["action"] == "list_sent");
    if !listing {
        let reply = match path {
            _ if ![V2_NETWORK, V2_LOGIN].contains(&path) => Reply::Html(404, NOT_FOUND),
            _ if !api_key => Reply::Json(403, error(2, "INVALID_API_KEY", "Invalid API key")),
            V2_LOGIN => login(&request),
            _ => Reply::Json(400, error(2, "INVALID_ACTION", "Unknown action")),
        };
        // A path that is no endpoint runs nothing; v2 errors and logins are free.
        let status = reply.status();
        return (reply, record(status, 0));
    }
    let (page, range) = if version == 2 {
        let offset = request["params"]["offset"].as_u64().unwrap_or(0);
        let count = request["params"]["count"].as_u64().unwrap_or(10);
        (offset / 50 + 1, offset..offset.saturating_add(count))
    } else if let Some(n) = request["total_results"].as_u64() {
        (1, 0..n)
    } else {
        let start = request["start_page"].as_u64().unwrap_or(1).max(1);
        let end = request["end_page"].as_u64().unwrap_or(start).max(start);
        (start, (start - 1) * 10..end.saturating_mul(10))
    };
    let page = u32::try_from(page).unwrap_or(u32::MAX);
    let scripted = state
        .failures
        .get_mut(&page)
        .and_then(|queue| (!queue.is_empty()).then(|| queue.remove(0)));
    let ruled = state.ruled(); // counted and drawn for every request, scripted or not
    let scripted = scripted.or(ruled);
    let reply = if let Some(mut failure) = scripted {
        if let Some(code) = failure.code {
            failure.body = error(version, code, &failure.body).to_string();
        }
        Reply::Failure(failure)
    } else if !api_key {
        Reply::Json(401, error(version, "INVALID_API_KEY", "Invalid API key"))
    } else if version == 1 && request["login_token"].as_str().is_none_or(str::is_empty) {
        let message = "Missing required parameter: login_token";
        Reply::Json(400, json!({"status": "error", "message": message}))
    } else {
        Reply::Json(200, page_reply(state, version, range))
    };
    let (status, returned) = match &reply {
        Reply::Json(status, body) => (
            *status,
            body["data"]["invitations"].as_array().map_or(0, Vec::len),
        ),
        other => (other.status(), 0),
    };
    let credits = match (version, status) {
        (_, 0) => 0,
        (1, 500) => 0,
        (1, _) => range_pages(&request),
        (_, 200) => (returned as u64).div_ceil(50).max(1),
        _ => 0,
    };
    let record = FakeRequest {
        page,
        ..record(status, credits)
    };
    (reply, record)
}

/// A withdrawal: the invitation leaves the list if it is in it, else a documented-shape
/// error (LinkUp does not document its wording for this); v1 charges either, v2 only a
/// withdrawal.
fn withdraw(
    state: &mut State,
    version: u8,
    api_key: bool,
    request: &Value,
    mut record: FakeRequest,
) -> (Reply, FakeRequest) {
    let id_text = if version == 1 {
        &request["invitation_id"]
    } else {
        &request["params"]["invitation_id"]
    };
    let id = id_text
        .as_str()
        .and_then(|id| id.parse::<u64>().ok())
        .or_else(|| id_text.as_u64());
    record.invitation_id = id;
    let scripted = id
        .and_then(|id| state.withdraw_failures.get_mut(&id))
        .and_then(|queue| (!queue.is_empty()).then(|| queue.remove(0)));
    let position = id.and_then(|id| state.listed.iter().position(|n| state.id(*n) == id));
    let ruled = state.ruled(); // counted and drawn for every request, scripted or not
    let scripted = scripted.or(ruled);
    let reply = match scripted {
        Some(failure) if failure.hang_up => {
            if let Some(at) = position {
                withdrawn_at(state, at);
                record.withdrew = true;
            }
            Reply::Failure(failure)
        }
        Some(mut failure) => {
            if let Some(code) = failure.code {
                failure.body = error(version, code, &failure.body).to_string();
            }
            Reply::Failure(failure)
        }
        None if !api_key => Reply::Json(
            if version == 1 { 401 } else { 403 },
            error(version, "INVALID_API_KEY", "Invalid API key"),
        ),
        None if version == 1 && request["login_token"].as_str().is_none_or(str::is_empty) => {
            let message = "Missing required parameter: login_token";
            Reply::Json(400, json!({"status": "error", "message": message}))
        }
        None if id.is_none() => {
            let message = "Missing required parameter: invitation_id";
            Reply::Json(400, error(version, "INVALID_PARAMS", message))
        }
        None => match position {
            Some(at) => {
                withdrawn_at(state, at);
                record.withdrew = true;
                Reply::Json(200, withdrawn(version, id.unwrap_or_default()))
            }
            None => Reply::Json(
                400,
                error(
                    version,
                    "INVALID_PARAMS",
                    "Invitation not found or not pending",
                ),
            ),
        },
    };
    record.status = reply.status();
    let done_unsaid = matches!(&reply, Reply::Failure(f) if f.hang_up) && record.withdrew;
    record.credits = match (version, record.status) {
        // The deed done, and charged, with no word of it.
        (_, 0) if done_unsaid => 1,
        (_, 0) | (1, 500) => 0,
        (1, _) | (2, 200) => 1,
        _ => 0,
    };
    (reply, record)
}

/// The documented success of a withdrawal.
fn withdrawn(version: u8, id: u64) -> Value {
    if version == 1 {
        json!({"status": "success", "message": "Connection invitation withdrawn successfully"})
    } else {
        json!({"success": true, "data": {"withdrawn": true, "invitation_id": id.to_string()},
            "metadata": {"action": "withdraw", "credits_consumed": 1}})
    }
}

/// `POST /v2/login`: the account of a login token, the same id each time, free.
fn login(request: &Value) -> Reply {
    let Some(token) = request["login_token"]
        .as_str()
        .filter(|t| !t.trim().is_empty())
    else {
        return Reply::Json(
            400,
            error(
                2,
                "INVALID_PARAMS",
                "Missing required parameter: login_token",
            ),
        );
    };
    // FNV-1a: a stable id per token, as LinkUp returns the same id for the same token.
    let hash = token.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    });
    Reply::Json(
        200,
        json!({"success": true, "data": {"account_id": format!("acc_{hash:016x}")},
            "metadata": {"action": "login", "credits_consumed": 0}}),
    )
}

/// What a v1 call of these parameters is charged: a credit per page it covers.
fn range_pages(request: &Value) -> u64 {
    if let Some(n) = request["total_results"].as_u64() {
        return n.div_ceil(10).max(1);
    }
    let start = request["start_page"].as_u64().unwrap_or(1).max(1);
    let end = request["end_page"].as_u64().unwrap_or(start).max(start);
    end - start + 1
}

fn error(version: u8, code: &str, message: &str) -> Value {
    if version == 1 {
        json!({"status": "error", "message": message})
    } else {
        json!({"success": false, "error": {"code": code, "message": message},
            "metadata": {"action": "list_sent", "credits_consumed": 0}})
    }
}

/// Takes the invitation at `at` in the pending list off it; a lagging listing keeps showing it.
fn withdrawn_at(state: &mut State, at: usize) {
    let n = state.listed.remove(at);
    if state.lag > 0 {
        state.lagging.push((n, state.lag));
    }
}

fn page_reply(state: &mut State, version: u8, range: std::ops::Range<u64>) -> Value {
    // What the listing shows: the pending invitations, and those it lags behind on.
    let mut shown = state.listed.clone();
    shown.extend(state.lagging.iter().map(|(n, _)| *n));
    shown.sort_unstable();
    state.lagging.retain_mut(|(_, left)| {
        *left -= 1;
        *left > 0
    });
    let total = shown.len() as u64;
    let (from, to) = (range.start.min(total), range.end.min(total));
    let invitations: Vec<Value> = shown[from as usize..to as usize]
        .iter()
        .map(|n| invitation(state, *n))
        .collect();
    let returned = invitations.len() as u64;
    if version == 1 {
        let (start, end) = (range.start / 10 + 1, range.end.div_ceil(10).max(1));
        return json!({"status": "success", "data": {
            "total_results": returned,
            "total_available_results": total,
            "invitations": invitations,
            "pagination": {"start_page": start, "end_page": end, "results_per_page": 10,
                "pages_fetched": end + 1 - start},
        }});
    }
    let v2: Vec<Value> = invitations
        .into_iter()
        .map(|i| {
            let name = i["name"].as_str().unwrap_or("");
            let (first, last) = name.split_once(' ').unwrap_or((name, ""));
            let age_days = i["invitation_id"]
                .as_u64()
                .map_or(0, |id| now_ms().saturating_sub(id >> 22) / (24 * HOUR_MS));
            json!({
                "entity_urn": format!("urn:li:invitation:{}", i["invitation_id"]),
                "recipient": {"first_name": first, "last_name": last,
                    "headline": i["subtitle"], "linkedin_url": i["profile_url"],
                    "profile_picture": i["profile_picture"]},
                "invitation_type": "CONNECTION",
                "sent_time": format!("{age_days}d"),
                "sent_time_days": age_days,
            })
        })
        .collect();
    json!({"success": true, "data": {
        "invitations": v2,
        "total_results": returned,
        "total_available_results": total,
        "invitation_type": "CONNECTION",
        "pagination": {"offset": from, "count": returned, "next_offset": to,
            "has_more": to < total, "results_per_page": 10,
            "pages_fetched": returned.div_ceil(10)},
    }, "metadata": {"action": "list_sent", "credits_consumed": returned.div_ceil(50).max(1)}})
}

/// A request as [`FakeApi::log`] writes it, the id as a string (jq reads numbers as doubles).
fn logged(record: &FakeRequest) -> Value {
    json!({"at_ms": now_ms(), "path": record.path, "page": record.page,
        "invitation_id": record.invitation_id.map(|id| id.to_string()),
        "status": record.status, "credits": record.credits, "withdrew": record.withdrew})
}

enum Reply {
    Json(u16, Value),
    Html(u16, &'static str),
    Failure(FakeFailure),
}

impl Reply {
    fn status(&self) -> u16 {
        match self {
            Reply::Json(status, _) | Reply::Html(status, _) => *status,
            Reply::Failure(failure) => failure.status,
        }
    }
}

/// Serves one keep-alive connection: HTTP/1.1 requests with a `content-length` body.
fn serve(stream: TcpStream, state: &Mutex<State>) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" => break,
                Ok(_) => head.push(line),
            }
        }
        let path = head
            .first()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_owned();
        let header = |name: &str| {
            head.iter().find_map(|line| {
                let (k, v) = line.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_owned())
            })
        };
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let api_key = header("x-api-key").is_some_and(|k| !k.is_empty());
        let mut body = vec![0; length.min(1 << 20)];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = {
            let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
            let (reply, record) = answer(&mut state, &path, api_key, &body);
            if let Some(log) = state.log.as_mut() {
                // A log that fails to write is the fake's user's problem, not the caller's.
                let _ = writeln!(log, "{}", logged(&record)).and_then(|()| log.flush());
            }
            state.requests.push(record);
            reply
        };
        let json = "application/json";
        let (status, kind, extra, text) = match reply {
            Reply::Json(status, body) => (status, json, String::new(), body.to_string()),
            Reply::Html(status, page) => (status, "text/html", String::new(), page.to_owned()),
            Reply::Failure(failure) if failure.hang_up => return,
            Reply::Failure(failure) => {
                let extra = failure
                    .retry_after
                    .map_or(String::new(), |s| format!("retry-after: {s}\r\n"));
                (failure.status, json, extra, failure.body)
            }
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n{extra}\r\n{text}",
            text.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
