//! The email ingest path on arbitrary bytes: MIME decoding, quote trimming, threading
//! ancestry and the message text. Must never panic, whatever a mail service posts.
#![no_main]

use kefu_core::channels::email::{self, quote, thread};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = email::Limits { max_attachments: 5, max_attachment_bytes: 64 * 1024 };
    if let Ok(e) = email::parse(data, limits) {
        let body = quote::trim_quoted(&e.text);
        let names: Vec<String> = e.attachments.iter().map(|a| a.filename.clone()).collect();
        let text = email::message_text(&e.subject, &body, e.in_reply_to.is_empty(), &names);
        assert!(text.len() <= kefu_core::message::MAX_TEXT_BYTES);
        let _ = thread::ancestry(&e.in_reply_to, &e.references);
        let _ = thread::reply_subject(&e.subject);
        let _ = email::sender_verified(e.authentication_results.as_deref());
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = quote::trim_quoted(s);
        let _ = email::normalise_address(s);
    }
});
