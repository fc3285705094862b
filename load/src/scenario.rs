//! A run: connect every participant, send contributions at a steady rate, cast a burst of
//! ballots, optionally disconnect people at random, then wait for everything to arrive and
//! check the books. The same code drives the real server and the relay.

use std::{
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use rand::{Rng, seq::IndexedRandom};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::{
    client::{self, ClientSpec, ClientView, Dialect, Disconnect, Order},
    ids::now_ns,
    ledger::{Kind, Ledger},
    process::{ADMIN_EMAIL, ADMIN_PASSWORD, ProcSample, Spawned, loadavg},
    report::{BurstReport, Percentiles, ProcReport, RunReport, SeriesPoint},
};

#[derive(Debug, Clone)]
pub struct Scenario {
    pub rooms: usize,
    pub per_room: usize,
    /// Contributions per second, all rooms together.
    pub rate: f64,
    /// How long contributions are sent.
    pub duration: Duration,
    /// When the ballot burst starts (from the start of sending), and how long it is spread
    /// over: every participant casts one ballot.
    pub burst: Option<(Duration, Duration)>,
    /// Random disconnects during the sending phase (the real server only).
    pub storm: usize,
    /// Longest wait for the last deliveries once sending stops.
    pub drain: Duration,
    /// Keep one participant per room as a witness whose folded board must equal the server's.
    pub witnesses: bool,
    /// Instead of a rate: each participant keeps this many commands in flight (issue 4's
    /// throughput figure).
    pub closed_loop: Option<usize>,
}

/// What is being driven.
pub enum Target<'a> {
    Tavoli(&'a Spawned),
    Relay(&'a Spawned),
}

struct Prepared {
    specs: Vec<ClientSpec>,
    staff_token: Option<String>,
    roundtables: Vec<String>,
    /// Per room: the cards the ballot round is about.
    cards: Vec<Vec<String>>,
}

pub async fn run(target: Target<'_>, scenario: &Scenario) -> anyhow::Result<RunReport> {
    let (spawned, dialect) = match target {
        Target::Tavoli(s) => (s, Dialect::Tavoli),
        Target::Relay(s) => (s, Dialect::Relay),
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let base = format!("http://{}", spawned.addr);
    let before = spawned.sample();
    let loadavg_start = loadavg();
    let setup_started = Instant::now();
    let prepared = match dialect {
        Dialect::Tavoli => prepare_tavoli(&http, &base, scenario).await?,
        Dialect::Relay => prepare_relay(&spawned.addr, scenario),
    };
    let setup_s = setup_started.elapsed().as_secs_f64();
    let ledger = Arc::new(Ledger::new(scenario.rooms));
    let mut views = Vec::with_capacity(prepared.specs.len());
    let mut orders = Vec::with_capacity(prepared.specs.len());
    let mut tasks = Vec::with_capacity(prepared.specs.len());
    let connect_started = Instant::now();
    let after_setup = spawned.sample();
    for (i, spec) in prepared.specs.into_iter().enumerate() {
        let view = Arc::new(ClientView::default());
        let (order_tx, order_rx) = mpsc::channel(256);
        tasks.push(tokio::spawn(client::run(
            spec,
            ledger.clone(),
            view.clone(),
            order_rx,
        )));
        views.push(view);
        orders.push(order_tx);
        // Connect in waves: thousands of SYNs at once overflow the listen backlog and turn
        // into one-second retransmissions that say nothing about the server.
        if i % 100 == 99 {
            wait_until(Duration::from_secs(60), || {
                views.iter().filter(|v| is_ready(v, dialect)).count() + 200 > i
            })
            .await;
        }
    }
    let all_ready = wait_until(Duration::from_secs(180), || {
        views.iter().all(|v| is_ready(v, dialect))
    })
    .await;
    if !all_ready {
        bail!(
            "only {} of {} participants connected",
            views.iter().filter(|v| is_ready(v, dialect)).count(),
            views.len()
        );
    }
    let connect_s = connect_started.elapsed().as_secs_f64();
    // Let the presence messages of the arrivals settle before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let connected = spawned.sample();

    let started = Instant::now();
    let cpu_start = spawned.sample().cpu_s;
    let own_cpu_start = ProcSample::read(std::process::id()).cpu_s;
    let mut peak = connected;
    let mut round = 0u32;
    let mut burst_task = None;
    let mut series = Vec::new();
    let mut storm_task = None;
    if scenario.storm > 0 && dialect == Dialect::Tavoli {
        storm_task = Some(tokio::spawn(storm(
            orders.clone(),
            scenario.storm,
            scenario.duration,
        )));
    }
    if let Some(window) = scenario.closed_loop {
        closed_loop(&orders, &views, window, scenario.duration).await;
    } else {
        let mut sent = 0u64;
        let mut tick = tokio::time::interval(Duration::from_millis(5));
        let mut last_sample = Instant::now();
        // About 60 points whatever the length, so a soak shows whether memory stays flat.
        let series_every = (scenario.duration / 60).max(Duration::from_secs(1));
        let mut rng = rand::rng();
        while started.elapsed() < scenario.duration {
            tick.tick().await;
            let due = (scenario.rate * started.elapsed().as_secs_f64()) as u64;
            while sent < due {
                let i = rng.random_range(0..orders.len());
                let _ = orders[i].try_send(Order::Contribute);
                sent += 1;
            }
            if let Some((at, within)) = scenario.burst
                && burst_task.is_none()
                && started.elapsed() >= at
            {
                round += 1;
                burst_task = Some(tokio::spawn(burst(
                    http.clone(),
                    base.clone(),
                    dialect,
                    prepared.staff_token.clone(),
                    prepared.roundtables.clone(),
                    prepared.cards.clone(),
                    orders.clone(),
                    scenario.per_room,
                    round,
                    within,
                )));
            }
            if last_sample.elapsed() >= series_every {
                last_sample = Instant::now();
                let now = spawned.sample();
                peak.rss_kb = peak.rss_kb.max(now.rss_kb);
                peak.fds = peak.fds.max(now.fds);
                series.push(SeriesPoint {
                    t_s: started.elapsed().as_secs_f64(),
                    rss_kb: now.rss_kb,
                    fds: now.fds,
                    cpu_s: now.cpu_s,
                    acked: ledger_acked(&ledger),
                });
            }
        }
    }
    let sending_s = started.elapsed().as_secs_f64();
    let mut burst_started_ns = 0;
    if let Some(task) = burst_task {
        burst_started_ns = task.await.context("burst task")??;
    }
    if let Some(task) = storm_task {
        task.await.context("storm task")?;
    }
    // Drain: every acknowledged message must reach every other participant of its room.
    let expected = (scenario.per_room - 1) as u32;
    // An order still queued (its client was reconnecting) is not booked yet: wait for it too.
    let drained = wait_until(scenario.drain, || {
        orders.iter().all(|o| o.capacity() == o.max_capacity())
            && outstanding(&ledger, expected, dialect) == 0
            && views.iter().all(|v| v.pending.load(Ordering::Relaxed) == 0)
    })
    .await;
    let measured_s = started.elapsed().as_secs_f64();
    let cpu_end = spawned.sample().cpu_s;
    let own_cpu_end = ProcSample::read(std::process::id()).cpu_s;
    let end = spawned.sample();
    peak.rss_kb = peak.rss_kb.max(end.rss_kb);
    peak.fds = peak.fds.max(end.fds);

    let mut report = RunReport {
        target: match dialect {
            Dialect::Tavoli => "tavoli".into(),
            Dialect::Relay => "relay".into(),
        },
        rooms: scenario.rooms,
        per_room: scenario.per_room,
        connections: views
            .iter()
            .filter(|v| v.connected.load(Ordering::Relaxed))
            .count(),
        setup_s,
        connect_s,
        sending_s,
        drained,
        loadavg_start,
        loadavg_end: loadavg(),
        process: ProcReport {
            rss_before_kb: before.rss_kb,
            rss_after_setup_kb: after_setup.rss_kb,
            rss_connected_kb: connected.rss_kb,
            rss_end_kb: end.rss_kb,
            rss_peak_kb: end.peak_rss_kb.max(peak.rss_kb),
            rss_per_connection_kb: (connected.rss_kb.saturating_sub(after_setup.rss_kb)) as f64
                / views.len().max(1) as f64,
            fds_connected: connected.fds,
            fds_end: end.fds,
            threads: end.threads,
            cpu_percent: 100.0 * (cpu_end - cpu_start) / measured_s,
            generator_cpu_percent: 100.0 * (own_cpu_end - own_cpu_start) / measured_s,
        },
        series,
        ..RunReport::default()
    };
    fill_latencies(&mut report, &ledger, expected, dialect, sending_s);

    if dialect == Dialect::Tavoli {
        let staff = prepared.staff_token.as_deref().unwrap_or_default();
        if round > 0 {
            report.burst = Some(
                check_burst(
                    &http,
                    &base,
                    staff,
                    &prepared.roundtables,
                    &views,
                    &ledger,
                    scenario,
                    round,
                    burst_started_ns,
                )
                .await?,
            );
        }
        converge(
            &http,
            &base,
            staff,
            &prepared.roundtables,
            &views,
            scenario,
            &mut report,
        )
        .await?;
    }
    for order in &orders {
        let _ = order.try_send(Order::Close);
    }
    drop(orders);
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    Ok(report)
}

fn ledger_acked(ledger: &Ledger) -> u64 {
    ledger
        .rooms
        .iter()
        .map(|room| {
            let book = room.lock().expect("room lock");
            book.slots.iter().filter(|s| s.acked_ns > 0).count() as u64
        })
        .sum()
}

fn is_ready(view: &ClientView, dialect: Dialect) -> bool {
    match dialect {
        Dialect::Tavoli => view.welcomed.load(Ordering::Relaxed),
        Dialect::Relay => view.connected.load(Ordering::Relaxed),
    }
}

async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Deliveries still missing for acknowledged messages, plus messages not yet acknowledged.
fn outstanding(ledger: &Ledger, expected: u32, _dialect: Dialect) -> u64 {
    let mut missing = 0u64;
    for room in &ledger.rooms {
        let book = room.lock().expect("room lock");
        for slot in &book.slots {
            if slot.refused {
                continue;
            }
            if slot.acked_ns == 0 {
                missing += 1;
            } else {
                missing += u64::from(expected.saturating_sub(slot.deliveries));
            }
        }
    }
    missing
}

fn fill_latencies(
    report: &mut RunReport,
    ledger: &Ledger,
    expected: u32,
    dialect: Dialect,
    sending_s: f64,
) {
    // The burst lasts from its first ballot to its last ack; contributions sent meanwhile are
    // reported apart from the steady ones.
    let (mut burst_from, mut burst_to) = (u64::MAX, 0u64);
    for room in &ledger.rooms {
        let book = room.lock().expect("room lock");
        for slot in book.slots.iter().filter(|s| s.kind == Kind::Ballot) {
            burst_from = burst_from.min(slot.sent_ns);
            burst_to = burst_to.max(slot.acked_ns.max(slot.sent_ns));
        }
    }
    let mut during_burst = Vec::new();
    let mut steady = Vec::new();
    let mut to_all = [Vec::new(), Vec::new()];
    let mut each = Vec::new();
    let mut ack = Vec::new();
    let mut acked = [0u64, 0u64];
    let mut sent = [0u64, 0u64];
    let mut lost = 0u64;
    let mut unacked = 0u64;
    let mut refused = 0u64;
    let mut deliveries = 0u64;
    for room in &ledger.rooms {
        let book = room.lock().expect("room lock");
        each.extend_from_slice(&book.delivery_us);
        for slot in &book.slots {
            let k = (slot.kind == Kind::Ballot) as usize;
            sent[k] += 1;
            deliveries += u64::from(slot.deliveries);
            if slot.refused {
                refused += 1;
                continue;
            }
            if slot.acked_ns == 0 {
                unacked += 1;
                continue;
            }
            acked[k] += 1;
            if dialect == Dialect::Tavoli {
                ack.push(((slot.acked_ns - slot.sent_ns) / 1000) as u32);
            }
            if slot.deliveries >= expected {
                let last = if expected == 0 {
                    slot.acked_ns
                } else {
                    slot.last_delivery_ns
                };
                let latency_us = (last.saturating_sub(slot.sent_ns) / 1000) as u32;
                if k == 0 {
                    if (burst_from..=burst_to).contains(&slot.sent_ns) {
                        during_burst.push(latency_us);
                    } else {
                        steady.push(latency_us);
                    }
                }
                to_all[k].push(latency_us);
            } else {
                lost += u64::from(expected - slot.deliveries);
            }
        }
    }
    report.contributions_sent = sent[0];
    report.contributions_acked = acked[0];
    report.ballots_sent = sent[1];
    report.ballots_acked = acked[1];
    report.acked_per_s = (acked[0] + acked[1]) as f64 / sending_s;
    report.deliveries = deliveries;
    report.deliveries_per_s = deliveries as f64 / sending_s;
    report.unacked = unacked;
    report.refused = refused;
    report.lost = lost;
    report.duplicates =
        Ledger::count(&ledger.counters.duplicates) + Ledger::count(&ledger.counters.seq_duplicates);
    report.seq_gaps = Ledger::count(&ledger.counters.seq_gaps);
    report.errors = ledger.errors.lock().expect("errors lock").clone();
    report.disconnects = Ledger::count(&ledger.counters.disconnects);
    report.connects = Ledger::count(&ledger.counters.connects);
    report.contribution_to_all_steady_ms = Percentiles::of(&mut steady);
    report.contribution_to_all_during_burst_ms = Percentiles::of(&mut during_burst);
    report.contribution_to_all_ms = Percentiles::of(&mut to_all[0]);
    report.ballot_to_all_ms = Percentiles::of(&mut to_all[1]);
    report.each_delivery_ms = Percentiles::of(&mut each);
    report.ack_ms = Percentiles::of(&mut ack);
}

async fn prepare_tavoli(
    http: &reqwest::Client,
    base: &str,
    scenario: &Scenario,
) -> anyhow::Result<Prepared> {
    let login: Value = http
        .post(format!("{base}/api/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let staff = login["token"].as_str().context("login token")?.to_string();
    let process: Value = http
        .post(format!("{base}/api/processes"))
        .bearer_auth(&staff)
        .json(&json!({"title": "Piano di Zona: prova di carico", "owner": "Ambito di prova", "kind": "co_programmazione"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let process_id = process["id"].as_str().context("process id")?.to_string();
    let mut roundtables = Vec::new();
    let mut codes = Vec::new();
    for room in 0..scenario.rooms {
        let table: Value = http
            .post(format!("{base}/api/processes/{process_id}/roundtables"))
            .bearer_auth(&staff)
            .json(&json!({"title": format!("Tavolo di carico {room}")}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        roundtables.push(table["id"].as_str().context("roundtable id")?.to_string());
        codes.push(
            table["join_code"]
                .as_str()
                .context("join code")?
                .to_string(),
        );
    }
    // The cards of the ballot round, added by the facilitator before anyone arrives.
    let mut cards = Vec::new();
    for roundtable in &roundtables {
        let mut ids = Vec::new();
        for n in 0..5 {
            let command_id = uuid::Uuid::new_v4().to_string();
            post_command(
                http,
                base,
                &staff,
                roundtable,
                json!({"type": "add_contribution", "command_id": command_id, "kind": "proposal",
                       "text": format!("Proposta da votare {n}: uno sportello unico per le famiglie")}),
            )
            .await?;
            ids.push(command_id);
        }
        cards.push(ids);
    }
    // Joins, 16 at a time: each is a write through the server's writer.
    let joins: Vec<(usize, usize)> = (0..scenario.rooms)
        .flat_map(|room| (0..scenario.per_room).map(move |slot| (room, slot)))
        .collect();
    let mut specs = Vec::with_capacity(joins.len());
    for chunk in joins.chunks(16) {
        let mut set = tokio::task::JoinSet::new();
        for &(room, slot) in chunk {
            let http = http.clone();
            let url = format!("{base}/api/join");
            let code = codes[room].clone();
            set.spawn(async move {
                let body = json!({"join_code": code, "name": format!("Persona {room}-{slot}"),
                    "organisation": format!("Associazione {slot}"), "organisation_kind": "aps", "consent": true});
                loop {
                    let response = http.post(&url).json(&body).send().await?;
                    if response.status() == 429 {
                        let wait = response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<u64>().ok())
                            .unwrap_or(1);
                        tokio::time::sleep(Duration::from_secs(wait)).await;
                        continue;
                    }
                    let joined: Value = response.error_for_status()?.json().await?;
                    let token = joined["token"].as_str().context("join token")?.to_string();
                    return anyhow::Ok((room, slot, token));
                }
            });
        }
        while let Some(joined) = set.join_next().await {
            let (room, slot, token) = joined??;
            specs.push(ClientSpec {
                room: room as u16,
                slot: slot as u16,
                url: format!(
                    "ws://{}/api/roundtables/{}/live",
                    base.trim_start_matches("http://"),
                    roundtables[room]
                ),
                token: Some(token),
                dialect: Dialect::Tavoli,
                witness: scenario.witnesses && slot == 0,
            });
        }
    }
    specs.sort_by_key(|s| (s.room, s.slot));
    Ok(Prepared {
        specs,
        staff_token: Some(staff),
        roundtables,
        cards,
    })
}

fn prepare_relay(addr: &str, scenario: &Scenario) -> Prepared {
    let specs = (0..scenario.rooms)
        .flat_map(|room| {
            (0..scenario.per_room).map(move |slot| ClientSpec {
                room: room as u16,
                slot: slot as u16,
                url: format!("ws://{addr}/rooms/{room}"),
                token: None,
                dialect: Dialect::Relay,
                witness: false,
            })
        })
        .collect();
    Prepared {
        specs,
        staff_token: None,
        roundtables: Vec::new(),
        cards: (0..scenario.rooms)
            .map(|room| vec![format!("carta-{room}")])
            .collect(),
    }
}

async fn post_command(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    roundtable: &str,
    command: Value,
) -> anyhow::Result<Value> {
    let response = http
        .post(format!("{base}/api/roundtables/{roundtable}/commands"))
        .bearer_auth(token)
        .json(&command)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if !status.is_success() {
        bail!("command refused ({status}): {body}");
    }
    Ok(body)
}

/// Opens a round in every room, then has every participant cast one dot at a random moment
/// within `within`. Returns when the burst started.
#[allow(clippy::too_many_arguments)]
async fn burst(
    http: reqwest::Client,
    base: String,
    dialect: Dialect,
    staff: Option<String>,
    roundtables: Vec<String>,
    cards: Vec<Vec<String>>,
    orders: Vec<mpsc::Sender<Order>>,
    per_room: usize,
    round: u32,
    within: Duration,
) -> anyhow::Result<u64> {
    if dialect == Dialect::Tavoli {
        let staff = staff.unwrap_or_default();
        let mut set = tokio::task::JoinSet::new();
        for (roundtable, ids) in roundtables.iter().zip(&cards) {
            let (http, base, staff, roundtable) = (
                http.clone(),
                base.clone(),
                staff.clone(),
                roundtable.clone(),
            );
            let command = json!({"type": "open_voting", "command_id": uuid::Uuid::new_v4(),
                "contribution_ids": ids, "dots_per_voter": 1, "max_per_contribution": 1,
                "ballot": "person", "secret": false});
            set.spawn(
                async move { post_command(&http, &base, &staff, &roundtable, command).await },
            );
        }
        while let Some(result) = set.join_next().await {
            result??;
        }
    }
    let started_ns = now_ns();
    let start = tokio::time::Instant::now();
    let mut schedule: Vec<(Duration, usize)> = {
        let mut rng = rand::rng();
        (0..orders.len())
            .map(|i| (within.mul_f64(rng.random::<f64>()), i))
            .collect()
    };
    schedule.sort();
    for (at, i) in schedule {
        tokio::time::sleep_until(start + at).await;
        let room_cards = &cards[i / per_room];
        let contribution_id = room_cards[i % room_cards.len()].clone();
        let _ = orders[i]
            .send(Order::Ballot {
                round,
                contribution_id,
            })
            .await;
    }
    Ok(started_ns)
}

/// Disconnects `count` random participants, evenly over `over`: a third each clean, abrupt
/// and half-open. Each one reconnects at once with the last seq it applied.
async fn storm(orders: Vec<mpsc::Sender<Order>>, count: usize, over: Duration) {
    let start = tokio::time::Instant::now();
    let kinds = [Disconnect::Clean, Disconnect::Abrupt, Disconnect::HalfOpen];
    for n in 0..count {
        tokio::time::sleep_until(start + over.mul_f64(n as f64 / count as f64)).await;
        let (i, kind) = {
            let mut rng = rand::rng();
            (
                rng.random_range(0..orders.len()),
                *kinds.choose(&mut rng).expect("three kinds"),
            )
        };
        let _ = orders[i].send(Order::Disconnect(kind)).await;
    }
}

/// Issue 4's throughput: each participant keeps `window` contributions in flight, sending the
/// next as soon as one is answered.
async fn closed_loop(
    orders: &[mpsc::Sender<Order>],
    views: &[Arc<ClientView>],
    window: usize,
    duration: Duration,
) {
    let started = Instant::now();
    let mut given = vec![0u64; orders.len()];
    while started.elapsed() < duration {
        for (i, view) in views.iter().enumerate() {
            let answered = view.answered.load(Ordering::Relaxed);
            while given[i] - answered < window as u64 {
                if orders[i].try_send(Order::Contribute).is_err() {
                    break;
                }
                given[i] += 1;
            }
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

#[allow(clippy::too_many_arguments)]
async fn check_burst(
    http: &reqwest::Client,
    base: &str,
    staff: &str,
    roundtables: &[String],
    views: &[Arc<ClientView>],
    ledger: &Ledger,
    scenario: &Scenario,
    round: u32,
    started_ns: u64,
) -> anyhow::Result<BurstReport> {
    let per_room = scenario.per_room;
    // Ballots acknowledged per room, and when the last one was sent and acknowledged.
    let mut acked = vec![0u32; scenario.rooms];
    let mut last_sent = vec![0u64; scenario.rooms];
    let mut last_ack = vec![0u64; scenario.rooms];
    let mut ack_ms = Vec::new();
    let mut sent = 0u64;
    let mut all_acked_ns = 0u64;
    for (room, book) in ledger.rooms.iter().enumerate() {
        let book = book.lock().expect("room lock");
        for slot in book.slots.iter().filter(|s| s.kind == Kind::Ballot) {
            sent += 1;
            if slot.acked_ns > 0 {
                acked[room] += 1;
                last_sent[room] = last_sent[room].max(slot.sent_ns);
                last_ack[room] = last_ack[room].max(slot.acked_ns);
                all_acked_ns = all_acked_ns.max(slot.acked_ns);
                ack_ms.push(((slot.acked_ns - slot.sent_ns) / 1000) as u32);
            }
        }
    }
    // Every screen must come to show the final tally.
    let final_seen = |room: usize| {
        views[room * per_room..(room + 1) * per_room]
            .iter()
            .all(|v| {
                let tally = v.tally.lock().expect("tally lock");
                tally.round == round
                    && tally.results.iter().map(|r| r.1).sum::<u32>() == acked[room]
            })
    };
    let all_seen = wait_until(scenario.drain, || (0..scenario.rooms).all(final_seen)).await;
    let mut from_last_ack = Vec::new();
    let mut from_last_sent = Vec::new();
    let mut tally_matches_recount = true;
    for room in 0..scenario.rooms {
        let room_views = &views[room * per_room..(room + 1) * per_room];
        let seen_at = room_views
            .iter()
            .map(|v| v.tally.lock().expect("tally lock").changed_ns)
            .max()
            .unwrap_or(0);
        from_last_ack.push((seen_at.saturating_sub(last_ack[room]) / 1000) as u32);
        from_last_sent.push((seen_at.saturating_sub(last_sent[room]) / 1000) as u32);
        for view in room_views {
            let tally = view.tally.lock().expect("tally lock");
            let recount = view.recount.lock().expect("recount lock");
            for (contribution_id, dots) in &tally.results {
                let counted = recount
                    .get(&(round, contribution_id.clone()))
                    .copied()
                    .unwrap_or(0);
                if counted != i64::from(*dots) {
                    tally_matches_recount = false;
                }
            }
        }
    }
    // Close every round; the results must equal what each screen recounted from the events.
    for roundtable in roundtables {
        post_command(
            http,
            base,
            staff,
            roundtable,
            json!({"type": "close_voting", "command_id": uuid::Uuid::new_v4(), "round": round}),
        )
        .await?;
    }
    let closed_seen = wait_until(scenario.drain, || {
        views
            .iter()
            .all(|v| v.closed.lock().expect("closed lock").contains_key(&round))
    })
    .await;
    let mut closed_matches_recount = closed_seen;
    for view in views {
        let closed = view.closed.lock().expect("closed lock");
        let recount = view.recount.lock().expect("recount lock");
        if let Some(results) = closed.get(&round) {
            for (contribution_id, dots) in results {
                let counted = recount
                    .get(&(round, contribution_id.clone()))
                    .copied()
                    .unwrap_or(0);
                if counted != i64::from(*dots) {
                    closed_matches_recount = false;
                }
            }
        }
    }
    Ok(BurstReport {
        ballots_sent: sent,
        ballots_acked: acked.iter().map(|a| u64::from(*a)).sum(),
        all_acked_within_s: all_acked_ns.saturating_sub(started_ns) as f64 / 1e9,
        ack_ms: Percentiles::of(&mut ack_ms),
        final_tally_seen_by_all: all_seen,
        tally_after_last_ack_ms: Percentiles::of(&mut from_last_ack),
        tally_after_last_ballot_sent_ms: Percentiles::of(&mut from_last_sent),
        tally_matches_recount: tally_matches_recount && all_seen,
        closed_results_match_recount: closed_matches_recount,
    })
}

/// After the run every participant must hold the server's log: the same last seq, reached
/// without gaps; witnesses fold what they received and must get the server's board.
async fn converge(
    http: &reqwest::Client,
    base: &str,
    staff: &str,
    roundtables: &[String],
    views: &[Arc<ClientView>],
    scenario: &Scenario,
    report: &mut RunReport,
) -> anyhow::Result<()> {
    let mut boards = Vec::new();
    for roundtable in roundtables {
        let board: Value = http
            .get(format!("{base}/api/roundtables/{roundtable}/board"))
            .bearer_auth(staff)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        boards.push(board);
    }
    let per_room = scenario.per_room;
    let seq_of = |room: usize| boards[room]["seq"].as_u64().unwrap_or(0);
    let converged = wait_until(scenario.drain, || {
        views.iter().enumerate().all(|(i, v)| {
            v.connected.load(Ordering::Relaxed)
                && v.last_seq.load(Ordering::Relaxed) == seq_of(i / per_room)
        })
    })
    .await;
    report.behind_at_end = views
        .iter()
        .enumerate()
        .filter(|(i, v)| v.last_seq.load(Ordering::Relaxed) != seq_of(i / per_room))
        .count();
    report.converged = converged;
    if scenario.witnesses {
        let mut mismatches = 0;
        for (room, board) in boards.iter().enumerate() {
            let events = views[room * per_room]
                .events
                .lock()
                .expect("events lock")
                .clone();
            let mut folded = tavoli_core::Board::default();
            for text in &events {
                let event: tavoli_core::Event = serde_json::from_str(text)?;
                tavoli_core::apply(&mut folded, &event);
            }
            let folded = serde_json::to_value(folded.public_view(false))?;
            if &folded != board {
                mismatches += 1;
            }
        }
        report.witness_boards_differ = Some(mismatches);
    }
    Ok(())
}
