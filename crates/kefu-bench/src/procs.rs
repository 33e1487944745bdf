//! The processes under test: `kefu serve` on a fresh temporary SQLite file, and the baseline
//! peer (this binary re-executed as `baseline-peer`). Both run as children so their CPU time
//! and memory are read the same way, and both are stopped when the handle is dropped.

use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A process the harness started and measures.
pub struct Proc {
    /// What it is, for messages.
    pub label: &'static str,
    child: Child,
    /// Its pid.
    pub pid: u32,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Where its stderr goes (the server's warnings count as findings).
    log: Option<PathBuf>,
}

impl Proc {
    /// `http://addr`.
    pub fn http(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://addr`.
    pub fn ws(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// CPU seconds used so far.
    pub fn cpu(&self) -> f64 {
        crate::env::cpu_seconds(self.pid)
    }

    /// Resident memory, bytes.
    pub fn rss(&self) -> u64 {
        crate::env::rss_bytes(self.pid)
    }

    /// Whether it is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Lines of its log at WARN or ERROR level (the server logs at `warn`).
    pub fn warnings(&self) -> Vec<String> {
        let Some(path) = &self.log else { return Vec::new() };
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR") || l.contains("panicked"))
            .map(|l| l.chars().take(300).collect())
            .collect()
    }

    /// Ask it to stop (SIGTERM), then kill it if it has not stopped within 10 s.
    pub async fn stop(mut self) -> Result<()> {
        // SAFETY: kill only sends a signal to our own child's pid.
        unsafe {
            libc::kill(self.pid as i32, libc::SIGTERM);
        }
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(r) => {
                r.with_context(|| format!("waiting for the {}", self.label))?;
            }
            Err(_) => {
                self.child.kill().await.with_context(|| format!("killing the {}", self.label))?;
            }
        }
        Ok(())
    }
}

/// Start `kefu serve` on 127.0.0.1:0 with a data directory in `dir`, read its address from
/// its banner and wait for `/healthz`.
pub async fn spawn_kefu(bin: &Path, dir: &Path) -> Result<Proc> {
    if !bin.exists() {
        bail!("kefu binary {} not found: build it with `cargo build --release -p kefu-server` or pass --kefu-bin", bin.display());
    }
    let log = dir.join("kefu.log");
    let stderr = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let mut child = Command::new(bin)
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--log", "warn", "--demo", "true"])
        // Scenarios script the conversation path themselves (agents take conversations at
        // once); the demo shop's bot would hold them first.
        .args(["--demo-bot", "false"])
        // The bench measures capacity from one loopback IP with a few logins: the abuse
        // limits (per IP, per credential, per customer) would measure themselves instead.
        .args(["--rate-limit-per-ip", "0", "--rate-limit-per-credential", "0", "--rate-limit-per-customer", "0"])
        // Likewise the connection caps: every session comes from 127.0.0.1.
        .args(["--connections-per-ip", "0", "--max-connections", "1000000"])
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr))
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let pid = child.id().ok_or_else(|| anyhow!("kefu exited at once"))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout from kefu"))?;
    let addr = banner_addr(stdout, "kefu is running at http://").await.with_context(|| format!("kefu did not start; see {}", log.display()))?;
    let mut proc = Proc { label: "kefu server", child, pid, addr, log: Some(log) };
    wait_healthy(&mut proc).await?;
    Ok(proc)
}

/// Start the baseline peer: this very binary with `baseline-peer --port 0`.
pub async fn spawn_baseline(read_buffer: Option<usize>) -> Result<Proc> {
    let exe = std::env::current_exe().context("finding the harness's own executable")?;
    let mut cmd = Command::new(exe);
    cmd.args(["baseline-peer", "--port", "0"]);
    if let Some(n) = read_buffer {
        cmd.args(["--read-buffer", &n.to_string()]);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("starting the baseline peer")?;
    let pid = child.id().ok_or_else(|| anyhow!("baseline peer exited at once"))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout from the baseline peer"))?;
    let addr = banner_addr(stdout, "listening ").await.context("baseline peer did not start")?;
    Ok(Proc { label: "baseline peer", child, pid, addr, log: None })
}

/// Read stdout until the line starting with `prefix`, return what follows it (the address),
/// then keep draining stdout so a later print never fails on a closed pipe.
async fn banner_addr(stdout: tokio::process::ChildStdout, prefix: &str) -> Result<String> {
    let mut lines = BufReader::new(stdout).lines();
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.trim().strip_prefix(prefix) {
                return Ok::<_, std::io::Error>(Some(rest.trim().trim_end_matches('/').to_string()));
            }
        }
        Ok(None)
    })
    .await
    .map_err(|_| anyhow!("no start-up line within 60 s"))??;
    let addr = found.ok_or_else(|| anyhow!("process ended before printing its address"))?;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(addr)
}

async fn wait_healthy(proc: &mut Proc) -> Result<()> {
    let http = reqwest::Client::new();
    let url = format!("{}/healthz", proc.http());
    for _ in 0..300 {
        if let Ok(r) = http.get(&url).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        if !proc.alive() {
            bail!("kefu exited during start-up; log: {:?}", proc.warnings());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("kefu did not become healthy within 30 s")
}

/// The default server binary: `kefu` next to this executable (both live in target/release).
pub fn default_kefu_bin() -> PathBuf {
    std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("kefu"))).unwrap_or_else(|| PathBuf::from("target/release/kefu"))
}

/// Values of the server's Prometheus counters we read (`kefu_store_commits_total` …).
pub async fn metric(http: &reqwest::Client, base: &str, name: &str) -> Result<f64> {
    let text = http.get(format!("{base}/metrics")).send().await?.text().await?;
    parse_metric(&text, name).ok_or_else(|| anyhow!("metric {name} not found"))
}

/// The value of a metric line `name value` in the text exposition.
pub fn parse_metric(text: &str, name: &str) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (k, v) = l.split_once(' ')?;
        (k == name).then(|| v.trim().parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prometheus_text() {
        let text = "# HELP kefu_store_commits x\n# TYPE kefu_store_commits counter\nkefu_store_commits_total 42\nkefu_widget_sockets 7\n";
        assert_eq!(parse_metric(text, "kefu_store_commits_total"), Some(42.0));
        assert_eq!(parse_metric(text, "kefu_widget_sockets"), Some(7.0));
        assert_eq!(parse_metric(text, "kefu_store"), None);
    }
}
