//! The request path: sending a call, its attempts, what is retried and charged, backoff and
//! pacing.

use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::classify::{classify, Acted, Again, CallKind, Came, Facts, Verdict};
use crate::config::{phase_limit, Agents, Config, Params, LONGEST_TIMEOUT};
use crate::error::{invalid, Cause, Error, Phase, TransportError, TransportKind};
use crate::ground::{days_from_civil, within_budget, Generation, Window};
use crate::proxy::host_and_port;
use crate::redact::{Secrets, MAX_MESSAGE_CHARS};
use crate::types::SentInvitationsPage;
use crate::wire::Reply;

/// The target of the crate's log records: the crate's name, whichever file logs.
const LOG_TARGET: &str = "linkup_sent_invitations";

const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A page of ten invitations is about 10 KiB; this only stops a hostile or broken server.
const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

/// What a call spent, what it may have spent on top, and the most the caller allows; shared by
/// one call's retries. It also keeps what the server did with the last attempt.
#[derive(Debug)]
pub(crate) struct Credits {
    pub(crate) used: u64,
    /// Credits the call may have cost beyond `used` (an action with no answer).
    pub(crate) possibly: u64,
    pub(crate) max: Option<u64>,
    /// What the server did with the last attempt ([`Acted::No`] before any).
    pub(crate) acted: Acted,
}

impl Default for Credits {
    fn default() -> Credits {
        Credits::within(None)
    }
}

impl Credits {
    /// Nothing spent yet, and at most `max` to spend (`None`: no limit).
    pub(crate) fn within(max: Option<u64>) -> Credits {
        Credits {
            used: 0,
            possibly: 0,
            max,
            acted: Acted::No,
        }
    }

    /// Whether another attempt fits the budget: what may have been charged counts.
    pub(crate) fn can_spend(&self) -> bool {
        within_budget(self.used.saturating_add(self.possibly), self.max)
    }
}

/// Fetches one listing page (or what `params` ask for), through the generic request path.
pub(crate) fn fetch_page(
    config: &Config,
    params: &Params,
    window: Option<Window>,
    credits: &mut Credits,
) -> Result<SentInvitationsPage, Error> {
    let generation = params.generation();
    let json = generation.body(params, window);
    let read = |reply: &Reply<'_>| generation.read(reply);
    let call = Call {
        endpoint: &config.endpoints[generation as usize],
        json: &json,
        credential: params.credential(),
        learn: None,
        read: &read,
        kind: CallKind::List,
        generation,
    };
    send(config, &call, credits)
}

/// How a call reads a reply: what it holds, or the error it says, and the facts that set its
/// price ([`classify`] prices it).
///
/// It builds errors with the texts whole (the server's words, a body): the boundary at the end
/// of each attempt redacts and cuts them.
type ReadReply<'a, T> = &'a dyn Fn(&Reply<'_>) -> (Result<T, Error>, Facts);

/// What one call sends, the same for each of its attempts, and how its replies are judged.
pub(crate) struct Call<'a, T> {
    pub(crate) endpoint: &'a str,
    pub(crate) json: &'a [u8],
    /// The login token (v1) or account id (v2): with the config's secrets, what is redacted.
    pub(crate) credential: &'a str,
    /// Which values of a reply are secrets too (an account id a login returns).
    pub(crate) learn: Option<fn(&[u8]) -> Secrets<'static>>,
    pub(crate) read: ReadReply<'a, T>,
    /// What the call does, and through which generation: what [`classify`] judges it by.
    pub(crate) kind: CallKind,
    pub(crate) generation: Generation,
}

/// Sends a call, retrying what is free or unavoidable, never past `credits.max` nor past the
/// call's deadline ([`Config::call_timeout`]).
///
/// The caller has validated; when the budget forbids even the first attempt the caller must not
/// call this (the paginator checks first), so the budget only stops retries here.
pub(crate) fn send<T>(
    config: &Config,
    call: &Call<'_, T>,
    credits: &mut Credits,
) -> Result<T, Error> {
    let agents = config.agents()?;
    warn_once_if_the_wire_is_logged();
    let started = Instant::now();
    // None when the call's bound is further than an `Instant` can reach: no bound then.
    let deadline = started.checked_add(config.call_timeout);
    let mut attempts = 0;
    loop {
        if let Some(interval) = config.pacing_interval() {
            // A slot past the call's deadline is not taken: the error now, nothing sent.
            if let Err(wait) = config.pacer.wait(interval, deadline) {
                return Err(tally(paced(wait), attempts, started));
            }
        }
        let left = deadline.map_or(config.timeout, |d| {
            d.saturating_duration_since(Instant::now())
        });
        attempts += 1;
        let began = Instant::now();
        let (result, verdict, came) = attempt(config, agents, call, left);
        log_request(config, call, came, &verdict, began.elapsed());
        credits.used = credits.used.saturating_add(verdict.charged);
        credits.possibly = credits.possibly.saturating_add(verdict.possibly);
        credits.acted = verdict.acted;
        config.charge(verdict.charged, verdict.possibly);
        let err = match result {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        let retry = attempts - 1;
        let wait = match verdict.again {
            Again::Never => None,
            Again::Backoff => Some(full_jitter(config.retry_backoff, retry)),
            Again::After(wait) => Some(wait),
        };
        let wait = match wait {
            // A retry must have time left after its wait; a Retry-After that would overrun the
            // call is the caller's to judge, now rather than after sleeping through it.
            Some(wait)
                if retry < config.max_retries && credits.can_spend() && fits(wait, deadline) =>
            {
                wait
            }
            _ => return Err(tally(err, attempts, started)),
        };
        log::debug!(
            target: LOG_TARGET,
            "linkup: attempt {attempts} of {} failed: {}; retrying in {:.1}s",
            config.max_retries.saturating_add(1),
            retry_reason(&err),
            wait.as_secs_f64()
        );
        std::thread::sleep(wait);
    }
}

/// Notes on a transport error how many attempts the call made, and how long they took.
fn tally(err: Error, attempts: u32, started: Instant) -> Error {
    match err {
        Error::Transport(mut transport) => {
            transport.attempts = attempts;
            transport.total = started.elapsed();
            Error::Transport(transport)
        }
        other => other,
    }
}

/// Whether a wait leaves time before `deadline`.
pub(crate) fn fits(wait: Duration, deadline: Option<Instant>) -> bool {
    deadline.is_none_or(|deadline| {
        Instant::now()
            .checked_add(wait)
            .is_some_and(|at| at < deadline)
    })
}

/// The error for a pacing slot `wait` away, past the call's deadline.
pub(crate) fn paced(wait: Duration) -> Error {
    Error::Transport(TransportError {
        kind: TransportKind::Timeout {
            phase: Phase::Pacing(wait),
            cut_short: true,
        },
        elapsed: Duration::ZERO,
        host: String::new(),
        https: false,
        attempts: 0,
        total: Duration::ZERO,
        detail: Box::default(),
        source: None,
        proxy: None,
    })
}

/// One attempt, given at most `left` of the call's time: the outcome, and what it means (what
/// it cost, whether to retry it: [`classify`]).
pub(crate) fn attempt<T>(
    config: &Config,
    agents: &Agents,
    call: &Call<'_, T>,
    left: Duration,
) -> (Result<T, Error>, Verdict, Came) {
    let (result, came, learned) = exchange(config, agents, call, left);
    let verdict = classify(call.kind, call.generation, came, result.as_ref().err());
    // The boundary: whatever built the error (a server's words, ureq's, serde's), every text
    // in it passes the redaction step here, whole, with every secret the call knows.
    let result = result.map_err(|err| {
        let mut secrets = config.secrets();
        secrets.add(call.credential);
        secrets.add_all(learned);
        err.scrubbed(&secrets)
    });
    (result, verdict, came)
}

/// One line per request, at `trace` (the tools' `--verbose`): the method, the path (the base
/// URL left out: it may hold a secret), what came back, what it cost, how long it took; no
/// text of the server's, and through the redaction step all the same.
fn log_request<T>(
    config: &Config,
    call: &Call<'_, T>,
    came: Came,
    verdict: &Verdict,
    took: Duration,
) {
    if !log::log_enabled!(target: LOG_TARGET, log::Level::Trace) {
        return;
    }
    let path = call
        .endpoint
        .strip_prefix(&*config.base_url)
        .unwrap_or(call.endpoint);
    let path: String = path.chars().take_while(|c| *c != '?').collect();
    let came = match came {
        Came::Unwritten => "not written".to_owned(),
        Came::NoReply { unreadable: true } => "an unreadable reply".to_owned(),
        Came::NoReply { unreadable: false } => "no reply".to_owned(),
        Came::BodyLost { status } => format!("HTTP {status}, its body lost"),
        Came::Reply(facts) => format!("HTTP {}", facts.status),
    };
    let credits = match (verdict.charged, verdict.possibly) {
        (1, 0) => "1 credit".to_owned(),
        (charged, 0) => format!("{charged} credits"),
        (charged, possibly) => format!("{charged} credits (and possibly {possibly})"),
    };
    let line = format!(
        "linkup: POST {path} -> {came}, {credits}, {} ms",
        took.as_millis()
    );
    // Through the one redaction step, as every text that leaves the crate.
    let mut secrets = config.secrets();
    secrets.add(call.credential);
    log::trace!(target: LOG_TARGET, "{}", secrets.shown(&line, MAX_MESSAGE_CHARS));
}

/// One request and its reply, read: [`attempt`] without the boundary; with the secrets the
/// reply itself names (see [`Call::learn`]) when it is an error.
fn exchange<T>(
    config: &Config,
    agents: &Agents,
    call: &Call<'_, T>,
    left: Duration,
) -> (Result<T, Error>, Came, Secrets<'static>) {
    let started = Instant::now();
    let (first, second, count) = agents.in_order();
    let (mut sent, mut cut_short) = post(config, first, call, left);
    // How many added roots refused the certificate too, for the error's advice.
    let mut added_roots = 0;
    // With roots added, a server is trusted when either set vouches for it: a certificate the
    // first set refuses is shown to the other. ureq completes the handshake before it writes a
    // byte of the request, so this sends nothing twice and costs nothing.
    if let (Err(source), Some(second)) = (&sent, second) {
        let left = left.saturating_sub(started.elapsed());
        if refused_certificate(source) && !left.is_zero() {
            let (again, again_cut_short) = post(config, second, call, left);
            let shown = match &again {
                // Only a handshake that passed says this set vouches: it goes first from now on.
                Ok(_) => {
                    agents.trusted(second);
                    true
                }
                // Refused by both: show what the set that knew the issuer found wrong (the name,
                // a date), not the other's "UnknownIssuer".
                Err(refused) if refused_certificate(refused) => {
                    added_roots = count;
                    unknown_issuer(source) || !unknown_issuer(refused)
                }
                // Not a verdict on the certificate (the connection dropped, the time ran out):
                // that is the failure to report, and the order stays.
                Err(_) => true,
            };
            if shown {
                (sent, cut_short) = (again, again_cut_short);
            }
        }
    }
    let failed = |source, in_body| {
        let mut err = transport_error(
            source,
            in_body,
            cut_short,
            started.elapsed(),
            host_and_port(&config.base_url),
        );
        if let Error::Transport(transport) = &mut err {
            transport.https = config.base_url.to_ascii_lowercase().starts_with("https://");
            transport.proxy = agents.proxy.clone().map(Box::new);
            if let TransportKind::Certificate { added_roots: n, .. } = &mut transport.kind {
                *n = added_roots;
            }
        }
        err
    };
    let mut response = match sent {
        Ok(response) => response,
        // The config's own checks keep every line far under ureq's limit; should one still be
        // over it, nothing whole was sent and nothing charged: say so, not "unreadable".
        Err(source) if unwritable(&source) => {
            let err = invalid(
                "the request has a header over the 128 KiB ureq can write, and was not sent: \
                 shorten the API key, Config::app_name or Config::base_url",
            );
            return (Err(err), Came::Unwritten, Secrets::none());
        }
        Err(source) => {
            // A reply whose head cannot be read (too large, not HTTP) still means the server
            // answered, and charged.
            let came = Came::NoReply {
                unreadable: unreadable(&source),
            };
            return (Err(failed(source, false)), came, Secrets::none());
        }
    };
    let status = response.status().as_u16();
    let lost = Came::BodyLost { status };
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
            return (Err(err), lost, Secrets::none());
        }
        Err(BodyError::Io(source)) => {
            return (Err(failed(source.into(), true)), lost, Secrets::none())
        }
    };
    let reply = Reply::new(status, &bytes, retry_after, location.as_deref());
    let (result, facts) = (call.read)(&reply);
    let learned = match (&result, call.learn) {
        (Err(_), Some(learn)) => learn(&bytes),
        _ => Secrets::none(),
    };
    (result, Came::Reply(facts), learned)
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

/// Names a failure from ureq: `in_body` when it came while reading the reply's body.
fn transport_error(
    source: ureq::Error,
    in_body: bool,
    cut_short: bool,
    elapsed: Duration,
    host: String,
) -> Error {
    // While reading a body, ureq reports its own timeout inside an io::Error; `From` unwraps it.
    let source = match source {
        ureq::Error::Io(io) => ureq::Error::from(io),
        other => other,
    };
    let timeout = |phase| TransportKind::Timeout { phase, cut_short };
    let kind = match &source {
        ureq::Error::Timeout(ureq::Timeout::Resolve) => timeout(Phase::Resolving),
        ureq::Error::Timeout(ureq::Timeout::Connect) => timeout(Phase::Connecting),
        ureq::Error::Timeout(_) if in_body => timeout(Phase::ReadingBody),
        ureq::Error::Timeout(_) => timeout(Phase::BeforeReply),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => timeout(if in_body {
            Phase::ReadingBody
        } else {
            Phase::BeforeReply
        }),
        ureq::Error::HostNotFound => TransportKind::HostNotFound,
        // The resolver's own failure comes as an io::Error; std words it with this prefix.
        ureq::Error::Io(io) if io.to_string().contains("failed to lookup address") => {
            TransportKind::HostNotFound
        }
        source if tls_failure(source).is_some_and(TlsFailure::refused) => {
            TransportKind::Certificate {
                added_roots: 0,
                wrong_name: tls_failure(source).is_some_and(TlsFailure::wrong_name),
            }
        }
        source if tls_failure(source).is_some() => TransportKind::Tls {
            after_reply: in_body,
        },
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => TransportKind::Proxy,
        source if unreadable(source) => TransportKind::UnreadableReply,
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => TransportKind::Refused,
            std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::UnexpectedEof
            | std::io::ErrorKind::BrokenPipe => TransportKind::Closed {
                after_reply: in_body,
            },
            _ => TransportKind::Connection {
                after_reply: in_body,
            },
        },
        _ => TransportKind::Connection {
            after_reply: in_body,
        },
    };
    Error::Transport(TransportError {
        kind,
        elapsed,
        host,
        https: false,
        attempts: 1,
        total: elapsed,
        detail: match kind {
            TransportKind::Certificate { .. } | TransportKind::Tls { .. } => tls_reason(&source),
            _ => source.to_string(),
        }
        .into(),
        source: Some(Box::new(Cause::of(&source))),
        proxy: None,
    })
}

/// Sends the call's request through `agent`, within `left`: the reply's head or ureq's error,
/// and whether `left` cut the attempt's deadline short.
fn post<T>(
    config: &Config,
    agent: &ureq::Agent,
    call: &Call<'_, T>,
    left: Duration,
) -> (Result<ureq::http::Response<ureq::Body>, ureq::Error>, bool) {
    let cut_short = left < config.timeout;
    let request = agent
        .post(call.endpoint)
        .header("x-api-key", &*config.api_key)
        .header("content-type", "application/json");
    // The agent's deadline is `timeout`; only an attempt the call's bound cuts short gets its
    // own (a request-level config, which would otherwise make ureq rebuild its TLS settings).
    let sent = if cut_short {
        let limit = left.clamp(Duration::from_millis(1), LONGEST_TIMEOUT);
        request
            .config()
            .timeout_global(Some(limit))
            .timeout_resolve(Some(phase_limit(limit)))
            .timeout_connect(Some(phase_limit(limit)))
            .build()
            .send(call.json)
    } else {
        request.send(call.json)
    };
    (sent, cut_short)
}

/// Whether the server's certificate was refused in the TLS handshake: what another set of
/// roots may accept.
fn refused_certificate(source: &ureq::Error) -> bool {
    matches!(tls_failure(source), Some(TlsFailure::Certificate { .. }))
}

/// Whether the certificate was refused for want of a root that vouches for its issuer, rather
/// than for what a known issuer's certificate says (its names, its dates).
fn unknown_issuer(source: &ureq::Error) -> bool {
    matches!(
        tls_failure(source),
        Some(TlsFailure::Certificate {
            unknown_issuer: true,
            ..
        })
    )
}

/// Whether the server answered with something that is not a readable HTTP reply: headers over
/// ureq's limit, too many of them, a bad header name, two `Content-Length`s. Our own requests
/// are well formed (the key is checked to be plain ASCII), so ureq's protocol errors come from
/// the reply, but for one that could not be written ([`unwritable`]).
pub(crate) fn unreadable(source: &ureq::Error) -> bool {
    match source {
        ureq::Error::LargeResponseHeader(..) => true,
        ureq::Error::Protocol(_) => !unwritable(source),
        _ => false,
    }
}

/// Whether ureq could not write the request: a line of its head over its output buffer.
fn unwritable(source: &ureq::Error) -> bool {
    matches!(
        source,
        ureq::Error::Protocol(ureq_proto::Error::OutputOverflow)
    )
}

/// What a TLS failure was, read from rustls's own error as a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TlsFailure {
    /// The handshake refused the server's certificate (`unknown_issuer`: no root vouches for
    /// its issuer, rather than something the issuer's certificate says): another set of roots
    /// may accept it.
    Certificate {
        unknown_issuer: bool,
        wrong_name: bool,
    },
    /// Refused before the handshake ended for another reason: no certificate, a name rustls
    /// cannot check, a revocation list, or ureq's own TLS setup (a host that is no DNS name).
    Refused,
    /// Anything else: a record that does not decrypt, an alert, a peer that breaks the
    /// protocol. These can come after the request was written.
    Broken,
}

impl TlsFailure {
    /// Whether the handshake refused the server: ureq writes no byte of the request before
    /// the handshake is done (it completes it when connecting), and only a certificate or
    /// the setup, never a later record, can be refused like this. So nothing was sent.
    fn refused(self) -> bool {
        matches!(self, TlsFailure::Certificate { .. } | TlsFailure::Refused)
    }

    /// Whether the certificate is for another name than the host asked: no set of roots
    /// changes that.
    fn wrong_name(self) -> bool {
        matches!(
            self,
            TlsFailure::Certificate {
                wrong_name: true,
                ..
            }
        )
    }
}

/// The TLS failure `source` is, if it is one. rustls's error comes as ureq's `Rustls`, or
/// inside an io::Error (how rustls reports a refused certificate through a stream).
fn tls_failure(source: &ureq::Error) -> Option<TlsFailure> {
    // The rustls this crate names is ureq's own: a different one would not compile here.
    let _: fn(rustls::Error) -> ureq::Error = ureq::Error::Rustls;
    let rustls = match source {
        ureq::Error::Tls(_) | ureq::Error::Pem(_) => return Some(TlsFailure::Refused),
        ureq::Error::Rustls(err) => err,
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        _ => return None,
    };
    Some(match rustls {
        rustls::Error::InvalidCertificate(err) => TlsFailure::Certificate {
            unknown_issuer: *err == rustls::CertificateError::UnknownIssuer,
            wrong_name: matches!(
                err,
                rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. }
            ),
        },
        rustls::Error::NoCertificatesPresented
        | rustls::Error::UnsupportedNameType
        | rustls::Error::InvalidCertRevocationList(_) => TlsFailure::Refused,
        _ => TlsFailure::Broken,
    })
}

/// rustls's own words for a TLS failure ("invalid peer certificate: UnknownIssuer").
fn tls_reason(source: &ureq::Error) -> String {
    match source {
        ureq::Error::Io(io) => io
            .get_ref()
            .map_or_else(|| io.to_string(), ToString::to_string),
        other => other.to_string(),
    }
}

/// The targets of ureq's records that can carry a secret, and from which level: the wire dump
/// (`ureq_proto::util`, its records' own target, and the crate's), reply headers (`ureq::run`)
/// and URLs (`ureq::util` decides at trace whether to show them whole). A logger filters by
/// target, so each is asked, not only the crates' names.
const WIRE_TARGETS: &[(&str, log::Level)] = &[
    ("ureq_proto", log::Level::Trace),
    ("ureq_proto::util", log::Level::Trace),
    ("ureq", log::Level::Debug),
    ("ureq::run", log::Level::Debug),
    ("ureq::util", log::Level::Trace),
];

/// ureq's own records can carry a secret, and a library cannot filter another crate's records,
/// so it says so once: its `ureq_proto` target hex-dumps the wire at trace level, `x-api-key`
/// and the `login_token` included; its `ureq` targets show, at debug, the reply's headers as
/// the server wrote them (a server may echo a secret in one) and, at trace, URLs with their
/// query and any `Location` header.
fn warn_once_if_the_wire_is_logged() {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.load(Ordering::Relaxed)
        && (WIRE_TARGETS
            .iter()
            .any(|(target, level)| log::log_enabled!(target: target, *level)))
        && !WARNED.swap(true, Ordering::Relaxed)
    {
        log::warn!(
            target: LOG_TARGET,
            "logging is on for ureq's own records, which this crate cannot redact: `ureq_proto` \
             at trace dumps every request and reply in clear text, the API key (x-api-key) and \
             the login_token included, and `ureq` at debug shows reply headers as the server \
             wrote them (URLs too, at trace): filter both out (for example \
             RUST_LOG=debug,ureq=off,ureq_proto=off) before sharing these logs"
        );
    }
}

/// What failed, for a retry's log line: the HTTP status, or the transport error's cause.
fn retry_reason(err: &Error) -> String {
    match (err.status(), err) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Error::Transport(transport)) => transport.cause(),
        (None, other) => other.to_string(),
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
    let days = days_from_civil(year, month, u64::from(day));
    u64::try_from(days)
        .ok()
        .map(|d| d * 86_400 + h * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_request_ureq_cannot_write_is_unwritable_not_unreadable() {
        // ureq's words for it are matched (it does not re-export the error type): pin them.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .output_buffer_size(1024)
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        let err = agent
            .post(&url)
            .header("x-api-key", "k".repeat(2048))
            .send("{}")
            .unwrap_err();
        assert!(unwritable(&err), "{err:?}");
        assert!(!unreadable(&err), "{err:?}");
        drop(listener);
    }

    #[test]
    fn a_host_not_found_is_named_with_the_host() {
        // A resolver's answer cannot be had offline; ureq reports it as HostNotFound.
        let host = host_and_port("https://api.linkupapi.co");
        let err = transport_error(
            ureq::Error::HostNotFound,
            false,
            false,
            Duration::ZERO,
            host,
        );
        assert_eq!(
            err.to_string(),
            "api.linkupapi.co was not found (DNS); check the host name in Config::base_url, and \
             DNS"
        );
        assert_eq!(host_and_port("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
        // The system resolver's failure arrives as an io::Error, worded by std.
        let lookup = std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        );
        let host = host_and_port("https://api.linkupapi.co");
        let err = transport_error(lookup.into(), false, false, Duration::ZERO, host);
        assert!(
            err.to_string()
                .starts_with("api.linkupapi.co was not found (DNS)"),
            "{err}"
        );
    }
}
