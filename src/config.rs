//! Where and how to call: [`Config`] (the API key, base URL, timeouts, retries, pacing and
//! proxy) and [`Params`] (whose invitations, and which).

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::error::{invalid, Error, ProxyShown};
use crate::ground::{Generation, Pacer};
use crate::proxy::PROXY_VARIABLES;
use crate::proxy::{host_of, route};
use crate::redact::{shown_url, url_secrets, userinfo, Secrets};
use crate::types::{Country, InvitationType};
#[cfg(doc)] // named by the docs
use crate::{connect_account, fetch_sent_invitations, Paginator};

/// The documented base URL of the LinkUp API.
pub const DEFAULT_BASE_URL: &str = "https://api.linkupapi.com";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(90);
const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(300);
/// Resolving the host and connecting each get at most this much of an attempt's deadline, so a
/// dead address fails fast and is retried rather than eating the whole attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest deadline handed to ureq, which adds it to the clock: more would overflow an
/// `Instant` and panic (`timeout(Duration::MAX)` means "no deadline to speak of").
pub(crate) const LONGEST_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);
const DEFAULT_MAX_RETRIES: u32 = 2;
const DEFAULT_REQUESTS_PER_MINUTE: u32 = 300;
const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_millis(500);
/// The longest API key, base URL and app name taken, in bytes: far over any real one, far under
/// the 128 KiB line ureq can write, so that a request too large to write is refused before a
/// connection is opened (ureq would fail it after, as a reply it cannot read).
const MAX_KEY_BYTES: usize = 1024;
const MAX_URL_BYTES: usize = 4096;
const MAX_APP_NAME_BYTES: usize = 256;

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
    pub(crate) api_key: Arc<str>,
    pub(crate) base_url: Arc<str>,
    /// `base_url` joined with each generation's path, computed once rather than per request.
    pub(crate) endpoints: [Arc<str>; 2],
    pub(crate) timeout: Duration,
    pub(crate) call_timeout: Duration,
    pub(crate) max_retries: u32,
    requests_per_minute: u32,
    pub(crate) retry_backoff: Duration,
    proxy: Option<Arc<str>>,
    proxy_from_env: bool,
    roots: Roots,
    app_name: Option<Arc<str>>,
    /// Built by the first call (which is when the proxy environment is read) and shared by every
    /// clone, so they share one keep-alive pool; a setter that changes the route starts afresh.
    agents: Arc<OnceLock<Result<Agents, String>>>,
    pub(crate) pacer: Arc<Pacer>,
    /// Credits charged to every call through this config and its clones, and those they may
    /// have been charged on top (actions with no answer).
    spent: Arc<AtomicU64>,
    possibly: Arc<AtomicU64>,
}

impl Config {
    /// A configuration for the real API with the given API key and the defaults below.
    ///
    /// Nothing is checked here (the constructor cannot fail); a blank key, a key with control
    /// characters or one over 1024 bytes (no real key is) is refused with
    /// [`Error::InvalidParams`] by the first call, before anything is sent.
    pub fn new(api_key: impl Into<String>) -> Config {
        let base_url: Arc<str> = DEFAULT_BASE_URL.into();
        Config {
            api_key: api_key.into().into(),
            endpoints: endpoints(&base_url),
            base_url,
            timeout: DEFAULT_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
            proxy: None,
            proxy_from_env: true,
            roots: Roots::BuiltIn,
            app_name: None,
            agents: Arc::default(),
            pacer: Arc::new(Pacer::default()),
            spent: Arc::default(),
            possibly: Arc::default(),
        }
    }

    /// A configuration from the environment: the API key from `LINKUP_API_KEY` and, when set,
    /// the base URL from `LINKUP_BASE_URL` and the CA certificates of `SSL_CERT_FILE` (trusted
    /// besides the built-in roots, as curl and OpenSSL do).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParams`] when `LINKUP_API_KEY` is unset, empty or not Unicode, or
    /// `SSL_CERT_FILE` names a file that cannot be read (one with no certificate is refused by
    /// the first call, as [`add_root_certificates`](Config::add_root_certificates) says).
    pub fn from_env() -> Result<Config, Error> {
        let key = std::env::var("LINKUP_API_KEY").unwrap_or_default();
        if key.trim().is_empty() {
            return Err(Error::InvalidParams(
                "LINKUP_API_KEY is not set: export the API key from your LinkUp dashboard".into(),
            ));
        }
        let mut config = Config::new(key);
        if let Ok(url) = std::env::var("LINKUP_BASE_URL") {
            if !url.trim().is_empty() {
                config = config.base_url(url.trim());
            }
        }
        // Where curl, OpenSSL and rustls-native-certs find a company's CA: trusted besides
        // the built-in roots.
        if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
            let pem = std::fs::read(&file).map_err(|err| {
                Error::InvalidParams(format!(
                    "SSL_CERT_FILE {} cannot be read ({err}): fix or unset it",
                    std::path::Path::new(&file).display()
                ))
            })?;
            config = config.add_root_certificates(pem);
        }
        #[cfg(feature = "native-certs")]
        {
            config = config.add_native_root_certificates();
        }
        Ok(config)
    }

    /// The API's base URL, for a proxy or a local test server; a trailing slash is fine.
    ///
    /// Only `https://` URLs are accepted, and `http://` to a loopback host (`localhost`,
    /// `127.0.0.1`, `[::1]`) for tests; anything else is refused by the first call with
    /// [`Error::InvalidParams`], because the API key would travel in clear text; so is a URL
    /// over 4096 bytes or with a character a URL cannot hold (a space, `<`, a non-ASCII host:
    /// give it percent-encoded, or in IDNA form).
    ///
    /// Defaults to `https://api.linkupapi.com`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Config {
        let url = base_url.into();
        self.base_url = url.trim().trim_end_matches('/').into();
        self.endpoints = endpoints(&self.base_url);
        self.agents = Arc::default(); // the route (proxy or direct) depends on the URL
        self
    }

    /// The deadline of one attempt, end to end: resolving the host, connecting (through the
    /// proxy, TLS included), sending the request, waiting for the reply and reading all of its
    /// body. Resolving and connecting get at most 10 s of it each, so a dead address fails fast
    /// and is retried. An attempt that runs out yields [`Error::Transport`] saying which phase
    /// ran out and how long it waited; a retry gets a fresh deadline, within
    /// [`call_timeout`](Config::call_timeout).
    ///
    /// So `timeout(Duration::from_secs(2))` with `max_retries(0)` returns within about 2 s,
    /// whatever the server does. Calls scrape LinkedIn through a proxy and can take tens of
    /// seconds, hence the generous default.
    ///
    /// More than a year counts as a year.
    ///
    /// Defaults to 90 seconds.
    pub fn timeout(mut self, timeout: Duration) -> Config {
        self.timeout = timeout;
        self.agents = Arc::default();
        self
    }

    /// The most one call may take in all: one [`fetch_sent_invitations`], or one `next()` of a
    /// [`Paginator`], with every attempt, backoff and `Retry-After` wait. No attempt runs past it
    /// (the last gets what is left, not a full [`timeout`](Config::timeout)), no retry starts
    /// whose wait would reach it, and a `Retry-After` that would overrun it is returned at once
    /// as [`Error::RateLimited`] instead of slept through.
    ///
    /// Defaults to 5 minutes: room for the default three attempts of 90 s and their backoff.
    pub fn call_timeout(mut self, call_timeout: Duration) -> Config {
        self.call_timeout = call_timeout;
        self
    }

    /// Sends https requests through this proxy instead of the one the environment names: an
    /// `http://` or `https://` proxy URL, with `user:password@` if it needs them (a bare
    /// `host:port` means `http://`). Requests go through a CONNECT tunnel, so TLS stays end to
    /// end: the proxy sees the API's host name, never the API key, the `login_token` or the
    /// invitations. SOCKS proxies are refused by the first call with
    /// [`Error::InvalidParams`], before anything is sent. Plain-http test servers on loopback
    /// are always reached directly.
    ///
    /// Defaults to none: the environment decides (see [`proxy_from_env`](Config::proxy_from_env)).
    pub fn proxy(mut self, proxy: impl Into<String>) -> Config {
        self.proxy = Some(proxy.into().trim().into());
        self.agents = Arc::default();
        self
    }

    /// Whether https requests follow the proxy the environment names, when no
    /// [`proxy`](Config::proxy) is set, the way curl does: `https_proxy` or `HTTPS_PROXY`, else
    /// `all_proxy` or `ALL_PROXY`, except for hosts listed in `no_proxy` or `NO_PROXY`.
    /// `HTTP_PROXY` is never used (it is for plain http, which this crate sends only to
    /// loopback), and a proxy kind this build cannot use is an [`Error::InvalidParams`] before
    /// anything is sent, never a silent bypass. The environment is read by the first call.
    ///
    /// Defaults to `true`; `false` connects directly whatever the environment says.
    pub fn proxy_from_env(mut self, proxy_from_env: bool) -> Config {
        self.proxy_from_env = proxy_from_env;
        self.agents = Arc::default();
        self
    }

    /// Trusts the certificates of a PEM file (one or more `-----BEGIN CERTIFICATE-----` blocks),
    /// or of one certificate in DER (a `.cer` or `.der` file), as roots, besides the built-in ones: for a network whose proxy re-signs all TLS with its
    /// own CA, the way curl's `--cacert` and reqwest's `add_root_certificate` do. Call it again
    /// to add more. An added CA can vouch for any server, `api.linkupapi.com` included, and so
    /// read the API key and the login token: add only your own network's.
    ///
    /// A server is trusted when the built-in roots (Mozilla's, through `webpki-roots`) or the
    /// added ones vouch for it. They are tried one set at a time (ureq takes either), the set
    /// that last worked first: a certificate one set refuses costs one more TLS handshake, never
    /// a request, since the handshake ends before a request is written.
    ///
    /// A PEM holding no certificate (empty, only a private key, broken base64), or any
    /// `CERTIFICATE` block rustls could not use as a root (read the way `rustls-webpki` reads
    /// one; rustls would drop it without a word), is refused whole by the first call with
    /// [`Error::InvalidParams`] naming the block, before anything is sent. Not checked: whether
    /// rustls can verify signatures with the CA's key. P-256, P-384, Ed25519 and RSA keys of
    /// 2048 to 8192 bits it can; a P-521 or 1024-bit RSA CA is taken, and every handshake with
    /// a server it signed then fails, naming why.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use linkup_sent_invitations::Config;
    ///
    /// let pem = std::fs::read("/etc/ssl/company-ca.pem")?;
    /// let config = Config::new("your-api-key").add_root_certificates(pem);
    /// config.check()?; // a file with no certificate is refused here
    /// assert!(format!("{config:?}").contains("added_roots: 1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Defaults to none: the built-in roots only.
    pub fn add_root_certificates(mut self, pem: impl AsRef<[u8]>) -> Config {
        self.roots = self.roots.and(pem.as_ref());
        self.agents = Arc::default();
        self
    }

    /// Trusts the operating system's certificate store too, besides the built-in roots: where
    /// a company's IT installs its CA, as curl and browsers trust it. Read once, here, by
    /// [`rustls-native-certs`](https://docs.rs/rustls-native-certs): on Linux and the BSDs the
    /// OpenSSL store (`/etc/ssl/certs` and the like), or only `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` when either is set; on macOS the keychain's trust settings; on Windows
    /// the system store. [`Config::from_env`] calls it (and so do the tools, built with the
    /// feature). As with [`add_root_certificates`](Config::add_root_certificates), every root
    /// can vouch for any server: the store is the machine administrator's choice.
    ///
    /// A store holds a hundred and more certificates, some of which rustls cannot use as
    /// roots: those are skipped (as rustls skips them), not refused. An unreadable store, or
    /// one with no usable certificate, adds nothing and logs a warning: the built-in roots
    /// still apply.
    ///
    /// # Examples
    ///
    /// ```
    /// use linkup_sent_invitations::Config;
    ///
    /// let config = Config::new("your-api-key").add_native_root_certificates();
    /// config.check()?;
    /// # Ok::<(), linkup_sent_invitations::Error>(())
    /// ```
    ///
    /// Defaults to not read: the built-in roots and those added. Needs the `native-certs`
    /// feature.
    #[cfg(feature = "native-certs")]
    #[cfg_attr(docsrs, doc(cfg(feature = "native-certs")))]
    pub fn add_native_root_certificates(mut self) -> Config {
        let found = rustls_native_certs::load_native_certs();
        if !found.errors.is_empty() {
            log::warn!(
                "{} part(s) of the operating system's certificate store could not be read; \
                 the rest is trusted",
                found.errors.len()
            );
        }
        // Read as rustls reads a root; those it cannot use are skipped, as it skips them.
        let usable: Vec<_> = found
            .certs
            .into_iter()
            .filter(|der| webpki::anchor_from_trusted_cert(der).is_ok())
            .map(|der| ureq::tls::Certificate::from_der(&der).to_owned())
            .collect();
        if usable.is_empty() {
            log::warn!(
                "the operating system's certificate store holds no certificate rustls can use: \
                 only the built-in roots (and those added) are trusted"
            );
            return self;
        }
        self.roots = self.roots.with(usable);
        self.agents = Arc::default();
        self
    }

    /// Names the program that calls, in the `User-Agent` of every request:
    /// `NAME linkup-sent-invitations/VERSION`, so that LinkUp's support can tell your tool's
    /// requests apart (`"invite-cleaner/1.2"`, say). A name that is blank, over 256 bytes, or
    /// holds control or non-ASCII characters is refused by the first call with
    /// [`Error::InvalidParams`].
    ///
    /// # Examples
    ///
    /// ```
    /// use linkup_sent_invitations::Config;
    ///
    /// let config = Config::new("your-api-key").app_name("invite-cleaner/1.2");
    /// assert!(config.check().is_ok());
    /// assert!(Config::new("your-api-key").app_name("bad\nname").check().is_err());
    /// ```
    ///
    /// Defaults to none: the `User-Agent` is `linkup-sent-invitations/VERSION`.
    pub fn app_name(mut self, name: impl Into<String>) -> Config {
        self.app_name = Some(name.into().into());
        self.agents = Arc::default();
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

    /// The credits charged to every call made through this `Config` and its clones so far:
    /// listings, withdrawals, retries included, counted as [`Paginator::credits_used`] counts
    /// them (what a reply reports, never below its documented price). A tool can read it
    /// before and after a step to say what the step cost, failures included.
    ///
    /// # Examples
    ///
    /// ```
    /// # let server = httpmock::MockServer::start();
    /// # server.mock(|when, then| {
    /// #     when.method("POST");
    /// #     then.status(400).body(r#"{"status":"error","message":"Missing required parameter: invitation_type"}"#);
    /// # });
    /// use linkup_sent_invitations::{fetch_sent_invitations, Config, Params};
    ///
    /// let config = Config::new("your-api-key");
    /// # let config = config.base_url(server.base_url());
    /// let before = config.credits_used();
    /// assert!(fetch_sent_invitations(&config, &Params::new("your-login-token")).is_err());
    /// assert_eq!(config.clone().credits_used() - before, 1); // v1 charges a refusal too
    /// ```
    pub fn credits_used(&self) -> u64 {
        self.spent.load(Ordering::Relaxed)
    }

    /// The credits calls through this `Config` and its clones may have been charged on top of
    /// [`credits_used`](Config::credits_used): a withdrawal sent with no answer
    /// ([`Error::OutcomeUnknown`]) may have been done, and charged, and no reply said so. A
    /// budget that must never be overrun counts both: `credits_used() +
    /// credits_possibly_used()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap(); // reads, never answers
    /// # let url = format!("http://{}", server.local_addr().unwrap());
    /// # std::thread::spawn(move || { let held: Vec<_> = server.incoming().collect(); drop(held) });
    /// use std::time::Duration;
    /// use linkup_sent_invitations::{withdraw_invitation, Config, Error, Params};
    ///
    /// let config = Config::new("your-api-key")
    /// #   .base_url(url)
    ///     .timeout(Duration::from_millis(300));
    /// let err = withdraw_invitation(&config, &Params::new("your-login-token"), 7329176687475109888)
    ///     .unwrap_err();
    /// assert!(matches!(err, Error::OutcomeUnknown { .. })); // sent, no answer: maybe done
    /// assert_eq!((config.credits_used(), config.credits_possibly_used()), (0, 1));
    /// ```
    pub fn credits_possibly_used(&self) -> u64 {
        self.possibly.load(Ordering::Relaxed)
    }

    /// Counts what an attempt cost, and may have cost on top, for every clone.
    pub(crate) fn charge(&self, charged: u64, possibly: u64) {
        for (counter, credits) in [(&self.spent, charged), (&self.possibly, possibly)] {
            let _ = counter.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_add(credits))
            });
        }
    }

    /// Checks this configuration as the first call would, sending nothing: the API key, the
    /// timeouts, the base URL and the proxy the environment names. A tool can call it at start
    /// to report a mistake before doing any work.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParams`] for an empty key or one with spaces or control characters, a
    /// zero timeout, a base URL that is not `https://` (or `http://` to loopback), a proxy
    /// this build cannot use, such as `HTTPS_PROXY=socks5://…`, a PEM given to
    /// [`add_root_certificates`](Config::add_root_certificates) with no certificate, or an
    /// [`app_name`](Config::app_name) that cannot be a header.
    ///
    /// # Examples
    ///
    /// ```
    /// use linkup_sent_invitations::Config;
    ///
    /// assert!(Config::new("your-api-key").check().is_ok());
    /// assert!(Config::new("your-api-key\n").check().is_err());
    /// assert!(Config::new("your-api-key").base_url("http://api.example.com").check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), Error> {
        self.validate()
    }

    pub(crate) fn pacing_interval(&self) -> Option<Duration> {
        match self.requests_per_minute {
            0 => None,
            rpm => Some(Duration::from_secs(60) / rpm),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
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
        if self.api_key.len() > MAX_KEY_BYTES {
            return Err(Error::InvalidParams(format!(
                "the API key is {} bytes long, over the {MAX_KEY_BYTES} any key has (a whole \
                 file?): pass the key from your LinkUp dashboard to Config::new",
                self.api_key.len()
            )));
        }
        if self.timeout.is_zero() || self.call_timeout.is_zero() {
            return Err(invalid(
                "a timeout is zero, so every call would time out: allow at least a few seconds",
            ));
        }
        if let Roots::Unusable(reason) = &self.roots {
            return Err(invalid(reason));
        }
        if let Some(name) = &self.app_name {
            check_app_name(name)?;
        }
        // The secrets (the environment's proxies among them) are gathered for a refusal only:
        // this runs before every request.
        check_base_url(&self.base_url, &|| self.secrets())
            .and_then(|()| self.agents().map(drop))
            .map_err(|err| err.scrubbed(&self.secrets()))
    }

    /// The secrets this configuration knows, to keep out of every text: the API key, and any
    /// user name, password, query value or fragment in the base URL, the proxy, or the proxy
    /// the environment names.
    pub(crate) fn secrets(&self) -> Secrets<'_> {
        let mut secrets = Secrets::of([&*self.api_key]);
        let from_env = PROXY_VARIABLES
            .iter()
            .filter_map(|name| std::env::var(name).ok());
        let urls = [
            Some(self.base_url.to_string()),
            self.proxy.as_deref().map(str::to_owned),
        ];
        for url in urls.into_iter().flatten().chain(from_env) {
            for secret in url_secrets(&url) {
                secrets.add(secret);
            }
        }
        secrets
    }

    /// The HTTP agents, built on first use with the proxy this configuration resolves to.
    pub(crate) fn agents(&self) -> Result<&Agents, Error> {
        self.agents
            .get_or_init(|| {
                let proxy = route(
                    &self.base_url,
                    self.proxy.as_deref(),
                    self.proxy_from_env,
                    |name| std::env::var(name).ok(),
                    &self.secrets(),
                )?;
                let agent = |roots| {
                    AgentSpec {
                        proxy: proxy.clone(),
                        timeout: self.timeout,
                        roots,
                        app_name: self.app_name.as_deref(),
                    }
                    .build()
                };
                let shown = proxy.as_ref().map(|p| ProxyShown {
                    host: format!("{}:{}", p.host(), p.port()),
                    credentials: p.username().is_some() || p.password().is_some(),
                });
                let set = match &self.roots {
                    Roots::Added(certificates) => AgentSet::Two {
                        built_in: agent(ureq::tls::RootCerts::WebPki),
                        added: agent(ureq::tls::RootCerts::Specific(Arc::clone(certificates))),
                        count: certificates.len(),
                        added_first: AtomicBool::new(true),
                    },
                    Roots::BuiltIn | Roots::Unusable(_) => {
                        AgentSet::One(agent(ureq::tls::RootCerts::WebPki))
                    }
                };
                Ok(Agents { set, proxy: shown })
            })
            .as_ref()
            .map_err(|reason| Error::InvalidParams(reason.clone()))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secrets = self.secrets();
        let url = |url: &str| secrets.shown(&shown_url(url), 100);
        f.debug_struct("Config")
            .field("api_key", &"[redacted]")
            .field("base_url", &url(&self.base_url))
            .field("timeout", &self.timeout)
            .field("call_timeout", &self.call_timeout)
            .field("proxy", &self.proxy.as_deref().map(url))
            .field("proxy_from_env", &self.proxy_from_env)
            .field("added_roots", &self.roots.count())
            .field("app_name", &self.app_name.as_deref())
            .field("max_retries", &self.max_retries)
            .field("requests_per_minute", &self.requests_per_minute)
            .field("retry_backoff", &self.retry_backoff)
            .finish()
    }
}

pub(crate) fn endpoints(base_url: &str) -> [Arc<str>; 2] {
    [Generation::V1, Generation::V2].map(|g| format!("{base_url}{}", g.path()).into())
}

/// How long resolving, and connecting, may take of an attempt limited to `limit`: a tenth less,
/// so that ureq reports a stalled connect as one rather than as the attempt's deadline, and at
/// most 10 s, so that a dead address fails fast and is retried.
pub(crate) fn phase_limit(limit: Duration) -> Duration {
    CONNECT_TIMEOUT.min(limit - limit / 10)
}

/// Root certificates besides the built-in ones, as [`Config::add_root_certificates`] gave them.
#[derive(Clone)]
enum Roots {
    BuiltIn,
    /// The built-in roots, and these.
    Added(Arc<Vec<ureq::tls::Certificate<'static>>>),
    /// A PEM without a usable certificate was given: why, for the first call to refuse with.
    Unusable(Arc<str>),
}

impl Roots {
    /// These roots and the certificates of `pem`; unusable from the first PEM that holds none.
    fn and(self, pem: &[u8]) -> Roots {
        let mut certificates = match self {
            Roots::BuiltIn => Vec::new(),
            Roots::Added(certificates) => certificates.to_vec(),
            unusable @ Roots::Unusable(_) => return unusable,
        };
        match read_certificates(pem) {
            Ok(more) => {
                certificates.extend(more);
                Roots::Added(Arc::new(certificates))
            }
            Err(why) => Roots::Unusable(
                format!(
                "the PEM given to Config::add_root_certificates {why}: pass the CA's certificate \
                 file, its -----BEGIN CERTIFICATE----- blocks"
            )
                .into(),
            ),
        }
    }

    /// These roots and `more`, read already (an unusable PEM given before stays unusable).
    #[cfg(feature = "native-certs")]
    fn with(self, more: Vec<ureq::tls::Certificate<'static>>) -> Roots {
        match self {
            Roots::BuiltIn => Roots::Added(Arc::new(more)),
            Roots::Added(certificates) => {
                Roots::Added(Arc::new(certificates.iter().cloned().chain(more).collect()))
            }
            unusable @ Roots::Unusable(_) => unusable,
        }
    }

    fn count(&self) -> usize {
        match self {
            Roots::Added(certificates) => certificates.len(),
            Roots::BuiltIn | Roots::Unusable(_) => 0,
        }
    }
}

/// The certificates of a PEM text, or why it holds none that could be a root (never a word
/// of its content: it might be a private key).
fn read_certificates(pem: &[u8]) -> Result<Vec<ureq::tls::Certificate<'static>>, String> {
    // A `.cer` or `.der` file, as IT departments hand them out: one certificate, in DER.
    if pem.first() == Some(&0x30) {
        let der = rustls::pki_types::CertificateDer::from(pem);
        return match webpki::anchor_from_trusted_cert(&der) {
            Ok(_) => Ok(vec![ureq::tls::Certificate::from_der(pem).to_owned()]),
            Err(_) => Err("is DER but no X.509 certificate".into()),
        };
    }
    let mut certificates = Vec::new();
    let mut keys = 0;
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(certificate)) => {
                // Read as rustls reads a root (it would drop one it cannot read, silently).
                let der = rustls::pki_types::CertificateDer::from(certificate.der());
                if webpki::anchor_from_trusted_cert(&der).is_err() {
                    return Err(format!(
                        "holds a CERTIFICATE block (number {}) that is no X.509 certificate",
                        certificates.len() + 1
                    ));
                }
                certificates.push(certificate);
            }
            Ok(_) => keys += 1,
            Err(_) => return Err("is not valid PEM (a block's base64 is broken)".into()),
        }
    }
    match (certificates.is_empty(), keys) {
        (false, _) => Ok(certificates),
        (true, 0) => {
            Err("holds no certificate (neither PEM blocks nor one DER certificate)".into())
        }
        (true, _) => Err("holds a private key and no certificate".into()),
    }
}

/// The `User-Agent` of every request: the caller's name first, when it gave one.
fn user_agent(app_name: Option<&str>) -> String {
    let ours = concat!("linkup-sent-invitations/", env!("CARGO_PKG_VERSION"));
    match app_name {
        Some(name) => format!("{name} {ours}"),
        None => ours.to_owned(),
    }
}

fn check_app_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(invalid(
            "the name given to Config::app_name is blank: name your program, or leave it out",
        ));
    }
    if name.len() > MAX_APP_NAME_BYTES {
        return Err(Error::InvalidParams(format!(
            "the name given to Config::app_name is {} bytes long: keep it to at most \
             {MAX_APP_NAME_BYTES}, a program's name and version",
            name.len()
        )));
    }
    if name.trim() != name || !name.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
        return Err(invalid(
            "the name given to Config::app_name holds control or non-ASCII characters, or \
             spaces at its ends, which a User-Agent header cannot: use letters, digits and \
             `-_./`",
        ));
    }
    Ok(())
}

/// The HTTP agents of a [`Config`], and the proxy they go through.
pub(crate) struct Agents {
    set: AgentSet,
    /// The proxy every request goes through, as a message names it.
    pub(crate) proxy: Option<ProxyShown>,
}

/// One agent per set of roots a [`Config`] trusts.
enum AgentSet {
    /// The built-in roots.
    One(ureq::Agent),
    /// The built-in roots and the added ones, a set per agent (ureq takes either, not both);
    /// `added_first` says which last passed a handshake, to be tried first.
    Two {
        built_in: ureq::Agent,
        added: ureq::Agent,
        count: usize,
        added_first: AtomicBool,
    },
}

impl Agents {
    /// The agents in the order to try them, and how many roots were added.
    pub(crate) fn in_order(&self) -> (&ureq::Agent, Option<&ureq::Agent>, usize) {
        match &self.set {
            AgentSet::One(agent) => (agent, None, 0),
            AgentSet::Two {
                built_in,
                added,
                count,
                added_first,
            } => match added_first.load(Ordering::Relaxed) {
                true => (added, Some(built_in), *count),
                false => (built_in, Some(added), *count),
            },
        }
    }

    /// Notes that `agent`'s roots vouched for the server: it goes first from now on.
    pub(crate) fn trusted(&self, agent: &ureq::Agent) {
        if let AgentSet::Two {
            added, added_first, ..
        } = &self.set
        {
            added_first.store(std::ptr::eq(agent, added), Ordering::Relaxed);
        }
    }
}

/// What an agent is built from.
struct AgentSpec<'a> {
    proxy: Option<ureq::Proxy>,
    timeout: Duration,
    roots: ureq::tls::RootCerts,
    app_name: Option<&'a str>,
}

impl AgentSpec<'_> {
    fn build(self) -> ureq::Agent {
        let AgentSpec {
            proxy,
            timeout,
            roots,
            app_name,
        } = self;
        let timeout = timeout.min(LONGEST_TIMEOUT);
        ureq::Agent::config_builder()
            // Statuses are read here, so the server's error message is kept.
            .http_status_as_error(false)
            // A redirect would forward x-api-key to whatever host it names.
            .max_redirects(0)
            // Replaces ureq's own reading of the environment, which would also send plain http
            // through a proxy and fall back to a direct connection for a SOCKS proxy it cannot use.
            .proxy(proxy)
            // One deadline for the whole attempt, body included (`attempt` shortens it when the
            // call's own bound leaves less). Under a deadline ureq resolves the host in a thread of
            // its own per request: invisible at 300 requests a minute; see BENCHMARKS.md.
            .timeout_global(Some(timeout))
            // Resolving and connecting fail fast, and name themselves: they stop just short of
            // the deadline (at most 10 s), so a connect that never completes says so.
            .timeout_resolve(Some(phase_limit(timeout)))
            .timeout_connect(Some(phase_limit(timeout)))
            .user_agent(user_agent(app_name))
            .accept("application/json")
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
            .build()
            .into()
    }
}

/// The parameters of a call: whose invitations (a v1 `login_token` or a v2 account), which
/// kind, and which pages.
///
/// [`Params::new`] makes a v1 call (`POST /v1/network/sent-invitations`, one credit per page
/// of 10); [`Params::account`] makes the same call through LinkUp's v2 API (`POST /v2/network`,
/// one credit per 50 invitations, errors free). Everything else, [`fetch_sent_invitations`],
/// the [`Paginator`] and the types they return, is the same for both.
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
///
/// // The same walk through v2: five times fewer credits.
/// let v2 = Params::account("your-account-id").invitation_type(InvitationType::Organization);
/// # let _ = v2;
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Params {
    pub(crate) who: Who,
    pub(crate) invitation_type: InvitationType,
    pub(crate) country: Option<Country>,
    pub(crate) total_results: Option<u32>,
    pub(crate) start_page: Option<u32>,
    pub(crate) end_page: Option<u32>,
}

/// Whose invitations, which also says which generation of the API to call.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Who {
    /// v1: the LinkedIn session cookie, sent with every call.
    LoginToken(String),
    /// v2: the id of a LinkedIn account connected to LinkUp once.
    Account(String),
}

impl Params {
    /// v1 parameters for the account behind `login_token`, the LinkedIn session cookie obtained
    /// through LinkUp's login flow.
    pub fn new(login_token: impl Into<String>) -> Params {
        Params::with(Who::LoginToken(login_token.into()))
    }

    /// v2 parameters for a LinkedIn account connected to LinkUp, by its `account_id`: the same
    /// calls through `POST /v2/network`, where one credit buys 50 invitations instead of 10 and
    /// errors cost nothing. Moving from v1 is this one line.
    ///
    /// A page is then 50 invitations: [`pages`](Params::pages) counts in pages of 50 (sent as
    /// `offset` and `count`), [`total_results`](Params::total_results) in invitations, and a
    /// [`Paginator`] walks 138 invitations in 3 requests. v2 has no `country` (setting one is
    /// refused before anything is sent).
    ///
    /// [`connect_account`] turns a v1 login token into an account id (LinkUp's free,
    /// idempotent `POST /v2/login`).
    pub fn account(account_id: impl Into<String>) -> Params {
        Params::with(Who::Account(account_id.into()))
    }

    fn with(who: Who) -> Params {
        Params {
            who,
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
    /// as many pages as needed, one credit each; v2 sends it as `count`) and cannot be combined
    /// with pages. On a [`Paginator`] it caps the invitations yielded: only the pages needed
    /// are fetched.
    ///
    /// Defaults to not sent (v1 returns 10; v2 asks for 50, one credit's worth).
    pub fn total_results(mut self, total_results: u32) -> Params {
        self.total_results = Some(total_results);
        self
    }

    /// The pages to fetch, from `start` to `end` inclusive, numbered from 1 (*paging mode*).
    /// One call to [`fetch_sent_invitations`] with `pages(1, 5)` costs 5 credits. With
    /// [`Params::account`] a page is 50 invitations (`offset` 0, 50, 100, …).
    ///
    /// Defaults to not sent (the API returns page 1).
    pub fn pages(mut self, start: u32, end: u32) -> Params {
        self.start_page = Some(start);
        self.end_page = Some(end);
        self
    }

    /// The first page to fetch, numbered from 1, keeping any end page already set. To go on
    /// with a walk that stopped, prefer [`Paginator::resume`], which also proves that nothing
    /// moved past the stop in between.
    ///
    /// Defaults to not sent (page 1).
    pub fn start_page(mut self, start: u32) -> Params {
        self.start_page = Some(start);
        self
    }

    pub(crate) fn generation(&self) -> Generation {
        match self.who {
            Who::LoginToken(_) => Generation::V1,
            Who::Account(_) => Generation::V2,
        }
    }

    /// The login token or account id: a secret to keep out of messages.
    pub(crate) fn credential(&self) -> &str {
        match &self.who {
            Who::LoginToken(secret) | Who::Account(secret) => secret,
        }
    }

    /// Checks what every mode shares; `fetch_sent_invitations` adds the mode conflict.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        self.validate_who()?;
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

    /// Checks whose invitations: what every call needs, a withdrawal included.
    pub(crate) fn validate_who(&self) -> Result<(), Error> {
        match &self.who {
            Who::LoginToken(token) if token.trim().is_empty() => {
                return Err(invalid(
                    "login_token is empty: get one through LinkUp's login flow and pass it to \
                     Params::new",
                ))
            }
            Who::Account(id) if id.trim().is_empty() => {
                return Err(invalid(
                    "account_id is empty: pass the id of the LinkedIn account connected to \
                     LinkUp to Params::account",
                ))
            }
            Who::Account(_) if self.country.is_some() => {
                return Err(invalid(
                    "v2 calls (Params::account) take no country: LinkUp keeps the account's own",
                ))
            }
            _ => {}
        }
        Ok(())
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = match self.who {
            Who::LoginToken(_) => "login_token",
            Who::Account(_) => "account_id",
        };
        f.debug_struct("Params")
            .field(who, &"[redacted]")
            .field("invitation_type", &self.invitation_type)
            .field("country", &self.country)
            .field("total_results", &self.total_results)
            .field("start_page", &self.start_page)
            .field("end_page", &self.end_page)
            .finish()
    }
}

pub(crate) fn check_base_url<'a>(
    url: &str,
    secrets: &dyn Fn() -> Secrets<'a>,
) -> Result<(), Error> {
    let refuse = |why: &str| {
        // Shown without any password or secret, whatever is wrong with it.
        let shown = secrets().shown(&shown_url(url), 100);
        Err(Error::InvalidParams(format!("base_url {shown:?} {why}")))
    };
    let lower = url.to_ascii_lowercase();
    let (scheme_ok, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return refuse("is not an https:// URL");
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("contains spaces or control characters: remove them");
    }
    // What RFC 3986 lets a URL hold; ureq would refuse anything else only when sending, as a
    // connection failure, and retry it.
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
    if let Some(c) = url.chars().find(|&c| !allowed(c)) {
        return refuse(&format!(
            "contains {c:?}, which a URL cannot hold: percent-encode it (a host in IDNA form)"
        ));
    }
    if url.len() > MAX_URL_BYTES {
        return refuse(&format!(
            "is {} bytes long, over the {MAX_URL_BYTES} a request line is given: use the \
             API's address",
            url.len()
        ));
    }
    if userinfo(url).is_some() {
        return refuse(
            "carries a user name or password: LinkUp takes the API key in a header, and a \
             password in a URL ends up in logs; drop the part before the @",
        );
    }
    if host_of(rest).is_empty() {
        return refuse("has no host");
    }
    let host = host_of(rest);
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if scheme_ok || loopback {
        Ok(())
    } else {
        refuse(
            "is plain http: the API key would travel in clear text; use https:// (plain http \
             is allowed only to a loopback test server)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_of_roots_that_last_passed_a_handshake_goes_first() {
        let agents = Agents {
            set: AgentSet::Two {
                built_in: ureq::Agent::new_with_defaults(),
                added: ureq::Agent::new_with_defaults(),
                count: 1,
                added_first: AtomicBool::new(true),
            },
            proxy: None,
        };
        let AgentSet::Two {
            built_in, added, ..
        } = &agents.set
        else {
            unreachable!()
        };
        let order = |agents: &Agents| {
            let (first, second, count) = agents.in_order();
            (
                std::ptr::eq(first, added),
                second.is_some_and(|s| std::ptr::eq(s, built_in)),
                count,
            )
        };
        assert_eq!(order(&agents), (true, true, 1), "added roots first");
        agents.trusted(built_in);
        let (first, second, _) = agents.in_order();
        assert!(std::ptr::eq(first, built_in) && std::ptr::eq(second.unwrap(), added));
        agents.trusted(added);
        assert_eq!(order(&agents), (true, true, 1));
        let one = Agents {
            set: AgentSet::One(ureq::Agent::new_with_defaults()),
            proxy: None,
        };
        one.trusted(added);
        assert!(one.in_order().1.is_none());
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
            assert!(check_base_url(ok, &Secrets::none).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.linkupapi.com",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "http://evil.com/@127.0.0.1",
            "http://user:pw@127.0.0.1:8080",
            "https://user@api.linkupapi.com",
            "https://api.linkup api.com",
            "ftp://127.0.0.1",
            "api.linkupapi.com",
            "https://",
            "",
        ] {
            assert!(check_base_url(bad, &Secrets::none).is_err(), "{bad}");
        }
    }
}
