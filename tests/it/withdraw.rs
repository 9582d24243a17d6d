//! Withdrawing an invitation: the documented requests and replies of both generations, the
//! errors, and the one rule that matters most for an action: never repeat it blindly. Only
//! what cannot have reached LinkedIn is retried; anything after sending is an unknown outcome.

use crate::support;

use std::time::Duration;

use httpmock::MockServer;
use linkup_sent_invitations::{withdraw_invitation, Config, Country, Error, Params};
use serde_json::json;
use support::{closed_port_url, config, fixture, http_response, Action, RawServer, KEY, TOKEN};

const ACCOUNT: &str = "acct-SECRET-9f2e";
const ID: u64 = 7453486530700017665;

fn v1_success() -> &'static str {
    r#"{"status": "success", "message": "Connection invitation withdrawn successfully"}"#
}

fn v2_success(withdrawn: bool) -> String {
    json!({"success": true,
        "data": {"withdrawn": withdrawn, "invitation_id": ID.to_string()},
        "metadata": {"action": "withdraw", "account_id": "your-account-id",
            "credits_consumed": 1, "timestamp": "2026-04-26T10:35:00Z"}})
    .to_string()
}

#[test]
fn a_v1_withdrawal_has_the_documented_shape() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method("POST")
            .path("/v1/network/withdraw-invitation")
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .json_body(
                json!({"invitation_id": ID.to_string(), "login_token": TOKEN,
                "country": "US"}),
            );
        then.status(200).body(v1_success());
    });
    let params = Params::new(TOKEN).country(Country::Us).pages(3, 4);
    let done = withdraw_invitation(&config(server.base_url()), &params, ID).unwrap();
    assert_eq!(done.invitation_id, ID);
    assert_eq!(done.credits, 1);
    assert_eq!(
        done.message.as_deref(),
        Some("Connection invitation withdrawn successfully")
    );
    mock.assert_calls(1);

    // No country set, none sent; the paging fields play no part.
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.json_body(json!({"invitation_id": ID.to_string(), "login_token": TOKEN}));
        then.status(200).body(v1_success());
    });
    withdraw_invitation(&config(server.base_url()), &Params::new(TOKEN), ID).unwrap();
    mock.assert_calls(1);
}

#[test]
fn a_v2_withdrawal_has_the_documented_shape_and_withdrawn_false_is_no_success() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method("POST").path("/v2/network").json_body(json!({
            "account_id": ACCOUNT, "action": "withdraw",
            "params": {"invitation_id": ID.to_string()}}));
        then.status(200).body(v2_success(true));
    });
    let config = config(server.base_url());
    let done = withdraw_invitation(&config, &Params::account(ACCOUNT), ID).unwrap();
    assert_eq!((done.invitation_id, done.credits), (ID, 1));
    mock.assert_calls(1);
    assert_eq!(config.credits_used(), 1);

    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/network");
        then.status(200).body(v2_success(false));
    });
    let err = withdraw_invitation(
        &support::config(server.base_url()),
        &Params::account(ACCOUNT),
        ID,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    assert!(err.to_string().contains("was not withdrawn"), "{err}");
    assert!(
        err.to_string().contains("list the invitations again"),
        "{err}"
    );
}

#[test]
fn each_documented_error_maps_to_its_error() {
    // v1's documented bodies, each with the status it comes with.
    let cases = [
        (400, fixture("error-missing-parameter.json"), "api"),
        (401, fixture("error-invalid-cookie.json"), "unauthorized"),
        (200, fixture("error-invalid-cookie.json"), "unauthorized"),
        (402, fixture("error-insufficient-credits.json"), "credits"),
        (429, fixture("error-rate-limit.json"), "rate"),
    ];
    for (status, body, kind) in cases {
        let server = RawServer::start(move |_, _| {
            Action::Write(http_response(status, "retry-after: 0\r\n", body.as_bytes()))
        });
        let config = config(server.base_url()).max_retries(1);
        let err = withdraw_invitation(&config, &Params::new(TOKEN), ID).unwrap_err();
        let matched = match kind {
            "api" => matches!(err, Error::Api { .. }),
            "unauthorized" => matches!(err, Error::Unauthorized { .. }),
            "credits" => matches!(err, Error::InsufficientCredits { .. }),
            _ => matches!(err, Error::RateLimited { .. }),
        };
        assert!(matched, "{status} {kind}: {err:?}");
        let expected = if kind == "rate" { 2 } else { 1 };
        assert_eq!(server.request_count(), expected, "{status} {kind}");
    }
    // v2's codes; its errors cost nothing.
    for (code, status, kind) in [
        ("INVALID_PARAMS", 400, "api"),
        ("INVALID_ACCOUNT", 404, "api"),
        ("INVALID_API_KEY", 403, "unauthorized"),
        ("INSUFFICIENT_CREDITS", 402, "credits"),
    ] {
        let body = json!({"success": false, "error": {"code": code, "message": "no"},
            "metadata": {"credits_consumed": 0}})
        .to_string();
        let server =
            RawServer::start(move |_, _| Action::Write(http_response(status, "", body.as_bytes())));
        let config = config(server.base_url());
        let err = withdraw_invitation(&config, &Params::account(ACCOUNT), ID).unwrap_err();
        let matched = match kind {
            "api" => matches!(err, Error::Api { .. }),
            "unauthorized" => matches!(err, Error::Unauthorized { .. }),
            _ => matches!(err, Error::InsufficientCredits { .. }),
        };
        assert!(matched, "{code}: {err:?}");
        assert!(err.to_string().contains(code), "{err}");
        assert_eq!(config.credits_used(), 0, "{code}: free");
    }
}

#[test]
fn a_hang_up_after_the_request_is_an_unknown_outcome_and_never_retried() {
    // The server reads the whole request, then closes without a word.
    let server = RawServer::start(|_, _| Action::Close);
    let config = config(server.base_url()).max_retries(3);
    let err = withdraw_invitation(&config, &Params::new(TOKEN), ID).unwrap_err();
    assert_eq!(
        server.request_count(),
        1,
        "not retried: it may have happened"
    );
    let Error::OutcomeUnknown { invitation_id, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*invitation_id, ID);
    let text = err.to_string();
    assert!(text.contains("the outcome is unknown"), "{text}");
    assert!(
        text.contains("list the invitations again (a withdrawn one is gone from the list)"),
        "{text}"
    );
    assert!(std::error::Error::source(&err).is_some());

    // A reply that stalls after the request was read: the same.
    let server = RawServer::start(|_, _| Action::Stall(Duration::from_secs(3)));
    let config = support::config(server.base_url())
        .max_retries(3)
        .timeout(Duration::from_millis(300));
    let err = withdraw_invitation(&config, &Params::new(TOKEN), ID).unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(server.request_count(), 1);

    // A server error: it may have acted before failing.
    for status in [500, 502, 503] {
        let server = RawServer::start(move |_, _| {
            Action::Write(http_response(
                status,
                "",
                br#"{"status":"error","message":"oops"}"#,
            ))
        });
        let config = support::config(server.base_url()).max_retries(3);
        let err = withdraw_invitation(&config, &Params::new(TOKEN), ID).unwrap_err();
        assert!(
            matches!(err, Error::OutcomeUnknown { .. }),
            "{status}: {err:?}"
        );
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.request_count(), 1, "{status}");
    }
}

#[test]
fn what_cannot_have_reached_linkedin_is_retried() {
    // Nothing listens: the request was never sent.
    let config = config(closed_port_url())
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1));
    let err = withdraw_invitation(&config, &Params::new(TOKEN), ID).unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.attempts(), 3, "refused before sending: retried");

    // A rate limit is a refusal before acting: retried, then it goes through.
    let server = RawServer::start(|index, _| {
        if index == 0 {
            let body = fixture("error-rate-limit.json");
            Action::Write(http_response(429, "retry-after: 0\r\n", body.as_bytes()))
        } else {
            Action::Write(http_response(200, "", v1_success().as_bytes()))
        }
    });
    let config = support::config(server.base_url()).max_retries(3);
    let done = withdraw_invitation(&config, &Params::new(TOKEN), ID).unwrap();
    assert_eq!(server.request_count(), 2);
    assert_eq!(done.credits, 2, "v1 charges the 429 too");
}

#[test]
fn no_answer_after_sending_is_ever_retried_in_either_generation() {
    // Every way a server can fail after reading the request, but a rate limit: each is sent
    // once, whatever max_retries allows, and none is a success.
    type Failure = fn() -> Action;
    let cases: Vec<(&str, Failure)> = vec![
        ("hang-up", || Action::Close),
        ("HTTP 500", || Action::Write(http_response(500, "", b"{}"))),
        ("HTTP 502", || {
            Action::Write(http_response(502, "", b"<html>bad gateway</html>"))
        }),
        ("HTTP 503 with Retry-After", || {
            Action::Write(http_response(503, "retry-after: 0\r\n", b""))
        }),
        ("HTTP 504", || Action::Write(http_response(504, "", b""))),
        ("a 200 that is not JSON", || {
            Action::Write(http_response(200, "", b"<html>ok</html>"))
        }),
        ("a 200 in no known shape", || {
            Action::Write(http_response(200, "", br#"{"ok":1}"#))
        }),
        ("a body cut short", || {
            let mut reply = http_response(200, "", v1_success().as_bytes());
            reply.truncate(reply.len() - 10);
            Action::WriteAndClose(reply)
        }),
        ("a head, then nothing", || {
            Action::WriteThenStall(
                b"HTTP/1.1 200 OK\r\ncontent-length: 90\r\n\r\n{\"st".to_vec(),
                Duration::from_secs(2),
            )
        }),
    ];
    for (what, action) in cases {
        for params in [Params::new(TOKEN), Params::account(ACCOUNT)] {
            let server = RawServer::start(move |_, _| action());
            let config = support::config(server.base_url())
                .max_retries(3)
                .retry_backoff(Duration::from_millis(1))
                .timeout(Duration::from_millis(400));
            let result = withdraw_invitation(&config, &params, ID);
            assert_eq!(server.request_count(), 1, "{what}: sent once");
            let err = result.expect_err(what);
            assert!(
                matches!(
                    err,
                    Error::OutcomeUnknown {
                        invitation_id: ID,
                        ..
                    }
                ),
                "{what}: {err:?}"
            );
        }
    }
}

#[test]
fn bad_input_is_refused_with_nothing_sent() {
    let server = MockServer::start();
    let any = support::any_request(&server);
    let config = config(server.base_url());
    for (params, id) in [
        (Params::new(TOKEN), 0),
        (Params::new(" "), ID),
        (Params::account(""), ID),
        (Params::account(ACCOUNT).country(Country::Fr), ID),
    ] {
        let err = withdraw_invitation(&config, &params, id).unwrap_err();
        assert!(matches!(err, Error::InvalidParams(_)), "{err:?}");
    }
    let err = withdraw_invitation(&Config::new(""), &Params::new(TOKEN), ID).unwrap_err();
    assert!(matches!(err, Error::InvalidParams(_)), "{err:?}");
    any.assert_calls(0);
}

#[test]
fn secrets_echoed_in_a_withdrawal_error_never_show() {
    // Each generation's documented error envelope, echoing every secret of the call that sent
    // it: the API key and the login token (v1) or the account id (v2).
    let calls = [
        (
            Params::new(TOKEN),
            TOKEN,
            format!(r#"{{"status":"error","message":"bad {KEY} for {TOKEN}"}}"#),
        ),
        (
            Params::account(ACCOUNT),
            ACCOUNT,
            format!(
                r#"{{"success":false,"error":{{"code":"INVALID_PARAMS","message":"bad {KEY} for {ACCOUNT}"}}}}"#
            ),
        ),
    ];
    for (params, secret, body) in calls {
        let server =
            RawServer::start(move |_, _| Action::Write(http_response(400, "", body.as_bytes())));
        let err = withdraw_invitation(&config(server.base_url()), &params, ID).unwrap_err();
        let text = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
        assert!(!text.contains(KEY) && !text.contains(secret), "{text}");
        // The server's words are kept around the scrubbed secrets.
        assert!(text.contains("bad "), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// The fake withdraws too
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "test-util")]
mod on_the_fake {
    use super::*;
    use linkup_sent_invitations::{FakeApi, FakeFailure, Paginator};

    fn listed(config: &Config, params: &Params) -> Vec<u64> {
        Paginator::new(config, params.clone())
            .items()
            .map(|i| i.unwrap().invitation_id)
            .collect()
    }

    #[test]
    fn a_withdrawn_invitation_leaves_the_list_in_both_generations() {
        for params in [Params::new(TOKEN), Params::account(ACCOUNT)] {
            let fake = FakeApi::start(30);
            let config = config(fake.base_url());
            let oldest = fake.invitation_id(29);
            let done = withdraw_invitation(&config, &params, oldest).unwrap();
            assert_eq!(done.credits, 1);
            assert!(!fake.is_pending(oldest));
            let left = listed(&config, &params);
            assert_eq!(left.len(), 29);
            assert!(!left.contains(&oldest));

            // Not pending any more: an error in the documented envelope. v1 charges it.
            let before = fake.credits_charged();
            let err = withdraw_invitation(&config, &params, oldest).unwrap_err();
            assert!(matches!(err, Error::Api { status: 400, .. }), "{err:?}");
            let charged = fake.credits_charged() - before;
            let v1 = format!("{params:?}").contains("login_token");
            assert_eq!(charged, u64::from(v1), "{params:?}");
            let last = fake.requests().pop().unwrap();
            assert_eq!(last.invitation_id, Some(oldest));
        }
    }

    #[test]
    fn a_scripted_hang_up_withdraws_then_says_nothing() {
        let fake = FakeApi::start(10);
        let id = fake.invitation_id(9);
        fake.fail_withdraw(id, FakeFailure::hang_up());
        let config = config(fake.base_url()).max_retries(3);
        let err = withdraw_invitation(&config, &Params::new(TOKEN), id).unwrap_err();
        assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
        assert!(!fake.is_pending(id), "it happened");
        assert_eq!(fake.requests().len(), 1);
        // Charged as the deed was done; the caller, hearing nothing, counted nothing.
        assert_eq!(fake.credits_charged(), 1);
        assert_eq!(config.credits_used(), 0);

        // Any other scripted failure leaves it pending.
        let id = fake.invitation_id(8);
        fake.fail_withdraw(id, FakeFailure::rate_limited(0));
        let done = withdraw_invitation(&config, &Params::new(TOKEN), id).unwrap();
        assert_eq!(done.credits, 2, "the 429, then the withdrawal");
        assert!(!fake.is_pending(id));
    }
}
