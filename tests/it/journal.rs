//! The withdrawal journal through the public API, on local servers and real files: the lock
//! (in this process and from another), the attempt on disk before the request, no resend after
//! each first outcome across reopening, the one resend after the settling time, paths that are
//! no journal, and withdrawals answered 5xx with a rate-limit body. (Crashes at every step and
//! lagging lists are the simulation's: `tests/journal_sim`.)

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use linkup_sent_invitations::{
    withdraw_invitation, Config, Error, FakeApi, FakeFailure, Listing, Paginator, Params,
    WithdrawalJournal, WithdrawalState,
};
use support::{config, http_response, Action, RawServer, KEY, TOKEN};

const ACCOUNT: &str = "acct-SECRET-9f2e-journal";

/// A folder of this test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("linkup-journal-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn journal(&self) -> PathBuf {
        self.0.join("withdrawals.jsonl")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fake_config(fake: &FakeApi) -> Config {
    config(fake.base_url())
}

/// Lists everything, newest first, as a listing the journal can settle by.
fn listed(config: &Config, params: &Params) -> Listing {
    let mut listing = Listing::new(Paginator::new(config, params.clone()));
    for page in &mut listing {
        page.unwrap();
    }
    listing
}

fn withdrawals(fake: &FakeApi) -> Vec<u64> {
    fake.requests()
        .iter()
        .filter_map(|r| r.invitation_id)
        .collect()
}

#[test]
fn a_second_holder_in_this_process_is_refused_at_once() {
    let scratch = Scratch::new("lock");
    let path = scratch.journal();
    let journal = WithdrawalJournal::open(&path).unwrap();
    let started = std::time::Instant::now();
    let err = WithdrawalJournal::open(&path).unwrap_err();
    assert!(matches!(err, Error::JournalInUse { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(err.to_string().contains("another run"), "{err}");
    drop(journal);
    WithdrawalJournal::open(&path).expect("free once the first holder is gone");
}

/// Run by `a_holder_in_another_process_...` in a child process: holds the journal named in
/// the environment until its stdin closes.
#[test]
fn hold_the_journal_for_another_process() {
    let Ok(path) = std::env::var("LINKUP_HOLD_JOURNAL") else {
        return; // only as the child
    };
    let _journal = WithdrawalJournal::open(&path).unwrap();
    println!("held");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[test]
fn a_holder_in_another_process_keeps_the_journal_until_it_dies() {
    let scratch = Scratch::new("process");
    let path = scratch.journal();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "journal::hold_the_journal_for_another_process",
            "--nocapture",
        ])
        .env("LINKUP_HOLD_JOURNAL", &path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the child says it holds it.
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("held") {
        line.clear();
        assert_ne!(
            std::io::BufRead::read_line(&mut out, &mut line).unwrap(),
            0,
            "the child ended without holding the journal"
        );
    }
    let err = WithdrawalJournal::open(&path).unwrap_err();
    assert!(matches!(err, Error::JournalInUse { .. }), "{err:?}");
    // kill -9: the lock dies with its process.
    child.kill().unwrap();
    child.wait().unwrap();
    WithdrawalJournal::open(&path).expect("free once the holder is killed");
}

#[test]
fn the_attempt_is_on_disk_when_the_request_arrives() {
    let scratch = Scratch::new("record-first");
    let path = scratch.journal();
    let id = 7_453_486_530_700_017_665u64;
    let seen_on_disk = Arc::new(Mutex::new(None));
    let (file, seen) = (path.clone(), seen_on_disk.clone());
    let server = RawServer::start(move |_, _| {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        *seen.lock().unwrap() = Some(text);
        Action::Write(http_response(
            200,
            "",
            br#"{"status":"success","message":"Connection invitation withdrawn successfully"}"#,
        ))
    });
    let mut journal = WithdrawalJournal::open(&path).unwrap();
    let done = journal
        .withdraw(&config(server.base_url()), &Params::new(TOKEN), id)
        .unwrap();
    assert_eq!(done.credits, 1);
    let on_disk = seen_on_disk.lock().unwrap().clone().expect("a request");
    assert!(
        on_disk.contains(&format!(r#""invitation_id":"{id}","event":"attempting""#)),
        "{on_disk}"
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.contains(r#""event":"withdrawn""#), "{after}");
    assert_eq!(journal.state(id), WithdrawalState::Withdrawn);
}

#[test]
fn no_first_outcome_is_sent_again_across_reopening() {
    // Withdrawn, refused, and sent with no answer: each stays unsent, run after run.
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let params = Params::new(TOKEN);
    let (done, refused, unknown) = (
        fake.invitation_id(29),
        fake.invitation_id(28),
        fake.invitation_id(27),
    );
    fake.fail_withdraw(
        refused,
        FakeFailure::reply(
            400,
            r#"{"status":"error","message":"Invitation not found or not pending"}"#,
        ),
    );
    fake.fail_withdraw(unknown, FakeFailure::reply(502, "<html>Bad Gateway</html>"));
    let scratch = Scratch::new("first-outcomes");
    let path = scratch.journal();
    {
        let mut journal = WithdrawalJournal::open(&path).unwrap();
        assert!(journal.withdraw(&config, &params, done).is_ok());
        assert!(matches!(
            journal.withdraw(&config, &params, refused),
            Err(Error::Api { .. })
        ));
        assert!(matches!(
            journal.withdraw(&config, &params, unknown),
            Err(Error::OutcomeUnknown { .. })
        ));
    }
    assert_eq!(withdrawals(&fake), [done, refused, unknown]);
    for _ in 0..2 {
        let mut journal = WithdrawalJournal::open(&path).unwrap();
        journal.settle(&listed(&config, &params)).unwrap();
        for id in [done, refused, unknown] {
            let err = journal.withdraw(&config, &params, id).unwrap_err();
            assert!(matches!(err, Error::Journaled { .. }), "{id}: {err:?}");
        }
        assert_eq!(journal.state(done), WithdrawalState::Withdrawn);
        assert!(matches!(
            journal.state(refused),
            WithdrawalState::Refused { .. }
        ));
        // The 502 left it pending, but the listing began less than the settling time later.
        assert!(matches!(
            journal.state(unknown),
            WithdrawalState::Unknown { sends: 1, .. }
        ));
    }
    assert_eq!(
        withdrawals(&fake),
        [done, refused, unknown],
        "nothing sent again"
    );
}

#[test]
fn an_unknown_outcome_is_sent_once_more_after_the_settling_time_and_never_a_third_time() {
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let params = Params::account(ACCOUNT);
    let id = fake.invitation_id(29);
    // Two server errors in a row: the invitation stays pending, and no answer says so.
    for _ in 0..2 {
        fake.fail_withdraw(
            id,
            FakeFailure::reply(503, "<html>Service Unavailable</html>"),
        );
    }
    let scratch = Scratch::new("resend");
    let path = scratch.journal();
    let mut journal = WithdrawalJournal::open(&path)
        .unwrap()
        .settling_time(Duration::ZERO);
    assert!(matches!(
        journal.withdraw(&config, &params, id),
        Err(Error::OutcomeUnknown { .. })
    ));
    // The next listing still shows it, and began after the (zero) settling time.
    std::thread::sleep(Duration::from_millis(5));
    let settled = journal.settle(&listed(&config, &params)).unwrap();
    assert_eq!(settled.still_pending, [id]);
    assert_eq!(journal.state(id), WithdrawalState::StillPending);
    // The one resend: unknown again.
    assert!(matches!(
        journal.withdraw(&config, &params, id),
        Err(Error::OutcomeUnknown { .. })
    ));
    std::thread::sleep(Duration::from_millis(5));
    journal.settle(&listed(&config, &params)).unwrap();
    assert!(matches!(
        journal.state(id),
        WithdrawalState::Unknown { sends: 2, .. }
    ));
    let err = journal.withdraw(&config, &params, id).unwrap_err();
    assert!(err.to_string().contains("never sent a third time"), "{err}");
    assert_eq!(withdrawals(&fake), [id, id], "at most two sends");
    assert!(fake.is_pending(id));
}

#[test]
fn a_listing_that_no_longer_shows_an_unknown_one_settles_it_as_gone() {
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let params = Params::new(TOKEN);
    let id = fake.invitation_id(29);
    // Withdrawn, then the connection drops: done, and no word of it.
    fake.fail_withdraw(id, FakeFailure::hang_up());
    let scratch = Scratch::new("gone");
    let path = scratch.journal();
    let mut journal = WithdrawalJournal::open(&path).unwrap();
    assert!(matches!(
        journal.withdraw(&config, &params, id),
        Err(Error::OutcomeUnknown { .. })
    ));
    // A listing that stops early, before reaching the oldest invitation, cannot tell.
    let mut partial = Listing::new(Paginator::new(&config, params.clone()));
    partial.next().unwrap().unwrap();
    assert_eq!(journal.settle(&partial).unwrap().unknown, [id]);
    // A whole one can.
    let settled = journal.settle(&listed(&config, &params)).unwrap();
    assert_eq!(settled.gone, [id]);
    assert_eq!(journal.state(id), WithdrawalState::Gone);
    assert_eq!(withdrawals(&fake), [id]);
}

#[test]
fn a_path_that_is_no_regular_file_is_refused_before_anything_is_sent() {
    let scratch = Scratch::new("not-files");
    let dir = scratch.0.clone();
    let fifo = dir.join("fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut paths: Vec<PathBuf> = ["/dev/null", "/dev/zero", "/dev/full"]
        .iter()
        .map(PathBuf::from)
        .collect();
    paths.push(dir.clone());
    if made.is_ok_and(|s| s.success()) {
        paths.push(fifo);
    }
    for path in paths {
        let started = std::time::Instant::now();
        let err = WithdrawalJournal::open(&path).unwrap_err();
        assert!(matches!(err, Error::Journal { .. }), "{path:?}: {err:?}");
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{path:?} blocked"
        );
    }
    let missing = Path::new("/nonexistent-folder/withdrawals.jsonl");
    assert!(matches!(
        WithdrawalJournal::open(missing),
        Err(Error::Journal { .. })
    ));
}

#[test]
fn a_5xx_with_a_rate_limit_body_is_an_unknown_outcome_in_both_generations() {
    let v1 = br#"{"status":"error","message":"Rate limit exceeded. Please try again later"}"#;
    let v2 =
        br#"{"success":false,"error":{"code":"RATE_LIMITED","message":"Rate limit exceeded"}}"#;
    for status in [500, 502, 503, 504] {
        for (params, body) in [
            (Params::new(TOKEN), &v1[..]),
            (Params::account(ACCOUNT), &v2[..]),
        ] {
            let server = RawServer::start(move |_, _| {
                Action::Write(http_response(status, "retry-after: 0\r\n", body))
            });
            let config = config(server.base_url()).max_retries(3);
            let err = withdraw_invitation(&config, &params, 7_453_486_530_700_017_665).unwrap_err();
            assert!(
                matches!(err, Error::OutcomeUnknown { .. }),
                "HTTP {status}: {err:?}"
            );
            assert_eq!(server.request_count(), 1, "HTTP {status}: never retried");
            assert!(!err.to_string().contains(KEY));
        }
    }
}

/// A documented refusal counts as "nothing done" only word for word and with a status the docs
/// pair it with. The same words with another status (a 404, a 409, a 418) say nothing of what
/// was done: unknown, sent once, never retried; a message that merely contains them, in the
/// documented envelope, is a refusal in other words: final, never sent again.
#[test]
fn documented_words_with_an_unnamed_status_or_inside_other_words_are_an_unknown_outcome() {
    let v1 = |message: &str| format!(r#"{{"status":"error","message":"{message}"}}"#);
    let v2 = |code: &str| {
        format!(r#"{{"success":false,"error":{{"code":"{code}","message":"refused"}}}}"#)
    };
    let rate = "Rate limit exceeded. Please try again later";
    let cookie = "Invalid or expired LinkedIn cookie";
    let credits = "Insufficient credits available";
    #[derive(Debug, PartialEq)]
    enum Then {
        Unknown,
        Refused,
        NothingDone,
    }
    let cases: Vec<(u8, u16, String, Then)> = vec![
        (1, 404, v1(rate), Then::Unknown),
        (1, 404, v1(cookie), Then::Unknown),
        (1, 409, v1(rate), Then::Unknown),
        (1, 418, v1(credits), Then::Unknown),
        (1, 408, v1(rate), Then::Unknown),
        (2, 404, v2("RATE_LIMITED"), Then::Unknown),
        (2, 408, v2("RATE_LIMITED"), Then::Unknown),
        (2, 400, v2("INSUFFICIENT_CREDITS"), Then::Unknown),
        (2, 404, v2("INVALID_PARAMS"), Then::Unknown),
        (1, 404, "<html>Not Found</html>".to_owned(), Then::Unknown),
        (
            1,
            200,
            v1("Invitation withdrawn, but then: rate limit exceeded"),
            Then::Refused,
        ),
        (1, 200, v1("Rate limit exceeded"), Then::Refused),
        (
            1,
            400,
            v1("Insufficient credits available for the follow-up"),
            Then::Refused,
        ),
        // Documented: nothing done, sent again.
        (1, 200, v1(rate), Then::NothingDone),
        (1, 400, v1(&cookie.to_ascii_lowercase()), Then::NothingDone),
        (1, 200, v1(&format!("  {credits} ")), Then::NothingDone),
        (2, 404, v2("INVALID_ACCOUNT"), Then::NothingDone),
        (2, 400, v2("INVALID_ACTION"), Then::NothingDone),
    ];
    for (generation, status, body, then) in cases {
        let scratch = Scratch::new("unnamed-status");
        let reply = body.clone();
        let server = RawServer::start(move |_, _| {
            Action::Write(http_response(
                status,
                "retry-after: 0\r\n",
                reply.as_bytes(),
            ))
        });
        let config = config(server.base_url()).max_retries(2);
        let params = match generation {
            1 => Params::new(TOKEN),
            _ => Params::account("acc_0123456789abcdef"),
        };
        let mut journal = WithdrawalJournal::open(scratch.journal()).unwrap();
        let id = 7_453_486_530_700_017_665;
        let case = format!("v{generation} HTTP {status} {body}");
        assert!(journal.withdraw(&config, &params, id).is_err(), "{case}");
        let state = journal.state(id);
        match then {
            Then::NothingDone => assert_eq!(state, WithdrawalState::NotSent, "{case}"),
            Then::Refused => assert!(
                matches!(state, WithdrawalState::Refused { .. }),
                "{case}: {state:?}"
            ),
            Then::Unknown => assert!(
                matches!(state, WithdrawalState::Unknown { sends: 1, .. }),
                "{case}: {state:?}"
            ),
        }
        if then != Then::NothingDone {
            assert_eq!(server.request_count(), 1, "{case}: never retried");
            // And not sent again by the next call either.
            assert!(journal.withdraw(&config, &params, id).is_err(), "{case}");
            assert_eq!(server.request_count(), 1, "{case}: never sent again");
        }
    }
}

#[test]
fn a_journal_line_cut_short_is_dropped_and_any_other_bad_line_refused() {
    let scratch = Scratch::new("lines");
    let path = scratch.journal();
    std::fs::write(
        &path,
        "{\"at\":\"2026-11-26T09:00:01.250Z\",\"invitation_id\":\"42\",\"event\":\"withdrawn\"}\n{\"at\":\"2026-11-2",
    )
    .unwrap();
    let journal = WithdrawalJournal::open(&path).unwrap();
    assert_eq!(journal.state(42), WithdrawalState::Withdrawn);
    drop(journal);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with("}\n"), "the cut line is gone: {text:?}");
    std::fs::write(&path, "not a journal\n{}\n").unwrap();
    let err = WithdrawalJournal::open(&path).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn a_last_line_that_is_whole_json_but_no_entry_is_refused_not_dropped() {
    let scratch = Scratch::new("whole-last-line");
    let path = scratch.journal();
    let first =
        "{\"at\":\"2026-11-26T09:00:01.250Z\",\"invitation_id\":\"42\",\"event\":\"attempting\"}\n";
    // A `refused` written by hand, with the id as a number and no newline after it.
    let by_hand =
        "{\"at\":\"2026-11-26T09:00:02.250Z\",\"invitation_id\":42,\"event\":\"refused\"}";
    std::fs::write(&path, format!("{first}{by_hand}")).unwrap();
    let err = WithdrawalJournal::open(&path).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{first}{by_hand}"),
        "the file is left as it was"
    );
    // A whole entry without its newline is kept, and ended.
    let entry =
        "{\"at\":\"2026-11-26T09:00:02.250Z\",\"invitation_id\":\"42\",\"event\":\"refused\"}";
    std::fs::write(&path, format!("{first}{entry}")).unwrap();
    let journal = WithdrawalJournal::open(&path).unwrap();
    assert!(matches!(journal.state(42), WithdrawalState::Refused { .. }));
    drop(journal);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{first}{entry}\n")
    );
}

/// `sed -i` and most editors save a new file under the journal's name: the run that holds the
/// old one must not go on writing where no later run reads, nor send what it cannot record.
#[cfg(unix)]
#[test]
fn a_journal_replaced_while_held_stops_its_run_before_anything_more_is_sent() {
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let params = Params::new(TOKEN);
    let scratch = Scratch::new("replaced");
    let path = scratch.journal();
    let mut journal = WithdrawalJournal::open(&path).unwrap();
    let (first, second) = (fake.invitation_id(29), fake.invitation_id(28));
    journal.withdraw(&config, &params, first).unwrap();
    // As `sed -i` does: a copy, renamed over the name.
    let copy = scratch.0.join("sed-copy");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::rename(&copy, &path).unwrap();
    let err = journal.withdraw(&config, &params, second).unwrap_err();
    assert!(
        matches!(&err, Error::Journal { reason, .. } if reason.contains("was replaced")),
        "{err:?}"
    );
    assert_eq!(withdrawals(&fake), [first], "the second was not sent");
    assert!(journal.settle(&listed(&config, &params)).is_err());
    // The new file holds what the old one did, and a new run goes on from it.
    drop(journal);
    let mut journal = WithdrawalJournal::open(&path).unwrap();
    assert_eq!(journal.state(first), WithdrawalState::Withdrawn);
    journal.withdraw(&config, &params, second).unwrap();
    assert_eq!(withdrawals(&fake), [first, second]);
}

#[test]
fn a_listing_said_to_begin_in_the_future_allows_no_early_resend() {
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let params = Params::account(ACCOUNT);
    let id = fake.invitation_id(29);
    fake.fail_withdraw(
        id,
        FakeFailure::reply(503, "<html>Service Unavailable</html>"),
    );
    let scratch = Scratch::new("future-listing");
    let mut journal = WithdrawalJournal::open(scratch.journal()).unwrap();
    assert!(matches!(
        journal.withdraw(&config, &params, id),
        Err(Error::OutcomeUnknown { .. })
    ));
    let two_hours = std::time::SystemTime::now() + Duration::from_secs(2 * 60 * 60);
    let mut listing = Listing::began_at(Paginator::new(&config, params.clone()), two_hours);
    for page in &mut listing {
        page.unwrap();
    }
    let settled = journal.settle(&listing).unwrap();
    assert!(settled.still_pending.is_empty(), "{settled:?}");
    assert!(matches!(
        journal.withdraw(&config, &params, id),
        Err(Error::Journaled { .. })
    ));
    assert_eq!(withdrawals(&fake), [id]);
}

/// `ln -sfn copy journal` while a run holds the journal through the link: the second run,
/// naming the same path, is refused before it pays for anything, and the first stops writing
/// where no later run would read.
#[cfg(unix)]
#[test]
fn a_symbolic_link_repointed_under_a_holder_lets_no_second_holder_in() {
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let params = Params::new(TOKEN);
    let scratch = Scratch::new("symlink");
    let (target, link) = (scratch.0.join("journal-a.jsonl"), scratch.0.join("journal"));
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut journal = WithdrawalJournal::open(&link).unwrap();
    let (first, second) = (fake.invitation_id(29), fake.invitation_id(28));
    journal.withdraw(&config, &params, first).unwrap();
    // A copy of it beside, and the link repointed there, as `ln -sfn` does (a new link
    // renamed over the old).
    let copy = scratch.0.join("journal-b.jsonl");
    std::fs::copy(&target, &copy).unwrap();
    let new_link = scratch.0.join("journal.new");
    std::os::unix::fs::symlink(&copy, &new_link).unwrap();
    std::fs::rename(&new_link, &link).unwrap();
    // A second run names the same path: refused at once, nothing sent.
    let requests = fake.requests().len();
    match WithdrawalJournal::open(&link) {
        Err(Error::JournalInUse { .. }) => {}
        other => panic!("a second holder of the same path: {other:?}"),
    }
    assert_eq!(fake.requests().len(), requests);
    // The first run no longer writes, nor sends.
    let err = journal.withdraw(&config, &params, second).unwrap_err();
    assert!(
        matches!(&err, Error::Journal { reason, .. } if reason.contains("was replaced")),
        "{err:?}"
    );
    assert_eq!(withdrawals(&fake), [first]);
    // Once it is gone, a new run takes the path, and goes on from what the link names now.
    drop(journal);
    let mut journal = WithdrawalJournal::open(&link).unwrap();
    assert_eq!(journal.state(first), WithdrawalState::Withdrawn);
    journal.withdraw(&config, &params, second).unwrap();
    assert_eq!(withdrawals(&fake), [first, second]);
}

/// A journal used for one account (or one invitation type) refuses another's listing and
/// withdrawals, naming both, before anything is sent: another account's complete listing
/// would otherwise settle this one's unknown withdrawals as gone.
#[test]
fn one_journal_refuses_another_account_or_invitation_type_before_anything_is_sent() {
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let (a, b) = (
        Params::account(ACCOUNT),
        Params::account("acc-B-SECRET-account-id"),
    );
    let scratch = Scratch::new("scope");
    let mut journal = WithdrawalJournal::open(scratch.journal()).unwrap();
    // Account A's withdrawal, its answer lost: unknown.
    let id = fake.invitation_id(29);
    fake.fail_withdraw(id, FakeFailure::hang_up());
    assert!(matches!(
        journal.withdraw(&config, &a, id),
        Err(Error::OutcomeUnknown { .. })
    ));
    // Account B's complete listing (which does not hold it): refused, the unknown kept.
    let requests = fake.requests().len();
    let err = journal.check_scope(&b).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("holds the withdrawals of v2 account #"),
        "{text}"
    );
    assert!(text.contains("this call is for v2 account #"), "{text}");
    assert!(
        !text.contains(ACCOUNT) && !text.contains("SECRET"),
        "{text}"
    );
    let listing = listed(&config, &b);
    assert!(matches!(
        journal.settle(&listing),
        Err(Error::Journal { .. })
    ));
    assert!(matches!(journal.state(id), WithdrawalState::Unknown { .. }));
    // Nor a withdrawal for B, nor one of another invitation type for A.
    let other = fake.invitation_id(28);
    let requests_then = fake.requests().len();
    assert!(matches!(
        journal.withdraw(&config, &b, other),
        Err(Error::Journal { .. })
    ));
    let pages = a
        .clone()
        .invitation_type(linkup_sent_invitations::InvitationType::Organization);
    assert!(journal.withdraw(&config, &pages, other).is_err());
    assert_eq!(fake.requests().len(), requests_then, "nothing sent");
    assert!(
        requests_then > requests,
        "(B's listing was the caller's to pay)"
    );
    // The scope is on disk: a new run knows it, and the file holds no account id.
    drop(journal);
    let mut journal = WithdrawalJournal::open(scratch.journal()).unwrap();
    assert!(journal.check_scope(&b).is_err() && journal.check_scope(&a).is_ok());
    let file = std::fs::read_to_string(scratch.journal()).unwrap();
    assert!(
        !file.contains(ACCOUNT) && !file.contains("SECRET"),
        "{file}"
    );
    assert!(journal.settle(&listed(&config, &a)).is_ok());
}

/// A v1 journal knows its account by the label the caller gives: the login token rotates.
#[test]
fn a_v1_journal_is_for_the_account_its_label_names() {
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let scratch = Scratch::new("label");
    let open = |label: &str| {
        WithdrawalJournal::open(scratch.journal())
            .unwrap()
            .account_label(label)
    };
    let mut journal = open("alice@example.com");
    journal
        .withdraw(&config, &Params::new(TOKEN), fake.invitation_id(29))
        .unwrap();
    drop(journal);
    // Alice's token rotated: the same account, the same journal.
    let journal = open("alice@example.com");
    assert!(journal
        .check_scope(&Params::new("AQEDAT-rotated-token"))
        .is_ok());
    drop(journal);
    let journal = open("bob@example.com");
    let err = journal.check_scope(&Params::new(TOKEN)).unwrap_err();
    assert!(
        err.to_string().contains("v1 account \"alice@example.com\""),
        "{err}"
    );
    assert!(
        err.to_string().contains("v1 account \"bob@example.com\""),
        "{err}"
    );
}

/// The same, through the calls a journal always had: B's complete listing settles nothing of
/// A's, and A's unknown withdrawal stays unknown (once, it was settled as gone, and skipped
/// from then on while still pending on A).
#[test]
fn another_account_s_complete_listing_never_settles_this_one_s_unknown_withdrawal() {
    let fake = FakeApi::start(30);
    let config = fake_config(&fake);
    let (a, b) = (
        Params::account(ACCOUNT),
        Params::account("acc-B-SECRET-account-id"),
    );
    let scratch = Scratch::new("scope-old-calls");
    let mut journal = WithdrawalJournal::open(scratch.journal()).unwrap();
    let id = fake.invitation_id(29);
    fake.fail_withdraw(id, FakeFailure::reply(502, "<html>Bad Gateway</html>"));
    assert!(journal.withdraw(&config, &a, id).is_err());
    assert!(fake.is_pending(id), "the 502 came before anything was done");
    // The fake's list is one list: B's listing, shown the invitations minus this one.
    let mut listing = Listing::new(Paginator::new(&config, b.clone()));
    for page in &mut listing {
        page.unwrap();
    }
    let settled = journal.settle(&listing);
    assert!(settled.is_err(), "{settled:?}");
    assert!(matches!(journal.state(id), WithdrawalState::Unknown { .. }));
}

/// v2 (and the crate's own fake) may refuse a withdrawal of an invitation that is no longer
/// pending as INVALID_PARAMS. Recorded as nothing done and sendable, a list that lags sent it
/// again at every call (an outside trial: 11 requests in a second); it is a refusal, final.
#[test]
fn a_resend_refused_as_invalid_params_is_final_not_sent_again_and_again() {
    let fake = FakeApi::start(30);
    fake.lag_withdrawals(1_000);
    let config = fake_config(&fake);
    let params = Params::account(ACCOUNT);
    let id = fake.invitation_id(29);
    fake.fail_withdraw(id, FakeFailure::hang_up()); // done, the answer lost
    let scratch = Scratch::new("invalid-params-loop");
    let mut journal = WithdrawalJournal::open(scratch.journal())
        .unwrap()
        .settling_time(Duration::from_millis(200));
    assert!(journal.withdraw(&config, &params, id).is_err());
    std::thread::sleep(Duration::from_millis(250));
    // A listing a settling time later still shows it (the list lags): the one resend, which
    // the fake refuses as INVALID_PARAMS (it is not pending).
    let settled = journal.settle(&listed(&config, &params)).unwrap();
    assert_eq!(settled.still_pending, [id]);
    let err = journal.withdraw(&config, &params, id).unwrap_err();
    assert!(err.to_string().contains("INVALID_PARAMS"), "{err}");
    assert!(matches!(journal.state(id), WithdrawalState::Refused { .. }));
    for _ in 0..5 {
        assert!(matches!(
            journal.withdraw(&config, &params, id),
            Err(Error::Journaled { .. })
        ));
    }
    let sent = withdrawals(&fake).iter().filter(|w| **w == id).count();
    assert_eq!(sent, 2, "sent twice in all");
}

/// A folder moved away under a holder, and a copy put in its place: a second run naming the
/// same path is refused while the first lives (on Linux, whose kernel keeps the path's claim
/// wherever the folder went); so is one that names the same file by another path once the
/// file was replaced by an edit (`sed -i`). An outside trial sent 11 invitations twice so.
#[cfg(target_os = "linux")]
#[test]
fn a_folder_or_file_replaced_under_a_holder_lets_no_second_holder_in_by_any_name() {
    let scratch = Scratch::new("moved");
    let folder = scratch.0.join("jd");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("j.jsonl");
    let journal = WithdrawalJournal::open(&path).unwrap();
    // The folder moved away, a copy in its place.
    std::fs::rename(&folder, scratch.0.join("jd_old")).unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(scratch.0.join("jd_old/j.jsonl"), &path).unwrap();
    match WithdrawalJournal::open(&path) {
        Err(Error::JournalInUse { .. }) => {}
        other => panic!("a second holder of the same path in a new folder: {other:?}"),
    }
    drop(journal);
    // Another holder of the new file; then the file replaced as `sed -i` does, and a run
    // through another name for it (a symbolic link).
    let journal = WithdrawalJournal::open(&path).unwrap();
    let copy = folder.join("sed-copy");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::rename(&copy, &path).unwrap();
    let alias = scratch.0.join("alias.jsonl");
    std::os::unix::fs::symlink(&path, &alias).unwrap();
    match WithdrawalJournal::open(&alias) {
        Err(Error::JournalInUse { .. }) => {}
        other => panic!("a second holder through another name: {other:?}"),
    }
    drop(journal);
    assert!(
        WithdrawalJournal::open(&alias).is_ok(),
        "free once the first is gone"
    );
}
