//! One typed configuration: defaults, then an optional TOML file, then `KEFU_*` environment
//! variables and command-line flags (clap merges those two, flags first). Validated at start
//! with one clear line per problem.

use crate::security::limits::LimitSettings;
use kefu_store::keys::{CipherKind, KeyFile, KeyRing};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Options of `kefu serve`; each also reads a `KEFU_*` variable.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (flags and environment win over it).
    #[arg(long, env = "KEFU_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "KEFU_LISTEN")]
    pub listen: Option<String>,
    /// Where the embedded database and other files live [default: ./kefu-data].
    #[arg(long, env = "KEFU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://… [default: SQLite in the data directory].
    #[arg(long, env = "KEFU_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Create the demo shop (演示店铺) and its logins when the database has no shop [default: true].
    #[arg(long, env = "KEFU_DEMO")]
    pub demo: Option<bool>,
    /// Give a newly seeded demo shop its bot (knowledge base, stock flow, products) [default: true].
    #[arg(long, env = "KEFU_DEMO_BOT")]
    pub demo_bot: Option<bool>,
    /// Hours a login session lasts [default: 12].
    #[arg(long, env = "KEFU_SESSION_TTL_HOURS")]
    pub session_ttl_hours: Option<u64>,
    /// Mark session cookies `Secure` (serve behind HTTPS) [default: false].
    #[arg(long, env = "KEFU_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Log filter, e.g. `info` or `kefu=debug` [default: info].
    #[arg(long, env = "KEFU_LOG")]
    pub log: Option<String>,
    /// Seconds between ticket SLA sweeps [default: 30].
    #[arg(long, env = "KEFU_SLA_SWEEP_SECONDS")]
    pub sla_sweep_seconds: Option<u64>,
    /// Encryption key file (TOML); created with one new key if missing [default: DATA_DIR/keys.toml].
    #[arg(long, env = "KEFU_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Cipher for newly generated keys: sm4-gcm or aes-256-gcm [default: sm4-gcm].
    #[arg(long, env = "KEFU_CIPHER")]
    pub cipher: Option<String>,
    /// Requests per minute from one client IP; 0 turns the limit off [default: 1200].
    #[arg(long, env = "KEFU_RATE_LIMIT_PER_IP")]
    pub rate_limit_per_ip: Option<u32>,
    /// Requests per minute with one session or API token; 0 turns it off [default: 1200].
    #[arg(long, env = "KEFU_RATE_LIMIT_PER_CREDENTIAL")]
    pub rate_limit_per_credential: Option<u32>,
    /// Messages per minute from one customer; 0 turns it off [default: 30].
    #[arg(long, env = "KEFU_RATE_LIMIT_PER_CUSTOMER")]
    pub rate_limit_per_customer: Option<u32>,
    /// Seconds a client has from a request's first byte to the end of its head [default: 10].
    #[arg(long, env = "KEFU_HEADER_TIMEOUT_SECONDS")]
    pub header_timeout_seconds: Option<u64>,
    /// Seconds an idle keep-alive connection is kept open between requests; longer than a
    /// load balancer's own idle timeout [default: 75].
    #[arg(long, env = "KEFU_KEEPALIVE_SECONDS")]
    pub keepalive_seconds: Option<u64>,
    /// Open connections (WebSockets included) from one client IP, IPv6 by /64; 0 turns the
    /// cap off (behind a reverse proxy every client has its address) [default: 256].
    #[arg(long, env = "KEFU_CONNECTIONS_PER_IP")]
    pub connections_per_ip: Option<usize>,
    /// Open connections in all; further clients wait in the listen queue. Also kept below the
    /// open-file limit [default: 20000].
    #[arg(long, env = "KEFU_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Directory of sensitive-word lists (`*.txt`, one word a line, file name = category),
    /// added to the built-in list [default: none].
    #[arg(long, env = "KEFU_SENSITIVE_WORDS")]
    pub sensitive_words: Option<PathBuf>,
    /// First retry delay of outbox deliveries, in milliseconds (doubles per attempt) [default: 1000].
    #[arg(long, env = "KEFU_OUTBOX_RETRY_BASE_MS")]
    pub outbox_retry_base_ms: Option<u64>,
    /// Longest retry delay of outbox deliveries, in milliseconds [default: 600000].
    #[arg(long, env = "KEFU_OUTBOX_RETRY_CAP_MS")]
    pub outbox_retry_cap_ms: Option<u64>,
    /// Attempts before a delivery is dead-lettered [default: 12].
    #[arg(long, env = "KEFU_OUTBOX_MAX_ATTEMPTS")]
    pub outbox_max_attempts: Option<u32>,
    /// Seconds one delivery attempt may take [default: 10].
    #[arg(long, env = "KEFU_OUTBOX_TIMEOUT_SECONDS")]
    pub outbox_timeout_seconds: Option<u64>,
    /// Danmaku waiting to be processed before the webhook answers 429 [default: 10000].
    #[arg(long, env = "KEFU_LIVE_QUEUE")]
    pub live_queue: Option<usize>,
    /// Seconds within which identical danmaku in one live session count as repeats [default: 60].
    #[arg(long, env = "KEFU_LIVE_REPEAT_SECONDS")]
    pub live_repeat_seconds: Option<u64>,
    /// Let callbacks and webhooks go to loopback, private and link-local addresses (tests,
    /// on-premises integrations) [default: false].
    #[arg(long, env = "KEFU_ALLOW_PRIVATE_TARGETS")]
    pub allow_private_targets: Option<bool>,
    /// Hours delivered outbox rows are kept before the sweep deletes them [default: 168].
    #[arg(long, env = "KEFU_OUTBOX_RETENTION_HOURS")]
    pub outbox_retention_hours: Option<u64>,
    /// SMTP relay for replies to email conversations: smtp://[user:pass@]host[:port] (plain,
    /// or STARTTLS with ?tls=required), smtps://… (implicit TLS) [default: none].
    #[arg(long, env = "KEFU_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// IMAP mailbox polled for inbound email: imaps://user:password@host[:port]/MAILBOX
    /// (user and password percent-encoded) [default: none].
    #[arg(long, env = "KEFU_IMAP_URL", hide_env_values = true)]
    pub imap_url: Option<String>,
    /// The email channel the polled mailbox belongs to (its id).
    #[arg(long, env = "KEFU_IMAP_CHANNEL")]
    pub imap_channel: Option<String>,
    /// Seconds between IMAP polls [default: 60].
    #[arg(long, env = "KEFU_IMAP_POLL_SECONDS")]
    pub imap_poll_seconds: Option<u64>,
    /// Largest raw email accepted on the email endpoint, in bytes [default: 10485760].
    #[arg(long, env = "KEFU_EMAIL_MAX_BYTES")]
    pub email_max_bytes: Option<usize>,
    /// Keys given in the environment instead of a file: id:cipher:hexkey[,…], the last is current.
    #[arg(long = "keys", env = "KEFU_KEYS", hide_env_values = true)]
    pub keys: Option<String>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    demo: Option<bool>,
    demo_bot: Option<bool>,
    session_ttl_hours: Option<u64>,
    secure_cookies: Option<bool>,
    log: Option<String>,
    sla_sweep_seconds: Option<u64>,
    key_file: Option<PathBuf>,
    cipher: Option<String>,
    rate_limit_per_ip: Option<u32>,
    rate_limit_per_credential: Option<u32>,
    rate_limit_per_customer: Option<u32>,
    sensitive_words: Option<PathBuf>,
    header_timeout_seconds: Option<u64>,
    keepalive_seconds: Option<u64>,
    connections_per_ip: Option<usize>,
    max_connections: Option<usize>,
    outbox_retry_base_ms: Option<u64>,
    outbox_retry_cap_ms: Option<u64>,
    outbox_max_attempts: Option<u32>,
    outbox_timeout_seconds: Option<u64>,
    live_queue: Option<usize>,
    live_repeat_seconds: Option<u64>,
    allow_private_targets: Option<bool>,
    outbox_retention_hours: Option<u64>,
    smtp_url: Option<String>,
    email_max_bytes: Option<usize>,
    imap_url: Option<String>,
    imap_channel: Option<String>,
    imap_poll_seconds: Option<u64>,
}

/// The validated configuration the server runs with.
#[derive(Clone, Debug)]
pub struct Config {
    /// Listen address.
    pub listen: SocketAddr,
    /// Data directory (created if missing).
    pub data_dir: PathBuf,
    /// Database URL.
    pub database_url: String,
    /// Seed the demo shop into an empty database.
    pub demo: bool,
    /// Give a newly seeded demo shop its bot.
    pub demo_bot: bool,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// `Secure` flag on cookies.
    pub secure_cookies: bool,
    /// Log filter.
    pub log: String,
    /// Interval of the ticket SLA sweep.
    pub sla_sweep: Duration,
    /// Where the encryption keys live (unless given in `keys_spec`).
    pub key_file: PathBuf,
    /// Cipher for keys this process generates.
    pub cipher: CipherKind,
    /// Keys from `KEFU_KEYS`, already validated.
    pub keys_spec: Option<String>,
    /// Rate limits.
    pub limits: LimitSettings,
    /// Connection caps and timeouts.
    pub connections: crate::serve::ConnectionSettings,
    /// Extra sensitive-word lists.
    pub sensitive_words: Option<PathBuf>,
    /// Platform channels, the outbox and danmaku.
    pub channels: crate::channels::ChannelSettings,
    /// The email channel's SMTP relay.
    pub email: crate::channels::email::EmailSettings,
}

/// A configuration problem, reported as one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Merge flags/environment over the file over defaults, and validate.
    pub fn load(args: &ServeArgs) -> Result<Config, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let channels = channel_settings(args, &file)?;
        let connections = connection_settings(args, &file)?;
        let listen_text = args.listen.clone().or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            ConfigError(format!("invalid listen address {listen_text:?}: expected HOST:PORT such as 127.0.0.1:8080"))
        })?;
        let data_dir = args.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("kefu-data"));
        let database_url = match args.database_url.clone().or(file.database_url) {
            Some(url) if url.trim().is_empty() => return Err(ConfigError("database URL is empty".into())),
            Some(url) => url,
            None => format!("sqlite://{}", data_dir.join("kefu.db").display()),
        };
        kefu_store::Backend::from_url(&database_url).map_err(|e| ConfigError(e.to_string()))?;
        let hours = args.session_ttl_hours.or(file.session_ttl_hours).unwrap_or(12);
        if hours == 0 || hours > 24 * 90 {
            return Err(ConfigError(format!("session TTL of {hours} hours is out of range (1-2160)")));
        }
        let sweep = args.sla_sweep_seconds.or(file.sla_sweep_seconds).unwrap_or(30);
        if sweep == 0 || sweep > 3600 {
            return Err(ConfigError(format!("SLA sweep interval of {sweep} seconds is out of range (1-3600)")));
        }
        let cipher_name = args.cipher.clone().or(file.cipher).unwrap_or_else(|| "sm4-gcm".into());
        let cipher = CipherKind::parse(&cipher_name)
            .ok_or_else(|| ConfigError(format!("unknown cipher {cipher_name:?}: use sm4-gcm or aes-256-gcm")))?;
        if let Some(spec) = &args.keys {
            KeyRing::from_spec(spec).map_err(|e| ConfigError(e.0))?;
        }
        let key_file = args.key_file.clone().or(file.key_file).unwrap_or_else(|| data_dir.join("keys.toml"));
        let log = args.log.clone().or(file.log).unwrap_or_else(|| "info".into());
        tracing_subscriber::EnvFilter::try_new(&log)
            .map_err(|e| ConfigError(format!("invalid log filter {log:?}: {e}")))?;
        let email = crate::channels::email::EmailSettings::load(
            args.smtp_url.clone().or(file.smtp_url.clone()),
            args.imap_url.clone().or(file.imap_url.clone()),
            args.imap_channel.clone().or(file.imap_channel.clone()),
            args.imap_poll_seconds.or(file.imap_poll_seconds).unwrap_or(60),
        )
        .map_err(ConfigError)?;
        Ok(Config {
            connections,
            channels,
            email,
            listen,
            data_dir,
            database_url,
            demo: args.demo.or(file.demo).unwrap_or(true),
            demo_bot: args.demo_bot.or(file.demo_bot).unwrap_or(true),
            session_ttl: Duration::from_secs(hours * 3600),
            secure_cookies: args.secure_cookies.or(file.secure_cookies).unwrap_or(false),
            log,
            sla_sweep: Duration::from_secs(sweep),
            key_file,
            cipher,
            keys_spec: args.keys.clone(),
            sensitive_words: match args.sensitive_words.clone().or(file.sensitive_words) {
                Some(dir) if !dir.is_dir() => {
                    return Err(ConfigError(format!("sensitive-word directory {} does not exist", dir.display())))
                }
                other => other,
            },
            limits: LimitSettings {
                per_ip: args.rate_limit_per_ip.or(file.rate_limit_per_ip).unwrap_or(1200),
                per_credential: args.rate_limit_per_credential.or(file.rate_limit_per_credential).unwrap_or(1200),
                per_customer: args.rate_limit_per_customer.or(file.rate_limit_per_customer).unwrap_or(30),
            },
        })
    }

    /// The encryption keys: from `KEFU_KEYS`, else the key file, else a new key file with one
    /// fresh key (first start). Never from the database.
    pub fn key_ring(&self) -> Result<KeyRing, ConfigError> {
        if let Some(spec) = &self.keys_spec {
            return KeyRing::from_spec(spec).map_err(|e| ConfigError(e.0));
        }
        if self.key_file.exists() {
            let file = KeyFile::read(&self.key_file).map_err(|e| ConfigError(e.0))?;
            return KeyRing::from_file(&file).map_err(|e| ConfigError(e.0));
        }
        let file = KeyFile::generate(self.cipher).map_err(|e| ConfigError(e.0))?;
        file.write(&self.key_file).map_err(|e| ConfigError(e.0))?;
        tracing::warn!(
            path = %self.key_file.display(),
            cipher = self.cipher.as_str(),
            "generated a new encryption key file; back it up and keep it out of the database: without it stored content cannot be read"
        );
        KeyRing::from_file(&file).map_err(|e| ConfigError(e.0))
    }

    /// Create the data directory, with a clear error when that is impossible.
    pub fn prepare_data_dir(&self) -> Result<(), ConfigError> {
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            ConfigError(format!("cannot create data directory {}: {e}", self.data_dir.display()))
        })
    }
}

fn channel_settings(args: &ServeArgs, file: &FileConfig) -> Result<crate::channels::ChannelSettings, ConfigError> {
    let base = args.outbox_retry_base_ms.or(file.outbox_retry_base_ms).unwrap_or(1_000);
    let cap = args.outbox_retry_cap_ms.or(file.outbox_retry_cap_ms).unwrap_or(600_000);
    if base == 0 || cap < base || cap > 86_400_000 {
        return Err(ConfigError(format!("outbox retry delays {base}..{cap} ms are out of range (base >= 1, base <= cap <= 86400000)")));
    }
    let attempts = args.outbox_max_attempts.or(file.outbox_max_attempts).unwrap_or(12);
    if !(1..=100).contains(&attempts) {
        return Err(ConfigError(format!("outbox max attempts {attempts} is out of range (1-100)")));
    }
    let timeout = args.outbox_timeout_seconds.or(file.outbox_timeout_seconds).unwrap_or(10);
    if !(1..=300).contains(&timeout) {
        return Err(ConfigError(format!("outbox timeout of {timeout} seconds is out of range (1-300)")));
    }
    let queue = args.live_queue.or(file.live_queue).unwrap_or(10_000);
    if !(1..=1_000_000).contains(&queue) {
        return Err(ConfigError(format!("live queue of {queue} is out of range (1-1000000)")));
    }
    let repeat = args.live_repeat_seconds.or(file.live_repeat_seconds).unwrap_or(60);
    if repeat > 86_400 {
        return Err(ConfigError(format!("live repeat window of {repeat} seconds is out of range (0-86400)")));
    }
    let retention = args.outbox_retention_hours.or(file.outbox_retention_hours).unwrap_or(168);
    if !(1..=24 * 3650).contains(&retention) {
        return Err(ConfigError(format!("outbox retention of {retention} hours is out of range (1-87600)")));
    }
    let email_max = args.email_max_bytes.or(file.email_max_bytes).unwrap_or(10 * 1024 * 1024);
    if !(1024..=50 * 1024 * 1024).contains(&email_max) {
        return Err(ConfigError(format!("email size limit of {email_max} bytes is out of range (1024-52428800)")));
    }
    Ok(crate::channels::ChannelSettings {
        allow_private_targets: args.allow_private_targets.or(file.allow_private_targets).unwrap_or(false),
        outbox_retention: Duration::from_secs(retention * 3600),
        email_max_bytes: email_max,
        retry: kefu_core::outbox::RetryPolicy { base_ms: base as i64, cap_ms: cap as i64, max_attempts: attempts },
        delivery_timeout: Duration::from_secs(timeout),
        live_queue: queue,
        live_repeat_ms: repeat as i64 * 1000,
    })
}

fn connection_settings(args: &ServeArgs, file: &FileConfig) -> Result<crate::serve::ConnectionSettings, ConfigError> {
    let header = args.header_timeout_seconds.or(file.header_timeout_seconds).unwrap_or(10);
    if !(1..=300).contains(&header) {
        return Err(ConfigError(format!("header timeout of {header} seconds is out of range (1-300)")));
    }
    let keep_alive = args.keepalive_seconds.or(file.keepalive_seconds).unwrap_or(75);
    if !(1..=3600).contains(&keep_alive) {
        return Err(ConfigError(format!("keep-alive timeout of {keep_alive} seconds is out of range (1-3600)")));
    }
    let max = args.max_connections.or(file.max_connections).unwrap_or(20_000);
    if !(1..=10_000_000).contains(&max) {
        return Err(ConfigError(format!("max connections of {max} is out of range (1-10000000)")));
    }
    Ok(crate::serve::ConnectionSettings {
        header_timeout: Duration::from_secs(header),
        keep_alive: Duration::from_secs(keep_alive),
        per_ip: args.connections_per_ip.or(file.connections_per_ip).unwrap_or(256),
        max_connections: max,
    })
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        let msg = e.message().to_string();
        ConfigError(format!("config file {}: {msg}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::load(&ServeArgs::default()).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(c.demo);
        let c = Config::load(&ServeArgs { listen: Some("0.0.0.0:9000".into()), demo: Some(false), ..Default::default() }).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert!(!c.demo);
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        let e = Config::load(&ServeArgs { listen: Some("nope".into()), ..Default::default() }).unwrap_err();
        assert!(e.0.contains("invalid listen address \"nope\""), "{e}");
        let e = Config::load(&ServeArgs { database_url: Some("mysql://x".into()), ..Default::default() }).unwrap_err();
        assert!(e.0.contains("unsupported database URL"), "{e}");
        let e = Config::load(&ServeArgs { session_ttl_hours: Some(0), ..Default::default() }).unwrap_err();
        assert!(e.0.contains("session TTL"), "{e}");
    }

    #[test]
    fn file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:7000\"\ndemo = false\n").unwrap();
        let c = Config::load(&ServeArgs { config: Some(path.clone()), ..Default::default() }).unwrap();
        assert_eq!(c.listen.port(), 7000);
        assert!(!c.demo);
        let c = Config::load(&ServeArgs { config: Some(path.clone()), listen: Some("127.0.0.1:7001".into()), ..Default::default() }).unwrap();
        assert_eq!(c.listen.port(), 7001);
        std::fs::write(&path, "lisen = 1\n").unwrap();
        let e = Config::load(&ServeArgs { config: Some(path), ..Default::default() }).unwrap_err();
        assert!(e.0.contains("unknown field"), "{e}");
    }
}
