//! The HTTP server: shared state, router assembly, start/serve/shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;

use crate::catalog::Catalog;
use crate::clock::SandboxClock;
use crate::config::SandboxConfig;
use crate::credentials::Credentials;
use crate::faults::{FaultController, FaultEngine};
use crate::shared::{Shared, SharedInner};
use crate::stats::{Stats, StatsSnapshot};
use crate::truth::{GroundTruth, SandboxState};
use crate::{quanshi, tencent, wecom};

fn build(config: SandboxConfig, shutdown: watch::Receiver<bool>) -> (Arc<SandboxState>, Router) {
    let clock = SandboxClock::new(&config.clock);
    let anchor = config
        .data
        .anchor_unix
        .unwrap_or_else(|| clock.unix().div_euclid(3600) * 3600);
    let shared = Shared::new(SharedInner {
        seed: config.seed,
        anchor,
        clock,
        stats: Stats::default(),
        faults: Arc::new(FaultEngine::new(&config.faults, config.seed)),
        shutdown,
    });
    let tencent = Arc::new(tencent::State::new(&config, &shared));
    let wecom = Arc::new(wecom::State::new(&config, &shared));
    let quanshi = Arc::new(quanshi::State::new(&config, &shared));
    let state = Arc::new(SandboxState {
        shared: shared.clone(),
        tencent: tencent.clone(),
        wecom: wecom.clone(),
        quanshi: quanshi.clone(),
    });
    let router = Router::new()
        .route("/_sandbox/stats", get(stats_route))
        .with_state(state.clone())
        .merge(crate::truth::http::router(state.clone()))
        .merge(tencent::router(tencent, &shared))
        .merge(wecom::router(wecom, &shared))
        .merge(quanshi::router(quanshi, &shared))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(shared, log_target));
    (state, router)
}

async fn stats_route(State(state): State<Arc<SandboxState>>) -> Response {
    let snap = state.shared.stats.snapshot();
    match serde_json::to_vec(&snap) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"no such endpoint in roster-sandbox"}"#,
    )
        .into_response()
}

/// Logs every request-target exactly as received (except the stats route itself).
async fn log_target(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let uri = req.uri();
    if uri.path() != "/_sandbox/stats" {
        let raw = match uri.path_and_query() {
            // Origin form (`/path?query`), the normal case: the bytes as sent.
            Some(pq) if uri.authority().is_none() => pq.as_str().to_owned(),
            // Absolute or authority form: keep the whole target.
            _ => uri.to_string(),
        };
        shared.stats.target(&raw);
    }
    next.run(req).await
}

/// Entry points.
pub struct Sandbox;

impl Sandbox {
    /// Starts a sandbox on `127.0.0.1` with an OS-chosen port and returns its handle. The server
    /// runs on the current Tokio runtime until [`SandboxHandle::shutdown`] (or until the handle is
    /// dropped).
    pub async fn start(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
        Sandbox::start_on(config, SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Like [`Sandbox::start`] on a chosen address (for a standalone server that wants to print
    /// its credentials and catalog before serving).
    pub async fn start_on(
        config: SandboxConfig,
        addr: SocketAddr,
    ) -> std::io::Result<SandboxHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = watch::channel(false);
        let (state, router) = build(config, rx.clone());
        let task = tokio::spawn(run(listener, router, rx));
        Ok(SandboxHandle {
            addr,
            state,
            shutdown: tx,
            task: Some(task),
        })
    }

    /// Serves a sandbox on `addr` until `shutdown` completes (for `roster sandbox`). Prints
    /// nothing; logs through `tracing`.
    pub async fn serve(
        config: SandboxConfig,
        addr: SocketAddr,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let (tx, rx) = watch::channel(false);
        let (_state, router) = build(config, rx.clone());
        tokio::spawn(async move {
            shutdown.await;
            let _ = tx.send(true);
        });
        run(listener, router, rx).await
    }
}

async fn run(
    listener: tokio::net::TcpListener,
    router: Router,
    mut rx: watch::Receiver<bool>,
) -> std::io::Result<()> {
    tracing::info!(addr = ?listener.local_addr().ok(), "roster-sandbox listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = rx.wait_for(|stop| *stop).await;
        })
        .await
}

/// A running sandbox (from [`Sandbox::start`]). Dropping it stops the server.
pub struct SandboxHandle {
    addr: SocketAddr,
    state: Arc<SandboxState>,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the base URL of all three vendors (they share one listener).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Credentials accepted by each vendor.
    pub fn credentials(&self) -> Credentials {
        Credentials {
            tencent: self.state.tencent.credentials(0),
            tencent_apps: self.state.tencent.all_credentials(),
            wecom: self.state.wecom.credentials(),
            quanshi: self.state.quanshi.credentials(),
        }
    }

    /// The counters now.
    pub fn stats(&self) -> StatsSnapshot {
        self.state.shared.stats.snapshot()
    }

    /// Resets every counter to zero and empties the request-target log.
    pub fn reset_stats(&self) {
        self.state.shared.stats.reset();
    }

    /// The sandbox clock.
    pub fn clock(&self) -> SandboxClock {
        self.state.shared.clock.clone()
    }

    /// What complete queries return (for exactly-once assertions).
    pub fn truth(&self) -> GroundTruth {
        GroundTruth::new(self.state.clone())
    }

    /// The meetings each vendor serves.
    pub fn catalog(&self) -> Catalog {
        let mut meetings = self.state.tencent.catalog();
        meetings.extend(self.state.wecom.catalog());
        meetings.extend(self.state.quanshi.catalog());
        Catalog { meetings }
    }

    /// Run-time fault control.
    pub fn faults(&self) -> FaultController {
        FaultController::new(self.state.shared.faults.clone())
    }

    /// Stops the server: new connections are refused, in-flight requests finish (stalls and
    /// latencies are cut short), and this waits up to 5 s for that.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
