//! With 10 % random faults of every kind the sandbox offers (HTTP 5xx, dropped
//! connections, truncated bodies, vendor transient codes, rate-limit answers, latency, stalls
//! past the client's request timeout and, for WeCom and Quanshi, token revocation) on every
//! endpoint, plus one scripted fault of each kind mid-export so that none can be missing (and
//! every response-shape quirk on a few calls, overlapping them), whole
//! exports through `AttendeeSource` (and the paginated lists behind them) deliver every record
//! exactly once, compared with the sandbox's ground truth as multisets of per-record
//! identities, for several seeds — with windows fetched one after another and at once.

use std::collections::BTreeMap;

use futures::StreamExt;

use roster_core::{AttendeeSource, MeetingQuery, RegistrationFilter};
use roster_sandbox::{Fault, Quirk, SandboxConfig, SandboxHandle, Vendor};
use roster_tests::*;

/// Seeds of data and of the random faults (a sequential client sees the same faults per seed).
const SEEDS: [u64; 3] = [11, 42, 2026];

/// The random fault rate.
const RATE: f64 = 0.10;

fn faulty_config(seed: u64, vendor: Vendor) -> SandboxConfig {
    let mut c = sandbox_config(seed);
    // 1,200 sessions: 24 pages of 50 for WeCom and Tencent, one large v2 report for Quanshi.
    c.data.large_meetings = vec![1200];
    c.faults.rate = RATE;
    c.faults.kinds = fault_kinds(vendor);
    c
}

/// Every response-shape quirk of the sandbox (each vendor applies its own and ignores the
/// others).
const QUIRKS: [Quirk; 6] = [
    Quirk::FlipTypes,
    Quirk::OmitTotalCount,
    Quirk::UpperCaseIp,
    Quirk::OmitSuccessCode,
    Quirk::ResultAsString,
    Quirk::StatusTypo,
];

/// One fault of every kind on the vendor's calls, spread over the export (every other call
/// from the second on), and each quirk on three calls, overlapping the faults; returns how
/// many disruptive faults were scripted.
fn script_every_kind(sb: &SandboxHandle, vendor: Vendor) -> u64 {
    let kinds = fault_kinds(vendor);
    let pattern = vendor_pattern(vendor);
    for (i, kind) in kinds.iter().enumerate() {
        sb.faults()
            .inject_after(&pattern, 1 + 2 * i as u64, fault_of(*kind), 1);
    }
    for (i, quirk) in QUIRKS.iter().enumerate() {
        sb.faults()
            .inject_after(&pattern, 3 * i as u64, Fault::Quirk(*quirk), 3);
    }
    kinds.len() as u64
}

/// Checks that every scripted fault fired, every kind happened and random faults came on top;
/// returns the number of random faults.
fn check_faults(sb: &SandboxHandle, vendor: Vendor, scripted: u64) -> u64 {
    assert!(
        sb.faults().pending().is_empty(),
        "{vendor:?}: scripted faults left unfired (the export was shorter than planned): {:?}",
        sb.faults().pending()
    );
    let stats = sb.stats();
    for kind in fault_kinds(vendor) {
        let key = fault_stats_key(kind);
        assert!(
            stats.faults_of(&key) > 0,
            "{vendor:?}: no {key} fault happened: {:?}",
            stats.faults
        );
    }
    for quirk in QUIRKS {
        let key = Fault::Quirk(quirk).stats_key();
        assert_eq!(stats.faults_of(&key), 3, "{vendor:?}: {key}");
    }
    let total: u64 = stats
        .faults
        .iter()
        .filter(|(k, _)| !k.starts_with("quirk:"))
        .map(|(_, n)| n)
        .sum();
    assert!(total >= scripted, "{:?}", stats.faults);
    total - scripted
}

fn truth_sessions(vendor: Vendor, rows: &[serde_json::Value]) -> Vec<SessionKey> {
    rows.iter().map(|r| truth_session_key(vendor, r)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wecom_exports_are_exactly_once_under_every_fault() {
    let vendor = Vendor::WeCom;
    let mut random = BTreeMap::new();
    for seed in SEEDS {
        let sb = start(faulty_config(seed, vendor)).await;
        let scripted = script_every_kind(&sb, vendor);
        let client = wecom_config(&sb, &ClientOptions::patient().short_timeout())
            .attendee_page_size(50)
            .enroll_page_size(20)
            .build()
            .unwrap();
        let source: &dyn AttendeeSource = &client;

        // A 1,200-session meeting (24 pages) and a 79-day one (three 31-day windows).
        for label in ["large-1200", "seed-long-running"] {
            let m = meeting(&sb, vendor, label);
            let got = export_attendees(source, &MeetingQuery::new(&m.id)).await;
            let truth = sb.truth().wecom_attendees(&m.id, None, None);
            assert!(truth.len() >= 400, "{label}: {} rows", truth.len());
            assert_same_records(
                &format!("WeCom {label} seed {seed}"),
                got.iter().map(session_key),
                truth_sessions(vendor, &truth),
            );
        }
        // The three windows of the 79-day meeting fetched at once (faults now land in a
        // varying order).
        let concurrent = wecom_config(&sb, &ClientOptions::patient().short_timeout())
            .attendee_page_size(20)
            .window_concurrency(3)
            .build()
            .unwrap();
        let m = meeting(&sb, vendor, "seed-long-running");
        let got = export_attendees(&concurrent, &MeetingQuery::new(&m.id)).await;
        assert_same_records(
            &format!("WeCom concurrent windows seed {seed}"),
            got.iter().map(session_key),
            truth_sessions(vendor, &sb.truth().wecom_attendees(&m.id, None, None)),
        );
        // 120 enrollments, 6 pages of 20.
        let webinar = meeting(&sb, vendor, "seed-webinar");
        let got = export_registrations(source, &MeetingQuery::new(&webinar.id)).await;
        let truth = sb.truth().wecom_webinar_enrollments(&webinar.id, None);
        assert_eq!(truth.len(), 120);
        assert_same_records(
            &format!("WeCom enrollments seed {seed}"),
            got.iter().map(registration_key),
            truth.iter().map(|r| truth_registration_key(vendor, r)),
        );
        random.insert(seed, check_faults(&sb, vendor, scripted));
    }
    assert!(
        random.values().sum::<u64>() >= SEEDS.len() as u64,
        "random faults: {random:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_exports_are_exactly_once_under_every_fault() {
    let vendor = Vendor::Tencent;
    let mut random = BTreeMap::new();
    for seed in SEEDS {
        let sb = start(faulty_config(seed, vendor)).await;
        let scripted = script_every_kind(&sb, vendor);
        let client = tencent_builder(&sb, &ClientOptions::patient().short_timeout())
            .participants_page_size(50)
            .enroll_page_size(20)
            .build()
            .unwrap();
        let source: &dyn AttendeeSource = &client;

        for label in ["large-1200", "seed-long-running"] {
            let m = meeting(&sb, vendor, label);
            let got = export_attendees(source, &MeetingQuery::new(&m.id)).await;
            let truth = sb.truth().tencent_participants(&m.id, None, None);
            assert!(truth.len() >= 400, "{label}: {} rows", truth.len());
            assert_same_records(
                &format!("Tencent {label} seed {seed}"),
                got.iter().map(session_key),
                truth_sessions(vendor, &truth),
            );
        }
        let concurrent = tencent_builder(&sb, &ClientOptions::patient().short_timeout())
            .participants_page_size(20)
            .window_concurrency(3)
            .build()
            .unwrap();
        let m = meeting(&sb, vendor, "seed-long-running");
        let got = export_attendees(&concurrent, &MeetingQuery::new(&m.id)).await;
        assert_same_records(
            &format!("Tencent concurrent windows seed {seed}"),
            got.iter().map(session_key),
            truth_sessions(vendor, &sb.truth().tencent_participants(&m.id, None, None)),
        );
        let webinar = meeting(&sb, vendor, "seed-webinar");
        let got = export_registrations(source, &MeetingQuery::new(&webinar.id)).await;
        let truth = sb.truth().tencent_enroll_approvals(&webinar.id, None);
        assert_eq!(truth.len(), 120);
        assert_same_records(
            &format!("Tencent enrollments seed {seed}"),
            got.iter().map(registration_key),
            truth.iter().map(|r| truth_registration_key(vendor, r)),
        );
        // The invitee list (three pages of the server's 200) behind `registrations` when a
        // meeting has no enrollment.
        let oneoff = meeting(&sb, vendor, "seed-oneoff");
        let invitees: Vec<_> = collect(
            roster_core::Paginator::new(client.invitees_list(&oneoff.id).unwrap())
                .items()
                .boxed(),
            "Tencent invitees",
        )
        .await;
        let truth = sb.truth().tencent_invitees(&oneoff.id);
        assert_eq!(truth.len(), 450);
        assert_same_records(
            &format!("Tencent invitees seed {seed}"),
            invitees
                .iter()
                .map(|r| r.user_id.clone().unwrap_or_default()),
            truth.iter().map(|r| text(&r["userid"])),
        );
        random.insert(seed, check_faults(&sb, vendor, scripted));
    }
    assert!(
        random.values().sum::<u64>() >= SEEDS.len() as u64,
        "random faults: {random:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quanshi_exports_are_exactly_once_under_every_fault() {
    let vendor = Vendor::Quanshi;
    let mut random = BTreeMap::new();
    for seed in SEEDS {
        let sb = start(faulty_config(seed, vendor)).await;
        let mut scripted = script_every_kind(&sb, vendor);
        // The 1,200-session report is one large body: cut it, and drop its connection.
        sb.faults().inject("quanshi.report_v2", Fault::Truncate, 1);
        sb.faults().inject("quanshi.report_v2", Fault::Drop, 1);
        scripted += 2;
        let client = quanshi_config(&sb, &ClientOptions::patient().short_timeout())
            .attendee_list_page_size(10)
            .build()
            .unwrap();
        let source: &dyn AttendeeSource = &client;

        // Sessions of every run (the v2 report; one call per export).
        for label in ["large-1200", "seed-recurring"] {
            let m = meeting(&sb, vendor, label);
            let got = export_attendees(source, &MeetingQuery::new(&m.id)).await;
            let truth = sb.truth().quanshi_sessions(&m.id);
            assert!(!truth.is_empty(), "{label}");
            assert_same_records(
                &format!("Quanshi {label} seed {seed}"),
                got.iter().map(session_key),
                truth_sessions(vendor, &truth),
            );
        }
        // Invitees, by event id and by join link (one call each).
        let single = meeting(&sb, vendor, "seed-single");
        let truth: Vec<_> = sb
            .truth()
            .quanshi_invitees(&single.id)
            .iter()
            .map(|r| truth_registration_key(vendor, r))
            .collect();
        assert!(!truth.is_empty());
        let by_id = export_registrations(source, &MeetingQuery::new(&single.id)).await;
        let link = single.join_url.clone().expect("a join link");
        let by_link = export_registrations(
            source,
            &MeetingQuery::new("")
                .join_url(link)
                .status(RegistrationFilter::All),
        )
        .await;
        for (how, got) in [("id", by_id), ("join link", by_link)] {
            assert_same_records(
                &format!("Quanshi invitees by {how} seed {seed}"),
                got.iter().map(registration_key),
                truth.clone(),
            );
        }
        // The paginated list: terminals in the live meeting, 14 pages of 10.
        let live = meeting(&sb, vendor, "seed-live");
        let truth = sb.truth().quanshi_terminals(&live.id);
        assert!(truth.len() > 100, "{} terminals", truth.len());
        let terminals = collect(
            client
                .terminals(live.id.parse().unwrap())
                .unwrap()
                .items()
                .boxed(),
            "Quanshi terminals",
        )
        .await;
        assert_same_records(
            &format!("Quanshi terminals seed {seed}"),
            terminals
                .iter()
                .map(|t| t.temp_user_id.clone().unwrap_or_default()),
            truth.iter().map(|t| text(&t["tempUserId"])),
        );
        random.insert(seed, check_faults(&sb, vendor, scripted));
    }
    assert!(
        random.values().sum::<u64>() >= SEEDS.len() as u64,
        "random faults: {random:?}"
    );
}
