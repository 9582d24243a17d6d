//! Property test: whatever sequence of replies a server sends, in the documented shapes but
//! with any totals, ids (in any order), `has_more`, `credits_consumed` and status, a walk never
//! panics, never yields an invitation twice, never pays past its budget, and stops by itself:
//! once the server's replies stop bringing anything new (here, it repeats its last reply
//! forever), within the documented bound of 5 paid pages that neither bring an invitation it
//! has not seen nor let it yield one.

use crate::support;

use std::collections::HashSet;
use std::sync::Arc;

use linkup_sent_invitations::{Paginator, Params};
use proptest::prelude::*;
use serde_json::{json, Value};
use support::{config, http_response, Action, RawServer, TOKEN};

#[derive(Clone, Debug)]
struct Reply {
    status: u16,
    total: Option<u64>,
    ids: Vec<u64>,
    has_more: Option<bool>,
    credits_consumed: Option<u64>,
}

fn reply() -> impl Strategy<Value = Reply> {
    let status = prop_oneof![8 => Just(200u16), 1 => Just(429), 1 => Just(500)];
    let total = proptest::option::of(prop_oneof![0..300u64, Just(u64::MAX), any::<u64>()]);
    let id = prop_oneof![9 => 1..5_000u64, 1 => any::<u64>()];
    let ids = proptest::collection::vec(id, 0..12);
    let credits = proptest::option::of(prop_oneof![0..3u64, Just(u64::MAX)]);
    (
        status,
        total,
        ids,
        proptest::option::of(any::<bool>()),
        credits,
    )
        .prop_map(|(status, total, mut ids, has_more, credits_consumed)| {
            // Mostly newest first, as the list is; sometimes not.
            if ids.len() % 3 != 0 {
                ids.sort_unstable_by(|a, b| b.cmp(a));
            }
            Reply {
                status,
                total,
                ids,
                has_more,
                credits_consumed,
            }
        })
}

/// The reply's body in the generation's documented shape.
fn body(reply: &Reply, v2: bool, offset: u64) -> Value {
    if !v2 {
        if reply.status != 200 {
            let message = "Rate limit exceeded. Please try again later";
            return json!({"status": "error", "message": message});
        }
        let invitations: Vec<Value> = reply
            .ids
            .iter()
            .map(|id| json!({"invitation_id": id}))
            .collect();
        let mut data = json!({"total_results": invitations.len(), "invitations": invitations});
        if let Some(total) = reply.total {
            data["total_available_results"] = json!(total);
        }
        return json!({"status": "success", "data": data});
    }
    let metadata = match reply.credits_consumed {
        Some(credits) => json!({"credits_consumed": credits}),
        None => json!({}),
    };
    if reply.status != 200 {
        return json!({"success": false, "error": {"code": "RATE_LIMITED", "message": "slow down"},
            "metadata": metadata});
    }
    let invitations: Vec<Value> = reply
        .ids
        .iter()
        .map(|id| json!({"entity_urn": format!("urn:li:invitation:{id}")}))
        .collect();
    let mut pagination = json!({"offset": offset, "count": invitations.len()});
    if let Some(more) = reply.has_more {
        pagination["has_more"] = json!(more);
    }
    let mut data = json!({"invitations": invitations, "total_results": reply.ids.len(),
        "pagination": pagination});
    if let Some(total) = reply.total {
        data["total_available_results"] = json!(total);
    }
    json!({"success": true, "data": data, "metadata": metadata})
}

/// What the API documents a reply as costing: v1 every reply but a 500; v2 a page, not an error.
fn documented_cost(reply: &Reply, v2: bool) -> u64 {
    match (v2, reply.status) {
        (false, 500) => 0,
        (false, _) => 1,
        (true, 200) => 1,
        (true, _) => 0,
    }
}

proptest! {
    // A fixed seed (0x5EED_0A1C), so a mutation it catches is caught every run; the random
    // stream of other runs is PROPTEST_RNG_SEED's, when it is set.
    #![proptest_config(ProptestConfig {
        cases: 160,
        rng_seed: match std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()) {
            Some(seed) => proptest::test_runner::RngSeed::Fixed(seed),
            None => proptest::test_runner::RngSeed::Fixed(0x5EED_0A1C),
        },
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_replies_end_the_walk_within_its_budget_and_bound(
        script in proptest::collection::vec(reply(), 1..14),
        v2 in any::<bool>(),
        oldest_first in any::<bool>(),
        budget in proptest::option::of(0u64..6),
        cap in proptest::option::of(1u32..40),
    ) {
        let served = Arc::new(script.clone());
        let replies = served.clone();
        let server = RawServer::start(move |index, request| {
            let reply = &replies[index.min(replies.len() - 1)];
            let asked: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let offset = asked["params"]["offset"].as_u64().unwrap_or(0);
            let extra = if reply.status == 429 { "retry-after: 0\r\n" } else { "" };
            let text = body(reply, v2, offset).to_string();
            Action::Write(http_response(reply.status, extra, text.as_bytes()))
        });
        let params = if v2 { Params::account("account") } else { Params::new(TOKEN) };
        let params = match cap { Some(cap) => params.total_results(cap), None => params };
        let mut pages = Paginator::new(&config(server.base_url()), params);
        if oldest_first {
            pages = pages.oldest_first();
        }
        if let Some(budget) = budget {
            pages = pages.max_credits(budget);
        }
        // When the last page came out, as the number of requests made by then.
        let mut yield_at = 0;
        let mut yielded = HashSet::new();
        while let Some(Ok(page)) = pages.next() {
            yield_at = server.request_count();
            for invitation in page.invitations {
                prop_assert!(yielded.insert(invitation.invitation_id), "yielded twice");
            }
        }
        prop_assert!(pages.next().is_none(), "fused after the end");
        let requests = server.request_count();
        let reply_to = |i: usize| &served[i.min(served.len() - 1)];
        let paid: u64 = (0..requests).map(|i| documented_cost(reply_to(i), v2)).sum();
        if let Some(budget) = budget {
            prop_assert!(paid <= budget, "{} paid requests on a budget of {}", paid, budget);
        }
        // The last request whose reply brought an id no earlier reply had.
        let mut seen = HashSet::new();
        let fresh_at = (0..requests)
            .filter(|i| reply_to(*i).ids.iter().fold(false, |any, id| seen.insert(*id) | any))
            .map(|i| i + 1)
            .max()
            .unwrap_or(0);
        // After the last reply that brought something new or let the walk yield, at most 5
        // more reads, each up to 3 requests with its retries.
        let news = fresh_at.max(yield_at);
        prop_assert!(
            requests <= news + 5 * 3,
            "{} requests; the last that brought news was {}", requests, news
        );
    }
}
