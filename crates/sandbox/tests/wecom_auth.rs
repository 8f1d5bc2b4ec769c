//! WeCom emulator: tokens, gettoken rules, the wrong-secret ban, method/body rules, app
//! switches, rate and concurrency limits, success-code switches and faults (docs/specs/wecom.md §2, §3, §6,
//! §7, §9 items 1–4, 12, 13), over raw HTTP.

mod common;
mod wecom_common;

use std::time::Duration;

use common::{T0, small_config};
use proptest::prelude::*;
use roster_sandbox::{Fault, Quirk, SandboxConfig, Vendor, WeComApp, WeComConfig};
use serde_json::{Value, json};
use wecom_common::*;

fn oneoff_body(wc: &Wc) -> Value {
    let m = wc.meeting("seed-oneoff");
    json!({"meetingid": m.id, "start_time": m.start, "end_time": m.end, "limit": 5})
}

#[tokio::test]
async fn gettoken_issues_a_new_token_each_call_and_refuses_bad_requests() {
    let wc = Wc::small().await;
    let creds = wc.sb.credentials().wecom;
    assert_eq!(creds.corp_id, "wwsandbox0000000001");
    assert_eq!(creds.corp_secret, "sandbox-wecom-secret");
    assert_eq!(creds.apps.len(), 2);
    assert!(
        !format!("{creds:?}").contains("sandbox-wecom-secret"),
        "Debug redacts"
    );
    let ok = format!("corpid={}&corpsecret={}", creds.corp_id, creds.corp_secret);

    let a = wc.gettoken(&ok).await;
    a.assert_ok();
    assert_eq!(a.json["errmsg"], "ok");
    assert_eq!(a.json["expires_in"], 7200);
    let ta = a.json["access_token"].as_str().unwrap().to_owned();
    assert!((64..=512).contains(&ta.len()), "{}", ta.len());
    assert!(
        ta.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    let tb = wc.token_for(&creds.corp_secret).await;
    assert_ne!(ta, tb, "every call issues a new token");
    // Both (and the one from setup) stay valid.
    for t in [&ta, &tb, &wc.token] {
        wc.post_as(t, INFO, &json!({"meetingid": wc.meeting("seed-oneoff").id}))
            .await
            .assert_ok();
    }

    // Method, missing and wrong parameters.
    let post = wc
        .raw("POST", &format!("/cgi-bin/gettoken?{ok}"), None, "")
        .await;
    post.assert_code(40058);
    let (corp, secret) = (&creds.corp_id, &creds.corp_secret);
    for (query, code) in [
        (format!("corpsecret={secret}"), 41002),
        (format!("corpid=&corpsecret={secret}"), 41002),
        (format!("corpid={corp}"), 41004),
        (format!("corpid=wwother&corpsecret={secret}"), 40013),
        (format!("corpid={corp}&corpsecret=nope"), 40001),
    ] {
        wc.gettoken(&query).await.assert_code(code);
    }
    wc.gettoken("").await.assert_code(41002);

    let snap = wc.sb.stats();
    assert_eq!(
        snap.tokens_of(Vendor::WeCom),
        3,
        "one per successful gettoken"
    );
    assert_eq!(snap.requests_to("wecom.gettoken"), 10);
    for (code, n) in [
        ("40058", 1),
        ("41002", 3),
        ("41004", 1),
        ("40013", 1),
        ("40001", 1),
    ] {
        assert_eq!(snap.rejections_of("wecom.gettoken", code), n, "{code}");
    }
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn tokens_expire_by_the_sandbox_clock_each_at_its_own_time() {
    let wc = Wc::new(SandboxConfig {
        wecom: WeComConfig {
            token_ttl_secs: 60,
            ..WeComConfig::default()
        },
        ..small_config()
    })
    .await;
    let clock = wc.sb.clock();
    let secret = wc.sb.credentials().wecom.corp_secret;
    let corp = wc.sb.credentials().wecom.corp_id;
    let r = wc
        .gettoken(&format!("corpid={corp}&corpsecret={secret}"))
        .await;
    assert_eq!(r.json["expires_in"], 60);
    let body = json!({"meetingid": wc.meeting("seed-oneoff").id});
    let first = wc.token.clone(); // issued at T0
    clock.advance(Duration::from_secs(30));
    let second = wc.token_for(&secret).await; // issued at T0 + 30
    clock.set(T0 + 59);
    wc.post_as(&first, INFO, &body).await.assert_ok();
    clock.set(T0 + 60);
    wc.post_as(&first, INFO, &body).await.assert_code(42001);
    wc.post_as(&second, INFO, &body).await.assert_ok();
    clock.set(T0 + 89);
    wc.post_as(&second, INFO, &body).await.assert_ok();
    clock.set(T0 + 90);
    wc.post_as(&second, INFO, &body).await.assert_code(42001);
    // Expired on every endpoint.
    for path in [ATTENDEES, ENROLL_LIST, ENROLL_QUERY, MEETING_IDS] {
        wc.post_as(&second, path, &body).await.assert_code(42001);
    }
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn token_checks_missing_garbled_body_only_and_revoked() {
    let wc = Wc::small().await;
    let body = json!({"meetingid": wc.meeting("seed-oneoff").id});
    let text = body.to_string();
    for path in [ATTENDEES, ENROLL_LIST, ENROLL_QUERY, INFO, MEETING_IDS] {
        wc.raw("POST", path, None, &text).await.assert_code(41001);
        wc.raw("POST", path, Some(""), &text)
            .await
            .assert_code(41001);
        wc.raw("POST", path, Some("garbled%20token"), &text)
            .await
            .assert_code(40014);
        let tampered = format!("{}x", wc.token);
        wc.raw("POST", path, Some(&tampered), &text)
            .await
            .assert_code(40014);
    }
    // Token in the body only.
    let in_body = json!({"access_token": wc.token, "meetingid": body["meetingid"]});
    wc.raw("POST", INFO, None, &in_body.to_string())
        .await
        .assert_code(41001);
    // Token checks come before the method check.
    wc.raw("GET", INFO, None, "").await.assert_code(41001);

    // A revocation fault revokes every token, then serves the call (which fails on its token).
    wc.post(INFO, &body).await.assert_ok();
    wc.sb
        .faults()
        .inject("wecom.get_info", Fault::RevokeTokens, 1);
    wc.post(INFO, &body).await.assert_code(40014);
    wc.post(INFO, &body).await.assert_code(40014);
    let secret = wc.sb.credentials().wecom.corp_secret;
    let fresh = wc.token_for(&secret).await;
    wc.post_as(&fresh, INFO, &body).await.assert_ok();

    // The admin route revokes one app's tokens.
    let other_secret = wc.sb.credentials().wecom.apps[1].secret.clone();
    let other = wc.token_for(&other_secret).await;
    let other_body = json!({"meetingid": wc.meeting("seed-other-app").id});
    wc.post_as(&other, INFO, &other_body).await.assert_ok();
    let r = wc
        .admin("/_sandbox/wecom/revoke_tokens?agentid=1000003")
        .await;
    assert_eq!(r.json["revoked_apps"], json!([1_000_003]));
    wc.post_as(&other, INFO, &other_body)
        .await
        .assert_code(40014);
    wc.post_as(&fresh, INFO, &body).await.assert_ok();
    wc.admin("/_sandbox/wecom/revoke_tokens").await;
    wc.post_as(&fresh, INFO, &body).await.assert_code(40014);

    let snap = wc.sb.stats();
    assert_eq!(snap.faults_of("revoke_tokens"), 1);
    assert!(snap.rejections_of("wecom.get_info", "40014") >= 4);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn five_wrong_secrets_ban_gettoken_for_an_hour() {
    let wc = Wc::small().await;
    let creds = wc.sb.credentials().wecom;
    let good = format!("corpid={}&corpsecret={}", creds.corp_id, creds.corp_secret);
    let bad = format!("corpid={}&corpsecret=wrong", creds.corp_id);
    let clock = wc.sb.clock();

    // Four strikes, a success, four more: the run was broken, no ban.
    for _ in 0..4 {
        wc.gettoken(&bad).await.assert_code(40001);
    }
    wc.gettoken(&good).await.assert_ok();
    for _ in 0..4 {
        wc.gettoken(&bad).await.assert_code(40001);
    }
    wc.gettoken(&good).await.assert_ok();

    // Five in a row within an hour: banned.
    for i in 0..5 {
        clock.advance(Duration::from_secs(60));
        wc.gettoken(&bad).await.assert_code(40001);
        let _ = i;
    }
    let banned = wc.gettoken(&good).await;
    banned.assert_code(45009);
    assert!(
        banned
            .errmsg()
            .starts_with("api freq out of limit, hint: [")
    );
    wc.gettoken(&bad).await.assert_code(45009);
    // Existing tokens keep working: the ban is on gettoken.
    wc.post(INFO, &json!({"meetingid": wc.meeting("seed-oneoff").id}))
        .await
        .assert_ok();
    clock.advance(Duration::from_secs(3_599));
    wc.gettoken(&good).await.assert_code(45009);
    clock.advance(Duration::from_secs(1));
    wc.gettoken(&good).await.assert_ok();

    // Strikes spread over more than an hour do not ban.
    for _ in 0..4 {
        wc.gettoken(&bad).await.assert_code(40001);
    }
    clock.advance(Duration::from_secs(3_600));
    wc.gettoken(&bad).await.assert_code(40001);
    wc.gettoken(&good).await.assert_ok();
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn meeting_endpoints_want_post_and_well_formed_json() {
    let wc = Wc::small().await;
    let id = wc.meeting("seed-oneoff").id;
    for path in [ATTENDEES, ENROLL_LIST, ENROLL_QUERY, INFO, MEETING_IDS] {
        for method in ["GET", "PUT", "DELETE"] {
            let r = wc.raw(method, path, Some(&wc.token), "").await;
            r.assert_code(40058);
        }
        for bad in ["", "{", "[]", "null", "\"x\"", "{\"meetingid\":}", "\u{0}"] {
            let r = wc.raw("POST", path, Some(&wc.token), bad).await;
            r.assert_code(40058);
            assert!(
                r.errmsg().starts_with("Warning: wrong json format."),
                "{bad}: {}",
                r.text
            );
        }
    }
    // Mistyped fields are "wrong json format" too.
    for body in [
        json!({"meetingid": 123}),
        json!({"meetingid": id, "limit": "10"}),
        json!({"meetingid": id, "limit": -1}),
        json!({"meetingid": id, "limit": 1.5}),
        json!({"meetingid": id, "start_time": 4_294_967_296u64}),
        json!({"meetingid": id, "cursor": 5}),
        json!({"meetingid": id, "sub_meetingid": ["x"]}),
    ] {
        let r = wc.post(ATTENDEES, &body).await;
        r.assert_code(40058);
        assert!(
            r.errmsg().starts_with("Warning: wrong json format."),
            "{body}"
        );
    }
    // Missing or empty required fields: 40058 (41009 for userid).
    for path in [ATTENDEES, ENROLL_LIST, ENROLL_QUERY, INFO] {
        wc.post(path, &json!({})).await.assert_code(40058);
        wc.post(path, &json!({"meetingid": ""}))
            .await
            .assert_code(40058);
        wc.post(path, &json!({"meetingid": null}))
            .await
            .assert_code(40058);
    }
    wc.post(MEETING_IDS, &json!({})).await.assert_code(41009);
    wc.post(MEETING_IDS, &json!({"userid": ""}))
        .await
        .assert_code(41009);
    wc.post(MEETING_IDS, &json!({"userid": 7}))
        .await
        .assert_code(40058);
    // Unknown fields are ignored.
    wc.post(INFO, &json!({"meetingid": id, "future_field": {"a": 1}}))
        .await
        .assert_ok();
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn app_switches_disabled_untrusted_ip_not_allowed_and_no_advanced_tier() {
    let mut apps = WeComConfig::default().apps;
    apps.push(WeComApp {
        agent_id: 1_000_004,
        secret: "disabled-secret".into(),
        enabled: false,
        ..WeComApp::default()
    });
    apps.push(WeComApp {
        agent_id: 1_000_005,
        secret: "untrusted-secret".into(),
        trusted_ip: false,
        ..WeComApp::default()
    });
    apps.push(WeComApp {
        agent_id: 1_000_006,
        secret: "not-listed-secret".into(),
        meeting_api: false,
        ..WeComApp::default()
    });
    let wc = Wc::new(SandboxConfig {
        wecom: WeComConfig {
            apps,
            ..WeComConfig::default()
        },
        ..small_config()
    })
    .await;
    let corp = wc.sb.credentials().wecom.corp_id;
    wc.gettoken(&format!("corpid={corp}&corpsecret=disabled-secret"))
        .await
        .assert_code(50003);
    wc.gettoken(&format!("corpid={corp}&corpsecret=untrusted-secret"))
        .await
        .assert_code(60020);
    // An app outside 「可调用接口的应用」 gets tokens but no meeting API.
    let t = wc.token_for("not-listed-secret").await;
    let body = json!({"meetingid": wc.meeting("seed-oneoff").id});
    for path in [ATTENDEES, ENROLL_LIST, ENROLL_QUERY, INFO, MEETING_IDS] {
        wc.post_as(&t, path, &body).await.assert_code(48002);
    }

    // Switches changed at run time apply to tokens already issued.
    wc.post(INFO, &body).await.assert_ok();
    let r = wc
        .admin("/_sandbox/wecom/app?agentid=1000002&trusted_ip=false")
        .await;
    assert_eq!(r.json["trusted_ip"], false);
    wc.post(INFO, &body).await.assert_code(60020);
    wc.admin("/_sandbox/wecom/app?agentid=1000002&trusted_ip=true&meeting_api=0")
        .await;
    wc.post(INFO, &body).await.assert_code(48002);
    wc.admin("/_sandbox/wecom/app?agentid=1000002&meeting_api=1&enabled=false")
        .await;
    wc.post(INFO, &body).await.assert_code(50003);
    wc.admin("/_sandbox/wecom/app?agentid=1000002&enabled=true")
        .await;
    wc.post(INFO, &body).await.assert_ok();
    assert_eq!(wc.admin("/_sandbox/wecom/app?agentid=42").await.status, 404);
    wc.sb.shutdown().await;

    // Without the advanced tier: the advanced endpoints and parameters answer 730007.
    let wc = Wc::new(SandboxConfig {
        wecom: WeComConfig {
            advanced_tier: false,
            ..WeComConfig::default()
        },
        ..small_config()
    })
    .await;
    let m = wc.meeting("seed-oneoff");
    let body = json!({"meetingid": m.id, "tmp_openid_list": ["x"]});
    for path in [ATTENDEES, ENROLL_LIST, ENROLL_QUERY] {
        wc.post(path, &body).await.assert_code(730007);
    }
    wc.post(INFO, &json!({"meetingid": m.id})).await.assert_ok();
    wc.post(INFO, &json!({"meeting_code": m.code}))
        .await
        .assert_code(730007);
    wc.post(MEETING_IDS, &json!({"userid": "owner1"}))
        .await
        .assert_ok();
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn per_minute_and_per_hour_limits_per_api() {
    let wc = Wc::new(SandboxConfig {
        wecom: WeComConfig {
            per_minute: 5,
            per_hour: 12,
            ..WeComConfig::default()
        },
        ..small_config()
    })
    .await;
    let body = json!({"meetingid": wc.meeting("seed-oneoff").id});
    let clock = wc.sb.clock();
    // gettoken already used 1 of its own 5.
    for _ in 0..5 {
        wc.post(INFO, &body).await.assert_ok();
    }
    let limited = wc.post(INFO, &body).await;
    limited.assert_code(45009);
    let msg = limited.errmsg();
    let hint = msg
        .strip_prefix("api freq out of limit, hint: [")
        .and_then(|r| r.split(']').next())
        .expect("documented shape");
    assert_eq!(hint.len(), 25, "{msg}");
    assert!(hint.bytes().all(|b| b.is_ascii_digit()));
    // Per API: another endpoint is untouched.
    wc.post(MEETING_IDS, &json!({"userid": "owner1"}))
        .await
        .assert_ok();
    // The next calendar minute starts a new count; the hour limit then stops the 13th call.
    clock.set((T0 / 60 + 1) * 60);
    for _ in 0..5 {
        wc.post(INFO, &body).await.assert_ok();
    }
    clock.set((T0 / 60 + 2) * 60);
    // 5 + 1 (refused but counted) + 5 = 11 so far this hour.
    wc.post(INFO, &body).await.assert_ok();
    wc.post(INFO, &body).await.assert_code(45009);
    // gettoken is limited too.
    let secret = wc.sb.credentials().wecom.corp_secret;
    for _ in 0..5 {
        wc.token_for(&secret).await;
    }
    let corp = wc.sb.credentials().wecom.corp_id;
    wc.gettoken(&format!("corpid={corp}&corpsecret={secret}"))
        .await
        .assert_code(45009);
    assert_eq!(wc.sb.stats().rejections_of("wecom.get_info", "45009"), 2);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn concurrency_cap_answers_45033_while_a_call_holds_its_slot() {
    let wc = Wc::new(SandboxConfig {
        wecom: WeComConfig {
            max_concurrency: Some(1),
            hold_secs: 10,
            ..WeComConfig::default()
        },
        ..small_config()
    })
    .await;
    let body = json!({"meetingid": wc.meeting("seed-oneoff").id});
    {
        let (a, b) = (wc.post(INFO, &body), wc.post(INFO, &body));
        tokio::pin!(a);
        tokio::pin!(b);
        // The holder cannot finish before the manual clock moves, so the first answer is the
        // refusal of whichever call came second.
        let first = tokio::select! {
            r = &mut a => { r.assert_code(45033); "a" }
            r = &mut b => { r.assert_code(45033); "b" }
        };
        wc.sb.clock().advance(Duration::from_secs(10));
        if first == "a" {
            b.await.assert_ok();
        } else {
            a.await.assert_ok();
        }
    }
    assert_eq!(wc.sb.stats().rejections_of("wecom.get_info", "45033"), 1);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn success_code_switches_and_quirks() {
    let wc = Wc::new(SandboxConfig {
        wecom: WeComConfig {
            omit_success_code: true,
            ..WeComConfig::default()
        },
        ..small_config()
    })
    .await;
    let r = wc
        .post(INFO, &json!({"meetingid": wc.meeting("seed-oneoff").id}))
        .await;
    assert!(
        r.json.get("errcode").is_none() && r.json.get("errmsg").is_none(),
        "{}",
        r.text
    );
    assert_eq!(r.errcode(), 0);
    let r = wc
        .gettoken("corpid=wwsandbox0000000001&corpsecret=sandbox-wecom-secret")
        .await;
    assert!(r.json.get("errcode").is_none() && r.json["access_token"].is_string());
    // Errors still carry errcode.
    wc.post(INFO, &json!({"meetingid": "nope"}))
        .await
        .assert_code(90602);
    wc.sb.shutdown().await;

    let wc = Wc::small().await;
    let body = oneoff_body(&wc);
    let normal = wc.post(ATTENDEES, &body).await;
    normal.assert_ok();
    wc.sb.faults().inject(
        "wecom.get_attendee_list",
        Fault::Quirk(Quirk::OmitSuccessCode),
        1,
    );
    let r = wc.post(ATTENDEES, &body).await;
    assert!(r.json.get("errcode").is_none(), "{}", r.text);
    assert_eq!(r.json["attendees"], normal.json["attendees"]);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn faults_of_every_kind_are_observed_as_configured() {
    let wc = Wc::small().await;
    let body = oneoff_body(&wc);
    let faults = wc.sb.faults();
    let normal = wc.post(ATTENDEES, &body).await;
    normal.assert_ok();

    faults.inject("wecom.get_attendee_list", Fault::VendorTransient, 1);
    wc.post(ATTENDEES, &body).await.assert_code(-1);
    faults.inject("wecom.*", Fault::RateLimit, 1);
    let r = wc.post(ATTENDEES, &body).await;
    r.assert_code(45009);
    assert!(r.errmsg().starts_with("api freq out of limit, hint: ["));
    for code in [45033, 6000, 40014] {
        faults.inject("wecom.get_attendee_list", Fault::VendorCode(code), 1);
        wc.post(ATTENDEES, &body).await.assert_code(code);
    }
    faults.inject("wecom.gettoken", Fault::VendorCode(-1), 1);
    wc.gettoken("corpid=wwsandbox0000000001&corpsecret=sandbox-wecom-secret")
        .await
        .assert_code(-1);

    faults.inject("wecom.get_attendee_list", Fault::Http(502), 1);
    let r = wc.post(ATTENDEES, &body).await;
    assert_eq!(r.status, 502);
    assert!(r.text.contains("<html>"));

    faults.inject("wecom.get_attendee_list", Fault::Truncate, 1);
    let r = wc.post(ATTENDEES, &body).await;
    assert_eq!(r.status, 200);
    assert!(r.json.is_null(), "not JSON");
    assert!(
        r.text
            .starts_with("{\"errcode\":0,\"errmsg\":\"ok\",\"has_more\":"),
        "{}",
        r.text
    );

    faults.inject("wecom.get_attendee_list", Fault::Drop, 1);
    let resp =
        wc.c.post(format!("{}{ATTENDEES}?access_token={}", wc.base, wc.token))
            .body(body.to_string())
            .send()
            .await
            .expect("headers arrive");
    assert!(resp.bytes().await.is_err(), "the body is cut off");

    faults.inject("wecom.get_attendee_list", Fault::Quirk(Quirk::FlipTypes), 1);
    let r = wc.post(ATTENDEES, &body).await;
    r.assert_ok();
    for (flipped, row) in r.json["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .zip(normal.json["attendees"].as_array().unwrap())
    {
        let join: i64 = row["join_time"].as_str().unwrap().parse().unwrap();
        assert_eq!(flipped["join_time"], join, "a number");
        assert!(flipped["quit_time"].is_i64());
        assert_eq!(flipped["tmp_openid"], row["tmp_openid"]);
    }

    // Faults never corrupt cursors: the same cursor gives the same page afterwards.
    let next = normal.json["next_cursor"].as_str().unwrap();
    let mut second = body.clone();
    second["cursor"] = json!(next);
    faults.inject("wecom.get_attendee_list", Fault::Truncate, 1);
    let _ = wc.post(ATTENDEES, &second).await;
    let x = wc.post(ATTENDEES, &second).await;
    let y = wc.post(ATTENDEES, &second).await;
    x.assert_ok();
    assert_eq!(x.text, y.text);

    let snap = wc.sb.stats();
    for (kind, n) in [
        ("vendor_transient", 1),
        ("rate_limit", 1),
        ("vendor_code", 4),
        ("http_502", 1),
        ("truncate", 2),
        ("drop", 1),
        ("quirk:flip_types", 1),
    ] {
        assert_eq!(snap.faults_of(kind), n, "{kind}: {:?}", snap.faults);
    }
    assert_eq!(
        snap.rejections_total("wecom.get_attendee_list"),
        0,
        "faults are not rejections"
    );
    wc.sb.shutdown().await;
}

fn garbage_json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("meetingid".to_owned()),
                    Just("limit".to_owned()),
                    Just("cursor".to_owned()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    let fields = proptest::collection::btree_map(
        prop_oneof![
            Just("meetingid"),
            Just("sub_meetingid"),
            Just("start_time"),
            Just("end_time"),
            Just("cursor"),
            Just("limit"),
            Just("status"),
            Just("sorting_rules"),
            Just("tmp_openid_list"),
            Just("meeting_code"),
            Just("userid"),
            Just("begin_time"),
        ],
        value,
        0..6,
    )
    .prop_map(|m| {
        Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()).to_string()
    });
    prop_oneof![
        fields,
        "\\PC{0,40}",
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Garbage bodies, queries and methods always get a JSON answer with an integer errcode (or
    /// a success), never a panic, and the server keeps serving.
    #[test]
    fn garbage_requests_get_errcode_bodies(
        body in garbage_json(),
        endpoint in 0usize..11,
        live in any::<bool>(),
        method in prop_oneof![Just("POST"), Just("GET"), Just("PUT")],
        token_kind in 0usize..3,
        query in "[ -~]{0,30}",
        use_real_meeting in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let wc = Wc::small().await;
            let path = [
                "/cgi-bin/gettoken", ATTENDEES, ENROLL_LIST, ENROLL_QUERY, INFO, MEETING_IDS,
                WEBINAR_ENROLL_LIST, WEBINAR_ENROLL_QUERY, REALTIME, WAITING_ROOM, INVITEES,
            ][endpoint];
            // A webinar, or the live meeting (real-time rows, waiting room, invitees).
            let label = if live { "seed-live" } else { "seed-webinar" };
            let body = if use_real_meeting && body.starts_with('{') && body.len() > 2 {
                format!("{{\"meetingid\":\"{}\",{}", wc.meeting(label).id, &body[1..])
            } else {
                body
            };
            let token = match token_kind {
                0 => format!("access_token={}", wc.token),
                1 => String::new(),
                _ => "access_token=%FF%00".to_owned(),
            };
            let url = format!("{}{path}?{token}&{query}", wc.base);
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            if let Ok(resp) = wc.c.request(m, &url).body(body.clone()).send().await {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap();
                // Requests the HTTP layer refuses never reach the emulator.
                if status != 400 || !text.is_empty() {
                    assert_eq!(status, 200, "{text}");
                    let v: Value = serde_json::from_str(&text).unwrap();
                    if let Some(code) = v.get("errcode") {
                        assert!(code.is_i64(), "{text}");
                    }
                }
            }
            wc.post(INFO, &json!({"meetingid": wc.meeting("seed-oneoff").id})).await.assert_ok();
            wc.sb.shutdown().await;
        });
    }
}
