//! `kefu`: the omnichannel customer-service server and its tools.

use clap::{Parser, Subcommand};
use kefu_server::config::{Config, ServeArgs};
use kefu_server::{app, demo};
use std::process::ExitCode;

mod cli {
    pub mod analytics;
    pub mod audit;
    pub mod keys;
    pub mod nlu;
    pub mod platform;
    pub mod shop;
    pub mod search;
}

#[derive(Parser)]
#[command(name = "kefu", version, about = "Omnichannel customer service: one inbox, a bot that knows when to hand over, and the people behind it.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (HTTP API, WebSockets, web UI).
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(ServeArgs),
    /// Encryption keys: usage per key, add a key, re-seal old rows with the current key.
    Keys {
        #[command(subcommand)]
        command: cli::keys::KeysCommand,
    },
    /// The audit log: verify its hash chain.
    Audit {
        #[command(subcommand)]
        command: cli::audit::AuditCommand,
    },
    /// The language engine: evaluate, analyse messages, query an FAQ table, rebuild defaults.
    Nlu {
        #[command(subcommand)]
        command: cli::nlu::NluCommand,
    },
    /// Shops: create one whose owner sets a password through a one-time link.
    Shop {
        #[command(subcommand)]
        command: cli::shop::ShopCommand,
    },
    /// The platform operator: create a token for /api/v1/platform.
    Platform {
        #[command(subcommand)]
        command: cli::platform::PlatformCommand,
    },
    /// The search index: index messages it does not hold yet (resumable).
    Search {
        #[command(subcommand)]
        command: cli::search::SearchCommand,
    },
    /// Analytics: rebuild every rollup from the event log.
    Analytics {
        #[command(subcommand)]
        command: cli::analytics::AnalyticsCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Command::Serve(ref a) | Command::Migrate(ref a) => a,
        Command::Keys { ref command } => command.args(),
        Command::Audit { ref command } => command.args(),
        Command::Analytics { ref command } => command.args(),
        Command::Shop { ref command } => command.args(),
        Command::Platform { ref command } => command.args(),
        Command::Search { ref command } => command.args(),
        // Pure computation over local files: no configuration, database or runtime needed.
        Command::Nlu { command } => {
            return match cli::nlu::run(command) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kefu: {e:#}");
                    ExitCode::FAILURE
                }
            };
        }
    };
    let config = match Config::load(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kefu: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(&config.log)).with_target(false).init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kefu: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(_) => serve(config).await,
            Command::Migrate(_) => migrate(config).await,
            Command::Keys { command } => cli::keys::run(command, config).await,
            Command::Audit { command } => match cli::audit::run(command, config).await {
                Ok(true) => Ok(()),
                Ok(false) => std::process::exit(1),
                Err(e) => Err(e),
            },
            Command::Nlu { .. } => Ok(()),
            Command::Analytics { command } => cli::analytics::run(command, config).await,
            Command::Shop { command } => cli::shop::run(command, config).await,
            Command::Platform { command } => cli::platform::run(command, config).await,
            Command::Search { command } => cli::search::run(command, config).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kefu: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let database = kefu_store::redact(&config.database_url);
    let running = app::start(config).await?;
    let mut addr = running.addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let base = format!("http://{addr}");
    println!("kefu is running at {base}");
    println!("  agent workspace  {base}/workspace");
    println!("  people           {base}/settings/people");
    println!("  API docs         {base}/api/docs");
    println!("  database         {database}");
    if let Some(path) = &running.setup_link {
        println!("no shop yet: open this one-time link to create your shop and its owner:");
        println!("  {base}{path}");
    }
    if demo::exists(&running.state.inbox).await {
        println!("  demo shop        {base}/demo");
        println!("demo logins (password {}):", demo::DEMO_PASSWORD);
        for (email, name, role) in demo::DEMO_USERS {
            println!("  {email:<22} {name} ({})", role.as_str());
        }
    }
    println!("press Ctrl-C to stop");
    running.wait_for_signal().await;
    println!("shutting down…");
    running.shutdown().await;
    Ok(())
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    config.prepare_data_dir()?;
    let store = kefu_store::SqlStore::open(
        &config.database_url,
        std::sync::Arc::new(kefu_core::seal::PlainSealer),
        kefu_store::StoreOptions::default(),
    )
    .await?;
    store.close().await;
    println!("database {} is up to date", kefu_store::redact(&config.database_url));
    Ok(())
}
