//! Revocation in the middle of whole exports refreshes the token once and loses or
//! repeats no record (WeCom and Quanshi, also with windows fetched concurrently), and 200
//! concurrent exports through the trait on a cold cache — or right after every token was
//! revoked — make exactly one token fetch; when that one fetch fails (a dropped connection, a
//! transient code, a stall), the 200 exports share one more and all succeed.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use roster_core::{AttendeeSource, MeetingQuery};
use roster_sandbox::{Fault, SandboxHandle, Vendor};
use roster_tests::*;

const TASKS: usize = 200;

async fn large_sandbox() -> SandboxHandle {
    let mut c = sandbox_config(7);
    c.data.large_meetings = vec![1200];
    start(c).await
}

fn token_key(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::WeCom => "wecom.gettoken",
        Vendor::Quanshi => "quanshi.token_create",
        Vendor::Tencent => unreachable!("Tencent has no tokens"),
    }
}

/// Asserts the sandbox issued `n` tokens in all, each from one token request.
fn assert_tokens(sb: &SandboxHandle, vendor: Vendor, n: u64, what: &str) {
    let stats = sb.stats();
    assert_eq!(
        stats.requests_to(token_key(vendor)),
        n,
        "{what}: token requests ({:?})",
        stats.requests
    );
    assert_eq!(stats.tokens_of(vendor), n, "{what}: tokens issued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wecom_revocation_mid_export_refreshes_once_and_keeps_every_record_once() {
    let vendor = Vendor::WeCom;
    let sb = large_sandbox().await;
    let client = wecom_config(&sb, &ClientOptions::fast())
        .attendee_page_size(50)
        .enroll_page_size(20)
        .build()
        .unwrap();
    let source: &dyn AttendeeSource = &client;
    let large = meeting(&sb, vendor, "large-1200");

    // Every token revoked at the 11th of 24 pages.
    sb.faults()
        .inject_after("wecom.get_attendee_list", 10, Fault::RevokeTokens, 1);
    let got = export_attendees(source, &MeetingQuery::new(&large.id)).await;
    assert_same_records(
        "WeCom large-1200 across a revocation",
        got.iter().map(session_key),
        sb.truth()
            .wecom_attendees(&large.id, None, None)
            .iter()
            .map(|r| truth_session_key(vendor, r)),
    );
    let stats = sb.stats();
    assert_eq!(stats.faults_of("revoke_tokens"), 1);
    assert_eq!(stats.rejections_of("wecom.get_attendee_list", "40014"), 1);
    assert_eq!(stats.requests_to("wecom.get_attendee_list"), 24 + 1);
    assert_tokens(&sb, vendor, 2, "one refresh");

    // The same in an enrollment export (120 enrollments, 6 pages of 20): revoked at page 3.
    sb.faults()
        .inject_after("wecom.webinar_enroll_list", 2, Fault::RevokeTokens, 1);
    let webinar = meeting(&sb, vendor, "seed-webinar");
    let got = export_registrations(source, &MeetingQuery::new(&webinar.id)).await;
    assert_same_records(
        "WeCom enrollments across a revocation",
        got.iter().map(registration_key),
        sb.truth()
            .wecom_webinar_enrollments(&webinar.id, None)
            .iter()
            .map(|r| truth_registration_key(vendor, r)),
    );
    assert_eq!(
        sb.stats()
            .rejections_of("wecom.webinar_enroll_list", "40014"),
        1
    );
    assert_tokens(&sb, vendor, 3, "one more refresh");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wecom_revocation_while_windows_run_concurrently_refreshes_once() {
    let vendor = Vendor::WeCom;
    let sb = start(sandbox_config(8)).await;
    // 400 sessions over 79 days: three 31-day windows, fetched at once, 20 rows a page.
    let client = wecom_config(&sb, &ClientOptions::fast())
        .attendee_page_size(20)
        .window_concurrency(3)
        .build()
        .unwrap();
    let m = meeting(&sb, vendor, "seed-long-running");
    sb.faults()
        .inject_after("wecom.get_attendee_list", 4, Fault::RevokeTokens, 1);
    let got = export_attendees(&client, &MeetingQuery::new(&m.id)).await;
    assert_same_records(
        "WeCom concurrent windows across a revocation",
        got.iter().map(session_key),
        sb.truth()
            .wecom_attendees(&m.id, None, None)
            .iter()
            .map(|r| truth_session_key(vendor, r)),
    );
    let stats = sb.stats();
    let rejected = stats.rejections_of("wecom.get_attendee_list", "40014");
    assert!(rejected >= 1, "{:?}", stats.rejections);
    // However many in-flight calls failed on the revoked token, one new token serves them all.
    assert_tokens(&sb, vendor, 2, "one refresh for every window");
}

/// Runs `TASKS` exports at once through the trait: attendees of two meetings and enrollments
/// of a third, in turn; checks each against the truth.
async fn concurrent_exports(sb: &SandboxHandle, vendor: Vendor, source: Arc<dyn AttendeeSource>) {
    let (a, b, regs) = match vendor {
        Vendor::WeCom => ("small-1", "seed-oneoff", "seed-webinar"),
        Vendor::Quanshi => ("small-1", "seed-single", "seed-single"),
        Vendor::Tencent => unreachable!(),
    };
    let ids: Vec<String> = [a, b, regs]
        .iter()
        .map(|l| meeting(sb, vendor, l).id)
        .collect();
    let truth_of = |id: &str| -> Vec<SessionKey> {
        let rows = match vendor {
            Vendor::WeCom => sb.truth().wecom_attendees(id, None, None),
            _ => sb.truth().quanshi_sessions(id),
        };
        rows.iter().map(|r| truth_session_key(vendor, r)).collect()
    };
    let reg_truth: Vec<RegistrationKey> = match vendor {
        Vendor::WeCom => sb.truth().wecom_webinar_enrollments(&ids[2], None),
        _ => sb.truth().quanshi_invitees(&ids[2]),
    }
    .iter()
    .map(|r| truth_registration_key(vendor, r))
    .collect();
    let (truth_a, truth_b) = (truth_of(&ids[0]), truth_of(&ids[1]));

    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let source = source.clone();
            let ids = ids.clone();
            tokio::spawn(async move {
                let q = MeetingQuery::new(&ids[i % 3]);
                if i % 3 == 2 {
                    let regs = source.registrations(&q).await?;
                    let (items, errors) = drain(regs).await;
                    errors.into_iter().next().map_or(Ok(()), Err)?;
                    Ok::<_, roster_core::Error>((i, Vec::new(), items))
                } else {
                    let (items, errors) = drain(source.attendees(&q).await?).await;
                    errors.into_iter().next().map_or(Ok(()), Err)?;
                    Ok((i, items, Vec::new()))
                }
            })
        })
        .collect();
    let results = futures::stream::iter(tasks)
        .then(|t| async move { t.await.expect("the task runs") })
        .collect::<Vec<_>>()
        .await;
    for r in results {
        let (i, sessions, registrations) = r.unwrap_or_else(|e| panic!("an export failed: {e}"));
        match i % 3 {
            0 => assert_same_records("task", sessions.iter().map(session_key), truth_a.clone()),
            1 => assert_same_records("task", sessions.iter().map(session_key), truth_b.clone()),
            _ => assert_same_records(
                "task",
                registrations.iter().map(registration_key),
                reg_truth.clone(),
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wecom_200_concurrent_exports_fetch_one_token_cold_and_one_after_revocation() {
    let vendor = Vendor::WeCom;
    let sb = start(sandbox_config(9)).await;
    let source: Arc<dyn AttendeeSource> = Arc::new(wecom(&sb, &ClientOptions::fast()));

    concurrent_exports(&sb, vendor, source.clone()).await;
    assert_tokens(&sb, vendor, 1, "cold cache");
    assert_eq!(sb.stats().rejections_total("wecom.get_info"), 0);

    // Every token revoked by the first call of the next round: all the others fail on it at
    // about the same time, and share one refresh.
    sb.faults().inject("wecom.get_info", Fault::RevokeTokens, 1);
    concurrent_exports(&sb, vendor, source).await;
    let stats = sb.stats();
    assert_eq!(stats.faults_of("revoke_tokens"), 1);
    assert!(stats.rejections_of("wecom.get_info", "40014") >= 1);
    assert_tokens(&sb, vendor, 2, "one refresh after the revocation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quanshi_200_concurrent_exports_fetch_one_token_cold_and_one_after_revocation() {
    let vendor = Vendor::Quanshi;
    let sb = start(sandbox_config(10)).await;
    let source: Arc<dyn AttendeeSource> = Arc::new(quanshi(&sb, &ClientOptions::fast()));

    concurrent_exports(&sb, vendor, source.clone()).await;
    assert_tokens(&sb, vendor, 1, "cold cache");

    sb.faults()
        .inject("quanshi.report_v2", Fault::RevokeTokens, 1);
    concurrent_exports(&sb, vendor, source).await;
    let stats = sb.stats();
    assert_eq!(stats.faults_of("revoke_tokens"), 1);
    assert!(stats.rejections_of("quanshi.report_v2", "401") >= 1);
    assert_tokens(&sb, vendor, 2, "one refresh after the revocation");
    assert_eq!(sb.truth().quanshi_active_tokens(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quanshi_revocation_mid_export_refreshes_once_and_keeps_every_record_once() {
    let vendor = Vendor::Quanshi;
    let sb = large_sandbox().await;
    let client = quanshi_config(&sb, &ClientOptions::fast())
        .attendee_list_page_size(10)
        .build()
        .unwrap();

    // The paginated list: terminals of the live meeting, revoked at page 5 of 14.
    let live = meeting(&sb, vendor, "seed-live");
    sb.faults()
        .inject_after("quanshi.attendee_list", 4, Fault::RevokeTokens, 1);
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
        "Quanshi terminals across a revocation",
        terminals
            .iter()
            .map(|t| t.temp_user_id.clone().unwrap_or_default()),
        sb.truth()
            .quanshi_terminals(&live.id)
            .iter()
            .map(|t| text(&t["tempUserId"])),
    );
    assert_eq!(sb.stats().rejections_of("quanshi.attendee_list", "401"), 1);
    assert_tokens(&sb, vendor, 2, "one refresh");

    // Through the trait: the 1,200-session report, revoked as it is asked for.
    let large = meeting(&sb, vendor, "large-1200");
    sb.faults()
        .inject("quanshi.report_v2", Fault::RevokeTokens, 1);
    let got = export_attendees(&client, &MeetingQuery::new(&large.id)).await;
    assert_same_records(
        "Quanshi large-1200 across a revocation",
        got.iter().map(session_key),
        sb.truth()
            .quanshi_sessions(&large.id)
            .iter()
            .map(|r| truth_session_key(vendor, r)),
    );
    assert_eq!(sb.stats().rejections_of("quanshi.report_v2", "401"), 1);
    assert_tokens(&sb, vendor, 3, "one more refresh");
    assert_eq!(client.tokens_created(), 3);
}

async fn cold_cache_whose_first_fetch_fails(vendor: Vendor, fault: Fault) {
    let sb = start(sandbox_config(11)).await;
    // A stalled fetch must time out (1 s, short of the 1.5 s stall); otherwise the timeout
    // stays generous. At most 8 calls per API in flight, so that on a loaded machine a
    // request's own time stays short of it; the 200 exports still all wait for one token
    // together (the token is fetched before the call's pacing slot).
    let mut opts = ClientOptions::fast();
    if fault == Fault::Stall {
        opts.http = http_with_timeout(Duration::from_secs(1));
    }
    let source: Arc<dyn AttendeeSource> = match vendor {
        Vendor::WeCom => Arc::new(
            wecom_config(&sb, &opts)
                .pacer(roster_core::Pacer::unlimited().with_max_in_flight(8))
                .build()
                .unwrap(),
        ),
        _ => Arc::new(
            quanshi_config(&sb, &opts)
                .pacer(roster_core::Pacer::per_minute(0).with_max_in_flight(8))
                .build()
                .unwrap(),
        ),
    };
    sb.faults().inject(token_key(vendor), fault.clone(), 1);
    let id = meeting(&sb, vendor, "small-1").id;
    let truth: Vec<SessionKey> = match vendor {
        Vendor::WeCom => sb.truth().wecom_attendees(&id, None, None),
        _ => sb.truth().quanshi_sessions(&id),
    }
    .iter()
    .map(|r| truth_session_key(vendor, r))
    .collect();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (source, id) = (source.clone(), id.clone());
            tokio::spawn(async move {
                let (items, errors) = drain(source.attendees(&MeetingQuery::new(&id)).await?).await;
                errors.into_iter().next().map_or(Ok(items), Err)
            })
        })
        .collect();
    for t in tasks {
        let got = t
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{vendor:?} {fault:?}: an export failed: {e}"));
        assert_same_records("task", got.iter().map(session_key), truth.clone());
    }
    let what = format!("{vendor:?}, first token fetch {fault:?}");
    assert_eq!(sb.stats().faults_of(&fault.stats_key()), 1, "{what}");
    // The failed fetch and one good one; a stalled fetch may still issue its token after the
    // client gave up on it.
    let stats = sb.stats();
    assert_eq!(
        stats.requests_to(token_key(vendor)),
        2,
        "{what}: {:?}",
        stats.requests
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_first_token_fetch_under_200_concurrent_exports_is_retried_once() {
    for vendor in [Vendor::WeCom, Vendor::Quanshi] {
        for fault in [Fault::Drop, Fault::VendorTransient, Fault::Stall] {
            cold_cache_whose_first_fetch_fails(vendor, fault).await;
        }
    }
}
