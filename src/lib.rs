//! A blocking, credit-exact client for the [LinkUp] API's *Get Sent Invitations* endpoint
//! (`POST /v1/network/sent-invitations`): the invitations a LinkedIn account has sent, ten to a
//! page.
//!
//! Every page the API returns costs one paid credit, so this crate is built around not wasting
//! any: bad input is refused before anything is sent, a [`Paginator`] never asks for a page past
//! the end of the data or past a budget you set, only free or unavoidable failures are retried,
//! and requests are paced under the documented rate limit.
//!
//! [LinkUp]: https://docs.linkupapi.com
//!
//! # Quick start
//!
//! [`fetch_sent_invitations`] makes one call and returns one response page.
//! (The examples in these docs talk to a hidden local server so that they run offline; with a
//! real key you leave [`Config::base_url`] at its default.)
//!
//! ```
//! # let server = httpmock::MockServer::start();
//! # server.mock(|when, then| {
//! #     when.method("POST").path("/v1/network/sent-invitations");
//! #     then.status(200).body(r#"{"status":"success","data":{"total_results":1,
//! #       "total_available_results":1,"invitations":[{"name":"Ada Lovelace",
//! #       "sent_time":"Sent 3 weeks ago","invitation_id":7329176687475109888,
//! #       "invitation_state":"PENDING","invitation_type":"CONNECTION"}],
//! #       "pagination":{"start_page":1,"end_page":1,"results_per_page":10,"pages_fetched":1}}}"#);
//! # });
//! use linkup_sent_invitations::{fetch_sent_invitations, Config, InvitationState, Params};
//!
//! let config = Config::new("your-api-key");
//! # let config = config.base_url(server.base_url());
//! let params = Params::new("your-login-token");
//! let page = fetch_sent_invitations(&config, &params)?;
//!
//! let first = &page.invitations[0];
//! assert_eq!(first.name, "Ada Lovelace");
//! assert_eq!(first.invitation_id, 7329176687475109888); // exact: ids never pass through f64
//! assert_eq!(first.invitation_state, Some(InvitationState::Pending));
//! assert_eq!(first.sent_days_ago(), Some(21));
//! # Ok::<(), linkup_sent_invitations::Error>(())
//! ```
//!
//! # Pagination and credits
//!
//! A [`Paginator`] is a lazy iterator: creating it sends nothing, and each `next()` fetches one
//! page for one credit. It learns the number of pages from the first answer and stops exactly
//! where the data ends (138 invitations cost 14 credits, 140 cost 14 too, not 15).
//! [`Paginator::max_credits`] caps the spend; when the cap is reached the iteration ends and
//! [`Paginator::next_page`] says where to resume, so no page is ever paid for twice.
//!
//! ```
//! # let server = httpmock::MockServer::start();
//! # for p in 1..=3 {
//! #   let body = format!(r#"{{"status":"success","data":{{"total_results":10,
//! #     "total_available_results":25,"invitations":[{}],
//! #     "pagination":{{"start_page":{p},"end_page":{p},"results_per_page":10,"pages_fetched":1}}}}}}"#,
//! #     (0..if p < 3 { 10 } else { 5 }).map(|i| format!(r#"{{"name":"n","invitation_id":{}}}"#, p * 100 + i))
//! #       .collect::<Vec<_>>().join(","));
//! #   server.mock(|when, then| {
//! #       when.method("POST").json_body_includes(format!(r#"{{"start_page":{p}}}"#));
//! #       then.status(200).body(body);
//! #   });
//! # }
//! use linkup_sent_invitations::{Config, Paginator, Params};
//!
//! let config = Config::new("your-api-key");
//! # let config = config.base_url(server.base_url());
//! let mut pages = Paginator::new(&config, Params::new("your-login-token")).max_credits(2);
//! let mut seen = 0;
//! for page in &mut pages {
//!     seen += page?.invitations.len();
//! }
//! assert_eq!(seen, 20);
//! assert_eq!(pages.credits_used(), 2);
//! assert_eq!(pages.total_pages(), Some(3));
//! assert_eq!(pages.next_page(), Some(3)); // the budget stopped us: resume here later
//!
//! // Later: pick up where the budget stopped, paying only for the rest.
//! let rest = Paginator::new(&config, Params::new("your-login-token").start_page(3));
//! let invitations: Vec<_> = rest.collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(invitations[0].invitations.len(), 5);
//! # Ok::<(), linkup_sent_invitations::Error>(())
//! ```
//!
//! [`Paginator::items`] walks invitations instead of pages, and `total_results` on the
//! [`Params`] of a paginator caps how many invitations it yields (it fetches only the pages
//! needed for that many).
//!
//! # Errors
//!
//! Every failure is an [`Error`]; its message says what to do next. The variants that matter
//! most in practice:
//!
//! | variant | cause | what to do | charged? |
//! |---|---|---|---|
//! | [`Error::InvalidParams`] | refused locally, nothing sent | fix the input | no |
//! | [`Error::Unauthorized`] | bad API key, or expired `login_token` | renew the key or log in again through LinkUp | yes |
//! | [`Error::InsufficientCredits`] | the account is out of credits | top up the LinkUp account | yes |
//! | [`Error::RateLimited`] | over 300 requests per minute | wait [`retry_after`](Error::RateLimited), lower [`Config::requests_per_minute`] | yes |
//! | [`Error::Server`] | HTTP 5xx | retry later (already retried up to [`Config::max_retries`]) | HTTP 500: no |
//! | [`Error::Transport`] | network, DNS, TLS, timeout | check the network and [`Config::base_url`] | usually not |
//! | [`Error::Decode`] | a body that is not the documented shape | report it; the snippet shows what came back | yes |
//!
//! The API sometimes answers errors with HTTP 200 and `{"status":"error","message":...}`; such
//! replies map to the same variants by their message.
//!
//! ```
//! # let server = httpmock::MockServer::start();
//! # server.mock(|when, then| {
//! #     when.method("POST");
//! #     then.status(200).body(r#"{"status":"error","message":"Invalid or expired LinkedIn cookie"}"#);
//! # });
//! use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
//!
//! let config = Config::new("your-api-key");
//! # let config = config.base_url(server.base_url());
//! match fetch_sent_invitations(&config, &Params::new("an-expired-token")) {
//!     Err(Error::Unauthorized { message, .. }) => {
//!         assert_eq!(message, "Invalid or expired LinkedIn cookie");
//!         // log in again through LinkUp to get a fresh login_token
//!     }
//!     other => panic!("expected Unauthorized, got {other:?}"),
//! }
//! ```
//!
//! # Secrets
//!
//! The API key and the `login_token` (a LinkedIn session cookie) are as secret as passwords. The
//! `Debug` output of [`Config`] and [`Params`] never shows them, no error message contains them
//! even when the server echoes them back, nothing is logged with them, they are never sent over
//! plain `http://` except to a loopback test server, and redirects are never followed (a redirect
//! would carry the `x-api-key` header to another host).
//!
//! # Reliability
//!
//! - **Retries** ([`Config::max_retries`], default 2): HTTP 500 (free), 502, 503, 504, and
//!   failures before any reply (connection refused or reset, timeout) are retried with
//!   exponential backoff and full jitter ([`Config::retry_backoff`]). HTTP 429 waits for
//!   `Retry-After` (seconds or an HTTP date, at most 60 s) and is retried too. Nothing else is
//!   retried: it is charged and would fail again.
//! - **Pacing** ([`Config::requests_per_minute`], default 300, the documented limit): requests
//!   through a [`Config`] and all its clones, from any thread, are spaced evenly, so a default
//!   client never provokes a charged 429.
//! - **Timeouts**: [`Config::timeout`] (default 90 s) limits the wait for the reply, and
//!   separately sending the request and reading the body; connecting is limited to 10 s. A
//!   stalled server becomes an [`Error::Transport`], not a hang.
//! - **Hostile replies**: bodies over 10 MiB, invalid UTF-8, truncated bodies, wrong types are
//!   typed errors, never a panic; a server that ignores `start_page` and repeats a page stops a
//!   [`Paginator`] with [`Error::RepeatedPage`] instead of paying in a loop.
//!
//! # Features and MSRV
//!
//! TLS is rustls with the WebPKI roots; the runtime dependencies are `ureq`, `serde`,
//! `serde_json` and `log` (33 crates in all). One optional feature, off by default:
//!
//! - `gzip`: accept gzip-compressed replies (adds `flate2`); the 10 MiB cap applies to the
//!   decompressed body.
//!
//! The minimum supported Rust version is 1.85, what `ureq` 3 requires. (The tests and benches
//! need 1.88, for `httpmock`.)

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// The documented base URL of the LinkUp API.
pub const DEFAULT_BASE_URL: &str = "https://api.linkupapi.com";
const ENDPOINT_PATH: &str = "/v1/network/sent-invitations";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_MAX_RETRIES: u32 = 2;
const DEFAULT_REQUESTS_PER_MINUTE: u32 = 300;
const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest `Retry-After` the client sleeps through; longer ones are returned to the caller.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// A page of ten invitations is about 10 KiB; this only stops a hostile or broken server.
const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;
/// Invitations per page, as documented; used when a reply leaves `results_per_page` out.
const DOCUMENTED_PAGE_SIZE: u32 = 10;
const MAX_MESSAGE_CHARS: usize = 300;
const MAX_SNIPPET_CHARS: usize = 200;

/// Where and how to call the API: the API key, base URL, timeout, retries and pacing.
///
/// A `Config` owns one shared HTTP agent, so it is cheap to clone and every call made through it
/// and its clones reuses one keep-alive connection pool and one pacer.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use linkup_sent_invitations::Config;
///
/// let config = Config::new("your-api-key")
///     .timeout(Duration::from_secs(30))
///     .max_retries(1)
///     .requests_per_minute(120);
/// assert!(!format!("{config:?}").contains("your-api-key"));
/// ```
#[derive(Clone)]
pub struct Config {
    api_key: Arc<str>,
    base_url: Arc<str>,
    /// `base_url` joined with the endpoint path, computed once rather than per request.
    endpoint: Arc<str>,
    timeout: Duration,
    max_retries: u32,
    requests_per_minute: u32,
    retry_backoff: Duration,
    agent: ureq::Agent,
    pacer: Arc<Pacer>,
}

impl Config {
    /// A configuration for the real API with the given API key and the defaults below.
    ///
    /// Nothing is checked here (the constructor cannot fail); a blank key or a key with control
    /// characters is refused with [`Error::InvalidParams`] by the first call, before anything is
    /// sent.
    pub fn new(api_key: impl Into<String>) -> Config {
        let base_url: Arc<str> = DEFAULT_BASE_URL.into();
        Config {
            api_key: api_key.into().into(),
            endpoint: join_endpoint(&base_url),
            base_url,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
            agent: build_agent(DEFAULT_TIMEOUT),
            pacer: Arc::new(Pacer::default()),
        }
    }

    /// A configuration from the environment: the API key from `LINKUP_API_KEY` and, when set,
    /// the base URL from `LINKUP_BASE_URL`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParams`] when `LINKUP_API_KEY` is unset, empty or not Unicode.
    pub fn from_env() -> Result<Config, Error> {
        let key = std::env::var("LINKUP_API_KEY").unwrap_or_default();
        if key.trim().is_empty() {
            return Err(Error::InvalidParams(
                "LINKUP_API_KEY is not set: export the API key from your LinkUp dashboard".into(),
            ));
        }
        let config = Config::new(key);
        Ok(match std::env::var("LINKUP_BASE_URL") {
            Ok(url) if !url.trim().is_empty() => config.base_url(url.trim()),
            _ => config,
        })
    }

    /// The API's base URL, for a proxy or a local test server; a trailing slash is fine.
    ///
    /// Only `https://` URLs are accepted, and `http://` to a loopback host (`localhost`,
    /// `127.0.0.1`, `[::1]`) for tests; anything else is refused by the first call with
    /// [`Error::InvalidParams`], because the API key would travel in clear text.
    ///
    /// Defaults to `https://api.linkupapi.com`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Config {
        let url = base_url.into();
        self.base_url = url.trim_end_matches('/').into();
        self.endpoint = join_endpoint(&self.base_url);
        self
    }

    /// The longest an attempt may wait for the reply to start once the request is sent; sending
    /// the request and reading the reply's body have the same limit each, and connecting is
    /// limited to 10 s (or this timeout, if shorter). A server that stalls at any point yields
    /// [`Error::Transport`] rather than a hang; a retry gets fresh limits.
    ///
    /// Calls scrape LinkedIn through a proxy and can take tens of seconds, hence the generous
    /// default.
    ///
    /// Defaults to 90 seconds.
    pub fn timeout(mut self, timeout: Duration) -> Config {
        self.timeout = timeout;
        self.agent = build_agent(timeout);
        self
    }

    /// How many times a failed attempt is retried when retrying costs nothing or is
    /// unavoidable: HTTP 500, 502, 503, 504, 429, and failures before any reply. `0` turns
    /// retries off.
    ///
    /// Defaults to 2.
    pub fn max_retries(mut self, max_retries: u32) -> Config {
        self.max_retries = max_retries;
        self
    }

    /// The pace of requests through this `Config` and all its clones, across threads: at most
    /// one request every `60 s / requests_per_minute`. `0` turns pacing off.
    ///
    /// Defaults to 300, the API's documented limit per API key.
    pub fn requests_per_minute(mut self, requests_per_minute: u32) -> Config {
        self.requests_per_minute = requests_per_minute;
        self
    }

    /// The base delay of the exponential backoff between retries: retry `n` waits a random
    /// time between zero and `retry_backoff × 2ⁿ` ("full jitter"), never more than 30 s.
    ///
    /// Defaults to 500 milliseconds.
    pub fn retry_backoff(mut self, retry_backoff: Duration) -> Config {
        self.retry_backoff = retry_backoff;
        self
    }

    fn pacing_interval(&self) -> Option<Duration> {
        match self.requests_per_minute {
            0 => None,
            rpm => Some(Duration::from_secs(60) / rpm),
        }
    }

    fn validate(&self) -> Result<(), Error> {
        if self.api_key.trim().is_empty() {
            return Err(invalid(
                "the API key is empty: pass the key from your LinkUp dashboard to Config::new",
            ));
        }
        if !self.api_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "the API key contains spaces, control or non-ASCII characters \
                 (a stray newline from a file?): trim it",
            ));
        }
        if self.timeout.is_zero() {
            return Err(invalid(
                "the timeout is zero, so every call would time out: allow at least a few seconds",
            ));
        }
        check_base_url(&self.base_url)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("requests_per_minute", &self.requests_per_minute)
            .field("retry_backoff", &self.retry_backoff)
            .finish()
    }
}

fn join_endpoint(base_url: &str) -> Arc<str> {
    format!("{base_url}{ENDPOINT_PATH}").into()
}

fn build_agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        // Statuses are read here, so the server's error message is kept.
        .http_status_as_error(false)
        // A redirect would forward x-api-key to whatever host it names.
        .max_redirects(0)
        // Per-phase limits rather than one whole-call deadline: with a deadline, ureq 3 resolves
        // the host in a new thread on every request, even over a pooled connection, which is
        // most of the client's own cost per page on a fast network.
        .timeout_send_request(Some(timeout))
        .timeout_send_body(Some(timeout))
        .timeout_recv_response(Some(timeout))
        .timeout_recv_body(Some(timeout))
        // Each phase limit alone would make ureq reset the socket timeout (a system call)
        // before every read and write, as the time left changes each time; a constant per-I/O
        // limit just under it is what the socket sees while the phase limit is far off.
        .timeout_per_read(Some(timeout - timeout / 10))
        .timeout_per_write(Some(timeout - timeout / 10))
        .timeout_connect(Some(timeout.min(CONNECT_TIMEOUT)))
        .user_agent(concat!(
            "linkup-sent-invitations/",
            env!("CARGO_PKG_VERSION")
        ))
        .accept("application/json")
        .build()
        .into()
}

/// The parameters of a call: whose invitations (`login_token`), which kind, and which pages.
///
/// # Examples
///
/// ```
/// use linkup_sent_invitations::{Country, InvitationType, Params};
///
/// let params = Params::new("your-login-token")
///     .invitation_type(InvitationType::Organization)
///     .country(Country::Us)
///     .pages(2, 4);
/// assert!(!format!("{params:?}").contains("your-login-token"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Params {
    login_token: String,
    invitation_type: InvitationType,
    country: Option<Country>,
    total_results: Option<u32>,
    start_page: Option<u32>,
    end_page: Option<u32>,
}

impl Params {
    /// Parameters for the account behind `login_token`, the LinkedIn session cookie obtained
    /// through LinkUp's login flow.
    pub fn new(login_token: impl Into<String>) -> Params {
        Params {
            login_token: login_token.into(),
            invitation_type: InvitationType::Connection,
            country: None,
            total_results: None,
            start_page: None,
            end_page: None,
        }
    }

    /// Which invitations: to people, to pages, or to newsletters. Always sent.
    ///
    /// Defaults to [`InvitationType::Connection`].
    pub fn invitation_type(mut self, invitation_type: InvitationType) -> Params {
        self.invitation_type = invitation_type;
        self
    }

    /// The country of the proxy LinkUp uses for the call.
    ///
    /// Defaults to not sent, which the API treats as [`Country::Fr`].
    pub fn country(mut self, country: Country) -> Params {
        self.country = Some(country);
        self
    }

    /// How many invitations to return.
    ///
    /// With [`fetch_sent_invitations`] this is the API's *total-results mode* (the API fetches
    /// as many pages as needed, one credit each) and cannot be combined with pages. On a
    /// [`Paginator`] it caps the invitations yielded: only the pages needed are fetched.
    ///
    /// Defaults to not sent (the API returns 10).
    pub fn total_results(mut self, total_results: u32) -> Params {
        self.total_results = Some(total_results);
        self
    }

    /// The pages to fetch, from `start` to `end` inclusive, numbered from 1 (*paging mode*).
    /// One call to [`fetch_sent_invitations`] with `pages(1, 5)` costs 5 credits.
    ///
    /// Defaults to not sent (the API returns page 1).
    pub fn pages(mut self, start: u32, end: u32) -> Params {
        self.start_page = Some(start);
        self.end_page = Some(end);
        self
    }

    /// The first page to fetch, numbered from 1, keeping any end page already set. This is how
    /// a [`Paginator`] resumes: `params.start_page(paginator.next_page())`.
    ///
    /// Defaults to not sent (page 1).
    pub fn start_page(mut self, start: u32) -> Params {
        self.start_page = Some(start);
        self
    }

    /// Checks what every mode shares; `fetch_sent_invitations` adds the mode conflict.
    fn validate(&self) -> Result<(), Error> {
        if self.login_token.trim().is_empty() {
            return Err(invalid(
                "login_token is empty: get one through LinkUp's login flow and pass it to Params::new",
            ));
        }
        if let InvitationType::Other(other) = &self.invitation_type {
            if other.trim().is_empty() {
                return Err(invalid(
                    "invitation_type is empty: use CONNECTION, ORGANIZATION or CONTENT_SERIES",
                ));
            }
        }
        if self.start_page == Some(0) || self.end_page == Some(0) {
            return Err(invalid("pages are numbered from 1: page 0 does not exist"));
        }
        if let (Some(start), Some(end)) = (self.start_page, self.end_page) {
            if end < start {
                return Err(Error::InvalidParams(format!(
                    "end page {end} is before start page {start}: pass pages(start, end) with start <= end"
                )));
            }
        }
        if self.total_results == Some(0) {
            return Err(invalid(
                "total_results is 0: ask for at least 1 invitation, or leave it unset",
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Params")
            .field("login_token", &"[redacted]")
            .field("invitation_type", &self.invitation_type)
            .field("country", &self.country)
            .field("total_results", &self.total_results)
            .field("start_page", &self.start_page)
            .field("end_page", &self.end_page)
            .finish()
    }
}

/// `Display` and serde for an enum whose wire form is text: `as_str` out, `from_wire` in, so an
/// unknown value becomes the enum's `Other` instead of failing a page that was paid for.
macro_rules! wire_text {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name::from_wire)
            }
        }
    };
}

/// The kind of invitation: to a person, to a company page, or to a newsletter.
///
/// Unknown values from the server decode as [`InvitationType::Other`] rather than failing the
/// page you paid for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InvitationType {
    /// `CONNECTION`: invitations to connect with people.
    Connection,
    /// `ORGANIZATION`: invitations to follow company pages.
    Organization,
    /// `CONTENT_SERIES`: invitations to subscribe to newsletters.
    ContentSeries,
    /// Any other value, kept as the server spelled it.
    Other(String),
}

impl InvitationType {
    /// The wire form: `CONNECTION`, `ORGANIZATION`, `CONTENT_SERIES`, or the other value.
    pub fn as_str(&self) -> &str {
        match self {
            InvitationType::Connection => "CONNECTION",
            InvitationType::Organization => "ORGANIZATION",
            InvitationType::ContentSeries => "CONTENT_SERIES",
            InvitationType::Other(other) => other,
        }
    }

    fn from_wire(value: String) -> InvitationType {
        match value.as_str() {
            "CONNECTION" => InvitationType::Connection,
            "ORGANIZATION" => InvitationType::Organization,
            "CONTENT_SERIES" => InvitationType::ContentSeries,
            _ => InvitationType::Other(value),
        }
    }
}

impl FromStr for InvitationType {
    type Err = Error;

    /// Parses the three documented types, case-insensitively, with `-` or `_`
    /// (`connection`, `content-series`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParams`] for any other text, such as `"people"` or `""`.
    fn from_str(s: &str) -> Result<InvitationType, Error> {
        match s.trim().to_ascii_uppercase().replace('-', "_").as_str() {
            "CONNECTION" => Ok(InvitationType::Connection),
            "ORGANIZATION" => Ok(InvitationType::Organization),
            "CONTENT_SERIES" => Ok(InvitationType::ContentSeries),
            _ => Err(Error::InvalidParams(format!(
                "unknown invitation type {:?}: use CONNECTION, ORGANIZATION or CONTENT_SERIES",
                bounded(s, 40)
            ))),
        }
    }
}

wire_text!(InvitationType);

/// The state of a sent invitation.
///
/// The endpoint documents `PENDING` (sent, not yet answered); any other value decodes as
/// [`InvitationState::Other`] rather than failing the page.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InvitationState {
    /// `PENDING`: sent and not yet answered; the invitations a user may want to withdraw.
    Pending,
    /// Any other value, kept as the server spelled it.
    Other(String),
}

impl InvitationState {
    /// The wire form: `PENDING` or the other value.
    pub fn as_str(&self) -> &str {
        match self {
            InvitationState::Pending => "PENDING",
            InvitationState::Other(other) => other,
        }
    }

    fn from_wire(value: String) -> InvitationState {
        match value.as_str() {
            "PENDING" => InvitationState::Pending,
            _ => InvitationState::Other(value),
        }
    }
}

wire_text!(InvitationState);

/// The country of the proxy LinkUp uses for a call: the 11 documented codes.
///
/// # Examples
///
/// ```
/// use linkup_sent_invitations::Country;
///
/// assert_eq!("us".parse::<Country>().unwrap(), Country::Us);
/// assert_eq!(Country::Uk.as_str(), "UK");
/// assert!("XX".parse::<Country>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Country {
    /// `US`, United States.
    Us,
    /// `UK`, United Kingdom.
    Uk,
    /// `FR`, France (the API's default).
    Fr,
    /// `DE`, Germany.
    De,
    /// `NL`, Netherlands.
    Nl,
    /// `IT`, Italy.
    It,
    /// `IL`, Israel.
    Il,
    /// `CA`, Canada.
    Ca,
    /// `BR`, Brazil.
    Br,
    /// `ES`, Spain.
    Es,
    /// `IN`, India.
    In,
}

impl Country {
    /// Every documented country, in the documentation's order.
    pub const ALL: [Country; 11] = [
        Country::Us,
        Country::Uk,
        Country::Fr,
        Country::De,
        Country::Nl,
        Country::It,
        Country::Il,
        Country::Ca,
        Country::Br,
        Country::Es,
        Country::In,
    ];

    /// The wire form, such as `"US"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Country::Us => "US",
            Country::Uk => "UK",
            Country::Fr => "FR",
            Country::De => "DE",
            Country::Nl => "NL",
            Country::It => "IT",
            Country::Il => "IL",
            Country::Ca => "CA",
            Country::Br => "BR",
            Country::Es => "ES",
            Country::In => "IN",
        }
    }
}

impl FromStr for Country {
    type Err = Error;

    /// Parses a documented code, case-insensitively (`"us"`, `"FR"`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParams`] for any other text, such as `"GB"`, `"USA"` or `""`.
    fn from_str(s: &str) -> Result<Country, Error> {
        let code = s.trim();
        Country::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                Error::InvalidParams(format!(
                    "unknown country {:?}: use one of US, UK, FR, DE, NL, IT, IL, CA, BR, ES, IN",
                    bounded(s, 40)
                ))
            })
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Response types
// ---------------------------------------------------------------------------------------------

/// One response: the invitations of the pages asked for, with the totals and paging facts.
///
/// This is the `data` object of the API's reply; it deserialises from it directly and
/// serialises back to the same shape. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentInvitationsPage {
    /// How many invitations this response holds (0 when the server leaves it out).
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_results: u64,
    /// How many sent invitations exist in all, when the server says.
    pub total_available_results: Option<u64>,
    /// The invitations, in the server's order (newest first).
    #[serde(default, deserialize_with = "null_as_default")]
    pub invitations: Vec<Invitation>,
    /// Which pages this response covers, when the server says.
    pub pagination: Option<Pagination>,
}

/// One sent invitation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The invitee's name (a person, a page or a newsletter).
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The invitee's LinkedIn URL.
    pub profile_url: Option<String>,
    /// The invitee's headline.
    pub subtitle: Option<String>,
    /// When it was sent, as LinkedIn words it ("Sent yesterday"); see
    /// [`Invitation::sent_days_ago`].
    pub sent_time: Option<String>,
    /// The invitation's id, exact to the last digit (the server sends a JSON number above
    /// 2^53 or a numeric string; both decode, and it never passes through `f64`).
    #[serde(deserialize_with = "invitation_id")]
    pub invitation_id: u64,
    /// The invitation's state, such as [`InvitationState::Pending`].
    pub invitation_state: Option<InvitationState>,
    /// The note sent with the invitation; `None` when there was none.
    pub message: Option<String>,
    /// LinkedIn's URN for the invitation (`urn:li:fsd_invitation:…`).
    pub entity_urn: Option<String>,
    /// The invitee's picture URL.
    pub profile_picture: Option<String>,
    /// The invitation's type.
    pub invitation_type: Option<InvitationType>,
}

impl Invitation {
    /// How many days ago the invitation was sent, read from [`sent_time`](Invitation::sent_time).
    ///
    /// Understands LinkedIn's wording with or without "Sent ", in any case: "today" and hours,
    /// minutes or seconds are 0, "yesterday" 1, "N days ago" N, weeks ×7, months ×30 and years
    /// ×365 ("a"/"an" count as 1). Returns `None` for anything else, or when `sent_time` is
    /// absent.
    ///
    /// # Examples
    ///
    /// ```
    /// use linkup_sent_invitations::Invitation;
    ///
    /// let sent = |text: &str| Invitation { sent_time: Some(text.into()), ..Default::default() };
    /// assert_eq!(sent("Sent yesterday").sent_days_ago(), Some(1));
    /// assert_eq!(sent("Sent 3 weeks ago").sent_days_ago(), Some(21));
    /// assert_eq!(sent("2 months ago").sent_days_ago(), Some(60));
    /// assert_eq!(sent("Sent on a Tuesday").sent_days_ago(), None);
    /// ```
    pub fn sent_days_ago(&self) -> Option<u32> {
        days_ago(self.sent_time.as_deref()?)
    }
}

/// Which pages a response covers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    /// The first page of the response.
    #[serde(default, deserialize_with = "null_as_default")]
    pub start_page: u32,
    /// The last page of the response.
    #[serde(default, deserialize_with = "null_as_default")]
    pub end_page: u32,
    /// Invitations per page (10).
    #[serde(default, deserialize_with = "null_as_default")]
    pub results_per_page: u32,
    /// How many pages the call fetched (and charged).
    #[serde(default, deserialize_with = "null_as_default")]
    pub pages_fetched: u32,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Everything that can go wrong, each with what to do about it.
///
/// Messages never contain the API key or the `login_token`, even when the server echoes them
/// back, and server text is cut to a few hundred characters.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Refused locally before anything was sent (no credit spent); the text says what to fix.
    InvalidParams(String),
    /// The API key or the `login_token` was refused (HTTP 401 or 403, or an "invalid or
    /// expired LinkedIn cookie" message).
    Unauthorized {
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The LinkUp account has no credits left (HTTP 402, or that message).
    InsufficientCredits {
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// Over the rate limit (HTTP 429, or that message) after the retries allowed.
    RateLimited {
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
        /// How long the server asked to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
    },
    /// The server failed (HTTP 5xx) after the retries allowed.
    Server {
        /// The HTTP status.
        status: u16,
        /// The server's message, or the start of its body.
        message: String,
    },
    /// Any other refusal, such as HTTP 400 with "Missing required parameter: …", or a redirect.
    Api {
        /// The HTTP status.
        status: u16,
        /// The server's message, or the start of its body.
        message: String,
    },
    /// The request or the reply did not get through: connection, DNS, TLS, timeout.
    Transport(TransportError),
    /// A reply that is not the documented shape.
    Decode {
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        reason: String,
        /// The start of the body, for a bug report.
        snippet: String,
    },
    /// The server answered a page with the invitations of the page before (it ignored
    /// `start_page`); the [`Paginator`] stopped rather than pay for the same page again.
    RepeatedPage {
        /// The page that was asked for.
        page: u32,
    },
}

impl Error {
    /// The HTTP status of the reply behind this error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { status, .. }
            | Error::InsufficientCredits { status, .. }
            | Error::RateLimited { status, .. }
            | Error::Server { status, .. }
            | Error::Api { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::InvalidParams(_) | Error::Transport(_) | Error::RepeatedPage { .. } => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParams(reason) => write!(f, "invalid parameters, nothing sent: {reason}"),
            Error::Unauthorized { status, message } => write!(
                f,
                "unauthorized (HTTP {status}): {message}; check the API key, \
                 or log in again through LinkUp for a fresh login_token"
            ),
            Error::InsufficientCredits { status, message } => write!(
                f,
                "insufficient credits (HTTP {status}): {message}; top up the LinkUp account"
            ),
            Error::RateLimited {
                status,
                message,
                retry_after,
            } => {
                write!(f, "rate limited (HTTP {status}): {message}; ")?;
                match retry_after {
                    Some(wait) => write!(f, "retry after {}s", wait.as_secs_f64().ceil()),
                    None => write!(f, "retry later"),
                }?;
                write!(f, " or lower Config::requests_per_minute")
            }
            Error::Server { status, message } => {
                write!(f, "server error (HTTP {status}): {message}; retry later")
            }
            Error::Api { status, message } => {
                write!(f, "request refused (HTTP {status}): {message}")
            }
            Error::Transport(err) => err.fmt(f),
            Error::Decode {
                status,
                reason,
                snippet,
            } => write!(
                f,
                "unexpected response (HTTP {status}): {reason}; body starts with {snippet:?}"
            ),
            Error::RepeatedPage { page } => write!(
                f,
                "the server answered page {page} with the previous page again (it ignored \
                 start_page); stopped to avoid paying for repeats, report it to LinkUp"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(err) => err.source(),
            _ => None,
        }
    }
}

/// Why a request or its reply did not get through.
///
/// [`source()`](std::error::Error::source) gives the underlying HTTP client error.
#[derive(Debug)]
pub struct TransportError {
    /// Whether the server replied (status line received) before the failure.
    after_reply: bool,
    timeout: Option<Duration>,
    source: ureq::Error,
}

impl TransportError {
    /// Whether the attempt ran out of time ([`Config::timeout`]).
    pub fn is_timeout(&self) -> bool {
        self.timeout.is_some()
    }

    /// Whether the failure came before any reply: such an attempt is retried, and most likely
    /// was not charged.
    pub fn before_reply(&self) -> bool {
        !self.after_reply
    }

    fn retryable(&self) -> bool {
        !self.after_reply
            && matches!(
                self.source,
                ureq::Error::Io(_)
                    | ureq::Error::Timeout(_)
                    | ureq::Error::ConnectionFailed
                    | ureq::Error::HostNotFound
            )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = if self.after_reply {
            "while reading the reply (the call was likely charged)"
        } else {
            "before any reply"
        };
        match (&self.source, self.timeout) {
            (_, Some(limit)) => write!(
                f,
                "timed out after {}s {when}; retry later or raise Config::timeout",
                limit.as_secs_f64()
            ),
            (ureq::Error::HostNotFound, _) => {
                write!(f, "host not found; check Config::base_url and DNS")
            }
            (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_), _) => {
                write!(
                    f,
                    "TLS failed {when}; check Config::base_url and the system clock"
                )
            }
            _ => write!(
                f,
                "connection failed {when}; check the network and Config::base_url"
            ),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn invalid(reason: &str) -> Error {
    Error::InvalidParams(reason.to_owned())
}

// ---------------------------------------------------------------------------------------------
// The request path
// ---------------------------------------------------------------------------------------------

/// Fetches one response page: the pages (or total results) that `params` ask for.
///
/// Costs one credit per page the API fetches: one for the defaults, `end - start + 1` for
/// [`Params::pages`], `⌈total_results / 10⌉` for [`Params::total_results`]. To walk all
/// invitations, use a [`Paginator`], which stops exactly where the data ends.
///
/// # Errors
///
/// - [`Error::InvalidParams`], with nothing sent, for: an empty or blank API key or
///   `login_token`; an API key with spaces or control characters; page 0; an end page before
///   the start page; `total_results(0)`; `total_results` together with pages; a base URL that
///   is `http://` to anything but a loopback host.
/// - [`Error::Unauthorized`], [`Error::InsufficientCredits`], [`Error::RateLimited`],
///   [`Error::Server`], [`Error::Api`] when the API refuses (by HTTP status or by a
///   `"status":"error"` body), after the retries that [`Config::max_retries`] allows.
/// - [`Error::Transport`] when the network fails, [`Error::Decode`] when the reply is not the
///   documented shape.
///
/// # Examples
///
/// ```
/// # let server = httpmock::MockServer::start();
/// # let mock = server.mock(|when, then| {
/// #     when.method("POST").path("/v1/network/sent-invitations")
/// #         .header("x-api-key", "your-api-key")
/// #         .json_body(serde_json::json!({"login_token": "your-login-token",
/// #             "invitation_type": "CONNECTION", "start_page": 2, "end_page": 3}));
/// #     then.status(200).body(r#"{"status":"success","data":{"total_results":0,"invitations":[]}}"#);
/// # });
/// use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
///
/// let config = Config::new("your-api-key");
/// # let config = config.base_url(server.base_url());
/// let page = fetch_sent_invitations(&config, &Params::new("your-login-token").pages(2, 3))?;
/// assert!(page.invitations.is_empty());
///
/// // Refused locally: nothing is sent, no credit is spent.
/// let err = fetch_sent_invitations(&config, &Params::new("your-login-token").pages(3, 2));
/// assert!(matches!(err, Err(Error::InvalidParams(_))));
/// # mock.assert_calls(1);
/// # Ok::<(), Error>(())
/// ```
pub fn fetch_sent_invitations(
    config: &Config,
    params: &Params,
) -> Result<SentInvitationsPage, Error> {
    config.validate()?;
    params.validate()?;
    if params.total_results.is_some() && params.start_page.is_some() {
        return Err(invalid(
            "total_results and pages are two different modes: set one or the other \
             (the API does not document what both do)",
        ));
    }
    let body = RequestBody::new(params, None);
    let mut credits = Credits::default();
    send(config, params, &body, &mut credits)
}

/// The JSON body of a request: `invitation_type` always, the other optional fields only when
/// set, so the API's documented defaults apply.
#[derive(Serialize)]
struct RequestBody<'a> {
    login_token: &'a str,
    invitation_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_results: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'static str>,
}

impl<'a> RequestBody<'a> {
    /// The body for `params`, or for exactly one `page` of them (what a [`Paginator`] sends).
    fn new(params: &'a Params, page: Option<u32>) -> RequestBody<'a> {
        let (total_results, start_page, end_page) = match page {
            Some(page) => (None, Some(page), Some(page)),
            None => (params.total_results, params.start_page, params.end_page),
        };
        RequestBody {
            login_token: &params.login_token,
            invitation_type: params.invitation_type.as_str(),
            total_results,
            start_page,
            end_page,
            country: params.country.map(Country::as_str),
        }
    }
}

/// Charged calls so far and the most the caller allows; shared by one call's retries.
#[derive(Debug, Default)]
struct Credits {
    used: u64,
    max: Option<u64>,
}

impl Credits {
    fn can_spend(&self) -> bool {
        self.max.is_none_or(|max| self.used < max)
    }
}

/// Sends the request, retrying what is free or unavoidable, never past `credits.max`.
///
/// The caller has validated; when the budget forbids even the first attempt the caller must not
/// call this (the paginator checks first), so the budget only stops retries here.
fn send(
    config: &Config,
    params: &Params,
    body: &RequestBody<'_>,
    credits: &mut Credits,
) -> Result<SentInvitationsPage, Error> {
    let json = serde_json::to_vec(body).map_err(|e| Error::InvalidParams(e.to_string()))?;
    let secrets = Secrets {
        api_key: &config.api_key,
        login_token: &params.login_token,
    };
    let mut retry = 0;
    loop {
        if let Some(interval) = config.pacing_interval() {
            config.pacer.wait(interval);
        }
        let (result, charged) = attempt(config, &json, &secrets);
        if charged {
            credits.used += 1;
        }
        let err = match result {
            Ok(page) => return Ok(page),
            Err(err) => err,
        };
        if retry >= config.max_retries || !credits.can_spend() {
            return Err(err);
        }
        let wait = match retry_wait(&err, config.retry_backoff, retry) {
            Some(wait) => wait,
            None => return Err(err),
        };
        retry += 1;
        log::debug!(
            "linkup: retry {retry} of {} after {}, waiting {wait:?}",
            config.max_retries,
            retry_reason(&err)
        );
        std::thread::sleep(wait);
    }
}

/// One attempt: the outcome and whether the API charged for it (every reply but HTTP 500).
fn attempt(
    config: &Config,
    json: &[u8],
    secrets: &Secrets<'_>,
) -> (Result<SentInvitationsPage, Error>, bool) {
    let sent = config
        .agent
        .post(&*config.endpoint)
        .header("x-api-key", &*config.api_key)
        .header("content-type", "application/json")
        .send(json);
    let mut response = match sent {
        Ok(response) => response,
        Err(source) => return (Err(transport_error(source, false, config.timeout)), false),
    };
    let status = response.status().as_u16();
    // The credit policy: every call is charged except HTTP 500. Counting 502-504 as charged
    // keeps credits_used an upper bound, so a budget is never overrun.
    let charged = status != 500;
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = match read_body(response.body_mut().as_reader()) {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => {
            let err = Error::Decode {
                status,
                reason: format!("the body is larger than {} MiB", MAX_BODY_BYTES >> 20),
                snippet: String::new(),
            };
            return (Err(err), charged);
        }
        Err(BodyError::Io(source)) => {
            let err = transport_error(ureq::Error::Io(source), true, config.timeout);
            return (Err(err), charged);
        }
    };
    let reply = Reply {
        status,
        body: &bytes,
        retry_after,
        location: location.as_deref(),
    };
    (reply.into_result(secrets), charged)
}

enum BodyError {
    TooLarge,
    Io(std::io::Error),
}

/// Reads at most `MAX_BODY_BYTES`, so a hostile server cannot make us allocate more.
fn read_body(reader: impl Read) -> Result<Vec<u8>, BodyError> {
    let mut bytes = Vec::with_capacity(16 * 1024);
    reader
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(BodyError::Io)?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(BodyError::TooLarge);
    }
    Ok(bytes)
}

fn transport_error(source: ureq::Error, after_reply: bool, limit: Duration) -> Error {
    let timed_out = match &source {
        ureq::Error::Timeout(_) => true,
        // While reading a body, ureq reports its own timeout inside an io::Error.
        ureq::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::TimedOut
                || io
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                    .is_some_and(|inner| matches!(inner, ureq::Error::Timeout(_)))
        }
        _ => false,
    };
    Error::Transport(TransportError {
        after_reply,
        timeout: timed_out.then_some(limit),
        source,
    })
}

/// A received reply, before it is judged.
struct Reply<'a> {
    status: u16,
    body: &'a [u8],
    retry_after: Option<Duration>,
    location: Option<&'a str>,
}

/// The documented envelope: `{"status": "success", "data": {...}}` or
/// `{"status": "error", "message": "..."}`.
#[derive(Deserialize)]
struct Envelope {
    status: Option<String>,
    message: Option<serde_json::Value>,
    detail: Option<serde_json::Value>,
    data: Option<SentInvitationsPage>,
}

/// The envelope without `data`, for error replies whose `data` is not a page.
#[derive(Deserialize)]
struct ErrorEnvelope {
    status: Option<String>,
    message: Option<serde_json::Value>,
    detail: Option<serde_json::Value>,
}

impl Reply<'_> {
    fn into_result(self, secrets: &Secrets<'_>) -> Result<SentInvitationsPage, Error> {
        let success_status = (200..300).contains(&self.status);
        let (status_field, message, parse_error) =
            match serde_json::from_slice::<Envelope>(self.body) {
                Ok(envelope) => {
                    if success_status && envelope.status.as_deref() == Some("success") {
                        if let Some(page) = envelope.data {
                            return Ok(page);
                        }
                        return Err(
                            self.decode_error("\"status\":\"success\" without \"data\"", secrets)
                        );
                    }
                    (envelope.status, envelope.message.or(envelope.detail), None)
                }
                Err(full) => match serde_json::from_slice::<ErrorEnvelope>(self.body) {
                    Ok(envelope) => (
                        envelope.status,
                        envelope.message.or(envelope.detail),
                        Some(full),
                    ),
                    Err(_) => (None, None, Some(full)),
                },
            };
        let message = message.map(|m| match m {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        });
        let is_error_body = status_field.as_deref() == Some("error");
        // A 2xx that is neither a success nor a documented error is a shape we do not know.
        if success_status && !is_error_body {
            let reason = match (&parse_error, status_field.as_deref()) {
                (Some(e), Some("success")) => format!("\"data\" is not a page: {e}"),
                (Some(e), _) => format!("not the documented JSON: {e}"),
                (None, Some(other)) => format!("unknown \"status\" {other:?}"),
                (None, None) => "no \"status\" field".to_owned(),
            };
            return Err(self.decode_error(&reason, secrets));
        }
        let text = match (&message, self.location) {
            (Some(message), _) => secrets.clean(message, MAX_MESSAGE_CHARS),
            (None, Some(location)) if (300..400).contains(&self.status) => format!(
                "redirect to {} not followed (it would carry the API key); check Config::base_url",
                secrets.clean(location, MAX_MESSAGE_CHARS)
            ),
            (None, _) if self.body.is_empty() => "(empty body)".to_owned(),
            (None, _) => secrets.clean(&String::from_utf8_lossy(self.body), MAX_SNIPPET_CHARS),
        };
        let lower = message.as_deref().unwrap_or("").to_ascii_lowercase();
        let status = self.status;
        Err(if status >= 500 {
            Error::Server {
                status,
                message: text,
            }
        } else if status == 429 || lower.contains("rate limit") {
            Error::RateLimited {
                status,
                message: text,
                retry_after: self.retry_after,
            }
        } else if status == 402 || lower.contains("insufficient credits") {
            Error::InsufficientCredits {
                status,
                message: text,
            }
        } else if status == 401
            || status == 403
            || (lower.contains("cookie")
                && (lower.contains("invalid") || lower.contains("expired")))
            || lower.contains("invalid api key")
        {
            Error::Unauthorized {
                status,
                message: text,
            }
        } else {
            Error::Api {
                status,
                message: text,
            }
        })
    }

    fn decode_error(&self, reason: &str, secrets: &Secrets<'_>) -> Error {
        Error::Decode {
            status: self.status,
            reason: secrets.clean(reason, MAX_MESSAGE_CHARS),
            snippet: secrets.clean(&String::from_utf8_lossy(self.body), MAX_SNIPPET_CHARS),
        }
    }
}

/// How long to wait before retrying `err`, or `None` when it must not be retried.
fn retry_wait(err: &Error, backoff: Duration, retry: u32) -> Option<Duration> {
    match err {
        Error::Server {
            status: 500 | 502 | 503 | 504,
            ..
        } => Some(full_jitter(backoff, retry)),
        Error::Transport(transport) if transport.retryable() => Some(full_jitter(backoff, retry)),
        Error::RateLimited { retry_after, .. } => match retry_after {
            Some(wait) if *wait > MAX_RETRY_AFTER => None,
            Some(wait) => Some(*wait),
            None => Some(full_jitter(backoff, retry)),
        },
        _ => None,
    }
}

fn retry_reason(err: &Error) -> String {
    match (err.status(), err) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Error::Transport(t)) if t.is_timeout() => "a timeout".to_owned(),
        _ => "a connection failure".to_owned(),
    }
}

/// A random wait in `[0, min(MAX_BACKOFF, base × 2^retry)]` ("full jitter"), so that clients
/// that failed together do not retry together.
fn full_jitter(base: Duration, retry: u32) -> Duration {
    let ceiling = base
        .checked_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF);
    // std's RandomState is seeded randomly per process and per instance: enough for jitter.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    ceiling.mul_f64((random >> 11) as f64 / (1u64 << 53) as f64)
}

/// Spaces requests `interval` apart, across every clone of a [`Config`] and every thread.
#[derive(Debug, Default)]
struct Pacer {
    /// The earliest instant the next request may start.
    next_slot: Mutex<Option<Instant>>,
}

impl Pacer {
    fn wait(&self, interval: Duration) {
        let slot = {
            // A panic elsewhere while holding the lock leaves a valid Instant: keep going.
            let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = next.filter(|t| *t > now).unwrap_or(now);
            *next = Some(slot + interval);
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The paginator
// ---------------------------------------------------------------------------------------------

/// A lazy iterator over the pages of sent invitations: one request, one credit, per `next()`.
///
/// - Creating it sends nothing. It starts at the start page of its [`Params`] (default 1) and
///   stops after their end page, if set.
/// - It never asks for a page past the data: the first reply tells it the last page
///   ([`total_pages`](Paginator::total_pages)), and a short or empty page also ends it.
/// - `total_results` on its `Params` caps the invitations it yields; only the pages needed are
///   fetched and the last one is cut to fit.
/// - [`max_credits`](Paginator::max_credits) caps charged calls (retries included); the
///   iteration then ends with `None` and [`next_page`](Paginator::next_page) says where to
///   resume.
/// - After an error it yields `None` without sending anything, and `next_page` is the page that
///   failed.
///
/// # Examples
///
/// ```
/// # let server = httpmock::MockServer::start();
/// # server.mock(|when, then| {
/// #     when.method("POST");
/// #     then.status(200).body(r#"{"status":"success","data":{"total_results":2,
/// #       "total_available_results":2,"invitations":[{"name":"A","invitation_id":1},
/// #       {"name":"B","invitation_id":"2"}],
/// #       "pagination":{"start_page":1,"end_page":1,"results_per_page":10,"pages_fetched":1}}}"#);
/// # });
/// use linkup_sent_invitations::{Config, Paginator, Params};
///
/// let config = Config::new("your-api-key");
/// # let config = config.base_url(server.base_url());
/// let mut pages = Paginator::new(&config, Params::new("your-login-token"));
/// let names: Vec<String> = pages.items().map(|i| i.map(|i| i.name)).collect::<Result<_, _>>()?;
/// assert_eq!(names, ["A", "B"]);
/// assert_eq!(pages.credits_used(), 1); // a short first page: no second request
/// assert_eq!(pages.next_page(), None); // done: nothing to resume
/// # Ok::<(), linkup_sent_invitations::Error>(())
/// ```
#[derive(Debug)]
pub struct Paginator {
    config: Config,
    params: Params,
    /// The page the next `next()` asks for; `None` once the data has ended.
    next_page: Option<u32>,
    /// The last page to fetch, from the params' end page, the totals and the cap.
    last_page: Option<u32>,
    /// Invitations still to yield under a `total_results` cap.
    remaining: Option<u64>,
    credits: Credits,
    total_pages: Option<u32>,
    /// The ids of the previous page, to notice a server that repeats it.
    previous_ids: Vec<u64>,
    /// Set by an error or the end: from then on `next()` sends nothing.
    fused: bool,
}

impl Paginator {
    /// A paginator over the sent invitations that `params` describe. Sends nothing.
    ///
    /// Invalid parameters (see [`fetch_sent_invitations`]) are reported by the first `next()`,
    /// still before anything is sent.
    pub fn new(config: &Config, params: Params) -> Paginator {
        Paginator {
            config: config.clone(),
            next_page: Some(params.start_page.unwrap_or(1)),
            last_page: params.end_page,
            remaining: params.total_results.map(u64::from),
            credits: Credits::default(),
            total_pages: None,
            previous_ids: Vec::new(),
            fused: false,
            params,
        }
    }

    /// The most charged calls this paginator may make, retries included. It never sends the
    /// request that would go over: iteration ends with `None` instead, and
    /// [`next_page`](Paginator::next_page) is where to resume.
    ///
    /// Defaults to no limit (the paginator still stops where the data ends).
    pub fn max_credits(mut self, max_credits: u64) -> Paginator {
        self.credits.max = Some(max_credits);
        self
    }

    /// Charged calls made so far: every reply except HTTP 500, retries included.
    pub fn credits_used(&self) -> u64 {
        self.credits.used
    }

    /// The page the next request would ask for, which is where to resume after a budget stop
    /// or an error; `None` once the data (or the end page, or the cap) is done.
    pub fn next_page(&self) -> Option<u32> {
        self.next_page
    }

    /// The number of the last page this paginator will fetch, once the first reply has told it
    /// how many invitations there are; also bounded by the end page and the `total_results`
    /// cap. `None` before the first reply, or when the server does not give a total.
    pub fn total_pages(&self) -> Option<u32> {
        self.total_pages
    }

    /// The invitations across pages, one by one, fetching pages as needed.
    ///
    /// After an `Err` the iteration ends. Borrowing the paginator lets you read
    /// [`credits_used`](Paginator::credits_used) and [`next_page`](Paginator::next_page)
    /// afterwards.
    pub fn items(&mut self) -> Items<'_> {
        Items {
            pages: self,
            current: Vec::new().into_iter(),
        }
    }

    fn fetch(&mut self, page: u32) -> Result<SentInvitationsPage, Error> {
        // A few string checks: cheap next to a request, and a bad input then costs nothing.
        self.config.validate()?;
        self.params.validate()?;
        let body = RequestBody::new(&self.params, Some(page));
        let mut reply = send(&self.config, &self.params, &body, &mut self.credits)?;

        let repeated = reply
            .pagination
            .as_ref()
            .is_some_and(|p| p.start_page != 0 && p.start_page < page)
            || (!self.previous_ids.is_empty()
                && reply.invitations.len() == self.previous_ids.len()
                && reply
                    .invitations
                    .iter()
                    .zip(&self.previous_ids)
                    .all(|(inv, id)| inv.invitation_id == *id));
        if repeated {
            return Err(Error::RepeatedPage { page });
        }
        self.previous_ids.clear();
        self.previous_ids
            .extend(reply.invitations.iter().map(|i| i.invitation_id));

        let per_page = match reply.pagination.as_ref().map(|p| p.results_per_page) {
            Some(n) if n > 0 => n,
            _ => DOCUMENTED_PAGE_SIZE,
        };
        if self.total_pages.is_none() {
            self.learn_last_page(page, per_page, reply.total_available_results);
        }
        let short = reply.invitations.len() < per_page as usize;
        if let Some(remaining) = self.remaining.as_mut() {
            let keep = (*remaining).min(reply.invitations.len() as u64);
            reply.invitations.truncate(keep as usize);
            reply.total_results = keep;
            *remaining -= keep;
        }
        let done =
            short || self.remaining == Some(0) || self.last_page.is_some_and(|last| page >= last);
        self.next_page = if done { None } else { page.checked_add(1) };
        Ok(reply)
    }

    /// After the first reply: the last page is the lowest of the params' end page, the last
    /// page of data, and the last page the `total_results` cap needs.
    fn learn_last_page(&mut self, page: u32, per_page: u32, total: Option<u64>) {
        let pages_for = |n: u64| n.div_ceil(u64::from(per_page));
        let data_last = total.map(pages_for);
        let cap_last = self.remaining.map(|n| u64::from(page) - 1 + pages_for(n));
        let last = [data_last, cap_last, self.last_page.map(u64::from)]
            .into_iter()
            .flatten()
            .min();
        self.last_page = last.map(|l| u32::try_from(l).unwrap_or(u32::MAX));
        if data_last.is_some() {
            self.total_pages = self.last_page;
        }
    }
}

impl Iterator for Paginator {
    type Item = Result<SentInvitationsPage, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.fused {
            return None;
        }
        let page = self.next_page?;
        if !self.credits.can_spend() {
            return None;
        }
        match self.fetch(page) {
            Ok(reply) => {
                self.fused = self.next_page.is_none();
                Some(Ok(reply))
            }
            Err(err) => {
                self.fused = true;
                Some(Err(err))
            }
        }
    }
}

impl std::iter::FusedIterator for Paginator {}

/// The invitations of a [`Paginator`], one by one; see [`Paginator::items`].
#[derive(Debug)]
pub struct Items<'a> {
    pages: &'a mut Paginator,
    current: std::vec::IntoIter<Invitation>,
}

impl Iterator for Items<'_> {
    type Item = Result<Invitation, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(invitation) = self.current.next() {
                return Some(Ok(invitation));
            }
            match self.pages.next()? {
                Ok(page) => self.current = page.invitations.into_iter(),
                Err(err) => return Some(Err(err)),
            }
        }
    }
}

impl std::iter::FusedIterator for Items<'_> {}

// ---------------------------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------------------------

/// The secrets of one call, to scrub from anything the server sends back.
struct Secrets<'a> {
    api_key: &'a str,
    login_token: &'a str,
}

impl Secrets<'_> {
    /// `text` without the secrets (raw or JSON-escaped), on one line, at most `max` chars.
    fn clean(&self, text: &str, max: usize) -> String {
        let mut text = text.to_owned();
        for secret in [self.api_key, self.login_token] {
            if secret.is_empty() {
                continue;
            }
            text = text.replace(secret, "[redacted]");
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if escaped != secret && !escaped.is_empty() {
                text = text.replace(escaped, "[redacted]");
            }
        }
        bounded(&text, max)
    }
}

/// At most `max` chars of `text`, with control characters (newlines of an HTML page) as spaces.
fn bounded(text: &str, max: usize) -> String {
    let mut out: String = text
        .trim()
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.trim().chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

fn check_base_url(url: &str) -> Result<(), Error> {
    let lower = url.to_ascii_lowercase();
    let (scheme_ok, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(Error::InvalidParams(format!(
            "base_url {:?} is not an https:// URL",
            bounded(url, 100)
        )));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    if host.is_empty() {
        return Err(Error::InvalidParams(format!(
            "base_url {:?} has no host",
            bounded(url, 100)
        )));
    }
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if scheme_ok || loopback {
        Ok(())
    } else {
        Err(Error::InvalidParams(format!(
            "base_url {:?} is plain http: the API key would travel in clear text; use https:// \
             (plain http is allowed only to a loopback test server)",
            bounded(url, 100)
        )))
    }
}

/// Reads "Sent 3 weeks ago" and its kin; see [`Invitation::sent_days_ago`].
fn days_ago(sent_time: &str) -> Option<u32> {
    let text = sent_time.trim().to_lowercase();
    let text = text
        .strip_prefix("sent")
        .map(str::trim_start)
        .unwrap_or(&text);
    match text {
        "today" | "just now" | "now" => return Some(0),
        "yesterday" => return Some(1),
        _ => {}
    }
    let mut words = text.strip_suffix("ago")?.split_whitespace();
    let count: u32 = match words.next()? {
        "a" | "an" | "one" => 1,
        number => number.parse().ok()?,
    };
    let unit = words.next()?;
    if words.next().is_some() {
        return None;
    }
    let days_per_unit = match unit.strip_suffix('s').unwrap_or(unit) {
        "second" | "sec" | "minute" | "min" | "hour" | "hr" => 0,
        "day" => 1,
        "week" | "wk" => 7,
        "month" | "mo" => 30,
        "year" | "yr" => 365,
        _ => return None,
    };
    count.checked_mul(days_per_unit)
}

/// `Retry-After` as delay-seconds or an HTTP date (IMF-fixdate); a date in the past is zero.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into seconds since the Unix epoch.
fn parse_http_date(value: &str) -> Option<u64> {
    let mut parts = value.split_whitespace();
    let _weekday = parts.next()?.strip_suffix(',')?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (clock.next()??, clock.next()??, clock.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days)
        .ok()
        .map(|d| d * 86_400 + h * 3600 + m * 60 + s)
}

/// `null` as the type's default, so a `null` where the docs show a value does not fail a page.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An id from a JSON number or a numeric string, exact: serde_json hands integers to
/// `visit_u64` without going through `f64`; fractions and negatives are refused.
fn invitation_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    struct IdVisitor;

    impl serde::de::Visitor<'_> for IdVisitor {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer id, as a number or a string of digits")
        }

        fn visit_u64<E: serde::de::Error>(self, id: u64) -> Result<u64, E> {
            Ok(id)
        }

        fn visit_i64<E: serde::de::Error>(self, id: i64) -> Result<u64, E> {
            u64::try_from(id).map_err(|_| E::custom(format!("negative invitation_id {id}")))
        }

        fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<u64, E> {
            let digits = id.trim();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(E::custom(format!(
                    "invitation_id {:?} is not a string of digits",
                    bounded(id, 40)
                )));
            }
            digits
                .parse()
                .map_err(|_| E::custom("invitation_id does not fit in 64 bits"))
        }
    }

    deserializer.deserialize_any(IdVisitor)
}

/// The README's code blocks, compiled as doctests so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

// ---------------------------------------------------------------------------------------------
// Unit tests of the private helpers (the public API is tested in tests/)
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_ago_reads_linkedin_wording() {
        let cases = [
            ("Sent today", Some(0)),
            ("sent yesterday", Some(1)),
            ("SENT YESTERDAY", Some(1)),
            ("yesterday", Some(1)),
            ("Sent 3 days ago", Some(3)),
            ("Sent 1 day ago", Some(1)),
            ("Sent 5 hours ago", Some(0)),
            ("Sent 10 minutes ago", Some(0)),
            ("Sent a week ago", Some(7)),
            ("Sent 2 weeks ago", Some(14)),
            ("Sent 1 month ago", Some(30)),
            ("Sent 4 months ago", Some(120)),
            ("Sent 2 years ago", Some(730)),
            ("  Sent   3   days   ago  ", Some(3)),
            ("Sent on Tuesday", None),
            ("Sent 3 fortnights ago", None),
            ("Sent -3 days ago", None),
            ("Sent 99999999999 days ago", None),
            ("Sent 4294967295 years ago", None),
            ("ago", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(days_ago(text), want, "{text:?}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
        for bad in [
            "-1",
            "soon",
            "Sun, 06 Nov 1994 25:00:00 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn full_jitter_stays_under_the_ceiling() {
        for retry in 0..40 {
            let wait = full_jitter(Duration::from_millis(500), retry);
            let ceiling = Duration::from_millis(500)
                .saturating_mul(1 << retry.min(20))
                .min(MAX_BACKOFF);
            assert!(wait <= ceiling, "retry {retry}: {wait:?} > {ceiling:?}");
        }
    }

    #[test]
    fn base_url_must_be_https_or_loopback() {
        for ok in [
            "https://api.linkupapi.com",
            "HTTPS://example.com:8443/prefix",
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:3000",
            "http://127.5.6.7",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.linkupapi.com",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "http://evil.com/@127.0.0.1",
            "ftp://127.0.0.1",
            "api.linkupapi.com",
            "https://",
            "",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn clean_scrubs_raw_and_escaped_secrets_and_bounds_length() {
        let secrets = Secrets {
            api_key: "KEY123",
            login_token: "tok\"en",
        };
        let text = r#"key KEY123 token tok\"en raw tok"en"#;
        let cleaned = secrets.clean(text, 1000);
        assert_eq!(cleaned, "key [redacted] token [redacted] raw [redacted]");
        let long = "x".repeat(5000);
        assert_eq!(secrets.clean(&long, 10).chars().count(), 11);
        assert_eq!(bounded("a\nb", 10), "a b");
    }

    #[test]
    fn pacer_spaces_consecutive_slots() {
        let pacer = Pacer::default();
        let start = Instant::now();
        for _ in 0..3 {
            pacer.wait(Duration::from_millis(20));
        }
        assert!(start.elapsed() >= Duration::from_millis(40));
    }
}
