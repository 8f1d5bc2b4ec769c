//! Signing and retrying against the sandbox: no replay under concurrency, a fresh signature
//! per attempt, what is retried and what is not, clock skew and rate limits.

mod common;

use common::*;

#[tokio::test]
async fn hundred_concurrent_requests_never_replay() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let params = ParticipantsParams::new(&m.id).size(5);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (c, p) = (c.clone(), params.clone());
            tokio::spawn(async move { c.participants_page(&p, None).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("every request succeeds");
    }
    let s = sb.stats();
    assert_eq!(s.requests_to(P), 100, "no retries needed");
    assert_eq!(s.rejections_of(P, "190301"), 0);
    assert_eq!(s.rejections_of(P, "200002"), 0);
    assert_eq!(s.rejections_total(P), 0);
}

/// Records the nonce and signature of every attempt, then delegates to AK/SK.
#[derive(Debug)]
struct Recording {
    inner: AkSkAuthenticator,
    seen: Mutex<Vec<(String, String)>>,
}

#[async_trait]
impl Authenticator for Recording {
    async fn authorize(&self, request: &RequestToSign<'_>, headers: &mut HeaderMap) -> Result<()> {
        self.inner.authorize(request, headers).await?;
        let get = |n: &str| headers[n].to_str().unwrap().to_string();
        self.seen
            .lock()
            .unwrap()
            .push((get("x-tc-nonce"), get("x-tc-signature")));
        Ok(())
    }
}

#[tokio::test]
async fn transient_errors_are_retried_with_a_new_signature_each_time() {
    let sb = start(config()).await;
    let rec = Arc::new(Recording {
        inner: AkSkAuthenticator::new(credentials(&sb, 0)).unwrap(),
        seen: Mutex::new(Vec::new()),
    });
    let c = builder(&sb).authenticator(rec.clone()).build().unwrap();
    let m = meeting(&sb, "seed-oneoff");
    sb.faults().inject(P, Fault::VendorCode(41), 1);
    sb.faults().inject(P, Fault::VendorCode(5108), 1);
    sb.faults().inject(P, Fault::Http(500), 1);
    let page = c
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .expect("succeeds on the fourth attempt");
    assert!(!page.participants.unwrap().is_empty());
    assert_eq!(sb.stats().requests_to(P), 4);
    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4);
    let nonces: HashSet<_> = seen.iter().map(|s| s.0.clone()).collect();
    let sigs: HashSet<_> = seen.iter().map(|s| s.1.clone()).collect();
    assert_eq!(
        (nonces.len(), sigs.len()),
        (4, 4),
        "fresh nonce and signature per attempt"
    );

    // A gateway page, a dropped connection and a truncated body are retried too.
    sb.reset_stats();
    sb.faults().inject(P, Fault::Http(502), 1);
    sb.faults().inject(P, Fault::Drop, 1);
    sb.faults().inject(P, Fault::Truncate, 1);
    c.participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap();
    assert_eq!(sb.stats().requests_to(P), 4);

    // Four failures exhaust the three retries.
    sb.reset_stats();
    sb.faults().inject(P, Fault::VendorCode(960000), 4);
    let e = c
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert_eq!(e.vendor_code(), Some(960000));
    assert!(e.request_id().is_some(), "X-TC-Trace kept");
    assert_eq!(sb.stats().requests_to(P), 4);
}

#[tokio::test]
async fn not_found_and_forbidden_are_not_retried() {
    let sb = start(config()).await;
    let c = client(&sb);
    let e = c
        .participants_page(&ParticipantsParams::new("1234567890123456789"), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.vendor_code(), Some(9003));
    assert!(e.request_id().is_some());
    assert_eq!(sb.stats().requests_to(P), 1);

    // Injected 9003 (whatever status it comes with) is not retried either.
    sb.reset_stats();
    let m = meeting(&sb, "seed-oneoff");
    sb.faults().inject(DETAIL, Fault::VendorCode(9003), 1);
    let e = c.meeting_detail(&m.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(sb.stats().requests_to(DETAIL), 1);

    let other = meeting(&sb, "seed-other-owner");
    sb.reset_stats();
    let e = c
        .participants_page(&ParticipantsParams::new(&other.id), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.http_status(), Some(403));
    assert!(e.hint().is_some());
    assert_eq!(sb.stats().total_requests(), 1);
    // The enterprise admin may read it.
    let admin = builder(&sb)
        .operator_id(sb.credentials().tencent.admin_userid.unwrap())
        .build()
        .unwrap();
    let got: Vec<Attendee> = admin
        .attendees(&MeetingQuery::new(&other.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(
        &got,
        &sb.truth().tencent_participants(&other.id, None, None),
    );
}

#[tokio::test]
async fn replays_are_re_signed_once() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    sb.faults().inject(P, Fault::VendorCode(190301), 1);
    c.participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap();
    assert_eq!(sb.stats().requests_to(P), 2);
    sb.reset_stats();
    sb.faults().inject(P, Fault::VendorCode(200002), 2);
    let e = c
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Replay);
    assert_eq!(sb.stats().requests_to(P), 2, "one re-sign only");
}

#[tokio::test]
async fn clock_skew_is_one_clear_error_and_one_request() {
    let sb = start(config()).await;
    let c = builder(&sb)
        .clock(Arc::new(OffsetClock::new(time::Duration::minutes(10))))
        .build()
        .unwrap();
    let m = meeting(&sb, "seed-oneoff");
    let e = c
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ClockSkew);
    assert_eq!(e.vendor_code(), Some(190300));
    assert!(!e.is_retryable());
    assert!(e.hint().unwrap().contains("clock"));
    assert_eq!(sb.stats().total_requests(), 1);
    assert_eq!(sb.stats().rejections_of(P, "190300"), 1);
}

#[tokio::test]
async fn minute_rate_limit_waits_for_the_next_minute_then_surfaces() {
    let mut cfg = config();
    cfg.tencent.per_minute = 2;
    let sb = start(cfg).await;
    // A manual clock at the real time: waits are recorded instead of slept.
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    let c = builder(&sb).clock(Arc::new(clock.clone())).build().unwrap();
    let m = meeting(&sb, "seed-oneoff");
    let p = ParticipantsParams::new(&m.id);
    c.participants_page(&p, None).await.unwrap();
    c.participants_page(&p, None).await.unwrap();
    let e = c.participants_page(&p, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.vendor_code(), Some(190310));
    assert!(e.retry_after().unwrap() <= Duration::from_secs(60));
    let sleeps = clock.sleeps();
    assert_eq!(
        sleeps.len(),
        2,
        "two waits for the next minute, then surfaced"
    );
    assert!(sleeps.iter().all(|s| *s <= Duration::from_secs(61)));
    assert_eq!(sb.stats().rejections_of(P, "190310"), 3);
}

#[tokio::test]
async fn daily_rate_limit_is_surfaced_without_retry() {
    let mut cfg = config();
    cfg.tencent.per_day = 1;
    let sb = start(cfg).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let p = ParticipantsParams::new(&m.id);
    c.participants_page(&p, None).await.unwrap();
    let e = c.participants_page(&p, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.vendor_code(), Some(190311));
    let wait = e.retry_after().unwrap();
    assert!(wait > Duration::ZERO && wait <= Duration::from_secs(86_400));
    assert_eq!(sb.stats().requests_to(P), 2);
}
