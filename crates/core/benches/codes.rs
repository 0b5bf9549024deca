//! What a public code entry costs before the database is touched: parsing the typed code and the
//! keyed look-up hash (HMAC-SHA-256, hex) that the database is searched by. Figures and the command
//! are in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portico_core::Keys;
use portico_core::platform::secrets::Purpose;
use portico_domain::{InviteCode, ProviderCode};

/// As a patient might type it: lower case, a space and a dash.
const TYPED_INVITE: &str = "xyz 234-abc";
const TYPED_PROVIDER: &str = "abc 234";

fn codes(c: &mut Criterion) {
    let keys = Keys::new(vec![7; 32]).expect("32 bytes is long enough");
    let invite = InviteCode::parse(TYPED_INVITE).expect("a well-formed invite code");

    let mut group = c.benchmark_group("codes");
    group.bench_function("invite_parse", |b| {
        b.iter(|| InviteCode::parse(black_box(TYPED_INVITE)))
    });
    group.bench_function("invite_hmac", |b| {
        b.iter(|| {
            keys.lookup_hash(
                Purpose::InviteCode,
                black_box(invite.expose_normalized()).as_bytes(),
            )
        })
    });
    group.bench_function("invite_parse_and_hmac", |b| {
        b.iter(|| {
            let code = InviteCode::parse(black_box(TYPED_INVITE)).expect("well-formed");
            keys.lookup_hash(Purpose::InviteCode, code.expose_normalized().as_bytes())
        })
    });
    group.bench_function("invite_parse_malformed", |b| {
        b.iter(|| InviteCode::parse(black_box("xyz 2e4-abc")))
    });
    group.bench_function("provider_parse", |b| {
        b.iter(|| ProviderCode::parse(black_box(TYPED_PROVIDER)))
    });
    group.bench_function("provider_parse_and_hmac", |b| {
        b.iter(|| {
            let code = ProviderCode::parse(black_box(TYPED_PROVIDER)).expect("well-formed");
            keys.lookup_hash(Purpose::ProviderCode, code.expose_normalized().as_bytes())
        })
    });
    // The raw MAC without hex formatting, to show what the hex string costs.
    group.bench_function("hmac_raw", |b| {
        b.iter(|| {
            keys.mac(
                Purpose::InviteCode,
                black_box(invite.expose_normalized()).as_bytes(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, codes);
criterion_main!(benches);
