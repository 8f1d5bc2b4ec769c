//! Quanshi rate limit, fault injection and response-shape quirks (docs/specs/quanshi.md §9 items 1, 9, 10), and
//! method handling, over raw HTTP.

mod common;
mod quanshi_common;

use std::time::Duration;

use common::small_config;
use quanshi_common::*;
use roster_sandbox::{Fault, QuanshiConfig, Quirk, SandboxConfig};
use serde_json::{Value, json};

#[tokio::test]
async fn per_minute_rate_limit_per_key() {
    let qs = Qs::new(SandboxConfig {
        quanshi: QuanshiConfig {
            per_minute: Some(3),
            ..QuanshiConfig::default()
        },
        ..small_config()
    })
    .await;
    let clock = qs.sb.clock();
    // T0 is 20 s into a calendar minute.
    assert_eq!(clock.unix() % 60, 20);
    let body = json!({"eventId": Qs::event(&qs.meeting("seed-single"))});
    let t = qs.token().await; // 1
    qs.with_token(&t, V2, body.clone()).await.assert_code(0); // 2
    // Refused calls (bad token, bad signature) do not count.
    qs.with_token("0000", V2, body.clone())
        .await
        .assert_code(401);
    qs.post(V2, &[], &body).await.assert_code(401);
    qs.signed(V2, body.clone()).await.assert_code(0); // 3
    let r = qs.with_token(&t, V2, body.clone()).await;
    r.assert_code(429);
    assert_eq!(r.status, 200, "business error: HTTP 200");
    qs.signed(V2, body.clone()).await.assert_code(429);
    qs.signed(TOKEN, json!({"userId": qs.creds.admin_user_id}))
        .await
        .assert_code(429);
    // The next calendar minute starts 40 s later.
    clock.advance(Duration::from_secs(39));
    qs.with_token(&t, V2, body.clone()).await.assert_code(429);
    clock.advance(Duration::from_secs(1));
    qs.with_token(&t, V2, body.clone()).await.assert_code(0);
    let stats = qs.sb.stats();
    assert_eq!(stats.rejections_of("quanshi.report_v2", "429"), 3);
    assert_eq!(stats.rejections_of("quanshi.token_create", "429"), 1);

    // Off by default.
    let qs = Qs::new(small_config()).await;
    for _ in 0..200 {
        qs.signed(V2, body.clone()).await.assert_code(0);
    }
}

#[tokio::test]
async fn injected_faults_are_observed_as_configured() {
    let qs = Qs::new(small_config()).await;
    let faults = qs.sb.faults();
    let body = json!({"eventId": Qs::event(&qs.meeting("seed-single"))});
    let admin = json!({"userId": qs.creds.admin_user_id});
    let plain = qs.signed(V2, body.clone()).await;
    plain.assert_code(0);

    faults.inject("quanshi.report_v2", Fault::VendorTransient, 1);
    qs.signed(V2, body.clone()).await.assert_code(500);
    faults.inject("quanshi.token_create", Fault::VendorTransient, 1);
    let r = qs.signed(TOKEN, admin.clone()).await;
    r.assert_code(500);
    assert!(r.json.get("timeStamp").is_some(), "eventopenapi envelope");

    faults.inject("quanshi.*", Fault::VendorCode(20_001), 2);
    qs.signed(V2, body.clone()).await.assert_code(20_001);
    qs.signed(TOKEN, admin.clone()).await.assert_code(20_001);

    faults.inject("quanshi.report_v2", Fault::RateLimit, 1);
    qs.signed(V2, body.clone()).await.assert_code(429);

    faults.inject("quanshi.report_v2", Fault::Http(502), 1);
    let r = qs.signed(V2, body.clone()).await;
    assert_eq!(r.status, 502);
    assert!(r.text.contains("502 Bad Gateway"));
    faults.inject("quanshi.report_v2", Fault::Http(503), 1);
    assert_eq!(qs.signed(V2, body.clone()).await.status, 503);

    faults.inject("quanshi.report_v2", Fault::Truncate, 1);
    let r = qs.signed(V2, body.clone()).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<Value>(&r.text).is_err(), "cut JSON");
    assert!(plain.text.starts_with(&r.text[..r.text.len().min(20)]));

    faults.inject("quanshi.report_v2", Fault::Drop, 1);
    let resp =
        qs.c.post(format!("{}{V2}", qs.base))
            .headers(
                qs.fresh_sig()
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                            v.parse().unwrap(),
                        )
                    })
                    .collect(),
            )
            .body(body.to_string())
            .send()
            .await;
    let dropped = match resp {
        Ok(r) => r.text().await.is_err(),
        Err(_) => true,
    };
    assert!(dropped, "the connection closes mid-body");

    // After the scripted faults, the endpoint answers normally again.
    let again = qs.signed(V2, body.clone()).await;
    assert_eq!(again.result(), plain.result());
    let stats = qs.sb.stats();
    for (kind, n) in [
        ("vendor_transient", 2),
        ("vendor_code", 2),
        ("rate_limit", 1),
        ("http_502", 1),
        ("http_503", 1),
        ("truncate", 1),
        ("drop", 1),
    ] {
        assert_eq!(stats.faults_of(kind), n, "{kind}");
    }
    assert!(faults.pending().is_empty());
}

#[tokio::test]
async fn result_as_string_status_typo_and_flipped_types() {
    let qs = Qs::new(small_config()).await;
    let faults = qs.sb.faults();
    let single = qs.meeting("seed-single");
    let live = qs.meeting("seed-live");
    let event = Qs::event(&single);
    let v2 = json!({"eventId": event});
    let plain = qs.signed(V2, v2.clone()).await;

    // `result` as a string holding the same JSON.
    faults.inject("quanshi.report_v2", Fault::Quirk(Quirk::ResultAsString), 1);
    let r = qs.signed(V2, v2.clone()).await;
    r.assert_code(0);
    let text = r.json["result"].as_str().expect("result is a string");
    assert_eq!(
        serde_json::from_str::<Value>(text).unwrap(),
        plain.json["result"]
    );

    // `stauts` instead of `status`, on success and on errors.
    faults.inject("quanshi.*", Fault::Quirk(Quirk::StatusTypo), 2);
    let r = qs.signed(V2, v2.clone()).await;
    assert_eq!(r.json["stauts"], 0);
    assert!(r.json.get("status").is_none());
    assert_eq!(r.json["result"], plain.json["result"]);
    let r = qs.post(V2, &[], &v2).await;
    assert_eq!(r.json["stauts"], 401);
    assert!(r.json.get("status").is_none());

    // Ids and times flipped between numbers and digit strings.
    faults.inject("quanshi.*", Fault::Quirk(Quirk::FlipTypes), 5);
    let r = qs.signed(V2, v2.clone()).await;
    r.assert_code(0);
    for (flipped, orig) in r.result()["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .zip(plain.result()["interaction"].as_array().unwrap())
    {
        assert_eq!(flipped["onlineTime"], orig["onlineTime"].to_string());
        assert_eq!(flipped["offlineTime"], orig["offlineTime"].to_string());
        assert_eq!(
            flipped["tempConferenceId"],
            orig["tempConferenceId"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        );
        assert_eq!(flipped["name"], orig["name"]);
        assert_eq!(flipped["mobile"], orig["mobile"]);
    }
    let r = qs
        .signed(
            LOOKUP,
            json!({"attendeeJoinUrl": single.join_url.clone().unwrap()}),
        )
        .await;
    let o = &r.result()[0];
    assert_eq!(o["eventId"], single.id);
    assert_eq!(o["startTime"], single.start.to_string());
    assert_eq!(o["hostId"], single.creator);
    assert!(o["conferenceId"].is_u64());
    assert!(o["attendList"][0]["user"].is_u64());
    let r = qs.signed(V1, qs.v1_body(&single)).await;
    assert_eq!(r.result()[0]["eventId"], single.id);
    assert_eq!(r.result()[0]["hostId"], single.creator);
    assert!(
        r.result()[0]["onlineTime"].as_str().unwrap().contains(' '),
        "formatted times stay"
    );
    let r = qs
        .signed(ATTENDEES, json!({"eventId": Qs::event(&live)}))
        .await;
    let t = &r.result()["list"][0];
    assert!(t["eventId"].is_string() && t["userId"].is_string() && t["tempUserId"].is_string());
    let r = qs
        .signed(TOKEN, json!({"userId": qs.creds.admin_user_id}))
        .await;
    r.assert_code(200);
    assert!(r.json["data"]["createTime"].is_string() && r.json["data"]["expire"].is_string());
    assert!(r.json["data"]["token"].is_string());

    // Quirks combine.
    faults.inject("quanshi.report_v2", Fault::Quirk(Quirk::ResultAsString), 1);
    faults.inject("quanshi.report_v2", Fault::Quirk(Quirk::FlipTypes), 1);
    let r = qs.signed(V2, v2.clone()).await;
    let inner: Value = serde_json::from_str(r.json["result"].as_str().unwrap()).unwrap();
    assert!(inner["interaction"][0]["onlineTime"].is_string());

    // Then plain again.
    let again = qs.signed(V2, v2).await;
    assert_eq!(again.json["result"], plain.json["result"]);
    let stats = qs.sb.stats();
    assert_eq!(stats.faults_of("quirk:result_as_string"), 2);
    assert_eq!(stats.faults_of("quirk:status_typo"), 2);
    assert_eq!(stats.faults_of("quirk:flip_types"), 6);
}

#[tokio::test]
async fn post_only_other_methods_get_405() {
    let qs = Qs::new(small_config()).await;
    let paths = [LOOKUP, INFOS, V1, V2, ATTENDEES, TOKEN, EMAIL];
    for path in paths {
        for method in ["GET", "PUT", "DELETE", "PATCH"] {
            let r = qs.send(method, path, &qs.fresh_sig(), "{}").await;
            assert_eq!(r.status, 405, "{method} {path}");
            assert_eq!(
                r.headers.get("allow").and_then(|v| v.to_str().ok()),
                Some("POST")
            );
            assert_eq!(r.code(), Some(405), "{method} {path}: {}", r.text);
            let family_key = if path.starts_with("/eventopenapi") {
                "code"
            } else {
                "status"
            };
            assert!(r.json.get(family_key).is_some(), "{path}: {}", r.text);
        }
    }
    let stats = qs.sb.stats();
    assert_eq!(stats.rejections_of("quanshi.report_v1", "405"), 4);
    assert_eq!(stats.rejections_of("quanshi.token_create", "405"), 4);
    assert_eq!(stats.requests_to("quanshi.attendee_list"), 4);
    // Unknown paths under the families are not Quanshi endpoints.
    let r = qs.signed("/confopenapi/nope", json!({})).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn concurrent_calls_on_a_large_meeting_agree() {
    let qs = Qs::new(SandboxConfig {
        data: roster_sandbox::DataConfig {
            small_meetings: 0,
            large_meetings: vec![10_000],
            ..roster_sandbox::DataConfig::default()
        },
        ..small_config()
    })
    .await;
    let m = qs.meeting("large-10000");
    let t = qs.token().await;
    let calls = (0..8).map(|_| qs.with_token(&t, V2, json!({"eventId": Qs::event(&m)})));
    let replies = futures::future::join_all(calls).await;
    let first = replies[0].result().clone();
    assert_eq!(first["interaction"].as_array().unwrap().len(), 10_000);
    for r in &replies {
        r.assert_code(0);
        assert_eq!(*r.result(), first);
    }
}
