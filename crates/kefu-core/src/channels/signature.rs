//! Signatures on webhooks, both ways: HMAC-SHA256 over `timestamp + "." + body`, sent as
//! `X-Kefu-Timestamp: <unix seconds>` and `X-Kefu-Signature: sha256=<hex>`. A timestamp
//! more than five minutes from now is refused, so a captured request cannot be replayed
//! later; the comparison is constant-time (`Mac::verify_slice`).

use crate::clock::Millis;
use crate::error::CoreError;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Header carrying the unix time (seconds) the request was signed at.
pub const TIMESTAMP_HEADER: &str = "x-kefu-timestamp";
/// Header carrying `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-kefu-signature";
/// How far (either way) a timestamp may be from now.
pub const REPLAY_WINDOW_SECS: i64 = 300;

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; the error arm cannot happen.
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The `X-Kefu-Signature` value for a body signed at `timestamp` (unix seconds).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(mac(secret, &timestamp.to_string(), body).finalize().into_bytes()))
}

fn refused(code: &'static str, key: &'static str) -> CoreError {
    CoreError::Unverified { code, message: crate::error::msg(key) }
}

/// Check a request's headers against its raw body. `now` is the server's clock.
pub fn verify(secret: &[u8], timestamp: Option<&str>, signature: Option<&str>, body: &[u8], now: Millis) -> Result<(), CoreError> {
    let ts_text = timestamp.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| refused("invalid_signature", "error-signature-timestamp-missing"))?;
    let ts: i64 = ts_text
        .parse()
        .ok()
        .filter(|_| ts_text.len() <= 12 && ts_text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| refused("invalid_signature", "error-signature-timestamp-format"))?;
    if (now / 1000 - ts).abs() > REPLAY_WINDOW_SECS {
        return Err(refused("stale_timestamp", "error-signature-stale"));
    }
    let given = signature
        .map(str::trim)
        .and_then(|s| s.strip_prefix("sha256="))
        .and_then(|h| hex::decode(h).ok())
        .ok_or_else(|| refused("invalid_signature", "error-signature-format"))?;
    mac(secret, ts_text, body)
        .verify_slice(&given)
        .map_err(|_| refused("invalid_signature", "error-signature-mismatch"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: Millis = 1_800_000_000_000;

    fn header(sig: &str) -> Option<&str> {
        Some(sig)
    }

    #[test]
    fn signed_requests_pass_and_others_do_not() {
        let ts = NOW / 1000;
        let sig = sign(b"secret", ts, b"{}");
        let t = ts.to_string();
        assert!(verify(b"secret", Some(t.as_str()), header(&sig), b"{}", NOW).is_ok());
        assert!(verify(b"secret", Some(t.as_str()), header(&sig), b"{ }", NOW).is_err());
        assert!(verify(b"other", Some(t.as_str()), header(&sig), b"{}", NOW).is_err());
        assert!(verify(b"secret", None, header(&sig), b"{}", NOW).is_err());
        assert!(verify(b"secret", Some(t.as_str()), None, b"{}", NOW).is_err());
        assert!(verify(b"secret", Some(t.as_str()), header(sig.trim_start_matches("sha256=")), b"{}", NOW).is_err());
        let old = (ts - REPLAY_WINDOW_SECS - 1).to_string();
        let stale = verify(b"secret", Some(old.as_str()), header(&sign(b"secret", ts - REPLAY_WINDOW_SECS - 1, b"{}")), b"{}", NOW);
        assert!(matches!(stale, Err(CoreError::Unverified { code: "stale_timestamp", .. })), "{stale:?}");
        let edge = (ts - REPLAY_WINDOW_SECS).to_string();
        assert!(verify(b"secret", Some(edge.as_str()), header(&sign(b"secret", ts - REPLAY_WINDOW_SECS, b"{}")), b"{}", NOW).is_ok());
    }

    proptest! {
        #[test]
        fn what_is_signed_verifies(secret in proptest::collection::vec(any::<u8>(), 1..64), body in proptest::collection::vec(any::<u8>(), 0..512), skew in -REPLAY_WINDOW_SECS..=REPLAY_WINDOW_SECS) {
            let ts = NOW / 1000 + skew;
            let sig = sign(&secret, ts, &body);
            prop_assert!(verify(&secret, Some(ts.to_string().as_str()), Some(sig.as_str()), &body, NOW).is_ok());
        }

        #[test]
        fn any_tampering_is_refused(body in proptest::collection::vec(any::<u8>(), 1..512), flip in any::<prop::sample::Index>(), bit in 0u8..8) {
            let ts = NOW / 1000;
            let sig = sign(b"k", ts, &body);
            let mut tampered = body.clone();
            let i = flip.index(tampered.len());
            tampered[i] ^= 1 << bit;
            prop_assert!(verify(b"k", Some(ts.to_string().as_str()), Some(sig.as_str()), &tampered, NOW).is_err());
            // A signature for another timestamp does not carry over.
            prop_assert!(verify(b"k", Some((ts + 1).to_string().as_str()), Some(sig.as_str()), &body, NOW).is_err());
        }

        #[test]
        fn arbitrary_headers_never_panic(ts in ".{0,20}", sig in ".{0,80}", body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = verify(b"k", Some(ts.as_str()), Some(sig.as_str()), &body, NOW);
        }
    }
}
