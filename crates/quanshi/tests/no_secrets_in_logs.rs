//! No secret, token or checksum value in errors, `Debug` output or logs (at TRACE level,
//! including hyper's). Its own test binary: it installs a global tracing subscriber, which a
//! per-thread one cannot replace reliably while other tests register callsites.

mod support;

use std::sync::{Arc, Mutex};

use roster_core::{ErrorKind, ManualClock};
use roster_quanshi::{ClientBuilder, Credentials, QuanshiClient};
use serde_json::json;
use support::mock::{MockServer, Recorded, Reply};

const SECRET: &str = "S3CRET-aSecretKey";

fn is_token_create(r: &Recorded) -> bool {
    r.path == "/eventopenapi/token/create"
}

fn token_reply(n: usize) -> Reply {
    Reply::json(json!({"code": 200, "data": {"token": format!("TKN-{n}"), "expire": 86400}}))
}

/// A writer collecting everything tracing prints.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_token_or_checksum_in_errors_debug_or_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let checksums = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = checksums.clone();
    let replies = Arc::new(Mutex::new(Vec::<String>::new()));
    let sent = replies.clone();
    let server = MockServer::start(move |r, i| {
        if let Some(c) = r.header("CheckSum") {
            seen.lock().unwrap().push(c.to_string());
        }
        let reply = if is_token_create(r) {
            // The second token/create answer has no token field and echoes its token in msg.
            if i == 0 {
                token_reply(1)
            } else {
                Reply::json(
                    json!({"code": 200, "msg": "issued TKN-LEAK", "data": {"tok": "TKN-LEAK"}}),
                )
            }
        } else {
            // The rejection quotes the token it was sent.
            let token = r.header("token").unwrap_or("none");
            Reply::json(json!({"status": 401, "msg": format!("token {token} is invalid")}))
        };
        sent.lock().unwrap().push(reply.body.clone());
        reply
    })
    .await;
    let client =
        QuanshiClient::builder(Credentials::new("app-1", SECRET).admin_user_id(19_533_553))
            .base_url(server.url())
            .events_base_url(server.url())
            .pacer(roster_core::Pacer::unlimited())
            .retry_policy(roster_testkit::fast_policy())
            .clock(Arc::new(ManualClock::at_unix(1_700_000_000)))
            .build()
            .unwrap();
    let e = client.report_v2(1).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.to_string().contains("fields present: tok"), "{e}");
    assert!(e.body_snippet().is_none());
    {
        let replies = replies.lock().unwrap();
        assert!(
            replies.iter().any(|b| b.contains("token TKN-1 is invalid")),
            "the rejection really echoed the token: {replies:?}"
        );
        assert!(
            replies.iter().any(|b| b.contains("issued TKN-LEAK")),
            "token/create really echoed its token in msg: {replies:?}"
        );
    }

    // A fixed token echoed by an HTML error page (kept as a body snippet) and by a vendor
    // message (kept as the error's message).
    const FIXED: &str = "FIXED-TKN-99";
    let pages = Arc::new(Mutex::new(Vec::<String>::new()));
    let sent = pages.clone();
    let echo = MockServer::start(move |r, i| {
        let token = r.header("token").unwrap_or("none");
        let reply = if i == 0 {
            Reply::raw(
                400,
                &format!("<html>bad request: token: {token} body: {}</html>", r.body),
            )
        } else {
            Reply::json(json!({"status": 40099, "msg": format!("token {token} refused")}))
        };
        sent.lock().unwrap().push(reply.body.clone());
        reply
    })
    .await;
    let fixed = QuanshiClient::builder(Credentials::fixed_token(FIXED))
        .base_url(echo.url())
        .events_base_url(echo.url())
        .pacer(roster_core::Pacer::unlimited())
        .retry_policy(roster_core::RetryPolicy::never())
        .clock(Arc::new(ManualClock::at_unix(1_700_000_000)))
        .build()
        .unwrap();
    let page_error = fixed.report_v2(1).await.unwrap_err();
    let snippet = page_error
        .body_snippet()
        .expect("an error page keeps a snippet");
    assert!(
        snippet.contains("bad request: token: <redacted>"),
        "{snippet}"
    );
    let message_error = fixed.report_v2(1).await.unwrap_err();
    assert_eq!(message_error.vendor_code(), Some(40099));
    assert_eq!(
        message_error.vendor_message(),
        Some("token <redacted> refused")
    );
    assert!(
        pages.lock().unwrap().iter().all(|b| b.contains(FIXED)),
        "both answers really echoed the token: {:?}",
        pages.lock().unwrap()
    );

    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();
    assert!(
        logs.contains("roster.http") && logs.contains("quanshi.token_create"),
        "{logs}"
    );
    let shown = format!(
        "{e} {e:?} {client:?} {:?} {page_error} {page_error:?} {message_error} {message_error:?} {logs}",
        client.config()
    );
    let mut secrets = vec![
        SECRET.to_string(),
        "TKN-1".to_string(),
        "TKN-LEAK".to_string(),
        FIXED.to_string(),
    ];
    secrets.extend(checksums.lock().unwrap().iter().cloned());
    assert!(secrets.len() >= 4);
    for s in secrets {
        assert!(!shown.contains(&s), "{s} leaked: {shown}");
    }
}
