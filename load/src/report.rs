//! What a run measured, as JSON (serde) and as text, and the targets of issues 4 and 11
//! checked against the relay measured in the same run.

use std::{collections::BTreeMap, fmt::Write};

use serde::Serialize;

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    /// From samples in microseconds (sorted in place).
    pub fn of(samples_us: &mut [u32]) -> Percentiles {
        if samples_us.is_empty() {
            return Percentiles::default();
        }
        samples_us.sort_unstable();
        let at = |q: f64| {
            let i = ((samples_us.len() as f64 * q).ceil() as usize).clamp(1, samples_us.len()) - 1;
            f64::from(samples_us[i]) / 1000.0
        };
        Percentiles {
            count: samples_us.len(),
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: at(1.0),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ProcReport {
    pub rss_before_kb: u64,
    pub rss_after_setup_kb: u64,
    pub rss_connected_kb: u64,
    pub rss_end_kb: u64,
    pub rss_peak_kb: u64,
    /// (RSS with everyone connected - RSS before the sockets) / connections.
    pub rss_per_connection_kb: f64,
    pub fds_connected: u64,
    pub fds_end: u64,
    pub threads: u64,
    /// Of one core, over the sending and draining phase (200 = both cores).
    pub cpu_percent: f64,
    pub generator_cpu_percent: f64,
}

/// One reading of the process under test while the load runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SeriesPoint {
    pub t_s: f64,
    pub rss_kb: u64,
    pub fds: u64,
    pub cpu_s: f64,
    /// Messages acknowledged so far.
    pub acked: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BurstReport {
    pub ballots_sent: u64,
    pub ballots_acked: u64,
    /// From the first ballot's moment to the last ack.
    pub all_acked_within_s: f64,
    pub ack_ms: Percentiles,
    pub final_tally_seen_by_all: bool,
    /// Per room: from its last ballot's ack to the moment its last screen drew the final tally.
    pub tally_after_last_ack_ms: Percentiles,
    pub tally_after_last_ballot_sent_ms: Percentiles,
    pub tally_matches_recount: bool,
    pub closed_results_match_recount: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub target: String,
    pub rooms: usize,
    pub per_room: usize,
    pub connections: usize,
    pub connects: u64,
    pub disconnects: u64,
    pub setup_s: f64,
    pub connect_s: f64,
    pub sending_s: f64,
    pub drained: bool,
    pub loadavg_start: String,
    pub loadavg_end: String,
    pub contributions_sent: u64,
    pub contributions_acked: u64,
    pub ballots_sent: u64,
    pub ballots_acked: u64,
    pub acked_per_s: f64,
    pub deliveries: u64,
    pub deliveries_per_s: f64,
    pub unacked: u64,
    pub refused: u64,
    pub lost: u64,
    pub duplicates: u64,
    pub seq_gaps: u64,
    pub errors: BTreeMap<String, u64>,
    /// Submit to delivered to every other participant of the room.
    pub contribution_to_all_ms: Percentiles,
    /// The same, for contributions sent outside the ballot burst (first ballot to last ack).
    pub contribution_to_all_steady_ms: Percentiles,
    pub contribution_to_all_during_burst_ms: Percentiles,
    pub ballot_to_all_ms: Percentiles,
    /// Submit to delivered, each delivery on its own.
    pub each_delivery_ms: Percentiles,
    pub ack_ms: Percentiles,
    pub process: ProcReport,
    pub burst: Option<BurstReport>,
    pub converged: bool,
    pub behind_at_end: usize,
    pub witness_boards_differ: Option<usize>,
    pub series: Vec<SeriesPoint>,
}

impl RunReport {
    /// Everything that must be zero or true, whatever the timing: the smoke test's verdict.
    pub fn faults(&self) -> Vec<String> {
        let mut faults = Vec::new();
        let mut zero = |name: &str, value: u64| {
            if value > 0 {
                faults.push(format!("{}: {name} = {value}", self.target));
            }
        };
        zero("lost", self.lost);
        zero("duplicates", self.duplicates);
        zero("seq gaps", self.seq_gaps);
        zero("unacked", self.unacked);
        zero("refused", self.refused);
        zero("errors", self.errors.values().sum());
        if self.target == "tavoli" {
            if !self.converged {
                faults.push(format!(
                    "tavoli: {} participants did not reach the server's last seq",
                    self.behind_at_end
                ));
            }
            if let Some(n) = self.witness_boards_differ
                && n > 0
            {
                faults.push(format!(
                    "tavoli: {n} witness boards differ from the server's"
                ));
            }
            if let Some(burst) = &self.burst {
                if burst.ballots_acked != burst.ballots_sent {
                    faults.push(format!(
                        "tavoli: {} of {} ballots acknowledged",
                        burst.ballots_acked, burst.ballots_sent
                    ));
                }
                if !burst.tally_matches_recount {
                    faults.push(
                        "tavoli: a final tally was not seen by all or differs from the recount"
                            .into(),
                    );
                }
                if !burst.closed_results_match_recount {
                    faults.push("tavoli: voting_closed results differ from the recount".into());
                }
            }
        }
        faults
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        let p = |p: &Percentiles| {
            format!(
                "p50 {:.2} / p95 {:.2} / p99 {:.2} / max {:.2} ms (n={})",
                p.p50, p.p95, p.p99, p.max, p.count
            )
        };
        let _ = writeln!(
            out,
            "== {}: {} rooms x {} = {} connections held (connects {}, disconnects {})",
            self.target,
            self.rooms,
            self.per_room,
            self.connections,
            self.connects,
            self.disconnects
        );
        let _ = writeln!(
            out,
            "   setup {:.1} s, connect {:.1} s, sending {:.1} s, drained: {}, loadavg {} -> {}",
            self.setup_s,
            self.connect_s,
            self.sending_s,
            self.drained,
            self.loadavg_start,
            self.loadavg_end
        );
        let _ = writeln!(
            out,
            "   contributions {}/{} acked, ballots {}/{} acked, {:.0} acked/s, {:.0} deliveries/s",
            self.contributions_acked,
            self.contributions_sent,
            self.ballots_acked,
            self.ballots_sent,
            self.acked_per_s,
            self.deliveries_per_s
        );
        let _ = writeln!(
            out,
            "   lost {}, duplicated {}, seq gaps {}, unacked {}, refused {} {:?}",
            self.lost, self.duplicates, self.seq_gaps, self.unacked, self.refused, self.errors
        );
        let _ = writeln!(
            out,
            "   contribution to all: {}",
            p(&self.contribution_to_all_ms)
        );
        let _ = writeln!(
            out,
            "     outside the burst: {}",
            p(&self.contribution_to_all_steady_ms)
        );
        let _ = writeln!(
            out,
            "     during the burst:  {}",
            p(&self.contribution_to_all_during_burst_ms)
        );
        let _ = writeln!(out, "   ballot to all:       {}", p(&self.ballot_to_all_ms));
        let _ = writeln!(out, "   each delivery:       {}", p(&self.each_delivery_ms));
        if self.ack_ms.count > 0 {
            let _ = writeln!(out, "   ack:                 {}", p(&self.ack_ms));
        }
        let proc = &self.process;
        let _ = writeln!(
            out,
            "   process: CPU {:.0}% (generator {:.0}%), RSS {:.1} MB connected / {:.1} MB end / {:.1} MB peak, {:.1} KB per connection, fds {} -> {}",
            proc.cpu_percent,
            proc.generator_cpu_percent,
            proc.rss_connected_kb as f64 / 1024.0,
            proc.rss_end_kb as f64 / 1024.0,
            proc.rss_peak_kb as f64 / 1024.0,
            proc.rss_per_connection_kb,
            proc.fds_connected,
            proc.fds_end
        );
        if let Some(burst) = &self.burst {
            let _ = writeln!(
                out,
                "   burst: {}/{} ballots acked, all within {:.2} s of the first; ack {}",
                burst.ballots_acked,
                burst.ballots_sent,
                burst.all_acked_within_s,
                p(&burst.ack_ms)
            );
            let _ = writeln!(
                out,
                "   final tally seen by all: {}; after the room's last ack {}; after its last ballot sent {}; equals recount: {}, closed results equal recount: {}",
                burst.final_tally_seen_by_all,
                p(&burst.tally_after_last_ack_ms),
                p(&burst.tally_after_last_ballot_sent_ms),
                burst.tally_matches_recount,
                burst.closed_results_match_recount
            );
        }
        if self.target == "tavoli" {
            let _ = writeln!(
                out,
                "   converged: {} ({} behind){}",
                self.converged,
                self.behind_at_end,
                self.witness_boards_differ
                    .map(|n| format!(", witness boards differing: {n}"))
                    .unwrap_or_default()
            );
        }
        out
    }
}

/// Issue 11's latency target: p99 <= max(2 x relay p99, relay p99 + 5 ms).
pub fn latency_bound(relay_p99_ms: f64) -> f64 {
    (2.0 * relay_p99_ms).max(relay_p99_ms + 5.0)
}

/// Both runs and the verdicts against the targets.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub relay: Option<RunReport>,
    pub tavoli: RunReport,
    pub p99_ratio: Option<f64>,
    pub p99_bound_ms: Option<f64>,
    pub p99_within_bound: Option<bool>,
    pub tally_bound_ms: Option<f64>,
    pub tally_within_bound: Option<bool>,
    pub rss_per_connection_within_30kb: bool,
    pub faults: Vec<String>,
}

impl Comparison {
    pub fn new(relay: Option<RunReport>, tavoli: RunReport) -> Comparison {
        // The bound is checked on steady contributions, each side against its own steady p99;
        // the burst's figures are reported beside it.
        let relay_p99 = relay.as_ref().map(|r| r.contribution_to_all_steady_ms.p99);
        let p99 = tavoli.contribution_to_all_steady_ms.p99;
        let tally_bound = relay_p99.map(|r| 2.0 * r + 200.0);
        let tally = tavoli.burst.as_ref().map(|b| b.tally_after_last_ack_ms.max);
        let mut faults = tavoli.faults();
        if let Some(relay) = &relay {
            faults.extend(relay.faults());
        }
        Comparison {
            p99_ratio: relay_p99.map(|r| p99 / r),
            p99_bound_ms: relay_p99.map(latency_bound),
            p99_within_bound: relay_p99.map(|r| p99 <= latency_bound(r)),
            tally_bound_ms: tally_bound,
            tally_within_bound: tally_bound.zip(tally).map(|(bound, t)| t <= bound),
            rss_per_connection_within_30kb: tavoli.process.rss_per_connection_kb <= 30.0,
            faults,
            relay,
            tavoli,
        }
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        if let Some(relay) = &self.relay {
            out.push_str(&relay.text());
        }
        out.push_str(&self.tavoli.text());
        let _ = writeln!(out, "== targets");
        if let (Some(ratio), Some(bound), Some(ok)) =
            (self.p99_ratio, self.p99_bound_ms, self.p99_within_bound)
        {
            let _ = writeln!(
                out,
                "   steady contribution p99 {:.2} ms vs relay {:.2} ms: ratio {:.2}, bound {:.2} ms: {}",
                self.tavoli.contribution_to_all_steady_ms.p99,
                self.relay
                    .as_ref()
                    .map(|r| r.contribution_to_all_steady_ms.p99)
                    .unwrap_or_default(),
                ratio,
                bound,
                if ok { "MET" } else { "MISSED" }
            );
        }
        if let (Some(bound), Some(ok)) = (self.tally_bound_ms, self.tally_within_bound) {
            let _ = writeln!(
                out,
                "   final tally seen by all (worst room) {:.1} ms after the last ack, bound {:.1} ms: {}",
                self.tavoli
                    .burst
                    .as_ref()
                    .map(|b| b.tally_after_last_ack_ms.max)
                    .unwrap_or_default(),
                bound,
                if ok { "MET" } else { "MISSED" }
            );
        }
        let _ = writeln!(
            out,
            "   RSS per connection {:.1} KB (target <= 30): {}",
            self.tavoli.process.rss_per_connection_kb,
            if self.rss_per_connection_within_30kb {
                "MET"
            } else {
                "MISSED"
            }
        );
        if self.faults.is_empty() {
            let _ = writeln!(out, "   nothing lost, duplicated, refused or out of order");
        } else {
            for fault in &self.faults {
                let _ = writeln!(out, "   FAULT {fault}");
            }
        }
        out
    }
}
