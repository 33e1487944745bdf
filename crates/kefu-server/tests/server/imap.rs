//! IMAP polling against a real IMAP server: Dovecot (Debian's `dovecot-imapd`) started by the
//! test on a loopback port with a test user and a Maildir in a temporary directory. Mail
//! appended to the mailbox lands in kefu like mail posted to the endpoint: threaded, once per
//! Message-ID, malformed mail flagged and skipped.

use crate::email::{email_channel, plain};
use crate::harness::*;
use std::time::Duration;

struct Dovecot {
    port: u16,
    _dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

impl Dovecot {
    /// Start one, or `None` (after printing why) when Dovecot cannot run here and
    /// `KEFU_REQUIRE_IMAP` is not set (CI sets it and installs dovecot-imapd).
    async fn start() -> Option<Dovecot> {
        let why = if !std::path::Path::new("/usr/sbin/dovecot").exists() {
            Some("Dovecot is not installed (apt-get install dovecot-imapd)")
        } else if !std::process::Command::new("id").args(["-u"]).output().is_ok_and(|o| o.stdout.starts_with(b"0")) {
            Some("Dovecot needs root here (it switches to its own users)")
        } else {
            None
        };
        if let Some(why) = why {
            assert!(std::env::var("KEFU_REQUIRE_IMAP").is_err(), "KEFU_REQUIRE_IMAP is set but {why}");
            println!("skipped: {why}");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path().display();
        let conf = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             ssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\nmail_location = maildir:{d}/mail/%u\n\
             passdb {{\n  driver = static\n  args = password=secret\n}}\n\
             userdb {{\n  driver = static\n  args = uid=dovecot gid=dovecot home={d}/home/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\nfirst_valid_uid = 1\n"
        );
        std::fs::write(dir.path().join("dovecot.conf"), conf).expect("config");
        for sub in ["mail", "home", "run"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        // Login processes run as dovenull and mail as dovecot: they must reach the directory.
        let ok = std::process::Command::new("chmod").arg("755").arg(dir.path()).status().is_ok_and(|s| s.success())
            && std::process::Command::new("chown").args(["-R", "dovecot:dovecot"]).arg(dir.path().join("mail")).arg(dir.path().join("home")).status().is_ok_and(|s| s.success());
        assert!(ok, "preparing Dovecot's directories failed");
        let child = tokio::process::Command::new("/usr/sbin/dovecot").args(["-F", "-c"]).arg(dir.path().join("dovecot.conf")).kill_on_drop(true).spawn().expect("start dovecot");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Some(Dovecot { port, _dir: dir, _child: child });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("Dovecot did not start: {}", std::fs::read_to_string(dir.path().join("dovecot.log")).unwrap_or_default());
    }

    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.expect("connect");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.expect("greeting");
        let mut s = client.login("kefu", "secret").await.map_err(|(e, _)| e).expect("login");
        s.select("INBOX").await.expect("select");
        s
    }

    async fn append(&self, raw: &[u8]) {
        let mut s = self.session().await;
        s.append("INBOX", None, None, raw).await.expect("append");
        let _ = s.logout().await;
    }

    async fn unseen(&self) -> usize {
        let mut s = self.session().await;
        let n = s.uid_search("UNSEEN").await.expect("search").len();
        let _ = s.logout().await;
        n
    }
}

async fn messages_of_customer(owner: &Agent) -> Vec<String> {
    let (_, list) = owner.get("/api/v1/conversations?limit=100").await;
    let Some(c) = list["conversations"].as_array().and_then(|cs| cs.iter().find(|c| c["channel"] == "email")) else { return Vec::new() };
    let (_, msgs) = owner.get(&format!("/api/v1/conversations/{}/messages", c["id"].as_str().unwrap_or(""))).await;
    msgs["messages"].as_array().map(|m| m.iter().filter_map(|x| x["content"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[tokio::test]
async fn mail_in_an_imap_mailbox_is_polled_threaded_and_stored_once() {
    let Some(dovecot) = Dovecot::start().await else { return };
    let mut app = TestApp::spawn().await;
    let (channel, _) = email_channel(&app).await;
    let first = plain("Buyer <buyer@imap.example>", "p1@imap.example", "尺码问题", None, &[], "M 码偏大吗？");
    dovecot.append(&first).await;
    dovecot.append(b"this is no email").await;
    dovecot.append(&plain("buyer@imap.example", "p2@imap.example", "Re: 尺码问题", Some("p1@imap.example"), &["p1@imap.example"], "我身高175。\r\n\r\n-----原始邮件-----\r\nM 码偏大吗？")).await;
    let port = dovecot.port;
    app.restart_with(|a| {
        a.imap_url = Some(format!("imap://kefu:secret@127.0.0.1:{port}/INBOX"));
        a.imap_channel = Some(channel.clone());
        a.imap_poll_seconds = Some(1);
    })
    .await;
    let owner = app.login("owner@demo.kefu").await;
    let mut texts = Vec::new();
    for _ in 0..100 {
        texts = messages_of_customer(&owner).await;
        if texts.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(texts, vec!["尺码问题\n\nM 码偏大吗？", "我身高175。"], "both in one conversation, quote trimmed");
    assert_eq!(dovecot.unseen().await, 0, "fetched mail (the malformed one too) is flagged seen");
    // The channels page says how mail arrives and how the last polls went.
    let (status, recent) = owner.get(&format!("/api/v1/channels/{channel}/events")).await;
    assert_eq!(status, 200, "{recent}");
    let email = &recent["email"];
    assert_eq!((email["imap"].as_bool(), email["imap_every_secs"].as_u64(), email["smtp_configured"].as_bool()), (Some(true), Some(1), Some(false)), "{recent}");
    let polls = email["polls"].as_array().expect("polls");
    assert!(polls.iter().all(|p| p["error"].is_null()), "{recent}");
    assert!(polls.iter().any(|p| p["fetched"].as_u64() >= Some(1)), "{recent}");

    // The same Message-ID delivered again (a copy in the mailbox) is not stored twice.
    dovecot.append(&first).await;
    for _ in 0..50 {
        if dovecot.unseen().await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(dovecot.unseen().await, 0);
    assert_eq!(messages_of_customer(&owner).await.len(), 2);
}

