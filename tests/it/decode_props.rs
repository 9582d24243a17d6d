//! Property tests: no bytes a server sends make the client panic. Arbitrary bytes, mutated valid
//! pages and pages with fields swapped for values of other types go through the whole reply path
//! (a local server answers each case) and straight into `SentInvitationsPage`.

use crate::support;

use std::sync::{Arc, Mutex};

use linkup_sent_invitations::{fetch_sent_invitations, Error, Params, SentInvitationsPage};
use proptest::prelude::*;
use serde_json::{json, Value};
use support::{config, fake_api, http_response, Action, RawServer, TOKEN};

/// A server whose next reply body the test sets; one connection serves every case.
fn scripted() -> (RawServer, Arc<Mutex<Vec<u8>>>) {
    let body = Arc::new(Mutex::new(Vec::new()));
    let next = body.clone();
    let server =
        RawServer::start(move |_, _| Action::Write(http_response(200, "", &next.lock().unwrap())));
    (server, body)
}

/// Sends `bytes` through the whole reply path and checks the outcome is well formed.
fn check_reply(
    server: &RawServer,
    body: &Mutex<Vec<u8>>,
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    *body.lock().unwrap() = bytes.to_vec();
    let config = config(server.base_url()).max_retries(0);
    match fetch_sent_invitations(&config, &Params::new(TOKEN)) {
        Ok(page) => {
            // A success must round-trip through serde like any page.
            let text = serde_json::to_string(&page).unwrap();
            prop_assert_eq!(
                serde_json::from_str::<SentInvitationsPage>(&text).unwrap(),
                page
            );
        }
        Err(err) => {
            prop_assert!(
                !matches!(err, Error::Transport(_) | Error::InvalidParams(_)),
                "{:?}",
                err
            );
            prop_assert_eq!(err.status(), Some(200));
            prop_assert!(err.to_string().chars().count() < 800);
        }
    }
    // The same bytes straight into the public type: Ok or Err, never a panic.
    let _ = serde_json::from_slice::<SentInvitationsPage>(bytes);
    Ok(())
}

fn valid_page() -> Value {
    fake_api::pages_reply(138, 1, 1)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,30}".prop_map(Value::from),
        Just(json!([])),
        Just(json!({})),
    ]
}

const FIELDS: [&str; 10] = [
    "name",
    "profile_url",
    "subtitle",
    "sent_time",
    "invitation_id",
    "invitation_state",
    "message",
    "entity_urn",
    "profile_picture",
    "invitation_type",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (server, body) = scripted();
        check_reply(&server, &body, &bytes)?;
    }

    #[test]
    fn mutated_valid_pages_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let (server, body) = scripted();
        let mut bytes = valid_page().to_string().into_bytes();
        for (at, byte, kind) in edits {
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => bytes.truncate(i),
                _ => bytes.insert(i, byte),
            }
            if bytes.is_empty() {
                break;
            }
        }
        check_reply(&server, &body, &bytes)?;
    }

    #[test]
    fn fields_of_the_wrong_type_never_panic(
        swaps in proptest::collection::vec((0usize..10, 0usize..10, scalar()), 1..6),
    ) {
        let (server, body) = scripted();
        let mut page = valid_page();
        for (invitation, field, value) in swaps {
            page["data"]["invitations"][invitation][FIELDS[field]] = value;
        }
        check_reply(&server, &body, page.to_string().as_bytes())?;
    }
}
