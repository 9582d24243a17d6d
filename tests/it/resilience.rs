//! Fault injection: what is retried (and what is not), Retry-After, pacing, timeouts and hostile
//! replies, each asserted by the requests the local server saw.

use crate::support;

use std::io::Write;
use std::time::{Duration, Instant};

use httpmock::MockServer;
use linkup_sent_invitations::{fetch_sent_invitations, Error, Paginator, Params};
use support::{config, fake_api, fixture, http_response, Action, RawServer, KEY, TOKEN};

fn page_one() -> Vec<u8> {
    http_response(
        200,
        "",
        fake_api::pages_reply(138, 1, 1).to_string().as_bytes(),
    )
}

/// A server that answers the first `failures` requests with `failure`, then page 1.
fn failing_then_ok(failures: usize, failure: Vec<u8>) -> RawServer {
    RawServer::start(move |index, _| {
        if index < failures {
            Action::Write(failure.clone())
        } else {
            Action::Write(page_one())
        }
    })
}

/// An HTTP 429 with the documented rate-limit body and, if given, a Retry-After value.
fn rate_limited(retry_after: Option<&str>) -> Vec<u8> {
    let header = retry_after.map_or(String::new(), |v| format!("retry-after: {v}\r\n"));
    http_response(429, &header, fixture("error-rate-limit.json").as_bytes())
}

fn error_body(message: &str) -> Vec<u8> {
    serde_json::json!({"status": "error", "message": message})
        .to_string()
        .into_bytes()
}

// ---------------------------------------------------------------------------------------------
// What is retried
// ---------------------------------------------------------------------------------------------

#[test]
fn server_errors_500_502_503_504_are_retried_within_max_retries() {
    for status in [500, 502, 503, 504] {
        let server = failing_then_ok(2, http_response(status, "", b"{}"));
        let page = fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN));
        assert_eq!(page.unwrap().invitations.len(), 10, "HTTP {status}");
        assert_eq!(server.request_count(), 3, "HTTP {status}: two retries");

        let server = failing_then_ok(2, http_response(status, "", b"{}"));
        let config = config(server.base_url()).max_retries(1);
        let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
        assert!(
            matches!(err, Error::Server { status: s, .. } if s == status),
            "{err:?}"
        );
        assert_eq!(
            server.request_count(),
            2,
            "HTTP {status}: one retry, then the error"
        );
    }
}

#[test]
fn retries_back_off_for_real() {
    // Full jitter: retry n waits at random up to 100 ms × 2ⁿ. Three retries all under 10 ms
    // in sum would happen about twice in 100,000 runs: a wait of none at all, every time.
    let server = failing_then_ok(3, http_response(503, "", b"{}"));
    let config = config(server.base_url())
        .max_retries(3)
        .retry_backoff(Duration::from_millis(100));
    let started = Instant::now();
    fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap();
    assert_eq!(server.request_count(), 4);
    assert!(
        started.elapsed() >= Duration::from_millis(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn max_retries_zero_sends_once() {
    let server = failing_then_ok(1, http_response(500, "", b"{}"));
    let config = config(server.base_url()).max_retries(0);
    assert!(fetch_sent_invitations(&config, &Params::new(TOKEN)).is_err());
    assert_eq!(server.request_count(), 1);
}

#[test]
fn charged_refusals_are_never_retried() {
    let mut cases: Vec<(&str, Vec<u8>)> = [400, 401, 402, 403, 404, 405, 409, 422]
        .into_iter()
        .map(|s| ("4xx", http_response(s, "", &error_body("no"))))
        .collect();
    cases.push((
        "200 cookie",
        http_response(200, "", fixture("error-invalid-cookie.json").as_bytes()),
    ));
    cases.push((
        "200 credits",
        http_response(
            200,
            "",
            fixture("error-insufficient-credits.json").as_bytes(),
        ),
    ));
    cases.push((
        "200 missing",
        http_response(200, "", fixture("error-missing-parameter.json").as_bytes()),
    ));
    cases.push(("200 decode", http_response(200, "", b"<html>hi</html>")));
    cases.push((
        "200 bad id",
        http_response(
            200,
            "",
            br#"{"status":"success","data":{"invitations":[{"invitation_id":-1}]}}"#,
        ),
    ));
    for (name, failure) in cases {
        let server = failing_then_ok(1, failure);
        let config = config(server.base_url()).max_retries(5);
        let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
        assert_eq!(
            server.request_count(),
            1,
            "{name}: {err:?} must not be retried"
        );
    }
}

#[test]
fn connection_dropped_before_a_reply_is_retried() {
    let server = RawServer::start(|index, _| {
        if index < 2 {
            Action::Close
        } else {
            Action::Write(page_one())
        }
    });
    let page = fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap();
    assert_eq!(page.invitations.len(), 10);
    assert_eq!(server.request_count(), 3);
}

#[test]
fn connection_refused_is_retried_then_reported() {
    let config = config(support::closed_port_url()).max_retries(2);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.before_reply()),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 429 and Retry-After
// ---------------------------------------------------------------------------------------------

#[test]
fn rate_limited_waits_retry_after_seconds_then_retries() {
    let limited = rate_limited(Some("1"));
    let server = failing_then_ok(1, limited);
    let config = config(server.base_url());
    let started = Instant::now();
    let mut pages = Paginator::new(&config, Params::new(TOKEN).pages(1, 1));
    assert!(pages.next().unwrap().is_ok());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(server.request_count(), 2);
    assert_eq!(pages.credits_used(), 2, "the 429 was charged too");
}

#[test]
fn rate_limited_with_a_past_http_date_retries_at_once() {
    let limited = http_response(429, "retry-after: Wed, 21 Oct 2015 07:28:00 GMT\r\n", b"{}");
    let server = failing_then_ok(1, limited);
    fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap();
    assert_eq!(server.request_count(), 2);
}

#[test]
fn rate_limited_without_retry_after_backs_off_and_retries() {
    let server = failing_then_ok(1, http_response(429, "", b""));
    fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap();
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_retry_after_past_the_cap_is_returned_not_slept() {
    let limited = rate_limited(Some("3600"));
    let server = failing_then_ok(1, limited);
    let err = fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap_err();
    match err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 1);
}

#[test]
fn rate_limited_after_all_retries_carries_retry_after() {
    let limited = rate_limited(Some("0"));
    let server = failing_then_ok(usize::MAX, limited);
    let err = fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d.is_zero()),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 3);
    assert!(err.to_string().contains("retry after 0s"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Credits across retries
// ---------------------------------------------------------------------------------------------

#[test]
fn max_credits_counts_retries_and_never_sends_past_the_budget() {
    let limited = http_response(429, "retry-after: 0\r\n", b"{}");
    let server = failing_then_ok(1, limited);
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::new(TOKEN)).max_credits(1);
    assert!(matches!(pages.next(), Some(Err(Error::RateLimited { .. }))));
    assert_eq!(
        server.request_count(),
        1,
        "the retry would have been a second charged call"
    );
    assert_eq!(pages.credits_used(), 1);
    assert_eq!(pages.next_page(), Some(1));
    assert!(pages.next().is_none());
}

#[test]
fn a_500_is_free_so_it_does_not_count_against_the_budget() {
    let server = failing_then_ok(1, http_response(500, "", b"{}"));
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::new(TOKEN).pages(1, 1)).max_credits(1);
    assert!(pages.next().unwrap().is_ok());
    assert_eq!(server.request_count(), 2);
    assert_eq!(pages.credits_used(), 1);
}

// ---------------------------------------------------------------------------------------------
// Pacing
// ---------------------------------------------------------------------------------------------

#[test]
fn requests_are_paced_across_clones_and_threads() {
    let server = support::raw_fake(138);
    // 600 a minute: one request every 100 ms.
    let config = config(server.base_url()).requests_per_minute(600);
    let started = Instant::now();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let config = config.clone();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(server.request_count(), 6);
    // Six requests with burst 1: the sixth starts at least 5 intervals after the first.
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_paginator_is_paced_too() {
    let server = support::raw_fake(40);
    let config = config(server.base_url()).requests_per_minute(600);
    let started = Instant::now();
    assert_eq!(Paginator::new(&config, Params::new(TOKEN)).count(), 4);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Timeouts and hostile replies
// ---------------------------------------------------------------------------------------------

#[test]
fn a_stalled_server_times_out_as_transport() {
    // If the timeout did not work, this test would hang for the stall (a minute).
    let server = RawServer::start(|_, _| Action::Stall(Duration::from_secs(60)));
    let config = config(server.base_url())
        .timeout(Duration::from_millis(200))
        .max_retries(1);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.is_timeout()),
        "{err:?}"
    );
    assert!(err.to_string().contains("raise Config::timeout"), "{err}");
    assert!(err.to_string().contains("after 0.2s"), "{err}");
    assert_eq!(
        server.request_count(),
        2,
        "a timeout before any reply is retried"
    );
}

#[test]
fn a_body_that_stalls_midway_times_out_and_is_not_retried() {
    let server = RawServer::start(|_, _| {
        let start = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{\"status\":".to_vec();
        Action::WriteThenStall(start, Duration::from_secs(60))
    });
    let config = config(server.base_url())
        .timeout(Duration::from_millis(200))
        .max_retries(3);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.is_timeout() && !t.before_reply()),
        "{err:?}"
    );
    assert_eq!(
        server.request_count(),
        1,
        "the reply had started: charged, not retried"
    );
}

/// Headers after `head_after`, then the body one byte every 50 ms, for up to 10 s.
fn trickle(head_after: Duration) -> Action {
    Action::Run(Box::new(move |stream| {
        std::thread::sleep(head_after);
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
        if stream.write_all(head).is_err() {
            return;
        }
        for _ in 0..200 {
            std::thread::sleep(Duration::from_millis(50));
            if stream.write_all(b" ").is_err() {
                return;
            }
        }
    }))
}

#[test]
fn timeout_is_a_deadline_for_the_whole_attempt_body_included() {
    // Headers at 0.8 s, then a body that never ends: each phase alone stays under 1 s, so only
    // a deadline over the whole attempt stops it near 1 s. Being after the reply, it is not
    // retried, whatever max_retries says.
    let server = RawServer::start(|_, _| trickle(Duration::from_millis(800)));
    let config = config(server.base_url()).timeout(Duration::from_secs(1));
    let started = Instant::now();
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(
        took < Duration::from_millis(1500),
        "the deadline held: {took:?}"
    );
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert!(
        transport.is_timeout() && !transport.before_reply(),
        "{err:?}"
    );
    assert!(transport.elapsed() >= Duration::from_secs(1));
    let text = err.to_string();
    assert!(text.contains("timed out reading the reply"), "{text}");
    assert!(text.contains("after 1.0s"), "the time it waited: {text}");
    assert_eq!(server.request_count(), 1);
}

#[test]
fn call_timeout_bounds_every_retry_and_says_so() {
    let server = RawServer::start(|_, _| Action::Stall(Duration::from_secs(10)));
    let config = config(server.base_url())
        .timeout(Duration::from_millis(400))
        .max_retries(10)
        .call_timeout(Duration::from_secs(1));
    let started = Instant::now();
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(
        took < Duration::from_millis(1500),
        "the call's bound held: {took:?}"
    );
    assert_eq!(
        server.request_count(),
        3,
        "400 + 400 + what was left of 1 s"
    );
    let text = err.to_string();
    assert!(text.contains("Config::call_timeout"), "{text}");
    assert!(text.contains("before any reply"), "{text}");
}

#[test]
fn a_retry_after_that_would_overrun_the_call_is_returned_at_once() {
    let server = failing_then_ok(1, rate_limited(Some("5")));
    let config = config(server.base_url()).call_timeout(Duration::from_secs(3));
    let started = Instant::now();
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not slept through"
    );
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(wait), .. } if wait == Duration::from_secs(5)),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1);
}

#[test]
fn headers_too_large_to_read_are_a_charged_reply_and_not_retried() {
    let server = RawServer::start(|_, _| {
        let huge = format!("x-padding: {}\r\n", "a".repeat(200 * 1024));
        Action::WriteAndClose(http_response(200, &huge, b"{}"))
    });
    let config = config(server.base_url()).max_retries(3);
    let mut pages = Paginator::new(&config, Params::new(TOKEN));
    let err = pages.next().unwrap().unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if !t.before_reply() && !t.is_timeout()),
        "{err:?}"
    );
    assert!(err.to_string().contains("could not be read"), "{err}");
    assert!(err.to_string().contains("likely charged"), "{err}");
    assert_eq!(server.request_count(), 1, "not retried");
    assert_eq!(pages.credits_used(), 1, "the server answered: charged");
}

#[test]
fn a_truncated_body_is_a_transport_error_and_not_retried() {
    let server = RawServer::start(|_, _| {
        let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n".to_vec();
        bytes.extend_from_slice(br#"{"status":"succ"#);
        Action::WriteAndClose(bytes)
    });
    let config = config(server.base_url()).max_retries(3);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if !t.before_reply()),
        "{err:?}"
    );
    assert_eq!(
        server.request_count(),
        1,
        "the reply had started: charged, not retried"
    );
}

#[test]
fn an_oversized_body_is_refused_with_bounded_memory() {
    let server = RawServer::start(|_, _| {
        let body = vec![b' '; 11 * 1024 * 1024];
        Action::WriteAndClose(http_response(200, "", &body))
    });
    let err = fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap_err();
    match err {
        Error::Decode { reason, .. } => assert!(reason.contains("larger than 10 MiB"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 1);
}

#[test]
fn hostile_bodies_are_decode_errors_with_snippets() {
    let deep = "[".repeat(100_000);
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("invalid utf-8", b"{\"status\":\"success\",\"data\":{\"invitations\":[{\"name\":\"\xff\xfe\",\"invitation_id\":1}]}}".to_vec()),
        ("empty", Vec::new()),
        ("null", b"null".to_vec()),
        ("array", b"[1,2,3]".to_vec()),
        ("number", b"42".to_vec()),
        ("deep nesting", deep.into_bytes()),
        ("wrong type", br#"{"status":"success","data":{"invitations":"many"}}"#.to_vec()),
        ("total as text", br#"{"status":"success","data":{"total_results":"ten","invitations":[]}}"#.to_vec()),
        ("negative id", br#"{"status":"success","data":{"invitations":[{"invitation_id":-7}]}}"#.to_vec()),
        ("fractional id", br#"{"status":"success","data":{"invitations":[{"invitation_id":1.5}]}}"#.to_vec()),
        ("id too big", br#"{"status":"success","data":{"invitations":[{"invitation_id":99999999999999999999}]}}"#.to_vec()),
        ("missing id", br#"{"status":"success","data":{"invitations":[{"name":"x"}]}}"#.to_vec()),
        ("status not text", br#"{"status":1,"data":{}}"#.to_vec()),
    ];
    for (name, body) in bodies {
        let server = MockServer::start();
        let mock = server.mock(|when, then| {
            when.any_request();
            then.status(200).body(body.clone());
        });
        let err =
            fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap_err();
        match &err {
            Error::Decode { snippet, .. } => assert!(snippet.chars().count() <= 201, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        assert!(err.to_string().len() < 800, "{name}: bounded");
        mock.assert_calls(1);
    }
}

#[test]
fn a_server_that_repeats_a_page_stops_the_paginator_after_five_pages_with_nothing_new() {
    // Ignores start_page: always page 1 of 138.
    let server = RawServer::start(|_, _| Action::Write(page_one()));
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::new(TOKEN));
    assert!(pages.next().unwrap().is_ok());
    let err = pages.next().unwrap().unwrap_err();
    assert!(matches!(err, Error::RepeatedPage { page: 6 }), "{err:?}");
    assert!(err.to_string().contains("report it to LinkUp"), "{err}");
    assert!(pages.next().is_none());
    assert_eq!(
        server.request_count(),
        6,
        "page 1, then 5 pages that brought nothing new"
    );

    // Same invitations again, without pagination facts to give it away.
    let mut body = fake_api::pages_reply(138, 1, 1);
    body["data"].as_object_mut().unwrap().remove("pagination");
    let bytes = http_response(200, "", body.to_string().as_bytes());
    let server = RawServer::start(move |_, _| Action::Write(bytes.clone()));
    let config = support::config(server.base_url());
    let errors = Paginator::new(&config, Params::new(TOKEN))
        .filter(Result::is_err)
        .count();
    assert_eq!(errors, 1);
    assert_eq!(server.request_count(), 6);
}

// ---------------------------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------------------------

#[test]
fn retries_are_logged_without_secrets() {
    let capture = support::logs();
    let server = failing_then_ok(1, http_response(503, "", KEY.as_bytes()));
    fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap();
    // The crate's own records: other crates' (ureq's, the test servers') are not its to redact.
    let lines: Vec<String> = capture
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("linkup_sent_invitations "))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("attempt 1 of 3 failed: HTTP 503; retrying in")),
        "{lines:#?}"
    );
    for line in &lines {
        assert!(!line.contains(KEY) && !line.contains(TOKEN), "{line}");
    }
}

#[test]
fn trace_logging_of_the_wire_is_warned_about_once_and_our_records_carry_no_secret() {
    let capture = support::logs();
    // A reply that echoes both secrets, and a retry, so that every record of ours is produced.
    let echo = format!(r#"{{"status":"error","message":"bad key {KEY} for {TOKEN}"}}"#);
    let server = failing_then_ok(1, http_response(503, "", echo.as_bytes()));
    for _ in 0..2 {
        fetch_sent_invitations(&config(server.base_url()), &Params::new(TOKEN)).unwrap();
    }
    let ours: Vec<String> = capture
        .lines()
        .into_iter()
        .filter(|line| line.starts_with("linkup_sent_invitations "))
        .collect();
    let warnings = ours.iter().filter(|l| l.contains("ureq_proto")).count();
    assert_eq!(warnings, 1, "once per process: {ours:#?}");
    for line in &ours {
        assert!(!line.contains(KEY) && !line.contains(TOKEN), "{line}");
    }
}

#[test]
#[cfg(feature = "test-util")] // FakeApi; `cargo test` in this repository turns it on
fn the_public_fake_scripts_hang_ups_and_rate_limits_and_counts_credits() {
    let fake = linkup_sent_invitations::FakeApi::start(25);
    fake.fail(1, linkup_sent_invitations::FakeFailure::hang_up())
        .fail(2, linkup_sent_invitations::FakeFailure::rate_limited(0));
    let config = config(fake.base_url());
    let pages: Vec<_> = Paginator::new(&config, Params::new(TOKEN))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 3, "both failures retried");
    let seen: Vec<(u32, u16)> = fake.requests().iter().map(|r| (r.page, r.status)).collect();
    assert_eq!(seen, [(1, 0), (1, 200), (2, 429), (2, 200), (3, 200)]);
    assert_eq!(
        fake.credits_charged(),
        4,
        "v1 charges the 429 too; the hang-up had no reply"
    );
}
