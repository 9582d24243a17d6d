//! The same calls through LinkUp's v2 API (`Params::account`), against local servers built from
//! the documented v2 bodies: the request's shape, a walk's offsets and credits, the documented
//! sample mapped field by field, every error code, and refusals that send nothing.

use crate::support;

use std::collections::HashSet;
use std::time::Duration;

use httpmock::MockServer;
use linkup_sent_invitations::{
    fetch_sent_invitations, Country, Error, InvitationState, InvitationType, Paginator, Params,
};
use support::{config, fixture, http_response, live_list, offsets_asked, timed_ids, Action};
use support::{RawServer, KEY};

const ACCOUNT: &str = "acct-SECRET-9f2e";

#[test]
fn a_v2_call_has_the_documented_shape() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method("POST")
            .path("/v2/network")
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .json_body(serde_json::json!({
                "account_id": ACCOUNT,
                "action": "list_sent",
                "params": {"count": 50, "offset": 0, "invitation_type": "ORGANIZATION"},
            }));
        then.status(200).body(fixture("v2-list-sent.json"));
    });
    let params = Params::account(ACCOUNT).invitation_type(InvitationType::Organization);
    fetch_sent_invitations(&config(server.base_url()), &params).unwrap();
    mock.assert_calls(1);

    // Pages count in 50s; total_results in invitations.
    let server = MockServer::start();
    let pages = server.mock(|when, then| {
        when.json_body_includes(r#"{"params":{"count":100,"offset":50}}"#);
        then.status(200).body(fixture("v2-list-sent.json"));
    });
    let total = server.mock(|when, then| {
        when.json_body_includes(r#"{"params":{"count":7,"offset":0}}"#);
        then.status(200).body(fixture("v2-list-sent.json"));
    });
    let config = config(server.base_url());
    fetch_sent_invitations(&config, &Params::account(ACCOUNT).pages(2, 3)).unwrap();
    fetch_sent_invitations(&config, &Params::account(ACCOUNT).total_results(7)).unwrap();
    pages.assert_calls(1);
    total.assert_calls(1);
}

#[test]
fn the_documented_sample_maps_field_by_field() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/v2/network");
        then.status(200).body(fixture("v2-list-sent.json"));
    });
    let page =
        fetch_sent_invitations(&config(server.base_url()), &Params::account(ACCOUNT)).unwrap();
    assert_eq!(page.total_results, 1);
    assert_eq!(page.total_available_results, Some(145));
    assert_eq!(page.credits_consumed, Some(1));
    let offsets = page.offset_pagination.as_ref().unwrap();
    assert_eq!(
        (
            offsets.offset,
            offsets.count,
            offsets.next_offset,
            offsets.has_more
        ),
        (0, 1, Some(1), Some(true))
    );
    let pagination = page.pagination.as_ref().unwrap();
    assert_eq!((pagination.start_page, pagination.end_page), (1, 1));
    assert_eq!(
        pagination.results_per_page, 50,
        "a v2 page is what one credit buys"
    );

    let bob = &page.invitations[0];
    assert_eq!(bob.name, "Bob Williams");
    assert_eq!(
        bob.profile_url.as_deref(),
        Some("https://www.linkedin.com/in/bobwilliams")
    );
    assert_eq!(bob.subtitle.as_deref(), Some("CTO at StartupXYZ"));
    assert_eq!(
        bob.profile_picture.as_deref(),
        Some("https://media.licdn.com/dms/image/...")
    );
    assert_eq!(bob.invitation_type, Some(InvitationType::Connection));
    assert_eq!(bob.sent_time.as_deref(), Some("5d"));
    assert_eq!(bob.sent_days_ago(), Some(5));
    assert_eq!(
        bob.entity_urn.as_deref(),
        Some("urn:li:invitation:987654321")
    );
    assert_eq!(
        bob.invitation_id, 987654321,
        "the number at the end of the URN"
    );
    assert_eq!(bob.sent_at(), None, "a short id carries no time");
    assert_eq!(bob.invitation_state, Some(InvitationState::Pending));
    assert_eq!(bob.message, None);
}

#[test]
fn a_big_id_in_the_urn_is_exact_and_carries_its_time() {
    let id = timed_ids(1, 1)[0];
    let server = live_list(vec![id], |_, _| {});
    let page =
        fetch_sent_invitations(&config(server.base_url()), &Params::account(ACCOUNT)).unwrap();
    assert_eq!(page.invitations[0].invitation_id, id);
    assert!(page.invitations[0].sent_at().is_some());
}

#[test]
fn a_walk_of_138_takes_3_requests_and_3_credits() {
    let ids = timed_ids(138, 6);
    let server = live_list(ids.clone(), |_, _| {});
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::account(ACCOUNT)).items();
    let got: Vec<u64> = pages.by_ref().map(|i| i.unwrap().invitation_id).collect();
    assert_eq!(got, ids);
    assert_eq!(offsets_asked(&server), [0, 50, 100]);
    assert_eq!(
        pages.paginator().credits_used(),
        3,
        "v1 would have taken 14"
    );
    assert_eq!(pages.paginator().total_pages(), Some(3));
}

#[test]
fn a_walk_stops_on_has_more_false_without_a_total() {
    for count in [100, 120] {
        let ids = timed_ids(count, 6);
        let server = live_list(ids.clone(), |_, list| list.without_total = true);
        let config = config(server.base_url());
        let mut pages = Paginator::new(&config, Params::account(ACCOUNT)).items();
        assert_eq!(pages.by_ref().count() as u64, count);
        // 100: the second page is full but says has_more: false, so no third request.
        assert_eq!(
            offsets_asked(&server).len(),
            if count == 100 { 2 } else { 3 }
        );
    }
}

#[test]
fn an_oldest_first_v2_walk_reads_offset_0_then_from_the_end_one_page_anchoring_the_next() {
    let ids = timed_ids(138, 6);
    let server = live_list(ids.clone(), |_, _| {});
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::account(ACCOUNT))
        .oldest_first()
        .items();
    let got: Vec<u64> = pages.by_ref().map(|i| i.unwrap().invitation_id).collect();
    assert_eq!(got, ids.iter().rev().copied().collect::<Vec<_>>());
    // Offset 0 for the total, the last 50, then 50 ending on the first of those: it is found
    // there, so nothing slipped between them. Offset 0, kept, overlaps the rest.
    assert_eq!(offsets_asked(&server), [0, 88, 39]);
    assert_eq!(pages.paginator().credits_used(), 3);

    // The 25 oldest: offset 0 for the total, then the last page holds them all.
    let server = live_list(ids.clone(), |_, _| {});
    let config = support::config(server.base_url());
    let params = Params::account(ACCOUNT).total_results(25);
    let mut pages = Paginator::new(&config, params).oldest_first().items();
    let got: Vec<u64> = pages.by_ref().map(|i| i.unwrap().invitation_id).collect();
    assert_eq!(got, ids.iter().rev().take(25).copied().collect::<Vec<_>>());
    assert_eq!(offsets_asked(&server), [0, 88]);
    assert_eq!(pages.paginator().credits_used(), 2);

    // 1,000: page 1, then 49 new invitations a credit from the end.
    let ids = timed_ids(1000, 1);
    let server = live_list(ids.clone(), |_, _| {});
    let config = support::config(server.base_url());
    let mut pages = Paginator::new(&config, Params::account(ACCOUNT))
        .oldest_first()
        .items();
    assert_eq!(pages.by_ref().count(), 1000);
    assert_eq!(
        pages.paginator().credits_used(),
        21,
        "20 for a newest-first walk"
    );
}

#[test]
fn a_changing_list_keeps_its_guarantees_in_v2() {
    let ids = timed_ids(138, 6);
    let gone = ids[0];
    let server = live_list(ids.clone(), move |index, list| {
        if index == 1 {
            list.ids.retain(|id| *id != gone);
        }
    });
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::account(ACCOUNT)).items();
    let got: Vec<u64> = pages.by_ref().map(|i| i.unwrap().invitation_id).collect();
    let unique: HashSet<u64> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len());
    assert!(
        ids[1..].iter().all(|id| unique.contains(id)),
        "nothing lost"
    );
    // The shrink shows on the second page; one read straddling the boundary (25 on each
    // side) holds what slid across it and joins both pages.
    assert_eq!(offsets_asked(&server), [0, 50, 25, 100]);
    assert_eq!(pages.paginator().possibly_missed(), 0);
}

fn v2_error(code: &str, status: u16) -> Vec<u8> {
    let body = serde_json::json!({
        "success": false,
        "error": {"code": code, "message": format!("{code} for {ACCOUNT}")},
        "metadata": {"action": "list_sent", "credits_consumed": 0, "timestamp": "2026-03-24T12:00:00Z"},
    });
    http_response(status, "", body.to_string().as_bytes())
}

#[test]
fn every_error_code_maps_to_its_error_and_costs_nothing() {
    type Check = fn(&Error) -> bool;
    let cases: [(&str, u16, Check, usize); 8] = [
        (
            "INVALID_API_KEY",
            403,
            |e| matches!(e, Error::Unauthorized { status: 403, .. }),
            1,
        ),
        (
            "ACCOUNT_INACTIVE",
            403,
            |e| matches!(e, Error::Unauthorized { .. }),
            1,
        ),
        (
            "INVALID_ACCOUNT",
            404,
            |e| matches!(e, Error::Api { status: 404, .. }),
            1,
        ),
        (
            "INVALID_ACTION",
            400,
            |e| matches!(e, Error::Api { status: 400, .. }),
            1,
        ),
        (
            "INVALID_PARAMS",
            400,
            |e| matches!(e, Error::Api { status: 400, .. }),
            1,
        ),
        (
            "INSUFFICIENT_CREDITS",
            402,
            |e| matches!(e, Error::InsufficientCredits { .. }),
            1,
        ),
        (
            "RATE_LIMITED",
            429,
            |e| matches!(e, Error::RateLimited { .. }),
            3,
        ),
        (
            "INTERNAL_ERROR",
            500,
            |e| matches!(e, Error::Server { status: 500, .. }),
            3,
        ),
    ];
    for (code, status, check, requests) in cases {
        let reply = v2_error(code, status);
        let server = RawServer::start(move |_, _| Action::Write(reply.clone()));
        let config = config(server.base_url());
        let mut pages = Paginator::new(&config, Params::account(ACCOUNT)).items();
        let err = pages.next().unwrap().unwrap_err();
        assert!(check(&err), "{code}: {err:?}");
        let text = err.to_string();
        assert!(text.contains(code), "the code is kept: {text}");
        assert!(
            !text.contains(ACCOUNT),
            "the account id is scrubbed: {text}"
        );
        assert_eq!(
            server.request_count(),
            requests,
            "{code}: retried only if free"
        );
        assert_eq!(
            pages.paginator().credits_used(),
            0,
            "{code}: v2 errors consume no credit"
        );
    }
    // The documented body itself.
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(403)
            .body(fixture("v2-error-invalid-api-key.json"));
    });
    let err =
        fetch_sent_invitations(&config(server.base_url()), &Params::account(ACCOUNT)).unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { status: 403, message }
            if message == "The provided API key is invalid or missing (INVALID_API_KEY)"),
        "{err:?}"
    );
}

#[test]
fn a_rate_limit_is_retried_for_free() {
    let limited = {
        let body = serde_json::json!({"success": false,
            "error": {"code": "RATE_LIMITED", "message": "Too many requests"},
            "metadata": {"credits_consumed": 0}});
        http_response(429, "retry-after: 0\r\n", body.to_string().as_bytes())
    };
    let ok = http_response(200, "", fixture("v2-list-sent.json").as_bytes());
    let server = RawServer::start(move |index, _| {
        Action::Write(if index == 0 {
            limited.clone()
        } else {
            ok.clone()
        })
    });
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, Params::account(ACCOUNT))
        .max_credits(1)
        .items();
    assert!(pages.next().unwrap().is_ok());
    assert_eq!(server.request_count(), 2);
    assert_eq!(
        pages.paginator().credits_used(),
        1,
        "only the page, as metadata.credits_consumed said"
    );
}

#[test]
fn v2_refusals_send_nothing() {
    let server = MockServer::start();
    let any = support::any_request(&server);
    let config = config(server.base_url()).timeout(Duration::from_secs(5));
    for (params, says) in [
        (
            Params::account(ACCOUNT).country(Country::Us),
            "take no country",
        ),
        (Params::account("  "), "account_id is empty"),
        (Params::account(ACCOUNT).pages(3, 2), "before start page"),
    ] {
        let err = fetch_sent_invitations(&config, &params).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParams(reason) if reason.contains(says)),
            "{err:?}"
        );
        let mut pages = Paginator::new(&config, params).items();
        assert!(matches!(pages.next(), Some(Err(Error::InvalidParams(_)))));
    }
    any.assert_calls(0);
}

#[test]
fn the_account_id_never_shows_in_debug() {
    let debug = format!("{:?}", Params::account(ACCOUNT));
    assert!(
        !debug.contains(ACCOUNT) && debug.contains("account_id"),
        "{debug}"
    );
}

// ---------------------------------------------------------------------------------------------
// Moving to v2: connect_account
// ---------------------------------------------------------------------------------------------

#[test]
fn connect_account_posts_the_documented_body_and_returns_the_id() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method("POST")
            .path("/v2/login")
            .header("x-api-key", KEY)
            .json_body(serde_json::json!(
                {"platform": "linkedin", "login_token": support::TOKEN, "country": "DE"}));
        then.status(200)
            .body(r#"{"success":true,"data":{"account_id":"acc_abc123"}}"#);
    });
    let params = Params::new(support::TOKEN).country(Country::De);
    let id = linkup_sent_invitations::connect_account(&config(server.base_url()), &params);
    assert_eq!(id.unwrap(), "acc_abc123");
    mock.assert_calls(1);

    // Without a country, none is sent.
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.json_body(serde_json::json!(
            {"platform": "linkedin", "login_token": support::TOKEN}));
        then.status(200)
            .body(r#"{"success":true,"data":{"account_id":"acc_abc123"}}"#);
    });
    let params = Params::new(support::TOKEN);
    linkup_sent_invitations::connect_account(&config(server.base_url()), &params).unwrap();
    mock.assert_calls(1);
}

#[test]
#[cfg(feature = "test-util")] // FakeApi; `cargo test` in this repository turns it on
fn the_whole_move_to_v2_on_the_fake_costs_nothing_then_a_fifth() {
    let fake = linkup_sent_invitations::FakeApi::start(138);
    let config = config(fake.base_url());
    let id =
        linkup_sent_invitations::connect_account(&config, &Params::new(support::TOKEN)).unwrap();
    let again = linkup_sent_invitations::connect_account(&config, &Params::new(support::TOKEN));
    assert_eq!(again.unwrap(), id, "the same id for the same token");
    assert_eq!(fake.credits_charged(), 0, "connecting is free");
    let count = Paginator::new(&config, Params::account(id)).items().count();
    assert_eq!(count, 138);
    assert_eq!(fake.credits_charged(), 3);
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths[..2], ["/v2/login", "/v2/login"]);
}

#[test]
fn connect_account_refuses_what_it_cannot_use_and_reads_errors() {
    // An account id is connected already: nothing sent.
    let server = MockServer::start();
    let any = support::any_request(&server);
    let err = linkup_sent_invitations::connect_account(
        &config(server.base_url()),
        &Params::account(ACCOUNT),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidParams(_)), "{err:?}");
    let err =
        linkup_sent_invitations::connect_account(&config(server.base_url()), &Params::new(" "))
            .unwrap_err();
    assert!(matches!(err, Error::InvalidParams(_)), "{err:?}");
    any.assert_calls(0);

    // An expired token, by v2's code; a reply without an id.
    for (status, body, unauthorized) in [
        (403, v2_error("ACCOUNT_INACTIVE", 403), true),
        (200, br#"{"success":true,"data":{}}"#.to_vec(), false),
    ] {
        let server = RawServer::start(move |_, _| Action::Write(http_response(status, "", &body)));
        let err = linkup_sent_invitations::connect_account(
            &config(server.base_url()),
            &Params::new(support::TOKEN),
        )
        .unwrap_err();
        if unauthorized {
            assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
        } else {
            assert!(matches!(err, Error::Decode { .. }), "{err:?}");
            assert!(err.to_string().contains("account_id"), "{err}");
        }
    }
}
