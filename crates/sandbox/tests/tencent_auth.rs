//! Tencent authentication rules (docs/specs/tencent-meeting.md §2, §9 item 1), over raw HTTP.

mod common;

use common::*;
use proptest::prelude::*;
use roster_sandbox::{
    ClockConfig, Fixture, SandboxConfig, SandboxHandle, TencentConfig, TencentCredentials, Vendor,
};

/// Vector B of docs/specs/tencent-meeting.md §2.5, verbatim.
const VB_TARGET: &str = "/v1/meetings/144115214488302892/participants?pos=0&size=100&userid=owner1";
const VB_NONCE: &str = "2095528619";
const VB_TS: i64 = 1_586_675_334;
const VB_SIG: &str =
    "ZjUzNGY4MDYwNmJhNGUxZjZkMWE5ZTE4NzMxNzAzOGRjMGNiMDU4OTAyYWEyZmE5MTM5OWI1NzdhNTgwMzVmNw==";

fn vector_fixture() -> Fixture {
    Fixture::from_json(
        r#"{"meetings":[{"label":"doc-example","vendors":["tencent"],"id":"144115214488302892",
            "code":"746950080","subject":"Test Meeting","creator":"owner1",
            "start":1586600000,"end":1586603600,
            "attendees":[{"userid":"test2","name":"test2","sessions":[{"join":1586600100,"leave":1586603000}]}]}]}"#,
    )
    .unwrap()
}

async fn vector_sandbox() -> SandboxHandle {
    start(SandboxConfig {
        clock: ClockConfig::Manual { start_unix: VB_TS },
        fixture: Some(vector_fixture()),
        ..small_config()
    })
    .await
}

fn vector_b(creds: &TencentCredentials) -> TcReq {
    let mut r = TcReq::signed(
        creds,
        "GET",
        VB_TARGET,
        "",
        VB_TS,
        VB_NONCE.parse().unwrap(),
    );
    r = r.with("X-TC-Signature", VB_SIG);
    r
}

#[tokio::test]
async fn spec_vector_b_is_accepted_at_its_timestamp_and_any_changed_byte_fails() {
    let sb = vector_sandbox().await;
    let c = client();
    let base = sb.base_url();
    let creds = sb.credentials().tencent;
    assert_eq!(creds.secret_id, "aSecretId");
    // The test's own signer (written from the spec) agrees with the published value.
    assert_eq!(
        tc_signature(
            "aSecretKey",
            "GET",
            "aSecretId",
            VB_NONCE,
            &VB_TS.to_string(),
            VB_TARGET,
            ""
        ),
        VB_SIG
    );

    // Changed bytes first (nothing is recorded for a bad signature), then the vector itself.
    let changed_targets = [
        VB_TARGET.replace("size=100", "size=10"),
        VB_TARGET.replace("pos=0&size=100", "size=100&pos=0"),
        VB_TARGET.replace("owner1", "owner%31"),
        VB_TARGET.replace("owner1", "Owner1"),
        format!("{VB_TARGET}&"),
    ];
    for t in &changed_targets {
        let mut r = vector_b(&creds);
        r.target = t.clone();
        let reply = r.send(&c, &base).await;
        reply.assert_code(200003);
        assert_eq!(reply.status, 400);
        assert_eq!(reply.json["error_info"]["message"], "Signature failed!");
    }
    vector_b(&creds)
        .with("X-TC-Nonce", "2095528618")
        .send(&c, &base)
        .await
        .assert_code(200003);
    vector_b(&creds)
        .with("X-TC-Timestamp", "1586675335")
        .send(&c, &base)
        .await
        .assert_code(200003);
    let mut with_body = vector_b(&creds);
    with_body.body = "x".into();
    with_body.send(&c, &base).await.assert_code(200003);
    let mut sig = VB_SIG.as_bytes().to_vec();
    sig[5] = b'A';
    vector_b(&creds)
        .with("X-TC-Signature", std::str::from_utf8(&sig).unwrap())
        .send(&c, &base)
        .await
        .assert_code(200003);
    // The wrong variants of §2.5: raw-digest Base64 and upper-case hex.
    vector_b(&creds)
        .with(
            "X-TC-Signature",
            "9TT4Bga6Th9tGp4YcxcDjcDLBYkCqi+pE5m1d6WANfc=",
        )
        .send(&c, &base)
        .await
        .assert_code(200003);
    let upper = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(
            "f534f80606ba4e1f6d1a9e187317038dc0cb058902aa2fa91399b577a58035f7".to_uppercase(),
        )
    };
    vector_b(&creds)
        .with("X-TC-Signature", &upper)
        .send(&c, &base)
        .await
        .assert_code(200003);
    // Another SecretKey (the second app's) with the first app's headers.
    let other = &sb.credentials().tencent_apps[1];
    let wrong_key = tc_signature(
        &other.secret_key,
        "GET",
        "aSecretId",
        VB_NONCE,
        "1586675334",
        VB_TARGET,
        "",
    );
    vector_b(&creds)
        .with("X-TC-Signature", &wrong_key)
        .send(&c, &base)
        .await
        .assert_code(200003);

    let ok = vector_b(&creds).send(&c, &base).await;
    ok.assert_ok();
    assert_eq!(ok.json["meeting_id"], "144115214488302892");
    assert_eq!(ok.json["participants"][0]["userid"], "test2");
    assert!(ok.trace.is_some());

    // The same (AppId, nonce, timestamp) again: replay.
    let again = vector_b(&creds).send(&c, &base).await;
    again.assert_code(190301);
    assert_eq!(again.status, 400);
    let snap = sb.stats();
    assert_eq!(snap.rejections_of("tencent.participants", "200003"), 12);
    assert_eq!(snap.rejections_of("tencent.participants", "190301"), 1);
    sb.shutdown().await;
}

fn oneoff(sb: &SandboxHandle) -> String {
    let id = meeting(sb, Vendor::Tencent, "seed-oneoff").id;
    format!("/v1/meetings/{id}/participants?userid=owner1&size=5")
}

#[tokio::test]
async fn missing_or_malformed_headers_give_200001() {
    let sb = start(small_config()).await;
    let c = client();
    let base = sb.base_url();
    let creds = sb.credentials().tencent;
    let target = oneoff(&sb);
    for name in [
        "X-TC-Key",
        "X-TC-Timestamp",
        "X-TC-Nonce",
        "X-TC-Signature",
        "AppId",
    ] {
        let r = TcReq::get(&creds, &target, T0)
            .without(name)
            .send(&c, &base)
            .await;
        r.assert_code(200001);
        assert_eq!(r.status, 400);
        assert!(r.trace.is_some());
        TcReq::get(&creds, &target, T0)
            .with(name, "")
            .send(&c, &base)
            .await
            .assert_code(200001);
    }
    let timestamps = [
        "abc",
        "-5",
        "+1700000000",
        "1700000000.0",
        "99999999999999999999",
    ];
    let nonces = ["0", "00", "-1", "12a", "18446744073709551616"];
    let malformed = (timestamps.map(|v| ("X-TC-Timestamp", v)).into_iter())
        .chain(nonces.map(|v| ("X-TC-Nonce", v)));
    for (name, value) in malformed {
        TcReq::get(&creds, &target, T0)
            .with(name, value)
            .send(&c, &base)
            .await
            .assert_code(200001);
    }
    // Nonces span the whole unsigned 64-bit range (the official Go SDK's is a `uint64`), so
    // both sides of 2^63 and the largest are fine (when signed with them).
    for n in [
        9_223_372_036_854_775_807,
        9_223_372_036_854_775_808,
        u64::MAX,
    ] {
        TcReq::signed(&creds, "GET", &target, "", T0, n)
            .send(&c, &base)
            .await
            .assert_ok();
    }
    // Header names are matched case-insensitively.
    let mut lower = TcReq::get(&creds, &target, T0);
    for (k, _) in lower.headers.iter_mut() {
        *k = k.to_ascii_lowercase();
    }
    lower.send(&c, &base).await.assert_ok();
    sb.shutdown().await;
}

#[tokio::test]
async fn key_appid_and_sdkid_rules() {
    let sb = start(small_config()).await;
    let c = client();
    let base = sb.base_url();
    let apps = sb.credentials().tencent_apps;
    let (a, b) = (&apps[0], &apps[1]);
    assert!(a.sdk_id.is_none() && b.sdk_id.is_some());
    let target = oneoff(&sb);
    let mut stranger = a.clone();
    stranger.secret_id = "nobody".into();
    for (req, code) in [
        // Unknown key (correctly signed with it), and an AppId not bound to the key.
        (TcReq::get(&stranger, &target, T0), Some(190303)),
        (
            TcReq::get(a, &target, T0).with("AppId", &b.app_id),
            Some(190303),
        ),
        // App without an SdkId: none or empty is fine, any value is refused.
        (TcReq::get(a, &target, T0), None),
        (TcReq::get(a, &target, T0).with("SdkId", ""), None),
        (
            TcReq::get(a, &target, T0).with("SdkId", "18000000002"),
            Some(190303),
        ),
        // App with an SdkId: required and exact.
        (TcReq::get(b, &target, T0), None),
        (TcReq::get(b, &target, T0).without("SdkId"), Some(190303)),
        (TcReq::get(b, &target, T0).with("SdkId", ""), Some(190303)),
        (
            TcReq::get(b, &target, T0).with("SdkId", "18000000003"),
            Some(190303),
        ),
    ] {
        let r = req.send(&c, &base).await;
        r.assert_outcome(code);
        assert_eq!(r.status, if code.is_some() { 400 } else { 200 });
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn skew_is_checked_both_ways_with_300_s_accepted() {
    let sb = start(small_config()).await;
    let c = client();
    let base = sb.base_url();
    let creds = sb.credentials().tencent;
    let target = oneoff(&sb);
    for (ts, ok) in [
        (T0 - 300, true),
        (T0 + 300, true),
        (T0 - 301, false),
        (T0 + 301, false),
        (0, false),
    ] {
        let r = TcReq::get(&creds, &target, ts).send(&c, &base).await;
        if ok {
            r.assert_ok();
        } else {
            r.assert_code(190300);
            assert_eq!(r.status, 400);
        }
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn replay_is_per_app_recorded_after_a_good_signature_and_expires() {
    let sb = start(small_config()).await;
    let c = client();
    let base = sb.base_url();
    let apps = sb.credentials().tencent_apps;
    let target = oneoff(&sb);
    let n = nonce();
    let req = TcReq::signed(&apps[0], "GET", &target, "", T0, n);
    // A bad signature with that nonce/timestamp does not burn it.
    req.clone()
        .with("X-TC-Signature", "bad")
        .send(&c, &base)
        .await
        .assert_code(200003);
    req.send(&c, &base).await.assert_ok();
    req.send(&c, &base).await.assert_code(190301);
    // Same nonce, another timestamp: a different key.
    TcReq::signed(&apps[0], "GET", &target, "", T0 + 1, n)
        .send(&c, &base)
        .await
        .assert_ok();
    // Same nonce and timestamp from the other app: replay detection is per AppId.
    TcReq::signed(&apps[1], "GET", &target, "", T0, n)
        .send(&c, &base)
        .await
        .assert_ok();
    // Replay wins over later checks (X-TC-Registered), since it comes first.
    req.clone()
        .without("X-TC-Registered")
        .send(&c, &base)
        .await
        .assert_code(190301);
    // 300 s later the key is still remembered; the timestamp is exactly at the skew limit.
    sb.clock().set(T0 + 300);
    req.send(&c, &base).await.assert_code(190301);

    // The window follows the request's own timestamp: stamped 299 s ahead, it stays valid (and
    // remembered) for 599 s, not 300 s from its arrival.
    sb.clock().set(T0 + 1000);
    let ahead = TcReq::signed(&apps[0], "GET", &target, "", T0 + 1299, nonce());
    ahead.send(&c, &base).await.assert_ok();
    sb.clock().set(T0 + 1302);
    ahead.send(&c, &base).await.assert_code(190301);
    sb.clock().set(T0 + 1599);
    ahead.send(&c, &base).await.assert_code(190301);
    sb.shutdown().await;
}

#[tokio::test]
async fn x_tc_registered_must_be_1_on_every_endpoint() {
    let sb = start(small_config()).await;
    let c = client();
    let base = sb.base_url();
    let creds = sb.credentials().tencent;
    let id = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
    for target in [
        oneoff(&sb),
        format!("/v1/meetings/{id}?operator_id=owner1&operator_id_type=1&instanceid=1"),
        format!(
            "/v1/meetings/{id}/enroll/approvals?operator_id=owner1&operator_id_type=1&instanceid=1&page=1&page_size=10"
        ),
        format!("/v1/meetings/{id}/invitees?userid=owner1&instanceid=1"),
    ] {
        TcReq::get(&creds, &target, T0)
            .send(&c, &base)
            .await
            .assert_ok();
        let r = TcReq::get(&creds, &target, T0)
            .without("X-TC-Registered")
            .send(&c, &base)
            .await;
        r.assert_code(81101);
        assert_eq!(r.status, 400);
        TcReq::get(&creds, &target, T0)
            .with("X-TC-Registered", "0")
            .send(&c, &base)
            .await
            .assert_code(81101);
        TcReq::get(&creds, &target, T0)
            .with("X-TC-Registered", "true")
            .send(&c, &base)
            .await
            .assert_code(81101);
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn per_minute_per_endpoint_and_per_day_limits() {
    let sb = start(SandboxConfig {
        tencent: TencentConfig {
            per_minute: 3,
            per_day: 5,
            ..TencentConfig::default()
        },
        // 2023-11-14 23:59:00 UTC+8 is 15:59:00 UTC: one minute before the UTC+8 day ends.
        clock: ClockConfig::Manual {
            start_unix: 1_699_977_540,
        },
        ..small_config()
    })
    .await;
    let c = client();
    let base = sb.base_url();
    let apps = sb.credentials().tencent_apps;
    let target = oneoff(&sb);
    let clock = sb.clock();
    let send = |app: usize| {
        let r = TcReq::get(&apps[app], &target, clock.unix());
        let (c, base) = (c.clone(), base.clone());
        async move { r.send(&c, &base).await }
    };
    for _ in 0..3 {
        send(0).await.assert_ok();
    }
    let r = send(0).await;
    r.assert_code(190310);
    assert_eq!(r.status, 500);
    // Per AppId: the other app still has its budget.
    send(1).await.assert_ok();
    // Next calendar minute (still the same UTC+8 day): allowed again until the day limit.
    clock.set(1_699_977_600 - 1);
    send(0).await.assert_code(190310);
    clock.set(1_699_977_600 - 60 + 59);
    clock.advance(std::time::Duration::from_secs(1));
    // 2023-11-15 00:00:00 UTC+8: a new minute and a new day.
    assert_eq!(clock.unix(), 1_699_977_600);
    send(0).await.assert_ok();
    sb.shutdown().await;

    // Day limit within one day.
    let sb = start(SandboxConfig {
        tencent: TencentConfig {
            per_minute: 100,
            per_day: 5,
            per_minute_per_endpoint: Some(100),
            ..TencentConfig::default()
        },
        ..small_config()
    })
    .await;
    let creds = sb.credentials().tencent;
    let target = oneoff(&sb);
    for i in 0..6 {
        sb.clock().advance(std::time::Duration::from_secs(61));
        let r = tc_get(&sb, &c, &creds, &target).await;
        if i < 5 {
            r.assert_ok();
        } else {
            r.assert_code(190311);
            assert_eq!(r.status, 500);
        }
    }
    sb.shutdown().await;

    // Per-endpoint minute limit.
    let sb = start(SandboxConfig {
        tencent: TencentConfig {
            per_minute_per_endpoint: Some(2),
            ..TencentConfig::default()
        },
        ..small_config()
    })
    .await;
    let creds = sb.credentials().tencent;
    let target = oneoff(&sb);
    tc_get(&sb, &c, &creds, &target).await.assert_ok();
    tc_get(&sb, &c, &creds, &target).await.assert_ok();
    tc_get(&sb, &c, &creds, &target).await.assert_code(190313);
    let id = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
    tc_get(
        &sb,
        &c,
        &creds,
        &format!("/v1/meetings/{id}/invitees?userid=owner1&instanceid=1"),
    )
    .await
    .assert_ok();
    sb.shutdown().await;
}

#[tokio::test]
async fn new_error_code_by_default_a_switch_to_omit_it_and_unsupported_methods() {
    let sb = start(small_config()).await;
    let c = client();
    let base = sb.base_url();
    let creds = sb.credentials().tencent;
    let r = tc_get(
        &sb,
        &c,
        &creds,
        &format!("{}&size=0", oneoff(&sb).replace("&size=5", "")),
    )
    .await;
    r.assert_code(190004);
    assert_eq!(
        r.json["error_info"]["new_error_code"], 1000190004_i64,
        "on by default: the official SDKs parse only errors that have it"
    );
    let post = TcReq::signed(&creds, "POST", &oneoff(&sb), "{}", T0, nonce())
        .send(&c, &base)
        .await;
    post.assert_code(200004);
    assert!(post.trace.is_some());
    sb.shutdown().await;

    let sb = start(SandboxConfig {
        tencent: TencentConfig {
            new_error_code: false,
            ..TencentConfig::default()
        },
        ..small_config()
    })
    .await;
    let r = tc_get(
        &sb,
        &c,
        &creds,
        &format!("{}&size=0", oneoff(&sb).replace("&size=5", "")),
    )
    .await;
    r.assert_code(190004);
    assert!(
        r.json["error_info"].get("new_error_code").is_none(),
        "omitted with the switch off"
    );
    sb.shutdown().await;
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "[0-9]{0,25}",
        Just(String::new()),
        "\\PC{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Garbage headers, targets and bodies always get an error envelope, never a panic, and the
    /// server keeps serving.
    #[test]
    fn garbage_requests_get_error_envelopes(
        key in header_value(),
        ts in header_value(),
        nonce_v in header_value(),
        sig in header_value(),
        app in header_value(),
        registered in header_value(),
        sdk in proptest::option::of(header_value()),
        query in "[ -~]{0,60}",
        body in proptest::collection::vec(any::<u8>(), 0..64),
        endpoint in 0usize..4,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let sb = start(small_config()).await;
            let c = client();
            let id = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
            let path = ["/participants", "", "/enroll/approvals", "/invitees"][endpoint];
            let url = format!("{}/v1/meetings/{id}{path}?{}", sb.base_url(), query);
            let mut rb = c.get(&url).body(body);
            for (k, v) in [("X-TC-Key", &key), ("X-TC-Timestamp", &ts), ("X-TC-Nonce", &nonce_v),
                           ("X-TC-Signature", &sig), ("AppId", &app), ("X-TC-Registered", &registered)] {
                if let Ok(hv) = reqwest::header::HeaderValue::from_bytes(v.as_bytes()) {
                    rb = rb.header(k, hv);
                }
            }
            if let Some(s) = &sdk && let Ok(hv) = reqwest::header::HeaderValue::from_bytes(s.as_bytes()) {
                rb = rb.header("SdkId", hv);
            }
            if let Ok(resp) = rb.send().await {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap();
                // Requests the HTTP layer refuses never reach the emulator; everything else gets
                // a Tencent error.
                if status != 400 || !text.is_empty() {
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                    assert!(v["error_info"]["error_code"].as_i64().is_some(), "{text}");
                }
            }
            let creds = sb.credentials().tencent;
            tc_get(&sb, &c, &creds, &oneoff(&sb)).await.assert_ok();
            sb.shutdown().await;
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Correctly signed requests with garbage query strings reach the parameter checks: they get
    /// a page or a Tencent error, never a panic.
    #[test]
    fn signed_garbage_queries_get_pages_or_errors(
        query in "[ -~]{0,80}",
        endpoint in 0usize..4,
        label in prop_oneof![Just("seed-oneoff"), Just("seed-recurring"), Just("seed-webinar")],
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let sb = start(small_config()).await;
            let c = client();
            let creds = sb.credentials().tencent;
            let id = meeting(&sb, Vendor::Tencent, label).id;
            let path = ["/participants", "", "/enroll/approvals", "/invitees"][endpoint];
            let Ok(url) = reqwest::Url::parse(&format!("{}/v1/meetings/{id}{path}?userid=owner1&{query}", sb.base_url())) else {
                return;
            };
            // Sign what actually goes on the wire.
            let target = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            };
            let req = TcReq::get(&creds, &target, T0);
            let mut rb = c.get(url.clone());
            for (k, v) in &req.headers {
                rb = rb.header(k.as_str(), v.as_str());
            }
            let resp = rb.send().await.unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            if status == 200 {
                assert!(v.get("error_info").is_none(), "{text}");
            } else {
                let code = v["error_info"]["error_code"].as_i64().unwrap();
                assert_ne!(code, 200003, "signature of {target} must verify: {text}");
            }
            sb.shutdown().await;
        });
    }
}
