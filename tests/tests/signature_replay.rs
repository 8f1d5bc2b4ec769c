//! 100 concurrent Tencent exports through the trait (several hundred signed
//! requests in flight) get no replay rejection, every request carries its own nonce and
//! signature (seen on the wire), a replay answer mid-export is re-signed once; a client clock
//! 10 minutes off gives one clear `ClockSkew` error after exactly one request, never a loop.

use std::collections::BTreeSet;
use std::sync::Arc;

use roster_core::{AttendeeSource, ErrorKind, MeetingQuery, OffsetClock, RetryClass};
use roster_sandbox::{Fault, SandboxHandle, Vendor};
use roster_tests::*;

const TASKS: usize = 100;

/// `(nonce, signature)` of every request the tap saw.
fn signed_requests(tap: &WireTap) -> Vec<(String, String)> {
    tap.requests()
        .iter()
        .map(|r| {
            (
                r.header("x-tc-nonce").unwrap_or_default().to_string(),
                r.header("x-tc-signature").unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn assert_no_replay_rejection(sb: &SandboxHandle) {
    let stats = sb.stats();
    for (endpoint, reasons) in &stats.rejections {
        for code in ["190301", "200002"] {
            assert_eq!(
                reasons.get(code).copied().unwrap_or(0),
                0,
                "{endpoint} rejected as replay: {reasons:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_tencent_exports_are_never_taken_for_replays() {
    let vendor = Vendor::Tencent;
    let sb = start(sandbox_config(21)).await;
    let tap = WireTap::start(sb.addr()).await.unwrap();
    let source: Arc<dyn AttendeeSource> = Arc::new(tencent(
        &sb,
        &ClientOptions::fast().base_url(tap.base_url()),
    ));
    let labels = ["small-0", "small-1", "seed-oneoff", "seed-webinar"];
    let meetings: Vec<(String, Vec<SessionKey>)> = labels
        .iter()
        .map(|l| {
            let id = meeting(&sb, vendor, l).id;
            let truth = sb.truth().tencent_participants(&id, None, None);
            (
                id,
                truth.iter().map(|r| truth_session_key(vendor, r)).collect(),
            )
        })
        .collect();

    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let source = source.clone();
            let id = meetings[i % meetings.len()].0.clone();
            tokio::spawn(async move {
                let (items, errors) = drain(source.attendees(&MeetingQuery::new(&id)).await?).await;
                errors.into_iter().next().map_or(Ok(items), Err)
            })
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        let got = t
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("export {i}: {e}"));
        let (id, truth) = &meetings[i % meetings.len()];
        assert_same_records(
            &format!("export {i} of {id}"),
            got.iter().map(session_key),
            truth.clone(),
        );
    }

    assert_no_replay_rejection(&sb);
    let stats = sb.stats();
    assert_eq!(
        stats.rejections.values().map(|r| r.len()).sum::<usize>(),
        0,
        "{:?}",
        stats.rejections
    );
    // Detail plus participants for each export, nothing retried.
    assert!(stats.total_requests() >= 2 * TASKS as u64);
    let signed = signed_requests(&tap);
    assert_eq!(
        signed.len() as u64,
        stats.total_requests(),
        "the tap saw all"
    );
    let nonces: BTreeSet<_> = signed.iter().map(|s| s.0.clone()).collect();
    let signatures: BTreeSet<_> = signed.iter().map(|s| s.1.clone()).collect();
    assert!(!nonces.contains(""), "every request is signed");
    assert_eq!(nonces.len(), signed.len(), "a fresh nonce per request");
    assert_eq!(
        signatures.len(),
        signed.len(),
        "a fresh signature per request"
    );
}

#[tokio::test]
async fn a_replay_answer_mid_export_is_re_signed_once() {
    let vendor = Vendor::Tencent;
    let mut c = sandbox_config(22);
    c.data.large_meetings = vec![1200];
    let sb = start(c).await;
    let tap = WireTap::start(sb.addr()).await.unwrap();
    let client = tencent_builder(&sb, &ClientOptions::fast().base_url(tap.base_url()))
        .participants_page_size(100)
        .build()
        .unwrap();
    let large = meeting(&sb, vendor, "large-1200");

    // Page 6 of 12 is answered "replay": the client signs it again (new nonce) and goes on.
    sb.faults()
        .inject_after("tencent.participants", 5, Fault::VendorCode(190301), 1);
    let got = export_attendees(&client, &MeetingQuery::new(&large.id)).await;
    assert_same_records(
        "Tencent large-1200 across a replay answer",
        got.iter().map(session_key),
        sb.truth()
            .tencent_participants(&large.id, None, None)
            .iter()
            .map(|r| truth_session_key(vendor, r)),
    );
    assert_eq!(sb.stats().requests_to("tencent.participants"), 12 + 1);
    let signed = signed_requests(&tap);
    let nonces: BTreeSet<_> = signed.iter().map(|s| &s.0).collect();
    assert_eq!(
        nonces.len(),
        signed.len(),
        "the re-signed attempt has its own nonce"
    );

    // Answered "replay" twice in a row: one re-sign only, then a final error.
    sb.reset_stats();
    sb.faults()
        .inject("tencent.participants", Fault::VendorCode(200002), 2);
    let (items, errors) = drain(
        client
            .attendees(&MeetingQuery::new(&large.id))
            .await
            .unwrap(),
    )
    .await;
    assert!(items.is_empty());
    assert_eq!(errors.len(), 1, "the stream ends after its error");
    assert_eq!(errors[0].kind(), ErrorKind::Replay);
    assert_eq!(errors[0].class(), RetryClass::Fatal);
    assert_eq!(sb.stats().requests_to("tencent.participants"), 2);
}

/// A Tencent client whose clock runs `minutes` off.
fn skewed_tencent(sb: &SandboxHandle, minutes: i64) -> Box<dyn AttendeeSource> {
    let clock = Arc::new(OffsetClock::new(time::Duration::minutes(minutes)));
    // Retries allowed: the point is that a clock error is not retried.
    Box::new(tencent(sb, &ClientOptions::fast().clock(clock)))
}

fn assert_clock_skew(e: &roster_core::Error, what: &str) {
    assert_eq!(e.kind(), ErrorKind::ClockSkew, "{what}: {e}");
    assert_eq!(e.vendor_code(), Some(190300), "{what}");
    assert!(!e.is_retryable(), "{what}");
    let hint = e.hint().unwrap_or_default();
    assert!(
        hint.contains("clock"),
        "{what}: a hint names the clock: {e}"
    );
}

#[tokio::test]
async fn a_skewed_clock_is_one_clear_error_after_one_request() {
    let vendor = Vendor::Tencent;
    let sb = start(sandbox_config(23)).await;
    let oneoff = meeting(&sb, vendor, "seed-oneoff");
    let recurring = meeting(&sb, vendor, "seed-recurring");
    let sub = recurring.sub_meetings[0].id.clone();

    for minutes in [10, -10] {
        let source = skewed_tencent(&sb, minutes);

        // Attendees: the meeting detail is refused, before any stream.
        sb.reset_stats();
        let e = source
            .attendees(&MeetingQuery::new(&oneoff.id))
            .await
            .err()
            .expect("refused");
        assert_clock_skew(&e, "attendees");
        let stats = sb.stats();
        assert_eq!(
            stats.total_requests(),
            1,
            "{minutes} min: {:?}",
            stats.requests
        );
        assert_eq!(stats.rejections_of("tencent.meeting_detail", "190300"), 1);

        // An occurrence: no detail; the stream's first page is refused, and the stream ends.
        sb.reset_stats();
        let stream = source
            .attendees(&MeetingQuery::new(&recurring.id).sub_meeting(&sub))
            .await
            .expect("nothing to ask before the stream");
        let (items, errors) = drain(stream).await;
        assert!(items.is_empty());
        assert_eq!(errors.len(), 1);
        assert_clock_skew(&errors[0], "occurrence");
        assert_eq!(sb.stats().total_requests(), 1);
        assert_eq!(
            sb.stats().rejections_of("tencent.participants", "190300"),
            1
        );

        // Registrations: the first enrollment page is refused.
        sb.reset_stats();
        let outcome = source.registrations(&MeetingQuery::new(&oneoff.id)).await;
        let e = match outcome {
            Err(e) => e,
            Ok(stream) => {
                let (items, errors) = drain(stream).await;
                assert!(items.is_empty());
                assert_eq!(errors.len(), 1);
                errors.into_iter().next().unwrap()
            }
        };
        assert_clock_skew(&e, "registrations");
        assert_eq!(sb.stats().total_requests(), 1);
    }
    assert_no_replay_rejection(&sb);
}

#[tokio::test]
async fn a_skewed_quanshi_clock_is_one_clear_error_after_one_request() {
    // The other signed vendor: token/create carries a CheckSum over CurTime.
    let sb = start(sandbox_config(24)).await;
    let m = meeting(&sb, Vendor::Quanshi, "seed-single");
    let clock = Arc::new(OffsetClock::new(time::Duration::minutes(10)));
    let client = quanshi(&sb, &ClientOptions::fast().clock(clock));
    let (items, errors) = drain(client.attendees(&MeetingQuery::new(&m.id)).await.unwrap()).await;
    assert!(items.is_empty());
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e.kind(), ErrorKind::ClockSkew, "{e}");
    assert!(!e.is_retryable());
    let stats = sb.stats();
    assert_eq!(stats.total_requests(), 1, "{:?}", stats.requests);
    assert_eq!(stats.rejections_of("quanshi.token_create", "403"), 1);
}
