//! State every vendor module shares (seed, data anchor, clock, counters, faults, shutdown
//! signal): a leaf that the server, the endpoint middleware and the vendor modules all use.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::clock::SandboxClock;
use crate::faults::FaultEngine;
use crate::stats::Stats;

/// State every vendor module shares: seed, data anchor, clock, counters, faults, shutdown signal.
#[derive(Clone)]
pub(crate) struct Shared(Arc<SharedInner>);

pub(crate) struct SharedInner {
    /// [`SandboxConfig::seed`].
    pub seed: u64,
    /// Reference time of generated data (see [`crate::DataConfig::anchor_unix`]).
    pub anchor: i64,
    /// The clock every time rule reads.
    pub clock: SandboxClock,
    /// Counters.
    pub stats: Stats,
    /// Fault decisions.
    pub faults: Arc<FaultEngine>,
    /// Becomes `true` (or closes) when the sandbox shuts down.
    pub shutdown: watch::Receiver<bool>,
}

impl Deref for Shared {
    type Target = SharedInner;
    fn deref(&self) -> &SharedInner {
        &self.0
    }
}

impl Shared {
    pub(crate) fn new(inner: SharedInner) -> Self {
        Self(Arc::new(inner))
    }

    /// Sleeps for `d`, or less if the sandbox shuts down meanwhile (so stalls never hold up a
    /// shutdown).
    pub(crate) async fn sleep(&self, d: Duration) {
        let mut rx = self.shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = rx.wait_for(|stop| *stop) => {}
        }
    }
}
