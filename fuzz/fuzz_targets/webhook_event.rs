//! Any bytes a platform (or an attacker) posts: decoding never panics, and whatever decodes
//! satisfies the decoder's own checks.
#![no_main]

use kefu_core::channels::events::{decode, PlatformEvent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = decode(data) {
        assert!(!event.event_id().is_empty() && event.event_id().len() <= 100);
        assert!(!event.user().id.is_empty());
        if let PlatformEvent::Message { text, .. } | PlatformEvent::LiveComment { text, .. } = &event {
            assert!(!text.trim().is_empty());
        }
    }
});
