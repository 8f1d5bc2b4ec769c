//! `cargo xtask bench [--runs N]`: the benchmarks of issue 8, against the sandbox running as a
//! separate process on loopback. `--callgrind [--size N]`: B1 under valgrind's callgrind
//! (instructions per attendee and by function: `callgrind`). `--write-golden`: records the
//! SHA-256 of each B1/B2 output in `xtask/golden/b1.txt`, which every B1/B2 run is then
//! compared with (a faster export must write the same bytes).
//!
//! 1. Builds release: `roster` (roster-cli) and `roster-bench` (the driver in
//!    `tests/src/bin/roster-bench.rs`).
//! 2. For each group of benchmarks, writes a `SandboxConfig` to `target/bench/work/`, starts
//!    `roster sandbox --listen 127.0.0.1:0 --config FILE`, reads its address, its `export`
//!    lines (credentials and base URLs) and its meeting catalog from stdout, and kills it
//!    afterwards (also on failure: `Drop`).
//! 3. Runs every benchmark `--runs` times (default 5) after one unmeasured warm-up, checks each
//!    run's record count, and prints one table of medians, also written as JSON to
//!    `target/bench/latest.json` (and a dated copy).
//!
//! - **B1/B2**: `roster attendees --format jsonl --output FILE` on the 50,000- and
//!   5,000-session meetings of Tencent Meeting and WeCom, pacing off. Client CPU time and peak
//!   RSS come from `wait4` (exact, for that process only); the sandbox's CPU for the same run is
//!   the delta of its threads' `/proc/<pid>/task/*/schedstat` run time (checked against
//!   `utime + stime` of `/proc/<pid>/stat`).
//! - **B3**: `roster-bench pacing`: one Tencent client paced at 3,000 calls/min exports 100
//!   meetings concurrently (500 calls) from a sandbox limited to 3,000 calls/min; a fresh
//!   sandbox per run, so that runs never share a calendar minute's budget.
//! - **B4**: `roster-bench windows`: a 90-day query (three windows) with 20 ms of latency on
//!   every call, one window at a time against three at once.
//! - **B5**: `roster-bench micro`: criterion-style timings of signing, decoding and mapping.
//! - **B6**: `roster sync` of 300 meetings (the sandbox's organisation: 100 per vendor of every
//!   kind and state, about 100,000 sessions in the ended ones) into a fresh
//!   SQLite file, against a sandbox at its real rate limits scaled up tenfold (Tencent 3,000
//!   calls a minute per AppId and 1,000 for the account's meeting list; WeCom 100,000 per API)
//!   with the clients paced at those budgets (Quanshi states no limit: unpaced). Wall time ÷ the
//!   minimum the budgets allow (the calls each vendor needed ÷ its budget, the largest of the
//!   three), refusals, the sessions written (checked against the sandbox's catalog), and the
//!   process's peak RSS beside a sync of 30 meetings. Then the store alone
//!   (`roster-bench store-write`): 100 meetings of 1,000 sessions into SQLite and into a
//!   throwaway PostgreSQL cluster.
//! - **B7**: `roster-bench scale-out`: 1 and then 4 `roster sync` processes at once on one
//!   fresh PostgreSQL (fsync on) against one sandbox whose calls take 50 ms and whose limits do
//!   not bind (clients unpaced): wall time, duplicate exports, tokens issued. Then 4 workers,
//!   Tencent only, against the sandbox at Tencent's real limit (300 calls a minute per AppId),
//!   each paced at 290 a minute through the budget they share: refusals and the share of the
//!   budget used.
//! - **B9**: the 50,000-session Tencent export of B1 as an xlsx workbook (`--format xlsx`),
//!   beside its JSON Lines runs: peak RSS and wall time against them.
//! - **B8**: `roster-bench webhooks`: the sandbox's push mode sends one Tencent meeting's
//!   events (about 60,000: 25,000 sessions' joins and leaves and their breakout moves),
//!   encrypted, at 2,000 a second (about 30 s) to a `roster listen` process writing a fresh
//!   SQLite file: acknowledgement latency (p50, p99), events lost and stored twice, and the
//!   receiver's CPU per event. At most 3 runs (each takes half a minute).

mod callgrind;
mod sys;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

type Res<T> = Result<T, String>;

/// The sandbox's reference time in B1/B2 (2026-11-01T00:00:00Z): pinned, so that an export's
/// output is the same bytes on every run and can be compared with the golden hashes.
const EXPORT_ANCHOR: i64 = 1_793_491_200;

/// The golden hashes: SHA-256 of each B1/B2 JSON Lines output, `flag size hex` per line. Made
/// once, before the performance work of issue 19 (`cargo xtask bench --write-golden`); a
/// faster export must write the same bytes.
const GOLDEN: &str = include_str!("../golden/b1.txt");

/// Sessions of the big and the small export (B1 and B2).
const BIG: u64 = 50_000;
const SMALL: u64 = 5_000;
/// B3: meetings, sessions per meeting, page size (one detail call + four pages per meeting:
/// 500 calls), and the rate of both the sandbox and the client.
const PACE_MEETINGS: usize = 100;
const PACE_SESSIONS: usize = 40;
const PACE_PAGE_SIZE: u32 = 10;
const PACE_RATE: u32 = 3_000;
/// B4: days queried, sessions spread over them, latency per call, windows at once.
const WINDOW_DAYS: i64 = 90;
const WINDOW_SESSIONS: usize = 3_000;
const WINDOW_LATENCY_MS: u64 = 20;
const WINDOW_CONCURRENCY: usize = 3;

/// B6: meetings per vendor (big and small sync), sessions per meeting, the scale of the rate
/// limits, and the store-alone write (meetings × sessions).
const SYNC_MEETINGS: usize = 100;
const SYNC_SMALL_MEETINGS: usize = 10;
const SYNC_MAX_SESSIONS: usize = 830;
const SYNC_SCALE: u64 = 10;
const STORE_MEETINGS: usize = 100;
const STORE_SESSIONS: usize = 1_000;

/// B8: sessions of the pushed meeting (about 2.4 events each) and the push rate.
const PUSH_SESSIONS: usize = 25_000;
const PUSH_RATE: u32 = 2_000;

/// B7: meetings per vendor, latency per call; the real-limit part's meetings and client rate.
const SCALE_MEETINGS: usize = 100;
const SCALE_LATENCY_MS: u64 = 50;
const SCALE_LIMIT_MEETINGS: usize = 150;
const SCALE_CLIENT_RATE: u32 = 290;

/// Vendors of B1, B2 and B4: (sandbox catalog name, `--vendor` flag, driver name, endpoint key
/// prefix).
const VENDORS: [(&str, &str, &str, &str); 2] = [
    ("tencent-meeting", "tencent-meeting", "tencent", "tencent."),
    ("wecom", "wecom", "wecom", "wecom."),
];

/// Runs the benchmarks.
pub fn run(args: &[String]) -> Res<()> {
    let mut runs = 5usize;
    let mut only: Option<Vec<String>> = None;
    let mut callgrind: Option<u64> = None;
    let mut write_golden = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--only" => {
                let list = it.next().ok_or("--only takes a list such as B1,B6")?;
                only = Some(
                    list.split(',')
                        .map(|b| b.trim().to_ascii_uppercase())
                        .collect(),
                );
            }
            "--callgrind" => callgrind = Some(callgrind.unwrap_or(BIG)),
            "--size" => {
                let size = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| [BIG, SMALL].contains(n))
                    .ok_or(format!("--size takes {BIG} or {SMALL}"))?;
                callgrind = Some(size);
            }
            "--write-golden" => write_golden = true,
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n >= 1)
                    .ok_or("--runs takes a whole number ≥ 1")?;
            }
            other => {
                return Err(format!(
                    "unknown option {other:?} (usage: cargo xtask bench [--runs N] [--only B1,…,B9] | --callgrind [--size N] | --write-golden)"
                ));
            }
        }
    }
    let paths = Paths::new()?;
    build()?;
    if let Some(size) = callgrind {
        return callgrind::run(&paths, size);
    }
    if write_golden {
        return golden(&paths);
    }
    let started = Instant::now();
    let load_before = loadavg();
    let date = utc_now();

    // `--only`: the groups that hold one of the benchmarks named (B1, B2 and B5 share a run).
    let wanted = |names: &[&str]| {
        only.as_ref()
            .is_none_or(|o| names.iter().any(|n| o.iter().any(|w| w == n)))
    };
    let (exports, micro) = if wanted(&["B1", "B2", "B5", "B9"]) {
        eprintln!("xtask bench: B1/B2 exports and B5 micro ({runs} runs each)");
        exports_and_micro(&paths, runs)?
    } else {
        (Exports::new(), Value::Null)
    };
    let pacing = if wanted(&["B3"]) {
        eprintln!("xtask bench: B3 pacing ({runs} runs, about 10 s each)");
        pacing(&paths, runs)?
    } else {
        Vec::new()
    };
    let windows = if wanted(&["B4"]) {
        eprintln!("xtask bench: B4 windows ({runs} runs)");
        windows(&paths, runs)?
    } else {
        Windows::new()
    };
    let scale = if wanted(&["B7"]) {
        eprintln!(
            "xtask bench: B7 scale-out ({runs} runs of 1 and 4 workers, then one at real limits)"
        );
        scale_bench(&paths, runs)?
    } else {
        ScaleBench::default()
    };
    let sync = if wanted(&["B6"]) {
        eprintln!("xtask bench: B6 sync and the store ({runs} runs, about 30 s each)");
        sync_bench(&paths, runs)?
    } else {
        SyncBench {
            big: Vec::new(),
            small: Vec::new(),
            store: BTreeMap::new(),
        }
    };

    let webhooks = if wanted(&["B8"]) {
        let n = runs.min(3);
        eprintln!("xtask bench: B8 webhooks ({n} runs, about 35 s each)");
        webhooks_bench(&paths, n)?
    } else {
        Vec::new()
    };

    let report = Report {
        runs,
        exports,
        pacing,
        windows,
        micro,
        sync,
        scale,
        webhooks,
    };
    let rows = report.rows();
    let machine = machine();
    let load_after = loadavg();
    println!();
    println!("roster benchmarks — {date} — {machine} — release build, loopback sandbox process");
    println!(
        "each figure is the median of {runs} runs (B5: of 15 samples); load average before {load_before}, after {load_after}"
    );
    println!();
    print_table(&rows);

    let json = json!({
        "date": date,
        "machine": machine,
        "runs": runs,
        "load_average": {"before": load_before, "after": load_after},
        "duration_s": started.elapsed().as_secs_f64(),
        "table": rows.iter().map(Row::json).collect::<Vec<_>>(),
        "raw": report.json(),
    });
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for name in ["latest.json".to_string(), format!("bench-{stamp}.json")] {
        let path = paths.out.join(name);
        fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!();
    println!("written to {}", paths.out.join("latest.json").display());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Paths and build

struct Paths {
    out: PathBuf,
    work: PathBuf,
    roster: PathBuf,
    driver: PathBuf,
}

impl Paths {
    fn new() -> Res<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("no workspace root")?
            .to_path_buf();
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(t) => root.join(t),
            None => root.join("target"),
        };
        let out = target.join("bench");
        let work = out.join("work");
        fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
        Ok(Self {
            out,
            work,
            roster: target.join("release").join("roster"),
            driver: target.join("release").join("roster-bench"),
        })
    }
}

fn build() -> Res<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    for args in [
        ["build", "--release", "-p", "roster-cli", "--bin", "roster"],
        [
            "build",
            "--release",
            "-p",
            "roster-tests",
            "--bin",
            "roster-bench",
        ],
    ] {
        eprintln!("xtask: {cargo} {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(args)
            .status()
            .map_err(|e| format!("cannot run {cargo}: {e}"))?;
        if !status.success() {
            return Err(format!("{cargo} {} failed", args.join(" ")));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The sandbox process

struct CatalogEntry {
    vendor: String,
    id: String,
    label: String,
    sessions: u64,
}

/// `roster sandbox` running as a child process; killed on drop.
struct SandboxProcess {
    child: Child,
    pid: u32,
    base: String,
    env: Vec<(String, String)>,
    catalog: Vec<CatalogEntry>,
    log: PathBuf,
}

impl SandboxProcess {
    fn start(paths: &Paths, name: &str, config: &Value) -> Res<Self> {
        let config_path = paths.work.join(format!("sandbox-{name}.json"));
        let text = serde_json::to_string(config).map_err(|e| e.to_string())?;
        fs::write(&config_path, text)
            .map_err(|e| format!("cannot write {}: {e}", config_path.display()))?;
        let log = paths.work.join(format!("sandbox-{name}.log"));
        let log_file =
            fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let mut cmd = Command::new(&paths.roster);
        cmd.args(["sandbox", "--listen", "127.0.0.1:0", "--config"])
            .arg(&config_path)
            .current_dir(&paths.work)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file);
        clean_env(&mut cmd);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", paths.roster.display()))?;
        let pid = child.id();
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the sandbox's stdout is not piped".into());
        };
        // From here on, `Drop` kills the process whatever happens.
        let mut sandbox = SandboxProcess {
            child,
            pid,
            base: String::new(),
            env: Vec::new(),
            catalog: Vec::new(),
            log,
        };
        let (tx, rx) = mpsc::channel::<String>();
        // Reads (and after the catalog, drains) stdout so the sandbox never blocks on a pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more: keep draining silently.
                    continue;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut first = true;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).map_err(|_| {
                format!(
                    "the sandbox did not print its address and catalog (log: {})",
                    sandbox.log_tail()
                )
            })?;
            if first {
                first = false;
                sandbox.base = line
                    .strip_prefix("roster sandbox listening on ")
                    .ok_or_else(|| format!("unexpected first line from the sandbox: {line:?}"))?
                    .trim()
                    .to_string();
            } else if let Some(export) = line.strip_prefix("export ") {
                if let Some((k, v)) = export.split_once('=') {
                    sandbox.env.push((k.to_string(), unquote(v)));
                }
            } else if line.starts_with("# Stats:") {
                break;
            } else if let Some(entry) = line.strip_prefix("#   ") {
                let f: Vec<&str> = entry.split_whitespace().collect();
                if let [vendor, id, label, sessions] = f[..] {
                    sandbox.catalog.push(CatalogEntry {
                        vendor: vendor.to_string(),
                        id: id.to_string(),
                        label: label.to_string(),
                        sessions: sessions.parse().unwrap_or(0),
                    });
                }
            }
        }
        eprintln!(
            "xtask bench: sandbox {name} on {} (pid {pid})",
            sandbox.base
        );
        Ok(sandbox)
    }

    fn meeting(&self, vendor: &str, label: &str) -> Res<&CatalogEntry> {
        self.catalog
            .iter()
            .find(|m| m.vendor == vendor && m.label == label)
            .ok_or_else(|| format!("the sandbox has no {vendor} meeting {label}"))
    }

    /// CPU time of the sandbox process so far: the sum of its threads' on-CPU nanoseconds
    /// (`/proc/<pid>/task/*/schedstat`, exact), with `utime + stime` of `/proc/<pid>/stat`
    /// (10 ms ticks, but counting threads that have exited) as the cross-check.
    fn cpu(&self) -> Res<Cpu> {
        let path = format!("/proc/{}/stat", self.pid);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        // Fields after the command name (which may hold spaces) start at field 3 (`state`):
        // utime and stime are fields 14 and 15.
        let rest = text.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let stat = (ticks(11) + ticks(12)) as f64 / sys::clock_ticks() as f64;
        let mut threads = BTreeMap::new();
        let tasks = format!("/proc/{}/task", self.pid);
        for entry in fs::read_dir(&tasks).map_err(|e| format!("cannot read {tasks}: {e}"))? {
            let Ok(entry) = entry else { continue };
            let Ok(text) = fs::read_to_string(entry.path().join("schedstat")) else {
                continue;
            };
            if let Some(ns) = text
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
            {
                threads.insert(entry.file_name().to_string_lossy().into_owned(), ns);
            }
        }
        Ok(Cpu { stat, threads })
    }

    /// `GET /_sandbox/stats`.
    fn stats(&self) -> Res<Value> {
        let body = http_get(&self.base, "/_sandbox/stats")?;
        serde_json::from_slice(&body).map_err(|e| format!("sandbox stats: {e}"))
    }

    fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(5).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }

    /// A command with the sandbox's variables (and nothing else of roster's).
    fn command(&self, program: &Path, work: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(work).stdin(Stdio::null());
        clean_env(&mut cmd);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// No inherited `ROSTER_*` setting, profile or log filter may change what is measured.
fn clean_env(cmd: &mut Command) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("ROSTER_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env_remove("RUST_LOG");
}

/// The value of `export K='V'` as `roster sandbox` quotes it.
fn unquote(v: &str) -> String {
    let v = v.trim();
    let v = v
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .unwrap_or(v);
    v.replace(r"'\''", "'")
}

/// A minimal HTTP/1.1 GET on loopback (xtask has no HTTP client): the body of a 200.
fn http_get(base: &str, path: &str) -> Res<Vec<u8>> {
    let authority = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http:// base URL: {base}"))?
        .trim_end_matches('/');
    let mut stream =
        TcpStream::connect(authority).map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nAccept: application/json\r\n\r\n"
    )
    .map_err(|e| format!("GET {path}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("GET {path}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let body = &raw[split + 4..];
    if !head.starts_with("http/1.1 200") {
        return Err(format!("GET {path}: {}", head.lines().next().unwrap_or("")));
    }
    if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut rest = body;
        loop {
            let end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or("bad chunk")?;
            let size_text = String::from_utf8_lossy(&rest[..end]).to_string();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| "bad chunk size")?;
            rest = &rest[end + 2..];
            if size == 0 {
                break;
            }
            out.extend_from_slice(rest.get(..size).ok_or("short chunk")?);
            rest = rest.get(size + 2..).ok_or("short chunk")?;
        }
        Ok(out)
    } else {
        Ok(body.to_vec())
    }
}

/// Requests to endpoints starting with `prefix` between two stats snapshots.
fn requests_delta(before: &Value, after: &Value, prefix: &str) -> u64 {
    let count = |s: &Value| -> u64 {
        s["requests"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .filter_map(|(_, v)| v.as_u64())
                    .sum()
            })
            .unwrap_or(0)
    };
    count(after).saturating_sub(count(before))
}

/// Rejections of endpoints starting with `prefix` between two stats snapshots.
fn rejections_delta(before: &Value, after: &Value, prefix: &str) -> u64 {
    let count = |s: &Value| -> u64 {
        s["rejections"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .filter_map(|(_, v)| v.as_object())
                    .flat_map(|r| r.values().filter_map(Value::as_u64))
                    .sum()
            })
            .unwrap_or(0)
    };
    count(after).saturating_sub(count(before))
}

/// A reading of [`SandboxProcess::cpu`].
struct Cpu {
    stat: f64,
    threads: BTreeMap<String, u64>,
}

impl Cpu {
    /// Seconds of CPU between `self` and `later`: the exact per-thread sum, unless threads that
    /// exited in between make the coarse process total larger by more than its resolution.
    fn until(&self, later: &Cpu) -> f64 {
        let exact: u64 = later
            .threads
            .iter()
            .map(|(tid, ns)| ns.saturating_sub(self.threads.get(tid).copied().unwrap_or(0)))
            .sum();
        let exact = exact as f64 / 1e9;
        let coarse = later.stat - self.stat;
        if coarse > exact + 0.02 { coarse } else { exact }
    }
}

// ---------------------------------------------------------------------------------------------
// B1, B2 (and B5 against the same sandbox)

/// One measured `roster attendees` run.
#[derive(Debug, Clone, Copy)]
struct Export {
    wall: f64,
    cpu: f64,
    user: f64,
    sys: f64,
    rss_mib: f64,
    sandbox_cpu: f64,
    calls: u64,
}

fn export_config() -> Value {
    json!({
        "seed": 7,
        "data": {
            "seed_meetings": false,
            "small_meetings": 0,
            "large_meetings": [SMALL, BIG],
            "anchor_unix": EXPORT_ANCHOR,
        },
        // Vendor limits far above what 500 pages need: B1 measures throughput, not limits.
        "tencent": { "per_minute": 100_000_000u64, "per_day": 100_000_000u64 },
        "wecom": { "per_minute": 100_000_000u64, "per_hour": 100_000_000u64 },
    })
}

fn export_once(
    paths: &Paths,
    sandbox: &SandboxProcess,
    vendor: (&str, &str, &str, &str),
    size: u64,
) -> Res<Export> {
    export_as(paths, sandbox, vendor, size, "jsonl")
}

/// One export of the large meeting of `size` sessions in `format` (`jsonl`, or `xlsx` for
/// B9), measured; its record count checked (lines of the JSON Lines file; the closing note
/// for a workbook).
fn export_as(
    paths: &Paths,
    sandbox: &SandboxProcess,
    vendor: (&str, &str, &str, &str),
    size: u64,
    format: &str,
) -> Res<Export> {
    let (catalog_name, flag, _, prefix) = vendor;
    let meeting = sandbox.meeting(catalog_name, &format!("large-{size}"))?;
    if meeting.sessions != size {
        return Err(format!(
            "{catalog_name} large-{size} has {} sessions",
            meeting.sessions
        ));
    }
    let output = paths.work.join(format!("export-{flag}-{size}.{format}"));
    let errors = paths.work.join(format!("export-{flag}-{size}.stderr"));
    let _ = fs::remove_file(&output);
    let mut cmd = sandbox.command(&paths.roster, &paths.work);
    cmd.args(["attendees", "--vendor", flag, "--meeting", &meeting.id])
        .args(["--format", format, "--output"])
        .arg(&output)
        .env("ROSTER_TENCENT_CALLS_PER_MINUTE", "0")
        .env("ROSTER_WECOM_CALLS_PER_MINUTE", "0")
        .stdout(Stdio::null())
        .stderr(fs::File::create(&errors).map_err(|e| e.to_string())?);

    let stats_before = sandbox.stats()?;
    let cpu_before = sandbox.cpu()?;
    let start = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", paths.roster.display()))?;
    let usage = sys::wait_with_usage(child).map_err(|e| format!("wait4: {e}"))?;
    let wall = start.elapsed().as_secs_f64();
    let cpu_after = sandbox.cpu()?;
    let stats_after = sandbox.stats()?;

    if usage.exit != 0 {
        let stderr = fs::read_to_string(&errors).unwrap_or_default();
        return Err(format!(
            "roster attendees --vendor {flag} (large-{size}) exited with {}: {}",
            usage.exit,
            stderr.trim()
        ));
    }
    let lines = if format == "jsonl" {
        check_golden(&output, flag, size)?;
        count_lines(&output)?
    } else {
        // "roster: 50000 attendees to FILE (501 pages)" (no progress bar: not a terminal).
        let stderr = fs::read_to_string(&errors).unwrap_or_default();
        stderr
            .lines()
            .find_map(|l| l.strip_prefix("roster: ")?.split(' ').next()?.parse().ok())
            .unwrap_or(0)
    };
    if lines != size {
        return Err(format!(
            "roster attendees --vendor {flag} --format {format} wrote {lines} records, not {size}"
        ));
    }
    let _ = fs::remove_file(&output);
    Ok(Export {
        wall,
        cpu: (usage.user + usage.sys).as_secs_f64(),
        user: usage.user.as_secs_f64(),
        sys: usage.sys.as_secs_f64(),
        rss_mib: usage.max_rss_kib as f64 / 1024.0,
        sandbox_cpu: cpu_before.until(&cpu_after),
        calls: requests_delta(&stats_before, &stats_after, prefix),
    })
}

/// The SHA-256 of a file, in lower-case hex.
fn sha256_hex(path: &Path) -> Res<String> {
    use sha2::Digest;
    let mut file = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The golden hash of the export of `flag` at `size`, if one was recorded.
fn golden_hash(flag: &str, size: u64) -> Option<&'static str> {
    GOLDEN
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [f, s, hash] if f == flag && s == size.to_string() => Some(hash),
            _ => None,
        })
}

/// Fails when a B1/B2 output differs from its golden hash: the export must write the same
/// bytes, however it got faster.
fn check_golden(output: &Path, flag: &str, size: u64) -> Res<()> {
    let Some(expected) = golden_hash(flag, size) else {
        return Err(format!(
            "no golden hash for {flag} {size} in xtask/golden/b1.txt (cargo xtask bench --write-golden)"
        ));
    };
    let got = sha256_hex(output)?;
    if got != expected {
        return Err(format!(
            "roster attendees --vendor {flag} ({size} sessions) wrote other bytes than the golden output (sha256 {got}, golden {expected}; the file is kept at {})",
            output.display()
        ));
    }
    Ok(())
}

/// `--write-golden`: records the hashes of this build's B1/B2 outputs (twice each, to check
/// that an export is the same bytes every time).
fn golden(paths: &Paths) -> Res<()> {
    let sandbox = SandboxProcess::start(paths, "golden", &export_config())?;
    let mut text = format!(
        "# SHA-256 of `roster attendees --vendor V --meeting large-N --format jsonl` against `cargo xtask bench`'s\n# sandbox (seed 7, anchor {EXPORT_ANCHOR}); written by `cargo xtask bench --write-golden`.\n"
    );
    for (catalog_name, flag, _, _) in VENDORS {
        for size in [BIG, SMALL] {
            let meeting = sandbox.meeting(catalog_name, &format!("large-{size}"))?;
            let mut hashes = Vec::new();
            for run in 0..2 {
                let output = paths.work.join(format!("golden-{flag}-{size}-{run}.jsonl"));
                let status = sandbox
                    .command(&paths.roster, &paths.work)
                    .args(["attendees", "--vendor", flag, "--meeting", &meeting.id])
                    .args(["--format", "jsonl", "--quiet", "--output"])
                    .arg(&output)
                    .env("ROSTER_TENCENT_CALLS_PER_MINUTE", "0")
                    .env("ROSTER_WECOM_CALLS_PER_MINUTE", "0")
                    .stdout(Stdio::null())
                    .status()
                    .map_err(|e| e.to_string())?;
                if !status.success() {
                    return Err(format!("the {flag} {size} export failed"));
                }
                hashes.push(sha256_hex(&output)?);
                let _ = fs::remove_file(&output);
            }
            if hashes[0] != hashes[1] {
                return Err(format!(
                    "two {flag} {size} exports wrote different bytes: no golden is possible"
                ));
            }
            text.push_str(&format!("{flag} {size} {}\n", hashes[0]));
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/b1.txt");
    fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    print!("{text}");
    eprintln!("written to {}", path.display());
    Ok(())
}

fn count_lines(path: &Path) -> Res<u64> {
    let mut file = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            return Ok(lines);
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
}

type Exports = BTreeMap<(String, u64), Vec<Export>>;

fn exports_and_micro(paths: &Paths, runs: usize) -> Res<(Exports, Value)> {
    let sandbox = SandboxProcess::start(paths, "exports", &export_config())?;
    // Warm-up (not measured): the sandbox renders each large meeting on first access.
    for vendor in VENDORS {
        for size in [BIG, SMALL] {
            export_once(paths, &sandbox, vendor, size)?;
        }
    }
    let mut exports: Exports = BTreeMap::new();
    for run in 0..runs {
        for vendor in VENDORS {
            for size in [BIG, SMALL] {
                let e = export_once(paths, &sandbox, vendor, size)?;
                eprintln!(
                    "  run {}: {} {size}: wall {:.2} s, cpu {:.2} s, rss {:.1} MiB, sandbox cpu {:.2} s, {} calls",
                    run + 1,
                    vendor.2,
                    e.wall,
                    e.cpu,
                    e.rss_mib,
                    e.sandbox_cpu,
                    e.calls
                );
                exports
                    .entry((vendor.2.to_string(), size))
                    .or_default()
                    .push(e);
            }
        }
    }
    // B9: the big Tencent export as a workbook, beside its JSON Lines runs above.
    let tencent = VENDORS
        .iter()
        .copied()
        .find(|v| v.1 == "tencent-meeting")
        .ok_or("no Tencent in VENDORS")?;
    export_as(paths, &sandbox, tencent, BIG, "xlsx")?;
    for run in 0..runs {
        let e = export_as(paths, &sandbox, tencent, BIG, "xlsx")?;
        eprintln!(
            "  run {}: xlsx {BIG}: wall {:.2} s, cpu {:.2} s, rss {:.1} MiB",
            run + 1,
            e.wall,
            e.cpu,
            e.rss_mib
        );
        exports
            .entry((format!("{} xlsx", tencent.2), BIG))
            .or_default()
            .push(e);
    }
    let meeting = sandbox.meeting("tencent-meeting", &format!("large-{SMALL}"))?;
    let micro = driver(paths, &sandbox, &["micro", "--meeting", &meeting.id])?;
    Ok((exports, micro))
}

/// Runs the driver with the sandbox's variables; its one JSON line.
fn driver(paths: &Paths, sandbox: &SandboxProcess, args: &[&str]) -> Res<Value> {
    let output = sandbox
        .command(&paths.driver, &paths.work)
        .args(args)
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", paths.driver.display()))?;
    if !output.status.success() {
        return Err(format!(
            "roster-bench {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "roster-bench {}: bad output: {e}",
            args.first().unwrap_or(&"")
        )
    })
}

// ---------------------------------------------------------------------------------------------
// B3

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn pacing_config(now: i64) -> Value {
    let start = now - 2 * 86_400;
    let meetings: Vec<Value> = (0..PACE_MEETINGS)
        .map(|m| {
            let attendees: Vec<Value> = (0..PACE_SESSIONS)
                .map(|a| {
                    let join = start + 60 + a as i64 * 30;
                    json!({
                        "key": format!("p{m}-{a}"),
                        "name": format!("参会者 {m}-{a}"),
                        "sessions": [{"join": join, "leave": join + 1_800}],
                    })
                })
                .collect();
            json!({
                "label": format!("pace-{m}"),
                "vendors": ["tencent"],
                "subject": format!("Pacing {m}"),
                "kind": "one_off",
                "start": start,
                "end": start + 3_600,
                "state": "ended",
                "attendees": attendees,
            })
        })
        .collect();
    json!({
        "seed": 7,
        "data": { "seed_meetings": false, "small_meetings": 0, "large_meetings": [] },
        "tencent": { "per_minute": PACE_RATE },
        "fixture": { "meetings": meetings },
    })
}

#[derive(Debug, Clone)]
struct Pacing {
    wall: f64,
    calls: u64,
    rejections: u64,
    driver: Value,
}

fn pacing(paths: &Paths, runs: usize) -> Res<Vec<Pacing>> {
    let mut out = Vec::new();
    for run in 0..runs {
        // A fresh sandbox per run: its limit counts calls per calendar minute, and five
        // 10-second runs could otherwise share one minute's 3,000 calls.
        let sandbox = SandboxProcess::start(paths, "pacing", &pacing_config(now_unix()))?;
        let ids: Vec<&str> = (0..PACE_MEETINGS)
            .map(|m| {
                sandbox
                    .meeting("tencent-meeting", &format!("pace-{m}"))
                    .map(|e| e.id.as_str())
            })
            .collect::<Res<_>>()?;
        let ids = ids.join(",");
        let expect = (PACE_MEETINGS * PACE_SESSIONS).to_string();
        let stats_before = sandbox.stats()?;
        let v = driver(
            paths,
            &sandbox,
            &[
                "pacing",
                "--meetings",
                &ids,
                "--rate",
                &PACE_RATE.to_string(),
                "--page-size",
                &PACE_PAGE_SIZE.to_string(),
                "--expect-records",
                &expect,
            ],
        )?;
        let stats_after = sandbox.stats()?;
        let p = Pacing {
            wall: v["wall_s"].as_f64().ok_or("pacing: no wall_s")?,
            calls: requests_delta(&stats_before, &stats_after, "tencent."),
            rejections: rejections_delta(&stats_before, &stats_after, "tencent."),
            driver: v,
        };
        eprintln!(
            "  run {}: {} calls in {:.2} s, {} refused",
            run + 1,
            p.calls,
            p.wall,
            p.rejections
        );
        out.push(p);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// B4

fn windows_config(now: i64) -> Value {
    let from = now - WINDOW_DAYS * 86_400;
    // Sessions evenly over [from + 1 h, now − 1 h], so that every query made within the next
    // hour sees all of them.
    let span = WINDOW_DAYS * 86_400 - 7_200;
    let attendees: Vec<Value> = (0..WINDOW_SESSIONS)
        .map(|i| {
            let join = from + 3_600 + span * i as i64 / WINDOW_SESSIONS as i64;
            let mut a = json!({
                "key": format!("w{i}"),
                "name": format!("Attendee {i} 张"),
                "device": (i % 6) as i64,
                "sessions": [{"join": join, "leave": join + 2_400}],
            });
            if i % 2 == 0 {
                a["userid"] = json!(format!("user{i}"));
            }
            a
        })
        .collect();
    json!({
        "seed": 7,
        "data": { "seed_meetings": false, "small_meetings": 0, "large_meetings": [] },
        "faults": { "latency": { "secs": 0, "nanos": WINDOW_LATENCY_MS * 1_000_000 } },
        "tencent": { "per_minute": 100_000_000u64, "per_day": 100_000_000u64 },
        "wecom": { "per_minute": 100_000_000u64, "per_hour": 100_000_000u64 },
        "fixture": { "meetings": [{
            "label": "window-90d",
            "vendors": ["tencent", "wecom"],
            "subject": "90-day room",
            "kind": "one_off",
            "start": from,
            "end": now - 600,
            "state": "ended",
            "attendees": attendees,
        }]},
    })
}

#[derive(Debug, Clone, Copy)]
struct WindowRun {
    wall: f64,
    calls: u64,
    records: u64,
}

type Windows = BTreeMap<(String, usize), Vec<WindowRun>>;

fn windows(paths: &Paths, runs: usize) -> Res<Windows> {
    let sandbox = SandboxProcess::start(paths, "windows", &windows_config(now_unix()))?;
    let mut out: Windows = BTreeMap::new();
    // Run 0 is the warm-up.
    for run in 0..=runs {
        for (catalog_name, _, name, _) in VENDORS {
            let meeting = sandbox.meeting(catalog_name, "window-90d")?;
            for concurrency in [1, WINDOW_CONCURRENCY] {
                let v = driver(
                    paths,
                    &sandbox,
                    &[
                        "windows",
                        "--vendor",
                        name,
                        "--meeting",
                        &meeting.id,
                        "--days",
                        &WINDOW_DAYS.to_string(),
                        "--concurrency",
                        &concurrency.to_string(),
                    ],
                )?;
                let w = WindowRun {
                    wall: v["wall_s"].as_f64().ok_or("windows: no wall_s")?,
                    calls: v["calls"].as_u64().unwrap_or(0),
                    records: v["records"].as_u64().unwrap_or(0),
                };
                if w.records != WINDOW_SESSIONS as u64 {
                    return Err(format!(
                        "{name} windows ×{concurrency}: {} records, expected {WINDOW_SESSIONS}",
                        w.records
                    ));
                }
                if run > 0 {
                    eprintln!(
                        "  run {run}: {name} ×{concurrency}: {:.3} s, {} calls",
                        w.wall, w.calls
                    );
                    out.entry((name.to_string(), concurrency))
                        .or_default()
                        .push(w);
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// B6

/// The sandbox's organisation of `meetings` meetings per vendor (every kind and state, over the
/// last 60 days and the next week, 8 hosts; an ended one has 3 to [`SYNC_MAX_SESSIONS`]
/// sessions), with the limits of [`SYNC_SCALE`] times the real ones. The sandbox generates it:
/// a fixture this size would make xtask itself large, and a child's peak RSS counts its
/// parent's at the spawn.
fn sync_config(meetings: usize) -> Value {
    json!({
        "seed": 7,
        "data": {
            "seed_meetings": false,
            "small_meetings": 0,
            "large_meetings": [],
            "org_meetings": meetings,
            "org_days": 60,
            "org_max_sessions": SYNC_MAX_SESSIONS,
        },
        "tencent": {
            "per_minute": 300 * SYNC_SCALE,
            "per_day": 100_000_000u64,
            "corp_meetings_per_minute": 100 * SYNC_SCALE,
            "admin_userids": ["admin1"],
        },
        "wecom": { "per_minute": 10_000 * SYNC_SCALE, "per_hour": 100_000_000u64 },
    })
}

/// Refusals for a rate limit (Tencent `190310`–`190313` and `9061`, WeCom `45009`/`45033`,
/// Quanshi `429`) between two stats snapshots; other refusals (an enrolment list a meeting does
/// not have) are answers the sync expects.
fn rate_refusals_delta(before: &Value, after: &Value) -> u64 {
    const CODES: [&str; 8] = [
        "190310", "190311", "190312", "190313", "9061", "45009", "45033", "429",
    ];
    let count = |s: &Value| -> u64 {
        s["rejections"]
            .as_object()
            .map(|m| {
                m.values()
                    .filter_map(Value::as_object)
                    .flat_map(|r| r.iter())
                    .filter(|(code, _)| CODES.contains(&code.as_str()))
                    .filter_map(|(_, n)| n.as_u64())
                    .sum()
            })
            .unwrap_or(0)
    };
    count(after).saturating_sub(count(before))
}

/// One measured `roster sync`.
#[derive(Debug, Clone)]
struct SyncRun {
    wall: f64,
    rss_mib: f64,
    sessions: u64,
    /// Calls per vendor (sandbox count) and the budget-bound minimum in seconds.
    calls: BTreeMap<String, u64>,
    minimum: f64,
    refused: u64,
}

/// The client's pacing in B6: each vendor at its (scaled) budget.
const SYNC_CLIENT_RATES: [(&str, u64); 4] = [
    ("ROSTER_TENCENT_CALLS_PER_MINUTE", 300 * SYNC_SCALE),
    ("ROSTER_TENCENT_CORP_MEETINGS_PER_MINUTE", 100 * SYNC_SCALE),
    ("ROSTER_WECOM_CALLS_PER_MINUTE", 600 * SYNC_SCALE),
    ("ROSTER_QUANSHI_CALLS_PER_MINUTE", 0),
];

fn sync_once(paths: &Paths, meetings: usize, name: &str) -> Res<SyncRun> {
    // A fresh sandbox per run: the limits count calendar minutes, which runs would share.
    let sandbox = SandboxProcess::start(paths, name, &sync_config(meetings))?;
    let expected: u64 = sandbox
        .catalog
        .iter()
        .filter(|m| m.label.starts_with("org-"))
        .map(|m| m.sessions)
        .sum();
    let db = paths.work.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let errors = paths.work.join(format!("{name}.stderr"));
    let from = (now_unix() - 90 * 86_400).to_string();
    let mut cmd = sandbox.command(&paths.roster, &paths.work);
    cmd.args(["sync", "--from", &from, "--db"])
        .arg(format!("sqlite:{}", db.display()))
        .env("ROSTER_TENCENT_OPERATOR_ID", "admin1")
        .stdout(Stdio::null())
        .stderr(fs::File::create(&errors).map_err(|e| e.to_string())?);
    for (k, v) in SYNC_CLIENT_RATES {
        cmd.env(k, v.to_string());
    }
    let stats_before = sandbox.stats()?;
    let start = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", paths.roster.display()))?;
    let usage = sys::wait_with_usage(child).map_err(|e| format!("wait4: {e}"))?;
    let wall = start.elapsed().as_secs_f64();
    let stats_after = sandbox.stats()?;
    let stderr = fs::read_to_string(&errors).unwrap_or_default();
    if usage.exit != 0 {
        return Err(format!(
            "roster sync exited with {}: {}",
            usage.exit,
            stderr.trim()
        ));
    }
    // "roster: wecom: synced 100 meetings: … (33300 sessions)"
    let sessions: u64 = stderr
        .lines()
        .filter(|l| l.contains(": synced "))
        .filter_map(|l| {
            l.rsplit_once('(')?
                .1
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum();
    if sessions != expected {
        return Err(format!(
            "roster sync wrote {sessions} sessions, the sandbox serves {expected}: {stderr}"
        ));
    }
    let mut calls = BTreeMap::new();
    for prefix in ["tencent.", "wecom.", "quanshi."] {
        calls.insert(
            prefix.trim_end_matches('.').to_string(),
            requests_delta(&stats_before, &stats_after, prefix),
        );
    }
    // The budgets: Tencent's per AppId (its account list has a budget of its own, counted
    // apart), WeCom's per API (the busiest API binds), Quanshi none.
    let per_second = |per_minute: u64| per_minute as f64 / 60.0;
    let corp = requests_delta(&stats_before, &stats_after, "tencent.corp_meetings");
    let tencent = (calls["tencent"] - corp) as f64 / per_second(300 * SYNC_SCALE)
        + corp as f64 / per_second(100 * SYNC_SCALE);
    let wecom = [
        "get_attendee_list",
        "enroll_list",
        "enroll_query_by_tmp_openid",
        "get_info",
        "get_user_meetingid",
        "user_list_id",
        "gettoken",
    ]
    .iter()
    .map(|api| requests_delta(&stats_before, &stats_after, &format!("wecom.{api}")))
    .max()
    .unwrap_or(0) as f64
        / per_second(10_000 * SYNC_SCALE);
    let refused = rate_refusals_delta(&stats_before, &stats_after);
    Ok(SyncRun {
        wall,
        rss_mib: usage.max_rss_kib as f64 / 1024.0,
        sessions,
        calls,
        minimum: tencent.max(wecom),
        refused,
    })
}

/// B6's results: the big and small syncs, and the store-alone writes per backend.
struct SyncBench {
    big: Vec<SyncRun>,
    small: Vec<SyncRun>,
    store: BTreeMap<String, Vec<f64>>,
}

fn sync_bench(paths: &Paths, runs: usize) -> Res<SyncBench> {
    let mut bench = SyncBench {
        big: Vec::new(),
        small: Vec::new(),
        store: BTreeMap::new(),
    };
    for run in 0..runs {
        let big = sync_once(paths, SYNC_MEETINGS, "sync-big")?;
        let small = sync_once(paths, SYNC_SMALL_MEETINGS, "sync-small")?;
        eprintln!(
            "  run {}: {} sessions in {:.2} s (minimum {:.2} s), {:?} calls, {} refused, rss {:.1} MiB (30 meetings: {:.1} MiB)",
            run + 1,
            big.sessions,
            big.wall,
            big.minimum,
            big.calls,
            big.refused,
            big.rss_mib,
            small.rss_mib
        );
        bench.big.push(big);
        bench.small.push(small);
        for backend in ["sqlite", "postgres"] {
            let v = driver_alone(
                paths,
                &[
                    "store-write",
                    "--backend",
                    backend,
                    "--meetings",
                    &STORE_MEETINGS.to_string(),
                    "--sessions",
                    &STORE_SESSIONS.to_string(),
                ],
            )?;
            let rate = v["sessions_per_s"].as_f64().ok_or("store-write: no rate")?;
            eprintln!("  run {}: {backend} store: {rate:.0} sessions/s", run + 1);
            bench
                .store
                .entry(backend.to_string())
                .or_default()
                .push(rate);
        }
    }
    Ok(bench)
}

/// Runs the driver without a sandbox; its one JSON line.
fn driver_alone(paths: &Paths, args: &[&str]) -> Res<Value> {
    let mut cmd = Command::new(&paths.driver);
    cmd.args(args)
        .current_dir(&paths.work)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped());
    clean_env(&mut cmd);
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", paths.driver.display()))?;
    if !output.status.success() {
        return Err(format!(
            "roster-bench {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("roster-bench: bad output: {e}"))
}

// ---------------------------------------------------------------------------------------------
// B7

/// The sandbox's organisation of `meetings` meetings per vendor; every call 50 ms late and the
/// limits out of the way (`real_limits` false), or Tencent's real ones (true).
fn scale_config(meetings: usize, real_limits: bool) -> Value {
    let (tencent, corp) = if real_limits {
        (300, 100)
    } else {
        (100_000_000u64, 100_000_000u64)
    };
    let mut config = json!({
        "seed": 7,
        "data": {
            "seed_meetings": false,
            "small_meetings": 0,
            "large_meetings": [],
            "org_meetings": meetings,
            "org_days": 60,
        },
        "tencent": {
            "per_minute": tencent,
            "per_day": 100_000_000u64,
            "corp_meetings_per_minute": corp,
            "admin_userids": ["admin1"],
        },
        "wecom": { "per_minute": 100_000_000u64, "per_hour": 100_000_000u64 },
    });
    if !real_limits {
        config["faults"] =
            json!({ "latency": { "secs": 0, "nanos": SCALE_LATENCY_MS * 1_000_000 } });
    }
    config
}

#[derive(Default)]
struct ScaleBench {
    /// Workers → the driver's answers.
    latency: BTreeMap<usize, Vec<Value>>,
    limited: Vec<Value>,
}

fn scale_run(
    paths: &Paths,
    sandbox: &SandboxProcess,
    workers: usize,
    vendor: &str,
    rates: &[(&str, String)],
) -> Res<Value> {
    let from = (now_unix() - 90 * 86_400).to_string();
    let to = now_unix().to_string();
    let roster = paths.roster.to_string_lossy().into_owned();
    let mut cmd = sandbox.command(&paths.driver, &paths.work);
    cmd.args([
        "scale-out",
        "--roster",
        &roster,
        "--workers",
        &workers.to_string(),
        "--vendor",
        vendor,
        "--from",
        &from,
        "--to",
        &to,
    ])
    .env("ROSTER_TENCENT_OPERATOR_ID", "admin1")
    .stderr(Stdio::piped())
    .stdout(Stdio::piped());
    for (k, v) in rates {
        cmd.env(k, v);
    }
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", paths.driver.display()))?;
    if !output.status.success() {
        return Err(format!(
            "roster-bench scale-out failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("scale-out: bad output: {e}"))
}

fn scale_bench(paths: &Paths, runs: usize) -> Res<ScaleBench> {
    let mut bench = ScaleBench::default();
    let unpaced: Vec<(&str, String)> = [
        "ROSTER_TENCENT_CALLS_PER_MINUTE",
        "ROSTER_TENCENT_CORP_MEETINGS_PER_MINUTE",
        "ROSTER_WECOM_CALLS_PER_MINUTE",
        "ROSTER_QUANSHI_CALLS_PER_MINUTE",
    ]
    .into_iter()
    .map(|k| (k, "0".to_string()))
    .collect();
    for run in 0..runs {
        // A fresh sandbox per run: the token counts start from zero.
        for workers in [1, 4] {
            let sandbox =
                SandboxProcess::start(paths, "scale", &scale_config(SCALE_MEETINGS, false))?;
            let v = scale_run(paths, &sandbox, workers, "all", &unpaced)?;
            eprintln!(
                "  run {}: {workers} worker(s): {:.2} s, {} duplicates, tokens {}",
                run + 1,
                v["wall_s"].as_f64().unwrap_or(f64::NAN),
                v["duplicates"],
                v["tokens"]
            );
            bench.latency.entry(workers).or_default().push(v);
        }
    }
    // Real limits: one run (about two minutes).
    let sandbox = SandboxProcess::start(
        paths,
        "scale-limited",
        &scale_config(SCALE_LIMIT_MEETINGS, true),
    )?;
    let rates = vec![(
        "ROSTER_TENCENT_CALLS_PER_MINUTE",
        SCALE_CLIENT_RATE.to_string(),
    )];
    let v = scale_run(paths, &sandbox, 4, "tencent-meeting", &rates)?;
    eprintln!(
        "  4 workers at Tencent's real limit: {:.1} s, {} calls, {} refused",
        v["wall_s"].as_f64().unwrap_or(f64::NAN),
        v["tencent_calls"],
        v["refusals"]
    );
    bench.limited.push(v);
    Ok(bench)
}

// ---------------------------------------------------------------------------------------------
// The report

struct Report {
    runs: usize,
    exports: Exports,
    pacing: Vec<Pacing>,
    windows: Windows,
    micro: Value,
    sync: SyncBench,
    scale: ScaleBench,
    /// B8: the driver's answers.
    webhooks: Vec<Value>,
}

struct Row {
    bench: String,
    figure: String,
    value: String,
    target: String,
    verdict: &'static str,
}

impl Row {
    fn new(bench: &str, figure: &str, value: String) -> Self {
        Self {
            bench: bench.into(),
            figure: figure.into(),
            value,
            target: String::new(),
            verdict: "",
        }
    }

    fn target(mut self, target: String, met: bool) -> Self {
        self.target = target;
        self.verdict = if met { "met" } else { "MISSED" };
        self
    }

    fn json(&self) -> Value {
        json!({
            "bench": self.bench,
            "figure": self.figure,
            "value": self.value,
            "target": self.target,
            "verdict": self.verdict,
        })
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn med<T>(v: &[T], f: impl Fn(&T) -> f64) -> f64 {
    median(v.iter().map(f).collect())
}

impl Report {
    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for (_, _, name, _) in VENDORS {
            let Some(big) = self.exports.get(&(name.to_string(), BIG)) else {
                continue;
            };
            let b = format!("B1 {name} {BIG}");
            let wall = med(big, |e| e.wall);
            let cpu = med(big, |e| e.cpu);
            let floor = med(big, |e| e.sandbox_cpu);
            let per = med(big, |e| e.cpu / BIG as f64 * 1e6);
            // Issue 19: client and server overlap when the wall time is close to the larger of
            // their two CPU times (neither sits waiting for the other).
            let ratio = med(big, |e| e.wall / e.sandbox_cpu.max(e.cpu));
            let calls = med(big, |e| e.calls as f64);
            rows.push(Row::new(&b, "calls (sandbox count)", format!("{calls:.0}")));
            rows.push(Row::new(&b, "wall time", format!("{wall:.2} s")));
            rows.push(Row::new(&b, "sandbox CPU (floor)", format!("{floor:.2} s")));
            rows.push(
                Row::new(
                    &b,
                    "wall ÷ max(client, sandbox CPU)",
                    format!("{ratio:.2}×"),
                )
                .target("≤ 1.2×".into(), ratio <= 1.2),
            );
            rows.push(Row::new(
                &b,
                "client CPU (user+sys)",
                format!(
                    "{cpu:.2} s ({:.2} + {:.2})",
                    med(big, |e| e.user),
                    med(big, |e| e.sys)
                ),
            ));
            rows.push(
                Row::new(&b, "client CPU per attendee", format!("{per:.2} µs"))
                    .target("≤ 3 µs".into(), per <= 3.0),
            );
            rows.push(Row::new(
                &b,
                "peak RSS",
                format!("{:.1} MiB", med(big, |e| e.rss_mib)),
            ));
        }
        for (_, _, name, _) in VENDORS {
            let (Some(big), Some(small)) = (
                self.exports.get(&(name.to_string(), BIG)),
                self.exports.get(&(name.to_string(), SMALL)),
            ) else {
                continue;
            };
            let b = format!("B2 {name}");
            let s = med(small, |e| e.rss_mib);
            let l = med(big, |e| e.rss_mib);
            rows.push(Row::new(
                &b,
                &format!("peak RSS at {SMALL}"),
                format!("{s:.1} MiB"),
            ));
            rows.push(Row::new(
                &b,
                &format!("peak RSS at {BIG}"),
                format!("{l:.1} MiB"),
            ));
            rows.push(
                Row::new(&b, "difference", format!("{:+.1} MiB", l - s))
                    .target("within 5 MB".into(), (l - s).abs() * 1.048_576 <= 5.0),
            );
        }
        if !self.pacing.is_empty() {
            let b = "B3 tencent pacing";
            let calls = med(&self.pacing, |p| p.calls as f64);
            let wall = med(&self.pacing, |p| p.wall);
            let rate = f64::from(PACE_RATE) / 60.0;
            let ratio = med(&self.pacing, |p| p.wall / (p.calls as f64 / rate));
            let refused = self.pacing.iter().map(|p| p.rejections).max().unwrap_or(0);
            rows.push(Row::new(
                b,
                "calls (sandbox count)",
                format!("{calls:.0} over {PACE_MEETINGS} meetings"),
            ));
            rows.push(Row::new(b, "wall time", format!("{wall:.2} s")));
            rows.push(Row::new(
                b,
                "theoretical minimum",
                format!("{:.2} s (calls ÷ {PACE_RATE}/min)", calls / rate),
            ));
            rows.push(
                Row::new(b, "wall ÷ minimum", format!("{ratio:.3}×"))
                    .target("≤ 1.1×".into(), ratio <= 1.1),
            );
            // `Pacer::per_minute(n)` lets a burst of n/60 calls through at once.
            let burst = f64::from(PACE_RATE / 60);
            rows.push(Row::new(
                b,
                "the pacer's own minimum",
                format!(
                    "{:.2} s ((calls − burst {burst:.0}) ÷ rate): wall ÷ it {:.3}×",
                    (calls - burst) / rate,
                    med(&self.pacing, |p| p.wall / ((p.calls as f64 - burst) / rate))
                ),
            ));
            rows.push(
                Row::new(b, "rate-limit refusals (max of runs)", refused.to_string())
                    .target("0".into(), refused == 0),
            );
        }
        for (_, _, name, _) in VENDORS {
            let (Some(seq), Some(conc)) = (
                self.windows.get(&(name.to_string(), 1)),
                self.windows.get(&(name.to_string(), WINDOW_CONCURRENCY)),
            ) else {
                continue;
            };
            let b = format!("B4 {name} {WINDOW_DAYS} d");
            let s = med(seq, |w| w.wall);
            let c = med(conc, |w| w.wall);
            let ratio = median(seq.iter().zip(conc).map(|(s, c)| c.wall / s.wall).collect());
            rows.push(Row::new(
                &b,
                "records / calls",
                format!(
                    "{} / {:.0} (both ways)",
                    seq[0].records,
                    med(seq, |w| w.calls as f64)
                ),
            ));
            rows.push(Row::new(
                &b,
                "sequential (1 window)",
                format!("{:.0} ms", s * 1e3),
            ));
            rows.push(Row::new(
                &b,
                &format!("concurrent ({WINDOW_CONCURRENCY} windows)"),
                format!("{:.0} ms", c * 1e3),
            ));
            rows.push(
                Row::new(&b, "concurrent ÷ sequential", format!("{ratio:.2}×"))
                    .target("≤ 0.45×".into(), ratio <= 0.45),
            );
        }
        if let Some(micro) = self.micro["rows"].as_array() {
            for r in micro {
                let name = r["name"].as_str().unwrap_or("?");
                let ns = r["median_ns"].as_f64().unwrap_or(f64::NAN);
                rows.push(Row::new("B5 micro", name, human_ns(ns)));
            }
            if let Some(per) = self.micro["page_pipeline_ns_per_attendee"].as_f64() {
                rows.push(Row::new(
                    "B5 micro",
                    "decode+map+encode ÷ 100",
                    format!("{} per attendee", human_ns(per)),
                ));
            }
        }
        self.sync_rows(&mut rows);
        self.scale_rows(&mut rows);
        self.webhook_rows(&mut rows);
        self.xlsx_rows(&mut rows);
        rows
    }

    fn xlsx_rows(&self, rows: &mut Vec<Row>) {
        let (Some(jsonl), Some(xlsx)) = (
            self.exports.get(&("tencent".to_string(), BIG)),
            self.exports.get(&("tencent xlsx".to_string(), BIG)),
        ) else {
            return;
        };
        let b = format!("B9 xlsx {BIG}");
        let (rss_j, rss_x) = (med(jsonl, |e| e.rss_mib), med(xlsx, |e| e.rss_mib));
        let (wall_j, wall_x) = (med(jsonl, |e| e.wall), med(xlsx, |e| e.wall));
        rows.push(Row::new(
            &b,
            "wall / CPU (xlsx; Tencent, 50,000 sessions)",
            format!("{wall_x:.2} s / {:.2} s", med(xlsx, |e| e.cpu)),
        ));
        rows.push(
            Row::new(
                &b,
                "peak RSS xlsx vs JSON Lines",
                format!("{rss_x:.1} vs {rss_j:.1} MiB ({:+.1})", rss_x - rss_j),
            )
            .target("within 10 MiB".into(), rss_x - rss_j <= 10.0),
        );
        let ratio = wall_x / wall_j;
        rows.push(
            Row::new(&b, "time xlsx ÷ JSON Lines", format!("{ratio:.2}×"))
                .target("≤ 2×".into(), ratio <= 2.0),
        );
    }

    fn webhook_rows(&self, rows: &mut Vec<Row>) {
        let runs = &self.webhooks;
        if runs.is_empty() {
            return;
        }
        let b = "B8 webhooks";
        let f = |name: &'static str| move |v: &Value| v[name].as_f64().unwrap_or(f64::NAN);
        rows.push(Row::new(
            b,
            "events pushed (Tencent, encrypted)",
            format!(
                "{:.0} in {:.1} s ({:.0} a second)",
                med(runs, f("events")),
                med(runs, f("wall_s")),
                med(runs, f("events_per_s"))
            ),
        ));
        let p99 = med(runs, f("ack_p99_ms"));
        rows.push(
            Row::new(
                b,
                "acknowledgement p50 / p99",
                format!("{:.1} / {p99:.1} ms", med(runs, f("ack_p50_ms"))),
            )
            .target("p99 ≤ 50 ms".into(), p99 <= 50.0),
        );
        let worst = |name: &str| {
            runs.iter()
                .map(|v| v[name].as_u64().unwrap_or(u64::MAX))
                .max()
                .unwrap_or(u64::MAX)
        };
        let (lost, duplicated) = (worst("lost"), worst("duplicated"));
        rows.push(
            Row::new(
                b,
                "lost / stored twice (max of runs)",
                format!("{lost} / {duplicated}"),
            )
            .target("0 / 0".into(), lost == 0 && duplicated == 0),
        );
        let cpu = med(runs, f("cpu_per_event_us"));
        rows.push(
            Row::new(b, "receiver CPU per event", format!("{cpu:.0} µs"))
                .target("≤ 100 µs".into(), cpu <= 100.0),
        );
    }

    fn scale_rows(&self, rows: &mut Vec<Row>) {
        let (Some(one), Some(four)) = (self.scale.latency.get(&1), self.scale.latency.get(&4))
        else {
            return;
        };
        let b = "B7 scale-out";
        let wall = |v: &Value| v["wall_s"].as_f64().unwrap_or(f64::NAN);
        let (w1, w4) = (med(one, wall), med(four, wall));
        rows.push(Row::new(
            b,
            &format!(
                "1 / 4 workers, {} meetings, {SCALE_LATENCY_MS} ms a call",
                3 * SCALE_MEETINGS
            ),
            format!("{w1:.2} / {w4:.2} s"),
        ));
        let ratio = w4 / w1;
        rows.push(
            Row::new(b, "4 workers ÷ 1", format!("{ratio:.2}×"))
                .target("≤ 0.35×".into(), ratio <= 0.35),
        );
        let duplicates = four
            .iter()
            .chain(one)
            .map(|v| v["duplicates"].as_u64().unwrap_or(u64::MAX))
            .max()
            .unwrap_or(0);
        rows.push(
            Row::new(b, "duplicate exports (max of runs)", duplicates.to_string())
                .target("0".into(), duplicates == 0),
        );
        // One per app and secret: WeCom's app and address book, Quanshi's app.
        let tokens = four
            .iter()
            .map(|v| {
                let t = &v["tokens"];
                (
                    t["wecom"].as_u64().unwrap_or(0),
                    t["quanshi"].as_u64().unwrap_or(0),
                )
            })
            .max()
            .unwrap_or((0, 0));
        rows.push(
            Row::new(
                b,
                "tokens fetched by 4 workers (max of runs)",
                format!(
                    "WeCom {} (app + address book), Quanshi {}",
                    tokens.0, tokens.1
                ),
            )
            .target("one per app and secret".into(), tokens == (2, 1)),
        );
        if let Some(v) = self.scale.limited.first() {
            let b = "B7 real limits";
            let calls = v["tencent_calls"].as_f64().unwrap_or(0.0);
            let wall = wall(v);
            let used = calls / (wall / 60.0 * 300.0);
            let refused = v["refusals"].as_u64().unwrap_or(u64::MAX);
            rows.push(Row::new(
                b,
                &format!("4 workers, Tencent, {SCALE_LIMIT_MEETINGS} meetings, 300/min per AppId"),
                format!("{calls:.0} calls in {wall:.1} s"),
            ));
            rows.push(
                Row::new(b, "rate-limit refusals", refused.to_string())
                    .target("0".into(), refused == 0),
            );
            rows.push(
                Row::new(
                    b,
                    "budget used (calls ÷ 300 a minute)",
                    format!("{:.0} %", used * 100.0),
                )
                .target("≥ 90 %".into(), used >= 0.9),
            );
        }
    }

    fn sync_rows(&self, rows: &mut Vec<Row>) {
        let (big, small) = (&self.sync.big, &self.sync.small);
        if big.is_empty() {
            return;
        }
        let b = "B6 sync";
        let total = |r: &SyncRun| r.calls.values().sum::<u64>() as f64;
        rows.push(Row::new(
            b,
            "meetings, sessions",
            format!(
                "{} ({} per vendor, the ended ones synced), {}",
                3 * SYNC_MEETINGS,
                SYNC_MEETINGS,
                big[0].sessions
            ),
        ));
        rows.push(Row::new(
            b,
            "calls (sandbox count)",
            format!(
                "{:.0} ({})",
                med(big, total),
                big[0]
                    .calls
                    .iter()
                    .map(|(v, n)| format!("{v} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        rows.push(Row::new(
            b,
            "wall time",
            format!("{:.2} s", med(big, |r| r.wall)),
        ));
        rows.push(Row::new(
            b,
            "minimum the budgets allow",
            format!(
                "{:.2} s (Tencent {}/min per AppId, limits ×{SYNC_SCALE})",
                med(big, |r| r.minimum),
                300 * SYNC_SCALE
            ),
        ));
        let ratio = med(big, |r| r.wall / r.minimum);
        rows.push(
            Row::new(b, "wall ÷ minimum", format!("{ratio:.3}×"))
                .target("≤ 1.15×".into(), ratio <= 1.15),
        );
        // The Tencent pacer lets a burst of one second's calls through at once (below 1× is
        // that burst, within the vendor's calendar-minute budget).
        let burst = (300 * SYNC_SCALE / 60) as f64;
        let rate = (300 * SYNC_SCALE) as f64 / 60.0;
        rows.push(Row::new(
            b,
            "wall ÷ the pacer's own minimum",
            format!(
                "{:.3}× ((Tencent calls − burst {burst:.0}) ÷ rate)",
                med(big, |r| r.wall
                    / ((r.calls["tencent"] as f64 - burst).max(1.0) / rate))
            ),
        ));
        let refused = big
            .iter()
            .chain(small)
            .map(|r| r.refused)
            .max()
            .unwrap_or(0);
        rows.push(
            Row::new(b, "rate-limit refusals (max of runs)", refused.to_string())
                .target("0".into(), refused == 0),
        );
        let (l, s) = (med(big, |r| r.rss_mib), med(small, |r| r.rss_mib));
        rows.push(Row::new(
            b,
            &format!(
                "peak RSS at {} / {} meetings",
                3 * SYNC_SMALL_MEETINGS,
                3 * SYNC_MEETINGS
            ),
            format!("{s:.1} / {l:.1} MiB"),
        ));
        rows.push(
            Row::new(b, "difference", format!("{:+.1} MiB", l - s))
                .target("within 10 MiB".into(), (l - s).abs() <= 10.0),
        );
        for (backend, target) in [("sqlite", 100_000.0), ("postgres", 30_000.0)] {
            let Some(rates) = self.sync.store.get(backend) else {
                continue;
            };
            let rate = median(rates.clone());
            rows.push(
                Row::new(
                    &format!("B6 store {backend}"),
                    &format!("write rate ({STORE_MEETINGS} × {STORE_SESSIONS} sessions)"),
                    format!("{rate:.0} sessions/s"),
                )
                .target(format!("≥ {target:.0}/s"), rate >= target),
            );
        }
    }

    fn json(&self) -> Value {
        let exports: Vec<Value> = self
            .exports
            .iter()
            .map(|((vendor, size), runs)| {
                json!({
                    "vendor": vendor,
                    "sessions": size,
                    "runs": runs.iter().map(|e| json!({
                        "wall_s": e.wall,
                        "client_cpu_s": e.cpu,
                        "client_user_s": e.user,
                        "client_sys_s": e.sys,
                        "peak_rss_mib": e.rss_mib,
                        "sandbox_cpu_s": e.sandbox_cpu,
                        "calls": e.calls,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let windows: Vec<Value> = self
            .windows
            .iter()
            .map(|((vendor, concurrency), runs)| {
                json!({
                    "vendor": vendor,
                    "concurrency": concurrency,
                    "runs": runs.iter().map(|w| json!({
                        "wall_s": w.wall, "calls": w.calls, "records": w.records,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "runs": self.runs,
            "b1_b2_exports": exports,
            "b3_pacing": self.pacing.iter().map(|p| json!({
                "wall_s": p.wall, "calls": p.calls, "rejections": p.rejections, "driver": p.driver,
            })).collect::<Vec<_>>(),
            "b4_windows": windows,
            "b5_micro": self.micro,
            "b7_scale_out": {
                "latency": self.scale.latency.iter().map(|(w, v)| (w.to_string(), v.clone())).collect::<BTreeMap<_, _>>(),
                "real_limits": self.scale.limited,
            },
            "b8_webhooks": self.webhooks,
            "b6_sync": {
                "big": self.sync.big.iter().map(sync_json).collect::<Vec<_>>(),
                "small": self.sync.small.iter().map(sync_json).collect::<Vec<_>>(),
                "store_sessions_per_s": self.sync.store,
            },
        })
    }
}

// ---------------------------------------------------------------------------------------------
// B8

/// B8: `runs` pushes (after an unmeasured short one) of the big meeting to a `roster listen`
/// process; the sandbox runs inside the driver (its push mode is a library).
fn webhooks_bench(paths: &Paths, runs: usize) -> Res<Vec<Value>> {
    let roster = paths.roster.to_string_lossy().into_owned();
    let run = |sessions: usize| -> Res<Value> {
        let mut cmd = Command::new(&paths.driver);
        cmd.args([
            "webhooks",
            "--roster",
            &roster,
            "--sessions",
            &sessions.to_string(),
            "--rate",
            &PUSH_RATE.to_string(),
        ])
        .current_dir(&paths.work)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        clean_env(&mut cmd);
        let output = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", paths.driver.display()))?;
        if !output.status.success() {
            return Err(format!(
                "roster-bench webhooks failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        serde_json::from_slice(&output.stdout).map_err(|e| format!("webhooks: bad output: {e}"))
    };
    run(1_000)?;
    (0..runs).map(|_| run(PUSH_SESSIONS)).collect()
}

fn sync_json(r: &SyncRun) -> Value {
    json!({
        "wall_s": r.wall, "minimum_s": r.minimum, "peak_rss_mib": r.rss_mib,
        "sessions": r.sessions, "calls": r.calls, "refused": r.refused,
    })
}

fn human_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn print_table(rows: &[Row]) {
    let headers = ["bench", "figure", "value", "target", ""];
    let cells: Vec<[&str; 5]> = rows
        .iter()
        .map(|r| [&*r.bench, &*r.figure, &*r.value, &*r.target, r.verdict])
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for c in &cells {
        for (w, s) in widths.iter_mut().zip(c) {
            *w = (*w).max(s.chars().count());
        }
    }
    let line = |c: &[&str; 5]| {
        let parts: Vec<String> = c
            .iter()
            .zip(widths)
            .map(|(s, w)| format!("{s}{}", " ".repeat(w - s.chars().count())))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(&headers);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    println!("{}", rule.join("  "));
    let mut last = "";
    for c in &cells {
        if !last.is_empty() && c[0] != last {
            println!();
        }
        last = c[0];
        line(c);
    }
}

// ---------------------------------------------------------------------------------------------
// Machine and date

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_gib = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    format!("{cpu}, {cores} cores, {mem_gib:.0} GiB")
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// `YYYY-MM-DD HH:MM UTC` (civil-from-days, proleptic Gregorian).
fn utc_now() -> String {
    let secs = now_unix();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3_600,
        rem % 3_600 / 60
    )
}
