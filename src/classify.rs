//! The one rule for what an attempt's outcome means: what it is charged, whether it is
//! retried, and whether an action's outcome is unknown; for listing, withdrawing and logging
//! in, in both generations. Its tests are the README's reliability table, row by row.

use std::time::Duration;

use crate::error::{Error, Phase, TransportError, TransportKind};
use crate::ground::Generation;

/// The longest `Retry-After` the client sleeps through; longer ones are returned to the caller.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// What a call does, which decides what may be retried and what it costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// A listing page: charged, retried when free or unavoidable.
    List,
    /// A withdrawal: an action, never repeated unless the reply proves nothing was done.
    Withdraw,
    /// `POST /v2/login`: free and idempotent, retried like a listing.
    Login,
}

/// What came back from one attempt, as far as the rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Came {
    /// Nothing was written: the request was refused here (a header over what ureq can write).
    Unwritten,
    /// No reply was read: the request failed before one came (its error says where), or one
    /// came whose head could not be read (`unreadable`: the server answered, and charged).
    NoReply { unreadable: bool },
    /// A reply with this status, whose body was lost (cut short, stalled, too large).
    BodyLost { status: u16 },
    /// A reply, read.
    Reply(Facts),
}

/// The facts of a reply that set its price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) status: u16,
    /// What a v2 reply says it consumed (`metadata.credits_consumed`).
    pub(crate) reported: Option<u64>,
    pub(crate) shape: Shape,
}

/// What a reply's body was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The documented success envelope, with its data (a listing, `invitations` of them).
    Data { invitations: u64 },
    /// A refusal, and what the docs name it.
    Refusal(Said),
    /// Not the documented shape.
    Undocumented,
}

/// What a refusal's body says, as the docs name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Said {
    /// A refusal the docs name as coming before anything is done, of the request as a whole:
    /// a status that refuses it (401, 402, 403, 429), or in the documented envelope v1's
    /// messages for an invalid cookie, no credits, the rate limit, and v2's codes
    /// `INVALID_API_KEY`, `ACCOUNT_INACTIVE`, `INSUFFICIENT_CREDITS`, `RATE_LIMITED`,
    /// `INVALID_ACCOUNT`, `INVALID_ACTION`.
    BeforeActing,
    /// A documented refusal of the request's parameters (v1's "Missing required parameter",
    /// v2's `INVALID_PARAMS`): nothing was done, but of a request this crate checked and
    /// built, it is a refusal of the invitation itself (the crate's fake, as LinkUp's v2 may,
    /// answers one that is not pending any more so).
    Parameters,
    /// The documented error envelope, with words the docs do not name (an invitation that is
    /// not pending any more, say): the server looked, and refused.
    Refused,
    /// No documented refusal: a page with no envelope (a gateway's, a proxy's), an empty body.
    Unnamed,
}

/// When a failed attempt may be tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Again {
    /// Never: it would fail again, it cannot fix itself, or (an action) it may have happened.
    Never,
    /// After the exponential backoff with jitter.
    Backoff,
    /// After the `Retry-After` the server asked for.
    After(Duration),
}

/// What the server did with the request, as far as the attempt shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Acted {
    /// It did what was asked: the reply says so.
    Done,
    /// Nothing: the request provably never reached the server, or the server refused it
    /// before acting, in words the docs name so.
    No,
    /// It may have: sent, and no answer says what happened.
    Maybe,
    /// The server looked and refused it, in its documented envelope (not pending any more,
    /// say): known, and final.
    Refused,
}

/// What an attempt's outcome means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Credits it cost: never less than the documented price, whatever a reply claims.
    pub(crate) charged: u64,
    /// Credits it may have cost on top: an action sent with no answer may have been done, and
    /// charged. A budget counts them, so that lost answers never overrun it.
    pub(crate) possibly: u64,
    /// Whether, and when, a failed attempt may be tried again.
    pub(crate) again: Again,
    /// What the server did with it.
    pub(crate) acted: Acted,
}

/// The rule: what the attempt of a `kind` call through `generation` cost, and what its error
/// (`None` for a success) means.
pub(crate) fn classify(
    kind: CallKind,
    generation: Generation,
    came: Came,
    error: Option<&Error>,
) -> Verdict {
    let charged = charge(kind, generation, came);
    let acted = acted(came, error);
    let possibly = u64::from(kind == CallKind::Withdraw && acted == Acted::Maybe && charged == 0);
    Verdict {
        charged,
        possibly,
        again: error.map_or(Again::Never, |err| again(kind, acted, err)),
        acted,
    }
}

/// What an attempt cost. v1 charges every reply but HTTP 500, and counts 502-504 too (which
/// keeps `credits_used` an upper bound, so a budget is never overrun); v2 counts what a reply
/// says it consumed, but never less than the documented price (a page, one credit per 50
/// invitations; a withdrawal, one; a refusal, nothing), so a reply that claims to be free
/// cannot slip past a budget. Logging in is free, whatever the reply.
fn charge(kind: CallKind, generation: Generation, came: Came) -> u64 {
    if kind == CallKind::Login {
        return 0;
    }
    match came {
        Came::Unwritten => 0,
        Came::NoReply { unreadable } => u64::from(unreadable),
        Came::BodyLost { status } => u64::from(status != 500),
        Came::Reply(facts) => match generation {
            Generation::V1 => u64::from(facts.status != 500),
            Generation::V2 => {
                let documented = match (kind, facts.shape) {
                    (CallKind::List, Shape::Data { invitations }) => invitations
                        .div_ceil(u64::from(Generation::V2.page_size()))
                        .max(1),
                    (_, Shape::Data { .. } | Shape::Undocumented) => 1,
                    (_, Shape::Refusal(_)) => 0,
                };
                facts.reported.unwrap_or(0).max(documented)
            }
        },
    }
}

/// Whether a failed attempt may be tried again. A read is retried when retrying costs nothing
/// or is unavoidable: HTTP 500, 502, 503, 504, a rate limit, and a failure before any reply
/// that may fix itself. An action only when nothing was done ([`Acted::No`]).
fn again(kind: CallKind, acted: Acted, err: &Error) -> Again {
    if kind == CallKind::Withdraw && acted != Acted::No {
        return Again::Never;
    }
    match err {
        Error::Server {
            status: 500 | 502 | 503 | 504,
            ..
        } => Again::Backoff,
        Error::Transport(transport) if may_fix_itself(transport) => Again::Backoff,
        Error::RateLimited { retry_after, .. } => match retry_after {
            Some(wait) if *wait > MAX_RETRY_AFTER => Again::Never,
            Some(wait) => Again::After(*wait),
            None => Again::Backoff,
        },
        _ => Again::Never,
    }
}

/// Whether a failure before any reply may be gone on a second try: a connection refused or
/// reset, a timeout. A refused certificate, a broken TLS exchange or a proxy that refuses the
/// tunnel cannot fix itself.
fn may_fix_itself(transport: &TransportError) -> bool {
    transport.before_reply()
        && !matches!(
            transport.kind,
            TransportKind::Certificate { .. } | TransportKind::Tls { .. } | TransportKind::Proxy
        )
}

/// Whether a failure before any reply proves the request never left: it failed resolving the
/// host, connecting (the TCP connection, the proxy's tunnel, or the TLS handshake, which ureq
/// completes before it writes a byte of the request: a refused certificate can only come from
/// there), or waiting for a pacing slot. Every other failure (a reset, a timeout after
/// connecting, a TLS record that does not decrypt, an alert) may come after the server read
/// the request.
fn nothing_sent(transport: &TransportError) -> bool {
    matches!(
        transport.kind,
        TransportKind::HostNotFound
            | TransportKind::Refused
            | TransportKind::Proxy
            | TransportKind::Certificate { .. }
            | TransportKind::Timeout {
                phase: Phase::Pacing(_) | Phase::Resolving | Phase::Connecting,
                ..
            }
    )
}

/// What the server did with a request, from what came back: "nothing" only where the request
/// provably never reached it, or it refused before acting in words the docs name so; "refused"
/// where its documented envelope refused it; "maybe" for everything else, whatever a body says
/// of a status of 500 or more (a 503 with a rate-limit body may come from a proxy that timed
/// out behind the API), for a redirect, a 404 the docs do not name, a reply cut short,
/// unreadable or not in the documented shape, a hang-up, a timeout or a broken TLS exchange
/// after connecting.
fn acted(came: Came, error: Option<&Error>) -> Acted {
    let Some(error) = error else {
        return Acted::Done;
    };
    match came {
        Came::Unwritten => Acted::No,
        Came::NoReply { unreadable: false } => match error {
            Error::Transport(transport) if nothing_sent(transport) => Acted::No,
            _ => Acted::Maybe,
        },
        Came::NoReply { unreadable: true } | Came::BodyLost { .. } => Acted::Maybe,
        Came::Reply(Facts { status, shape, .. }) => match shape {
            _ if status >= 500 || (300..400).contains(&status) => Acted::Maybe,
            Shape::Refusal(Said::BeforeActing) => Acted::No,
            // Nothing done; not sent again either, as a withdrawal would be refused again
            // every time (and v1 charges each): known, and final, as a refusal.
            Shape::Refusal(Said::Parameters) => Acted::Refused,
            _ if status == 404 => Acted::Maybe,
            Shape::Refusal(Said::Unnamed) | Shape::Undocumented => Acted::Maybe,
            // The documented envelope, refusing in words the docs do not name; or a success
            // envelope that says it was not done (v2's `"withdrawn": false`).
            Shape::Refusal(Said::Refused) | Shape::Data { .. } => Acted::Refused,
        },
    }
}

#[cfg(test)]
mod tests {
    //! The README's reliability table, row by row, then the same outcomes for v2, withdrawing
    //! and logging in.

    use super::*;
    use crate::error::TransportError;

    const V1: Generation = Generation::V1;
    const V2: Generation = Generation::V2;

    fn reply(status: u16, shape: Shape) -> Came {
        Came::Reply(Facts {
            status,
            reported: None,
            shape,
        })
    }

    fn page() -> Shape {
        Shape::Data { invitations: 10 }
    }

    fn server(status: u16) -> Error {
        Error::Server {
            status,
            message: String::new(),
        }
    }

    fn refused(status: u16) -> Error {
        Error::Api {
            status,
            message: String::new(),
        }
    }

    fn rate_limited(retry_after: Option<u64>) -> Error {
        Error::RateLimited {
            status: 429,
            message: String::new(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn decode(status: u16) -> Error {
        Error::Decode {
            status,
            reason: String::new(),
            snippet: String::new(),
        }
    }

    fn verdict(kind: CallKind, generation: Generation, came: Came, err: Option<Error>) -> Verdict {
        classify(kind, generation, came, err.as_ref())
    }

    fn list(came: Came, err: Option<Error>) -> (u64, Again) {
        let v = verdict(CallKind::List, V1, came, err);
        (v.charged, v.again)
    }

    #[test]
    fn row_200_with_status_success_costs_a_credit_a_page_and_needs_no_retry() {
        assert_eq!(list(reply(200, page()), None), (1, Again::Never));
    }

    #[test]
    fn row_http_500_is_free_and_retried_with_backoff() {
        let came = reply(500, Shape::Refusal(Said::Refused));
        assert_eq!(list(came, Some(server(500))), (0, Again::Backoff));
    }

    #[test]
    fn row_http_502_503_504_count_as_charged_and_are_retried_with_backoff() {
        for status in [502, 503, 504] {
            let came = reply(status, Shape::Refusal(Said::Refused));
            assert_eq!(list(came, Some(server(status))), (1, Again::Backoff));
        }
    }

    #[test]
    fn row_no_reply_is_not_counted_and_is_retried() {
        for err in [
            TransportError::refused_for_tests(),
            TransportError::closed_before_reply_for_tests(),
            TransportError::timed_out_for_tests(),
        ] {
            let came = Came::NoReply { unreadable: false };
            assert_eq!(list(came, Some(Error::Transport(err))), (0, Again::Backoff));
        }
    }

    #[test]
    fn row_a_refused_certificate_or_a_failed_tunnel_is_not_counted_and_never_retried() {
        for err in [
            TransportError::certificate_for_tests(),
            TransportError::tls_for_tests(),
            TransportError::proxy_for_tests(),
        ] {
            let came = Came::NoReply { unreadable: false };
            assert_eq!(list(came, Some(Error::Transport(err))), (0, Again::Never));
        }
    }

    #[test]
    fn row_a_head_too_large_to_read_is_charged_and_never_retried() {
        let err = Error::Transport(TransportError::unreadable_for_tests());
        let came = Came::NoReply { unreadable: true };
        assert_eq!(list(came, Some(err)), (1, Again::Never));
    }

    #[test]
    fn row_http_429_or_a_rate_limit_message_is_charged_and_retried_after_retry_after() {
        let came = reply(429, Shape::Refusal(Said::Refused));
        assert_eq!(
            list(came, Some(rate_limited(Some(7)))),
            (1, Again::After(Duration::from_secs(7)))
        );
        assert_eq!(list(came, Some(rate_limited(None))), (1, Again::Backoff));
        // Up to 60 s, the documented cap, is waited; longer is the caller's to judge.
        assert_eq!(
            list(came, Some(rate_limited(Some(60)))),
            (1, Again::After(Duration::from_secs(60)))
        );
        assert_eq!(list(came, Some(rate_limited(Some(61)))), (1, Again::Never));
        // v1's rate-limit message with HTTP 200.
        let body = reply(200, Shape::Refusal(Said::Refused));
        assert_eq!(list(body, Some(rate_limited(None))), (1, Again::Backoff));
    }

    #[test]
    fn row_4xx_and_status_error_bodies_are_charged_and_never_retried() {
        for status in [400, 401, 402, 403, 404, 418, 200] {
            let err = match status {
                401 | 403 => Error::Unauthorized {
                    status,
                    message: String::new(),
                },
                402 => Error::InsufficientCredits {
                    status,
                    message: String::new(),
                },
                _ => refused(status),
            };
            assert_eq!(
                list(reply(status, Shape::Refusal(Said::Refused)), Some(err)),
                (1, Again::Never),
                "{status}"
            );
        }
    }

    #[test]
    fn row_a_reply_that_breaks_off_or_is_not_the_documented_shape_is_charged_and_never_retried() {
        let cut = Error::Transport(TransportError::closed_in_body_for_tests());
        assert_eq!(
            list(Came::BodyLost { status: 200 }, Some(cut)),
            (1, Again::Never)
        );
        let shapeless = reply(200, Shape::Undocumented);
        assert_eq!(list(shapeless, Some(decode(200))), (1, Again::Never));
    }

    #[test]
    fn v2_charges_what_a_reply_reports_never_less_than_the_price_and_no_refusal() {
        let v2 = |came, err: Option<Error>| verdict(CallKind::List, V2, came, err).charged;
        let claims = |reported, shape| {
            Came::Reply(Facts {
                status: 200,
                reported: Some(reported),
                shape,
            })
        };
        assert_eq!(v2(claims(0, Shape::Data { invitations: 50 }), None), 1);
        assert_eq!(v2(claims(0, Shape::Data { invitations: 51 }), None), 2);
        assert_eq!(v2(claims(3, Shape::Data { invitations: 10 }), None), 3);
        assert_eq!(v2(reply(200, Shape::Data { invitations: 0 }), None), 1);
        assert_eq!(
            v2(
                reply(400, Shape::Refusal(Said::Refused)),
                Some(refused(400))
            ),
            0
        );
        assert_eq!(
            v2(reply(500, Shape::Refusal(Said::Refused)), Some(server(500))),
            0
        );
        assert_eq!(v2(reply(200, Shape::Undocumented), Some(decode(200))), 1);
    }

    fn withdraw(came: Came, err: Error) -> Verdict {
        verdict(CallKind::Withdraw, V1, came, Some(err))
    }

    #[test]
    fn a_withdrawal_is_retried_only_when_nothing_was_done() {
        let unsent = Error::Transport(TransportError::refused_for_tests());
        let v = withdraw(Came::NoReply { unreadable: false }, unsent);
        assert_eq!((v.again, v.acted), (Again::Backoff, Acted::No));
        let came = reply(429, Shape::Refusal(Said::BeforeActing));
        let v = withdraw(came, rate_limited(Some(0)));
        assert_eq!(
            (v.again, v.acted),
            (Again::After(Duration::ZERO), Acted::No)
        );
        // A status of 500 or more is unknown, whatever the body says.
        for status in [500, 502, 503, 504] {
            let limited = Error::RateLimited {
                status,
                message: String::new(),
                retry_after: None,
            };
            for err in [server(status), limited] {
                let v = withdraw(reply(status, Shape::Refusal(Said::BeforeActing)), err);
                assert_eq!((v.again, v.acted), (Again::Never, Acted::Maybe), "{status}");
            }
        }
        let after = Error::Transport(TransportError::closed_before_reply_for_tests());
        let v = withdraw(Came::NoReply { unreadable: false }, after);
        assert_eq!((v.again, v.acted), (Again::Never, Acted::Maybe));
        let v = withdraw(reply(200, Shape::Undocumented), decode(200));
        assert_eq!(
            (v.again, v.acted, v.charged),
            (Again::Never, Acted::Maybe, 1)
        );
        // A refusal of the invitation: known, final, charged on v1.
        let v = withdraw(reply(400, Shape::Refusal(Said::Refused)), refused(400));
        assert_eq!(
            (v.again, v.acted, v.charged),
            (Again::Never, Acted::Refused, 1)
        );
        let v = verdict(CallKind::Withdraw, V2, reply(200, page()), None);
        assert_eq!((v.charged, v.acted), (1, Acted::Done));
    }

    /// The README's "Withdrawing" table, row by row: what each event is recorded as.
    #[test]
    fn nothing_was_done_only_where_the_request_never_left_or_the_docs_say_so() {
        let acted = |came, err| withdraw(came, err).acted;
        let no_reply = Came::NoReply { unreadable: false };
        let transport = |t: TransportError| Error::Transport(t);
        // Never left: refused, resolving, connecting, a refused certificate, a tunnel refused.
        for t in [
            TransportError::refused_for_tests(),
            TransportError::certificate_for_tests(),
            TransportError::proxy_for_tests(),
        ] {
            assert_eq!(acted(no_reply, transport(t)), Acted::No);
        }
        assert_eq!(acted(Came::Unwritten, refused(0)), Acted::No);
        // TLS broken after the handshake, a reset or a timeout after connecting: maybe.
        for t in [
            TransportError::tls_for_tests(),
            TransportError::closed_before_reply_for_tests(),
            TransportError::timed_out_for_tests(),
        ] {
            assert_eq!(acted(no_reply, transport(t)), Acted::Maybe);
        }
        assert_eq!(
            acted(Came::NoReply { unreadable: true }, refused(0)),
            Acted::Maybe
        );
        assert_eq!(
            acted(Came::BodyLost { status: 200 }, refused(200)),
            Acted::Maybe
        );
        // Documented refusals before acting: nothing done, in either generation.
        for status in [200, 400, 401, 402, 403, 404, 429] {
            let came = reply(status, Shape::Refusal(Said::BeforeActing));
            assert_eq!(acted(came, refused(status)), Acted::No, "{status}");
        }
        // What the docs do not name: a redirect, a 404, a 5xx, an error page without the
        // envelope: maybe, whatever the body.
        for status in [301, 302, 303, 307, 308, 404, 500, 502, 503] {
            for said in [Said::Refused, Said::Unnamed] {
                let came = reply(status, Shape::Refusal(said));
                assert_eq!(acted(came, refused(status)), Acted::Maybe, "{status}");
            }
        }
        for status in [301, 303, 500] {
            let came = reply(status, Shape::Refusal(Said::BeforeActing));
            assert_eq!(acted(came, refused(status)), Acted::Maybe, "{status}");
        }
        let page = reply(400, Shape::Refusal(Said::Unnamed));
        assert_eq!(acted(page, refused(400)), Acted::Maybe);
        // A refusal of the parameters of a request the crate checked: of the invitation
        // (not pending, as v2 may word it): nothing done, and final, never a loop of resends.
        for status in [200, 400] {
            let came = reply(status, Shape::Refusal(Said::Parameters));
            assert_eq!(acted(came, refused(status)), Acted::Refused, "{status}");
        }
        // The documented envelope refusing in other words: refused, final.
        for status in [200, 400, 409, 410, 422] {
            let came = reply(status, Shape::Refusal(Said::Refused));
            assert_eq!(acted(came, refused(status)), Acted::Refused, "{status}");
        }
        // A success envelope that says it was not done (v2 "withdrawn": false).
        assert_eq!(acted(reply(200, page_of(1)), refused(200)), Acted::Refused);
        // A success.
        let v = verdict(CallKind::Withdraw, V1, reply(200, page_of(0)), None);
        assert_eq!(v.acted, Acted::Done);
    }

    fn page_of(invitations: u64) -> Shape {
        Shape::Data { invitations }
    }

    #[test]
    fn an_unknown_withdrawal_counts_as_possibly_charged_never_twice() {
        for generation in [V1, V2] {
            let v = verdict(
                CallKind::Withdraw,
                generation,
                Came::NoReply { unreadable: false },
                Some(Error::Transport(TransportError::tls_for_tests())),
            );
            assert_eq!((v.charged, v.possibly), (0, 1));
            // A 502 after acting: v1 counts it charged already; v2 charges no error.
            let v = verdict(
                CallKind::Withdraw,
                generation,
                reply(502, Shape::Refusal(Said::Unnamed)),
                Some(server(502)),
            );
            let charged = u64::from(generation == V1);
            assert_eq!((v.charged, v.possibly), (charged, 1 - charged));
        }
        // Nothing done, done, refused, or a read: nothing possibly.
        let v = withdraw(
            Came::NoReply { unreadable: false },
            Error::Transport(TransportError::refused_for_tests()),
        );
        assert_eq!(v.possibly, 0);
        let v = verdict(
            CallKind::List,
            V1,
            Came::NoReply { unreadable: false },
            Some(Error::Transport(TransportError::timed_out_for_tests())),
        );
        assert_eq!(v.possibly, 0);
    }

    #[test]
    fn logging_in_is_free_and_retried_like_a_read() {
        let login = |came, err| verdict(CallKind::Login, V2, came, err);
        assert_eq!(login(reply(200, page()), None).charged, 0);
        let v = login(reply(503, Shape::Refusal(Said::Refused)), Some(server(503)));
        assert_eq!((v.charged, v.again), (0, Again::Backoff));
        let v = login(Came::NoReply { unreadable: true }, None);
        assert_eq!(v.charged, 0);
    }
}
