//! `tavoli-load`: drives the real server and a bare relay with the same simulated participants
//! and reports both. See docs/BENCHMARKS.md for the commands and the figures.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tavoli_load::{
    floor,
    process::{self, raise_open_files},
    relay,
    report::{Comparison, RunReport, latency_bound},
    scenario::{self, Scenario, Target},
};

#[derive(Parser)]
#[command(name = "tavoli-load", about = "Load generator for Tavoli's live core")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The floor: a websocket relay that forwards each text frame to the rest of its room.
    Relay {
        #[arg(long, default_value = "127.0.0.1:3100")]
        addr: String,
    },
    /// Issue 11: N participants in M roundtables, contributions at a rate, a ballot burst;
    /// first against the relay, then against a freshly spawned server.
    Run(RunArgs),
    /// A few seconds with small numbers; fails if anything is lost, duplicated or refused.
    Smoke {
        #[arg(long)]
        server_bin: Option<PathBuf>,
    },
    /// Issue 4: one roundtable of 50, acknowledged commands/s and latency, beside the raw
    /// SQLite commit rate and the relay.
    Core {
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Seconds of each phase.
        #[arg(long, default_value_t = 10)]
        duration: u64,
        /// Contributions per second for the latency phase.
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
        /// Commands each client keeps in flight in the throughput phase.
        #[arg(long, default_value_t = 1)]
        window: usize,
        #[arg(long)]
        server_bin: Option<PathBuf>,
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

#[derive(Args)]
struct RunArgs {
    #[arg(long, default_value_t = 100)]
    rooms: usize,
    #[arg(long, default_value_t = 50)]
    per_room: usize,
    /// Contributions per second, all rooms together.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Second at which every participant casts one ballot (default: half way).
    #[arg(long)]
    burst_at: Option<f64>,
    /// Seconds the ballot burst is spread over.
    #[arg(long, default_value_t = 2.0)]
    burst_within: f64,
    #[arg(long)]
    no_burst: bool,
    /// Random disconnects (clean, abrupt, half-open) during sending; the server run only.
    #[arg(long, default_value_t = 0)]
    storm: usize,
    /// One participant per room folds its events into a board to compare with the server's.
    #[arg(long)]
    witnesses: bool,
    /// Skip the relay run.
    #[arg(long)]
    no_relay: bool,
    /// Longest wait, in seconds, for the last deliveries after sending stops.
    #[arg(long, default_value_t = 90)]
    drain: u64,
    /// The `tavoli` binary (default: next to this one, else target/debug).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Also write the report as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let limit = raise_open_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Relay { addr } => {
                let listener = tokio::net::TcpListener::bind(&addr).await?;
                relay::serve(listener).await?;
                Ok(())
            }
            Command::Run(args) => {
                eprintln!("open-file limit: {limit}");
                let scenario = Scenario {
                    rooms: args.rooms,
                    per_room: args.per_room,
                    rate: args.rate,
                    duration: Duration::from_secs(args.duration),
                    burst: (!args.no_burst).then(|| {
                        (
                            Duration::from_secs_f64(
                                args.burst_at.unwrap_or(args.duration as f64 / 2.0),
                            ),
                            Duration::from_secs_f64(args.burst_within),
                        )
                    }),
                    storm: args.storm,
                    drain: Duration::from_secs(args.drain),
                    witnesses: args.witnesses,
                    closed_loop: None,
                };
                let comparison = compare(&scenario, !args.no_relay, args.server_bin).await?;
                print!("{}", comparison.text());
                if let Some(path) = args.json {
                    std::fs::write(&path, serde_json::to_string_pretty(&comparison)?)
                        .with_context(|| format!("writing {}", path.display()))?;
                }
                Ok(())
            }
            Command::Smoke { server_bin } => {
                let scenario = Scenario {
                    rooms: 4,
                    per_room: 10,
                    rate: 40.0,
                    duration: Duration::from_secs(4),
                    burst: Some((Duration::from_secs(1), Duration::from_secs(1))),
                    storm: 30,
                    drain: Duration::from_secs(30),
                    witnesses: true,
                    closed_loop: None,
                };
                let comparison = compare(&scenario, true, server_bin).await?;
                print!("{}", comparison.text());
                if !comparison.faults.is_empty() {
                    anyhow::bail!("the smoke run found {} faults", comparison.faults.len());
                }
                Ok(())
            }
            Command::Core {
                clients,
                duration,
                rate,
                window,
                server_bin,
                json,
            } => core(clients, duration, rate, window, server_bin, json).await,
        }
    })
}

async fn compare(
    scenario: &Scenario,
    with_relay: bool,
    server_bin: Option<PathBuf>,
) -> anyhow::Result<Comparison> {
    let relay = if with_relay {
        let spawned = process::spawn_relay().await?;
        let mut relay_scenario = scenario.clone();
        relay_scenario.storm = 0;
        let report = scenario::run(Target::Relay(&spawned), &relay_scenario).await?;
        eprintln!(
            "relay done: steady p99 {:.2} ms; now the server",
            report.contribution_to_all_steady_ms.p99
        );
        Some(report)
    } else {
        None
    };
    let bin = server_bin.unwrap_or_else(process::default_server_bin);
    let spawned = process::spawn_server(&bin).await?;
    let tavoli = scenario::run(Target::Tavoli(&spawned), scenario).await?;
    Ok(Comparison::new(relay, tavoli))
}

#[derive(serde::Serialize)]
struct CoreReport {
    sqlite_commits_per_s: f64,
    throughput: RunReport,
    latency: RunReport,
    relay: RunReport,
    acked_per_s_over_commits: f64,
    p99_bound_ms: f64,
    p99_within_bound: bool,
}

async fn core(
    clients: usize,
    duration: u64,
    rate: f64,
    window: usize,
    server_bin: Option<PathBuf>,
    json: Option<PathBuf>,
) -> anyhow::Result<()> {
    let sqlite = floor::sqlite_commits_per_s(Duration::from_secs(5)).await?;
    println!("raw SQLite single-row commits (WAL, synchronous=FULL): {sqlite:.0}/s");
    let base = Scenario {
        rooms: 1,
        per_room: clients,
        rate,
        duration: Duration::from_secs(duration),
        burst: None,
        storm: 0,
        drain: Duration::from_secs(60),
        witnesses: false,
        closed_loop: None,
    };
    let bin = server_bin.unwrap_or_else(process::default_server_bin);
    let server = process::spawn_server(&bin).await?;
    let throughput = scenario::run(
        Target::Tavoli(&server),
        &Scenario {
            closed_loop: Some(window),
            ..base.clone()
        },
    )
    .await?;
    println!(
        "-- throughput ({window} in flight per client)\n{}",
        throughput.text()
    );
    let latency = scenario::run(Target::Tavoli(&server), &base).await?;
    println!("-- latency at {rate}/s\n{}", latency.text());
    let relay_process = process::spawn_relay().await?;
    let relay = scenario::run(Target::Relay(&relay_process), &base).await?;
    println!("-- relay at {rate}/s\n{}", relay.text());
    let bound = latency_bound(relay.contribution_to_all_ms.p99);
    let report = CoreReport {
        sqlite_commits_per_s: sqlite,
        acked_per_s_over_commits: throughput.acked_per_s / sqlite,
        p99_bound_ms: bound,
        p99_within_bound: latency.contribution_to_all_ms.p99 <= bound,
        throughput,
        latency,
        relay,
    };
    println!(
        "== issue 4: {:.0} acked commands/s = {:.2} x raw commits (target >= 0.5); p99 {:.2} ms vs relay {:.2} ms, bound {:.2} ms: {}",
        report.throughput.acked_per_s,
        report.acked_per_s_over_commits,
        report.latency.contribution_to_all_ms.p99,
        report.relay.contribution_to_all_ms.p99,
        bound,
        if report.p99_within_bound {
            "MET"
        } else {
            "MISSED"
        }
    );
    if let Some(path) = json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}
