//! `roster-bench`: the in-process parts of `cargo xtask bench`, run by xtask against a sandbox
//! process it started (`roster sandbox`). Not a test and not for CI: every figure is a timing.
//!
//! ```text
//! roster-bench pacing  --meetings ID,ID,… --rate CALLS_PER_MINUTE --page-size N   (B3)
//! roster-bench windows --vendor tencent|wecom --meeting ID --days D --concurrency N  (B4)
//! roster-bench micro   --meeting ID                                                (B5)
//! roster-bench store-write --backend sqlite|postgres --meetings M --sessions S     (B6)
//! roster-bench scale-out --roster PATH --workers N --from T --to T [--vendor V]     (B7)
//! roster-bench webhooks --roster PATH --sessions N --rate EVENTS_PER_S              (B8)
//! ```
//!
//! `webhooks` starts a sandbox in this process (its push mode is a library), a `roster listen`
//! process on loopback writing into a fresh SQLite file, and pushes one Tencent meeting of N
//! sessions to it, encrypted, at the given rate (first attempts paced; up to 64 in flight):
//! acknowledgement latency, events lost (never acknowledged, or not in the store) and stored
//! twice, and the receiver's CPU (`utime + stime` of its `/proc/<pid>/stat`) per event.
//!
//! `scale-out` starts a throwaway PostgreSQL cluster, runs N `roster sync` processes at once
//! against it and the sandbox (whose variables it passes on), and reports the wall time, the
//! exports each worker made, the tokens the sandbox issued and its rate-limit refusals.
//!
//! `store-write` needs no sandbox: it writes M meetings of S synthetic sessions each into a
//! fresh store (a temporary SQLite file, or a throwaway PostgreSQL cluster started with
//! `initdb`/`pg_ctl` from PATH) and times the writes alone.
//!
//! Credentials and base URLs come from the `ROSTER_TENCENT_*` / `ROSTER_WECOM_*` variables that
//! `roster sandbox` prints. Each command prints one JSON object on stdout; a failed run (an
//! error, or fewer records than expected) exits non-zero, so that no failure is measured.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use roster_core::{AttendeeSource, HttpClient, HttpConfig, MeetingQuery, RawResponse};
use roster_sandbox::StatsSnapshot;
use roster_tencent_meeting::auth::{AkSkAuthenticator, Authenticator, RequestToSign};
use roster_tencent_meeting::convert::attendee_from_participant;
use roster_tencent_meeting::errors::response_error;
use roster_tencent_meeting::sign::{SignatureInput, signature};
use roster_tencent_meeting::wire::ParticipantsResponse;
use roster_tencent_meeting::{ClientBuilder, Credentials, TencentMeetingClientBuilder};
use roster_wecom::WeComClientBuilder;
use serde_json::{Value, json};
use time::OffsetDateTime;

type Failure = String;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first().cloned() else {
        eprintln!("usage: roster-bench pacing|windows|micro [options]");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("roster-bench: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    let flags = Flags(&args[1..]);
    let result = runtime.block_on(async {
        match command.as_str() {
            "pacing" => pacing(&flags).await,
            "windows" => windows(&flags).await,
            "micro" => micro(&flags).await,
            "store-write" => store_write(&flags).await,
            "scale-out" => scale_out(&flags).await,
            "webhooks" => webhooks(&flags).await,
            other => Err(format!("unknown command {other:?}")),
        }
    });
    match result {
        Ok(value) => {
            println!("{value}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("roster-bench {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--name value` pairs.
struct Flags<'a>(&'a [String]);

impl Flags<'_> {
    fn get(&self, name: &str) -> Result<&str, Failure> {
        self.0
            .windows(2)
            .find(|w| w[0] == name)
            .map(|w| w[1].as_str())
            .ok_or_else(|| format!("missing {name}"))
    }

    fn num<T: std::str::FromStr>(&self, name: &str) -> Result<T, Failure> {
        self.get(name)?
            .parse()
            .map_err(|_| format!("{name} is not a number"))
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn need_env(name: &str) -> Result<String, Failure> {
    env(name).ok_or_else(|| format!("{name} is not set (xtask passes the sandbox's variables)"))
}

fn tencent_builder() -> Result<TencentMeetingClientBuilder, Failure> {
    TencentMeetingClientBuilder::from_lookup(env).map_err(|e| e.to_string())
}

/// The sandbox's counters, read over HTTP.
async fn stats(http: &HttpClient, base: &str) -> Result<StatsSnapshot, Failure> {
    let url = format!("{}/_sandbox/stats", base.trim_end_matches('/'));
    let response = http
        .reqwest()
        .get(url)
        .send()
        .await
        .map_err(|e| format!("stats: {e}"))?;
    let body = response.bytes().await.map_err(|e| format!("stats: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("stats: {e}"))
}

/// Requests and rejections of one vendor's endpoints between two snapshots.
fn delta(
    before: &StatsSnapshot,
    after: &StatsSnapshot,
    prefix: &str,
) -> (u64, BTreeMap<String, u64>) {
    let requests = after
        .requests
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| v - before.requests_to(k))
        .sum();
    let mut rejections = BTreeMap::new();
    for (endpoint, reasons) in after
        .rejections
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
    {
        for (reason, n) in reasons {
            let n = n - before.rejections_of(endpoint, reason);
            if n > 0 {
                *rejections.entry(reason.clone()).or_insert(0) += n;
            }
        }
    }
    (requests, rejections)
}

/// Rate-limit refusals in a stats snapshot (Tencent 190310–190313 and 9061, WeCom 45009/45033,
/// Quanshi 429).
fn rate_refusals(s: &StatsSnapshot) -> u64 {
    const CODES: [&str; 8] = [
        "190310", "190311", "190312", "190313", "9061", "45009", "45033", "429",
    ];
    s.rejections
        .values()
        .flat_map(|r| r.iter())
        .filter(|(code, _)| CODES.contains(&code.as_str()))
        .map(|(_, n)| n)
        .sum()
}

/// B7: `--workers` `roster sync` processes at once on one fresh PostgreSQL.
async fn scale_out(flags: &Flags<'_>) -> Result<Value, Failure> {
    let roster = flags.get("--roster")?.to_string();
    let workers: usize = flags.num("--workers")?;
    let from = flags.get("--from")?.to_string();
    let to = flags.get("--to")?.to_string();
    let vendor = flags.get("--vendor").unwrap_or("all").to_string();
    let base = need_env("ROSTER_TENCENT_BASE_URL")?;
    let http = HttpClient::new(HttpConfig::default()).map_err(|e| e.to_string())?;
    let cluster = roster_testkit::postgres::Cluster::start_durable()?;
    let before = stats(&http, &base).await?;
    let start = Instant::now();
    let children: Vec<_> = (0..workers)
        .map(|_| {
            std::process::Command::new(&roster)
                .args([
                    "sync", "--quiet", "--vendor", &vendor, "--from", &from, "--to", &to,
                ])
                .env("ROSTER_DB", cluster.url())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot start {roster}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output())
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let wall = start.elapsed().as_secs_f64();
    let after = stats(&http, &base).await?;
    let mut exported: BTreeMap<String, u64> = BTreeMap::new();
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for o in &outputs {
        let stderr = String::from_utf8_lossy(&o.stderr);
        if !o.status.success() {
            return Err(format!("a worker failed: {}", stderr.trim()));
        }
        // "roster: wecom: synced 40 meetings: 7 new, 0 updated, 0 unchanged, 0 failed, …"
        for line in stderr.lines().filter(|l| l.contains(": synced ")) {
            let vendor = line.split(": ").nth(1).unwrap_or("?").to_string();
            let n = |word: &str| -> u64 {
                line.split(", ")
                    .flat_map(|p| p.split(": "))
                    .find_map(|p| {
                        p.split_once(word)?
                            .0
                            .trim()
                            .rsplit(' ')
                            .next()?
                            .parse()
                            .ok()
                    })
                    .unwrap_or(0)
            };
            let total: u64 = line
                .split("synced ")
                .nth(1)
                .and_then(|r| r.split(' ').next()?.parse().ok())
                .unwrap_or(0);
            found.insert(vendor.clone(), total);
            *exported.entry(vendor).or_default() +=
                n(" new") + n(" updated") + n(" unchanged") + n(" failed");
        }
    }
    let duplicates: u64 = exported
        .iter()
        .map(|(v, n)| n.saturating_sub(found.get(v).copied().unwrap_or(0)))
        .sum();
    let missing: u64 = found
        .iter()
        .map(|(v, n)| n.saturating_sub(exported.get(v).copied().unwrap_or(0)))
        .sum();
    if missing > 0 {
        return Err(format!(
            "{missing} meetings were exported by no worker: {exported:?} of {found:?}"
        ));
    }
    let mut tokens = BTreeMap::new();
    for (v, n) in &after.tokens_issued {
        tokens.insert(
            v.clone(),
            n - before.tokens_issued.get(v).copied().unwrap_or(0),
        );
    }
    let (tencent_calls, _) = delta(&before, &after, "tencent.");
    Ok(json!({
        "workers": workers,
        "wall_s": wall,
        "found": found,
        "exported": exported,
        "duplicates": duplicates,
        "tokens": tokens,
        "refusals": rate_refusals(&after) - rate_refusals(&before),
        "tencent_calls": tencent_calls,
    }))
}

/// B6: the store alone. `--meetings` meetings of `--sessions` sessions each (people drawn from a
/// pool of 5,000, names in Chinese, one registration per ten sessions), each written with
/// `replace_meeting` (one transaction per meeting); the wall time of the writes only.
async fn store_write(flags: &Flags<'_>) -> Result<Value, Failure> {
    use roster_core::{Attendee, MeetingState, MeetingSummary, Registration, Vendor};
    use roster_store::{Store, SyncOutcome};
    let backend = flags.get("--backend")?;
    let meetings: usize = flags.num("--meetings")?;
    let sessions: usize = flags.num("--sessions")?;
    let dir = std::env::temp_dir().join(format!("roster-bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut cluster = None;
    let store: Box<dyn Store> = match backend {
        "sqlite" => Box::new(
            roster_store::SqliteStore::open(&dir.join("bench.db")).map_err(|e| e.to_string())?,
        ),
        "postgres" => {
            // A durable server (tests run theirs with fsync off).
            let c = roster_testkit::postgres::Cluster::start_durable()?;
            let store = roster_store::PgStore::connect(&c.url())
                .await
                .map_err(|e| e.to_string())?;
            cluster = Some(c);
            Box::new(store)
        }
        other => return Err(format!("unknown --backend {other:?} (sqlite or postgres)")),
    };
    let t0 = 1_760_000_000i64;
    let data: Vec<(MeetingSummary, Vec<Attendee>, Vec<Registration>)> = (0..meetings)
        .map(|m| {
            let id = format!("bench-{m}");
            let mut summary = MeetingSummary::new(Vendor::TencentMeeting, &id);
            summary.subject = Some(format!("培训课程 {m}"));
            summary.start = OffsetDateTime::from_unix_timestamp(t0 + m as i64 * 3_600).ok();
            summary.end = OffsetDateTime::from_unix_timestamp(t0 + m as i64 * 3_600 + 3_000).ok();
            summary.state = Some(MeetingState::Ended);
            let rows = (0..sessions)
                .map(|i| {
                    let person = (m * 7_919 + i * 31) % 5_000;
                    let mut a = Attendee::new(Vendor::TencentMeeting, &id);
                    a.user_id = Some(format!("u{person:06}"));
                    a.display_name = Some(format!("参会者 {person}"));
                    let join = t0 + m as i64 * 3_600 + (i % 600) as i64;
                    a.joined_at = OffsetDateTime::from_unix_timestamp(join).ok();
                    a.left_at = OffsetDateTime::from_unix_timestamp(join + 1_800).ok();
                    a
                })
                .collect();
            let registrations = (0..sessions / 10)
                .map(|i| {
                    let mut r = Registration::new(Vendor::TencentMeeting, &id);
                    r.display_name = Some(format!("报名 {i}"));
                    r.phone = Some(format!("1380000{:04}", i % 10_000));
                    r
                })
                .collect();
            (summary, rows, registrations)
        })
        .collect();
    let outcome = SyncOutcome::complete(t0);
    let start = Instant::now();
    for (summary, rows, registrations) in &data {
        store
            .replace_meeting(summary, rows, registrations, &outcome)
            .await
            .map_err(|e| e.to_string())?;
    }
    let wall = start.elapsed().as_secs_f64();
    let counts = store.counts().await.map_err(|e| e.to_string())?;
    drop(store);
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
    let written = (meetings * sessions) as u64;
    if counts.sessions != written {
        return Err(format!(
            "the store holds {} sessions, not {written}",
            counts.sessions
        ));
    }
    Ok(json!({
        "backend": backend,
        "meetings": meetings,
        "sessions": written,
        "wall_s": wall,
        "sessions_per_s": written as f64 / wall,
    }))
}

/// B3: one Tencent client (one shared pacer at `--rate` calls per minute) exports every meeting
/// of `--meetings` concurrently; wall time, calls made, and the sandbox's rate-limit refusals.
async fn pacing(flags: &Flags<'_>) -> Result<Value, Failure> {
    let meetings: Vec<String> = flags
        .get("--meetings")?
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let rate: u32 = flags.num("--rate")?;
    let page_size: u32 = flags.num("--page-size")?;
    let expected: u64 = flags.num("--expect-records")?;
    let base = need_env("ROSTER_TENCENT_BASE_URL")?;
    let client = tencent_builder()?
        .calls_per_minute(rate)
        .participants_page_size(page_size)
        .build()
        .map_err(|e| e.to_string())?;
    let http = HttpClient::new(HttpConfig::default()).map_err(|e| e.to_string())?;
    let before = stats(&http, &base).await?;

    let start = Instant::now();
    let tasks: Vec<_> = meetings
        .iter()
        .map(|id| {
            let client = client.clone();
            let query = MeetingQuery::new(id.clone());
            tokio::spawn(async move {
                let stream = client.attendees(&query).await?;
                let rows: Vec<_> = stream.try_collect().await?;
                Ok::<u64, roster_core::Error>(rows.len() as u64)
            })
        })
        .collect();
    let mut records = 0;
    for task in tasks {
        records += task
            .await
            .map_err(|e| format!("task: {e}"))?
            .map_err(|e| e.to_string())?;
    }
    let wall = start.elapsed();

    let after = stats(&http, &base).await?;
    let (calls, rejections) = delta(&before, &after, "tencent.");
    if records != expected {
        return Err(format!("exported {records} records, expected {expected}"));
    }
    Ok(json!({
        "meetings": meetings.len(),
        "records": records,
        "calls": calls,
        "rejections": rejections,
        "wall_s": wall.as_secs_f64(),
        "rate_per_minute": rate,
    }))
}

/// B4: one attendee query over the last `--days` days with `--concurrency` windows at once,
/// pacing off (the sandbox adds latency to every call).
async fn windows(flags: &Flags<'_>) -> Result<Value, Failure> {
    let vendor = flags.get("--vendor")?;
    let meeting = flags.get("--meeting")?.to_string();
    let days: i64 = flags.num("--days")?;
    let concurrency: usize = flags.num("--concurrency")?;
    let to = OffsetDateTime::now_utc();
    let from = to - time::Duration::days(days);
    let query = MeetingQuery::new(meeting).between(from, to);
    let (source, base, prefix): (Box<dyn AttendeeSource>, String, &str) = match vendor {
        "tencent" => (
            Box::new(
                tencent_builder()?
                    .calls_per_minute(0)
                    .window_concurrency(concurrency)
                    .build()
                    .map_err(|e| e.to_string())?,
            ) as Box<dyn AttendeeSource>,
            need_env("ROSTER_TENCENT_BASE_URL")?,
            "tencent.",
        ),
        "wecom" => {
            let config = WeComClientBuilder::from_lookup(env)
                .map_err(|e| e.to_string())?
                .pacer(roster_core::Pacer::unlimited())
                .window_concurrency(concurrency);
            (
                Box::new(config.build().map_err(|e| e.to_string())?),
                need_env("ROSTER_WECOM_BASE_URL")?,
                "wecom.",
            )
        }
        other => return Err(format!("unknown vendor {other:?}")),
    };
    let http = HttpClient::new(HttpConfig::default()).map_err(|e| e.to_string())?;
    let before = stats(&http, &base).await?;
    let start = Instant::now();
    let rows: Vec<_> = source
        .attendees(&query)
        .await
        .map_err(|e| e.to_string())?
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    let wall = start.elapsed();
    let after = stats(&http, &base).await?;
    let (calls, rejections) = delta(&before, &after, prefix);
    Ok(json!({
        "vendor": vendor,
        "concurrency": concurrency,
        "records": rows.len(),
        "calls": calls,
        "rejections": rejections,
        "wall_s": wall.as_secs_f64(),
    }))
}

/// Criterion-style measurement: iterations per sample calibrated to ≥ 20 ms, 15 samples, the
/// median (and the spread) in nanoseconds per iteration.
struct Measured {
    median_ns: f64,
    min_ns: f64,
    max_ns: f64,
    iters: u64,
    samples: usize,
}

const SAMPLES: usize = 15;
const SAMPLE_TIME: Duration = Duration::from_millis(20);

/// Measures `routine`, which runs `n` iterations (with any per-iteration input prepared by the
/// caller outside the timed part) and returns the time they took.
fn measure(mut routine: impl FnMut(u64) -> Duration) -> Measured {
    let mut iters = 1u64;
    // Calibration, which is also the warm-up.
    while routine(iters) < SAMPLE_TIME && iters < 1 << 30 {
        iters *= 2;
    }
    let mut per_iter: Vec<f64> = (0..SAMPLES)
        .map(|_| routine(iters).as_nanos() as f64 / iters as f64)
        .collect();
    per_iter.sort_by(f64::total_cmp);
    Measured {
        median_ns: per_iter[SAMPLES / 2],
        min_ns: per_iter[0],
        max_ns: per_iter[SAMPLES - 1],
        iters,
        samples: SAMPLES,
    }
}

/// Times `f` `n` times in a row.
fn timed<R>(n: u64, mut f: impl FnMut() -> R) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    start.elapsed()
}

fn row(name: &str, what: &str, m: &Measured) -> Value {
    json!({
        "name": name,
        "what": what,
        "median_ns": m.median_ns,
        "min_ns": m.min_ns,
        "max_ns": m.max_ns,
        "iters_per_sample": m.iters,
        "samples": m.samples,
    })
}

/// B5: signing one Tencent request, decoding one 100-participant page (as served by the
/// sandbox for `--meeting`), mapping it to `Attendee`s, and writing those as JSON Lines.
async fn micro(flags: &Flags<'_>) -> Result<Value, Failure> {
    let meeting = flags.get("--meeting")?.to_string();
    let base = need_env("ROSTER_TENCENT_BASE_URL")?;
    let credentials = Credentials::new(
        need_env("ROSTER_TENCENT_APP_ID")?,
        need_env("ROSTER_TENCENT_SECRET_ID")?,
        need_env("ROSTER_TENCENT_SECRET_KEY")?,
    );
    let credentials = match env("ROSTER_TENCENT_SDK_ID") {
        Some(sdk) => credentials.with_sdk_id(sdk),
        None => credentials,
    };
    let secret_id = need_env("ROSTER_TENCENT_SECRET_ID")?;
    let secret_key = need_env("ROSTER_TENCENT_SECRET_KEY")?;
    let operator = need_env("ROSTER_TENCENT_OPERATOR_ID")?;
    let auth = AkSkAuthenticator::new(credentials).map_err(|e| e.to_string())?;

    // One real page, fetched the way the client sends it.
    let target = format!("/v1/meetings/{meeting}/participants?userid={operator}&pos=0&size=100");
    let now = OffsetDateTime::now_utc();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("x-tc-registered", HeaderValue::from_static("1"));
    auth.authorize(&RequestToSign::new("GET", &target, "", now), &mut headers)
        .await
        .map_err(|e| e.to_string())?;
    let http = HttpClient::new(HttpConfig::default()).map_err(|e| e.to_string())?;
    let response = http
        .reqwest()
        .get(format!("{}{target}", base.trim_end_matches('/')))
        .headers(headers)
        .send()
        .await
        .map_err(|e| format!("page: {e}"))?;
    let status = response.status().as_u16();
    let response_headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| format!("page: {e}"))?;
    let raw = RawResponse {
        status,
        headers: response_headers,
        body,
    };
    if let Some(e) = response_error(&raw, now) {
        return Err(format!("page: {e}"));
    }
    let page: ParticipantsResponse =
        serde_json::from_slice(&raw.body).map_err(|e| format!("page: {e}"))?;
    let participants = page.participants.clone().unwrap_or_default();
    let n = participants.len();
    if n != 100 {
        return Err(format!("the page has {n} participants, not 100"));
    }

    let input = SignatureInput {
        method: "GET",
        secret_id: &secret_id,
        nonce: "8745183201467395642",
        timestamp: "1767225600",
        request_target: &format!("{target}&start_time=1767225600&end_time=1769903999"),
        body: "",
    };
    let signature_only = measure(|n| timed(n, || signature(black_box(&input), &secret_key)));
    let to_sign = RequestToSign::new("GET", input.request_target, "", now);
    let authorize = measure(|n| {
        timed(n, || {
            let mut h = HeaderMap::new();
            let r = futures::executor::block_on(auth.authorize(black_box(&to_sign), &mut h));
            (r.is_ok(), h)
        })
    });
    let decode = measure(|n| {
        timed(n, || {
            serde_json::from_slice::<ParticipantsResponse>(black_box(&raw.body))
                .map(|p| p.participants.map_or(0, |rows| rows.len()))
        })
    });
    let map = measure(|n| {
        // Inputs are cloned before the clock starts; outputs are dropped after it stops.
        let mut inputs: Vec<_> = (0..n).map(|_| participants.clone()).collect();
        let mut outputs = Vec::with_capacity(n as usize);
        let start = Instant::now();
        for rows in inputs.drain(..) {
            let mapped: Vec<_> = rows
                .into_iter()
                .map(|p| attendee_from_participant(p, &meeting, None))
                .collect();
            outputs.push(black_box(mapped));
        }
        let took = start.elapsed();
        drop(outputs);
        took
    });
    let attendees: Vec<_> = participants
        .iter()
        .cloned()
        .map(|p| attendee_from_participant(p, &meeting, None))
        .collect();
    let mut out = Vec::with_capacity(256 * 1024);
    let encode = measure(|n| {
        timed(n, || {
            out.clear();
            for a in &attendees {
                // What `roster attendees --format jsonl` writes per record.
                let _ = serde_json::to_writer(&mut out, black_box(a));
                out.push(b'\n');
            }
            out.len()
        })
    });
    let per_attendee_ns = (decode.median_ns + map.median_ns + encode.median_ns) / n as f64;
    Ok(json!({
        "page_bytes": raw.body.len(),
        "participants": n,
        "rows": [
            row("sign", "Tencent signature(): string to sign, HMAC-SHA256, hex, Base64", &signature_only),
            row("authorize", "AkSkAuthenticator::authorize: nonce, timestamp, signature, 6 headers", &authorize),
            row("decode", "serde_json → ParticipantsResponse, 100 participants (the client's one parse of a 200 page; error_info is read from its extra)", &decode),
            row("map", "100 × attendee_from_participant", &map),
            row("encode", "100 Attendees → JSON Lines (serde_json::to_writer)", &encode),
        ],
        "page_pipeline_ns_per_attendee": per_attendee_ns,
    }))
}

/// Clock ticks a second (`getconf CLK_TCK`; 100 where it cannot be asked).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// User and system CPU seconds of a process so far (`/proc/<pid>/stat` fields 14 and 15).
fn process_cpu_s(pid: u32, ticks: f64) -> Result<(f64, f64), Failure> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("cannot read the receiver's /proc stat: {e}"))?;
    // The fields after the command name (which may hold spaces) in its parentheses.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| -> Result<f64, Failure> {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| "bad /proc stat".to_string())
    };
    // utime and stime are fields 14 and 15; `rest` starts at field 3.
    Ok((tick(11)? / ticks, tick(12)? / ticks))
}

/// B8: a `roster listen` process receives one meeting's pushed events at a steady rate.
async fn webhooks(flags: &Flags<'_>) -> Result<Value, Failure> {
    use roster_sandbox::{AttemptOutcome, PushKind, PushOptions, PushTarget, Vendor};
    const TOKEN: &str = "bVPU6F8Htxl5XkAbp3jGV2xWp";
    const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    let roster = flags.get("--roster")?.to_string();
    let sessions: usize = flags.num("--sessions")?;
    let rate: f64 = flags.num("--rate")?;
    let sandbox = roster_sandbox::Sandbox::start(roster_sandbox::SandboxConfig {
        data: roster_sandbox::DataConfig {
            seed_meetings: false,
            small_meetings: 0,
            large_meetings: vec![sessions],
            ..roster_sandbox::DataConfig::default()
        },
        ..roster_sandbox::SandboxConfig::default()
    })
    .await
    .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let meeting = sandbox
        .catalog()
        .by_label(Vendor::Tencent, &format!("large-{sessions}"))
        .ok_or("no large meeting in the sandbox")?
        .id
        .clone();
    let dir = std::env::temp_dir().join(format!("roster-b8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let db = dir.join("push.db");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut child = std::process::Command::new(&roster)
        .args([
            "listen",
            "--no-reconcile",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env_clear()
        .env("ROSTER_TENCENT_WEBHOOK_TOKEN", TOKEN)
        .env("ROSTER_TENCENT_WEBHOOK_AES_KEY", KEY)
        .env("ROSTER_DB", format!("sqlite:{}", db.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {roster}: {e}"))?;
    let pid = child.id();
    let mut stderr = std::io::BufReader::new(child.stderr.take().ok_or("no stderr")?);
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        if std::io::BufRead::read_line(&mut stderr, &mut line).map_err(|e| e.to_string())? == 0 {
            return Err("roster listen exited before listening".into());
        }
    }
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let ticks = clock_ticks();
    let cpu_before = process_cpu_s(pid, ticks)?;
    let pusher = sandbox
        .pusher(
            PushTarget {
                url: format!("http://127.0.0.1:{port}/tencent-meeting/default"),
                vendor: Vendor::Tencent,
                token: TOKEN.into(),
                aes_key: Some(KEY.into()),
                corp_id: String::new(),
            },
            PushOptions {
                seed: 8,
                events_per_second: Some(rate),
                concurrency: 64,
                ..PushOptions::default()
            },
        )
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let report = pusher
        .push_meeting(&meeting)
        .await
        .map_err(|e| e.to_string())?;
    let wall = started.elapsed().as_secs_f64();
    let cpu_after = process_cpu_s(pid, ticks)?;
    let (user, sys) = (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1);
    let cpu = user + sys;
    let _ = child.kill();
    let _ = child.wait();
    sandbox.shutdown().await;

    let events = report.events.len();
    let mut latencies: Vec<f64> = report
        .events
        .iter()
        .flat_map(|e| e.attempts.iter())
        .filter(|a| a.outcome == AttemptOutcome::Acknowledged)
        .map(|a| a.latency.as_secs_f64() * 1000.0)
        .collect();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let unacknowledged = report.events.iter().filter(|e| !e.acknowledged).count();
    let retried = report
        .events
        .iter()
        .filter(|e| e.attempts.len() > 1)
        .count();
    // Exactly once: the multiset of (join or leave, person, time) sent against the stored one.
    let mut sent: BTreeMap<(bool, String, i64), i64> = BTreeMap::new();
    for e in &report.events {
        if matches!(e.kind, PushKind::Join | PushKind::Leave) {
            let key = (
                e.kind == PushKind::Join,
                e.temp_id.clone().unwrap_or_default(),
                e.at_ms,
            );
            *sent.entry(key).or_default() += 1;
        }
    }
    let store = roster_store::SqliteStore::open(&db).map_err(|e| e.to_string())?;
    for p in roster_store::Store::presence(&store, None, None)
        .await
        .map_err(|e| e.to_string())?
    {
        let key = (
            p.joined,
            p.temp_id.unwrap_or_default(),
            p.at_us.unwrap_or(0) / 1_000,
        );
        *sent.entry(key).or_default() -= 1;
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    // Positive: sent but not stored; negative: stored more often than sent.
    let missing: i64 = sent.values().filter(|n| **n > 0).sum();
    let extra: i64 = -sent.values().filter(|n| **n < 0).sum::<i64>();
    let lost = unacknowledged as i64 + missing;
    let duplicated = extra;
    Ok(json!({
        "events": events,
        "wall_s": wall,
        "events_per_s": events as f64 / wall,
        "ack_p50_ms": pct(0.50),
        "ack_p99_ms": pct(0.99),
        "ack_max_ms": pct(1.0),
        "retried": retried,
        "lost": lost,
        "duplicated": duplicated,
        "receiver_cpu_s": cpu,
        "receiver_user_s": user,
        "receiver_sys_s": sys,
        "cpu_per_event_us": cpu / events as f64 * 1e6,
    }))
}
