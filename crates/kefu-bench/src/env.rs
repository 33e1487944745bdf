//! The machine the run happened on, the process fd limit, and reading another process's CPU
//! time and memory from /proc (Linux).

use serde::Serialize;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Facts about the machine, recorded with every run.
#[derive(Debug, Default, Serialize, Clone)]
pub struct Environment {
    /// UTC date of the run, YYYY-MM-DD.
    pub date: String,
    /// Logical CPUs this process may use.
    pub cores: usize,
    /// CPU model from /proc/cpuinfo.
    pub cpu_model: String,
    /// Memory, MiB.
    pub memory_mib: u64,
    /// Kernel release.
    pub kernel: String,
    /// Open-file limit (soft) before the harness raised it.
    pub nofile_soft_before: u64,
    /// Open-file limit (soft) after raising it to the hard limit.
    pub nofile_soft: u64,
    /// Hard open-file limit.
    pub nofile_hard: u64,
    /// Filesystem type holding the temporary database (fsync figures depend on it).
    pub temp_fs: String,
}

impl Environment {
    /// Read the environment (after [`raise_nofile`]).
    pub fn read(nofile: (u64, u64, u64), temp: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Self {
            date: utc_date(SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)),
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            cpu_model: field(&cpuinfo, "model name").unwrap_or_default(),
            memory_mib: field(&meminfo, "MemTotal").and_then(|v| kib(&v)).unwrap_or(0) / 1024,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string(),
            nofile_soft_before: nofile.0,
            nofile_soft: nofile.1,
            nofile_hard: nofile.2,
            temp_fs: fs_type(temp),
        }
    }

    /// One line for the top of the table.
    pub fn line(&self) -> String {
        format!(
            "{} · {} cores ({}) · {} MiB · Linux {} · fd limit {} (hard {}, was {}) · temp fs {}",
            self.date, self.cores, self.cpu_model, self.memory_mib, self.kernel, self.nofile_soft, self.nofile_hard,
            self.nofile_soft_before, self.temp_fs
        )
    }
}

/// Raise this process's RLIMIT_NOFILE soft limit to the hard limit; children (the server and
/// the baseline peer) inherit it. Returns (soft before, soft after, hard).
pub fn raise_nofile() -> (u64, u64, u64) {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return (0, 0, 0);
        }
        let before = lim.rlim_cur as u64;
        lim.rlim_cur = lim.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
            return (before, before, lim.rlim_max as u64);
        }
        (before, lim.rlim_cur as u64, lim.rlim_max as u64)
    }
}

/// CPU seconds (user + system) a process has used so far.
pub fn cpu_seconds(pid: u32) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().and_then(|s| stat_ticks(&s)).map(|t| t as f64 / ticks).unwrap_or(0.0)
}

/// Resident memory of a process, bytes.
pub fn rss_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status")).ok().and_then(|s| field(&s, "VmRSS")).and_then(|v| kib(&v)).unwrap_or(0) * 1024
}

/// Connections the kernel refused because a listen queue was full (`ListenOverflows` from
/// /proc/net/netstat, machine-wide): each one costs the client a SYN retransmission (1 s, 3 s …).
pub fn listen_overflows() -> u64 {
    std::fs::read_to_string("/proc/net/netstat").ok().and_then(|t| netstat_value(&t, "TcpExt", "ListenOverflows")).unwrap_or(0)
}

/// A counter from the two-line (names, values) layout of /proc/net/netstat.
pub fn netstat_value(text: &str, group: &str, name: &str) -> Option<u64> {
    let prefix = format!("{group}:");
    let mut lines = text.lines().filter(|l| l.starts_with(&prefix));
    let names = lines.next()?;
    let values = lines.next()?;
    let i = names.split_whitespace().position(|n| n == name)?;
    values.split_whitespace().nth(i)?.parse().ok()
}

/// utime + stime from the text of /proc/PID/stat. The command name (field 2) may contain
/// spaces and parentheses, so fields are counted from the last ')'.
pub fn stat_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')' come field 3 (state) onwards; utime is field 14, stime field 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// The value of `key:` in a /proc text file.
pub fn field(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

/// "123 kB" → 123.
pub fn kib(v: &str) -> Option<u64> {
    v.split_whitespace().next()?.parse().ok()
}

/// The type of the filesystem holding `path`, from /proc/mounts (longest mount prefix).
fn fs_type(path: &Path) -> String {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut best = ("", "unknown");
    for l in mounts.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() >= 3 && path.starts_with(f[1]) && f[1].len() >= best.0.len() {
            best = (f[1], f[2]);
        }
    }
    best.1.to_string()
}

/// Unix seconds → UTC date (civil-from-days, proleptic Gregorian).
pub fn utc_date(secs: u64) -> String {
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_stat_with_odd_command_names() {
        let stat = "4242 (kefu (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 3 0 100 1000 200";
        assert_eq!(stat_ticks(stat), Some(175));
        assert_eq!(stat_ticks("garbage"), None);
    }

    #[test]
    fn reads_status_fields() {
        let status = "Name:\tkefu\nVmRSS:\t  12345 kB\nThreads:\t3\n";
        assert_eq!(field(status, "VmRSS").as_deref(), Some("12345 kB"));
        assert_eq!(field(status, "VmRSS").and_then(|v| kib(&v)), Some(12345));
        assert_eq!(field(status, "Missing"), None);
    }

    #[test]
    fn reads_netstat_counters() {
        let t = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 17 17\nIpExt: InNoRoutes\nIpExt: 3\n";
        assert_eq!(netstat_value(t, "TcpExt", "ListenOverflows"), Some(17));
        assert_eq!(netstat_value(t, "IpExt", "InNoRoutes"), Some(3));
        assert_eq!(netstat_value(t, "TcpExt", "Missing"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_795_219_200), "2026-11-21");
    }

    #[test]
    fn this_process_is_measurable() {
        let pid = std::process::id();
        assert!(rss_bytes(pid) > 0);
        assert!(cpu_seconds(pid) >= 0.0);
    }
}
