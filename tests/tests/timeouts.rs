//! An answer stalled past the client's request timeout ends that attempt with a
//! `Timeout` error naming the configured time; a stall that happens once costs one extra
//! attempt and the export still delivers every record exactly once; a stall on every attempt
//! ends in `Timeout` after exactly the policy's attempts. Token fetches that stall are retried
//! the same way. No wall-clock assertion: kinds and request counts only.
//!
//! Healthy answers under the short timeout may, on a loaded machine, take longer than it and
//! be retried too; so the counts asserted exactly are the stalled attempts (the sandbox counts
//! them), the reference run uses the generous timeout, and totals that include healthy calls
//! are lower bounds.

use roster_core::{AttendeeSource, ErrorKind, MeetingQuery, RetryClass};
use roster_sandbox::{Fault, SandboxHandle, Vendor};
use roster_tests::*;

/// What one vendor's export reads, and where it stalls.
struct Case {
    vendor: Vendor,
    /// The endpoint the stall is put on (one the export calls several times).
    endpoint: &'static str,
    /// The token endpoint, if the vendor has one.
    token_endpoint: Option<&'static str>,
    /// A meeting whose export calls `endpoint` several times with the page sizes below.
    label: &'static str,
}

/// The client of `case` with `opts` and small pages.
fn source(case: &Case, sb: &SandboxHandle, opts: &ClientOptions) -> Box<dyn AttendeeSource> {
    match case.vendor {
        Vendor::WeCom => Box::new(
            wecom_config(sb, opts)
                .attendee_page_size(5)
                .build()
                .unwrap(),
        ),
        Vendor::Tencent => Box::new(
            tencent_builder(sb, opts)
                .participants_page_size(5)
                .build()
                .unwrap(),
        ),
        Vendor::Quanshi => Box::new(quanshi(sb, opts)),
    }
}

fn truth(case: &Case, sb: &SandboxHandle, id: &str) -> Vec<SessionKey> {
    let rows = match case.vendor {
        Vendor::WeCom => sb.truth().wecom_attendees(id, None, None),
        Vendor::Tencent => sb.truth().tencent_participants(id, None, None),
        Vendor::Quanshi => sb.truth().quanshi_sessions(id),
    };
    rows.iter()
        .map(|r| truth_session_key(case.vendor, r))
        .collect()
}

/// Asserts `e` is the timeout of one attempt: kind, vendor, retryable, no HTTP status, and
/// the message names the configured request timeout.
fn assert_timeout(e: &roster_core::Error, case: &Case) {
    assert_eq!(e.kind(), ErrorKind::Timeout, "{:?}: {e}", case.vendor);
    assert_eq!(e.vendor(), Some(model_vendor(case.vendor)));
    assert_eq!(e.class(), RetryClass::Retry, "a timeout is worth retrying");
    assert_eq!(e.http_status(), None, "no answer arrived");
    let configured = format!("{:.1} s", REQUEST_TIMEOUT.as_secs_f64());
    assert!(
        e.message().contains(&configured),
        "{:?}: the message names the configured {configured}: {e}",
        case.vendor
    );
}

async fn stalls(case: Case) {
    let sb = start(sandbox_config(71)).await;
    let id = meeting(&sb, case.vendor, case.label).id;
    let q = MeetingQuery::new(&id);
    let want = truth(&case, &sb, &id);
    assert!(!want.is_empty());

    // Without faults: how many calls the export makes (generous timeout: nothing is retried).
    let got = export_attendees(source(&case, &sb, &ClientOptions::fast()).as_ref(), &q).await;
    assert_same_records("no fault", got.iter().map(session_key), want.clone());
    let baseline = sb.stats().requests_to(case.endpoint);
    assert!(baseline >= 1);

    // One stall on the last of those calls: one timeout, a retry, the same records.
    let fast = ClientOptions::fast().short_timeout();
    sb.reset_stats();
    sb.faults()
        .inject_after(case.endpoint, baseline - 1, Fault::Stall, 1);
    let got = export_attendees(source(&case, &sb, &fast).as_ref(), &q).await;
    assert_same_records("one stall", got.iter().map(session_key), want.clone());
    let stats = sb.stats();
    assert_eq!(stats.faults_of("stall"), 1, "exactly one attempt stalled");
    assert!(
        stats.requests_to(case.endpoint) > baseline,
        "{:?}: the stalled call was tried again ({} calls, {baseline} without the stall)",
        case.vendor,
        stats.requests_to(case.endpoint)
    );

    // Retries off: the stalled attempt is the error.
    sb.reset_stats();
    let once = source(&case, &sb, &ClientOptions::never().short_timeout());
    sb.faults().inject(case.endpoint, Fault::Stall, 1);
    let e = match once.attendees(&q).await {
        Err(e) => e,
        Ok(stream) => {
            let (items, errors) = drain(stream).await;
            assert_eq!(errors.len(), 1, "one error ends the stream");
            assert!(items.len() < want.len());
            errors.into_iter().next().unwrap()
        }
    };
    assert_timeout(&e, &case);
    assert_eq!(
        sb.stats().faults_of("stall"),
        1,
        "the stalled attempt is the error"
    );
    assert_eq!(sb.stats().requests_to(case.endpoint), 1);

    // Stalled every time: the policy's attempts (1 + 2 retries), then the timeout.
    sb.reset_stats();
    let two_retries = ClientOptions::fast()
        .short_timeout()
        .policy(fast_policy().with_max_retries(2));
    let persistent = source(&case, &sb, &two_retries);
    sb.faults().inject(case.endpoint, Fault::Stall, u64::MAX);
    let e = match persistent.attendees(&q).await {
        Err(e) => e,
        Ok(stream) => {
            let (_, errors) = drain(stream).await;
            assert_eq!(errors.len(), 1);
            errors.into_iter().next().unwrap()
        }
    };
    sb.faults().clear();
    assert_timeout(&e, &case);
    let stats = sb.stats();
    assert_eq!(stats.requests_to(case.endpoint), 3, "{:?}", stats.requests);
    assert_eq!(stats.faults_of("stall"), 3);

    // A stalled token fetch on a cold cache: retried, then the export goes through.
    if let Some(token) = case.token_endpoint {
        sb.reset_stats();
        sb.faults().inject(token, Fault::Stall, 1);
        let got = export_attendees(source(&case, &sb, &fast).as_ref(), &q).await;
        assert_same_records("stalled token", got.iter().map(session_key), want);
        let stats = sb.stats();
        assert_eq!(stats.faults_of("stall"), 1, "{:?}", stats.requests);
        assert!(stats.requests_to(token) >= 2, "{:?}", stats.requests);
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn wecom_stalls_time_out_and_are_retried() {
    stalls(Case {
        vendor: Vendor::WeCom,
        endpoint: "wecom.get_attendee_list",
        token_endpoint: Some("wecom.gettoken"),
        label: "seed-oneoff",
    })
    .await;
}

#[tokio::test]
async fn tencent_stalls_time_out_and_are_retried() {
    stalls(Case {
        vendor: Vendor::Tencent,
        endpoint: "tencent.participants",
        token_endpoint: None,
        label: "seed-oneoff",
    })
    .await;
}

#[tokio::test]
async fn quanshi_stalls_time_out_and_are_retried() {
    stalls(Case {
        vendor: Vendor::Quanshi,
        endpoint: "quanshi.report_v2",
        token_endpoint: Some("quanshi.token_create"),
        label: "seed-recurring",
    })
    .await;
}

#[tokio::test]
async fn quanshi_terminal_pages_that_stall_are_retried_once() {
    // The paginated Quanshi list: a stall on page 2 of 6 costs one attempt.
    let sb = start(sandbox_config(72)).await;
    let live = meeting(&sb, Vendor::Quanshi, "seed-live");
    let want: Vec<String> = sb
        .truth()
        .quanshi_terminals(&live.id)
        .iter()
        .map(|t| text(&t["tempUserId"]))
        .collect();
    let client = quanshi_config(&sb, &ClientOptions::fast().short_timeout())
        .attendee_list_page_size(25)
        .build()
        .unwrap();
    let _ = client.token().await.unwrap();
    sb.faults()
        .inject_after("quanshi.attendee_list", 1, Fault::Stall, 1);
    use futures::StreamExt;
    let got = collect(
        client
            .terminals(live.id.parse().unwrap())
            .unwrap()
            .items()
            .boxed(),
        "terminals",
    )
    .await;
    assert_same_records(
        "terminals across a stall",
        got.iter()
            .map(|t| t.temp_user_id.clone().unwrap_or_default()),
        want.clone(),
    );
    let pages = want.len() / 25 + 1;
    assert_eq!(sb.stats().faults_of("stall"), 1, "one attempt stalled");
    assert!(
        sb.stats().requests_to("quanshi.attendee_list") as usize > pages,
        "the stalled page was asked again"
    );
}
