//! The processes under test: the real `tavoli` server and the relay, each spawned as a child
//! with its own address (and, for the server, a fresh data directory), and their CPU, memory
//! and open files read from `/proc/<pid>`.

use std::{
    net::TcpListener as StdListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

pub const ADMIN_EMAIL: &str = "carico@ambito.example";
pub const ADMIN_PASSWORD: &str = "password-del-carico";

/// A child process that is killed when dropped.
pub struct Spawned {
    pub child: Child,
    pub pid: u32,
    pub addr: String,
    /// Held so the server's database lives as long as the process.
    pub data_dir: Option<tempfile::TempDir>,
}

impl Spawned {
    pub fn sample(&self) -> ProcSample {
        ProcSample::read(self.pid)
    }
}

/// Raises this process's open-file limit to its hard limit (children inherit it): 5,000
/// websockets need 5,000 descriptors on each side, beyond the usual soft limit of 1,024.
pub fn raise_open_files() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        limit.rlim_cur
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(StdListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The server binary: `--server-bin`, else a release build next to this binary, else debug.
pub fn default_server_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    let sibling = dir.join("tavoli");
    if sibling.exists() {
        return sibling;
    }
    dir.join("..").join("debug").join("tavoli")
}

/// Starts `tavoli` on a free port with a fresh database and one planning-office account.
pub async fn spawn_server(bin: &Path) -> anyhow::Result<Spawned> {
    if !bin.exists() {
        bail!(
            "{} is missing: build it with `cargo build --release -p tavoli-server --bin tavoli` (or pass --server-bin)",
            bin.display()
        );
    }
    let data_dir = tempfile::tempdir()?;
    let status = Command::new(bin)
        .args([
            "admin",
            "create",
            "--email",
            ADMIN_EMAIL,
            "--password",
            ADMIN_PASSWORD,
        ])
        .env("TAVOLI_DATA_DIR", data_dir.path())
        .env("TAVOLI_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .await
        .context("running tavoli admin create")?;
    if !status.success() {
        bail!("tavoli admin create failed: {status}");
    }
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let log = std::fs::File::create(data_dir.path().join("server.log"))?;
    let child = Command::new(bin)
        .arg("serve")
        .env("TAVOLI_ADDR", &addr)
        .env("TAVOLI_DATA_DIR", data_dir.path())
        .env("TAVOLI_LOG", "warn")
        // Every simulated participant joins from this one address and a throughput phase keeps
        // a command in flight per socket: the limits of a deployment behind one proxy address.
        .env("TAVOLI_RATE_LIMIT_SCALE", "1000")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .context("starting tavoli")?;
    let pid = child.id().context("server pid")?;
    wait_until_up(&format!("http://{addr}/healthz")).await?;
    Ok(Spawned {
        child,
        pid,
        addr,
        data_dir: Some(data_dir),
    })
}

/// Starts this binary's `relay` subcommand on a free port.
pub async fn spawn_relay() -> anyhow::Result<Spawned> {
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(std::env::current_exe()?)
        .args(["relay", "--addr", &addr])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting the relay")?;
    let pid = child.id().context("relay pid")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(&addr).await.is_err() {
        if Instant::now() > deadline {
            bail!("the relay did not start");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(Spawned {
        child,
        pid,
        addr,
        data_dir: None,
    })
}

async fn wait_until_up(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(url).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the server did not answer {url} within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One reading of a process's resources.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ProcSample {
    pub rss_kb: u64,
    pub peak_rss_kb: u64,
    /// User + system CPU time so far, in seconds.
    pub cpu_s: f64,
    pub fds: u64,
    pub threads: u64,
}

impl ProcSample {
    pub fn read(pid: u32) -> ProcSample {
        let mut sample = ProcSample::default();
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            for line in status.lines() {
                let value = |line: &str| {
                    line.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                if line.starts_with("VmRSS:") {
                    sample.rss_kb = value(line);
                } else if line.starts_with("VmHWM:") {
                    sample.peak_rss_kb = value(line);
                } else if line.starts_with("Threads:") {
                    sample.threads = value(line);
                }
            }
        }
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // Fields after the command name (which may hold spaces) start at field 3;
            // utime and stime are fields 14 and 15.
            if let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) {
                let fields: Vec<&str> = rest.split_whitespace().collect();
                let ticks = |i: usize| {
                    fields
                        .get(i)
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                // SAFETY: sysconf reads a constant.
                let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
                sample.cpu_s = (ticks(11) + ticks(12)) as f64 / hz;
            }
        }
        sample.fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|dir| dir.count() as u64)
            .unwrap_or(0);
        sample
    }
}

/// The machine's load average (1, 5, 15 minutes), recorded beside every figure.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
