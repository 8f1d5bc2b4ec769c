//! No secret, token or checksum value in errors, `Debug` output or logs (at TRACE level,
//! including hyper's). Its own test binary: it installs a global tracing subscriber, which a
//! per-thread one cannot replace reliably while other tests register callsites.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use roster_core::{ErrorKind, ManualClock};
use roster_quanshi::config::default_retry_policy;
use roster_quanshi::{QuanshiClient, QuanshiConfig};
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
    let server = MockServer::start(move |r, i| {
        if let Some(c) = r.header("CheckSum") {
            seen.lock().unwrap().push(c.to_string());
        }
        if is_token_create(r) {
            // The second token/create answer has no token field and echoes the token in msg.
            return if i == 0 {
                token_reply(1)
            } else {
                Reply::json(json!({"code": 200, "msg": "x", "data": {"tok": "TKN-LEAK"}}))
            };
        }
        Reply::json(json!({"status": 401, "msg": "token invalid"}))
    })
    .await;
    let client = QuanshiClient::new(
        QuanshiConfig::new()
            .app_key("app-1")
            .secret_key(SECRET)
            .admin_user_id(19_533_553)
            .base_urls(server.url())
            .pacing(0, 0)
            .retry(
                default_retry_policy()
                    .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
            )
            .clock(Arc::new(ManualClock::at_unix(1_700_000_000))),
    )
    .unwrap();
    let e = client.report_v2(1).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.to_string().contains("fields present: tok"), "{e}");
    assert!(e.body_snippet().is_none());

    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();
    assert!(
        logs.contains("roster.http") && logs.contains("quanshi.token_create"),
        "{logs}"
    );
    let shown = format!("{e} {e:?} {client:?} {:?} {logs}", client.config());
    let mut secrets = vec![
        SECRET.to_string(),
        "TKN-1".to_string(),
        "TKN-LEAK".to_string(),
    ];
    secrets.extend(checksums.lock().unwrap().iter().cloned());
    assert!(secrets.len() >= 4);
    for s in secrets {
        assert!(!shown.contains(&s), "{s} leaked: {shown}");
    }
}
