//! Command line and environment, read once at start-up into typed values.
//!
//! Nothing below `main` reads the environment: tests build a `Config` by hand with port 0 and a
//! fresh database (see `Config::for_tests`).

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// Tavoli: live thematic roundtables for welfare co-programming.
///
/// With no subcommand it serves the web application.
#[derive(Debug, Parser)]
#[command(name = "tavoli", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Address and port to listen on.
    #[arg(
        long = "addr",
        env = "TAVOLI_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: String,
    /// Database URL: `sqlite://PATH` (default: a file in the data directory) or
    /// `postgres://USER:PASSWORD@HOST/DB` (several instances, see docs/DEPLOY.md).
    #[arg(long = "database-url", env = "TAVOLI_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory for the SQLite database and other local state; created if missing.
    #[arg(
        long = "data-dir",
        env = "TAVOLI_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Log filter, e.g. `info`, `tavoli_server=debug,info`.
    #[arg(
        long = "log",
        env = "TAVOLI_LOG",
        default_value = "info",
        global = true
    )]
    pub log: String,
    /// Directory holding the built browser bundle (`pkg/`).
    #[arg(
        long = "site-dir",
        env = "TAVOLI_SITE_DIR",
        default_value = "target/site",
        global = true
    )]
    pub site_dir: PathBuf,
    /// Multiplies every rate limit (sign-in and join per address, messages per websocket) by
    /// this factor, 1 to 10000: for a deployment whose clients all reach it through one proxy
    /// address, or a load test.
    #[arg(
        long = "rate-limit-scale",
        env = "TAVOLI_RATE_LIMIT_SCALE",
        default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=10_000),
        global = true
    )]
    pub rate_limit_scale: u32,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Serve the web application (the default).
    Serve {
        /// Load the demo process (and its demo accounts) if the database has none yet.
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo process into the database and exit.
    Demo,
    /// Manage staff accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Copy a whole deployment into a new, empty database (e.g. SQLite to PostgreSQL).
    Copy {
        /// The database to read: sqlite://PATH or postgres://...
        #[arg(long)]
        from: String,
        /// The new database to fill (migrated first; must hold no data).
        #[arg(long)]
        to: String,
    },
    /// Write a process's Documento di proposta partecipata (.pdf) or open data (.json, .csv).
    Export {
        /// The process id.
        #[arg(long)]
        process: String,
        /// The file to write; its extension (.pdf, .json, .csv) picks the format.
        #[arg(long)]
        out: PathBuf,
        /// Language of the PDF.
        #[arg(long, default_value = "it", value_parser = ["it", "en"])]
        lang: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a planning-office (Ufficio di Piano) account.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// Name shown in the audit log and the document.
        #[arg(long, default_value = "Ufficio di Piano")]
        name: String,
    },
}

/// Everything the server needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database: DatabaseUrl,
    pub data_dir: PathBuf,
    pub site_dir: PathBuf,
    pub log: String,
    /// Every rate limit is multiplied by this (1 = the documented limits).
    pub rate_limit_scale: u32,
}

/// A database URL whose scheme Tavoli knows.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(String),
    Postgres(String),
}

impl std::fmt::Debug for DatabaseUrl {
    // A PostgreSQL URL can hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(url) => write!(f, "Sqlite({url})"),
            DatabaseUrl::Postgres(_) => write!(f, "Postgres(..)"),
        }
    }
}

/// A configuration problem, said in one line with the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, ConfigError> {
        if url.starts_with("sqlite:") {
            Ok(DatabaseUrl::Sqlite(url.to_string()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_string()))
        } else {
            let scheme = url.split(':').next().unwrap_or(url);
            Err(ConfigError(format!(
                "unknown database URL scheme `{scheme}`: use sqlite://PATH or postgres://USER@HOST/DB (TAVOLI_DATABASE_URL / --database-url)"
            )))
        }
    }
}

impl Config {
    /// Resolves the raw arguments: parses the address, derives the database URL from the data
    /// directory and checks that the directory can be written, before anything starts.
    pub fn resolve(args: &CommonArgs) -> Result<Self, ConfigError> {
        let addr: SocketAddr = args.addr.parse().map_err(|_| {
            ConfigError(format!(
                "`{}` is not an address:port (TAVOLI_ADDR / --addr), e.g. 127.0.0.1:3000",
                args.addr
            ))
        })?;
        let database = match &args.database_url {
            Some(url) => DatabaseUrl::parse(url)?,
            None => {
                ensure_writable_dir(&args.data_dir)?;
                let file = args.data_dir.join("tavoli.sqlite3");
                DatabaseUrl::Sqlite(format!("sqlite://{}", file.display()))
            }
        };
        if let DatabaseUrl::Sqlite(url) = &database
            && let Some(parent) = sqlite_path(url).and_then(|p| p.parent().map(|p| p.to_path_buf()))
            && !parent.as_os_str().is_empty()
        {
            ensure_writable_dir(&parent)?;
        }
        Ok(Config {
            addr,
            database,
            data_dir: args.data_dir.clone(),
            site_dir: args.site_dir.clone(),
            log: args.log.clone(),
            rate_limit_scale: args.rate_limit_scale,
        })
    }

    /// A configuration for tests: port 0 on loopback, the given data directory.
    pub fn for_tests(data_dir: &std::path::Path, site_dir: PathBuf) -> Self {
        let file = data_dir.join("tavoli.sqlite3");
        Config {
            addr: "127.0.0.1:0".parse().expect("static address"),
            database: DatabaseUrl::Sqlite(format!("sqlite://{}", file.display())),
            data_dir: data_dir.to_path_buf(),
            site_dir,
            log: "warn".into(),
            rate_limit_scale: 1,
        }
    }
}

/// The file path inside a `sqlite:` URL, if it names one (not `:memory:`).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.starts_with(":memory:") {
        None
    } else {
        Some(PathBuf::from(path))
    }
}

/// Creates the directory if needed and proves it is writable by creating and removing a file,
/// so that a read-only mount fails here, in one line, and not at the first contribution.
fn ensure_writable_dir(dir: &std::path::Path) -> Result<(), ConfigError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        ConfigError(format!(
            "cannot create the data directory {}: {e} (set TAVOLI_DATA_DIR / --data-dir to a writable folder)",
            dir.display()
        ))
    })?;
    let probe = dir.join(".tavoli-write-test");
    std::fs::write(&probe, b"ok").map_err(|e| {
        ConfigError(format!(
            "the data directory {} is not writable: {e} (set TAVOLI_DATA_DIR / --data-dir to a writable folder)",
            dir.display()
        ))
    })?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}
