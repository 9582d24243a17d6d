//! Walks over a list that changes under them, newest first and oldest first: every invitation
//! present for the whole walk is yielded exactly once, and each extra request a change causes is
//! counted. The server is a local one whose list changes between requests, as the real one does.

use crate::support;

use std::collections::HashSet;

use linkup_sent_invitations::{Items, Paginator, Params};
use support::{config, live_list, newer_id, pages_asked, timed_ids, RawServer, TOKEN};

/// Walks the server; returns the ids yielded, in order, and the paginator.
fn walk(server: &RawServer, oldest_first: bool) -> (Vec<u64>, Items) {
    walk_with(server, Params::new(TOKEN), oldest_first)
}

fn walk_with(server: &RawServer, params: Params, oldest_first: bool) -> (Vec<u64>, Items) {
    let config = config(server.base_url());
    let mut pages = Paginator::new(&config, params);
    if oldest_first {
        pages = pages.oldest_first();
    }
    let mut items = pages.items();
    let ids = items
        .by_ref()
        .map(|i| i.unwrap().invitation_id)
        .collect::<Vec<_>>();
    (ids, items)
}

/// Every id of `present` exactly once in `yielded`, and `yielded` strictly in walk order.
fn assert_each_once(yielded: &[u64], present: &[u64], oldest_first: bool) {
    let unique: HashSet<u64> = yielded.iter().copied().collect();
    assert_eq!(
        unique.len(),
        yielded.len(),
        "an invitation was yielded twice"
    );
    let missing: Vec<&u64> = present.iter().filter(|id| !unique.contains(id)).collect();
    assert!(missing.is_empty(), "{} lost: {missing:?}", missing.len());
    let ordered = yielded.windows(2).all(|w| {
        if oldest_first {
            w[0] < w[1]
        } else {
            w[0] > w[1]
        }
    });
    assert!(ordered, "out of order");
}

// ---------------------------------------------------------------------------------------------
// Newest first
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unchanged_list_costs_one_credit_a_page() {
    let ids = timed_ids(138, 6);
    let server = live_list(ids.clone(), |_, _| {});
    let (yielded, pages) = walk(&server, false);
    assert_eq!(yielded, ids);
    assert_eq!(pages.paginator().credits_used(), 14);
    assert_eq!(pages.paginator().possibly_missed(), 0);
    assert!(!pages.paginator().out_of_order());
}

#[test]
fn a_short_page_in_the_middle_does_not_end_the_walk() {
    let ids = timed_ids(138, 6);
    let hidden = ids[25];
    let server = live_list(ids.clone(), move |_, list| list.hidden = vec![hidden]);
    let (yielded, pages) = walk(&server, false);
    let shown: Vec<u64> = ids.iter().copied().filter(|id| *id != hidden).collect();
    assert_eq!(
        yielded, shown,
        "137 shown, in order: the 9-invitation page 3 did not stop it"
    );
    assert_eq!(pages_asked(&server), (1..=14).collect::<Vec<_>>());
    assert_eq!(pages.paginator().credits_used(), 14);
}

#[test]
fn new_invitations_mid_walk_are_not_yielded_twice_and_extend_the_walk() {
    let ids = timed_ids(138, 6);
    let server = live_list(ids.clone(), |index, list| {
        if index == 2 {
            // Sent after page 2 was served: page 3 now starts with the end of the old page 2,
            // and the last 3 old invitations sit on page 15.
            for n in 0..3 {
                list.ids.insert(0, newer_id(n));
            }
        }
    });
    let (yielded, pages) = walk(&server, false);
    assert_each_once(&yielded, &ids, false);
    assert_eq!(
        yielded.len(),
        138,
        "the new ones came after the walk had passed the top"
    );
    assert_eq!(pages_asked(&server), (1..=15).collect::<Vec<_>>());
    assert_eq!(
        pages.paginator().credits_used(),
        15,
        "one more page, as the list grew by one"
    );
    assert_eq!(pages.paginator().possibly_missed(), 0);
}

#[test]
fn invitations_that_slide_back_onto_a_walked_page_are_recovered_for_one_credit() {
    let ids = timed_ids(138, 6);
    let (gone_a, gone_b) = (ids[0], ids[1]);
    let server = live_list(ids.clone(), move |index, list| {
        if index == 2 {
            // The 2 newest accepted after page 2 was served: 2 older ones slide onto page 2.
            list.ids.retain(|id| *id != gone_a && *id != gone_b);
        }
    });
    let (yielded, pages) = walk(&server, false);
    assert_each_once(&yielded, &ids[2..], false);
    // Page 3 shows the shrink; page 2 is read again; the walk ends at page 14 (136 left).
    let mut expected: Vec<u64> = vec![1, 2, 3, 2];
    expected.extend(4..=14);
    assert_eq!(pages_asked(&server), expected);
    assert_eq!(
        pages.paginator().credits_used(),
        15,
        "14 pages and one re-read for the change"
    );
    assert_eq!(pages.paginator().possibly_missed(), 0);
}

#[test]
fn removals_in_pages_not_yet_walked_lose_nothing() {
    let ids = timed_ids(138, 6);
    let gone: Vec<u64> = ids[100..103].to_vec();
    let removed = gone.clone();
    let server = live_list(ids.clone(), move |index, list| {
        if index == 4 {
            list.ids.retain(|id| !removed.contains(id));
        }
    });
    let (yielded, pages) = walk(&server, false);
    let present: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| !gone.contains(id))
        .collect();
    assert_each_once(&yielded, &present, false);
    assert_eq!(yielded, present);
    // The total cannot say where the removal was. Page 4 read again shows nothing slid back
    // onto it, but something could have slid and been pushed on again in between: page 5 read
    // again, with nothing moved since, proves it. v1 pages cannot straddle the boundary.
    let mut expected: Vec<u64> = vec![1, 2, 3, 4, 5, 4, 5];
    expected.extend(6..=14);
    assert_eq!(pages_asked(&server), expected);
    assert_eq!(pages.paginator().credits_used(), 16);
    assert_eq!(pages.paginator().possibly_missed(), 0);
}

#[test]
fn more_than_a_page_sliding_back_is_recovered() {
    let ids = timed_ids(138, 6);
    let gone: Vec<u64> = ids[0..12].to_vec();
    let removed = gone.clone();
    let server = live_list(ids.clone(), move |index, list| {
        if index == 2 {
            list.ids.retain(|id| !removed.contains(id));
        }
    });
    let (yielded, pages) = walk(&server, false);
    let present: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| !gone.contains(id))
        .collect();
    // The old 21st and 22nd now sit on page 1, walked long ago: page 3 shows the list 12
    // shorter, page 2 read again shows it slid past a whole page, page 1 read again holds them.
    assert_each_once(&yielded, &present, false);
    let mut expected: Vec<u64> = vec![1, 2, 3, 2, 1];
    expected.extend(3..=13);
    assert_eq!(pages_asked(&server), expected);
    assert_eq!(
        pages.paginator().credits_used(),
        16,
        "13 pages of 126, and 3 to recover"
    );
    assert_eq!(pages.paginator().possibly_missed(), 0);
}

#[test]
fn a_budget_that_forbids_the_re_read_stops_before_the_unproven_page_and_resumes_there() {
    let ids = timed_ids(138, 6);
    let gone = ids[0];
    let server = live_list(ids.clone(), move |index, list| {
        if index == 2 {
            list.ids.retain(|id| *id != gone);
        }
    });
    let config = config(server.base_url());
    let mut first = Paginator::new(&config, Params::new(TOKEN))
        .max_credits(3)
        .items();
    let mut yielded: Vec<u64> = first.by_ref().map(|i| i.unwrap().invitation_id).collect();
    // Page 3 came back shorter by one: one invitation may have slid onto page 2. Without the
    // credit to read page 2 again, page 3 is not yielded with a possible hole before it.
    assert_eq!(yielded, ids[..20]);
    assert_eq!(first.paginator().credits_used(), 3);
    assert_eq!(first.paginator().possibly_missed(), 0);
    let point = first.resume_point().expect("stopped at the budget");
    assert_eq!(point.page(), 3);

    let mut rest = Paginator::new(&config, Params::new(TOKEN))
        .resume(point)
        .items();
    yielded.extend(rest.by_ref().map(|i| i.unwrap().invitation_id));
    assert_each_once(&yielded, &ids[1..], false);
    assert_eq!(rest.paginator().possibly_missed(), 0);
}

// ---------------------------------------------------------------------------------------------
// Oldest first
// ---------------------------------------------------------------------------------------------

#[test]
fn oldest_first_reads_the_start_page_once_then_walks_down() {
    let ids = timed_ids(138, 6);
    let server = live_list(ids.clone(), |_, _| {});
    let (yielded, pages) = walk(&server, true);
    let mut oldest_first = ids.clone();
    oldest_first.reverse();
    assert_eq!(yielded, oldest_first);
    let mut expected = vec![1];
    expected.extend((2..=14).rev());
    assert_eq!(
        pages_asked(&server),
        expected,
        "page 1 kept, never read twice"
    );
    assert_eq!(
        pages.paginator().credits_used(),
        14,
        "the same credits as a newest-first walk"
    );
    assert_eq!(pages.paginator().total_pages(), Some(14));
}

#[test]
fn the_oldest_few_cost_only_their_pages() {
    let ids = timed_ids(138, 6);
    let server = live_list(ids.clone(), |_, _| {});
    let params = Params::new(TOKEN).total_results(25);
    let (yielded, pages) = walk_with(&server, params, true);
    let oldest: Vec<u64> = ids.iter().rev().take(25).copied().collect();
    assert_eq!(yielded, oldest);
    assert_eq!(pages_asked(&server), [1, 14, 13, 12]);
    assert_eq!(pages.paginator().credits_used(), 4);
    assert_eq!(pages.paginator().next_page(), None, "the cap is done");
}

#[test]
fn an_oldest_first_budget_stop_resumes_from_an_end_page() {
    let ids = timed_ids(138, 6);
    let server = live_list(ids.clone(), |_, _| {});
    let config = config(server.base_url());
    let mut first = Paginator::new(&config, Params::new(TOKEN))
        .oldest_first()
        .max_credits(5)
        .items();
    let mut yielded: Vec<u64> = first.by_ref().map(|i| i.unwrap().invitation_id).collect();
    assert_eq!(
        yielded.len(),
        38,
        "pages 14 (8) to 11; page 1 was read for the total"
    );
    let resume = first.paginator().next_page().unwrap();
    assert_eq!(resume, 10);

    let mut rest = Paginator::new(&config, Params::new(TOKEN).pages(1, resume))
        .oldest_first()
        .items();
    yielded.extend(rest.by_ref().map(|i| i.unwrap().invitation_id));
    let mut oldest_first = ids.clone();
    oldest_first.reverse();
    assert_eq!(yielded, oldest_first);
    assert_eq!(
        rest.paginator().credits_used(),
        10,
        "pages 10 down to 1, no extra read"
    );
}

#[test]
fn one_page_of_data_costs_one_request_oldest_first() {
    let ids = timed_ids(7, 6);
    let server = live_list(ids.clone(), |_, _| {});
    let (yielded, pages) = walk(&server, true);
    assert_eq!(yielded, ids.iter().rev().copied().collect::<Vec<_>>());
    assert_eq!(pages.paginator().credits_used(), 1);
}

#[test]
fn oldest_first_recovers_what_a_new_invitation_pushes_onto_a_walked_page() {
    let ids = timed_ids(138, 6);
    let server = live_list(ids.clone(), |index, list| {
        if index == 3 {
            // Sent after pages 1, 14 and 13 were served: the last 3 of old page 12 move onto
            // page 13, already walked.
            for n in 0..3 {
                list.ids.insert(0, newer_id(n));
            }
        }
    });
    let (yielded, pages) = walk(&server, true);
    assert_each_once(&yielded, &ids, true);
    let mut expected = vec![1, 14, 13, 12, 13];
    expected.extend((2..=11).rev());
    assert_eq!(pages_asked(&server), expected);
    assert_eq!(
        pages.paginator().credits_used(),
        15,
        "one re-read for the change; page 1 still kept"
    );
    assert_eq!(pages.paginator().possibly_missed(), 0);
}

#[test]
fn oldest_first_loses_nothing_when_the_list_shrinks() {
    let ids = timed_ids(138, 6);
    let gone: Vec<u64> = vec![ids[3], ids[60], ids[130]];
    let removed = gone.clone();
    let server = live_list(ids.clone(), move |index, list| {
        if index == 5 {
            list.ids.retain(|id| !removed.contains(id));
        }
    });
    let (yielded, pages) = walk(&server, true);
    let present: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| !gone.contains(id))
        .collect();
    assert_each_once(&yielded, &present, true);
    assert_eq!(
        pages_asked(&server).iter().filter(|p| **p == 1).count(),
        2,
        "the kept start page is stale after a shrink: read again"
    );
    assert_eq!(pages.paginator().possibly_missed(), 0);
}

#[test]
fn oldest_first_without_a_total_walks_forward_and_yields_in_reverse() {
    let ids = timed_ids(38, 6);
    let server = live_list(ids.clone(), |_, list| list.without_total = true);
    let (yielded, pages) = walk(&server, true);
    assert_eq!(yielded, ids.iter().rev().copied().collect::<Vec<_>>());
    assert_eq!(pages_asked(&server), [1, 2, 3, 4]);
    assert_eq!(pages.paginator().credits_used(), 4, "a full walk's credits");
}

#[test]
fn a_page_out_of_order_is_flagged_and_nothing_is_dropped() {
    let mut ids = timed_ids(30, 6);
    ids.swap(12, 15); // page 2 is not newest first
    let server = live_list(ids.clone(), |_, _| {});
    let (yielded, pages) = walk(&server, false);
    assert!(pages.paginator().out_of_order());
    let unique: HashSet<u64> = yielded.iter().copied().collect();
    assert!(ids.iter().all(|id| unique.contains(id)), "nothing lost");
}

#[test]
fn a_page_shifted_by_a_whole_page_is_not_taken_for_a_repeat() {
    let ids = timed_ids(60, 6);
    let server = live_list(ids.clone(), |index, list| {
        if index == 2 {
            // Ten new invitations after page 2 was served: page 3 now holds exactly the old
            // page 2, as a server that ignored start_page would send. The total tells them apart.
            for n in 0..10 {
                list.ids.insert(0, newer_id(n));
            }
        }
    });
    let (yielded, pages) = walk(&server, false);
    assert_each_once(&yielded, &ids, false);
    assert_eq!(
        pages.paginator().credits_used(),
        7,
        "pages 1 to 7: the list grew by a page"
    );
}

// ---------------------------------------------------------------------------------------------
// Exact costs: what the walk needs, and not one credit more
// ---------------------------------------------------------------------------------------------

#[test]
fn a_shrink_that_lands_exactly_on_a_page_boundary_costs_no_read_past_it() {
    // 30 invitations. Before page 2, the newest is withdrawn (one slides back onto page 1, so
    // page 2 is held and page 1 read again); before that re-read, the 9 oldest go. Page 2 read
    // again ends the list exactly at its boundary (20): the totals say so, and page 3 is not
    // asked for.
    let ids = timed_ids(30, 6);
    let (newest, oldest) = (ids[0], ids[21..30].to_vec());
    let gone = oldest.clone();
    let server = live_list(ids.clone(), move |index, list| match index {
        1 => list.ids.retain(|id| *id != newest),
        2 => list.ids.retain(|id| !gone.contains(id)),
        _ => {}
    });
    let (yielded, pages) = walk(&server, false);
    assert_eq!(
        yielded,
        ids[..21].to_vec(),
        "the newest too: page 1 held it"
    );
    assert_eq!(
        pages_asked(&server),
        [1, 2, 1, 2],
        "no page 3: the list ends at 20"
    );
    assert_eq!(pages.paginator().credits_used(), 4);
}

#[test]
fn an_unprovable_gap_costs_exactly_three_re_reads_then_counts_what_it_may_hide() {
    // 40 invitations; before every request from the second on, the one at position 12 is
    // withdrawn: each re-read finds the list moved again, so the gap before page 2 is never
    // proven. Three re-reads (pages 1, 2, 1), then it counts the one it may hide and goes on.
    let ids = timed_ids(40, 6);
    let server = live_list(ids, |index, list| {
        if index >= 1 && list.ids.len() > 12 {
            list.ids.remove(12);
        }
    });
    let (_, pages) = walk(&server, false);
    assert_eq!(pages_asked(&server), [1, 2, 1, 2, 1, 3, 2, 4, 3]);
    assert_eq!(pages.paginator().credits_used(), 9);
    assert_eq!(pages.paginator().possibly_missed(), 1);
}

#[test]
fn total_pages_counts_the_pages_a_total_results_cap_needs() {
    let ids = timed_ids(138, 6);
    for (params, last) in [
        (Params::new(TOKEN).total_results(25), 3),
        (Params::new(TOKEN).total_results(30), 3),
        (Params::new(TOKEN).total_results(31), 4),
        (Params::new(TOKEN).start_page(3).total_results(25), 5),
        (Params::new(TOKEN).pages(2, 4).total_results(100), 4),
    ] {
        let server = live_list(ids.clone(), |_, _| {});
        let mut pages = Paginator::new(&config(server.base_url()), params);
        pages.next().unwrap().unwrap();
        assert_eq!(pages.total_pages(), Some(last));
    }
}

/// A page out of order that holds one id twice: once the walk reads every window in order, it
/// still yields each invitation once (the same id twice in one page, and again in the next).
#[test]
fn an_out_of_order_page_holding_an_id_twice_yields_it_once() {
    let pages = [
        vec![9_000u64, 8_000, 9_000, 7_000, 8_000],
        vec![7_000, 6_000, 5_000],
    ];
    let server = support::RawServer::start(move |_, request| {
        let asked: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let page = asked["start_page"].as_u64().unwrap_or(1) as usize;
        let ids = pages.get(page - 1).cloned().unwrap_or_default();
        let invitations: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!({"name": "n", "invitation_id": id}))
            .collect();
        let body = serde_json::json!({"status": "success", "data": {
            "total_results": ids.len(), "total_available_results": 13,
            "invitations": invitations,
            "pagination": {"start_page": page, "end_page": page, "results_per_page": 10}}});
        support::Action::Write(support::http_response(200, "", body.to_string().as_bytes()))
    });
    let mut pages = Paginator::new(&support::config(server.base_url()), Params::new(TOKEN));
    let mut ids = Vec::new();
    for page in &mut pages {
        ids.extend(page.unwrap().invitations.iter().map(|i| i.invitation_id));
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
    assert_eq!(unique, [5_000, 6_000, 7_000, 8_000, 9_000]);
    assert!(pages.out_of_order());
}

/// A walk stopped in the middle of a page, through `Items`, goes on from exactly there:
/// nothing of the rest of that page is skipped, nothing yielded twice.
#[cfg(feature = "test-util")]
#[test]
fn a_resume_point_taken_mid_page_goes_on_with_the_rest_of_that_page() {
    let fake = linkup_sent_invitations::FakeApi::start(25);
    let config = support::config(fake.base_url());
    let mut items = Paginator::new(&config, Params::new(TOKEN)).items();
    let first: Vec<u64> = (&mut items)
        .take(3)
        .map(|i| i.unwrap().invitation_id)
        .collect();
    let point = items.resume_point().expect("stopped mid-page");
    let rest: Vec<u64> = Paginator::new(&config, Params::new(TOKEN))
        .resume(point)
        .items()
        .map(|i| i.unwrap().invitation_id)
        .collect();
    let all: Vec<u64> = (0..25).map(|n| fake.invitation_id(n)).collect();
    assert_eq!([first, rest].concat(), all);
}

/// Oldest first over pages that both lie past the data: one read finds the end, and the walk
/// stops there, paying for nothing before its range.
#[cfg(feature = "test-util")]
#[test]
fn an_oldest_first_range_past_the_data_costs_one_read() {
    let fake = linkup_sent_invitations::FakeApi::start(25);
    let config = support::config(fake.base_url());
    let pages: Vec<_> = Paginator::new(&config, Params::new(TOKEN).pages(5, 6))
        .oldest_first()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(pages.iter().all(|p| p.invitations.is_empty()), "{pages:?}");
    assert_eq!(fake.requests().len(), 1, "{:?}", fake.requests());
}
