//! What the client sends and how it reacts, against a scripted loopback server: auth placement,
//! signature headers per attempt, refresh-once, retries, pagination stops, zero-request input
//! checks, and secrets staying out of errors and logs.
//!
//! The vendor contract itself (signature verification, token lifetimes, seeded data) is tested
//! against roster-sandbox in `sandbox.rs`.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;
use roster_core::{AttendeeSource, ErrorKind, ManualClock, MeetingQuery, RetryClass, SharedClock};
use roster_quanshi::checksum::checksum;
use roster_quanshi::{
    AuthMode, ClientBuilder, Credentials, Family, QuanshiClient, QuanshiClientBuilder,
    TokenPlacement,
};
use serde_json::{Value, json};
use support::mock::{MockServer, Recorded, Reply};

const SECRET: &str = "S3CRET-aSecretKey";
const ADMIN: u64 = 19_533_553;

fn clock() -> (ManualClock, SharedClock) {
    let c = ManualClock::at_unix(1_700_000_000);
    (c.clone(), Arc::new(c))
}

fn config(url: &str) -> QuanshiClientBuilder {
    QuanshiClient::builder(Credentials::new("app-1", SECRET).admin_user_id(ADMIN))
        .base_url(url)
        .events_base_url(url)
        .pacer(roster_core::Pacer::unlimited())
        .retry_policy(roster_testkit::fast_policy())
        .clock(clock().1)
}

fn is_token_create(r: &Recorded) -> bool {
    r.path == "/eventopenapi/token/create"
}

fn token_reply(n: usize) -> Reply {
    Reply::json(json!({"timeStamp": 1, "code": 200, "msg": "ok",
        "data": {"token": format!("TKN-{n}"), "expire": 86400, "createTime": 1, "customerCode": "0001"}}))
}

fn empty_v2() -> Reply {
    Reply::json(json!({"status": 0, "result": {"interaction": [], "tempConfenceList": []}}))
}

/// Checks the signature headers of a request with the test secret.
fn assert_signed(r: &Recorded) {
    let nonce = r.header("Nonce").expect("Nonce");
    let cur = r.header("CurTime").expect("CurTime");
    assert_eq!(nonce.len(), 32);
    assert!(
        nonce
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert!(cur.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        r.header("CheckSum"),
        Some(checksum(SECRET, nonce, cur).as_str())
    );
    assert_eq!(r.header("AppKey"), Some("app-1"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("accept"), Some("application/json"));
}

#[tokio::test]
async fn token_create_is_signed_and_the_token_goes_where_configured() {
    for placement in [
        TokenPlacement::Header,
        TokenPlacement::Body,
        TokenPlacement::Both,
    ] {
        let counter = Arc::new(Mutex::new(0usize));
        let c2 = counter.clone();
        let server = MockServer::start(move |r, _| {
            if is_token_create(r) {
                let mut n = c2.lock().unwrap();
                *n += 1;
                token_reply(*n)
            } else {
                empty_v2()
            }
        })
        .await;
        let client = config(&server.url())
            .auth(Family::Conference, AuthMode::Token, placement)
            .build()
            .unwrap();
        client.report_v2(613_399).await.unwrap();
        client.report_v2(613_399).await.unwrap();
        let reqs = server.requests();
        assert_eq!(reqs.len(), 3, "one token for two calls");
        assert!(reqs.iter().all(|r| r.method == "POST"));
        let create = &reqs[0];
        assert!(is_token_create(create));
        assert_signed(create);
        assert_eq!(create.body, json!({"userId": ADMIN}));
        assert_eq!(create.header("token"), None);
        for call in &reqs[1..] {
            assert_eq!(
                call.path,
                "/confopenapi/conference/report/getReportDatas/v2"
            );
            assert_eq!(call.header("token"), placement.header().then_some("TKN-1"));
            assert_eq!(call.header("CheckSum"), None);
            let mut expected = json!({"eventId": 613399});
            if placement.body() {
                expected["token"] = json!("TKN-1");
            }
            assert_eq!(call.body, expected, "{placement:?}");
        }
        assert_eq!(client.tokens_created(), 1);
    }
}

#[tokio::test]
async fn signature_mode_signs_every_attempt_afresh() {
    let server = MockServer::start(|_, i| {
        if i == 0 {
            Reply::json(json!({"status": 500, "msg": "busy"}))
        } else {
            empty_v2()
        }
    })
    .await;
    let client = config(&server.url())
        .auth_mode(Family::Conference, AuthMode::Signature)
        .key_header(roster_quanshi::KeyHeader::Both)
        .build()
        .unwrap();
    client.report_v2(1).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "no token/create in signature mode");
    for r in &reqs {
        assert_signed(r);
        assert_eq!(r.header("AppId"), Some("app-1"));
        assert_eq!(r.header("token"), None);
        assert_eq!(r.body, json!({"eventId": 1}));
    }
    assert_ne!(reqs[0].header("Nonce"), reqs[1].header("Nonce"));
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_then_the_call_succeeds() {
    let creates = Arc::new(Mutex::new(0usize));
    let c2 = creates.clone();
    let server = MockServer::start(move |r, _| {
        if is_token_create(r) {
            let mut n = c2.lock().unwrap();
            *n += 1;
            return token_reply(*n);
        }
        if r.header("token") == Some("TKN-1") {
            Reply::json(json!({"status": 401, "msg": "token expired", "request_id": "rq-1"}))
        } else {
            empty_v2()
        }
    })
    .await;
    let client = config(&server.url()).build().unwrap();
    client.report_v2(7).await.unwrap();
    let paths = server.paths();
    assert_eq!(paths.len(), 4, "{paths:?}");
    assert_eq!(*creates.lock().unwrap(), 2);
    assert_eq!(server.requests()[3].header("token"), Some("TKN-2"));
    // The new token is cached.
    client.report_v2(7).await.unwrap();
    assert_eq!(*creates.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_second_rejection_is_a_fatal_auth_error() {
    let creates = Arc::new(Mutex::new(0usize));
    let c2 = creates.clone();
    let server = MockServer::start(move |r, _| {
        if is_token_create(r) {
            let mut n = c2.lock().unwrap();
            *n += 1;
            return token_reply(*n);
        }
        Reply::json(json!({"status": 401, "msg": "token invalid", "reqid": "rq-9"}))
    })
    .await;
    let client = config(&server.url()).build().unwrap();
    let e = client.report_v2(7).await.unwrap_err();
    assert_eq!((e.kind(), e.class()), (ErrorKind::Auth, RetryClass::Fatal));
    assert_eq!(e.vendor_code(), Some(401));
    assert_eq!(e.request_id(), Some("rq-9"));
    assert_eq!(*creates.lock().unwrap(), 2, "one refresh");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_rejected_fixed_token_is_fatal_without_token_create() {
    let server =
        MockServer::start(|_, _| Reply::json(json!({"status": 401, "msg": "bad token"}))).await;
    let client = QuanshiClient::builder(Credentials::fixed_token("FIXED-TOKEN-77"))
        .base_url(server.url())
        .events_base_url(server.url())
        .pacer(roster_core::Pacer::unlimited())
        .clock(clock().1)
        .build()
        .unwrap();
    let e = client.report_v2(7).await.unwrap_err();
    assert_eq!((e.kind(), e.class()), (ErrorKind::Auth, RetryClass::Fatal));
    assert!(e.hint().unwrap().contains("ROSTER_QUANSHI_TOKEN"));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("token"), Some("FIXED-TOKEN-77"));
    assert!(!format!("{e} {e:?}").contains("FIXED-TOKEN-77"));
}

#[tokio::test]
async fn custom_token_invalid_codes_and_token_field() {
    let creates = Arc::new(Mutex::new(0usize));
    let c2 = creates.clone();
    let server = MockServer::start(move |r, _| {
        if is_token_create(r) {
            let mut n = c2.lock().unwrap();
            *n += 1;
            return Reply::json(
                json!({"code": 200, "data": {"accessToken": format!("A{n}"), "expire": 100}}),
            );
        }
        if r.header("token") == Some("A1") {
            Reply::json(json!({"status": 40014, "msg": "invalid"}))
        } else {
            empty_v2()
        }
    })
    .await;
    let client = config(&server.url())
        .token_field("accessToken")
        .errors(roster_quanshi::ErrorMap::default().with_token_invalid_codes([40014]))
        .build()
        .unwrap();
    client.report_v2(1).await.unwrap();
    assert_eq!(*creates.lock().unwrap(), 2);
}

#[tokio::test]
async fn http_failures_are_classified_by_status() {
    // 502 with an HTML page, then a non-JSON 200, then success: retried.
    let server = MockServer::start(|_, i| match i {
        0 => Reply::raw(502, "<html>bad gateway</html>"),
        1 => Reply::raw(200, "{\"status\":0,\"res"),
        _ => empty_v2(),
    })
    .await;
    let client = config(&server.url())
        .auth_mode(Family::Conference, AuthMode::Signature)
        .build()
        .unwrap();
    client.report_v2(1).await.unwrap();
    assert_eq!(server.requests().len(), 3);

    // Other 4xx without an envelope: fatal, status and snippet kept.
    let server = MockServer::start(|_, _| Reply::raw(404, "no such route")).await;
    let client = config(&server.url())
        .auth_mode(Family::Conference, AuthMode::Signature)
        .build()
        .unwrap();
    let e = client.report_v2(1).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(e.class(), RetryClass::Fatal);
    assert_eq!(e.http_status(), Some(404));
    assert_eq!(e.body_snippet(), Some("no such route"));
    assert_eq!(server.requests().len(), 1);

    // A well-formed body that is no envelope (a gateway's or proxy's JSON): a decode error,
    // retried up to the policy like a transient failure.
    let server = MockServer::start(|_, _| Reply::json(json!({"hello": 1}))).await;
    let client = config(&server.url())
        .auth_mode(Family::Conference, AuthMode::Signature)
        .build()
        .unwrap();
    let e = client.report_v2(1).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        server.requests().len() as u32,
        1 + roster_testkit::fast_policy().max_retries
    );
}

#[tokio::test]
async fn transient_codes_are_retried_up_to_the_policy() {
    let server = MockServer::start(|_, _| Reply::json(json!({"status": 503, "msg": "busy"}))).await;
    let (manual, shared) = clock();
    let client = config(&server.url())
        .auth_mode(Family::Conference, AuthMode::Signature)
        .retry_policy(roster_core::RetryPolicy::default().with_max_retries(3))
        .clock(shared)
        .build()
        .unwrap();
    let e = client.report_v2(1).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert_eq!(server.requests().len(), 4, "one attempt and three retries");
    let sleeps = manual.sleeps();
    assert_eq!(sleeps.len(), 3);
    assert!(
        sleeps[2] <= Duration::from_secs(4),
        "full jitter under the cap: {sleeps:?}"
    );
}

#[tokio::test]
async fn rate_limits_wait_sixty_seconds_up_to_twice_like_every_vendor() {
    let server =
        MockServer::start(|_, _| Reply::json(json!({"status": 429, "msg": "slow down"}))).await;
    let (manual, shared) = clock();
    let client = config(&server.url())
        .auth_mode(Family::Conference, AuthMode::Signature)
        .clock(shared)
        .build()
        .unwrap();
    let e = client.report_v2(1).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(server.requests().len(), 3);
    let sleeps = manual.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(
        sleeps
            .iter()
            .all(|s| *s >= Duration::from_secs(60) && *s < Duration::from_secs(62)),
        "{sleeps:?}"
    );
}

fn terminals_server(total: usize) -> impl Fn(&Recorded, usize) -> Reply {
    move |r, _| {
        let page = r.body["page"].as_u64().unwrap() as usize;
        let count = r.body["count"].as_u64().unwrap() as usize;
        let start = (page - 1) * count;
        let list: Vec<Value> = (start..total.min(start + count))
            .map(|i| json!({"eventId": 9, "tempUserId": i, "userId": 1000 + i, "name": format!("t{i}")}))
            .collect();
        Reply::json(json!({"status": 0, "result": {"list": list}}))
    }
}

#[tokio::test]
async fn terminal_pages_stop_on_a_short_or_empty_page() {
    for (total, pages) in [(5usize, 3usize), (4, 3), (0, 1), (1, 1)] {
        let server = MockServer::start(terminals_server(total)).await;
        let client = config(&server.url())
            .attendee_list_page_size(2)
            .auth_mode(Family::Conference, AuthMode::Signature)
            .build()
            .unwrap();
        let items: Vec<_> = client
            .terminals(9)
            .unwrap()
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items.len(), total);
        let reqs = server.requests();
        assert_eq!(reqs.len(), pages, "total {total}");
        for (i, r) in reqs.iter().enumerate() {
            assert_eq!(r.body, json!({"eventId": 9, "page": i + 1, "count": 2}));
        }
        let ids: Vec<_> = items
            .iter()
            .map(|t| t.temp_user_id.clone().unwrap())
            .collect();
        let expected: Vec<_> = (0..total).map(|i| i.to_string()).collect();
        assert_eq!(ids, expected, "each terminal once, in order");
    }
}

#[tokio::test]
async fn the_page_guard_stops_an_endless_list() {
    let server = MockServer::start(terminals_server(usize::MAX / 4)).await;
    let client = config(&server.url())
        .attendee_list_page_size(2)
        .max_pages(3)
        .auth_mode(Family::Conference, AuthMode::Signature)
        .build()
        .unwrap();
    let results: Vec<_> = futures::StreamExt::collect(client.terminals(9).unwrap().items()).await;
    assert_eq!(server.requests().len(), 3);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 6);
    let e = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated);
}

#[tokio::test]
async fn input_and_configuration_errors_make_no_request() {
    let server = MockServer::start(|_, _| empty_v2()).await;
    let with_path = config(&server.url())
        .join_url_lookup_path("/x/lookup")
        .build()
        .unwrap();
    for bad in [
        "ftp://mtest.qsh1.cn/k/x",
        "/k/mkIW3Txa0Uk",
        "https://m.qsh1.cn/k/a b",
        "",
        "  ",
        "javascript:alert(1)",
    ] {
        let e = with_path.meetings_by_join_url(bad).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        let e = with_path
            .registrations(&MeetingQuery::new("1").join_url(bad))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
    }
    let no_path = config(&server.url()).build().unwrap();
    let e = no_path
        .meetings_by_join_url("https://mtest.qsh1.cn/k/mkIW3Txa0Uk")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(
        e.to_string().contains("ROSTER_QUANSHI_JOIN_URL_PATH"),
        "{e}"
    );
    let e = no_path
        .registrations(&MeetingQuery::new("").join_url("https://mtest.qsh1.cn/k/x"))
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Config);
    // Registrations by id need the host user id.
    let e = no_path
        .registrations(&MeetingQuery::new("566390"))
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("ROSTER_QUANSHI_HOST_USER_ID"), "{e}");
    // Non-numeric ids, no id at all, inverted ranges.
    for q in [MeetingQuery::new("abc"), MeetingQuery::new("")] {
        let e = no_path.attendees(&q).await.err().unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
    let t = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    let e = no_path
        .attendees(&MeetingQuery::new("1").between(t, t))
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(no_path.terminals_page(1, 1, 101).await.is_err());
    assert!(no_path.terminals_page(1, 0, 10).await.is_err());
    assert!(server.requests().is_empty(), "{:?}", server.paths());
}

#[tokio::test]
async fn attendees_filter_by_run_and_time_and_come_in_time_order() {
    let server = MockServer::start(|_, _| {
        Reply::json(json!({"status": 0, "result": {
            "interaction": [
                {"name": "c", "onlineTime": 300, "offlineTime": 400, "tempConferenceId": "r1"},
                {"name": "a", "onlineTime": 100, "offlineTime": 200, "tempConferenceId": "r1"},
                {"name": "x", "onlineTime": 150, "offlineTime": 160, "tempConferenceId": "r2"},
                {"name": "b", "onlineTime": 200, "offlineTime": 0, "tempConferenceId": "r1"}
            ],
            "tempConfenceList": [{"tempConferenceId": "r1"}, {"tempConferenceId": "r2"}]
        }}))
    })
    .await;
    let client = config(&server.url())
        .auth_mode(Family::Conference, AuthMode::Signature)
        .build()
        .unwrap();
    let names = |v: Vec<roster_core::Attendee>| -> Vec<String> {
        v.into_iter().map(|a| a.display_name.unwrap()).collect()
    };
    let all: Vec<_> = client
        .attendees(&MeetingQuery::new("9"))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(all), ["a", "x", "b", "c"]);
    let run: Vec<_> = client
        .attendees(&MeetingQuery::new("9").sub_meeting("r1"))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(run), ["a", "b", "c"]);
    let t = |s| time::OffsetDateTime::from_unix_timestamp(s).unwrap();
    let window: Vec<_> = client
        .attendees(&MeetingQuery::new("9").between(t(150), t(300)))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(window), ["x", "b"], "from inclusive, to exclusive");
    let pages = Arc::new(Mutex::new(Vec::new()));
    let seen = pages.clone();
    let capped: Vec<_> = client
        .attendees(&MeetingQuery::new("9").max_items(2).observer(Arc::new(
            move |n: usize, _t: Option<u64>| seen.lock().unwrap().push(n),
        )))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(capped), ["a", "x"]);
    assert_eq!(*pages.lock().unwrap(), vec![4]);
    let e = client
        .attendees(&MeetingQuery::new("9").sub_meeting("r9"))
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(server.requests().len(), 5, "one report call per query");
}

#[tokio::test]
async fn an_error_page_echoing_the_token_keeps_no_token() {
    // A gateway answers with an error page that quotes the request, token and all.
    let pages = Arc::new(Mutex::new(Vec::<String>::new()));
    let sent = pages.clone();
    let server = MockServer::start(move |r, _| {
        if is_token_create(r) {
            token_reply(7)
        } else {
            let page = format!("<html>bad request: {} {}</html>", r.path, r.body);
            sent.lock().unwrap().push(page.clone());
            Reply::raw(400, &page)
        }
    })
    .await;
    let client = config(&server.url())
        .auth(Family::Conference, AuthMode::Token, TokenPlacement::Body)
        .retry_policy(roster_core::RetryPolicy::never())
        .build()
        .unwrap();
    let err = match client.attendees(&MeetingQuery::new("566390")).await {
        Ok(stream) => stream.try_collect::<Vec<_>>().await.unwrap_err(),
        Err(e) => e,
    };
    let pages = pages.lock().unwrap();
    assert!(
        !pages.is_empty() && pages.iter().all(|p| p.contains("\"token\":\"TKN-7\"")),
        "the error page really echoed the token: {pages:?}"
    );
    let snippet = err.body_snippet().expect("an error page keeps a snippet");
    assert!(snippet.contains("<redacted>"), "{snippet}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("TKN-7"), "{shown}");
}

#[tokio::test]
async fn a_meeting_answer_that_fails_to_decode_keeps_no_body() {
    const SECRETS: [&str; 4] = [
        "PCODE1-SECRET-1",
        "PCODE2-SECRET-2",
        "HOST-LINK-SECRET",
        "LIVE-PWD-SECRET",
    ];
    let meeting = json!({"eventId": 1, "pcode1": SECRETS[0], "pcode2": SECRETS[1],
        "hostJoinUrl": format!("https://m.qsh1.cn/k/{}", SECRETS[2]), "livePullPwd": SECRETS[3]});
    let replies = [
        // A result that is no list of meetings: decoded by the endpoint.
        Reply::json(json!({"status": 0, "result": [meeting.clone(), 7]})),
        // A cut body: decoded by the envelope reader.
        Reply::raw(
            200,
            &json!({"status": 0, "result": [meeting]}).to_string()[..120],
        ),
    ];
    for reply in replies {
        let body = reply.body.clone();
        assert!(SECRETS.iter().any(|s| body.contains(s)), "{body}");
        let server = MockServer::start(move |_, _| Reply::raw(200, &body)).await;
        let client = config(&server.url())
            .join_url_lookup_path("/x/lookup")
            .host_user_id(5)
            .auth_mode(Family::Conference, AuthMode::Signature)
            .retry_policy(roster_core::RetryPolicy::never())
            .build()
            .unwrap();
        let by_link = client
            .meetings_by_join_url("https://m.qsh1.cn/k/abc")
            .await
            .unwrap_err();
        let by_id = client
            .conference_infos(&roster_quanshi::ConferenceKey::EventId(1), 5)
            .await
            .unwrap_err();
        for e in [by_link, by_id] {
            assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
            assert_eq!(e.body_snippet(), None, "{e:?}");
            let shown = format!("{e} {e:?}");
            for s in SECRETS {
                assert!(!shown.contains(s), "{s} in {shown}");
            }
        }
        assert_eq!(server.requests().len(), 2);
    }
}

#[tokio::test]
async fn a_non_2xx_answer_is_classified_by_its_http_status_even_with_an_envelope() {
    let signed = |url: &str| {
        config(url)
            .auth_mode(Family::Conference, AuthMode::Signature)
            .build()
            .unwrap()
    };
    // HTTP 503 with a vendor envelope whose code alone would be fatal: retried, and the
    // vendor's code, message and request id are kept.
    let server = MockServer::start(|_, i| match i {
        0 => Reply::raw(
            503,
            &json!({"status": 1, "msg": "overloaded", "request_id": "rq-503"}).to_string(),
        ),
        _ => empty_v2(),
    })
    .await;
    signed(&server.url()).report_v2(1).await.unwrap();
    assert_eq!(server.requests().len(), 2, "the 503 was retried");
    let server = MockServer::start(|_, _| {
        Reply::raw(
            503,
            &json!({"status": 1, "msg": "overloaded", "request_id": "rq-503"}).to_string(),
        )
    })
    .await;
    let e = signed(&server.url()).report_v2(1).await.unwrap_err();
    assert_eq!(e.class(), RetryClass::Retry, "{e:?}");
    assert_eq!(e.http_status(), Some(503));
    assert_eq!(e.vendor_code(), Some(1));
    assert_eq!(e.vendor_message(), Some("overloaded"));
    assert_eq!(e.request_id(), Some("rq-503"));
    assert_eq!(server.requests().len(), 4, "one attempt and three retries");

    // A gateway's JSON 404 page has a `status` too: not a vendor NotFound, a fatal HTTP error.
    let page = json!({"timestamp": "2024-05-01T10:00:00.000+00:00", "status": 404,
        "error": "Not Found", "path": "/confopenapi/conference/report/getReportDatas/v2"});
    let server = MockServer::start(move |_, _| Reply::raw(404, &page.to_string())).await;
    let e = signed(&server.url()).report_v2(1).await.unwrap_err();
    assert_ne!(e.kind(), ErrorKind::NotFound, "{e:?}");
    assert_eq!(
        (e.kind(), e.class()),
        (ErrorKind::Transport, RetryClass::Fatal)
    );
    assert_eq!(e.http_status(), Some(404));
    assert!(e.body_snippet().unwrap().contains("Not Found"));
    assert_eq!(server.requests().len(), 1);

    // HTTP 429 with an envelope: rate-limited with the configured wait.
    let server =
        MockServer::start(|_, _| Reply::raw(429, &json!({"status": 7, "msg": "slow"}).to_string()))
            .await;
    let (manual, shared) = clock();
    let client = config(&server.url())
        .auth_mode(Family::Conference, AuthMode::Signature)
        .clock(shared)
        .build()
        .unwrap();
    let e = client.report_v2(1).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(e.vendor_code(), Some(7));
    assert_eq!(server.requests().len(), 3);
    assert_eq!(manual.sleeps().len(), 2);

    // On HTTP 200 the vendor code decides.
    let server =
        MockServer::start(|_, _| Reply::json(json!({"status": 404, "msg": "no meeting"}))).await;
    let e = signed(&server.url()).report_v2(1).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.class()),
        (ErrorKind::NotFound, RetryClass::Fatal)
    );
    assert_eq!(e.http_status(), Some(200));
}

#[tokio::test]
async fn a_full_page_holding_a_null_is_not_the_last() {
    // Pages of 2: [t0, null], [t2, t3], [t4]. The first page is full as sent.
    let server = MockServer::start(|r, _| {
        let list = match r.body["page"].as_u64().unwrap() {
            1 => json!([{"tempUserId": 0}, null]),
            2 => json!([{"tempUserId": 2}, {"tempUserId": 3}]),
            _ => json!([{"tempUserId": 4}]),
        };
        Reply::json(json!({"status": 0, "result": {"list": list}}))
    })
    .await;
    let client = config(&server.url())
        .attendee_list_page_size(2)
        .auth_mode(Family::Conference, AuthMode::Signature)
        .build()
        .unwrap();
    let items: Vec<_> = client
        .terminals(9)
        .unwrap()
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = items
        .iter()
        .map(|t| t.temp_user_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["0", "2", "3", "4"]);
    assert_eq!(server.requests().len(), 3);
}
