//! The export job (docs/specs/tencent-meeting.md §12.3) against a scripted HTTP server: the
//! signed POST over the exact body, polling on a manual clock, the unsigned download, a link
//! that expired, failures and the fallback for a file roster cannot read. (The sandbox's own
//! export is tested in round2.rs; this server can misbehave in ways the sandbox does not.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roster_core::{ClientBuilder, ErrorKind, ManualClock, Pacer};
use roster_tencent_meeting::export::is_expired_link;
use roster_tencent_meeting::sign::{SignatureInput, signature};
use roster_tencent_meeting::{
    Credentials, ExportJob, ExportRequest, ExportWait, TencentMeetingClient,
};
use time::macros::datetime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the server read it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    body: String,
}

type Handler = Arc<dyn Fn(&Seen, usize) -> (u16, String) + Send + Sync>;

struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn to(&self, path_start: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|s| s.target.starts_with(path_start))
            .collect()
    }
}

/// Serves every connection with `handler(request, index of the request)`.
async fn serve(handler: Handler) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (log, handler) = (log.clone(), handler.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let method = first.next().unwrap_or("").to_string();
                let target = first.next().unwrap_or("").to_string();
                let headers: HashMap<String, String> = lines
                    .filter_map(|l| l.split_once(": "))
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                    .collect();
                let len: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut body = buf[head_end + 4..].to_vec();
                while body.len() < len {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
                let seen = Seen {
                    method,
                    target,
                    headers,
                    body: String::from_utf8_lossy(&body).to_string(),
                };
                let index = {
                    let mut l = log.lock().unwrap();
                    l.push(seen.clone());
                    l.len() - 1
                };
                let (status, body) = handler(&seen, index);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Server { base, seen }
}

const SECRET_KEY: &str = "the-secret-key";

fn client(base: &str, clock: &ManualClock) -> TencentMeetingClient {
    TencentMeetingClient::builder(Credentials::new("app-1", "the-secret-id", SECRET_KEY))
        .operator_id("owner1")
        .base_url(base)
        .pacer(Pacer::unlimited())
        .retry_policy(roster_testkit::fast_policy())
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap()
}

fn clock() -> ManualClock {
    ManualClock::new(datetime!(2026-01-01 00:00 UTC))
}

/// A meeting detail of a one-off meeting.
const DETAIL: &str = r#"{"meeting_number":1,"meeting_info_list":[{"meeting_id":"123","meeting_type":0,"start_time":"1767225600","end_time":"1767229200"}]}"#;

const FILE: &str = r#"{"meeting_id":"123","total_count":2,"participants":[
 {"user_name":"5byg5LiJ","userid":"zhangsan","ms_open_id":"ms-1","first_join_time":1767225600,
  "last_left_time":1767229200,"join_count":2,"cumulative_time":3300,"department":"研发"},
 {"user_name":"dGvzdDI=","ms_open_id":"ms-2","join_time":1767225700,"last_quit_time":1767225800,
  "total_join_count":1,"total_duration":100}]}"#;

/// A server with a job that is processing for `processing` polls, then done with a link to
/// `/dl/{n}?sign=S3CRET{n}` (n counts the finished polls); the download answers with
/// `download(n)`.
async fn export_server(
    processing: usize,
    download: impl Fn(usize) -> (u16, String) + Send + Sync + 'static,
) -> Server {
    let polls = Arc::new(Mutex::new(0usize));
    serve(Arc::new(move |s: &Seen, _| {
        let path = s.target.split('?').next().unwrap_or("");
        if s.method == "POST" && path == "/v1/meetings/export-participants-list" {
            return (
                200,
                r#"{"job_id":"e1234567-f123-4d12-123a-12346192e332"}"#.into(),
            );
        }
        if path == "/v1/export/e1234567-f123-4d12-123a-12346192e332" {
            let mut p = polls.lock().unwrap();
            *p += 1;
            if *p <= processing {
                return (200, r#"{"status":3}"#.into());
            }
            let n = *p - processing;
            let host = s.headers.get("host").cloned().unwrap_or_default();
            return (
                200,
                format!(r#"{{"status":1,"url":"http://{host}/dl/{n}?sign=S3CRET{n}"}}"#),
            );
        }
        if let Some(rest) = path.strip_prefix("/dl/") {
            return download(rest.parse().unwrap_or(0));
        }
        if path == "/v1/meetings/123" {
            return (200, DETAIL.into());
        }
        (404, String::new())
    }))
    .await
}

fn check_signed(s: &Seen) {
    let h = |n: &str| s.headers.get(n).map(String::as_str).unwrap_or("");
    let input = SignatureInput {
        method: &s.method,
        secret_id: "the-secret-id",
        nonce: h("x-tc-nonce"),
        timestamp: h("x-tc-timestamp"),
        request_target: &s.target,
        body: &s.body,
    };
    assert_eq!(h("x-tc-signature"), signature(&input, SECRET_KEY), "{s:?}");
    assert_eq!(h("x-tc-key"), "the-secret-id");
    assert_eq!(h("appid"), "app-1");
    assert_eq!(h("x-tc-registered"), "1");
}

#[tokio::test]
async fn export_end_to_end_signed_post_polls_on_the_clock_and_an_unsigned_download() {
    let sb = export_server(2, |_| (200, FILE.to_string())).await;
    let clock = clock();
    let c = client(&sb.base, &clock);
    let req = ExportRequest::new("123").between(
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2026-01-01 02:00 UTC),
    );
    let rows = c
        .participants_export(&req, ExportWait::default())
        .await
        .unwrap();

    let post = &sb.to("/v1/meetings/export-participants-list")[0];
    assert_eq!(post.method, "POST");
    assert_eq!(post.target, "/v1/meetings/export-participants-list");
    assert_eq!(
        post.body,
        r#"{"meeting_id":"123","operator_id":"owner1","operator_id_type":1,"start_time":1767225600,"end_time":1767232800,"file_type":"json"}"#
    );
    assert_eq!(
        post.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    check_signed(post);
    let polls = sb.to("/v1/export/");
    assert_eq!(polls.len(), 3, "two processing, then done");
    for p in &polls {
        assert_eq!(p.method, "GET");
        assert!(
            p.target
                .ends_with("/v1/export/e1234567-f123-4d12-123a-12346192e332?operator_id=owner1&operator_id_type=1"),
            "{}",
            p.target
        );
        assert!(p.body.is_empty());
        check_signed(p);
    }
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(5), Duration::from_secs(5)],
        "polled every 5 s on the client's clock"
    );
    let dl = &sb.to("/dl/")[0];
    assert_eq!(dl.method, "GET");
    assert_eq!(dl.target, "/dl/1?sign=S3CRET1");
    assert!(
        dl.headers
            .keys()
            .all(|k| !k.starts_with("x-tc-") && k != "appid"),
        "the download carries no credential: {:?}",
        dl.headers
    );

    assert_eq!(rows.len(), 2);
    let z = &rows[0];
    assert_eq!(z.display_name.as_deref(), Some("张三"));
    assert_eq!(z.user_id.as_deref(), Some("zhangsan"));
    assert_eq!(z.temp_id.as_deref(), Some("ms-1"));
    assert_eq!((z.sessions, z.attended_seconds), (2, 3300));
    assert_eq!(z.first_join, Some(datetime!(2026-01-01 00:00 UTC)));
    assert_eq!(z.last_leave, Some(datetime!(2026-01-01 01:00 UTC)));
    assert!(z.attended);
    let g = &rows[1];
    assert_eq!(g.display_name.as_deref(), Some("dGvzdDI="));
    assert_eq!((g.sessions, g.attended_seconds), (1, 100));
    assert_eq!(g.last_leave, Some(datetime!(2026-01-01 00:03:20 UTC)));
}

#[tokio::test]
async fn the_job_api_one_call_at_a_time() {
    let sb = export_server(1, |_| (200, "[]".to_string())).await;
    let clock = clock();
    let c = client(&sb.base, &clock);
    let job = c
        .submit_participants_export(&ExportRequest::new("123"))
        .await
        .unwrap();
    assert_eq!(job, "e1234567-f123-4d12-123a-12346192e332");
    assert_eq!(c.export_job(&job).await.unwrap(), ExportJob::Processing);
    let done = c.export_job(&job).await.unwrap();
    let ExportJob::Done { url } = &done else {
        panic!("done: {done:?}")
    };
    assert!(url.expose_secret().ends_with("/dl/1?sign=S3CRET1"));
    assert!(!format!("{done:?}").contains("S3CRET"));
    let bytes = c.download_export(url).await.unwrap();
    assert_eq!(&bytes[..], b"[]");
    // No request was made for a bad id.
    let before = sb.requests().len();
    assert_eq!(
        c.export_job("../x").await.unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(sb.requests().len(), before);
}

#[tokio::test]
async fn an_expired_link_is_renewed_once_then_fails_without_the_link() {
    // The first link is refused, the second works.
    let sb = export_server(0, |n| {
        if n == 1 {
            (403, "<Error>AccessDenied /dl/1?sign=S3CRET1</Error>".into())
        } else {
            (200, FILE.into())
        }
    })
    .await;
    let c = client(&sb.base, &clock());
    let rows = c
        .participants_export(&ExportRequest::new("123"), ExportWait::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        sb.to("/v1/export/").len(),
        2,
        "one more poll for a fresh link"
    );
    assert_eq!(sb.to("/dl/").len(), 2);

    // Every link is refused (404, 410, 403): a clear error after one renewal.
    for status in [403u16, 404, 410] {
        let sb = export_server(0, move |_| (status, "gone: sign=S3CRET".into())).await;
        let c = client(&sb.base, &clock());
        let e = c
            .participants_export(&ExportRequest::new("123"), ExportWait::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::JobFailed, "{e}");
        assert_eq!(e.http_status(), Some(status));
        assert!(e.to_string().contains("refused twice"), "{e}");
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(
                !shown.contains("S3CRET") && !shown.contains("/dl/"),
                "{shown}"
            );
        }
        assert_eq!(sb.to("/dl/").len(), 2);

        // download_export alone: the expired-link error, nothing of the link in it.
        let url = match c.export_job("e1234567-f123-4d12-123a-12346192e332").await {
            Ok(ExportJob::Done { url }) => url,
            other => panic!("{other:?}"),
        };
        let e = c.download_export(&url).await.unwrap_err();
        assert!(is_expired_link(&e), "{e}");
        assert!(e.hint().unwrap().contains("poll"));
        assert!(!format!("{e:?}").contains("S3CRET"));
    }

    // Another failure keeps a snippet, with the link cut out of it.
    let sb = export_server(0, |_| (500, "boom for /dl/1?sign=S3CRET1 boom".into())).await;
    let c = client(&sb.base, &clock());
    let url = match c.export_job("e1234567-f123-4d12-123a-12346192e332").await {
        Ok(ExportJob::Done { url }) => url,
        other => panic!("{other:?}"),
    };
    let e = c.download_export(&url).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    let snippet = e.body_snippet().unwrap_or_default().to_string();
    assert!(snippet.contains("boom"), "{snippet}");
    for shown in [snippet, e.to_string(), format!("{e:?}")] {
        assert!(!shown.contains("S3CRET"), "{shown}");
    }
    assert_eq!(sb.to("/dl/").len(), 4, "5xx retried (3 retries)");
}

#[tokio::test]
async fn failed_unknown_and_too_slow_jobs_are_job_failed() {
    for (status, want) in [
        (
            r#"{"status":2,"error_msg":"export failed"}"#,
            "export failed",
        ),
        (r#"{"status":9}"#, "status 9"),
        (r#"{"status":1}"#, "without a download link"),
    ] {
        let sb = serve(Arc::new(move |_: &Seen, _| (200, status.to_string()))).await;
        let c = client(&sb.base, &clock());
        let e = c
            .wait_for_export("job-1", ExportWait::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::JobFailed, "{status}");
        assert!(e.to_string().contains(want), "{e}");
    }

    // Processing for ever: polls at 0, 5, 10, 15 and 20 s, then gives up.
    let sb = serve(Arc::new(|_: &Seen, _| (200, r#"{"status":3}"#.to_string()))).await;
    let clock = clock();
    let c = client(&sb.base, &clock);
    let wait = ExportWait::default().deadline(Duration::from_secs(20));
    let e = c.wait_for_export("job-1", wait).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::JobFailed);
    assert!(e.to_string().contains("still processing after 20 s"), "{e}");
    assert_eq!(sb.requests().len(), 5);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(5); 4]);

    // An unknown job: NotFound (10013), not retried.
    let sb = serve(Arc::new(|_: &Seen, _| {
        (
            500,
            r#"{"error_info":{"error_code":10013,"message":"任务不存在"}}"#.to_string(),
        )
    }))
    .await;
    let c = client(&sb.base, &clock);
    let e = c.export_job("job-1").await.unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::NotFound, Some(10013))
    );
    assert_eq!(sb.requests().len(), 1);
}

#[tokio::test]
async fn an_unreadable_file_falls_back_to_the_participants_list() {
    let participants = r#"{"meeting_id":"123","has_remaining":false,"participants":[
        {"userid":"zhangsan","ms_open_id":"ms-1","user_name":"5byg5LiJ","join_time":"1767225600","left_time":"1767227400","instanceid":1},
        {"userid":"zhangsan","ms_open_id":"ms-1","user_name":"5byg5LiJ","join_time":"1767228000","left_time":"1767229200","instanceid":2}]}"#;
    let sb = serve(Arc::new(move |s: &Seen, _| {
        let path = s.target.split('?').next().unwrap_or("");
        match (s.method.as_str(), path) {
            ("POST", "/v1/meetings/export-participants-list") => {
                (200, r#"{"job_id":"job-1"}"#.to_string())
            }
            (_, "/v1/export/job-1") => {
                let host = s.headers.get("host").cloned().unwrap_or_default();
                (
                    200,
                    format!(r#"{{"status":1,"url":"http://{host}/dl/1?sign=S"}}"#),
                )
            }
            (_, "/dl/1") => (200, "PK not json".to_string()),
            (_, "/v1/meetings/123") => (200, DETAIL.to_string()),
            (_, "/v1/meetings/123/participants") => (200, participants.to_string()),
            _ => (404, String::new()),
        }
    }))
    .await;
    // After the range: the participants list is not cut at "now".
    let c = client(&sb.base, &ManualClock::new(datetime!(2026-01-01 03:00 UTC)));
    let req = ExportRequest::new("123").between(
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2026-01-01 02:00 UTC),
    );
    let rows = c
        .participants_export(&req, ExportWait::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one person");
    let z = &rows[0];
    assert_eq!(z.user_id.as_deref(), Some("zhangsan"));
    assert_eq!(z.display_name.as_deref(), Some("张三"));
    assert_eq!(z.sessions, 2);
    assert_eq!(z.attended_seconds, 1800 + 1200, "from the sessions");
    let lists = sb.to("/v1/meetings/123/participants");
    assert_eq!(lists.len(), 1);
    assert!(
        lists[0]
            .target
            .contains("start_time=1767225600&end_time=1767232800"),
        "the export's range: {}",
        lists[0].target
    );
}

#[tokio::test]
async fn without_an_occurrence_or_range_the_detail_decides() {
    // A one-off meeting: from a day before its start, up to now.
    let sb = export_server(0, |_| (200, "[]".to_string())).await;
    let c = client(&sb.base, &ManualClock::new(datetime!(2026-01-03 00:00 UTC)));
    let rows = c
        .participants_export(&ExportRequest::new("123"), ExportWait::default())
        .await
        .unwrap();
    assert!(rows.is_empty());
    assert_eq!(
        sb.to("/v1/meetings/export-participants-list")[0].body,
        r#"{"meeting_id":"123","operator_id":"owner1","operator_id_type":1,"start_time":1767139200,"end_time":1767398400,"file_type":"json"}"#
    );

    // A recurring meeting: its current occurrence, no range.
    let sb = serve(Arc::new(|s: &Seen, _| {
        let path = s.target.split('?').next().unwrap_or("");
        match path {
            "/v1/meetings/9" => (
                200,
                r#"{"meeting_info_list":[{"meeting_type":1,"current_sub_meeting_id":"1767225600","start_time":1767225600}]}"#.into(),
            ),
            "/v1/meetings/export-participants-list" => (200, r#"{"job_id":"j"}"#.into()),
            "/v1/export/j" => {
                let host = s.headers.get("host").cloned().unwrap_or_default();
                (200, format!(r#"{{"status":1,"url":"http://{host}/dl"}}"#))
            }
            "/dl" => (200, "[]".into()),
            _ => (404, String::new()),
        }
    }))
    .await;
    let c = client(&sb.base, &clock());
    c.participants_export(&ExportRequest::new("9"), ExportWait::default())
        .await
        .unwrap();
    assert_eq!(
        sb.to("/v1/meetings/export-participants-list")[0].body,
        r#"{"meeting_id":"9","sub_meeting_id":"1767225600","operator_id":"owner1","operator_id_type":1,"file_type":"json"}"#
    );
    // An occurrence given: no detail is read.
    let before = sb.to("/v1/meetings/9").len();
    c.participants_export(
        &ExportRequest::new("9").sub_meeting("1767225600"),
        ExportWait::default(),
    )
    .await
    .unwrap();
    assert_eq!(sb.to("/v1/meetings/9").len(), before);
}
