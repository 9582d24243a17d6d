//! The one rule for what an attempt's outcome means: what it is charged, whether it is
//! retried, and whether an action's outcome is unknown; for listing, withdrawing and logging
//! in, in both generations. Its tests are the README's reliability table, row by row.

use std::time::Duration;

use crate::error::Error;
use crate::wire::Generation;

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
    /// No reply was read: the request failed before one came, or one came whose head could not
    /// be read (`unreadable`: the server answered, and charged).
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
    /// A documented refusal (v1 `"status":"error"`, v2 `"success":false`, an error page).
    Refusal,
    /// Not the documented shape.
    Undocumented,
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

/// What an attempt's outcome means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Credits it cost: never less than the documented price, whatever a reply claims.
    pub(crate) charged: u64,
    /// Whether, and when, a failed attempt may be tried again.
    pub(crate) again: Again,
    /// An action sent with no answer that says what happened.
    pub(crate) unknown: bool,
}

/// The rule: what the attempt of a `kind` call through `generation` cost, and what its error
/// (`None` for a success) means.
pub(crate) fn classify(
    kind: CallKind,
    generation: Generation,
    came: Came,
    error: Option<&Error>,
) -> Verdict {
    Verdict {
        charged: charge(kind, generation, came),
        again: error.map_or(Again::Never, |err| again(kind, err)),
        unknown: kind == CallKind::Withdraw && error.is_some_and(|err| acted(err) == Acted::Maybe),
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
                    (_, Shape::Refusal) => 0,
                };
                facts.reported.unwrap_or(0).max(documented)
            }
        },
    }
}

/// Whether a failed attempt may be tried again. A read is retried when retrying costs nothing
/// or is unavoidable: HTTP 500, 502, 503, 504, a rate limit, and a failure before any reply
/// that may fix itself. An action only when the reply proves nothing was done ([`acted`]).
fn again(kind: CallKind, err: &Error) -> Again {
    if kind == CallKind::Withdraw && acted(err) != Acted::No {
        return Again::Never;
    }
    match err {
        Error::Server {
            status: 500 | 502 | 503 | 504,
            ..
        } => Again::Backoff,
        Error::Transport(transport) if transport.retryable() => Again::Backoff,
        Error::RateLimited { retry_after, .. } => match retry_after {
            Some(wait) if *wait > MAX_RETRY_AFTER => Again::Never,
            Some(wait) => Again::After(*wait),
            None => Again::Backoff,
        },
        _ => Again::Never,
    }
}

/// What a failed action's reply proves about what LinkedIn did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Acted {
    /// Nothing was done: nothing was sent, or the server refused before acting (a rate limit,
    /// the key or token refused, a path where nothing answers).
    No,
    /// It may have been done: sent, and no answer says what happened.
    Maybe,
    /// The server looked at the invitation and refused it (not pending any more, say).
    Refused,
}

/// What a failed action proves: only a reply that shows the server did not act says `No`. A
/// status of 500 or more is `Maybe` whatever its body says (a 503 with a rate-limit body may
/// come from a proxy that timed out behind the API), and so is any reply cut short, unreadable
/// or not in the documented shape, a hang-up or a timeout after sending.
pub(crate) fn acted(err: &Error) -> Acted {
    match err {
        Error::Transport(transport) if transport.unsent() => Acted::No,
        Error::Transport(_) | Error::OutcomeUnknown { .. } => Acted::Maybe,
        err if err.status().is_some_and(|status| status >= 500) => Acted::Maybe,
        Error::Server { .. } | Error::Decode { .. } => Acted::Maybe,
        Error::InvalidParams(_)
        | Error::RateLimited { .. }
        | Error::Unauthorized { .. }
        | Error::InsufficientCredits { .. } => Acted::No,
        Error::Api { status, .. } if *status == 404 || (300..400).contains(status) => Acted::No,
        _ => Acted::Refused,
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
        let came = reply(500, Shape::Refusal);
        assert_eq!(list(came, Some(server(500))), (0, Again::Backoff));
    }

    #[test]
    fn row_http_502_503_504_count_as_charged_and_are_retried_with_backoff() {
        for status in [502, 503, 504] {
            let came = reply(status, Shape::Refusal);
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
        let came = reply(429, Shape::Refusal);
        assert_eq!(
            list(came, Some(rate_limited(Some(7)))),
            (1, Again::After(Duration::from_secs(7)))
        );
        assert_eq!(list(came, Some(rate_limited(None))), (1, Again::Backoff));
        // Longer than 60 s is the caller's to judge.
        assert_eq!(list(came, Some(rate_limited(Some(61)))), (1, Again::Never));
        // v1's rate-limit message with HTTP 200.
        let body = reply(200, Shape::Refusal);
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
                list(reply(status, Shape::Refusal), Some(err)),
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
        assert_eq!(v2(reply(400, Shape::Refusal), Some(refused(400))), 0);
        assert_eq!(v2(reply(500, Shape::Refusal), Some(server(500))), 0);
        assert_eq!(v2(reply(200, Shape::Undocumented), Some(decode(200))), 1);
    }

    #[test]
    fn a_withdrawal_is_retried_only_when_nothing_was_done() {
        let act = |came, err| verdict(CallKind::Withdraw, V1, came, Some(err));
        let unsent = Error::Transport(TransportError::refused_for_tests());
        let v = act(Came::NoReply { unreadable: false }, unsent);
        assert_eq!((v.again, v.unknown), (Again::Backoff, false));
        let v = act(reply(429, Shape::Refusal), rate_limited(Some(0)));
        assert_eq!((v.again, v.unknown), (Again::After(Duration::ZERO), false));
        // A status of 500 or more is unknown, whatever the body says.
        for status in [500, 502, 503, 504] {
            let limited = Error::RateLimited {
                status,
                message: String::new(),
                retry_after: None,
            };
            for err in [server(status), limited] {
                let v = act(reply(status, Shape::Refusal), err);
                assert_eq!((v.again, v.unknown), (Again::Never, true), "{status}");
            }
        }
        let after = Error::Transport(TransportError::closed_before_reply_for_tests());
        let v = act(Came::NoReply { unreadable: false }, after);
        assert_eq!((v.again, v.unknown), (Again::Never, true));
        let v = act(reply(200, Shape::Undocumented), decode(200));
        assert_eq!((v.again, v.unknown, v.charged), (Again::Never, true, 1));
        // A refusal of the invitation: known, final, charged on v1.
        let v = act(reply(400, Shape::Refusal), refused(400));
        assert_eq!((v.again, v.unknown, v.charged), (Again::Never, false, 1));
        let v = verdict(CallKind::Withdraw, V2, reply(200, page()), None);
        assert_eq!(v.charged, 1);
    }

    #[test]
    fn logging_in_is_free_and_retried_like_a_read() {
        let login = |came, err| verdict(CallKind::Login, V2, came, err);
        assert_eq!(login(reply(200, page()), None).charged, 0);
        let v = login(reply(503, Shape::Refusal), Some(server(503)));
        assert_eq!((v.charged, v.again, v.unknown), (0, Again::Backoff, false));
        let v = login(Came::NoReply { unreadable: true }, None);
        assert_eq!(v.charged, 0);
    }
}
