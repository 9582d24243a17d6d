//! [`Error`], the one error type, and [`TransportError`], the network's part of it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::ground::Withheld;
use crate::redact::{Secrets, MAX_MESSAGE_CHARS, MAX_SNIPPET_CHARS};
#[cfg(doc)] // named by the docs
use crate::{Config, Paginator, WithdrawalJournal};

/// Everything that can go wrong, each with what to do about it: every message ends with it.
///
/// No message, `Debug` output or [`source()`](std::error::Error::source) of one holds 8
/// characters in a row of the API key, the `login_token`, the account id or a password in a
/// URL you gave, in any spelling a server may echo them in (see the crate doc's
/// [Secrets](crate#secrets)); server text is cut to a few hundred characters.
///
/// # Examples
///
/// Telling what to do from the variant, as a tool might:
///
/// ```
/// # let server = httpmock::MockServer::start();
/// # server.mock(|when, then| {
/// #     when.method("POST");
/// #     then.status(402).body(r#"{"status":"error","message":"Insufficient credits available"}"#);
/// # });
/// use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
///
/// let config = Config::new("your-api-key");
/// # let config = config.base_url(server.base_url());
/// let exit_code = match fetch_sent_invitations(&config, &Params::new("your-login-token")) {
///     Ok(_) => 0,
///     Err(Error::InvalidParams(reason)) => {
///         eprintln!("usage: {reason}"); // nothing was sent
///         2
///     }
///     Err(err @ Error::InsufficientCredits { .. }) => {
///         assert!(err.to_string().ends_with("top up the LinkUp account"));
///         3
///     }
///     Err(err) => {
///         eprintln!("error: {err}"); // the message says what to do
///         1
///     }
/// };
/// assert_eq!(exit_code, 3);
/// ```
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
    /// The server answered 5 paid pages in a row with nothing new: no invitation the walk had
    /// not seen, nothing it could yield. It ignores the page asked for, or repeats pages (or the
    /// list grows by more than a page between two requests, faster than a walk can follow).
    /// The [`Paginator`] stopped rather than pay on; try again later, and report it to LinkUp
    /// if it persists. What was yielded before holds, and
    /// [`resume_point`](Paginator::resume_point) says where the walk stood.
    RepeatedPage {
        /// The page of the last request, from 1.
        page: u32,
    },
    /// A withdrawal was sent, but no answer says whether it happened: a timeout or a dropped
    /// connection after sending, a server error (5xx), or a reply that could not be read. The
    /// invitation may have been withdrawn. It was not retried, which could act twice: list the
    /// invitations again, and a withdrawn one is gone from the list.
    OutcomeUnknown {
        /// The invitation being withdrawn.
        invitation_id: u64,
        /// What came instead of an answer.
        source: Box<Error>,
    },
    /// A [`WithdrawalJournal`] cannot be used: its path is no regular file, it cannot be read
    /// or written, or it holds a line that is no journal entry. Nothing was sent unless the
    /// reason says what was.
    Journal {
        /// The journal's path.
        path: PathBuf,
        /// What is wrong, and what to do.
        reason: String,
    },
    /// Another holder, in this process or another, has the journal open: nothing was sent.
    JournalInUse {
        /// The journal's path.
        path: PathBuf,
    },
    /// The journal holds this invitation as withdrawn, gone, refused, or sent with an outcome
    /// still unknown: nothing was sent.
    Journaled {
        /// The invitation.
        invitation_id: u64,
        /// What the journal holds of it.
        state: Withheld,
    },
}

/// How much of the crate's own message an [`Error::InvalidParams`] keeps: it may quote a URL.
const MAX_OWN_CHARS: usize = 1000;

impl Error {
    /// The same error with every text it holds passed through the one redaction step
    /// ([`Secrets::shown`]) and cut to its length: what every error passes before it leaves
    /// a call, whatever built it (a server's words, ureq's, serde's, a URL).
    pub(crate) fn scrubbed(mut self, secrets: &Secrets<'_>) -> Error {
        self.visit_texts(&mut |text, cap| *text = secrets.shown(text, cap));
        self
    }

    /// Hands every text this error holds (its causes' included) to `visit`, with the length
    /// it is cut to, to rewrite in place: the one list of an error's texts, which redaction
    /// walks. The rest of an error is numbers, ids, paths the caller gave, and kinds.
    pub(crate) fn visit_texts(&mut self, visit: &mut dyn FnMut(&mut String, usize)) {
        match self {
            Error::InvalidParams(reason) | Error::Journal { reason, .. } => {
                visit(reason, MAX_OWN_CHARS);
            }
            Error::Unauthorized { message, .. }
            | Error::InsufficientCredits { message, .. }
            | Error::RateLimited { message, .. }
            | Error::Server { message, .. }
            | Error::Api { message, .. } => visit(message, MAX_MESSAGE_CHARS),
            Error::Transport(transport) => transport.visit_texts(visit),
            Error::Decode {
                reason, snippet, ..
            } => {
                visit(reason, MAX_MESSAGE_CHARS);
                visit(snippet, MAX_SNIPPET_CHARS);
            }
            // A refusal's words, as the journal recorded them.
            Error::Journaled {
                state: Withheld::Refused { message },
                ..
            } => visit(message, MAX_MESSAGE_CHARS),
            Error::RepeatedPage { .. } | Error::JournalInUse { .. } | Error::Journaled { .. } => {}
            Error::OutcomeUnknown { source, .. } => source.visit_texts(visit),
        }
    }

    /// The HTTP status of the reply behind this error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { status, .. }
            | Error::InsufficientCredits { status, .. }
            | Error::RateLimited { status, .. }
            | Error::Server { status, .. }
            | Error::Api { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::OutcomeUnknown { source, .. } => source.status(),
            Error::InvalidParams(_)
            | Error::Transport(_)
            | Error::RepeatedPage { .. }
            | Error::Journal { .. }
            | Error::JournalInUse { .. }
            | Error::Journaled { .. } => None,
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
                write!(f, "request refused (HTTP {status}): {message}; ")?;
                f.write_str(refusal_advice(*status, message))
            }
            Error::Transport(err) => err.fmt(f),
            Error::Decode {
                status,
                reason,
                snippet,
            } => write!(
                f,
                "unexpected response (HTTP {status}): {reason}; body starts with {snippet:?}; \
                 this is not the reply LinkUp documents: if Config::base_url is right, report it \
                 to LinkUp with this snippet"
            ),
            Error::RepeatedPage { page } => write!(
                f,
                "the server answered 5 pages in a row, up to page {page}, with nothing new (it \
                 ignores the page asked for, or repeats pages); stopped to avoid paying for \
                 more: try again later, and report it to LinkUp if it persists"
            ),
            Error::OutcomeUnknown {
                invitation_id,
                source,
            } => write!(
                f,
                "withdrawing invitation {invitation_id}: the outcome is unknown ({source}); not \
                 retried, which could withdraw it twice: list the invitations again (a withdrawn \
                 one is gone from the list)"
            ),
            Error::Journal { path, reason } => {
                write!(f, "the journal {} {reason}", path.display())
            }
            Error::JournalInUse { path } => write!(
                f,
                "the journal {} is held by another run, in this process or another: nothing \
                 sent; wait for that run to end, or pass another journal",
                path.display()
            ),
            Error::Journaled {
                invitation_id,
                state,
            } => {
                write!(
                    f,
                    "invitation {invitation_id} not sent: the journal holds it as "
                )?;
                match state {
                    Withheld::Withdrawn => f.write_str("withdrawn; nothing to do"),
                    Withheld::Gone => {
                        f.write_str("gone (a listing no longer shows it); nothing to do")
                    }
                    Withheld::Refused { message } => write!(
                        f,
                        "refused ({message}); it is not sent again: list the invitations to see \
                         where it stands"
                    ),
                    Withheld::Unknown { sends, .. } => write!(
                        f,
                        "sent {} with no answer: a listing that began the settling time later \
                         settles it (WithdrawalJournal::settle); {}",
                        if *sends == 1 { "once" } else { "twice" },
                        if *sends == 1 {
                            "until then it is not sent again"
                        } else {
                            "it is never sent a third time: look at it on LinkedIn"
                        }
                    ),
                }
            }
        }
    }
}

/// What to do about a refusal the other variants do not name, by its status and message.
fn refusal_advice(status: u16, message: &str) -> &'static str {
    let lower = message.to_ascii_lowercase();
    if lower.contains("(invalid_account)") {
        "check the account id passed to Params::account (POST /v2/login gives it)"
    } else if lower.contains("\"withdrawn\": false") || lower.contains("pending") {
        // Withdrawing one that is not pending; LinkUp does not document its wording.
        "list the invitations again: it may have been accepted, declined or withdrawn already"
    } else if status == 404 {
        "nothing answers at that path: check Config::base_url (https://api.linkupapi.com, no \
         path)"
    } else if (300..400).contains(&status) {
        "check Config::base_url"
    } else if lower.contains("missing required parameter") || lower.contains("(invalid_params)") {
        "check the parameters the message names"
    } else {
        "check the parameters; if they are right, report it to LinkUp with this message"
    }
}

/// An error's `Display` already says what its `source()` would (a transport error's cause, an
/// unknown outcome's reason), so `source()` goes on below that: a reporter that prints the
/// message and then every source prints each text once.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(err) => err.source(),
            // The message quotes `source` whole; its field holds it for a caller to match.
            Error::OutcomeUnknown { source, .. } => source.source(),
            _ => None,
        }
    }
}

/// Why a request or its reply did not get through.
///
/// Its message names the cause (a host not found, a connection refused or closed, TLS and why,
/// a timeout and in which phase), how many attempts the call made and how long they took, and
/// what to check; [`source()`](std::error::Error::source) gives the words of the underlying
/// HTTP client's error and of its causes, with any secret redacted.
///
/// # Examples
///
/// ```
/// use std::error::Error as _;
/// use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
///
/// // A port where nothing listens.
/// let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
/// let config = Config::new("your-api-key")
///     .base_url(format!("http://127.0.0.1:{port}"))
///     .retry_backoff(std::time::Duration::from_millis(1));
/// let err = fetch_sent_invitations(&config, &Params::new("your-login-token")).unwrap_err();
/// let Error::Transport(transport) = &err else { panic!("{err:?}") };
/// assert_eq!(transport.attempts(), 3); // the first, and the 2 retries allowed by default
/// assert!(transport.before_reply() && !transport.is_timeout());
/// assert!(err.to_string().starts_with("connection refused by 127.0.0.1"), "{err}");
/// assert!(transport.source().is_some()); // ureq's own words
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TransportError {
    pub(crate) kind: TransportKind,
    /// How long the last attempt had run when it failed.
    pub(crate) elapsed: Duration,
    /// The host the request went to, for the message, and whether over https.
    pub(crate) host: String,
    pub(crate) https: bool,
    /// The attempts the call made in all, and how long they took with their waits.
    pub(crate) attempts: u32,
    pub(crate) total: Duration,
    /// ureq's own words for the failure (rustls's, for TLS): what the message quotes.
    pub(crate) detail: Box<str>,
    /// ureq's error and its causes, as their words: `None` when nothing was sent (a pacing
    /// slot past the deadline).
    pub(crate) source: Option<Box<Cause>>,
    /// The proxy the request went through, if any: a failure to resolve or connect is its.
    pub(crate) proxy: Option<Box<ProxyShown>>,
}

/// A proxy as a message names it: `host:port` (never its user or password), and whether its
/// URL gave credentials.
#[derive(Clone, Debug)]
pub(crate) struct ProxyShown {
    pub(crate) host: String,
    pub(crate) credentials: bool,
}

/// An error from below this crate (ureq, rustls, the system), kept as its words so that they
/// pass the redaction step like any other text: what [`TransportError`]'s `source()` gives.
#[derive(Debug)]
pub(crate) struct Cause {
    text: String,
    source: Option<Box<Cause>>,
}

impl Cause {
    /// The words of `err` and of its causes (at most 8 deep).
    pub(crate) fn of(err: &(dyn std::error::Error + 'static)) -> Cause {
        let mut texts = vec![err.to_string()];
        let mut next = err.source();
        while let Some(err) = next.filter(|_| texts.len() < 8) {
            texts.push(err.to_string());
            next = err.source();
        }
        let mut cause = None;
        for text in texts.into_iter().rev() {
            cause = Some(Cause {
                text,
                source: cause.map(Box::new),
            });
        }
        cause.unwrap_or(Cause {
            text: String::new(),
            source: None,
        })
    }

    /// Hands its text and its causes' to `visit`, as [`Error::visit_texts`].
    fn visit_texts(&mut self, visit: &mut dyn FnMut(&mut String, usize)) {
        visit(&mut self.text, MAX_MESSAGE_CHARS);
        if let Some(source) = &mut self.source {
            source.visit_texts(visit);
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|source| source as _)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TransportKind {
    /// The attempt's deadline ran out; `cut_short` when `call_timeout` had left less than a
    /// full `timeout` for it.
    Timeout {
        phase: Phase,
        cut_short: bool,
    },
    HostNotFound,
    /// Nothing listens at that host and port.
    Refused,
    /// The TLS handshake refused the server's certificate (or its name): retrying cannot fix
    /// it, and nothing was sent, since the request is written only once the handshake is
    /// done. `added_roots`: how many roots given to `Config::add_root_certificates` refused
    /// the certificate too (0: none given, or not tried).
    Certificate {
        added_roots: usize,
        wrong_name: bool,
    },
    /// Any other TLS failure (a record that does not decrypt, an alert, a peer that breaks
    /// the protocol): it may come after the request was written, so it says nothing of
    /// whether the server read it; `after_reply` when it came while reading the reply's body.
    Tls {
        after_reply: bool,
    },
    /// The proxy refused or broke the CONNECT tunnel.
    Proxy,
    /// The server answered, but its reply could not be read (headers over ureq's limit).
    UnreadableReply,
    /// The server reset or closed the connection.
    Closed {
        after_reply: bool,
    },
    /// Any other failure of the connection.
    Connection {
        after_reply: bool,
    },
}

/// Where in an attempt a deadline ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for a request slot under `requests_per_minute`, the next one this far away.
    Pacing(Duration),
    Resolving,
    Connecting,
    /// Sending the request or waiting for the reply to start (ureq does not tell them apart).
    BeforeReply,
    ReadingBody,
}

impl TransportError {
    /// Whether the attempt ran out of time ([`Config::timeout`], or what
    /// [`Config::call_timeout`] had left for it).
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, TransportKind::Timeout { .. })
    }

    /// Whether the failure came before any reply: such an attempt is most likely not charged,
    /// and is retried unless it is a TLS or proxy failure, which retrying cannot fix.
    pub fn before_reply(&self) -> bool {
        !matches!(
            self.kind,
            TransportKind::Timeout {
                phase: Phase::ReadingBody,
                ..
            } | TransportKind::UnreadableReply
                | TransportKind::Closed { after_reply: true }
                | TransportKind::Tls { after_reply: true }
                | TransportKind::Connection { after_reply: true }
        )
    }

    /// How long the last attempt ran before it gave up or broke.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// How many attempts the call made: 1, plus the retries it was allowed and could fit in
    /// [`Config::call_timeout`]; 0 when it sent nothing (a pacing slot past the deadline).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Hands every text to `visit`, as [`Error::visit_texts`]: the host, ureq's words, the
    /// proxy's host and the causes.
    fn visit_texts(&mut self, visit: &mut dyn FnMut(&mut String, usize)) {
        visit(&mut self.host, 100);
        let mut detail = String::from(std::mem::take(&mut self.detail));
        visit(&mut detail, 120);
        self.detail = detail.into();
        if let Some(proxy) = &mut self.proxy {
            visit(&mut proxy.host, 100);
        }
        if let Some(source) = &mut self.source {
            source.visit_texts(visit);
        }
    }

    /// The status a proxy refused the tunnel with, from ureq's words: its only way to say it
    /// (`ConnectProxyFailed("proxy server responded 407/...")`).
    fn proxy_status(&self) -> Option<u16> {
        let rest = self.detail.split("proxy server responded ").nth(1)?;
        rest.get(..3)?.parse().ok()
    }

    /// What went wrong, in a few words: the start of the message, and of a retry's log line.
    pub(crate) fn cause(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let host = &self.host;
        match self.kind {
            TransportKind::Timeout { phase, .. } => {
                let phase = match phase {
                    Phase::Pacing(_) => "waiting for a request slot",
                    Phase::Resolving if self.proxy.is_some() => "resolving the proxy's host",
                    Phase::Resolving => "resolving the host",
                    Phase::Connecting if self.proxy.is_some() => "connecting to the proxy",
                    Phase::Connecting => "connecting",
                    Phase::BeforeReply => {
                        "before any reply (sending the request or waiting for it)"
                    }
                    Phase::ReadingBody => "reading the reply",
                };
                format!("timed out {phase} after {secs:.1}s")
            }
            // ureq resolves and connects to the proxy, which then reaches the API's host.
            TransportKind::HostNotFound => match &self.proxy {
                Some(proxy) => format!("the proxy {} was not found (DNS)", proxy.host),
                None => format!("{host} was not found (DNS)"),
            },
            TransportKind::Refused => match &self.proxy {
                Some(proxy) => format!("connection refused by the proxy {}", proxy.host),
                None => format!("connection refused by {host}"),
            },
            TransportKind::Certificate { .. } => {
                format!("TLS with {host} failed ({})", self.detail)
            }
            TransportKind::Tls { after_reply } => format!(
                "TLS with {host} broke {} ({})",
                if after_reply {
                    "while reading the reply"
                } else {
                    "before any reply"
                },
                self.detail
            ),
            TransportKind::Proxy => {
                let proxy = self.proxy.as_ref().map_or("", |p| p.host.as_str());
                // 407 is the standard's word for it; tinyproxy answers wrong ones with a 401.
                match self.proxy_status() {
                    Some(status @ (401 | 407))
                        if self.proxy.as_ref().is_some_and(|p| p.credentials) =>
                    {
                        format!(
                            "the proxy {proxy} refused the credentials in its URL (HTTP {status})"
                        )
                    }
                    Some(status @ (401 | 407)) => format!(
                        "the proxy {proxy} wants credentials (HTTP {status}) and its URL gives none"
                    ),
                    Some(status) => {
                        format!("the proxy {proxy} refused a tunnel to {host} (HTTP {status})")
                    }
                    None => format!(
                        "the proxy {proxy} failed to open a tunnel to {host} ({})",
                        self.detail
                    ),
                }
            }
            TransportKind::UnreadableReply => {
                format!("the reply from {host} could not be read ({})", self.detail)
            }
            TransportKind::Closed { after_reply: false } => {
                format!("{host} closed the connection before any reply")
            }
            TransportKind::Closed { after_reply: true } => {
                format!("{host} closed the connection while sending the reply")
            }
            TransportKind::Connection { after_reply } => format!(
                "the connection to {host} failed {} ({})",
                if after_reply {
                    "while reading the reply"
                } else {
                    "before any reply"
                },
                self.detail
            ),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let TransportKind::Timeout {
            phase: Phase::Pacing(wait),
            ..
        } = self.kind
        {
            return write!(
                f,
                "timed out before sending: the next request may start only in {:.1}s, to keep \
                 to Config::requests_per_minute, and that is past Config::call_timeout; nothing \
                 was sent: raise call_timeout or space the calls further apart",
                wait.as_secs_f64()
            );
        }
        f.write_str(&self.cause())?;
        if self.attempts > 1 {
            let total = self.total.as_secs_f64();
            write!(f, " ({} attempts in {total:.1}s)", self.attempts)?;
        }
        let advice = match self.kind {
            TransportKind::Certificate {
                wrong_name: true, ..
            } => {
                return write!(
                    f,
                    "; not retried: the certificate names another host than {}: check the host \
                     in Config::base_url (a network's proxy that re-signs TLS signs for the name \
                     asked, so this is no CA problem)",
                    self.host
                        .rsplit_once(':')
                        .map_or(self.host.as_str(), |(name, _)| name)
                );
            }
            TransportKind::Certificate { added_roots: 0, .. } => {
                "not retried: if your network's proxy re-signs TLS with a CA of its own, trust \
                 that CA with Config::add_root_certificates; else check Config::base_url (https \
                 to a server that speaks plain http?) and the system clock"
            }
            TransportKind::Tls { .. } => {
                "not retried (it may have broken after the request was sent): check \
                 Config::base_url (https to a server that speaks plain http?) and the network \
                 (a proxy or middlebox that alters TLS?)"
            }
            TransportKind::Certificate { added_roots, .. } => {
                return write!(
                    f,
                    "; not retried: neither the built-in roots nor the {added_roots} added with \
                     Config::add_root_certificates vouch for it: check that the PEM holds the CA \
                     that signed it (your proxy's), Config::base_url and the system clock"
                );
            }
            TransportKind::Timeout {
                cut_short: true, ..
            } => "Config::call_timeout left no more for this attempt: raise it",
            TransportKind::Timeout {
                phase: Phase::ReadingBody,
                ..
            } => "the call was likely charged; retry later or raise Config::timeout",
            TransportKind::Timeout { .. } => "retry later or raise Config::timeout",
            TransportKind::HostNotFound if self.proxy.is_some() => {
                "check the proxy's host name in Config::proxy or HTTPS_PROXY, and DNS"
            }
            TransportKind::HostNotFound => "check the host name in Config::base_url, and DNS",
            TransportKind::Refused if self.proxy.is_some() => {
                "nothing listens there: check the proxy's host and port in Config::proxy or \
                 HTTPS_PROXY"
            }
            TransportKind::Refused => {
                "nothing listens there: check the host and port in Config::base_url"
            }
            TransportKind::Proxy => match self.proxy_status() {
                Some(401 | 407) if self.proxy.as_ref().is_some_and(|p| p.credentials) => {
                    "check the user name and password in the proxy URL (Config::proxy or \
                     HTTPS_PROXY)"
                }
                Some(401 | 407) => {
                    "give them in the proxy URL, as http://user:password@host:port (Config::proxy \
                     or HTTPS_PROXY)"
                }
                Some(_) => "check Config::proxy or HTTPS_PROXY: the proxy may not allow that host",
                None => "check Config::proxy or HTTPS_PROXY",
            },
            TransportKind::UnreadableReply => "the call was likely charged: report it to LinkUp",
            TransportKind::Closed { after_reply: true }
            | TransportKind::Connection { after_reply: true } => {
                "the call was likely charged; check the network"
            }
            TransportKind::Closed { after_reply: false } if self.https => {
                "check the network and Config::base_url (a server that does not speak https \
                 closes like this)"
            }
            TransportKind::Closed { after_reply: false }
            | TransportKind::Connection { after_reply: false } => {
                "check the network and Config::base_url"
            }
        };
        write!(f, "; {advice}")
    }
}

impl std::error::Error for TransportError {
    /// ureq's error and its causes, as their words; where the message quotes ureq's words
    /// already (TLS, a proxy, an unreadable reply, another connection failure), its causes only.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let cause = self.source.as_deref()?;
        let quoted = matches!(
            self.kind,
            TransportKind::Certificate { .. }
                | TransportKind::Tls { .. }
                | TransportKind::Proxy
                | TransportKind::UnreadableReply
                | TransportKind::Connection { .. }
        );
        if quoted {
            cause.source()
        } else {
            Some(cause as _)
        }
    }
}

#[cfg(test)]
impl TransportError {
    fn of_kind(kind: TransportKind) -> TransportError {
        TransportError {
            kind,
            elapsed: Duration::ZERO,
            host: "127.0.0.1:9".into(),
            https: false,
            attempts: 1,
            total: Duration::ZERO,
            detail: Box::default(),
            source: None,
            proxy: None,
        }
    }

    pub(crate) fn refused_for_tests() -> TransportError {
        TransportError::of_kind(TransportKind::Refused)
    }

    pub(crate) fn closed_before_reply_for_tests() -> TransportError {
        TransportError::of_kind(TransportKind::Closed { after_reply: false })
    }

    pub(crate) fn closed_in_body_for_tests() -> TransportError {
        TransportError::of_kind(TransportKind::Closed { after_reply: true })
    }

    pub(crate) fn timed_out_for_tests() -> TransportError {
        TransportError::of_kind(TransportKind::Timeout {
            phase: Phase::BeforeReply,
            cut_short: false,
        })
    }

    pub(crate) fn certificate_for_tests() -> TransportError {
        TransportError::of_kind(TransportKind::Certificate {
            added_roots: 0,
            wrong_name: false,
        })
    }

    pub(crate) fn tls_for_tests() -> TransportError {
        TransportError::of_kind(TransportKind::Tls { after_reply: false })
    }

    pub(crate) fn proxy_for_tests() -> TransportError {
        TransportError::of_kind(TransportKind::Proxy)
    }

    pub(crate) fn unreadable_for_tests() -> TransportError {
        TransportError::of_kind(TransportKind::UnreadableReply)
    }
}

pub(crate) fn invalid(reason: &str) -> Error {
    Error::InvalidParams(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "tok-SECRET-0123456789";

    /// An error of every variant with the secret in every text it holds.
    fn every_error() -> Vec<Error> {
        let text = || format!("before {SECRET} after");
        let transport = || TransportError {
            host: text(),
            detail: text().into(),
            source: Some(Box::new(Cause {
                text: text(),
                source: Some(Box::new(Cause {
                    text: text(),
                    source: None,
                })),
            })),
            proxy: Some(Box::new(ProxyShown {
                host: text(),
                credentials: true,
            })),
            ..TransportError::refused_for_tests()
        };
        vec![
            Error::InvalidParams(text()),
            Error::Unauthorized {
                status: 401,
                message: text(),
            },
            Error::InsufficientCredits {
                status: 402,
                message: text(),
            },
            Error::RateLimited {
                status: 429,
                message: text(),
                retry_after: None,
            },
            Error::Server {
                status: 503,
                message: text(),
            },
            Error::Api {
                status: 200,
                message: text(),
            },
            Error::Transport(transport()),
            Error::Decode {
                status: 200,
                reason: text(),
                snippet: text(),
            },
            Error::Journal {
                path: PathBuf::from("j.jsonl"),
                reason: text(),
            },
            Error::Journaled {
                invitation_id: 7,
                state: Withheld::Refused { message: text() },
            },
            Error::OutcomeUnknown {
                invitation_id: 7,
                source: Box::new(Error::Transport(transport())),
            },
        ]
    }

    /// The visitor reaches every text of every variant: after redaction no `Debug` (which
    /// shows every field) nor `Display` holds the secret. A text left out of `visit_texts`
    /// fails here, whatever the integration tests happen to provoke.
    #[test]
    fn redaction_reaches_every_text_of_every_error() {
        let secrets = Secrets::of([SECRET]);
        for err in every_error() {
            let before = format!("{err:?}");
            assert!(before.contains(SECRET), "{before}");
            let err = err.scrubbed(&secrets);
            let (debug, display) = (format!("{err:?}"), err.to_string());
            assert!(!debug.contains(SECRET), "{debug}");
            assert!(!display.contains(SECRET), "{display}");
        }
    }
}
