//! End to end: the sandbox pushes two meetings' events (Tencent Meeting encrypted, WeCom) to a
//! `roster listen` process, with 10 % of deliveries duplicated, 10 % dropped on their first
//! try (then retried), 5 % reordered, and the receiver killed with SIGKILL in the middle of the
//! stream and started again on the same port. Afterwards: every event was acknowledged, the
//! store holds each join and leave exactly once, every meeting was reconciled, its sessions
//! equal the sandbox's ground truth exactly, and every session whose join was acknowledged
//! before the meeting's end was sent is marked live.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command};
use std::time::Duration;

mod common;

use roster_sandbox::{
    DataConfig, PushFaults, PushKind, PushOptions, PushReport, PushTarget, SandboxConfig,
    SandboxHandle, Vendor,
};
use roster_store::{Seen, SqliteStore, Store};
use serde_json::Value;

const TENCENT_TOKEN: &str = "bVPU6F8Htxl5XkAbp3jGV2xWp";
const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const WECOM_TOKEN: &str = "QDG6eK";

/// Starts `roster listen` on `port`; returns once it listens, with its logs drained.
fn start_receiver(env: &[(String, String)], port: u16, dir: &std::path::Path) -> Child {
    let listen = format!("127.0.0.1:{port}");
    common::spawn_listen(&["--settle-after", "0", "--listen", &listen], env, dir).child
}

/// A free loopback port (bound and released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn options(seed: u64) -> PushOptions {
    PushOptions {
        seed,
        // The vendors' 1, 3 and 6 minutes become 0.2, 0.6 and 1.2 s: the receiver is back
        // well within them.
        retry_unit: Duration::from_millis(200),
        ack_deadline: Duration::from_secs(3),
        events_per_second: Some(400.0),
        concurrency: 4,
        verify: true,
        faults: PushFaults {
            drop_first: 0.10,
            duplicate: 0.10,
            reorder: 0.05,
            ..PushFaults::default()
        },
    }
}

/// The identity and times of a ground-truth row (`temp` the per-meeting id field).
fn row_key(row: &Value, temp: &str, left: &str) -> (String, i64, Option<i64>) {
    let s = |k: &str| row.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let n = |k: &str| s(k).parse::<i64>().ok();
    (s(temp), n("join_time").unwrap(), n(left))
}

/// Checks one meeting after the run.
async fn check_meeting(
    store: &dyn Store,
    vendor: roster_core::Vendor,
    meeting: &str,
    truth: &[Value],
    (temp, left): (&str, &str),
    report: &PushReport,
) {
    // Every event was acknowledged, and the store holds each join and leave once.
    assert!(report.verified);
    assert!(
        report.events.iter().all(|e| e.acknowledged),
        "{vendor}: an event was never acknowledged"
    );
    let faults = |f: &dyn Fn(&roster_sandbox::Attempt) -> bool| {
        report
            .events
            .iter()
            .filter(|e| e.attempts.iter().any(f))
            .count()
    };
    assert!(
        faults(&|a| a.duplicate) > 0,
        "{vendor}: no duplicate was sent"
    );
    assert!(
        faults(&|a| a.outcome == roster_sandbox::AttemptOutcome::Dropped) > 0,
        "{vendor}: no delivery was dropped"
    );
    let changes = report
        .events
        .iter()
        .filter(|e| matches!(e.kind, PushKind::Join | PushKind::Leave))
        .count();
    let presence = store.presence(Some(vendor), Some(meeting)).await.unwrap();
    assert_eq!(presence.len(), changes, "{vendor}: joins and leaves stored");
    // Exactly once each: the same multiset of (join or leave, person, time) as was sent.
    let mut sent: Vec<(bool, String, i64)> = report
        .events
        .iter()
        .filter(|e| matches!(e.kind, PushKind::Join | PushKind::Leave))
        .map(|e| {
            (
                e.kind == PushKind::Join,
                e.temp_id.clone().unwrap_or_default(),
                e.at_ms,
            )
        })
        .collect();
    let mut kept: Vec<(bool, String, i64)> = presence
        .iter()
        .map(|p| {
            (
                p.joined,
                p.temp_id.clone().unwrap_or_default(),
                p.at_us.unwrap() / 1_000,
            )
        })
        .collect();
    sent.sort();
    kept.sort();
    assert_eq!(kept, sent, "{vendor}: each join and leave stored once");

    // Reconciled: the stored sessions are the ground truth.
    let live = store.live_meeting(vendor, meeting).await.unwrap().unwrap();
    assert!(live.reconciled_us.is_some(), "{vendor}: not reconciled");
    assert!(live.ended_by_event);
    let sessions = store.reconciled_sessions(vendor, meeting).await.unwrap();
    let stored: HashSet<(String, i64, Option<i64>)> = sessions
        .iter()
        .map(|r| {
            (
                r.session.temp_id.clone().unwrap_or_default(),
                r.session.joined_at.unwrap().unix_timestamp(),
                r.session.left_at.map(|t| t.unix_timestamp()),
            )
        })
        .collect();
    let expected: HashSet<_> = truth.iter().map(|r| row_key(r, temp, left)).collect();
    assert_eq!(sessions.len(), truth.len(), "{vendor}: session count");
    assert_eq!(stored, expected, "{vendor}: sessions differ from the truth");

    // Seen live: every session whose join was acknowledged before the end was first sent.
    let end_sent = report
        .events
        .iter()
        .find(|e| e.kind == PushKind::MeetingEnd)
        .and_then(|e| e.attempts.first())
        .map(|a| a.at)
        .unwrap();
    let acked_before_end: HashMap<(String, i64), bool> = report
        .events
        .iter()
        .filter(|e| e.kind == PushKind::Join)
        .map(|e| {
            let acked = e
                .attempts
                .iter()
                .find(|a| a.outcome == roster_sandbox::AttemptOutcome::Acknowledged)
                .map(|a| a.at + a.latency)
                .unwrap();
            (
                (e.temp_id.clone().unwrap_or_default(), e.at_ms / 1000),
                acked < end_sent,
            )
        })
        .collect();
    let mut live_count = 0;
    for r in &sessions {
        let key = (
            r.session.temp_id.clone().unwrap_or_default(),
            r.session.joined_at.unwrap().unix_timestamp(),
        );
        let before_end = acked_before_end.get(&key).copied();
        assert!(before_end.is_some(), "{vendor}: a session without its join");
        assert_ne!(r.seen, Seen::PullOnly, "{vendor}: every join was pushed");
        if before_end == Some(true) {
            assert_eq!(r.seen, Seen::Live, "{vendor}: {key:?}");
            live_count += 1;
        }
    }
    assert!(live_count > truth.len() / 2, "{vendor}: {live_count} live");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_with_faults_and_a_killed_receiver_end_as_the_ground_truth() {
    let sandbox: SandboxHandle = roster_testkit::start(SandboxConfig {
        data: DataConfig {
            large_meetings: vec![300],
            ..DataConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let tencent_meeting = roster_testkit::meeting(&sandbox, Vendor::Tencent, "large-300").id;
    let wecom_meeting = roster_testkit::meeting(&sandbox, Vendor::WeCom, "large-300").id;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("push.db");
    let mut env = roster_cli::sandbox::env_vars(&sandbox);
    env.extend([
        ("ROSTER_TENCENT_WEBHOOK_TOKEN".into(), TENCENT_TOKEN.into()),
        ("ROSTER_TENCENT_WEBHOOK_AES_KEY".into(), AES_KEY.into()),
        ("ROSTER_WECOM_CALLBACK_TOKEN".into(), WECOM_TOKEN.into()),
        ("ROSTER_WECOM_CALLBACK_AES_KEY".into(), AES_KEY.into()),
        ("ROSTER_DB".into(), format!("sqlite:{}", db.display())),
    ]);
    // Callbacks carry the corp's id, the one the API client uses too.
    let corp_id = env
        .iter()
        .find(|(k, _)| k == "ROSTER_WECOM_CORP_ID")
        .map(|(_, v)| v.clone())
        .unwrap();
    let port = free_port();
    let mut receiver = start_receiver(&env, port, dir.path());

    let base = format!("http://127.0.0.1:{port}");
    let tencent = sandbox
        .pusher(
            PushTarget {
                url: format!("{base}/tencent-meeting/default"),
                vendor: Vendor::Tencent,
                token: TENCENT_TOKEN.into(),
                aes_key: Some(AES_KEY.into()),
                corp_id: String::new(),
            },
            options(1),
        )
        .unwrap();
    let wecom = sandbox
        .pusher(
            PushTarget {
                url: format!("{base}/wecom/default"),
                vendor: Vendor::WeCom,
                token: WECOM_TOKEN.into(),
                aes_key: Some(AES_KEY.into()),
                corp_id: corp_id.clone(),
            },
            options(2),
        )
        .unwrap();
    let (tencent_progress, wecom_progress) = (tencent.progress(), wecom.progress());
    let pushes = {
        let (t, w) = (tencent_meeting.clone(), wecom_meeting.clone());
        tokio::spawn(async move { tokio::join!(tencent.push_meeting(&t), wecom.push_meeting(&w)) })
    };

    // Mid-stream: SIGKILL, then the receiver starts again on the same port.
    let started = std::time::Instant::now();
    while tencent_progress.acknowledged() < 150 || wecom_progress.acknowledged() < 150 {
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    receiver.kill().unwrap();
    receiver.wait().unwrap();
    let mut receiver = start_receiver(&env, port, dir.path());

    let (tencent_report, wecom_report) = pushes.await.unwrap();
    let (tencent_report, wecom_report) = (tencent_report.unwrap(), wecom_report.unwrap());
    assert!(
        tencent_progress.failures() > 0,
        "the kill failed no delivery"
    );

    // The end events wake the reconciler: wait until both meetings are reconciled.
    let store = SqliteStore::open(&db).unwrap();
    let started = std::time::Instant::now();
    loop {
        let mut done = 0;
        for (vendor, id) in [
            (roster_core::Vendor::TencentMeeting, &tencent_meeting),
            (roster_core::Vendor::WeCom, &wecom_meeting),
        ] {
            if let Some(m) = store.live_meeting(vendor, id).await.unwrap()
                && m.reconciled_us.is_some()
            {
                done += 1;
            }
        }
        if done == 2 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not reconciled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    receiver.kill().unwrap();
    receiver.wait().unwrap();

    let truth = sandbox.truth();
    check_meeting(
        &store,
        roster_core::Vendor::TencentMeeting,
        &tencent_meeting,
        &truth.tencent_participants(&tencent_meeting, None, None),
        ("ms_open_id", "left_time"),
        &tencent_report,
    )
    .await;
    check_meeting(
        &store,
        roster_core::Vendor::WeCom,
        &wecom_meeting,
        &truth.wecom_attendees(&wecom_meeting, None, None),
        ("tmp_openid", "quit_time"),
        &wecom_report,
    )
    .await;
    // `roster live --seen` shows the marks.
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args([
            "live",
            "--seen",
            "--meeting",
            &tencent_meeting,
            "--format",
            "csv",
        ])
        .env_clear()
        .env("ROSTER_DB", format!("sqlite:{}", db.display()))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("vendor,meeting_id,user_id,temp_id,display_name,joined_at,left_at,seen")
    );
    let marks: Vec<&str> = lines.map(|l| l.rsplit(',').next().unwrap()).collect();
    let stored = store
        .reconciled_sessions(roster_core::Vendor::TencentMeeting, &tencent_meeting)
        .await
        .unwrap();
    assert_eq!(marks.len(), stored.len());
    assert_eq!(
        marks.iter().filter(|m| **m == "live").count(),
        stored.iter().filter(|s| s.seen == Seen::Live).count()
    );

    // Breakout moves were sent and opened or closed nothing.
    assert!(
        tencent_report
            .events
            .iter()
            .any(|e| e.kind == PushKind::BreakoutMove)
    );
    sandbox.shutdown().await;
}
