//! Load drivers shared by the scenarios: opening many sockets, open-loop senders, closed-loop
//! senders, and the readers that turn frames into latency samples and counted errors.

use crate::client::{self, Ws};
use crate::schedule::{client_id, parse_client_id, Schedule};
use crate::stats::Shared;
use futures_util::stream::{self, StreamExt};
use futures_util::SinkExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// Counters of one load phase; every task adds to them.
#[derive(Default, Debug)]
pub struct Counters {
    /// Messages handed to sockets.
    pub sent: AtomicU64,
    /// Acknowledgements received by senders (all, warm-up included).
    pub acks: AtomicU64,
    /// The sender's own message coming back as a `message` frame.
    pub echoes: AtomicU64,
    /// Messages that reached an agent socket.
    pub deliveries: AtomicU64,
    /// Error frames and unreadable frames.
    pub protocol_errors: AtomicU64,
    /// Sockets that ended while they should have stayed open.
    pub drops: AtomicU64,
    /// Set when the phase is over, so closing sockets do not count as drops.
    pub stopping: AtomicBool,
    samples: Mutex<Vec<String>>,
}

impl Counters {
    /// Count a protocol error and keep the first few for the report.
    pub fn protocol_error(&self, what: String) {
        self.protocol_errors.fetch_add(1, Ordering::Relaxed);
        self.sample(what);
    }

    /// Count a dropped socket unless the phase is over.
    pub fn dropped(&self, why: String) {
        if !self.stopping.load(Ordering::Relaxed) {
            self.drops.fetch_add(1, Ordering::Relaxed);
            self.sample(why);
        }
    }

    fn sample(&self, what: String) {
        let mut s = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        if s.len() < 5 {
            s.push(what);
        }
    }

    /// The first few errors seen.
    pub fn samples(&self) -> Vec<String> {
        self.samples.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Read a counter.
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

/// The time base of a phase: intended times are offsets from `epoch`; samples before
/// `warmup` are not recorded.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Start of the schedule.
    pub epoch: Instant,
    /// Excluded from histograms.
    pub warmup: Duration,
}

impl Clock {
    /// Latency of something intended at `at`, if it counts (after the warm-up).
    pub fn latency(&self, at: Duration) -> Option<Duration> {
        (at >= self.warmup).then(|| Instant::now().saturating_duration_since(self.epoch + at))
    }
}

/// Open `n` sockets with at most `parallel` handshakes in flight; returns the sockets and
/// hellos, plus the errors of those that failed.
pub async fn connect_many<F, Fut>(n: usize, parallel: usize, connect: F) -> (Vec<(Ws, String)>, Vec<String>)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<(Ws, String)>>,
{
    let results: Vec<anyhow::Result<(Ws, String)>> = stream::iter(0..n).map(connect).buffer_unordered(parallel.max(1)).collect().await;
    let mut ok = Vec::with_capacity(n);
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(s) => ok.push(s),
            Err(e) => failed.push(format!("{e:#}")),
        }
    }
    (ok, failed)
}

/// Histograms a customer socket records into.
#[derive(Clone, Default)]
pub struct CustomerHists {
    /// Intended send → acknowledgement (durable).
    pub ack: Shared,
    /// Intended send → own message frame back.
    pub echo: Shared,
}

/// Run a customer socket driven from outside: frames to send arrive on the returned channel;
/// acks and echoes are matched by the client id, which carries the intended time.
pub fn spawn_customer(ws: Ws, clock: Clock, hists: CustomerHists, counters: Arc<Counters>) -> mpsc::UnboundedSender<String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let (mut sink, mut stream) = ws.split();
    let c = counters.clone();
    tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if let Err(e) = sink.send(Message::Text(text.into())).await {
                c.dropped(format!("send failed: {e}"));
                return;
            }
        }
        let _ = sink.close().await;
    });
    tokio::spawn(async move {
        while let Some(msg) = stream.next().await {
            let text = match msg {
                Ok(Message::Text(t)) => t,
                Ok(Message::Close(f)) => return counters.dropped(format!("closed by the server: {f:?}")),
                Ok(_) => continue,
                Err(e) => return counters.dropped(format!("socket error: {e}")),
            };
            match client::frame_type(&text) {
                // "send" is the baseline peer's echo of our own frame: its acknowledgement.
                Some("ack") | Some("send") => {
                    counters.acks.fetch_add(1, Ordering::Relaxed);
                    record(&text, &clock, &hists.ack, &counters);
                }
                Some("message") => {
                    counters.echoes.fetch_add(1, Ordering::Relaxed);
                    record(&text, &clock, &hists.echo, &counters);
                }
                Some("error") => counters.protocol_error(client::clip(&text)),
                Some(_) => {}
                None => counters.protocol_error(format!("unreadable frame: {}", client::clip(&text))),
            }
        }
        counters.dropped("socket ended".into());
    });
    tx
}

/// Run an agent socket that only reads: every customer message that reaches it is a
/// delivery, timed from the customer's intended send time.
pub fn spawn_agent(ws: Ws, clock: Clock, hist: Shared, counters: Arc<Counters>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let (_sink, mut stream) = ws.split();
        while let Some(msg) = stream.next().await {
            let text = match msg {
                Ok(Message::Text(t)) => t,
                Ok(Message::Close(f)) => return counters.dropped(format!("agent socket closed by the server: {f:?}")),
                Ok(_) => continue,
                Err(e) => return counters.dropped(format!("agent socket error: {e}")),
            };
            match client::frame_type(&text) {
                Some("message") | Some("send") => {
                    counters.deliveries.fetch_add(1, Ordering::Relaxed);
                    record(&text, &clock, &hist, &counters);
                }
                Some("error") => counters.protocol_error(client::clip(&text)),
                Some(_) => {}
                None => counters.protocol_error(format!("unreadable frame: {}", client::clip(&text))),
            }
        }
        counters.dropped("agent socket ended".into());
    })
}

fn record(text: &str, clock: &Clock, hist: &Shared, counters: &Counters) {
    match client::client_id_of(text).and_then(parse_client_id) {
        Some((_, at)) => {
            if let Some(l) = clock.latency(at) {
                hist.record(l);
            }
        }
        None => counters.protocol_error(format!("frame without our client id: {}", client::clip(text))),
    }
}

/// Send along an open-loop schedule: each message goes out at its intended time whatever
/// happened to earlier ones. Returns how far behind schedule the harness itself fell at worst
/// (a large value means the client, not the server, limited the run).
pub async fn open_loop(schedule: Schedule, clock: Clock, senders: &[mpsc::UnboundedSender<String>], counters: &Counters) -> Duration {
    let mut worst = Duration::ZERO;
    for a in schedule {
        let due = clock.epoch + a.at;
        let now = Instant::now();
        if due > now {
            tokio::time::sleep_until(due.into()).await;
        } else {
            worst = worst.max(now - due);
        }
        if senders[a.target].send(client::send_frame(&client_id(&a))).is_ok() {
            counters.sent.fetch_add(1, Ordering::Relaxed);
        }
    }
    worst
}

/// Wait until `done()` or the timeout; true when done.
pub async fn wait_for(timeout: Duration, done: impl Fn() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

/// Closed loop: every socket sends, waits for its ack, sends again, until `length` has passed.
/// Returns acks whose send began after the warm-up and ended before `length`.
pub async fn closed_loop(sockets: Vec<Ws>, clock: Clock, length: Duration, hist: Shared, counters: Arc<Counters>) -> u64 {
    let counted = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(sockets.len());
    for (conn, mut ws) in sockets.into_iter().enumerate() {
        let (hist, counters, counted) = (hist.clone(), counters.clone(), counted.clone());
        tasks.push(tokio::spawn(async move {
            let mut n: u64 = 0;
            loop {
                let at = clock.epoch.elapsed();
                if at >= length {
                    break;
                }
                n += 1;
                let cid = format!("{}.{}", conn as u64 * 1_000_000_000 + n, at.as_micros());
                if let Err(e) = client::send_text(&mut ws, client::send_frame(&cid)).await {
                    return counters.dropped(format!("send failed: {e}"));
                }
                counters.sent.fetch_add(1, Ordering::Relaxed);
                loop {
                    let text = match tokio::time::timeout(Duration::from_secs(30), client::next_text(&mut ws)).await {
                        Ok(Ok(t)) => t,
                        Ok(Err(e)) => return counters.dropped(format!("{e:#}")),
                        Err(_) => return counters.protocol_error(format!("no ack for {cid} within 30 s")),
                    };
                    match client::frame_type(&text) {
                        Some("ack") | Some("send") if client::client_id_of(&text) == Some(cid.as_str()) => break,
                        Some("error") => {
                            counters.protocol_error(client::clip(&text));
                            break;
                        }
                        _ => {}
                    }
                }
                counters.acks.fetch_add(1, Ordering::Relaxed);
                let end = clock.epoch.elapsed();
                if at >= clock.warmup && end <= length {
                    hist.record(end - at);
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            }
            let _ = ws.close(None).await;
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    counted.load(Ordering::Relaxed)
}
