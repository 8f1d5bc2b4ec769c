//! The receiver's reconciler on a clock the test sets: a meeting without its end event is due
//! only once quiet for the quiet period; its pulled list (from the sandbox) is then the stored
//! truth, with the pushed sessions marked live and the rest pull-only; a vendor error is
//! recorded and retried after its wait; an app without API credentials is noted, not retried
//! at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use roster_cli::config::Settings;
use roster_cli::listen::reconcile::{MAX_RETRY_AFTER, RETRY_AFTER, Reconciler, Timing};
use roster_cli::listen::{Clock, DEFAULT_APP};
use roster_cli::vendors::{Shared, client};
use roster_core::Vendor as CoreVendor;
use roster_core::webhook::{PresenceChange, PresenceKind};
use roster_sandbox::{Fault, SandboxConfig, Vendor};
use roster_store::{PushMeeting, PushRecord, Seen, SqliteStore, Store};

const MIN: i64 = 60_000_000;

fn clock_at(now: &Arc<AtomicI64>) -> Clock {
    let now = now.clone();
    Arc::new(move || now.load(Ordering::SeqCst))
}

/// A pushed join of `row` (a Tencent participants row) received at `at_us`.
async fn push_join(store: &dyn Store, meeting: &str, row: &serde_json::Value, at_us: i64) {
    let s = |k: &str| row.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let join: i64 = s("join_time").unwrap().parse().unwrap();
    let change = PresenceChange {
        vendor: CoreVendor::TencentMeeting,
        meeting_id: meeting.into(),
        kind: PresenceKind::Joined,
        at: time::OffsetDateTime::from_unix_timestamp(join).ok(),
        user_id: s("userid"),
        temp_id: s("ms_open_id"),
        display_name: None,
        phone: None,
        instance_id: None,
    };
    let delivery = format!("join-{}", s("ms_open_id").unwrap());
    store
        .record_push(&PushRecord {
            vendor: CoreVendor::TencentMeeting,
            app: DEFAULT_APP,
            delivery: &delivery,
            received_us: at_us,
            body: "{}",
            changes: &[change],
            meetings: &[PushMeeting {
                meeting_id: meeting,
                ..PushMeeting::default()
            }],
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_meetings_are_reconciled_on_the_injected_clock() {
    let sandbox = roster_testkit::start(SandboxConfig::default()).await;
    let meeting = roster_testkit::meeting(&sandbox, Vendor::Tencent, "seed-oneoff").id;
    let truth = sandbox.truth().tencent_participants(&meeting, None, None);
    assert!(truth.len() > 4);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let settings = Settings::from_values(roster_cli::sandbox::env_vars(&sandbox));
    let mut clients = HashMap::new();
    clients.insert(
        (CoreVendor::TencentMeeting, DEFAULT_APP.to_string()),
        client(CoreVendor::TencentMeeting, &settings, &Shared::default()).unwrap(),
    );
    let now = Arc::new(AtomicI64::new(100 * MIN));
    let timing = Timing {
        quiet: Duration::from_secs(15 * 60),
        settle: Duration::from_secs(60),
    };
    let reconciler = Reconciler::new(store.clone(), clients, timing, clock_at(&now));

    // Half the people's joins were pushed; the last push at 100 min.
    for (i, row) in truth.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        push_join(store.as_ref(), &meeting, row, 100 * MIN - i as i64).await;
    }
    now.store(114 * MIN, Ordering::SeqCst);
    assert_eq!(reconciler.run_due().await.unwrap(), 0, "not quiet yet");
    assert!(
        store
            .sessions(CoreVendor::TencentMeeting, &meeting, None)
            .await
            .unwrap()
            .is_empty()
    );
    now.store(115 * MIN, Ordering::SeqCst);
    assert_eq!(reconciler.run_due().await.unwrap(), 1);
    let m = store
        .live_meeting(CoreVendor::TencentMeeting, &meeting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.reconciled_us, m.ended_us),
        (Some(115 * MIN), Some(115 * MIN))
    );
    assert!(!m.ended_by_event);
    let sessions = store
        .reconciled_sessions(CoreVendor::TencentMeeting, &meeting)
        .await
        .unwrap();
    assert_eq!(sessions.len(), truth.len(), "the pulled list is stored");
    let live = sessions.iter().filter(|s| s.seen == Seen::Live).count();
    let pull_only = sessions.iter().filter(|s| s.seen == Seen::PullOnly).count();
    assert_eq!(live, truth.len().div_ceil(2));
    assert_eq!(live + pull_only, truth.len());
    // Done: not due again.
    now.store(300 * MIN, Ordering::SeqCst);
    assert_eq!(reconciler.run_due().await.unwrap(), 0);

    // The vendor refuses (a code never retried): recorded, retried only after the wait.
    sandbox
        .faults()
        .inject("tencent.participants", Fault::VendorCode(9042), 1);
    push_join(store.as_ref(), &meeting, &truth[1], 300 * MIN).await;
    now.store(316 * MIN, Ordering::SeqCst);
    assert_eq!(reconciler.run_due().await.unwrap(), 0);
    let m = store
        .live_meeting(CoreVendor::TencentMeeting, &meeting)
        .await
        .unwrap()
        .unwrap();
    assert!(m.error.is_some() && m.reconciled_us.is_none());
    // The wait grows with the time since the end (here 16 minutes), at least a minute.
    let wait = 16 * MIN;
    assert!(wait >= i64::try_from(RETRY_AFTER.as_micros()).unwrap());
    assert_eq!(m.retry_after_us, Some(316 * MIN + wait));
    // The stored sessions were kept through the failure.
    assert_eq!(
        store
            .sessions(CoreVendor::TencentMeeting, &meeting, None)
            .await
            .unwrap()
            .len(),
        truth.len()
    );

    // An app without API credentials: noted, and left alone for a long while.
    let alone = Reconciler::new(store.clone(), HashMap::new(), timing, clock_at(&now));
    now.store(316 * MIN + wait, Ordering::SeqCst);
    assert_eq!(alone.run_due().await.unwrap(), 0);
    let m = store
        .live_meeting(CoreVendor::TencentMeeting, &meeting)
        .await
        .unwrap()
        .unwrap();
    assert!(m.error.unwrap().contains("no API credentials"));
    let long = i64::try_from(MAX_RETRY_AFTER.as_micros()).unwrap();
    assert_eq!(m.retry_after_us, Some(316 * MIN + wait + long));
    sandbox.shutdown().await;
}
