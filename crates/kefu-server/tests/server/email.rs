//! The email channel end to end: raw RFC 822 messages posted to the signed endpoint, real
//! MIME (plain, HTML-only, multipart/alternative with an attachment, GBK, UTF-8 encoded
//! words), threading into one conversation, dedupe by Message-ID, refusals that store
//! nothing, and replies delivered to a real SMTP server (Python's aiosmtpd) on loopback.

use crate::harness::*;
use base64::Engine;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

/// A real SMTP server: aiosmtpd writing every message into a Maildir.
pub struct SmtpSink {
    pub url: String,
    dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

impl SmtpSink {
    /// Start one, or `None` (after printing why) when aiosmtpd is missing and
    /// `KEFU_REQUIRE_SMTP` is not set; with it set (CI), a missing aiosmtpd fails the test.
    pub async fn start() -> Option<SmtpSink> {
        let have = std::process::Command::new("python3").args(["-c", "import aiosmtpd"]).output().is_ok_and(|o| o.status.success());
        if !have {
            assert!(std::env::var("KEFU_REQUIRE_SMTP").is_err(), "KEFU_REQUIRE_SMTP is set but aiosmtpd is missing (pip install aiosmtpd)");
            println!("skipped: Python's aiosmtpd is not installed (pip install aiosmtpd)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let dir = tempfile::tempdir().expect("maildir");
        let child = tokio::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            // Maildir creates its tmp/new/cur only when the directory does not exist yet.
            .arg(dir.path().join("maildir"))
            .kill_on_drop(true)
            .spawn()
            .expect("start aiosmtpd");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Some(SmtpSink { url: format!("smtp://127.0.0.1:{port}"), dir, _child: child });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not start listening on {port}");
    }

    /// The messages received so far, oldest first.
    pub fn received(&self) -> Vec<Vec<u8>> {
        let new: PathBuf = self.dir.path().join("maildir").join("new");
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&new)
            .map(|rd| rd.filter_map(Result::ok).map(|e| (e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH), e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().filter_map(|(_, p)| std::fs::read(p).ok()).collect()
    }

    /// Wait until `n` messages have arrived (10 s at most).
    pub async fn wait_for(&self, n: usize) -> Vec<Vec<u8>> {
        for _ in 0..1000 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the SMTP server received {} of {n} messages", self.received().len());
    }
}

/// Create an email channel; returns its id and secret.
pub async fn email_channel(app: &TestApp) -> (String, String) {
    let owner = app.login("owner@demo.kefu").await;
    let (status, created) = owner.post("/api/v1/channels", json!({"name": "客服邮箱", "platform": "email", "email_address": "Help@Shop.example"})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["channel"]["id"].as_str().expect("id").to_string();
    assert_eq!(created["webhook_path"], format!("/api/v1/channels/{id}/email"));
    assert_eq!(created["channel"]["callback_url"], "mailto:help@shop.example");
    (id, created["secret"].as_str().expect("secret").to_string())
}

/// Post a raw email, signed with the channel's secret.
pub async fn post_email(app: &TestApp, channel: &str, secret: &str, raw: &[u8]) -> (u16, Value) {
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let sig = kefu_core::channels::signature::sign(secret.as_bytes(), ts, raw);
    let res = app
        .http
        .post(format!("{}/api/v1/channels/{channel}/email", app.base))
        .header("content-type", "message/rfc822")
        .header("x-kefu-timestamp", ts.to_string())
        .header("x-kefu-signature", sig)
        .body(raw.to_vec())
        .send()
        .await
        .expect("post email");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A plain-text email with threading headers.
pub fn plain(from: &str, id: &str, subject: &str, in_reply_to: Option<&str>, references: &[&str], body: &str) -> Vec<u8> {
    let mut h = format!("From: {from}\r\nTo: help@shop.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Tue, 3 Mar 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n");
    if let Some(r) = in_reply_to {
        h.push_str(&format!("In-Reply-To: <{r}>\r\n"));
    }
    if !references.is_empty() {
        h.push_str(&format!("References: {}\r\n", references.iter().map(|r| format!("<{r}>")).collect::<Vec<_>>().join(" ")));
    }
    format!("{h}\r\n{body}\r\n").into_bytes()
}

async fn messages(owner: &Agent, conversation: &str) -> Vec<Value> {
    let (status, list) = owner.get(&format!("/api/v1/conversations/{conversation}/messages")).await;
    assert_eq!(status, 200, "{list}");
    list["messages"].as_array().cloned().unwrap_or_default()
}

fn parsed(raw: &[u8]) -> kefu_core::channels::email::ParsedEmail {
    kefu_core::channels::email::parse(raw, Default::default()).expect("the relay received a valid email")
}

fn header_line(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let prefix = format!("{}:", name.to_lowercase());
    text.lines().find(|l| l.to_lowercase().starts_with(&prefix)).map(|l| l[prefix.len()..].trim().to_string())
}

async fn spawn_with_smtp(sink: &SmtpSink) -> TestApp {
    let url = sink.url.clone();
    TestApp::spawn_with(move |a| {
        a.smtp_url = Some(url);
        a.outbox_retry_base_ms = Some(20);
        a.outbox_retry_cap_ms = Some(100);
    })
    .await
}

#[tokio::test]
async fn an_email_thread_of_three_lands_in_one_conversation_and_replies_thread() {
    let Some(sink) = SmtpSink::start().await else { return };
    let app = spawn_with_smtp(&sink).await;
    let (ch, secret) = email_channel(&app).await;
    let owner = app.login("owner@demo.kefu").await;

    let first = plain("Li Lei <Li.Lei@Customer.example>", "m1@customer.example", "订单 DY-1001 还没到", None, &[], "你好，我的订单还没到。");
    let (status, one) = post_email(&app, &ch, &secret, &first).await;
    assert_eq!(status, 201, "{one}");
    let conv = one["conversation_id"].as_str().expect("conversation").to_string();
    let (status, reply) = owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "您好，已为您催促快递。"})).await;
    assert_eq!(status, 201, "{reply}");

    let got = sink.wait_for(1).await;
    let r1 = parsed(&got[0]);
    assert_eq!(r1.in_reply_to, vec!["m1@customer.example"], "In-Reply-To names the customer's email");
    assert_eq!(r1.references, vec!["m1@customer.example"]);
    assert_eq!(r1.subject, "Re: 订单 DY-1001 还没到");
    assert_eq!((r1.from.as_str(), r1.text.trim()), ("help@shop.example", "您好，已为您催促快递。"));
    let our_id = r1.message_id.clone().expect("our Message-ID");
    assert!(our_id.ends_with("@shop.example"), "{our_id}");
    assert!(header_line(&got[0], "Subject").is_some_and(|s| s.is_ascii() && s.to_lowercase().contains("=?utf-8?b?")), "UTF-8 encoded words in the subject: {}", String::from_utf8_lossy(&got[0]));
    assert!(header_line(&got[0], "X-RcptTo").is_some_and(|s| s.contains("li.lei@customer.example")), "sent to the customer");

    // The customer's colleague answers our reply from another address, quoting it: the
    // References put it in the same conversation, and the quote is trimmed.
    let second = plain(
        "王芳 <wang@customer.example>",
        "m2@customer.example",
        "Re: 订单 DY-1001 还没到",
        Some(&our_id),
        &["m1@customer.example", &our_id],
        "还是没有物流信息。\r\n\r\nOn Tue, 3 Mar 2026 at 10:05, 客服 <help@shop.example> wrote:\r\n> 您好，已为您催促快递。\r\n",
    );
    let (status, two) = post_email(&app, &ch, &secret, &second).await;
    assert_eq!((status, two["conversation_id"].as_str()), (201, Some(conv.as_str())), "{two}");
    let third = plain("li.lei@customer.example", "m3@customer.example", "Re: 订单 DY-1001 还没到", Some("m2@customer.example"), &["m1@customer.example"], "在 2026年3月3日 写道：\r\n> 旧内容");
    let (status, three) = post_email(&app, &ch, &secret, &third).await;
    assert_eq!((status, three["conversation_id"].as_str()), (201, Some(conv.as_str())), "{three}");
    // The same email delivered five more times is one message.
    for _ in 0..5 {
        let (status, again) = post_email(&app, &ch, &secret, &third).await;
        assert_eq!((status, again["duplicate"].as_bool(), again["message_id"].as_str()), (200, Some(true), three["message_id"].as_str()), "{again}");
    }

    let msgs = messages(&owner, &conv).await;
    let texts: Vec<&str> = msgs.iter().filter_map(|m| m["content"].as_str()).collect();
    assert_eq!(texts.len(), 4, "three emails and one reply: {texts:?}");
    assert_eq!(texts[0], "订单 DY-1001 还没到\n\n你好，我的订单还没到。", "a new thread starts with its subject");
    assert_eq!(texts[2], "还是没有物流信息。", "quoted history trimmed");
    assert!(msgs.iter().all(|m| m["channel"] == "email"));
    // An email of the whole thread with nothing of its own keeps the text rather than nothing.
    assert!(texts[3].contains("旧内容"), "{}", texts[3]);

    let (status, _) = owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "快递明天到。"})).await;
    assert_eq!(status, 201);
    let got = sink.wait_for(2).await;
    let r2 = parsed(&got[1]);
    assert_eq!(r2.in_reply_to, vec!["m3@customer.example"], "answers the newest email");
    assert_eq!(r2.references, vec!["m1@customer.example", "m2@customer.example", "m3@customer.example"], "its ancestry (References, then In-Reply-To) and it");
    assert_eq!(r2.subject, "Re: 订单 DY-1001 还没到");
    assert_ne!(r2.message_id, r1.message_id);
    // The worker records the outcome just after the relay's answer.
    let mut done = Value::Null;
    for _ in 0..500 {
        done = owner.get("/api/v1/outbox?state=delivered").await.1;
        if done["deliveries"].as_array().map(Vec::len) == Some(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(done["deliveries"].as_array().map(Vec::len), Some(2), "{done}");
    // The channels page: the relay answers, and both replies are listed as sent.
    let (_, recent) = owner.get(&format!("/api/v1/channels/{ch}/events")).await;
    assert_eq!((recent["email"]["smtp_configured"].as_bool(), recent["email"]["smtp_reachable"].as_bool(), recent["email"]["imap"].as_bool()), (Some(true), Some(true), Some(false)), "{recent}");
    assert_eq!(recent["sends"].as_array().map(|s| s.iter().filter(|x| x["ok"] == true).count()), Some(2), "{recent}");
}

fn gbk_b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn real_mime_decodes_and_attachments_are_kept() {
    let app = TestApp::spawn().await;
    let (ch, secret) = email_channel(&app).await;
    let owner = app.login("owner@demo.kefu").await;

    // HTML only: the message is its text.
    let html = b"From: a@html.example\r\nSubject: HTML\r\nMessage-ID: <h1@html.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>\xe8\xaf\xb7\xe9\x97\xae<b>\xe6\x9c\x89\xe8\xb4\xa7</b>\xe5\x90\x97</p><script>x()</script></body></html>\r\n";
    let (status, res) = post_email(&app, &ch, &secret, html).await;
    assert_eq!(status, 201, "{res}");
    let text = messages(&owner, res["conversation_id"].as_str().expect("conv")).await[0]["content"].as_str().unwrap_or("").to_string();
    assert!(text.contains("请问") && text.contains("有货") && !text.contains('<'), "{text}");

    // GBK: an encoded-word subject and a GBK body (订单 / 你好，退款), and a UTF-8 encoded-word name.
    let gbk = [
        format!("From: =?UTF-8?B?{}?= <gbk@cn.example>\r\nSubject: =?GBK?B?{}?=\r\nMessage-ID: <g1@cn.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n", gbk_b64("李雷".as_bytes()), gbk_b64(&[0xB6, 0xA9, 0xB5, 0xA5])).into_bytes(),
        vec![0xC4, 0xE3, 0xBA, 0xC3, 0xA3, 0xAC, 0xCD, 0xCB, 0xBF, 0xEE, b'\r', b'\n'],
    ]
    .concat();
    let (status, res) = post_email(&app, &ch, &secret, &gbk).await;
    assert_eq!(status, 201, "{res}");
    let msgs = messages(&owner, res["conversation_id"].as_str().expect("conv")).await;
    assert_eq!(msgs[0]["content"], "订单\n\n你好，退款");
    let (_, customer) = owner.get(&format!("/api/v1/customers/{}", res["customer_id"].as_str().expect("customer"))).await;
    assert_eq!(customer["display_name"], "李雷", "{customer}");
    // The address is masked like message text, even for the owner (who may reveal it).
    assert_eq!(customer["identities"][0]["channel"], "email");
    assert!(customer["identities"][0]["external_id"].as_str().is_some_and(|a| a != "gbk@cn.example" && a.ends_with("@cn.example")), "{customer}");

    // multipart/alternative (text + HTML) inside multipart/mixed with a PDF attachment.
    let pdf = b"%PDF-1.4 \x00\x01\x02 binary";
    let mixed = format!(
        "From: att@files.example\r\nSubject: =?UTF-8?Q?=E5=8F=91=E7=A5=A8?=\r\nMessage-ID: <a1@files.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n\
         --MIX\r\nContent-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n\
         --ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n发票请查收\r\n\
         --ALT\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>发票<b>请查收</b></p>\r\n--ALT--\r\n\
         --MIX\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?{}?=\"\r\nContent-Disposition: attachment; filename=\"=?UTF-8?B?{}?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--MIX--\r\n",
        gbk_b64("发票.pdf".as_bytes()),
        gbk_b64("发票.pdf".as_bytes()),
        gbk_b64(pdf)
    );
    let (status, res) = post_email(&app, &ch, &secret, mixed.as_bytes()).await;
    assert_eq!((status, res["attachments"].as_u64()), (201, Some(1)), "{res}");
    let msg = res["message_id"].as_str().expect("message");
    let m = &messages(&owner, res["conversation_id"].as_str().expect("conv")).await[0];
    assert_eq!(m["content"], "发票\n\n发票请查收\n\n[附件] 发票.pdf", "the plain part, not the HTML one");
    let (status, list) = owner.get(&format!("/api/v1/messages/{msg}/attachments")).await;
    assert_eq!(status, 200, "{list}");
    let a = &list["attachments"][0];
    assert_eq!((a["filename"].as_str(), a["content_type"].as_str(), a["size"].as_u64()), (Some("发票.pdf"), Some("application/pdf"), Some(pdf.len() as u64)), "{list}");
    let res = app.http.get(format!("{}/api/v1/attachments/{}", app.base, a["id"].as_str().expect("id"))).header("cookie", &owner.cookie).send().await.expect("download");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/octet-stream", "never rendered on our origin");
    assert!(res.headers()["content-disposition"].to_str().unwrap_or("").starts_with("attachment;"));
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), pdf);
}

#[tokio::test]
async fn bad_email_is_refused_with_a_reason_and_nothing_is_stored() {
    let app = TestApp::spawn_with(|a| a.email_max_bytes = Some(4096)).await;
    let (ch, secret) = email_channel(&app).await;
    let owner = app.login("owner@demo.kefu").await;
    let count = || async { owner.get("/api/v1/conversations?limit=500").await.1["conversations"].as_array().map_or(0, Vec::len) };
    let before = count().await;

    let good = plain("x@ok.example", "ok1@ok.example", "hi", None, &[], "hello");
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("garbage", b"this is not an email at all".to_vec(), 400, "invalid_email"),
        ("no sender", b"Subject: hi\r\nMessage-ID: <n@x>\r\n\r\nbody\r\n".to_vec(), 400, "invalid_email"),
        ("bad sender", b"From: nobody\r\nSubject: hi\r\n\r\nbody\r\n".to_vec(), 400, "invalid_email"),
        ("oversize", [plain("x@ok.example", "big@ok.example", "big", None, &[], ""), vec![b'a'; 5000]].concat(), 413, "payload_too_large"),
    ];
    for (what, raw, want, code) in cases {
        let (status, err) = post_email(&app, &ch, &secret, &raw).await;
        assert_eq!((status, err["error"]["code"].as_str()), (want, Some(code)), "{what}: {err}");
        assert!(!err["error"]["message"].as_str().unwrap_or("").contains("hi\r"), "{what}: no quoting of the email");
    }
    let (status, err) = post_email(&app, &ch, "wrong-secret", &good).await;
    assert_eq!((status, err["error"]["code"].as_str()), (401, Some("invalid_signature")), "{err}");
    // A platform (non-email) channel does not take email.
    let (platform, psecret) = crate::channels::channel(&app, "http://127.0.0.1:9/cb").await;
    let (status, _) = post_email(&app, &platform, &psecret, &good).await;
    assert_eq!(status, 404);
    assert_eq!(count().await, before, "nothing stored");
    let (status, ok) = post_email(&app, &ch, &secret, &good).await;
    assert_eq!(status, 201, "{ok}");
}

/// Without a relay configured an email reply is dead-lettered with the reason at once.
#[tokio::test]
async fn replies_without_a_relay_are_dead_with_a_reason() {
    let app = TestApp::spawn().await;
    let (ch, secret) = email_channel(&app).await;
    let owner = app.login("owner@demo.kefu").await;
    let (_, one) = post_email(&app, &ch, &secret, &plain("n@relay.example", "r1@relay.example", "hi", None, &[], "hello")).await;
    let conv = one["conversation_id"].as_str().expect("conv");
    owner.post(&format!("/api/v1/conversations/{conv}/messages"), json!({"content": "您好"})).await;
    for _ in 0..500 {
        let (_, dead) = owner.get("/api/v1/outbox?state=dead").await;
        if let Some(d) = dead["deliveries"].as_array().and_then(|d| d.first()) {
            assert!(d["last_error"].as_str().unwrap_or("").contains("KEFU_SMTP_URL"), "{d}");
            assert_eq!(d["attempts"], 1, "no retries while nothing can send: {d}");
            let (_, recent) = owner.get(&format!("/api/v1/channels/{ch}/events")).await;
            assert_eq!((recent["email"]["smtp_configured"].as_bool(), recent["email"]["smtp_reachable"].as_bool()), (Some(false), None), "{recent}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the reply was not dead-lettered");
}
