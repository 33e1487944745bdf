//! Arbitrary headers and bodies against the signature check: it never panics, and never
//! accepts a body it was not given a valid signature for.
#![no_main]

use kefu_core::channels::signature::{sign, verify};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_800_000_000_000;

fuzz_target!(|input: (&str, &str, &[u8])| {
    let (ts, sig, body) = input;
    let _ = verify(b"fuzz-secret", Some(ts), Some(sig), body, NOW);
    let good = sign(b"fuzz-secret", NOW / 1000, body);
    assert!(verify(b"fuzz-secret", Some(&(NOW / 1000).to_string()), Some(&good), body, NOW).is_ok());
    let mut other = body.to_vec();
    other.push(0);
    let theirs = sign(b"fuzz-secret", NOW / 1000, &other);
    assert!(verify(b"fuzz-secret", Some(&(NOW / 1000).to_string()), Some(&theirs), body, NOW).is_err());
});
