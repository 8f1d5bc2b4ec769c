//! Access-token behaviour against the sandbox: single-flight, compare-and-invalidate on
//! revocation, expiry by lifetime, wrong secrets.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use roster_core::{AttendeeSource, ErrorKind, MeetingQuery, RetryClass};
use roster_sandbox::{Fault, Vendor as SbVendor};
use roster_wecom::{TokenMargin, WeComClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_calls_on_a_cold_then_expired_cache_fetch_one_token_each_time() {
    let sb = manual_sandbox(|_| {}).await;
    let (clock, shared) = manual_clock();
    let client = config(&sb).clock(shared).build().unwrap();
    let id = meeting(&sb, "seed-oneoff").id;

    let run = |client: WeComClient, id: String| async move {
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (c, id) = (client.clone(), id.clone());
            tasks.push(tokio::spawn(async move { c.get_info(&id, None).await }));
        }
        for t in tasks {
            let info = t.await.unwrap().expect("get_info succeeds");
            assert!(info.title.is_some());
        }
    };

    run(client.clone(), id.clone()).await;
    let stats = sb.stats();
    assert_eq!(
        stats.requests_to("wecom.gettoken"),
        1,
        "cold cache: one gettoken"
    );
    assert_eq!(stats.tokens_of(SbVendor::WeCom), 1);
    assert_eq!(stats.requests_to("wecom.get_info"), 200);

    // Inside the refresh margin (720 s of 7200 s): the cache is stale, the server's token is
    // still valid. 200 callers again share one refresh.
    let step = Duration::from_secs(7200 - 700);
    clock.advance(step);
    sb.clock().advance(step);
    run(client, id).await;
    let stats = sb.stats();
    assert_eq!(
        stats.requests_to("wecom.gettoken"),
        2,
        "expired cache: one more gettoken"
    );
    assert_eq!(stats.tokens_of(SbVendor::WeCom), 2);
    assert_eq!(
        stats.rejections_total("wecom.get_info"),
        0,
        "refreshed ahead of expiry"
    );
}

#[tokio::test]
async fn revocation_mid_export_refreshes_once_and_delivers_every_attendee_once() {
    let sb = sandbox().await;
    let client = config(&sb).attendee_page_size(40).build().unwrap();
    let m = meeting(&sb, "seed-long-running");
    let truth = sb.truth().wecom_attendees(&m.id, None, None);
    assert!(truth.len() > 200, "a long export ({} rows)", truth.len());

    // Revoke every token at the 4th attendee page, in the middle of the chain.
    sb.faults()
        .inject_after("wecom.get_attendee_list", 3, Fault::RevokeTokens, 1);
    let rows = collect(client.attendees(&MeetingQuery::new(&m.id)).await.unwrap()).await;

    let got = counts(rows.iter().map(attendee_key));
    let want = counts(truth.iter().map(row_key));
    assert_eq!(got, want, "every attendee exactly once");
    assert!(got.values().all(|n| *n == 1));
    assert_eq!(rows.len(), truth.len());

    let stats = sb.stats();
    assert_eq!(stats.faults_of("revoke_tokens"), 1);
    assert_eq!(stats.rejections_of("wecom.get_attendee_list", "40014"), 1);
    assert_eq!(stats.requests_to("wecom.gettoken"), 2, "one refresh");
    assert_eq!(stats.tokens_of(SbVendor::WeCom), 2);
}

#[tokio::test]
async fn expiry_by_lifetime_refreshes_ahead_and_after_a_server_side_expiry() {
    let sb = manual_sandbox(|c| c.wecom.token_ttl_secs = 60).await;
    let (clock, shared) = manual_clock();
    // Default margin: max(300 s, 10 %) capped at half the lifetime → 30 s.
    let client = config(&sb).clock(shared).build().unwrap();
    let id = meeting(&sb, "seed-oneoff").id;
    let both = |secs: u64| {
        clock.advance(Duration::from_secs(secs));
        sb.clock().advance(Duration::from_secs(secs));
    };

    client.get_info(&id, None).await.unwrap();
    assert_eq!(sb.stats().tokens_of(SbVendor::WeCom), 1);
    both(20);
    client.get_info(&id, None).await.unwrap();
    assert_eq!(
        sb.stats().tokens_of(SbVendor::WeCom),
        1,
        "still fresh at 20 s of 60 s"
    );
    both(15);
    client.get_info(&id, None).await.unwrap();
    assert_eq!(
        sb.stats().tokens_of(SbVendor::WeCom),
        2,
        "refreshed inside the margin, before the server expires it"
    );
    assert_eq!(sb.stats().rejections_total("wecom.get_info"), 0);

    // The server's clock runs ahead: the token the client believes fresh has expired there.
    sb.clock().advance(Duration::from_secs(61));
    client.get_info(&id, None).await.unwrap();
    let stats = sb.stats();
    assert_eq!(stats.rejections_of("wecom.get_info", "42001"), 1);
    assert_eq!(
        stats.tokens_of(SbVendor::WeCom),
        3,
        "one refresh after 42001"
    );
    assert_eq!(
        stats.requests_to("wecom.get_info"),
        5,
        "three calls, then one rejected and one retry"
    );
}

#[tokio::test]
async fn a_token_rejected_twice_is_a_fatal_auth_error_not_a_loop() {
    let sb = sandbox().await;
    let client = client(&sb);
    let id = meeting(&sb, "seed-oneoff").id;
    sb.faults()
        .inject("wecom.get_info", Fault::VendorCode(40014), 5);
    let e = client.get_info(&id, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(e.class(), RetryClass::Fatal);
    assert_eq!(e.vendor_code(), Some(40014));
    let stats = sb.stats();
    assert_eq!(
        stats.requests_to("wecom.get_info"),
        2,
        "one retry, never a loop"
    );
    assert_eq!(stats.requests_to("wecom.gettoken"), 2, "one refresh");
}

#[tokio::test]
async fn a_newer_token_is_not_thrown_away_by_a_late_rejection() {
    // Two clients sharing one store: the first refreshes after a revocation; the second, whose
    // request used the old token, must not drop the new one.
    let sb = sandbox().await;
    let store: std::sync::Arc<dyn roster_wecom::TokenStore> =
        std::sync::Arc::new(roster_wecom::MemoryTokenStore::new());
    let a = config(&sb).token_store(store.clone()).build().unwrap();
    let b = config(&sb).token_store(store.clone()).build().unwrap();
    let id = meeting(&sb, "seed-oneoff").id;
    a.get_info(&id, None).await.unwrap();
    b.get_info(&id, None).await.unwrap();
    assert_eq!(
        sb.stats().tokens_of(SbVendor::WeCom),
        1,
        "the store is shared"
    );
    let old = store.get(a.token_key()).await.unwrap().unwrap();

    sb.faults().inject("wecom.get_info", Fault::RevokeTokens, 1);
    a.get_info(&id, None).await.unwrap();
    assert_eq!(sb.stats().tokens_of(SbVendor::WeCom), 2);
    let new = store.get(a.token_key()).await.unwrap().unwrap();
    assert!(!new.same_token(&old));

    // b learns late that the old token failed: compare-and-invalidate keeps the new one.
    assert!(
        !store
            .compare_and_invalidate(b.token_key(), &old)
            .await
            .unwrap()
    );
    b.get_info(&id, None).await.unwrap();
    assert_eq!(sb.stats().tokens_of(SbVendor::WeCom), 2, "no third token");
}

#[tokio::test]
async fn a_wrong_secret_is_one_gettoken_call_and_a_clear_config_error() {
    let sb = sandbox().await;
    let client = config(&sb)
        .token_margin(TokenMargin::none())
        .build()
        .unwrap();
    let wrong = WeComClient::builder(Credentials::new(
        sb.credentials().wecom.corp_id,
        "not-the-secret-1234",
    ))
    .base_url(sb.base_url())
    .pacer(roster_core::Pacer::unlimited())
    .retry_policy(fast_policy())
    .build()
    .unwrap();
    let id = meeting(&sb, "seed-oneoff").id;

    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (c, id) = (wrong.clone(), id.clone());
        tasks.push(tokio::spawn(async move { c.get_info(&id, None).await }));
    }
    let mut errors = Vec::new();
    for t in tasks {
        errors.push(t.await.unwrap().unwrap_err());
    }
    errors.push(wrong.get_info(&id, None).await.unwrap_err());
    errors.push(
        wrong
            .attendees(&MeetingQuery::new(&id))
            .await
            .err()
            .expect("no stream without a token"),
    );
    for e in &errors {
        assert_eq!(e.kind(), ErrorKind::Config, "{e}");
        assert_eq!(e.class(), RetryClass::Fatal);
        assert_eq!(e.vendor_code(), Some(40001));
        assert!(e.hint().unwrap().contains("Secret"), "{e}");
        assert!(
            e.request_id().is_some(),
            "the errmsg hint is the request id"
        );
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("not-the-secret-1234"), "{shown}");
    }
    let stats = sb.stats();
    assert_eq!(
        stats.requests_to("wecom.gettoken"),
        1,
        "never retried, never repeated"
    );
    assert_eq!(stats.rejections_of("wecom.gettoken", "40001"), 1);
    assert_eq!(stats.requests_to("wecom.get_info"), 0);

    // The right secret still works (a separate client).
    client.get_info(&id, None).await.unwrap();
}

#[tokio::test]
async fn configuration_codes_carry_hints() {
    let sb = sandbox_with(|c| {
        c.wecom.apps[0].trusted_ip = false;
        c.wecom.apps[1].meeting_api = false;
    })
    .await;
    let id = meeting(&sb, "seed-oneoff").id;

    let c1 = client(&sb);
    let e = c1.get_info(&id, None).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Config, Some(60020))
    );
    assert!(e.hint().unwrap().contains("trusted IP"), "{e}");
    assert_eq!(sb.stats().requests_to("wecom.gettoken"), 1);

    // The IP is trusted now: the remembered failure holds until the caller clears it.
    let agent = sb.credentials().wecom.agent_id;
    let admin = reqwest::Client::new()
        .post(format!(
            "{}/_sandbox/wecom/app?agentid={agent}&trusted_ip=true",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert!(admin.status().is_success());
    assert_eq!(
        c1.get_info(&id, None).await.unwrap_err().vendor_code(),
        Some(60020)
    );
    assert_eq!(
        sb.stats().requests_to("wecom.gettoken"),
        1,
        "not asked again"
    );
    c1.clear_token_failure();
    c1.get_info(&id, None).await.unwrap();
    assert_eq!(sb.stats().requests_to("wecom.gettoken"), 2);

    let app2 = &sb.credentials().wecom.apps[1];
    let c2 = WeComClient::builder(Credentials::new(
        sb.credentials().wecom.corp_id,
        app2.secret.clone(),
    ))
    .base_url(sb.base_url())
    .pacer(roster_core::Pacer::unlimited())
    .retry_policy(fast_policy())
    .build()
    .unwrap();
    let e = c2.get_info(&id, None).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Config, Some(48002))
    );
    assert!(e.hint().unwrap().contains("可调用接口的应用"), "{e}");
    assert_eq!(sb.stats().requests_to("wecom.get_info"), 2, "not retried");
}

#[tokio::test]
async fn tokens_travel_only_in_the_query() {
    let sb = sandbox().await;
    let client = client(&sb);
    let id = meeting(&sb, "seed-oneoff").id;
    client.get_info(&id, None).await.unwrap();
    let targets = sb.stats().raw_targets;
    let business: Vec<&String> = targets.iter().filter(|t| t.contains("/meeting/")).collect();
    assert_eq!(business.len(), 1);
    let query = business[0].split_once('?').unwrap().1;
    let keys: BTreeSet<&str> = query
        .split('&')
        .map(|kv| kv.split('=').next().unwrap())
        .collect();
    assert_eq!(keys, BTreeSet::from(["access_token"]));
    assert!(!targets.iter().any(|t| t.contains("debug=1")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_caps_calls_in_flight_per_api() {
    // The sandbox answers 45033 above 4 concurrent calls per API, and holds each call until
    // its clock moves: a ticker moves it while the calls run.
    let sb = manual_sandbox(|c| {
        c.wecom.max_concurrency = Some(4);
        c.wecom.hold_secs = 1;
    })
    .await;
    let id = meeting(&sb, "seed-oneoff").id;
    let clock = sb.clock();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(3)).await;
            clock.advance(Duration::from_secs(1));
        }
    });
    let burst = |client: WeComClient, id: String| async move {
        let mut tasks = Vec::new();
        for _ in 0..24 {
            let (c, id) = (client.clone(), id.clone());
            tasks.push(tokio::spawn(async move { c.get_info(&id, None).await }));
        }
        for t in tasks {
            t.await.unwrap().expect("every call succeeds");
        }
    };

    let paced = config(&sb)
        .pacer(roster_core::Pacer::unlimited().with_max_in_flight(4))
        .build()
        .unwrap();
    burst(paced, id.clone()).await;
    assert_eq!(sb.stats().requests_to("wecom.get_info"), 24);
    assert_eq!(
        sb.stats().rejections_of("wecom.get_info", "45033"),
        0,
        "never more than 4 in flight"
    );

    // Control: without the cap the same burst trips the server's limit (and is retried).
    sb.reset_stats();
    let unpaced = config(&sb)
        .retry_policy(fast_policy().with_max_retries(50))
        .build()
        .unwrap();
    burst(unpaced, id).await;
    assert!(sb.stats().rejections_of("wecom.get_info", "45033") > 0);
    ticker.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_gettoken_is_not_hammered_by_concurrent_callers() {
    let sb = sandbox().await;
    // One attempt per call, so that each caller would fetch at most once on its own.
    let client = config(&sb)
        .retry_policy(roster_core::RetryPolicy::never())
        .build()
        .unwrap();
    let id = meeting(&sb, "seed-oneoff").id;
    // gettoken is slow (every caller queues behind the first) and busy.
    sb.faults().set_latency(Some(Duration::from_millis(200)));
    sb.faults()
        .inject("wecom.gettoken", Fault::VendorTransient, u64::MAX);
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let (c, id) = (client.clone(), id.clone());
        tasks.push(tokio::spawn(async move { c.get_info(&id, None).await }));
    }
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert_eq!(
            (e.kind(), e.vendor_code()),
            (ErrorKind::Unavailable, Some(-1))
        );
    }
    let stats = sb.stats();
    assert_eq!(
        stats.requests_to("wecom.gettoken"),
        1,
        "one failed call, its error shared by every waiter"
    );
    assert_eq!(stats.requests_to("wecom.get_info"), 0);

    // A later caller asks again.
    sb.faults().clear();
    sb.faults().set_latency(None);
    client.get_info(&id, None).await.unwrap();
    assert_eq!(sb.stats().requests_to("wecom.gettoken"), 2);
}

#[tokio::test]
async fn a_40001_from_a_business_call_refreshes_once() {
    let sb = sandbox().await;
    let client = client(&sb);
    let id = meeting(&sb, "seed-oneoff").id;
    client.get_info(&id, None).await.unwrap();
    sb.faults()
        .inject("wecom.get_info", Fault::VendorCode(40001), 1);
    sb.faults()
        .inject("wecom.get_info", Fault::VendorCode(42001), 1);
    let e = client.get_info(&id, None).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code()), (ErrorKind::Auth, Some(42001)));
    // 40001 then 42001: the one refresh is spent on the first, the second is returned (and
    // its token dropped too, so the next call starts with a new one).
    assert_eq!(sb.stats().requests_to("wecom.gettoken"), 2);
    sb.faults()
        .inject("wecom.get_info", Fault::VendorCode(40001), 1);
    client.get_info(&id, None).await.unwrap();
    let stats = sb.stats();
    assert_eq!(
        stats.requests_to("wecom.gettoken"),
        4,
        "a new token for the call, and one refresh after its 40001"
    );
    assert_eq!(stats.requests_to("wecom.get_info"), 5);
}
