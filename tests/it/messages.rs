//! Messages say what happened and what to do: every error variant ends with its advice, a
//! network failure names its cause, the attempts and the time they took, and short test
//! secrets do not garble what the server said. Each case as a user met it, on local servers.

use crate::support;

use std::time::Duration;

use httpmock::MockServer;
use linkup_sent_invitations::{fetch_sent_invitations, Config, Error, Params};
use support::{closed_port_url, config, fixture, Action, RawServer, KEY, TOKEN};

fn refusal(status: u16, body: &str) -> String {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method("POST");
        then.status(status).body(body);
    });
    let config = config(server.base_url()).max_retries(0);
    fetch_sent_invitations(&config, &Params::new(TOKEN))
        .unwrap_err()
        .to_string()
}

#[test]
fn short_test_secrets_leave_messages_readable() {
    for (status, file, readable) in [
        (
            400,
            "error-missing-parameter.json",
            "Missing required parameter: login_token",
        ),
        (
            429,
            "error-rate-limit.json",
            "Rate limit exceeded. Please try again later",
        ),
    ] {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.method("POST");
            then.status(status).body(fixture(file));
        });
        let config = Config::new("k")
            .base_url(server.base_url())
            .requests_per_minute(0)
            .max_retries(0);
        let text = fetch_sent_invitations(&config, &Params::new("t"))
            .unwrap_err()
            .to_string();
        assert!(text.contains(readable), "{text}");
        assert!(!text.contains("[redacted]"), "{text}");
    }
    // A real-length secret echoed anywhere is still never shown.
    let echo = format!(r#"{{"status":"error","message":"bad {KEY} and {TOKEN}"}}"#);
    let text = refusal(400, &echo);
    assert!(!text.contains(KEY) && !text.contains(TOKEN), "{text}");
    assert!(text.contains("bad [redacted] and [redacted]"), "{text}");
}

#[test]
fn every_refusal_ends_with_what_to_do() {
    let html = "<html><head><title>404 Not Found</title></head><body>nginx</body></html>";
    let cases = [
        (
            404,
            html.to_owned(),
            "nothing answers at that path: check Config::base_url",
        ),
        (
            400,
            fixture("error-missing-parameter.json"),
            "check the parameters the message names",
        ),
        (
            418,
            r#"{"status":"error","message":"odd"}"#.to_owned(),
            "report it to LinkUp",
        ),
        (
            200,
            r#"{"unexpected":true}"#.to_owned(),
            "if Config::base_url is right, report it to LinkUp with this snippet",
        ),
    ];
    for (status, body, advice) in cases {
        let text = refusal(status, &body);
        assert!(text.contains(advice), "{status}: {text}");
    }
    // v2's unknown account names the account id to check.
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method("POST");
        then.status(404).body(
            r#"{"success":false,"error":{"code":"INVALID_ACCOUNT","message":"Account not found"},
               "metadata":{"credits_consumed":0}}"#,
        );
    });
    let err = fetch_sent_invitations(
        &config(server.base_url()),
        &Params::account("acct-SECRET-9f2e"),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("check the account id passed to Params::account (POST /v2/login gives it)"),
        "{err}"
    );
}

#[test]
fn a_refused_connection_names_the_cause_the_attempts_and_their_time() {
    let url = closed_port_url();
    let config = config(url.as_str()).retry_backoff(Duration::from_millis(20));
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.attempts(), 3);
    let text = err.to_string();
    let host = url.trim_start_matches("http://");
    assert!(
        text.starts_with(&format!("connection refused by {host} (3 attempts in ")),
        "{text}"
    );
    assert!(
        text.ends_with("check the host and port in Config::base_url"),
        "{text}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "ureq's error kept"
    );
}

#[test]
fn a_hang_up_is_named_as_a_closed_connection() {
    let server = RawServer::start(|_, _| Action::Close);
    let config = config(server.base_url()).max_retries(1);
    let text = fetch_sent_invitations(&config, &Params::new(TOKEN))
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("closed the connection before any reply"),
        "{text}"
    );
    assert!(text.contains("(2 attempts in "), "{text}");
}

#[test]
fn https_to_a_plain_http_server_is_named_as_tls() {
    let server = MockServer::start(); // speaks plain http only
    let config = Config::new(KEY)
        .base_url(server.base_url().replace("http://", "https://"))
        .requests_per_minute(0)
        .max_retries(2);
    let text = fetch_sent_invitations(&config, &Params::new(TOKEN))
        .unwrap_err()
        .to_string();
    assert!(text.starts_with("TLS with 127.0.0.1:"), "{text}");
    assert!(
        text.contains("https to a server that speaks plain http?"),
        "{text}"
    );
    assert!(!text.contains("attempts"), "not retried: {text}");
}

#[test]
fn a_trailing_space_in_the_base_url_is_forgiven() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method("POST");
        then.status(200)
            .body(fixture("documented-sample-page.json"));
    });
    let config = config(format!(" {}/ ", server.base_url()));
    fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap();
    mock.assert_calls(1);
}

#[test]
#[cfg(feature = "test-util")] // FakeApi; `cargo test` in this repository turns it on
fn a_wrong_base_url_path_fails_on_the_fake_as_on_the_real_server() {
    let fake = linkup_sent_invitations::FakeApi::start(20);
    let config = config(format!("{}/oops", fake.base_url())).max_retries(0);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
    assert!(err.to_string().contains("check Config::base_url"), "{err}");
    assert_eq!(fake.requests()[0].path, "/oops/v1/network/sent-invitations");
    assert_eq!(fake.credits_charged(), 0);
}

/// What an error reporter (anyhow, eyre) prints: the message, then every source in turn.
fn reported(err: &dyn std::error::Error) -> Vec<String> {
    let mut texts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        texts.push(cause.to_string());
        source = cause.source();
    }
    texts
}

#[test]
fn an_error_reporter_prints_each_cause_once() {
    use linkup_sent_invitations::withdraw_invitation;
    // A withdrawal whose connection drops after the request: an unknown outcome, whose
    // message quotes what came instead of an answer.
    let server = RawServer::start(|_, _| Action::Close);
    let unknown = withdraw_invitation(
        &config(server.base_url()).max_retries(0),
        &Params::new(TOKEN),
        7_453_486_530_700_017_665,
    )
    .unwrap_err();
    assert!(
        matches!(unknown, Error::OutcomeUnknown { .. }),
        "{unknown:?}"
    );
    // A refused connection, and TLS to a server that speaks plain http.
    let refused = fetch_sent_invitations(
        &config(closed_port_url()).max_retries(0),
        &Params::new(TOKEN),
    )
    .unwrap_err();
    let plain = MockServer::start(); // speaks plain http only
    let tls = Config::new(KEY)
        .base_url(plain.base_url().replace("http://", "https://"))
        .requests_per_minute(0)
        .max_retries(0);
    let tls = fetch_sent_invitations(&tls, &Params::new(TOKEN)).unwrap_err();
    assert!(tls.to_string().starts_with("TLS with"), "{tls}");
    for err in [&unknown, &refused, &tls] {
        let texts = reported(err);
        for (n, text) in texts.iter().enumerate().skip(1) {
            // The words themselves, without a prefix such as "io: " that names their kind.
            let words = text.rsplit(": ").next().unwrap_or(text);
            for earlier in &texts[..n] {
                assert!(!earlier.contains(words), "printed twice: {texts:#?}");
            }
        }
    }
    assert!(
        reported(&refused).len() > 1,
        "ureq's words are still there to read"
    );
}
