//! A blocking, credit-exact client for the [LinkUp] API's *Get Sent Invitations* endpoint
//! (`POST /v1/network/sent-invitations`, and its v2 successor): the invitations a LinkedIn
//! account has sent, ten to a page.
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
//! page for one credit. Every answer tells it how many invitations there are, and it stops
//! exactly where the data ends (138 invitations cost 14 credits, 140 cost 14 too, not 15).
//! [`Paginator::max_credits`] caps the spend; when the cap is reached the iteration ends and
//! [`Paginator::resume_point`] says where to go on, so no page is paid for twice and nothing
//! falls between the two walks, even if the list changed in between.
//!
//! ```
//! # let server = httpmock::MockServer::start();
//! # for p in 1..=3 {
//! #   let body = format!(r#"{{"status":"success","data":{{"total_results":10,
//! #     "total_available_results":25,"invitations":[{}],
//! #     "pagination":{{"start_page":{p},"end_page":{p},"results_per_page":10,"pages_fetched":1}}}}}}"#,
//! #     (0..if p < 3 { 10 } else { 5 }).map(|i| format!(r#"{{"name":"n","invitation_id":{}}}"#, 1000 - p * 10 - i))
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
//! let point = pages.resume_point().expect("the budget stopped us: resume here later");
//!
//! // Later: pick up where the budget stopped, paying only for the rest.
//! let rest = Paginator::new(&config, Params::new("your-login-token")).resume(point);
//! let invitations: Vec<_> = rest.collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(invitations[0].invitations.len(), 5);
//! # Ok::<(), linkup_sent_invitations::Error>(())
//! ```
//!
//! [`Paginator::items`] walks invitations instead of pages, and `total_results` on the
//! [`Params`] of a paginator caps how many invitations it yields (it fetches only the pages
//! needed for that many). [`Paginator::oldest_first`] walks from the other end, so the oldest
//! few cost only their pages.
//!
//! The list moves while you walk it (invitations are sent, accepted and withdrawn all day). A
//! paginator proves at each page boundary that nothing slid past it unseen, reading again when
//! the list changed (one extra read per change on v2, at most two on v1): every invitation
//! present for the whole walk is yielded once, in order, or counted in
//! [`Paginator::possibly_missed`]. The promises, their costs and the one case v1 cannot see
//! are in [the `Paginator` docs](Paginator#a-list-that-changes-during-the-walk); the tests
//! check them on 156,400 simulated walks over lists changing at random (replies without totals among them).
//!
//! # API v2: one call, then five times fewer credits
//!
//! LinkUp has announced v2 as v1's successor ("all new features are V2-only"). Its
//! sent-invitations call (`POST /v2/network`, action `list_sent`) costs one credit per 50
//! invitations instead of one per 10, and errors cost nothing. A LinkedIn account is connected
//! to LinkUp once and named by an `account_id`: [`connect_account`] turns a login token into
//! one (LinkUp's free, idempotent `POST /v2/login`). Then [`Params::new`]`(login_token)`
//! becomes [`Params::account`]`(account_id)`; the calls, the [`Paginator`], the types and the
//! errors stay the same.
//!
//! | 138 invitations | requests | credits |
//! |---|---|---|
//! | v1, `Params::new(login_token)` | 14 | 14 |
//! | v2, `Params::account(account_id)` | 3 | 3 |
//!
//! ```
//! # let server = httpmock::MockServer::start();
//! # server.mock(|when, then| {
//! #     when.method("POST").path("/v2/network").json_body_includes(r#"{"action":"list_sent"}"#);
//! #     then.status(200).body(r#"{"success":true,"data":{"invitations":[{
//! #       "entity_urn":"urn:li:invitation:7453486530700017665","recipient":{"first_name":"Bob",
//! #       "last_name":"Williams","headline":"CTO at StartupXYZ"},"invitation_type":"CONNECTION",
//! #       "sent_time":"5d","sent_time_days":5}],"total_results":1,"total_available_results":1,
//! #       "pagination":{"offset":0,"count":1,"has_more":false}},
//! #       "metadata":{"action":"list_sent","credits_consumed":1}}"#);
//! # });
//! use linkup_sent_invitations::{Config, Paginator, Params};
//!
//! let config = Config::new("your-api-key");
//! # let config = config.base_url(server.base_url());
//! let mut items = Paginator::new(&config, Params::account("your-account-id")).items();
//! for invitation in &mut items {
//!     let invitation = invitation?;
//!     assert_eq!(invitation.name, "Bob Williams");
//!     assert_eq!(invitation.invitation_id, 7453486530700017665); // from the URN, exact
//!     assert_eq!(invitation.sent_days_ago(), Some(5));
//! }
//! assert_eq!(items.paginator().credits_used(), 1); // as the reply's metadata.credits_consumed says
//! # Ok::<(), linkup_sent_invitations::Error>(())
//! ```
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
//! | [`Error::Api`] | any other refusal: a missing parameter, an unknown v2 account, a wrong path (HTTP 404), a withdrawal of an invitation no longer pending | what its message says: the parameters, the account id, [`Config::base_url`], or list again | yes |
//! | [`Error::Transport`] | network, DNS, TLS, proxy, timeout | what its message names: the network, [`Config::base_url`], the proxy, or a timeout | usually not |
//! | [`Error::Decode`] | a body that is not the documented shape | check [`Config::base_url`], else report it with the snippet | yes |
//! | [`Error::RepeatedPage`] | 5 paid pages in a row with nothing new: a server that ignores the page asked for | try again later; report it if it persists | yes |
//! | [`Error::OutcomeUnknown`] | a withdrawal sent with no answer: a timeout or hang-up after sending, a 5xx, an unreadable reply | list again: a withdrawn invitation is gone; never retry blindly | maybe |
//!
//! The charges are v1's; v2 charges no error. v1 sometimes answers errors with HTTP 200 and
//! `{"status":"error","message":...}` (or the text in `data`); such replies map to the same
//! variants by their message. v2 errors map by their `code` (`INVALID_API_KEY` and
//! `ACCOUNT_INACTIVE` are [`Error::Unauthorized`], `INSUFFICIENT_CREDITS`
//! [`Error::InsufficientCredits`], `RATE_LIMITED` [`Error::RateLimited`], `INTERNAL_ERROR`
//! [`Error::Server`], the others [`Error::Api`]), and the message ends with the code.
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
//! # Withdrawing
//!
//! Most people list their sent invitations to clean them up. [`withdraw_invitation`] withdraws
//! one pending invitation, for one credit, in either generation. It changes the user's
//! LinkedIn, so it is never repeated blindly: only what cannot have reached LinkedIn (nothing
//! sent, or a rate limit) is retried, and a call sent with no answer to say what happened is
//! [`Error::OutcomeUnknown`], which the next listing settles (a withdrawn invitation is gone
//! from it). [`Config::credits_used`] says what every call through a config cost. LinkedIn
//! then keeps the person from being invited again for up to three weeks; withdraw at a human
//! pace (the careful tools cap themselves at about 40 a day, seconds apart). The
//! `linkup-stale` tool (feature `tools`) does all of it, with a [`WithdrawalJournal`] (see
//! [Withdrawing in a batch](#withdrawing-in-a-batch)).
//!
//! ```
//! # #[cfg(feature = "test-util")] {
//! use std::time::{Duration, SystemTime};
//! use linkup_sent_invitations::{withdraw_invitation, Config, Error, FakeApi, Paginator, Params};
//!
//! let fake = FakeApi::start(300); // a local fake: invitation n was sent 1 + 7n hours ago
//! let config = Config::new("your-api-key").base_url(fake.base_url()).requests_per_minute(0);
//! let params = Params::new("your-login-token");
//! let month_ago = SystemTime::now() - Duration::from_secs(30 * 86_400);
//!
//! // Oldest first, stopping at the first invitation younger than a month.
//! let mut stale = Vec::new();
//! for invitation in Paginator::new(&config, params.clone()).oldest_first().items() {
//!     let invitation = invitation?;
//!     if invitation.sent_at().is_some_and(|at| at > month_ago) {
//!         break;
//!     }
//!     stale.push(invitation.invitation_id);
//! }
//! let listing = config.credits_used();
//! for id in stale.iter().take(3) {
//!     match withdraw_invitation(&config, &params, *id) {
//!         Ok(done) => assert_eq!(done.credits, 1),
//!         // Sent, and no answer: not retried. The next listing shows whether it happened.
//!         Err(Error::OutcomeUnknown { .. }) => {}
//!         Err(err) => return Err(err),
//!     }
//! }
//! assert_eq!(config.credits_used() - listing, 3);
//! assert!(!fake.is_pending(stale[0]) && fake.is_pending(stale[3]));
//! # }
//! # Ok::<(), linkup_sent_invitations::Error>(())
//! ```
//!
//! # Withdrawing in a batch
//!
//! A cron job that withdraws a few stale invitations a day must never withdraw one twice,
//! whatever crashes, lags or runs twice. A [`WithdrawalJournal`] (a JSON Lines file) holds
//! that promise: it is held by one run at a time, it writes each attempt to disk before the
//! request, and it sends nothing for an invitation it holds as withdrawn, refused, or sent with
//! an outcome still unknown. A [`Listing`] wrapped around the walk lets it settle what earlier
//! runs left unknown: one the listing no longer shows was withdrawn; one it still shows, in a
//! listing that began at least the settling time (1 hour) after the first send, is sent once
//! more, and never a third time.
//!
//! ```
//! # #[cfg(feature = "test-util")] {
//! use linkup_sent_invitations::{
//!     Config, Error, FakeApi, FakeFailure, Listing, Paginator, Params, WithdrawalJournal,
//! };
//!
//! let fake = FakeApi::start(100);
//! let config = Config::new("your-api-key").base_url(fake.base_url()).requests_per_minute(0);
//! let params = Params::new("your-login-token");
//! # let dir = std::env::temp_dir().join(format!("linkup-crate-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let path = dir.join("withdrawals.jsonl");
//! # let _ = std::fs::remove_file(&path);
//! let mut journal = WithdrawalJournal::open(&path)?; // held until dropped
//!
//! // List from the old end: the oldest page is enough today.
//! let mut listing = Listing::new(Paginator::new(&config, params.clone()).oldest_first());
//! let oldest: Vec<u64> = match listing.next() {
//!     Some(page) => page?.invitations.iter().take(3).map(|i| i.invitation_id).collect(),
//!     None => Vec::new(),
//! };
//! journal.settle(&listing)?; // what earlier runs left unknown
//!
//! fake.fail_withdraw(oldest[2], FakeFailure::hang_up()); // done, and the answer lost
//! for id in &oldest {
//!     match journal.withdraw(&config, &params, *id) {
//!         Ok(_) => {}
//!         // Sent, no answer: not retried; the next listing settles it.
//!         Err(Error::OutcomeUnknown { .. }) => {}
//!         // The journal holds it as withdrawn, refused or unknown: nothing sent.
//!         Err(Error::Journaled { .. }) => {}
//!         Err(err) => return Err(err),
//!     }
//! }
//! assert_eq!(journal.unknown(), [oldest[2]]);
//! # drop(journal);
//! # std::fs::remove_dir_all(&dir).ok();
//! # }
//! # Ok::<(), linkup_sent_invitations::Error>(())
//! ```
//!
//! # Secrets
//!
//! The API key, the `login_token` (a LinkedIn session cookie), a v2 `account_id` (and one a
//! `/v2/login` reply returns) and any password in a URL you give (the base URL, a proxy, the
//! proxy the environment names) are as secret as passwords. They are never sent over plain
//! `http://` except to a loopback test server, and redirects are never followed (a redirect
//! would carry the `x-api-key` header to another host). A base URL with a user name or password
//! in it is refused (LinkUp takes the key in a header; a password in a URL ends up in logs).
//!
//! No text this crate produces holds 8 characters of a secret in a row: no [`Error`]'s
//! `Display` or `Debug`, no error's [`source()`](std::error::Error::source), no log record of
//! the crate's, no `Debug` of a public type. That holds even when a server echoes a secret back,
//! anywhere (the body, a value the crate quotes, a header, the status line, a redirect), and in
//! any of these spellings, up to three deep: raw, JSON-escaped (`\/`, `\uXXXX` for any
//! character), Rust-escaped (`\u{2f}`), percent-encoded (`%2F` or `%2f`), HTML references
//! (`&#47;`, `&#x2F;`), or cut short. Every such text passes one redaction step on its whole text
//! (any run of 8 or more characters of a secret becomes `[redacted]`) and only then is cut to a
//! few hundred characters. `tests/it/secrets_props.rs` checks it as a property over random secrets,
//! echoes and cut points. Not covered: a server that transforms a secret otherwise (base64, a
//! hash, other text spliced into it), and the data of a reply (names, headlines), which is not
//! redacted.
//!
//! A secret under 8 characters is left alone: real API keys, LinkedIn session tokens and
//! account ids are dozens of characters, so a shorter "secret" is a test's stand-in such as
//! `Config::new("k")`, which reveals nothing, and redacting every `k` would make messages
//! unreadable.
//!
//! **Proxies.** https requests go through the proxy the environment names, the way curl reads
//! it (`https_proxy`/`HTTPS_PROXY`, else `all_proxy`/`ALL_PROXY`, except the hosts in
//! `no_proxy`/`NO_PROXY`; `HTTP_PROXY` is never used), or through [`Config::proxy`], always in a
//! CONNECT tunnel: TLS runs end to end, so the proxy sees the API's host name and nothing else.
//! [`Config::proxy_from_env`]`(false)` connects directly. Plain http to a loopback test server
//! never goes through any proxy. A proxy this build cannot use (SOCKS) is an
//! [`Error::InvalidParams`] before anything is sent, never a silent direct connection.
//!
//! ```
//! use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
//!
//! let config = Config::new("your-api-key").proxy("socks5://127.0.0.1:1080");
//! let err = fetch_sent_invitations(&config, &Params::new("your-login-token")).unwrap_err();
//! assert!(matches!(err, Error::InvalidParams(_))); // nothing was sent
//! ```
//!
//! **A proxy that re-signs TLS.** Many company networks inspect TLS, re-signing every
//! certificate with a CA of their own, which the built-in roots do not know: each call then
//! fails with [`Error::Transport`], `TLS with ... failed (invalid peer certificate:
//! UnknownIssuer)`. Trust that CA with [`Config::add_root_certificates`] (its PEM file, from the
//! network's admins): besides the built-in roots, never instead. Such a proxy reads every
//! request, the API key and the login token included, so add only your own network's CA. A PEM
//! with no certificate in it is an [`Error::InvalidParams`] before anything is sent. [`Config::app_name`] puts your
//! program's name in the `User-Agent`, for LinkUp's support to tell its requests apart.
//!
//! ```
//! use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
//!
//! let config = Config::new("your-api-key")
//!     .add_root_certificates("not a PEM file")
//!     .app_name("invite-cleaner/1.2");
//! let err = fetch_sent_invitations(&config, &Params::new("your-login-token")).unwrap_err();
//! let Error::InvalidParams(reason) = err else { panic!("{err:?}") };
//! assert!(reason.contains("holds no certificate"), "{reason}"); // nothing was sent
//! ```
//!
//! **Logs.** This crate's own records (a `debug` line per retry, a `warn` below) never carry a
//! secret, whatever the level. ureq's are another matter, and a library cannot filter another
//! crate's records: at `trace` its `ureq_proto` target dumps every request and reply as it goes
//! over the wire, the `x-api-key` header and the `login_token` included, and at `debug` its
//! `ureq` targets show each reply's headers as the server wrote them (a server may echo a
//! secret in one; at `trace`, URLs and `Location` headers too). So the first call that finds
//! either enabled logs one warning (once per process) saying so; filter both out before sharing
//! logs (`RUST_LOG=debug,ureq=off,ureq_proto=off` with `env_logger`).
//!
//! # Reliability
//!
//! - **Retries** ([`Config::max_retries`], default 2): HTTP 500 (free), 502, 503, 504, and
//!   failures before any reply (connection refused or reset, timeout) are retried with
//!   exponential backoff and full jitter ([`Config::retry_backoff`]). HTTP 429 waits for
//!   `Retry-After` (seconds or an HTTP date, at most 60 s) and is retried too. Nothing else is
//!   retried: it is charged and would fail again, or (a refused TLS certificate, a proxy that
//!   fails the tunnel) it cannot fix itself.
//! - **Pacing** ([`Config::requests_per_minute`], default 300, the documented limit): requests
//!   through a [`Config`] and all its clones, from any thread, are spaced evenly, so a default
//!   client never provokes a charged 429. A slot past the call's deadline is not waited for:
//!   the call returns at once, having sent nothing.
//! - **Timeouts**: [`Config::timeout`] (default 90 s) is the deadline of one attempt, end to
//!   end: resolving, connecting (at most 10 s each), sending, waiting and reading the whole body.
//!   [`Config::call_timeout`] (default 5 min) bounds a whole call, retries, backoff and
//!   `Retry-After` waits included: a wait that would overrun it is not started, the error is
//!   returned at once. A stalled or trickling server becomes an [`Error::Transport`] that says
//!   which phase ran out and after how long, never a hang.
//!
//! ```
//! # let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap(); // accepts, never answers
//! # let url = format!("http://{}", server.local_addr().unwrap());
//! use std::time::{Duration, Instant};
//! use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
//!
//! let config = Config::new("your-api-key")
//! #   .base_url(url)
//!     .timeout(Duration::from_millis(300))
//!     .call_timeout(Duration::from_millis(700));
//! let started = Instant::now();
//! let err = fetch_sent_invitations(&config, &Params::new("your-login-token")).unwrap_err();
//! assert!(matches!(&err, Error::Transport(t) if t.is_timeout()));
//! assert!(started.elapsed() < Duration::from_secs(2)); // every retry fits in the 700 ms
//! ```
//! - **Hostile replies**: bodies over 10 MiB, invalid UTF-8, truncated bodies, wrong types,
//!   unreadable reply heads are typed errors, never a panic, and numbers at their limits
//!   saturate; a server that answers 5 paid pages in a row with nothing new (one that ignores
//!   the page asked for, say) stops a [`Paginator`] with [`Error::RepeatedPage`] instead of
//!   paying in a loop.
//!
//! # Features and MSRV
//!
//! TLS is rustls with the WebPKI roots; the runtime dependencies are `ureq`, `serde`,
//! `serde_json` and `log` (33 crates in all). Three optional features, off by default:
//!
//! - `gzip`: accept gzip-compressed replies (adds `flate2`); the 10 MiB cap applies to the
//!   decompressed body.
//! - `tools`: the command-line tools `linkup-export` and `linkup-stale` (from a clone of the
//!   repository, `cargo install --path . --features tools --locked`: the crate is not on
//!   crates.io yet), adding `lexopt`, `humantime` and `signal-hook`; the library never needs them.
//! - `test-util`: [`FakeApi`], a local fake of the API (v1, v2, `connect_account`) for your
//!   own tests, with [`FakeFailure`] to script failures and [`FakeRequest`] to read back what
//!   was asked and what it would have cost; no extra dependency. Turn it on for tests only:
//!   `linkup-sent-invitations = { ..., features = ["test-util"] }` under
//!   `[dev-dependencies]`.
//!
//! The minimum supported Rust version is 1.89: [`WithdrawalJournal`] holds its file with
//! `std::fs::File::try_lock`, new in 1.89 (`ureq` 3 alone needs 1.85).

// Without `test-util` the fake's types are not there to link to: the crate doc links to their
// docs.rs pages instead, so that `cargo doc` passes either way.
#![cfg_attr(
    not(feature = "test-util"),
    doc = "",
    doc = "[`FakeApi`]: https://docs.rs/linkup-sent-invitations/latest/linkup_sent_invitations/struct.FakeApi.html",
    doc = "[`FakeFailure`]: https://docs.rs/linkup-sent-invitations/latest/linkup_sent_invitations/struct.FakeFailure.html",
    doc = "[`FakeRequest`]: https://docs.rs/linkup-sent-invitations/latest/linkup_sent_invitations/struct.FakeRequest.html"
)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml), marking feature-gated items as such.
#![cfg_attr(docsrs, feature(doc_cfg))]

// One public module: every public item is re-exported here, at the root; the files behind it are
// private, one concern each (the README's "Layout" says which holds what).
mod calls;
mod classify;
mod config;
mod error;
#[cfg(feature = "test-util")]
mod fake;
mod ground;
mod journal;
mod paginator;
mod proxy;
mod redact;
mod sent_time;
mod transport;
mod types;
mod walk;
mod wire;

pub use calls::{connect_account, fetch_sent_invitations, withdraw_invitation};
pub use config::{Config, Params, DEFAULT_BASE_URL};
pub use error::{Error, TransportError};
#[cfg(feature = "test-util")]
pub use fake::{FakeApi, FakeFailure, FakeRequest};
pub use ground::Withheld;
pub use journal::{Listing, Seen, Settlement, WithdrawalJournal, WithdrawalState};
pub use paginator::{Items, Paginator};
pub use types::{
    Country, Invitation, InvitationState, InvitationType, OffsetPagination, Pagination,
    SentInvitationsPage, Withdrawal,
};
pub use walk::ResumePoint;

/// The README's code blocks, compiled as doctests so the README cannot drift from the API
/// (with `FakeApi`, which one of them shows: in a published copy, `--features test-util`).
#[cfg(all(doctest, feature = "test-util"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
