//! The test fake users script their own tests with, and `fake_server` stands on: seeded ids,
//! failures every k-th request or at random (seeded), a log line per request, and what it
//! performed.

use std::io::Write;
use std::sync::{Arc, Mutex};

use linkup_sent_invitations::{
    withdraw_invitation, Config, Error, FakeApi, FakeFailure, Paginator, Params,
};

fn config(fake: &FakeApi) -> Config {
    Config::new("test-key")
        .base_url(fake.base_url())
        .requests_per_minute(0)
        .retry_backoff(std::time::Duration::from_millis(1))
}

fn ids(fake: &FakeApi) -> Vec<u64> {
    let config = config(fake).max_retries(10);
    Paginator::new(&config, Params::new("token"))
        .items()
        .map(|i| i.unwrap().invitation_id)
        .collect()
}

#[test]
fn a_seeded_fake_serves_the_same_ids_at_every_start_and_another_seed_others() {
    let start = |seed| {
        let fake = FakeApi::start(25);
        fake.seed(seed);
        fake
    };
    let (first, again, other) = (start(42), start(42), start(43));
    assert_eq!(ids(&first), ids(&again));
    assert_ne!(ids(&first), ids(&other));
    assert_eq!(ids(&first).len(), 25);
    assert_eq!(first.invitation_id(0), ids(&first)[0]);
    // The newest was sent at 2026-12-01T00:00:00Z, whenever the fake started.
    let newest = Paginator::new(&config(&first), Params::new("token"))
        .items()
        .next()
        .unwrap()
        .unwrap();
    let sent = newest.sent_at().unwrap();
    let at = sent
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(at, 1_796_083_200);
    // An arrival is sent now: newer than all of them.
    first.arrive(1);
    let arrived = ids(&first)[0];
    assert!(arrived > newest.invitation_id);
    assert_eq!(ids(&first).len(), 26);
}

#[test]
fn failures_every_kth_request_and_at_random_are_the_same_at_every_run_of_a_seed() {
    let statuses = |seed| {
        let fake = FakeApi::start(200);
        // The first rule that applies answers: every seventh, else 30% at random.
        fake.seed(seed)
            .fail_every(7, FakeFailure::rate_limited(0))
            .fail_randomly(0.3, FakeFailure::reply(503, "<html>busy</html>"));
        assert_eq!(ids(&fake).len(), 200, "every page in the end");
        let requests = fake.requests();
        let every_seventh = requests
            .iter()
            .enumerate()
            .filter(|(at, _)| (at + 1) % 7 == 0)
            .all(|(_, r)| r.status == 429);
        assert!(every_seventh, "{requests:?}");
        requests.iter().map(|r| r.status).collect::<Vec<_>>()
    };
    let first = statuses(7);
    assert_eq!(first, statuses(7), "the same draws from the same seed");
    assert_ne!(first, statuses(8));
    let failed = first.iter().filter(|s| **s == 503).count();
    // 30% of the requests that are not every seventh, give or take.
    assert!((3..=20).contains(&failed), "{first:?}");
}

#[test]
fn a_hang_up_of_a_withdrawal_withdraws_first_and_the_log_says_so_before_the_reply() {
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(bytes)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Shared::default();
    let fake = FakeApi::start(5);
    fake.fail_every(2, FakeFailure::hang_up()).log(log.clone());
    let config = config(&fake).max_retries(0);
    let params = Params::new("token");
    let (a, b) = (fake.invitation_id(0), fake.invitation_id(1));
    assert!(withdraw_invitation(&config, &params, a).is_ok());
    let err = withdraw_invitation(&config, &params, b).unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert!(!fake.is_pending(a) && !fake.is_pending(b), "both performed");
    let requests = fake.requests();
    assert_eq!(
        requests
            .iter()
            .map(|r| (r.withdrew, r.status, r.credits))
            .collect::<Vec<_>>(),
        [(true, 200, 1), (true, 0, 1)]
    );
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[1]["invitation_id"], b.to_string());
    assert_eq!(lines[1]["withdrew"], true);
    assert_eq!(lines[1]["status"], 0);
    assert_eq!(lines[1]["path"], "/v1/network/withdraw-invitation");
    // A refusal withdraws nothing.
    let _ = withdraw_invitation(&config, &params, a);
    assert!(!fake.requests()[2].withdrew);
}
