//! Push mode against a small local receiver (axum on 127.0.0.1:0). Assertions use the report's
//! attempt outcomes and Tokio-time lower bounds, never wall-clock measurements.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::crypto::signature;
use super::crypto::tests::{KEY, decrypt_raw, open_wecom, unpad};
use super::*;
use crate::{ClockConfig, DataConfig, MeetingState, Sandbox, SandboxConfig};

const TOKEN: &str = "bVPU6F8Htxl5XkAbp3jGV2xWp";
const CORP: &str = "wx5823bf96d3bd56c7";
const UNIT: Duration = Duration::from_millis(20);

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
struct Received {
    get: bool,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: String,
}

/// The receiver's answer to the `n`th POST: status, body, delay before answering.
type Behaviour = dyn Fn(usize) -> (u16, &'static str, Duration) + Send + Sync;

struct Recv {
    vendor: Vendor,
    key: Option<&'static str>,
    wrong_check: bool,
    behaviour: Box<Behaviour>,
    log: Mutex<Vec<Received>>,
}

async fn handle(
    State(r): State<Arc<Recv>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> (axum::http::StatusCode, String) {
    let query = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (
                k.to_owned(),
                percent_decode_str(v).decode_utf8_lossy().into_owned(),
            )
        })
        .collect::<HashMap<_, _>>();
    let get = method == Method::GET;
    let seen = Received {
        get,
        query: query.clone(),
        headers,
        body,
    };
    let n = {
        let mut log = r.log.lock().unwrap();
        log.push(seen);
        log.iter().filter(|x| !x.get).count()
    };
    let (status, text, delay) = if get {
        let plain = match r.vendor {
            Vendor::WeCom => open_wecom(r.key.unwrap(), &query["echostr"]).0,
            _ => tencent_plain(r.key, &query["check_str"]),
        };
        let plain = if r.wrong_check { "nope".into() } else { plain };
        (200, plain, Duration::ZERO)
    } else {
        let (s, b, d) = (r.behaviour)(n - 1);
        (s, b.to_owned(), d)
    };
    tokio::time::sleep(delay).await;
    (axum::http::StatusCode::from_u16(status).unwrap(), text)
}

fn tencent_plain(key: Option<&str>, data: &str) -> String {
    let bytes = match key {
        Some(k) => unpad(decrypt_raw(k, data), 16),
        None => base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap(),
    };
    String::from_utf8(bytes).unwrap()
}

/// Starts a receiver; returns its URL and state (the server stops with the test's runtime).
async fn receiver(
    vendor: Vendor,
    key: Option<&'static str>,
    wrong_check: bool,
    behaviour: impl Fn(usize) -> (u16, &'static str, Duration) + Send + Sync + 'static,
) -> (String, Arc<Recv>) {
    let state = Arc::new(Recv {
        vendor,
        key,
        wrong_check,
        behaviour: Box::new(behaviour),
        log: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/hook", axum::routing::any(handle))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

fn ack_all(vendor: Vendor) -> impl Fn(usize) -> (u16, &'static str, Duration) {
    let body = if vendor == Vendor::WeCom {
        ""
    } else {
        TENCENT_ACK
    };
    move |_| (200, body, Duration::ZERO)
}

async fn sandbox() -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        clock: ClockConfig::Manual {
            start_unix: 1_700_000_000,
        },
        data: DataConfig {
            small_meetings: 2,
            large_meetings: Vec::new(),
            ..DataConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// An ended one-off meeting with a few sessions.
fn meeting(sb: &SandboxHandle, vendor: Vendor) -> String {
    sb.catalog()
        .of(vendor)
        .find(|m| {
            m.kind != MeetingKind::Recurring
                && m.state == MeetingState::Ended
                && (3..=60).contains(&m.sessions)
        })
        .map(|m| m.id.clone())
        .expect("an ended one-off meeting")
}

fn target(vendor: Vendor, url: &str, key: Option<&str>) -> PushTarget {
    PushTarget {
        url: url.to_owned(),
        vendor,
        token: TOKEN.into(),
        aes_key: key.map(str::to_owned),
        corp_id: CORP.into(),
    }
}

fn fast() -> PushOptions {
    PushOptions {
        retry_unit: UNIT,
        ..PushOptions::default()
    }
}

/// A Tencent POST checked (signature) and opened: the event JSON.
fn tencent_event(r: &Received, key: Option<&str>) -> Value {
    let data = serde_json::from_str::<Value>(&r.body).unwrap()["data"]
        .as_str()
        .unwrap()
        .to_owned();
    let h = |k: &str| r.headers[k].to_str().unwrap().to_owned();
    assert_eq!(h("content-type"), "application/json");
    assert_eq!(h("timestamp").len(), 13);
    assert_eq!(
        h("signature"),
        signature([TOKEN, &h("timestamp"), &h("nonce"), &data])
    );
    serde_json::from_str(&tencent_plain(key, &data)).unwrap()
}

/// A WeCom POST checked (signature, envelope, frame) and opened: the event XML.
fn wecom_event(r: &Received) -> String {
    let enc = r.body.split("<Encrypt><![CDATA[").nth(1).unwrap();
    let enc = enc.split("]]>").next().unwrap();
    assert!(r.body.contains("<AgentID><![CDATA[1000002]]></AgentID>"));
    let q = |k: &str| r.query[k].clone();
    assert_eq!(
        q("msg_signature"),
        signature([TOKEN, &q("timestamp"), &q("nonce"), enc])
    );
    let (xml, rid) = open_wecom(KEY, enc);
    assert_eq!(rid, CORP);
    xml
}

fn posts(r: &Recv) -> Vec<Received> {
    r.log
        .lock()
        .unwrap()
        .iter()
        .filter(|x| !x.get)
        .cloned()
        .collect()
}

fn outcomes(e: &SentEvent) -> Vec<AttemptOutcome> {
    e.attempts.iter().map(|a| a.outcome).collect()
}

#[tokio::test]
async fn tencent_receiver_gets_every_event_once_encrypted() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::Tencent);
    let (url, recv) = receiver(Vendor::Tencent, Some(KEY), false, ack_all(Vendor::Tencent)).await;
    let pusher = sb
        .pusher(target(Vendor::Tencent, &url, Some(KEY)), fast())
        .unwrap();
    let report = pusher.push_meeting(&id).await.unwrap();
    assert!(report.verified);
    assert!(recv.log.lock().unwrap()[0].get, "verification first");

    let got = posts(&recv);
    let events: Vec<Value> = got.iter().map(|r| tencent_event(r, Some(KEY))).collect();
    let keys: Vec<&str> = report.events.iter().map(|e| e.key.as_str()).collect();
    let traces: Vec<&str> = events
        .iter()
        .map(|e| e["trace_id"].as_str().unwrap())
        .collect();
    assert_eq!(traces, keys, "each once, in event-time order");
    assert!(
        report
            .events
            .iter()
            .all(|e| outcomes(e) == [AttemptOutcome::Acknowledged])
    );
    assert_eq!(pusher.progress().acknowledged(), keys.len() as u64);
    assert_eq!(pusher.progress().failures(), 0);

    // Joins and leaves match the ground truth; the end comes last.
    let rows = sb.truth().tencent_participants(&id, None, None);
    let count = |k| report.events.iter().filter(|e| e.kind == k).count();
    assert_eq!(count(PushKind::Join), rows.len());
    let left = rows.iter().filter(|r| r["left_time"] != "").count();
    assert_eq!(count(PushKind::Leave), left);
    assert_eq!(count(PushKind::BreakoutMove) % 4, 0);
    assert_eq!(report.events.last().unwrap().kind, PushKind::MeetingEnd);
    assert_eq!(events.last().unwrap()["event"], "meeting.end");
    assert!(report.events.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    let first = &events[0]["payload"][0];
    let row = rows
        .iter()
        .find(|r| r["ms_open_id"] == first["operator"]["ms_open_id"])
        .unwrap();
    assert_eq!(
        first["operate_time"],
        row["join_time"].as_str().unwrap().parse::<i64>().unwrap() * 1000
    );
    assert_eq!(first["meeting_info"]["meeting_id"], id.as_str());
    assert!(first["operator"]["instance_id"].is_string());
}

#[tokio::test]
async fn breakout_moves_are_seeded_pairs_of_scene_2_then_3() {
    let sb = sandbox().await;
    let t = target(Vendor::Tencent, "http://127.0.0.1:9/", None);
    let ids: Vec<String> = sb
        .catalog()
        .of(Vendor::Tencent)
        .map(|m| m.id.clone())
        .collect();
    let mut found = 0;
    for seed in 0..20 {
        let p = sb
            .pusher(t.clone(), PushOptions { seed, ..fast() })
            .unwrap();
        for id in &ids {
            let Ok(plan) = p.inner.plan(id) else { continue };
            let again = p.inner.plan(id).unwrap();
            assert_eq!(
                plan.iter().map(|e| &e.body).collect::<Vec<_>>(),
                again.iter().map(|e| &e.body).collect::<Vec<_>>()
            );
            let moves: Vec<Value> = plan
                .iter()
                .filter(|e| e.kind == PushKind::BreakoutMove)
                .map(|e| serde_json::from_str(&e.body).unwrap())
                .collect();
            for m in &moves {
                let info = &m["payload"][0]["meeting_info"];
                let scene = info["action_scene_type"].as_i64().unwrap();
                assert!(scene == 2 || scene == 3);
                let joined = m["event"] == "meeting.participant-joined";
                // Into the breakout (type 1) on scene 2's join and scene 3's leave.
                assert_eq!(info["meeting_id_type"] == 1, joined == (scene == 2));
            }
            found += moves.len();
        }
    }
    assert!(found >= 4, "some sessions get moves");
}

#[tokio::test]
async fn wecom_receiver_gets_every_event_once() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::WeCom);
    let (url, recv) = receiver(Vendor::WeCom, Some(KEY), false, ack_all(Vendor::WeCom)).await;
    let pusher = sb
        .pusher(target(Vendor::WeCom, &url, Some(KEY)), fast())
        .unwrap();
    let report = pusher.push_meeting(&id).await.unwrap();
    let got = posts(&recv);
    assert_eq!(got.len(), report.events.len());
    for (r, e) in got.iter().zip(&report.events) {
        let xml = wecom_event(r);
        assert_eq!(outcomes(e), [AttemptOutcome::Acknowledged]);
        let change = xml
            .split("<ChangeType><![CDATA[")
            .nth(1)
            .unwrap()
            .split("]]>")
            .next()
            .unwrap();
        assert!(
            e.key.starts_with(&format!("{id}|{change}|")),
            "{} vs {xml}",
            e.key
        );
        assert!(e.key.ends_with(&format!("|{}", e.at_ms / 1000)));
        assert!(xml.contains(&format!("<CreateTime>{}</CreateTime>", e.at_ms / 1000)));
        assert_eq!(xml.contains("<FromUserName>"), e.userid.is_some());
        assert_eq!(e.kind == PushKind::MeetingEnd, change == "meeting_end");
    }
    let rows = sb.truth().wecom_attendees(&id, None, None);
    let joins = report
        .events
        .iter()
        .filter(|e| e.kind == PushKind::Join)
        .count();
    assert_eq!(joins, rows.len());
}

#[tokio::test]
async fn dropped_first_sends_arrive_on_their_retry() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::WeCom);
    let (url, recv) = receiver(Vendor::WeCom, Some(KEY), false, ack_all(Vendor::WeCom)).await;
    let mut o = fast();
    o.faults.drop_first = 1.0;
    let report = sb
        .pusher(target(Vendor::WeCom, &url, Some(KEY)), o)
        .unwrap()
        .push_meeting(&id)
        .await
        .unwrap();
    for e in &report.events {
        assert_eq!(
            outcomes(e),
            [AttemptOutcome::Dropped, AttemptOutcome::Acknowledged]
        );
        assert!(e.attempts[1].at - e.attempts[0].at >= UNIT);
    }
    assert_eq!(posts(&recv).len(), report.events.len(), "each arrives once");
}

#[tokio::test]
async fn tencent_refusals_are_retried_on_schedule_then_given_up() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::Tencent);
    for (status, body) in [(200, "ok"), (500, TENCENT_ACK)] {
        let (url, recv) = receiver(Vendor::Tencent, None, false, move |_| {
            (status, body, Duration::ZERO)
        })
        .await;
        let pusher = sb
            .pusher(target(Vendor::Tencent, &url, None), fast())
            .unwrap();
        let report = pusher.push_meeting(&id).await.unwrap();
        for e in &report.events {
            assert_eq!(outcomes(e), [AttemptOutcome::Refused(status); 4]);
            assert!(!e.acknowledged);
            for (w, units) in e.attempts.windows(2).zip(RETRY_UNITS) {
                assert!(
                    w[1].at - w[0].at >= UNIT * units,
                    "retry waits {units} units"
                );
            }
        }
        let n = report.events.len() as u64;
        assert_eq!(pusher.progress().given_up(), n);
        assert_eq!(posts(&recv).len() as u64, 4 * n);
    }
}

#[tokio::test]
async fn wecom_non_200_is_not_retried() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::WeCom);
    let (url, recv) = receiver(Vendor::WeCom, Some(KEY), false, |_| {
        (500, "", Duration::ZERO)
    })
    .await;
    let report = sb
        .pusher(target(Vendor::WeCom, &url, Some(KEY)), fast())
        .unwrap()
        .push_meeting(&id)
        .await
        .unwrap();
    for e in &report.events {
        assert_eq!(outcomes(e), [AttemptOutcome::Refused(500)]);
        assert!(!e.acknowledged);
    }
    assert_eq!(posts(&recv).len(), report.events.len());
}

#[tokio::test]
async fn slow_answers_are_timeouts_and_retried() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::Tencent);
    let slow = |n| {
        (
            200,
            TENCENT_ACK,
            if n == 0 {
                Duration::from_secs(3)
            } else {
                Duration::ZERO
            },
        )
    };
    let (url, _recv) = receiver(Vendor::Tencent, None, false, slow).await;
    let o = PushOptions {
        ack_deadline: Duration::from_millis(300),
        ..fast()
    };
    let report = sb
        .pusher(target(Vendor::Tencent, &url, None), o)
        .unwrap()
        .push_meeting(&id)
        .await
        .unwrap();
    assert_eq!(
        outcomes(&report.events[0]),
        [AttemptOutcome::Timeout, AttemptOutcome::Acknowledged]
    );
    assert!(report.events[0].attempts[0].latency >= Duration::from_millis(300));
    assert!(report.events.iter().all(|e| e.acknowledged));
}

#[tokio::test]
async fn duplicates_arrive_twice_with_the_same_trace_id() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::Tencent);
    let (url, recv) = receiver(Vendor::Tencent, None, false, ack_all(Vendor::Tencent)).await;
    let mut o = fast();
    o.faults.duplicate = 1.0;
    let pusher = sb.pusher(target(Vendor::Tencent, &url, None), o).unwrap();
    let report = pusher.push_meeting(&id).await.unwrap();
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    for r in posts(&recv) {
        let trace = tencent_event(&r, None)["trace_id"]
            .as_str()
            .unwrap()
            .to_owned();
        seen.entry(trace)
            .or_default()
            .push(r.headers["nonce"].to_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), report.events.len());
    for e in &report.events {
        assert_eq!(outcomes(e), [AttemptOutcome::Acknowledged; 2]);
        assert_eq!(
            e.attempts.iter().map(|a| a.duplicate).collect::<Vec<_>>(),
            [false, true]
        );
        let nonces = &seen[&e.key];
        assert!(nonces.len() == 2 && nonces[0] != nonces[1], "fresh nonce");
    }
    let n = report.events.len() as u64;
    assert_eq!(
        (
            pusher.progress().attempts(),
            pusher.progress().acknowledged()
        ),
        (2 * n, n)
    );
}

#[tokio::test]
async fn reorder_swaps_neighbours() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::Tencent);
    let (url, recv) = receiver(Vendor::Tencent, None, false, ack_all(Vendor::Tencent)).await;
    let mut o = fast();
    o.faults.reorder = 1.0;
    o.verify = false;
    let report = sb
        .pusher(target(Vendor::Tencent, &url, None), o)
        .unwrap()
        .push_meeting(&id)
        .await
        .unwrap();
    assert!(!report.verified);
    let got: Vec<String> = posts(&recv)
        .iter()
        .map(|r| {
            tencent_event(r, None)["trace_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut expected: Vec<String> = report.events.iter().map(|e| e.key.clone()).collect();
    for pair in expected.chunks_mut(2) {
        pair.reverse();
    }
    assert_eq!(got, expected);
}

#[tokio::test]
async fn verification_fails_on_a_wrong_plaintext() {
    let sb = sandbox().await;
    for (vendor, key) in [
        (Vendor::Tencent, None),
        (Vendor::Tencent, Some(KEY)),
        (Vendor::WeCom, Some(KEY)),
    ] {
        let id = meeting(&sb, vendor);
        let (url, _) = receiver(vendor, key, false, ack_all(vendor)).await;
        sb.pusher(target(vendor, &url, key), fast())
            .unwrap()
            .verify()
            .await
            .unwrap();
        let (url, recv) = receiver(vendor, key, true, ack_all(vendor)).await;
        let pusher = sb.pusher(target(vendor, &url, key), fast()).unwrap();
        assert!(matches!(
            pusher.verify().await,
            Err(PushError::Verification(_))
        ));
        assert!(matches!(
            pusher.push_meeting(&id).await,
            Err(PushError::Verification(_))
        ));
        assert!(
            posts(&recv).is_empty(),
            "no event after a failed verification"
        );
    }
}

#[tokio::test]
async fn targets_are_checked_and_secrets_never_shown() {
    let sb = sandbox().await;
    let t = |vendor, key: Option<&str>| target(vendor, "http://127.0.0.1:9/", key);
    let err = |t| sb.pusher(t, fast()).unwrap_err();
    assert!(matches!(
        err(t(Vendor::Quanshi, None)),
        PushError::UnsupportedVendor(_)
    ));
    assert!(matches!(err(t(Vendor::WeCom, None)), PushError::MissingKey));
    assert!(matches!(
        err(t(Vendor::Tencent, Some("short"))),
        PushError::BadKey
    ));
    let p = sb.pusher(t(Vendor::WeCom, Some(KEY)), fast()).unwrap();
    let shown = format!("{p:?} {:?}", t(Vendor::WeCom, Some(KEY)));
    assert!(
        !shown.contains(TOKEN) && !shown.contains(&KEY[..10]),
        "{shown}"
    );
    assert!(matches!(
        p.push_meeting("nope").await,
        Err(PushError::UnknownMeeting(_))
    ));
}

#[tokio::test]
async fn delayed_events_still_arrive_once() {
    let sb = sandbox().await;
    let id = meeting(&sb, Vendor::Tencent);
    let (url, recv) = receiver(Vendor::Tencent, None, false, ack_all(Vendor::Tencent)).await;
    let mut o = fast();
    o.faults.delay = 0.5;
    o.faults.delay_by = UNIT * 5;
    o.concurrency = 4;
    let pusher = sb.pusher(target(Vendor::Tencent, &url, None), o).unwrap();
    let report = pusher.push_meeting(&id).await.unwrap();
    let delayed = report
        .events
        .iter()
        .filter(|e| e.attempts[0].at >= UNIT * 5)
        .count();
    assert!(delayed > 0 && delayed < report.events.len(), "{delayed}");
    assert!(
        report
            .events
            .iter()
            .all(|e| outcomes(e) == [AttemptOutcome::Acknowledged])
    );
    assert_eq!(posts(&recv).len(), report.events.len());
}
