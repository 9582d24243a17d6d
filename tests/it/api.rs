//! The core contract, black-box through the public API against local servers.

use crate::support;

use std::collections::HashSet;

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use linkup_sent_invitations::{
    fetch_sent_invitations, Config, Country, Error, Invitation, InvitationState, InvitationType,
    Items, Pagination, Paginator, Params, SentInvitationsPage, TransportError,
};
use serde_json::{json, Value};
use support::{config, fake_api, fixture, KEY, TOKEN};

fn reply(server: &MockServer, status: u16, body: impl Into<String>) -> httpmock::Mock<'_> {
    let body = body.into();
    server.mock(|when, then| {
        when.method("POST").path(fake_api::PATH);
        then.status(status).body(body);
    })
}

fn fetch(server: &MockServer, params: &Params) -> Result<SentInvitationsPage, Error> {
    fetch_sent_invitations(&config(server.base_url()).max_retries(0), params)
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

#[test]
fn documented_sample_page_decodes_exactly() {
    let server = MockServer::start();
    reply(&server, 200, fixture("documented-sample-page.json"));
    let page = fetch(&server, &Params::new(TOKEN)).unwrap();

    // Field by field: the data types are `#[non_exhaustive]` (the API grows), so a test
    // outside the crate reads them rather than building them.
    assert_eq!(page.total_results, 10);
    assert_eq!(page.total_available_results, Some(138));
    assert_eq!(page.invitations.len(), 1);
    let first = &page.invitations[0];
    assert_eq!(first.name, "Michelle Heppler");
    assert_eq!(
        first.profile_url.as_deref(),
        Some("https://www.linkedin.com/in/michelle-heppler")
    );
    assert_eq!(
        first.subtitle.as_deref(),
        Some("Co-Founder & CCO at Unique AI | Financial Services Agentic AI | 🌍 New York")
    );
    assert_eq!(first.sent_time.as_deref(), Some("Sent yesterday"));
    assert_eq!(first.invitation_id, 7329176687475109888);
    assert_eq!(first.invitation_state, Some(InvitationState::Pending));
    assert_eq!(first.message, None);
    assert_eq!(
        first.entity_urn.as_deref(),
        Some("urn:li:fsd_invitation:7329176687475109888")
    );
    assert_eq!(first.profile_picture.as_deref(), Some("https://media.licdn.com/dms/image/v2/D4E03AQGxumjpNvfVgA/profile-displayphoto-shrink_800_800/profile-displayphoto-shrink_800_800/0/1730035749634?e=1752710400&v=beta&t=Yn_F5VjS3rd669E6X5x8gOeYnN6wAo49t8a8g9Ci4u4"));
    assert_eq!(first.invitation_type, Some(InvitationType::Connection));
    assert_eq!(first.sent_time_days, None);
    let pagination = page.pagination.as_ref().unwrap();
    assert_eq!(
        (
            pagination.start_page,
            pagination.end_page,
            pagination.results_per_page,
            pagination.pages_fetched
        ),
        (1, 1, 10, 1)
    );
    assert_eq!(page.offset_pagination, None);
    assert_eq!(page.credits_consumed, None);
    assert_eq!(page.invitations[0].sent_days_ago(), Some(1));
}

#[test]
fn data_object_deserialises_directly_and_round_trips() {
    let reply: Value = serde_json::from_str(&fixture("documented-sample-page.json")).unwrap();
    let page: SentInvitationsPage = serde_json::from_value(reply["data"].clone()).unwrap();
    let text = serde_json::to_string(&page).unwrap();
    assert!(
        text.contains("\"invitation_id\":7329176687475109888"),
        "{text}"
    );
    assert!(text.contains("\"invitation_state\":\"PENDING\""), "{text}");
    let back: SentInvitationsPage = serde_json::from_str(&text).unwrap();
    assert_eq!(back, page);
}

#[test]
fn invitation_ids_are_exact_as_numbers_and_strings() {
    for (raw, want) in [
        ("7329176687475109888", 7329176687475109888u64),
        ("9007199254740993", 9007199254740993), // 2^53 + 1: a double would round it
        ("\"2906418534\"", 2906418534),
        ("\"18446744073709551615\"", u64::MAX),
        ("18446744073709551615", u64::MAX),
    ] {
        let text = format!(r#"{{"name":"x","invitation_id":{raw}}}"#);
        let invitation: Invitation = serde_json::from_str(&text).unwrap();
        assert_eq!(invitation.invitation_id, want, "{raw}");
    }
    for bad in [
        "-1",
        "1.5",
        "1e3",
        "\"12a\"",
        "\"\"",
        "null",
        "18446744073709551616",
        "true",
    ] {
        let text = format!(r#"{{"name":"x","invitation_id":{bad}}}"#);
        assert!(serde_json::from_str::<Invitation>(&text).is_err(), "{bad}");
    }
}

#[test]
fn unknown_values_and_fields_decode_instead_of_failing() {
    let text = r#"{"name":null,"invitation_id":1,"invitation_state":"WITHDRAWN",
        "invitation_type":"EVENT","new_field":{"x":1}}"#;
    let invitation: Invitation = serde_json::from_str(text).unwrap();
    assert_eq!(invitation.name, "");
    assert_eq!(
        invitation.invitation_state,
        Some(InvitationState::Other("WITHDRAWN".into()))
    );
    assert_eq!(
        invitation.invitation_type,
        Some(InvitationType::Other("EVENT".into()))
    );
    let back: Invitation =
        serde_json::from_str(&serde_json::to_string(&invitation).unwrap()).unwrap();
    assert_eq!(back, invitation);
}

#[test]
fn countries_and_types_parse_case_insensitively() {
    for country in Country::ALL {
        assert_eq!(
            country.as_str().to_lowercase().parse::<Country>().unwrap(),
            country
        );
        assert_eq!(country.to_string(), country.as_str());
    }
    assert_eq!(Country::ALL.len(), 11);
    for bad in ["GB", "USA", "", "fr "] {
        let parsed = bad.parse::<Country>();
        if bad == "fr " {
            assert_eq!(parsed.unwrap(), Country::Fr);
        } else {
            assert!(matches!(parsed, Err(Error::InvalidParams(_))), "{bad}");
        }
    }
    assert_eq!(
        "content-series".parse::<InvitationType>().unwrap(),
        InvitationType::ContentSeries
    );
    assert_eq!(
        "Organization".parse::<InvitationType>().unwrap(),
        InvitationType::Organization
    );
    assert!(matches!(
        "people".parse::<InvitationType>(),
        Err(Error::InvalidParams(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// The request
// ---------------------------------------------------------------------------------------------

#[test]
fn request_has_the_documented_shape() {
    let server = MockServer::start();
    let defaults = server.mock(|when, then| {
        when.method("POST")
            .path(fake_api::PATH)
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .json_body(json!({"login_token": TOKEN, "invitation_type": "CONNECTION"}));
        then.status(200)
            .body(fixture("documented-sample-page.json"));
    });
    fetch(&server, &Params::new(TOKEN)).unwrap();
    defaults.assert_calls(1);

    let paged = server.mock(|when, then| {
        when.method("POST").path(fake_api::PATH).json_body(json!({
            "login_token": TOKEN, "invitation_type": "CONTENT_SERIES",
            "start_page": 2, "end_page": 4, "country": "US"
        }));
        then.status(200)
            .body(fixture("documented-sample-page.json"));
    });
    let params = Params::new(TOKEN)
        .invitation_type(InvitationType::ContentSeries)
        .country(Country::Us)
        .pages(2, 4);
    fetch(&server, &params).unwrap();
    paged.assert_calls(1);

    let total = server.mock(|when, then| {
        when.method("POST").path(fake_api::PATH).json_body(json!({
            "login_token": TOKEN, "invitation_type": "ORGANIZATION", "total_results": 25
        }));
        then.status(200)
            .body(fixture("documented-sample-page.json"));
    });
    let params = Params::new(TOKEN)
        .invitation_type(InvitationType::Organization)
        .total_results(25);
    fetch(&server, &params).unwrap();
    total.assert_calls(1);
}

#[test]
fn base_url_with_trailing_slash_works() {
    let server = fake_api::start(5);
    let config = config(format!("{}/", server.base_url()));
    let page = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap();
    assert_eq!(page.invitations.len(), 5);
}

#[test]
fn refused_inputs_send_no_request() {
    let server = MockServer::start();
    let any = support::any_request(&server);
    let good = || Params::new(TOKEN);
    let base = server.base_url();
    let cases: Vec<(&str, Config, Params)> = vec![
        ("empty key", keyed(&base, ""), good()),
        ("blank key", keyed(&base, "  \t"), good()),
        ("key with newline", keyed(&base, "abc\n"), good()),
        ("key with space", keyed(&base, "ab c"), good()),
        ("empty token", config(&base), Params::new("")),
        ("blank token", config(&base), Params::new(" \n ")),
        ("page 0", config(&base), good().start_page(0)),
        ("end page 0", config(&base), good().pages(1, 0)),
        ("end before start", config(&base), good().pages(5, 4)),
        ("total_results 0", config(&base), good().total_results(0)),
        (
            "empty type",
            config(&base),
            good().invitation_type(InvitationType::Other(" ".into())),
        ),
        (
            "plain http remote",
            config("http://api.linkupapi.com"),
            good(),
        ),
        ("no scheme", config("api.linkupapi.com"), good()),
        // ureq would refuse them only when sending, as a connection failure, retried.
        ("a backtick", config(format!("{base}/a`b")), good()),
        ("an angle bracket", config(format!("{base}/<x>")), good()),
        ("a non-ASCII host", config("https://bücher.example"), good()),
        // Longer than any real one: ureq would open a connection, then fail to write it.
        ("key of 1025 bytes", keyed(&base, &"k".repeat(1025)), good()),
        (
            "app name of 257 bytes",
            config(&base).app_name("a".repeat(257)),
            good(),
        ),
        (
            "base URL of 4097 bytes",
            config(format!("{base}/{}", "p".repeat(4096 - base.len()))),
            good(),
        ),
    ];
    for (name, config, params) in &cases {
        let err = fetch_sent_invitations(config, params).unwrap_err();
        assert!(matches!(err, Error::InvalidParams(_)), "{name}: {err:?}");
        assert!(
            err.to_string()
                .starts_with("invalid parameters, nothing sent: "),
            "{name}: {err}"
        );
        let mut pages = Paginator::new(config, params.clone());
        assert!(
            matches!(pages.next(), Some(Err(Error::InvalidParams(_)))),
            "{name}"
        );
        assert!(pages.next().is_none(), "{name}: fused after the error");
        assert_eq!(pages.credits_used(), 0, "{name}");
    }
    let both = good().total_results(20).pages(1, 2);
    let err = fetch_sent_invitations(&config(&base), &both).unwrap_err();
    assert!(err.to_string().contains("total_results and pages"), "{err}");
    any.assert_calls(0);
}

fn keyed(base_url: &str, key: &str) -> Config {
    Config::new(key).base_url(base_url).requests_per_minute(0)
}

#[test]
fn redirects_are_not_followed() {
    let elsewhere = MockServer::start();
    let stolen = elsewhere.mock(|when, then| {
        when.any_request();
        then.status(200)
            .body(fixture("documented-sample-page.json"));
    });
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(307)
            .header("location", elsewhere.url(fake_api::PATH));
    });
    let err = fetch(&server, &Params::new(TOKEN)).unwrap_err();
    match &err {
        Error::Api {
            status: 307,
            message,
        } => assert!(message.contains("not followed"), "{message}"),
        other => panic!("{other:?}"),
    }
    stolen.assert_calls(0);
}

// ---------------------------------------------------------------------------------------------
// Error kinds
// ---------------------------------------------------------------------------------------------

#[test]
fn each_refusal_maps_to_its_error_kind() {
    let invalid_cookie = fixture("error-invalid-cookie.json");
    let no_credits = fixture("error-insufficient-credits.json");
    let rate_limit = fixture("error-rate-limit.json");
    let missing = fixture("error-missing-parameter.json");
    type Case = (u16, String, fn(&Error) -> bool);
    let cases: Vec<Case> = vec![
        (
            401,
            r#"{"status":"error","message":"Invalid API key"}"#.into(),
            |e| matches!(e, Error::Unauthorized { status: 401, .. }),
        ),
        (403, "Forbidden".into(), |e| {
            matches!(e, Error::Unauthorized { status: 403, .. })
        }),
        (
            400,
            invalid_cookie.clone(),
            |e| matches!(e, Error::Unauthorized { status: 400, message } if message == "Invalid or expired LinkedIn cookie"),
        ),
        (200, invalid_cookie, |e| {
            matches!(e, Error::Unauthorized { status: 200, .. })
        }),
        // Some v1 errors carry their text in "data" instead of "message".
        (
            200,
            r#"{"status":"error","data":"Invalid or expired LinkedIn cookie"}"#.into(),
            |e| matches!(e, Error::Unauthorized { status: 200, message } if message == "Invalid or expired LinkedIn cookie"),
        ),
        (402, no_credits.clone(), |e| {
            matches!(e, Error::InsufficientCredits { status: 402, .. })
        }),
        (
            200,
            no_credits,
            |e| matches!(e, Error::InsufficientCredits { status: 200, message } if message == "Insufficient credits available"),
        ),
        (429, rate_limit.clone(), |e| {
            matches!(
                e,
                Error::RateLimited {
                    status: 429,
                    retry_after: None,
                    ..
                }
            )
        }),
        (200, rate_limit, |e| {
            matches!(e, Error::RateLimited { status: 200, .. })
        }),
        (
            400,
            missing.clone(),
            |e| matches!(e, Error::Api { status: 400, message } if message == "Missing required parameter: login_token"),
        ),
        (200, missing, |e| {
            matches!(e, Error::Api { status: 200, .. })
        }),
        (
            404,
            "<html><body>Not Found</body></html>".into(),
            |e| matches!(e, Error::Api { status: 404, message } if message.contains("Not Found")),
        ),
        (
            422,
            r#"{"detail":"start_page must be an integer"}"#.into(),
            |e| matches!(e, Error::Api { status: 422, message } if message == "start_page must be an integer"),
        ),
        (
            500,
            r#"{"status":"error","message":"boom"}"#.into(),
            |e| matches!(e, Error::Server { status: 500, message } if message == "boom"),
        ),
        (
            503,
            "".into(),
            |e| matches!(e, Error::Server { status: 503, message } if message == "(empty body)"),
        ),
        (
            200,
            "<html>maintenance</html>".into(),
            |e| matches!(e, Error::Decode { status: 200, snippet, .. } if snippet == "<html>maintenance</html>"),
        ),
        (
            200,
            r#"{"status":"success"}"#.into(),
            |e| matches!(e, Error::Decode { reason, .. } if reason.contains("without \"data\"")),
        ),
        (
            200,
            r#"{"data":{"invitations":[]}}"#.into(),
            |e| matches!(e, Error::Decode { reason, .. } if reason.contains("no \"status\"")),
        ),
        (
            200,
            r#"{"status":"success","data":{"invitations":{}}}"#.into(),
            |e| matches!(e, Error::Decode { reason, .. } if reason.contains("\"data\" is not a page")),
        ),
    ];
    for (status, body, is_expected) in cases {
        let server = MockServer::start();
        let mock = reply(&server, status, body.clone());
        let err = fetch(&server, &Params::new(TOKEN)).unwrap_err();
        assert!(is_expected(&err), "HTTP {status} {body:?} gave {err:?}");
        assert_eq!(err.status(), Some(status));
        mock.assert_calls(1);
    }
}

#[test]
fn error_messages_say_what_to_do() {
    let server = MockServer::start();
    reply(&server, 200, fixture("error-invalid-cookie.json"));
    let text = fetch(&server, &Params::new(TOKEN)).unwrap_err().to_string();
    assert_eq!(
        text,
        "unauthorized (HTTP 200): Invalid or expired LinkedIn cookie; check the API key, \
         or log in again through LinkUp for a fresh login_token"
    );
    let server = MockServer::start();
    reply(&server, 402, fixture("error-insufficient-credits.json"));
    let text = fetch(&server, &Params::new(TOKEN)).unwrap_err().to_string();
    assert!(text.ends_with("top up the LinkUp account"), "{text}");
}

#[test]
fn transport_errors_have_a_source() {
    let config = config(support::closed_port_url()).max_retries(0);
    let err = fetch_sent_invitations(&config, &Params::new(TOKEN)).unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert!(transport.before_reply() && !transport.is_timeout());
    assert!(std::error::Error::source(&err).is_some());
    // The cause, where, and what to check.
    let text = err.to_string();
    assert!(
        text.starts_with("connection refused by 127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("check the host and port in Config::base_url"),
        "{text}"
    );
    assert_eq!(err.status(), None);
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

#[test]
fn secrets_never_show_in_debug_display_or_errors() {
    let config = config("http://127.0.0.1:9");
    let params = Params::new(TOKEN);
    let pages = Paginator::new(&config, params.clone());
    for text in [
        format!("{config:?}"),
        format!("{params:?}"),
        format!("{pages:?}"),
    ] {
        assert!(!text.contains(KEY) && !text.contains(TOKEN), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    let echo = format!(
        "key {KEY} token {TOKEN} escaped {}",
        serde_json::to_string(TOKEN).unwrap()
    );
    let bodies = [
        (401, json!({"status": "error", "message": echo}).to_string()),
        (200, json!({"status": "error", "message": echo}).to_string()),
        (429, json!({"status": "error", "message": echo}).to_string()),
        (500, format!("<html>{echo}</html>")),
        (404, format!("<html>{}{echo}</html>", "x".repeat(150))),
        (
            200,
            json!({"status": "success", "data": {"invitations": [{"invitation_id": TOKEN}]}})
                .to_string(),
        ),
        (200, format!("not json {echo}")),
        (307, String::new()),
    ];
    for (status, body) in bodies {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.any_request();
            then.status(status)
                .header("location", format!("https://evil.example/?k={KEY}"))
                .body(body.clone());
        });
        let err = fetch(&server, &params).unwrap_err();
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(KEY), "HTTP {status}: {text}");
            assert!(!text.contains(TOKEN), "HTTP {status}: {text}");
            assert!(!text.contains("SECRET"), "HTTP {status}: {text}");
            assert!(
                text.chars().count() < 800,
                "HTTP {status}: bounded, got {}",
                text.len()
            );
        }
    }
}

#[test]
fn html_error_pages_become_short_snippets() {
    let server = MockServer::start();
    let page = format!(
        "<!DOCTYPE html><html>\n<head></head><body>{}</body></html>",
        "<p>oops</p>\n".repeat(500)
    );
    reply(&server, 502, page.clone());
    let err = fetch(&server, &Params::new(TOKEN)).unwrap_err();
    let text = err.to_string();
    assert!(page.len() > 6000);
    assert!(text.len() < 400 && !text.contains('\n'), "{text}");
}

// ---------------------------------------------------------------------------------------------
// The paginator
// ---------------------------------------------------------------------------------------------

/// Walks `total` fake invitations; returns (requests sent, invitations seen, pages yielded).
fn walk(total: u64, with_total: bool) -> (usize, Vec<u64>, usize) {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method("POST").path(fake_api::PATH);
        then.respond_with(move |request: &HttpMockRequest| {
            let (status, mut body) = fake_api::reply_to(total, Some(KEY), request.body_ref());
            if !with_total {
                body["data"]
                    .as_object_mut()
                    .unwrap()
                    .remove("total_available_results");
            }
            HttpMockResponse::builder()
                .status(status)
                .body(body.to_string())
                .build()
        });
    });
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::new(TOKEN));
    let mut ids = Vec::new();
    let mut yielded = 0;
    for page in &mut pages {
        yielded += 1;
        ids.extend(page.unwrap().invitations.iter().map(|i| i.invitation_id));
    }
    assert_eq!(pages.next_page(), None, "{total}: done");
    assert_eq!(
        pages.credits_used() as usize,
        mock.calls(),
        "{total}: every reply charged"
    );
    (mock.calls(), ids, yielded)
}

#[test]
fn paginator_stops_exactly_where_the_data_ends() {
    // (invitations, requests with a total, requests without one)
    for (total, with, without) in [
        (0, 1, 1),
        (1, 1, 1),
        (10, 1, 2),
        (138, 14, 14),
        (140, 14, 15),
    ] {
        let (requests, ids, _) = walk(total, true);
        assert_eq!(requests, with, "{total} invitations with a total");
        assert_eq!(ids.len() as u64, total);
        let expected: Vec<u64> = (0..total)
            .map(|n| fake_api::invitation(n)["invitation_id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, expected, "{total}: every invitation once, in order");

        let (requests, ids, _) = walk(total, false);
        assert_eq!(requests, without, "{total} invitations without a total");
        assert_eq!(ids.len() as u64, total);
    }
}

#[test]
fn total_pages_is_known_after_the_first_page() {
    let server = fake_api::start(138);
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::new(TOKEN));
    assert_eq!(pages.total_pages(), None);
    assert_eq!(pages.next_page(), Some(1));
    pages.next().unwrap().unwrap();
    assert_eq!(pages.total_pages(), Some(14));
    assert_eq!(pages.next_page(), Some(2));
}

#[test]
fn new_sends_nothing() {
    let server = MockServer::start();
    let any = support::any_request(&server);
    let config = config(server.base_url());
    let pages = Paginator::new(&config, Params::new(TOKEN));
    drop(pages);
    any.assert_calls(0);
}

#[test]
fn paginator_sends_one_page_per_request_and_honours_start_and_end() {
    let server = fake_api::start(138);
    let config = config(server.base_url());
    let mut seen = Vec::new();
    for page in Paginator::new(&config, Params::new(TOKEN).pages(3, 5)) {
        let p = page.unwrap().pagination.unwrap();
        assert_eq!(p.start_page, p.end_page);
        seen.push(p.start_page);
    }
    assert_eq!(seen, [3, 4, 5]);

    let mut tail = Paginator::new(&config, Params::new(TOKEN).start_page(13));
    assert_eq!(tail.by_ref().count(), 2);
    assert_eq!(tail.total_pages(), Some(14));
    assert_eq!(tail.credits_used(), 2);
}

#[test]
fn total_results_caps_the_invitations_and_the_pages() {
    for (cap, requests) in [(25u32, 3usize), (20, 2), (1, 1), (500, 14)] {
        let server = fake_api::start(138);
        let config = config(server.base_url());
        let mut pages = Paginator::new(&config, Params::new(TOKEN).total_results(cap)).items();
        let items: Vec<Invitation> = pages.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(items.len(), (cap as usize).min(138), "cap {cap}");
        assert_eq!(
            pages.paginator().credits_used() as usize,
            requests,
            "cap {cap}"
        );
        assert_eq!(pages.paginator().next_page(), None);
    }
}

#[test]
fn max_credits_stops_before_the_budget_and_resumes_without_paying_twice() {
    let server = fake_api::start(138);
    let config = config(server.base_url());
    let mut first = Paginator::new(&config, Params::new(TOKEN))
        .max_credits(5)
        .items();
    let mut ids: Vec<u64> = first.by_ref().map(|i| i.unwrap().invitation_id).collect();
    assert_eq!(ids.len(), 50);
    assert_eq!(first.paginator().credits_used(), 5);
    assert_eq!(first.paginator().next_page(), Some(6));
    assert!(
        first.next().is_none(),
        "the budget holds on later calls too"
    );

    let resume = first.paginator().next_page().unwrap();
    let mut rest = Paginator::new(&config, Params::new(TOKEN).start_page(resume)).items();
    ids.extend(rest.by_ref().map(|i| i.unwrap().invitation_id));
    assert_eq!(rest.paginator().credits_used(), 9);
    assert_eq!(ids.len(), 138);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        138,
        "no invitation twice"
    );

    let mut none = Paginator::new(&config, Params::new(TOKEN)).max_credits(0);
    assert!(none.next().is_none());
    assert_eq!(none.next_page(), Some(1));
}

#[test]
fn errors_fuse_the_paginator_at_the_failed_page() {
    let server = MockServer::start();
    let pages_ok = server.mock(|when, then| {
        when.method("POST")
            .json_body_includes(r#"{"start_page":1}"#);
        then.status(200)
            .body(fake_api::pages_reply(138, 1, 1).to_string());
    });
    let broke = server.mock(|when, then| {
        when.method("POST")
            .json_body_includes(r#"{"start_page":2}"#);
        then.status(402)
            .body(fixture("error-insufficient-credits.json"));
    });
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::new(TOKEN));
    assert!(pages.next().unwrap().is_ok());
    assert!(matches!(
        pages.next(),
        Some(Err(Error::InsufficientCredits { .. }))
    ));
    assert!(pages.next().is_none());
    assert!(pages.next().is_none());
    assert_eq!(pages.next_page(), Some(2));
    assert_eq!(pages.credits_used(), 2);
    pages_ok.assert_calls(1);
    broke.assert_calls(1);

    let mut pages = Paginator::new(&config, Params::new(TOKEN)).items();
    let items: Vec<Result<Invitation, Error>> = pages.by_ref().collect();
    assert_eq!(
        items.len(),
        11,
        "ten invitations, then the error, then the end"
    );
    assert!(items[10].is_err());
}

#[test]
fn one_connection_serves_a_whole_run() {
    let server = support::raw_fake(138);
    let config = config(server.base_url());
    let clone = config.clone();
    let pages = Paginator::new(&config, Params::new(TOKEN)).count();
    assert_eq!(pages, 14);
    fetch_sent_invitations(&clone, &Params::new(TOKEN)).unwrap();
    assert_eq!(server.request_count(), 15);
    assert_eq!(
        server.connection_count(),
        1,
        "keep-alive across pages and clones"
    );
}

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Config>();
    send_sync::<Params>();
    send_sync::<Paginator>();
    send_sync::<Items>();
    send_sync::<linkup_sent_invitations::OffsetPagination>();
    #[cfg(feature = "test-util")]
    {
        send_sync::<linkup_sent_invitations::FakeApi>();
        send_sync::<linkup_sent_invitations::FakeFailure>();
        send_sync::<linkup_sent_invitations::FakeRequest>();
    }
    send_sync::<linkup_sent_invitations::ResumePoint>();
    send_sync::<linkup_sent_invitations::Withdrawal>();
    send_sync::<Error>();
    send_sync::<TransportError>();
    send_sync::<SentInvitationsPage>();
    send_sync::<Invitation>();
    send_sync::<Pagination>();
    send_sync::<InvitationType>();
    send_sync::<InvitationState>();
    send_sync::<Country>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<Error>();
}

#[test]
fn a_paginator_moves_to_another_thread() {
    let server = fake_api::start(30);
    let config = config(server.base_url());
    let pages = Paginator::new(&config, Params::new(TOKEN));
    let count = std::thread::spawn(move || pages.count()).join().unwrap();
    assert_eq!(count, 3);
}

#[test]
fn a_resume_point_reads_back_exactly_and_refuses_what_no_walk_prints() {
    use linkup_sent_invitations::ResumePoint;
    let text = "v1:newest:7329176687475109888:59:138";
    let point: ResumePoint = text.parse().unwrap();
    assert_eq!(point.to_string(), text);
    for bad in [
        "v1:newest:7329176687475109888:59:138:",
        "v1:newest:7329176687475109888:59:138:7",
        "v1:newest:7329176687475109888:59",
        "v3:newest:7329176687475109888:59:138",
        "v1:sideways:7329176687475109888:59:138",
        "v1:newest:+7329176687475109888:59:138",
        "v1:newest:0:0:0",
        "v1:newest:7329176687475109888:139:138",
        "v1:newest:7329176687475109888:42949672950000:-",
    ] {
        assert!(bad.parse::<ResumePoint>().is_err(), "{bad}");
    }
}
