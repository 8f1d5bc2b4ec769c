//! The shared machinery: start/shutdown, stats (also as JSON), raw request-target log, fault
//! injection of every kind (observed through the Tencent endpoints), clock control.

mod common;

use std::time::Duration;

use common::*;
use roster_sandbox::{
    ClockConfig, Fault, FaultConfig, FaultKind, Quirk, SandboxConfig, StatsSnapshot, Vendor,
};

async fn setup() -> (roster_sandbox::SandboxHandle, reqwest::Client, String) {
    let sb = start(small_config()).await;
    let id = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
    (sb, client(), id)
}

fn participants(id: &str) -> String {
    format!("/v1/meetings/{id}/participants?userid=owner1&size=5")
}

#[tokio::test]
async fn base_url_stats_route_and_raw_targets() {
    let (sb, c, id) = setup().await;
    assert_eq!(sb.base_url(), format!("http://{}", sb.addr()));
    assert!(sb.addr().ip().is_loopback());
    let creds = sb.credentials().tencent;
    // A hostile id: stays one path segment, is unknown, and is logged exactly as sent.
    let hostile = "/v1/meetings/..%2F..%2Fv1%2Fmeetings%2F1/participants?userid=owner1&x=%E4%B8%AD";
    tc_get(&sb, &c, &creds, hostile).await.assert_code(9003);
    tc_get(&sb, &c, &creds, &participants(&id))
        .await
        .assert_ok();
    let no_route = c
        .get(format!("{}/nope?a=b", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(no_route.status().as_u16(), 404);

    let snap = sb.stats();
    assert_eq!(snap.requests_to("tencent.participants"), 2);
    assert_eq!(snap.rejections_of("tencent.participants", "9003"), 1);
    assert_eq!(
        snap.raw_targets,
        vec![
            hostile.to_owned(),
            participants(&id),
            "/nope?a=b".to_owned()
        ]
    );

    let text = c
        .get(format!("{}/_sandbox/stats", sb.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let json: StatsSnapshot = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json, snap,
        "the stats route serves the same counters, and is not logged itself"
    );
    sb.reset_stats();
    assert_eq!(sb.stats(), StatsSnapshot::default());
    sb.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let (sb, c, _) = setup().await;
    let url = format!("{}/_sandbox/stats", sb.base_url());
    assert!(c.get(&url).send().await.is_ok());
    sb.shutdown().await;
    let fresh = client();
    assert!(fresh.get(&url).send().await.is_err());
}

#[tokio::test]
async fn manual_clock_controls_time_rules() {
    let (sb, c, id) = setup().await;
    let clock = sb.clock();
    assert!(clock.is_manual());
    assert_eq!(clock.unix(), T0);
    let creds = sb.credentials().tencent;
    // Signed for T0, sent after the clock moved 301 s: skew.
    let req = TcReq::get(&creds, &participants(&id), T0);
    clock.advance(Duration::from_secs(301));
    req.send(&c, &sb.base_url()).await.assert_code(190300);
    clock.set(T0);
    TcReq::get(&creds, &participants(&id), T0)
        .send(&c, &sb.base_url())
        .await
        .assert_ok();
}

#[tokio::test]
async fn scripted_faults_of_every_kind_are_observed() {
    let (sb, c, id) = setup().await;
    let creds = sb.credentials().tencent;
    let base = sb.base_url();
    let faults = sb.faults();
    let target = participants(&id);
    let normal = tc_get(&sb, &c, &creds, &target).await;
    normal.assert_ok();

    // HTTP 500 / 502 (HTML) / 503.
    for status in [500u16, 502, 503] {
        faults.inject("tencent.participants", Fault::Http(status), 1);
        let r = tc_get(&sb, &c, &creds, &target).await;
        assert_eq!(r.status, status);
        if status == 502 {
            assert!(r.text.contains("<html>"), "{}", r.text);
        }
        assert!(r.trace.is_some(), "X-TC-Trace on every response");
    }

    // Vendor transient codes alternate 41 and 5108; a given code; the rate-limit code.
    faults.inject("tencent.*", Fault::VendorTransient, 2);
    let a = tc_get(&sb, &c, &creds, &target).await;
    let b = tc_get(&sb, &c, &creds, &target).await;
    let mut codes = [a.code().unwrap(), b.code().unwrap()];
    codes.sort();
    assert_eq!(codes, [41, 5108]);
    assert_eq!(a.status, 500);
    faults.inject("tencent.participants", Fault::VendorCode(960000), 1);
    tc_get(&sb, &c, &creds, &target).await.assert_code(960000);
    faults.inject("tencent.participants", Fault::RateLimit, 1);
    let r = tc_get(&sb, &c, &creds, &target).await;
    r.assert_code(190310);
    assert_eq!(r.status, 500);

    // Truncated JSON: a complete response with half the real body.
    faults.inject("tencent.participants", Fault::Truncate, 1);
    let r = tc_get(&sb, &c, &creds, &target).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    assert!(normal.text.starts_with(&r.text) && r.text.len() == normal.text.len() / 2);

    // Dropped connection: headers arrive, the body fails.
    faults.inject("tencent.participants", Fault::Drop, 1);
    let req = TcReq::get(&creds, &target, sb.clock().unix());
    let mut rb = c.get(format!("{base}{}", req.target));
    for (k, v) in &req.headers {
        rb = rb.header(k.as_str(), v.as_str());
    }
    let resp = rb.send().await.expect("headers arrive");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.bytes().await.is_err(), "the body is cut off");

    // Latency and stall delay the answer but do not change it (no timing assertions: the stall
    // is shorter than the test client's timeout here, and a client timeout shows it is a stall).
    faults.inject(
        "tencent.participants",
        Fault::Latency(Duration::from_millis(10)),
        1,
    );
    tc_get(&sb, &c, &creds, &target).await.assert_ok();
    faults.set_stall(Duration::from_secs(60));
    faults.inject("tencent.participants", Fault::Stall, 1);
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let req = TcReq::get(&creds, &target, sb.clock().unix());
    let mut rb = quick.get(format!("{base}{}", req.target));
    for (k, v) in &req.headers {
        rb = rb.header(k.as_str(), v.as_str());
    }
    let err = rb
        .send()
        .await
        .expect_err("stalled past the client timeout");
    assert!(err.is_timeout(), "{err}");

    // Revoking tokens is a no-op for Tencent (no tokens): the call is served.
    faults.inject("tencent.participants", Fault::RevokeTokens, 1);
    tc_get(&sb, &c, &creds, &target).await.assert_ok();

    // Quirks reshape the same page.
    faults.inject(
        "tencent.participants",
        Fault::Quirk(Quirk::OmitTotalCount),
        1,
    );
    let r = tc_get(&sb, &c, &creds, &target).await;
    r.assert_ok();
    assert!(r.json.get("total_count").is_none());
    assert_eq!(r.json["participants"], normal.json["participants"]);

    let snap = sb.stats();
    for (kind, n) in [
        ("http_500", 1),
        ("http_502", 1),
        ("http_503", 1),
        ("vendor_transient", 2),
        ("vendor_code", 1),
        ("rate_limit", 1),
        ("truncate", 1),
        ("drop", 1),
        ("latency", 1),
        ("stall", 1),
        ("revoke_tokens", 1),
        ("quirk:omit_total_count", 1),
    ] {
        assert_eq!(snap.faults_of(kind), n, "{kind}: {:?}", snap.faults);
    }
    // Faults are not rejections.
    assert_eq!(snap.rejections_total("tencent.participants"), 0);
    assert!(faults.pending().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn faults_never_corrupt_positions() {
    let (sb, c, id) = setup().await;
    let creds = sb.credentials().tencent;
    let first = tc_get(&sb, &c, &creds, &participants(&id)).await;
    let pos = first.json["next_pos"].as_i64().expect("more than one page");
    let next = format!("{}&pos={pos}", participants(&id));
    let faults = sb.faults();
    for f in [
        Fault::Http(502),
        Fault::Truncate,
        Fault::Drop,
        Fault::VendorTransient,
    ] {
        faults.inject("tencent.participants", f, 1);
        let _ = TcReq::get(&creds, &next, sb.clock().unix())
            .send_lenient(&c, &sb.base_url())
            .await;
    }
    let a = tc_get(&sb, &c, &creds, &next).await;
    let b = tc_get(&sb, &c, &creds, &next).await;
    a.assert_ok();
    assert_eq!(
        a.text, b.text,
        "a retried position gets the same page and next_pos"
    );
    sb.shutdown().await;
}

trait Lenient {
    async fn send_lenient(&self, c: &reqwest::Client, base: &str) -> Option<String>;
}

impl Lenient for TcReq {
    async fn send_lenient(&self, c: &reqwest::Client, base: &str) -> Option<String> {
        let mut rb = c.get(format!("{base}{}", self.target));
        for (k, v) in &self.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        rb.send().await.ok()?.text().await.ok()
    }
}

#[tokio::test]
async fn random_faults_follow_the_seed_and_rate() {
    async fn run(seed: u64) -> Vec<u16> {
        let sb = start(SandboxConfig {
            seed,
            faults: FaultConfig {
                rate: 0.5,
                kinds: vec![FaultKind::Http500, FaultKind::Http503],
                ..FaultConfig::default()
            },
            ..small_config()
        })
        .await;
        let c = client();
        let creds = sb.credentials().tencent;
        let id = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(tc_get(&sb, &c, &creds, &participants(&id)).await.status);
        }
        let snap = sb.stats();
        let faulted = out.iter().filter(|s| **s != 200).count() as u64;
        assert_eq!(
            snap.faults_of("http_500") + snap.faults_of("http_503"),
            faulted
        );
        sb.shutdown().await;
        out
    }
    let a = run(1).await;
    assert_eq!(a, run(1).await, "same seed, same faults");
    let faulted = a.iter().filter(|s| **s != 200).count();
    assert!((8..=32).contains(&faulted), "{faulted} of 40 at rate 0.5");
    assert!(a.iter().all(|s| [200, 500, 503].contains(s)));
    assert_ne!(a, run(2).await, "another seed, other faults");
}

#[tokio::test]
async fn skip_then_fault_and_endpoint_patterns() {
    let (sb, c, id) = setup().await;
    let creds = sb.credentials().tencent;
    let faults = sb.faults();
    faults.inject_after("tencent.participants", 2, Fault::Http(503), 1);
    faults.inject("wecom.*", Fault::Http(500), 5);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(tc_get(&sb, &c, &creds, &participants(&id)).await.status);
    }
    assert_eq!(statuses, [200, 200, 503, 200]);
    assert_eq!(faults.pending().len(), 1, "the wecom rule is untouched");
    faults.clear();
    assert!(faults.pending().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn added_latency_applies_to_every_call_and_clock_offset_config() {
    let sb = start(SandboxConfig {
        clock: ClockConfig::Offset { secs: -7200 },
        faults: FaultConfig {
            latency: Some(Duration::from_millis(5)),
            ..FaultConfig::default()
        },
        ..small_config()
    })
    .await;
    let c = client();
    let creds = sb.credentials().tencent;
    let id = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
    // Signed with the sandbox's (shifted) clock: accepted; with the real clock: skew.
    tc_get(&sb, &c, &creds, &participants(&id))
        .await
        .assert_ok();
    let real_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    TcReq::get(&creds, &participants(&id), real_now)
        .send(&c, &sb.base_url())
        .await
        .assert_code(190300);
    sb.shutdown().await;
}

#[tokio::test]
async fn ground_truth_is_served_over_http() {
    let (sb, c, id) = setup().await;
    let get = |path: String| {
        let c = c.clone();
        let url = format!("{}{path}", sb.base_url());
        async move {
            let r = c.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.bytes().await.unwrap();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            )
        }
    };
    let truth = sb.truth();

    let (status, catalog) = get("/_sandbox/truth/catalog".into()).await;
    assert_eq!(status, 200);
    assert_eq!(catalog, serde_json::to_value(sb.catalog()).unwrap());

    let (status, rows) = get(format!("/_sandbox/truth/tencent/participants/{id}")).await;
    assert_eq!(status, 200);
    let expected = truth.tencent_participants(&id, None, None);
    assert!(!expected.is_empty());
    assert_eq!(rows, serde_json::Value::Array(expected));
    let (_, detail) = get(format!("/_sandbox/truth/tencent/meeting/{id}")).await;
    assert_eq!(Some(detail), truth.tencent_meeting_detail(&id));

    let wecom = meeting(&sb, Vendor::WeCom, "seed-oneoff").id;
    let (_, rows) = get(format!("/_sandbox/truth/wecom/attendees/{wecom}")).await;
    assert_eq!(
        rows,
        serde_json::Value::Array(truth.wecom_attendees(&wecom, None, None))
    );
    let (_, rows) = get(format!(
        "/_sandbox/truth/wecom/enrollments/{wecom}?status=2"
    ))
    .await;
    assert_eq!(
        rows,
        serde_json::Value::Array(truth.wecom_enrollments(&wecom, Some(2)))
    );

    let quanshi = meeting(&sb, Vendor::Quanshi, "seed-single").id;
    let (_, report) = get(format!("/_sandbox/truth/quanshi/report/{quanshi}")).await;
    assert_eq!(Some(report), truth.quanshi_report_v2(&quanshi));

    // Unknown meetings, kinds and malformed parameters are told apart.
    let (status, rows) = get("/_sandbox/truth/tencent/participants/404".into()).await;
    assert_eq!((status, rows), (200, serde_json::json!([])));
    let (status, _) = get("/_sandbox/truth/tencent/meeting/404".into()).await;
    assert_eq!(status, 404);
    let (status, _) = get(format!("/_sandbox/truth/tencent/nothing/{id}")).await;
    assert_eq!(status, 404);
    let (status, body) = get(format!("/_sandbox/truth/tencent/enroll/{id}?status=x")).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("status"));
    let (status, _) = get(format!(
        "/_sandbox/truth/tencent/participants/{id}?start_time=1"
    ))
    .await;
    assert_eq!(status, 400);
    sb.shutdown().await;
}
