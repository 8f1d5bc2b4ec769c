//! When `roster listen` cannot take a delivery now, it answers so that the vendor delivers it
//! again: Tencent retries any answer but its acknowledgement, so a 503 comes at once; WeCom
//! retries only a callback left unanswered for 5 s (an answer in time, whatever its status,
//! loses the event), so its 503 comes only after 6 s. On Tokio's paused clock: no wall time.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use roster_cli::listen::{self, App, WECOM_RETRY_WAIT, writer::Writer};
use roster_store::{SqliteStore, Store};
use tokio::sync::Notify;
use tokio::time::Instant;
use tower::ServiceExt;

fn app() -> App {
    App::from_lookup("default", |k| {
        Some(
            match k {
                "ROSTER_TENCENT_WEBHOOK_TOKEN" => "bVPU6F8Htxl5XkAbp3jGV2xWp",
                "ROSTER_WECOM_CALLBACK_TOKEN" => "QDG6eK",
                "ROSTER_WECOM_CALLBACK_AES_KEY" => "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
                "ROSTER_WECOM_CORP_ID" => "wx5823bf96d3bd56c7",
                _ => return None,
            }
            .to_string(),
        )
    })
    .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_full_receiver_answers_each_vendor_so_that_it_retries() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let writer = Writer::spawn(store, 8, 8, Duration::ZERO, Arc::new(Notify::new()));
    let options = listen::Options {
        in_flight: 1,
        ..listen::Options::default()
    };
    let router = listen::router(vec![app()], writer, &options);

    // One request whose body never comes holds the only slot (until its body times out).
    let stuck = Request::post("/tencent-meeting/default")
        .header("content-type", "application/json")
        .body(Body::from_stream(futures::stream::pending::<
            Result<Vec<u8>, std::io::Error>,
        >()))
        .unwrap();
    let holder = tokio::spawn(router.clone().oneshot(stuck));
    tokio::task::yield_now().await;

    // Tencent: refused at once.
    let started = Instant::now();
    let r = router
        .clone()
        .oneshot(
            Request::post("/tencent-meeting/default")
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(started.elapsed(), Duration::ZERO);

    // WeCom: refused only after its 5 s have passed, so that WeCom delivers again.
    let started = Instant::now();
    let r = router
        .clone()
        .oneshot(
            Request::post("/wecom/default?msg_signature=x&timestamp=1&nonce=2")
                .body(Body::from("<xml></xml>"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() >= WECOM_RETRY_WAIT);
    assert!(WECOM_RETRY_WAIT > Duration::from_secs(5));

    // The stuck body times out (408) and frees the slot: a request is handled again.
    let stuck = holder.await.unwrap().unwrap();
    assert_eq!(stuck.status(), StatusCode::REQUEST_TIMEOUT);
    let r = router
        .clone()
        .oneshot(
            Request::get("/tencent-meeting/default?check_str=x")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "served: a bad signature"
    );
    let stats = router
        .oneshot(Request::get("/_roster/stats").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let body = axum::body::to_bytes(stats.into_body(), 1 << 16)
        .await
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(stats["busy"], 2, "{stats}");
    assert_eq!(stats["rejected"], 2, "{stats}");
}
