//! Planning an attendee export reads `get_info` without its attendance summary, streamed, with
//! the error handling of every other call; and every call parses its answer once.
//!
//! A scripted server on loopback answers what the sandbox cannot (a summary that does not
//! decode, tokens echoed in errors, odd statuses); the sandbox covers faults.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::{fast_policy, meeting};
use roster_core::AttendancePlan;
use roster_core::{AttendeeSource, ErrorKind, MeetingQuery, RetryClass};
use roster_sandbox::Fault;
use roster_wecom::{ClientBuilder, Credentials, WeComClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request the scripted server received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    token: Option<String>,
}

/// What the scripted server answers: `(status, body)` for a path and the number of earlier
/// calls to it.
type Script = dyn Fn(&str, usize) -> (u16, String) + Send + Sync;

struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn calls_to(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

/// A minimal HTTP/1.1 server: one request per connection, answered from `script`.
/// `gettoken` answers `TOKEN-<n>` unless the script says otherwise.
async fn serve(script: impl Fn(&str, usize) -> (u16, String) + Send + Sync + 'static) -> Server {
    let script: Arc<Script> = Arc::new(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let counts: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (script, log, counts) = (script.clone(), log.clone(), counts.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let length = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                if socket.read_exact(&mut body).await.is_err() {
                    return;
                }
                let target = head.split(' ').nth(1).unwrap_or("/").to_string();
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                let token = url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "access_token")
                    .map(|(_, v)| v.into_owned());
                let n = {
                    let mut counts = counts.lock().unwrap();
                    let n = counts.entry(path.to_string()).or_insert(0);
                    *n += 1;
                    *n - 1
                };
                log.lock().unwrap().push(Seen {
                    path: path.to_string(),
                    token,
                });
                let (status, body) = if path == "/cgi-bin/gettoken" && script(path, n).0 == 0 {
                    (
                        200,
                        format!(
                            r#"{{"errcode":0,"errmsg":"ok","access_token":"TOKEN-{n}","expires_in":7200}}"#
                        ),
                    )
                } else {
                    script(path, n)
                };
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Server { base, seen }
}

fn client(server: &Server) -> WeComClient {
    WeComClient::builder(Credentials::new("ww1", "secret-1"))
        .base_url(&server.base)
        .pacer(roster_core::Pacer::unlimited())
        .retry_policy(fast_policy())
        .build()
        .unwrap()
}

const GET_INFO: &str = "/cgi-bin/meeting/get_info";
const START: i64 = 1_700_000_000;

/// A one-off meeting's `get_info` with `attendees` as given.
fn info_with(attendees: &str) -> String {
    format!(
        r#"{{"errcode":0,"errmsg":"ok","title":"t","meeting_start":{START},"meeting_type":0,"attendees":{attendees},"status":3}}"#
    )
}

/// The default-ranged plan of a one-off meeting starting at [`START`].
fn planned_from(plan: &AttendancePlan) -> i64 {
    match plan {
        AttendancePlan::Windows { windows: w, .. } => w[0].start.unix_timestamp(),
        other => panic!("a one-off meeting is windowed: {other:?}"),
    }
}

#[tokio::test]
async fn planning_never_decodes_the_attendance_summary() {
    // A summary that the full decoder refuses (member rows must be a list of objects).
    let garbage = r#"{"member": 5, "tmp_external_user": [[1, 2], "x"], "deep": [[[{"a": []}]]]}"#;
    let body = info_with(garbage);
    let server = serve(move |path, _| match path {
        "/cgi-bin/gettoken" => (0, String::new()),
        GET_INFO => (200, body.clone()),
        _ => (
            200,
            r#"{"errcode":0,"has_more":false,"attendees":[]}"#.into(),
        ),
    })
    .await;
    let client = client(&server);

    let e = client.get_info("m1", None).await.unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Decode,
        "the full answer does not decode"
    );

    let plan = client
        .plan_attendees(&MeetingQuery::new("m1"))
        .await
        .unwrap();
    assert_eq!(planned_from(&plan), START - 86_400);
    let rows: Vec<_> = futures::TryStreamExt::try_collect(
        client.attendees(&MeetingQuery::new("m1")).await.unwrap(),
    )
    .await
    .unwrap();
    assert!(rows.is_empty());
}

#[tokio::test]
async fn planning_reads_a_summary_of_any_size_or_shape() {
    let rows: Vec<String> = (0..20_000)
        .map(|i| format!(r#"{{"userid":"u{i}","status":1,"cumulative_time":{i}}}"#))
        .collect();
    let big = format!(r#"{{"member":[{}]}}"#, rows.join(","));
    for attendees in [big.as_str(), "null", "[]", "\"x\"", "[{\"member\":[]}]"] {
        let body = info_with(attendees);
        let server = serve(move |path, _| match path {
            "/cgi-bin/gettoken" => (0, String::new()),
            _ => (200, body.clone()),
        })
        .await;
        let plan = client(&server)
            .plan_attendees(&MeetingQuery::new("m1"))
            .await
            .unwrap();
        assert_eq!(planned_from(&plan), START - 86_400);
    }
}

#[tokio::test]
async fn planning_refreshes_a_rejected_token_once_and_keeps_the_request_id() {
    let info = info_with(r#"{"member":[]}"#);
    let server = serve(move |path, n| match (path, n) {
        ("/cgi-bin/gettoken", _) => (0, String::new()),
        (GET_INFO, 0) => (
            200,
            r#"{"errcode":42001,"errmsg":"access_token expired, hint: [req-1], from ip: 1.2.3.4"}"#
                .into(),
        ),
        _ => (200, info.clone()),
    })
    .await;
    let client = client(&server);
    let plan = client
        .plan_attendees(&MeetingQuery::new("m1"))
        .await
        .unwrap();
    assert_eq!(planned_from(&plan), START - 86_400);
    let tokens: Vec<_> = server
        .calls_to(GET_INFO)
        .into_iter()
        .map(|s| s.token.unwrap())
        .collect();
    assert_eq!(tokens, ["TOKEN-0", "TOKEN-1"], "retried with a new token");
    assert_eq!(server.calls_to("/cgi-bin/gettoken").len(), 2);

    // Rejected twice: a fatal Auth error, classified by code, with the request id.
    let server = serve(move |path, _| match path {
        "/cgi-bin/gettoken" => (0, String::new()),
        _ => (
            200,
            r#"{"errcode":40014,"errmsg":"invalid access_token, hint: [req-2]"}"#.into(),
        ),
    })
    .await;
    let e = client_error(&server).await;
    assert_eq!((e.kind(), e.vendor_code()), (ErrorKind::Auth, Some(40014)));
    assert_eq!(e.class(), RetryClass::Fatal);
    assert_eq!(e.request_id(), Some("req-2"));
    assert_eq!(server.calls_to(GET_INFO).len(), 2);
}

async fn client_error(server: &Server) -> roster_core::Error {
    client(server)
        .plan_attendees(&MeetingQuery::new("m1"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn planning_errors_are_classified_by_code_and_never_carry_the_token() {
    // A code in a body the planning view cannot read still decides (as the envelope always
    // did); the token echoed in errmsg is replaced.
    let server = serve(|path, _| match path {
        "/cgi-bin/gettoken" => (0, String::new()),
        _ => (
            200,
            r#"{"errcode":"730004","errmsg":"meeting not found for TOKEN-0","sub_meetings":7}"#
                .into(),
        ),
    })
    .await;
    let e = client_error(&server).await;
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::NotFound, Some(730004))
    );
    assert!(!format!("{e} {e:?}").contains("TOKEN-0"), "{e:?}");
    assert!(e.vendor_message().unwrap().contains("<redacted>"));

    // Text and messages never decide: a "rate limit" message with code 0 is a success.
    let info = info_with("[]").replace(r#""errmsg":"ok""#, r#""errmsg":"api freq out of limit""#);
    let server = serve(move |path, _| match path {
        "/cgi-bin/gettoken" => (0, String::new()),
        _ => (200, info.clone()),
    })
    .await;
    assert!(
        client(&server)
            .plan_attendees(&MeetingQuery::new("m1"))
            .await
            .is_ok()
    );

    // An echo of the token in a body that is not JSON: a decode error whose snippet is clean.
    let server = serve(|path, _| match path {
        "/cgi-bin/gettoken" => (0, String::new()),
        _ => (200, "<html>bad request access_token=TOKEN-0</html>".into()),
    })
    .await;
    let e = client_error(&server).await;
    assert_eq!(e.kind(), ErrorKind::Decode);
    let snippet = e.body_snippet().unwrap();
    assert!(
        snippet.contains("<redacted>") && !snippet.contains("TOKEN-0"),
        "{snippet}"
    );

    // Statuses other than 200 are transport errors, with a redacted snippet.
    for (status, retried) in [(502, true), (404, false), (201, false)] {
        let server = serve(move |path, _| match path {
            "/cgi-bin/gettoken" => (0, String::new()),
            _ => (
                status,
                format!("{{\"echo\":\"TOKEN-0\",\"status\":{status}}}"),
            ),
        })
        .await;
        let e = client_error(&server).await;
        assert_eq!(e.kind(), ErrorKind::Transport, "{status}: {e:?}");
        assert_eq!(e.http_status(), Some(status));
        assert!(!format!("{e:?}").contains("TOKEN-0"), "{e:?}");
        let calls = server.calls_to(GET_INFO).len();
        assert_eq!(calls > 1, retried, "{status}: {calls} calls");
    }
}

#[tokio::test]
async fn every_call_classifies_errcode_from_its_single_parse() {
    // errcode absent = success; a numeric string is a code; codes are read on every endpoint.
    let server = serve(|path, n| match (path, n) {
        ("/cgi-bin/gettoken", _) => (0, String::new()),
        ("/cgi-bin/meeting/get_attendee_list", 0) => (
            200,
            r#"{"errcode":"-1","errmsg":"system busy, hint: [req-3]","has_more":false}"#.into(),
        ),
        ("/cgi-bin/meeting/get_attendee_list", _) => (
            200,
            r#"{"has_more":false,"attendees":[{"tmp_openid":"t1","join_time":"1700000100"}]}"#
                .into(),
        ),
        ("/cgi-bin/meeting/enroll/list", _) => (
            200,
            r#"{"errcode":730005,"errmsg":"not your meeting","enroll_list":"garbage"}"#.into(),
        ),
        _ => (200, r#"{"errcode":0}"#.into()),
    })
    .await;
    let client = client(&server);
    let page = client
        .get_attendee_list(&roster_wecom::wire::AttendeeListBody {
            meetingid: "m1".into(),
            sub_meetingid: Some("s1".into()),
            start_time: None,
            end_time: None,
            cursor: None,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(
        page.attendees.map_or(0, |rows| rows.len()),
        1,
        "-1 retried, then no errcode = success"
    );
    assert_eq!(
        server.calls_to("/cgi-bin/meeting/get_attendee_list").len(),
        2
    );

    // A code wins over a body of the wrong shape (decided before the data, as always).
    let e = client
        .get_enroll_list(&roster_wecom::wire::EnrollListBody {
            meetingid: "m1".into(),
            status: 0,
            cursor: None,
            limit: 50,
        })
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Forbidden, Some(730005))
    );
}

#[tokio::test]
async fn gettoken_is_parsed_once_and_its_errors_keep_no_body() {
    let server = serve(|path, _| match path {
        "/cgi-bin/gettoken" => (
            200,
            r#"{"errcode":40001,"errmsg":"invalid credential, hint: [req-4]"}"#.into(),
        ),
        _ => (200, r#"{"errcode":0}"#.into()),
    })
    .await;
    let e = client_error(&server).await;
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Config, Some(40001))
    );
    assert_eq!(e.request_id(), Some("req-4"));

    let server = serve(|path, _| match path {
        "/cgi-bin/gettoken" => (200, r#"{"access_token":"TOKEN-X","expires_in":"#.into()),
        _ => (200, r#"{"errcode":0}"#.into()),
    })
    .await;
    let e = client(&server).access_token().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.body_snippet().is_none());
    assert!(!format!("{e} {e:?}").contains("TOKEN-X"));
}

#[tokio::test]
async fn planning_rides_out_faults_like_every_call() {
    // Both clocks frozen at T0: the planned window ends at "now", which must not move
    // between the two plans compared below.
    let sb = common::manual_sandbox(|_| {}).await;
    let client = common::config(&sb)
        .clock(Arc::new(common::frozen_clock()))
        .build()
        .unwrap();
    let m = meeting(&sb, "seed-oneoff");
    let q = MeetingQuery::new(&m.id);
    let expected = client.plan_attendees(&q).await.unwrap();
    let faults = sb.faults();
    // A cut body, a dropped connection and a gateway page: retried.
    faults.inject("wecom.get_info", Fault::Truncate, 1);
    faults.inject("wecom.get_info", Fault::Drop, 1);
    faults.inject("wecom.get_info", Fault::Http(502), 1);
    let before = sb.stats().requests_to("wecom.get_info");
    assert_eq!(client.plan_attendees(&q).await.unwrap(), expected);
    assert_eq!(sb.stats().requests_to("wecom.get_info") - before, 4);
    // The vendor's transient code, then revoked tokens: retried, token refreshed once.
    faults.inject("wecom.get_info", Fault::VendorTransient, 1);
    faults.inject("wecom.get_info", Fault::RevokeTokens, 1);
    assert_eq!(client.plan_attendees(&q).await.unwrap(), expected);
    assert_eq!(sb.stats().requests_to("wecom.gettoken"), 2, "one refresh");

    faults.inject("wecom.get_info", Fault::VendorCode(40014), 2);
    let e = client.plan_attendees(&q).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code()), (ErrorKind::Auth, Some(40014)));
    assert!(e.request_id().is_some(), "{e}");

    let recurring = meeting(&sb, "seed-recurring");
    let plan = client
        .plan_attendees(&MeetingQuery::new(&recurring.id))
        .await
        .unwrap();
    assert!(
        matches!(plan, AttendancePlan::Occurrence { .. }),
        "{plan:?}"
    );
}
