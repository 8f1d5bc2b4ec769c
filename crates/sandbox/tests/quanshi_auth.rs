//! Quanshi authentication (docs/specs/quanshi.md §2, §9 items 3–4) over raw HTTP: CheckSum vectors, every `403`
//! cause, replay and skew with a manual clock, tokens (creation, expiry, revocation, placement).

mod common;
mod quanshi_common;

use common::small_config;
use proptest::prelude::*;
use quanshi_common::*;
use roster_sandbox::{ClockConfig, Fault, QuanshiConfig, SandboxConfig, Vendor};
use serde_json::{Value, json};

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn replace(
    mut headers: Vec<(String, String)>,
    name: &str,
    value: Option<&str>,
) -> Vec<(String, String)> {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    if let Some(v) = value {
        headers.push((name.to_owned(), v.to_owned()));
    }
    headers
}

#[test]
fn test_side_checksum_matches_the_spec_vectors() {
    assert_eq!(
        checksum("aSecretKey", "571163", "1638341017999"),
        "d0bf6c73276195afef2151e0ecb67b6963b22cbe"
    );
    assert_eq!(
        checksum("aSecretKey", "a1b2c3d4e5f6", "1654580475434"),
        "3182719e5badc42b2130f9a73ae1257cac79fdcf"
    );
}

#[tokio::test]
async fn spec_vectors_are_accepted_at_their_time_and_upper_case_is_refused() {
    let qs = Qs::new(SandboxConfig {
        clock: ClockConfig::Manual {
            start_unix: 1_638_341_017,
        },
        ..small_config()
    })
    .await;
    assert_eq!(qs.creds.app_secret, "aSecretKey", "the spec's secret");
    qs.sb.clock().set_millis(1_638_341_017_999);
    let vector_a = h(&[
        ("AppKey", &qs.creds.app_key),
        ("Nonce", "571163"),
        ("CurTime", "1638341017999"),
        ("CheckSum", "d0bf6c73276195afef2151e0ecb67b6963b22cbe"),
    ]);
    let admin = json!({"userId": qs.creds.admin_user_id});
    // Upper case first: refused, and it does not burn the nonce.
    let upper = replace(
        vector_a.clone(),
        "CheckSum",
        Some("D0BF6C73276195AFEF2151E0ECB67B6963B22CBE"),
    );
    let r = qs.post(TOKEN, &upper, &admin).await;
    r.assert_code(403);
    assert!(r.msg().contains("lower-case"), "{}", r.text);
    let r = qs.post(TOKEN, &vector_a, &admin).await;
    r.assert_code(200);
    assert_eq!(r.json["data"]["token"].as_str().unwrap().len(), 32);

    // Vector B on a confopenapi endpoint, with AppId instead of AppKey.
    qs.sb.clock().set_millis(1_654_580_475_434);
    let single = qs.meeting("seed-single");
    let vector_b = h(&[
        ("AppId", &qs.creds.app_key),
        ("Nonce", "a1b2c3d4e5f6"),
        ("CurTime", "1654580475434"),
        ("CheckSum", "3182719e5badc42b2130f9a73ae1257cac79fdcf"),
    ]);
    qs.post(V2, &vector_b, &json!({"eventId": Qs::event(&single)}))
        .await
        .assert_code(0);
    let stats = qs.sb.stats();
    assert_eq!(stats.rejections_of("quanshi.token_create", "403"), 1);
    assert_eq!(stats.tokens_of(Vendor::Quanshi), 1);
}

#[tokio::test]
async fn every_signature_rule_gives_403() {
    let qs = Qs::new(small_config()).await;
    let now = qs.sb.clock().unix_millis();
    let body = json!({"eventId": Qs::event(&qs.meeting("seed-single"))});
    let key = qs.creds.app_key.clone();
    let good = |n: &str| qs.sig(n, now);

    let long_nonce = "x".repeat(129);
    let cases: Vec<(&str, Vec<(String, String)>)> = vec![
        (
            "AppKey and AppId differ",
            replace(good(&fresh_nonce()), "AppId", Some("other-app")),
        ),
        (
            "no key header",
            replace(good(&fresh_nonce()), "AppKey", None),
        ),
        (
            "unknown key",
            replace(good(&fresh_nonce()), "AppKey", Some("unknown-app")),
        ),
        (
            "unknown key as AppId",
            replace(
                replace(good(&fresh_nonce()), "AppKey", None),
                "AppId",
                Some("unknown-app"),
            ),
        ),
        ("empty nonce", {
            let mut v = qs.sig("", now);
            v = replace(v, "Nonce", Some(""));
            v
        }),
        ("no nonce", replace(good(&fresh_nonce()), "Nonce", None)),
        ("nonce of 129 characters", qs.sig(&long_nonce, now)),
        ("no CurTime", replace(good(&fresh_nonce()), "CurTime", None)),
        (
            "CurTime not digits",
            qs.sig_text(&fresh_nonce(), &format!("{now}.0")),
        ),
        (
            "CurTime negative",
            qs.sig_text(&fresh_nonce(), &format!("-{now}")),
        ),
        (
            "CurTime in seconds",
            qs.sig_text(&fresh_nonce(), &(now / 1000).to_string()),
        ),
        (
            "CurTime overflowing",
            qs.sig_text(&fresh_nonce(), "99999999999999999999999"),
        ),
        (
            "no CheckSum",
            replace(good(&fresh_nonce()), "CheckSum", None),
        ),
        ("upper-case CheckSum", {
            let v = good(&fresh_nonce());
            let upper = v
                .iter()
                .find(|(k, _)| k == "CheckSum")
                .unwrap()
                .1
                .to_uppercase();
            replace(v, "CheckSum", Some(&upper))
        }),
        ("CheckSum of another secret", {
            let n = fresh_nonce();
            let cur = now.to_string();
            replace(
                good(&n),
                "CheckSum",
                Some(&checksum("bSecretKey", &n, &cur)),
            )
        }),
        ("CheckSum with a separator", {
            let n = fresh_nonce();
            let cur = now.to_string();
            replace(
                good(&n),
                "CheckSum",
                Some(&checksum(&qs.creds.app_secret, &format!("{n}&"), &cur)),
            )
        }),
    ];
    for (what, headers) in &cases {
        let r = qs.post(V2, headers, &body).await;
        assert_eq!(r.code(), Some(403), "{what}: {}", r.text);
        assert_eq!(r.status, 200, "{what}: business errors are HTTP 200");
    }
    assert_eq!(
        qs.sb.stats().rejections_of("quanshi.report_v2", "403"),
        cases.len() as u64
    );

    // The accepted variants: AppId alone, both with the same value, a 128-character nonce.
    let appid_only = replace(
        replace(good(&fresh_nonce()), "AppKey", None),
        "AppId",
        Some(&key),
    );
    qs.post(V2, &appid_only, &body).await.assert_code(0);
    let both = replace(good(&fresh_nonce()), "AppId", Some(&key));
    qs.post(V2, &both, &body).await.assert_code(0);
    let n128 = format!("{}{}", "y".repeat(127), now % 10);
    qs.post(V2, &qs.sig(&n128, now), &body).await.assert_code(0);
    // Header names are case-insensitive on the wire.
    let lower: Vec<(String, String)> = good(&fresh_nonce())
        .into_iter()
        .map(|(k, v)| (k.to_lowercase(), v))
        .collect();
    qs.post(V2, &lower, &body).await.assert_code(0);
}

#[tokio::test]
async fn curtime_must_be_within_300000_ms_of_the_sandbox_clock() {
    let qs = Qs::new(small_config()).await;
    let clock = qs.sb.clock();
    let body = json!({"eventId": Qs::event(&qs.meeting("seed-single"))});
    let now = clock.unix_millis();
    for (offset, ok) in [
        (-300_000, true),
        (300_000, true),
        (-300_001, false),
        (300_001, false),
        (-86_400_000, false),
        (0, true),
    ] {
        let r = qs
            .post(V2, &qs.sig(&fresh_nonce(), now + offset), &body)
            .await;
        if ok {
            r.assert_code(0);
        } else {
            r.assert_code(403);
            assert!(r.msg().contains("skew"), "a clock-skew message: {}", r.text);
        }
    }
    // A request signed now goes stale when the clock moves on.
    let n = fresh_nonce();
    let signed_now = qs.sig(&n, now);
    clock.advance(std::time::Duration::from_millis(300_001));
    qs.post(V2, &signed_now, &body).await.assert_code(403);
    // The nonce was not burned by the stale attempt: re-signed at the new time it passes.
    qs.post(V2, &qs.sig(&n, clock.unix_millis()), &body)
        .await
        .assert_code(0);
}

#[tokio::test]
async fn a_nonce_is_refused_for_five_minutes_after_a_good_request() {
    let qs = Qs::new(small_config()).await;
    let clock = qs.sb.clock();
    let body = json!({"eventId": Qs::event(&qs.meeting("seed-single"))});
    let n = fresh_nonce();
    qs.post(V2, &qs.sig(&n, clock.unix_millis()), &body)
        .await
        .assert_code(0);
    // Same nonce, new CurTime and CheckSum: still a replay, on any endpoint of the key.
    clock.advance(std::time::Duration::from_millis(1_000));
    let r = qs.post(V2, &qs.sig(&n, clock.unix_millis()), &body).await;
    r.assert_code(403);
    assert!(r.msg().contains("replay"), "{}", r.text);
    let admin = json!({"userId": qs.creds.admin_user_id});
    qs.post(TOKEN, &qs.sig(&n, clock.unix_millis()), &admin)
        .await
        .assert_code(403);
    // Exactly five minutes after the first use: still refused; one millisecond later: accepted.
    clock.advance(std::time::Duration::from_millis(299_000));
    qs.post(V2, &qs.sig(&n, clock.unix_millis()), &body)
        .await
        .assert_code(403);
    clock.advance(std::time::Duration::from_millis(1));
    qs.post(V2, &qs.sig(&n, clock.unix_millis()), &body)
        .await
        .assert_code(0);

    // A request with a bad CheckSum does not burn its nonce.
    let m = fresh_nonce();
    let bad = replace(
        qs.sig(&m, clock.unix_millis()),
        "CheckSum",
        Some(&"0".repeat(40)),
    );
    qs.post(V2, &bad, &body).await.assert_code(403);
    qs.post(V2, &qs.sig(&m, clock.unix_millis()), &body)
        .await
        .assert_code(0);
}

#[tokio::test]
async fn token_create_rules() {
    let qs = Qs::new(small_config()).await;
    let admin = qs.creds.admin_user_id;
    // Signature headers are required, even with a token.
    let token = qs.token().await;
    let r = qs.with_token(&token, TOKEN, json!({"userId": admin})).await;
    r.assert_code(403);
    assert_eq!(r.json["data"], Value::Null);
    assert!(r.json["timeStamp"].is_i64() && r.json["requestId"].is_string());
    qs.post(TOKEN, &[], &json!({"userId": admin}))
        .await
        .assert_code(403);
    // userId: the configured administrator only.
    qs.signed(TOKEN, json!({})).await.assert_code(400);
    qs.signed(TOKEN, json!({"userId": admin + 1}))
        .await
        .assert_code(400);
    qs.signed(TOKEN, json!({"userId": qs.creds.host_user_id}))
        .await
        .assert_code(400);
    qs.signed(TOKEN, json!({"userId": "not a number"}))
        .await
        .assert_code(400);
    qs.send("POST", TOKEN, &qs.fresh_sig(), "not json")
        .await
        .assert_code(400);
    // A digit string is accepted as an id.
    let r = qs.signed(TOKEN, json!({"userId": admin.to_string()})).await;
    r.assert_code(200);
    assert_eq!(r.json["msg"], "Successfully to create the token!");
    let data = &r.json["data"];
    let t1 = data["token"].as_str().unwrap().to_owned();
    assert_eq!(t1.len(), 32);
    assert!(
        t1.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(data["expire"], 86_400);
    assert_eq!(data["createTime"], qs.sb.clock().unix_millis());
    assert_eq!(data["customerCode"], "0001");
    assert!(data.get("productId").is_some());
    assert_eq!(r.json["timeStamp"], qs.sb.clock().unix_millis());
    // Earlier tokens stay valid; every token is new.
    let t2 = qs.token().await;
    assert_ne!(t1, t2);
    assert_ne!(token, t1);
    let body = json!({"eventId": Qs::event(&qs.meeting("seed-single"))});
    for t in [&token, &t1, &t2] {
        qs.with_token(t, V2, body.clone()).await.assert_code(0);
    }
    assert_eq!(qs.sb.stats().tokens_of(Vendor::Quanshi), 3);
    assert_eq!(qs.sb.truth().quanshi_active_tokens(), 3);
}

#[tokio::test]
async fn token_placement_header_body_or_both() {
    let qs = Qs::new(small_config()).await;
    let t = qs.token().await;
    let other = qs.token().await;
    let event = Qs::event(&qs.meeting("seed-single"));
    let body = json!({"eventId": event});
    let with_body_token = |tok: &str| json!({"eventId": event, "token": tok});
    let header = |tok: &str| vec![("token".to_owned(), tok.to_owned())];

    qs.post(V2, &header(&t), &body).await.assert_code(0);
    qs.post(V2, &[], &with_body_token(&t)).await.assert_code(0);
    qs.post(V2, &header(&t), &with_body_token(&t))
        .await
        .assert_code(0);
    // Different tokens in header and body, even both valid: 401.
    qs.post(V2, &header(&t), &with_body_token(&other))
        .await
        .assert_code(401);
    // An empty header counts as absent.
    qs.post(V2, &header(""), &with_body_token(&t))
        .await
        .assert_code(0);
    // Unknown, malformed, missing.
    qs.post(V2, &header("0123456789abcdef0123456789abcdef"), &body)
        .await
        .assert_code(401);
    qs.post(V2, &[], &json!({"eventId": event, "token": 12345}))
        .await
        .assert_code(401);
    let r = qs.post(V2, &[], &body).await;
    r.assert_code(401);
    // Every confopenapi endpoint accepts the token, and signature headers instead of it.
    let single = qs.meeting("seed-single");
    let host = qs.creds.host_user_id;
    let calls = [
        (
            LOOKUP,
            json!({"attendeeJoinUrl": single.join_url.clone().unwrap()}),
        ),
        (INFOS, json!({"eventId": event, "userId": host})),
        (V1, json!({"eventId": event, "userId": host})),
        (V2, json!({"eventId": event})),
        (ATTENDEES, json!({"eventId": event})),
    ];
    for (path, b) in &calls {
        qs.post(path, &header(&t), b).await.assert_code(0);
        qs.signed(path, b.clone()).await.assert_code(0);
        qs.post(path, &[], b).await.assert_code(401);
    }
    // A token wins over signature headers when both are sent: a bad token is a 401.
    let mut mixed = qs.fresh_sig();
    mixed.push(("token".into(), "ffffffffffffffffffffffffffffffff".into()));
    qs.post(V2, &mixed, &body).await.assert_code(401);
    assert!(qs.sb.stats().rejections_of("quanshi.report_v2", "401") >= 6);
}

#[tokio::test]
async fn tokens_expire_after_the_configured_ttl() {
    let qs = Qs::new(SandboxConfig {
        quanshi: QuanshiConfig {
            token_ttl_secs: 60,
            ..QuanshiConfig::default()
        },
        ..small_config()
    })
    .await;
    let clock = qs.sb.clock();
    let r = qs
        .signed(TOKEN, json!({"userId": qs.creds.admin_user_id}))
        .await;
    assert_eq!(r.json["data"]["expire"], 60);
    let t = r.json["data"]["token"].as_str().unwrap().to_owned();
    let body = json!({"eventId": Qs::event(&qs.meeting("seed-single"))});
    clock.advance(std::time::Duration::from_millis(59_999));
    qs.with_token(&t, V2, body.clone()).await.assert_code(0);
    clock.advance(std::time::Duration::from_millis(1));
    let r = qs.with_token(&t, V2, body.clone()).await;
    r.assert_code(401);
    assert!(r.msg().contains("expired"), "{}", r.text);
    assert_eq!(qs.sb.truth().quanshi_active_tokens(), 0);
    let fresh = qs.token().await;
    qs.with_token(&fresh, V2, body).await.assert_code(0);
}

#[tokio::test]
async fn revocation_invalidates_every_token_issued_so_far() {
    let qs = Qs::new(small_config()).await;
    let a = qs.token().await;
    let b = qs.token().await;
    let body = json!({"eventId": Qs::event(&qs.meeting("seed-single"))});
    qs.sb
        .faults()
        .inject("quanshi.report_v2", Fault::RevokeTokens, 1);
    // The call that triggers the revocation already fails on its token.
    let r = qs.with_token(&a, V2, body.clone()).await;
    r.assert_code(401);
    assert!(r.msg().contains("revoked"), "{}", r.text);
    qs.with_token(
        &b,
        V1,
        json!({"eventId": body["eventId"], "userId": qs.creds.host_user_id}),
    )
    .await
    .assert_code(401);
    assert_eq!(qs.sb.truth().quanshi_active_tokens(), 0);
    let c = qs.token().await;
    qs.with_token(&c, V2, body.clone()).await.assert_code(0);
    // Signature calls are unaffected.
    qs.signed(V2, body).await.assert_code(0);
    let stats = qs.sb.stats();
    assert_eq!(stats.faults_of("revoke_tokens"), 1);
    assert_eq!(stats.tokens_of(Vendor::Quanshi), 3);
}

#[tokio::test]
async fn user_search_by_email() {
    let qs = Qs::new(small_config()).await;
    let r = qs
        .signed(EMAIL, json!({"email": qs.creds.admin_email}))
        .await;
    r.assert_code(200);
    assert_eq!(r.json["data"]["userId"], qs.creds.admin_user_id);
    let r = qs
        .signed(
            EMAIL,
            json!({"emails": ["nobody@example.com", qs.creds.admin_email.to_uppercase()]}),
        )
        .await;
    r.assert_code(200);
    assert_eq!(r.json["data"]["userId"], qs.creds.admin_user_id);
    qs.signed(EMAIL, json!({"email": "nobody@example.com"}))
        .await
        .assert_code(404);
    qs.signed(EMAIL, json!({})).await.assert_code(400);
    qs.signed(EMAIL, json!({"emails": [1, 2]}))
        .await
        .assert_code(400);
    let t = qs.token().await;
    qs.with_token(&t, EMAIL, json!({"email": qs.creds.admin_email}))
        .await
        .assert_code(403);
}

#[tokio::test]
async fn credentials_are_the_documented_defaults_and_debug_redacts_the_secret() {
    let qs = Qs::new(small_config()).await;
    let c = &qs.creds;
    assert_eq!(c.app_key, "sandbox-quanshi-app");
    assert_eq!(c.app_secret, "aSecretKey");
    assert_eq!(c.admin_user_id, 19_533_553);
    assert_eq!(c.host_user_id, 88_610_849);
    assert_eq!(c.join_url_lookup_path, LOOKUP);
    let dbg = format!("{c:?} {:?}", QuanshiConfig::default());
    assert!(!dbg.contains("aSecretKey"), "{dbg}");
    assert!(dbg.contains("<redacted>"));
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "[0-9]{0,25}",
        Just(String::new()),
        "[0-9a-f]{40}",
        "\\PC{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Garbage headers and bodies on every Quanshi route get an envelope (or a 405), never a
    /// panic, and the server keeps serving.
    #[test]
    fn garbage_requests_get_envelopes(
        key in header_value(),
        nonce_v in header_value(),
        cur in header_value(),
        sum in header_value(),
        token in proptest::option::of(header_value()),
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            "\\{\"(eventId|userId|page|count|token|attendeeJoinUrl|pcode|email)\":(-?[0-9]{1,25}|\"[ -~]{0,20}\"|null|true|\\[\\]|\\{\\}|1\\.5)\\}",
        ],
        path in 0usize..7,
        method in prop_oneof![Just("POST"), Just("GET"), Just("PUT")],
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let qs = Qs::new(small_config()).await;
            let path = [LOOKUP, INFOS, V1, V2, ATTENDEES, TOKEN, EMAIL][path];
            let mut rb = qs.c.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{}{path}", qs.base)).body(body);
            for (k, v) in [("AppKey", &key), ("Nonce", &nonce_v), ("CurTime", &cur), ("CheckSum", &sum)] {
                if let Ok(hv) = reqwest::header::HeaderValue::from_bytes(v.as_bytes()) {
                    rb = rb.header(k, hv);
                }
            }
            if let Some(t) = &token && let Ok(hv) = reqwest::header::HeaderValue::from_bytes(t.as_bytes()) {
                rb = rb.header("token", hv);
            }
            if let Ok(resp) = rb.send().await {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap();
                // Requests the HTTP layer refuses never reach the emulator.
                if status != 400 || !text.is_empty() {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    let code = v.get("status").or_else(|| v.get("code")).and_then(Value::as_i64);
                    prop_assert!(code.is_some(), "{text}");
                    if method == "POST" {
                        prop_assert_eq!(status, 200);
                    } else {
                        prop_assert_eq!(status, 405);
                    }
                }
            }
            qs.signed(V2, json!({"eventId": Qs::event(&qs.meeting("seed-single"))})).await.assert_code(0);
            qs.sb.shutdown().await;
            Ok(())
        })?;
    }
}

#[tokio::test]
async fn extreme_clock_values_do_not_break_anything() {
    let qs = Qs::new(small_config()).await;
    let clock = qs.sb.clock();
    let event = Qs::event(&qs.meeting("seed-live"));
    let host = qs.creds.host_user_id;
    let token = qs.token().await;
    for millis in [i64::MAX, i64::MIN, 0, -1] {
        clock.set_millis(millis);
        // Signed at the clock (only representable as digits when non-negative).
        let signed = qs.signed(V2, json!({"eventId": event})).await;
        if millis >= 0 {
            signed.assert_code(0);
            let again = qs
                .post(
                    V2,
                    &qs.sig("same-nonce", millis),
                    &json!({"eventId": event}),
                )
                .await;
            assert!(matches!(again.code(), Some(0 | 403)), "{}", again.text);
        } else {
            signed.assert_code(403);
        }
        let r = qs
            .with_token(&token, ATTENDEES, json!({"eventId": event, "count": 100}))
            .await;
        assert!(matches!(r.code(), Some(0 | 401)), "{}", r.text);
        let r = qs
            .with_token(&token, V1, json!({"eventId": event, "userId": host}))
            .await;
        assert!(matches!(r.code(), Some(0 | 401)), "{}", r.text);
        assert!(r.json["timestamp"].is_i64());
        let _ = qs.sb.truth().quanshi_terminals(&event.to_string());
        let _ = qs.sb.truth().quanshi_active_tokens();
    }
    // Tokens issued at the end of time do not overflow their expiry.
    clock.set_millis(i64::MAX - 1);
    let t = qs.token().await;
    qs.with_token(&t, V2, json!({"eventId": event}))
        .await
        .assert_code(0);
}
