//! A local httpmock fake of `POST /v1/network/sent-invitations`, for the tests and the benches
//! that check replies against the exact invitations (`invitation(n)`). Users' tests have the
//! crate's own `FakeApi` (feature `test-util`).
//!
//! It holds `total` invitations with realistic fields and pages them as the documentation shows:
//! ten to a page, `start_page`/`end_page` in the body, `total_available_results` in every reply.
//! It answers with the documented error bodies for a missing `x-api-key` or `login_token`.
#![allow(dead_code)] // each user of this module needs a different part of it

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde_json::{json, Value};

/// The endpoint's path.
pub const PATH: &str = "/v1/network/sent-invitations";
/// Invitations per page, as documented.
pub const PER_PAGE: u64 = 10;

const FIRST_NAMES: [&str; 8] = [
    "Michelle", "Arjun", "Sofia", "Kwame", "Ines", "Tomasz", "Yuki", "Lena",
];
const LAST_NAMES: [&str; 7] = [
    "Heppler", "Mehta", "Rossi", "Mensah", "Duarte", "Nowak", "Sato",
];
const ROLES: [&str; 5] = [
    "Co-Founder & CCO at Unique AI",
    "Head of Growth at Parcel",
    "Senior Rust Engineer at Ferrous Labs",
    "Talent Partner at Northwind",
    "VP Sales EMEA at Brightline",
];

/// Invitation number `n` (0 is the newest): deterministic, with ids above 2^53 like the real ones.
pub fn invitation(n: u64) -> Value {
    let id = 7_329_176_687_475_109_888u64 - n * 7_919_113;
    let first = FIRST_NAMES[(n % 8) as usize];
    let last = LAST_NAMES[(n % 7) as usize];
    let slug = format!("{}-{}-{n}", first.to_lowercase(), last.to_lowercase());
    let sent_time = match n {
        0 => "Sent today".to_owned(),
        1 => "Sent yesterday".to_owned(),
        2..=6 => format!("Sent {n} days ago"),
        7..=13 => "Sent 1 week ago".to_owned(),
        14..=34 => format!("Sent {} weeks ago", n / 7),
        35..=59 => "Sent 1 month ago".to_owned(),
        _ => format!("Sent {} months ago", n / 30),
    };
    json!({
        "name": format!("{first} {last}"),
        "profile_url": format!("https://www.linkedin.com/in/{slug}"),
        "subtitle": ROLES[(n % 5) as usize],
        "sent_time": sent_time,
        "invitation_id": id,
        "invitation_state": "PENDING",
        "message": if n.is_multiple_of(3) { Value::Null } else { json!(format!("Hi {first}, glad to connect!")) },
        "entity_urn": format!("urn:li:fsd_invitation:{id}"),
        "profile_picture": format!("https://media.licdn.com/dms/image/{slug}.jpg"),
        "invitation_type": "CONNECTION",
    })
}

/// The success reply for pages `start..=end` of `total` invitations.
pub fn pages_reply(total: u64, start: u64, end: u64) -> Value {
    let from = ((start - 1) * PER_PAGE).min(total);
    let to = (end * PER_PAGE).min(total);
    envelope(total, (from..to).map(invitation).collect(), start, end)
}

/// The success reply for the first `n` of `total` invitations (total-results mode).
pub fn total_results_reply(total: u64, n: u64) -> Value {
    let pages = n.div_ceil(PER_PAGE).max(1);
    envelope(total, (0..n.min(total)).map(invitation).collect(), 1, pages)
}

fn envelope(total: u64, invitations: Vec<Value>, start: u64, end: u64) -> Value {
    json!({
        "status": "success",
        "data": {
            "total_results": invitations.len(),
            "total_available_results": total,
            "invitations": invitations,
            "pagination": {
                "start_page": start,
                "end_page": end,
                "results_per_page": PER_PAGE,
                "pages_fetched": end - start + 1,
            }
        }
    })
}

/// The reply the fake gives to one request body, as (HTTP status, JSON body).
pub fn reply_to(total: u64, api_key: Option<&str>, body: &[u8]) -> (u16, Value) {
    if api_key.is_none_or(|k| k.is_empty()) {
        return (
            401,
            json!({"status": "error", "message": "Invalid API key"}),
        );
    }
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if request["login_token"].as_str().is_none_or(str::is_empty) {
        let message = "Missing required parameter: login_token";
        return (400, json!({"status": "error", "message": message}));
    }
    if let Some(n) = request["total_results"].as_u64() {
        return (200, total_results_reply(total, n));
    }
    let start = request["start_page"].as_u64().unwrap_or(1).max(1);
    let end = request["end_page"].as_u64().unwrap_or(start).max(start);
    (200, pages_reply(total, start, end))
}

/// Starts the fake on 127.0.0.1 (a free port) holding `total` invitations.
pub fn start(total: u64) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method("POST").path(PATH);
        then.respond_with(move |request: &HttpMockRequest| {
            let headers = request.headers();
            let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
            let (status, body) = reply_to(total, key, request.body_ref());
            HttpMockResponse::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.to_string())
                .build()
        });
    });
    server
}
