//! Decoding cost: the library's `SentInvitationsPage` against a plain derive mirror, for one
//! documented-shape page (10 invitations) and a 1,000-invitation total-results response.
//! Goal: the library within 1.25x of the mirror. `python3 benches/ratios.py` prints the ratios.

#[path = "support/mirror.rs"]
mod mirror;
#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use linkup_sent_invitations::SentInvitationsPage;
use mirror::MirrorPage;
use support::fake_api;

fn decode(c: &mut Criterion) {
    let cases = [
        ("decode/page_10", fake_api::pages_reply(138, 1, 1)),
        (
            "decode/total_1000",
            fake_api::total_results_reply(1000, 1000),
        ),
    ];
    for (name, reply) in cases {
        let data = reply["data"].to_string().into_bytes();
        let count = reply["data"]["invitations"].as_array().unwrap().len();
        // Both sides must decode the same thing, or the comparison means nothing.
        let ours: SentInvitationsPage = serde_json::from_slice(&data).unwrap();
        let theirs: MirrorPage = serde_json::from_slice(&data).unwrap();
        assert_eq!(ours.invitations.len(), count);
        assert_eq!(theirs.invitations.len(), count);

        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(count as u64));
        group.bench_function("library", |b| {
            b.iter(|| serde_json::from_slice::<SentInvitationsPage>(black_box(&data)).unwrap())
        });
        group.bench_function("mirror", |b| {
            b.iter(|| serde_json::from_slice::<MirrorPage>(black_box(&data)).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
