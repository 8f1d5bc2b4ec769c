//! Heavy faults: at 30 % injected transient faults (HTTP 5xx, dropped connections, cut bodies,
//! vendor "busy" codes) on every call, ten exports of a 20,000-session meeting per vendor each
//! end with every session exactly once (record by record against the sandbox's ground truth),
//! with at most one resume each — as a nightly job would run them: the client's default retry
//! count (8 per call; backoffs shortened to milliseconds), and an export that fails anyway
//! continued from its last saved position (serialised and read back, as the CLI's checkpoint
//! does), or started over where the vendor gives no position (Quanshi: one report call).
//! With three retries per call instead, the same faults break exports, and their resumes are
//! checked to deliver every record exactly once too.

use futures::StreamExt;

use roster_core::{Attendee, AttendeeSource, ExportPosition, MeetingQuery, Resumable, RetryPolicy};
use roster_sandbox::{FaultKind, SandboxConfig, Vendor};
use roster_tests::*;

const SESSIONS: usize = 20_000;
const EXPORTS: usize = 10;
const RATE: f64 = 0.30;

fn config(seed: u64) -> SandboxConfig {
    let mut c = sandbox_config(seed);
    c.data.large_meetings = vec![SESSIONS];
    c.faults.rate = RATE;
    c.faults.kinds = FaultKind::TRANSIENT
        .into_iter()
        .filter(|k| *k != FaultKind::Latency)
        .collect();
    c
}

/// The client's default retry count with millisecond backoffs.
fn options() -> ClientOptions {
    ClientOptions::fast().policy(fast_policy().with_max_retries(RetryPolicy::default().max_retries))
}

/// One export to the end: records are kept at each position; after a failure the export
/// continues from the last position (or starts over without one). Returns the records and the
/// number of resumes.
async fn export(source: &dyn AttendeeSource, query: &MeetingQuery) -> (Vec<Attendee>, usize) {
    let (mut kept, mut position, mut resumes) = (Vec::new(), None::<ExportPosition>, 0);
    loop {
        let mut stream = source
            .attendees_from(query, position.as_ref())
            .await
            .expect("the export starts");
        let mut pending = Vec::new();
        let mut failed = None;
        while let Some(item) = stream.next().await {
            match item {
                Ok(Resumable::Record(a)) => pending.push(a),
                Ok(Resumable::Position(p)) => {
                    kept.append(&mut pending);
                    let saved = serde_json::to_string(&p).unwrap();
                    position = Some(serde_json::from_str(&saved).unwrap());
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let Some(e) = failed else {
            kept.append(&mut pending);
            return (kept, resumes);
        };
        resumes += 1;
        assert!(resumes <= 3, "still failing after {resumes} resumes: {e}");
    }
}

async fn ten_exports(vendor: Vendor, seed: u64) {
    let sb = start(config(seed)).await;
    let o = options();
    let source = source(vendor, &sb, &o);
    let m = meeting(&sb, vendor, &format!("large-{SESSIONS}"));
    let truth = match vendor {
        Vendor::WeCom => sb.truth().wecom_attendees(&m.id, None, None),
        Vendor::Tencent => sb.truth().tencent_participants(&m.id, None, None),
        Vendor::Quanshi => sb.truth().quanshi_sessions(&m.id),
    };
    assert_eq!(truth.len(), SESSIONS);
    let mut resumes = Vec::new();
    for i in 0..EXPORTS {
        let (got, n) = export(source.as_ref(), &MeetingQuery::new(&m.id)).await;
        assert_same_records(
            &format!("{vendor:?} export {i}"),
            got.iter().map(session_key),
            truth.iter().map(|r| truth_session_key(vendor, r)),
        );
        resumes.push(n);
    }
    assert!(
        resumes.iter().all(|n| *n <= 1),
        "{vendor:?}: resumes per export {resumes:?}"
    );
    if vendor != Vendor::Quanshi {
        // With three retries per call (the old default) the same faults break exports: the
        // resumes they need still deliver every record exactly once.
        let o = ClientOptions::fast().policy(fast_policy().with_max_retries(3));
        let fragile = roster_tests::source(vendor, &sb, &o);
        let mut resumed = 0;
        for i in 0..5 {
            let (got, n) = export(fragile.as_ref(), &MeetingQuery::new(&m.id)).await;
            assert_same_records(
                &format!("{vendor:?} fragile export {i}"),
                got.iter().map(session_key),
                truth.iter().map(|r| truth_session_key(vendor, r)),
            );
            resumed += n;
            if resumed >= 2 {
                break;
            }
        }
        assert!(resumed >= 2, "{vendor:?}: the resume path was exercised");
    }
    let stats = sb.stats();
    let faults: u64 = stats.faults.values().sum();
    let requests = stats.total_requests();
    assert!(
        faults * 4 >= requests,
        "{vendor:?}: {faults} faults in {requests} calls is not a 30 % rate"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_exports_finish_under_heavy_faults() {
    ten_exports(Vendor::Tencent, 7).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wecom_exports_finish_under_heavy_faults() {
    ten_exports(Vendor::WeCom, 7).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quanshi_exports_finish_under_heavy_faults() {
    ten_exports(Vendor::Quanshi, 7).await;
}
