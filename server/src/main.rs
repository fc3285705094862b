//! `tavoli`: serve, load the demo, manage accounts. This file only wires.

use std::process::ExitCode;

use clap::Parser;
use tavoli_server::{
    Application, auth,
    clock::now_ms,
    config::{AdminCommand, Cli, CliCommand, Config, DatabaseUrl},
    demo, export,
    startup::{leptos_options, shutdown_signal},
    state::AppState,
    storage::{Storage, StorageError},
    telemetry,
};

/// Exit code for a problem the user can fix (bad flag, bad directory, port in use).
const USAGE: u8 = 2;

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("tavoli: error: {message}");
    ExitCode::from(USAGE)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::resolve(&cli.common) {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    telemetry::init(&config.log);
    match cli.command.unwrap_or(CliCommand::Serve { demo: false }) {
        CliCommand::Serve { demo } => serve(config, demo).await,
        CliCommand::Demo => match open(&config).await {
            Ok(storage) => match demo::load(&AppState::start(
                storage,
                leptos_options(&config.site_dir, config.addr),
            ))
            .await
            {
                Ok(outcome) => {
                    println!(
                        "{}",
                        if outcome.loaded {
                            "Demo loaded."
                        } else {
                            "Demo already present."
                        }
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            },
            Err(code) => code,
        },
        CliCommand::Copy { from, to } => copy(&from, &to).await,
        CliCommand::Export { process, out, lang } => match open(&config).await {
            Ok(storage) => {
                let lang = if lang == "en" {
                    tavoli_core::Lang::En
                } else {
                    tavoli_core::Lang::It
                };
                let state = AppState::start(storage, leptos_options(&config.site_dir, config.addr));
                match export::to_file(&state, &process, &out, lang).await {
                    Ok(done) => {
                        println!("{done}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(e),
                }
            }
            Err(code) => code,
        },
        CliCommand::Migrate => match open(&config).await {
            Ok(_) => {
                println!("Database is up to date.");
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        CliCommand::Admin {
            command:
                AdminCommand::Create {
                    email,
                    password,
                    name,
                },
        } => {
            if password.chars().count() < auth::MIN_PASSWORD_CHARS {
                return fail(format!(
                    "the password needs at least {} characters",
                    auth::MIN_PASSWORD_CHARS
                ));
            }
            if !email.contains('@') {
                return fail(format!("`{email}` is not an email address"));
            }
            let storage = match open(&config).await {
                Ok(storage) => storage,
                Err(code) => return code,
            };
            let hash = match auth::hash_password(&password) {
                Ok(hash) => hash,
                Err(e) => return fail(e),
            };
            match storage
                .create_user(&email, &name, &hash, "planning_office", now_ms())
                .await
            {
                Ok(_) => {
                    println!("Created planning-office account {email}.");
                    ExitCode::SUCCESS
                }
                Err(StorageError::Conflict(_)) => {
                    fail(format!("an account with email {email} already exists"))
                }
                Err(e) => fail(e),
            }
        }
    }
}

async fn copy(from: &str, to: &str) -> ExitCode {
    let (from_url, to_url) = match (DatabaseUrl::parse(from), DatabaseUrl::parse(to)) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let source = match Storage::connect(&from_url).await {
        Ok(storage) => storage,
        Err(e) => return fail(format!("cannot open the source database: {e}")),
    };
    let target = match Storage::connect(&to_url).await {
        Ok(storage) => storage,
        Err(e) => return fail(format!("cannot open the target database: {e}")),
    };
    match source.copy_all(&target).await {
        Ok(counts) => {
            for (table, count) in counts {
                println!("{table}: {count}");
            }
            println!("Copy complete.");
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("copy failed, nothing was written: {e}")),
    }
}

async fn open(config: &Config) -> Result<Storage, ExitCode> {
    Storage::connect(&config.database)
        .await
        .map_err(|e| fail(format!("cannot open the database: {e}")))
}

async fn serve(config: Config, with_demo: bool) -> ExitCode {
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => return fail(e),
    };
    if with_demo && let Err(e) = demo::load(app.state()).await {
        return fail(format!("cannot load the demo: {e}"));
    }
    match first_administrator(app.storage()).await {
        Ok(Some((email, password))) => {
            // Printed once, here, and stored only as an argon2id hash.
            println!("First start: created the administrator (planning office) account.");
            println!("  email:    {email}");
            println!("  password: {password}");
            println!("Keep it safe: it is not shown again.");
        }
        Ok(None) => {}
        Err(e) => return fail(format!("cannot create the first administrator: {e}")),
    }
    let url = format!("http://{}", app.local_addr());
    println!("Tavoli is serving at {url}");
    if with_demo {
        println!(
            "Sign in as the Ufficio di Piano: {} / {}",
            demo::DEMO_EMAIL,
            demo::DEMO_PASSWORD
        );
        println!("Join a roundtable as a participant at {url}/t with a code, e.g. ANZ425");
    }
    tracing::info!(%url, "listening");
    match app.run_until_stopped(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tavoli: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// On the first start of an empty deployment, a planning-office account with a random
/// password, so nobody has to reach the command line to sign in. `None` once any account exists.
async fn first_administrator(storage: &Storage) -> Result<Option<(String, String)>, String> {
    if storage.count_users().await.map_err(|e| e.to_string())? > 0 {
        return Ok(None);
    }
    let email = "admin@tavoli.local".to_string();
    let password: String = auth::new_token().chars().take(20).collect();
    let hash = auth::hash_password(&password).map_err(|e| e.to_string())?;
    match storage
        .create_user(&email, "Amministratore", &hash, "planning_office", now_ms())
        .await
    {
        Ok(_) => Ok(Some((email, password))),
        // Another instance created it at the same moment: it printed the password.
        Err(StorageError::Conflict(_)) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}
