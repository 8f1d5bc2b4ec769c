//! Request counters: what tests read to prove how a client behaved.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::vendor::Vendor;

/// Raw request-targets kept in the log; older ones are counted in
/// [`StatsSnapshot::raw_targets_dropped`] instead.
const MAX_RAW_TARGETS: usize = 1_000_000;

/// A copy of the sandbox counters at one moment. Also served as JSON at `GET /_sandbox/stats`.
///
/// Endpoint keys are the stable strings listed in the crate docs (`tencent.participants`, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Requests received per endpoint key (every arrival, including rejected and faulted ones).
    pub requests: BTreeMap<String, u64>,
    /// Requests the emulator refused, per endpoint key and then per reason (the vendor error code
    /// as a decimal string, e.g. `"190300"`, or a short reason such as `"method"`).
    pub rejections: BTreeMap<String, BTreeMap<String, u64>>,
    /// Tokens issued per vendor (`"wecom"`, `"quanshi"`; Tencent has no tokens).
    pub tokens_issued: BTreeMap<String, u64>,
    /// Faults injected per kind (`"http_502"`, `"drop"`, `"truncate"`, `"vendor_code"`, …).
    pub faults: BTreeMap<String, u64>,
    /// Every request-target (path and query exactly as received on the wire), in arrival order,
    /// for every request except `GET /_sandbox/stats` itself.
    pub raw_targets: Vec<String>,
    /// Request-targets not kept because the log was full.
    pub raw_targets_dropped: u64,
}

impl StatsSnapshot {
    /// Requests received on one endpoint key (0 if none).
    pub fn requests_to(&self, endpoint: &str) -> u64 {
        self.requests.get(endpoint).copied().unwrap_or(0)
    }

    /// Rejections of one endpoint for one reason (0 if none).
    pub fn rejections_of(&self, endpoint: &str, reason: &str) -> u64 {
        self.rejections
            .get(endpoint)
            .and_then(|m| m.get(reason))
            .copied()
            .unwrap_or(0)
    }

    /// All rejections of one endpoint, whatever the reason.
    pub fn rejections_total(&self, endpoint: &str) -> u64 {
        self.rejections
            .get(endpoint)
            .map(|m| m.values().sum())
            .unwrap_or(0)
    }

    /// Faults injected of one kind (0 if none).
    pub fn faults_of(&self, kind: &str) -> u64 {
        self.faults.get(kind).copied().unwrap_or(0)
    }

    /// Tokens issued by one vendor.
    pub fn tokens_of(&self, vendor: Vendor) -> u64 {
        self.tokens_issued
            .get(vendor.as_str())
            .copied()
            .unwrap_or(0)
    }

    /// Requests received over all endpoints.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }
}

/// The live counters (interior mutability; shared by every request).
#[derive(Debug, Default)]
pub(crate) struct Stats {
    inner: Mutex<StatsSnapshot>,
}

impl Stats {
    fn with<R>(&self, f: impl FnOnce(&mut StatsSnapshot) -> R) -> R {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Counts one request on an endpoint.
    pub(crate) fn request(&self, endpoint: &str) {
        self.with(|s| *s.requests.entry(endpoint.to_owned()).or_default() += 1);
    }

    /// Counts one refused request.
    pub(crate) fn reject(&self, endpoint: &str, reason: &str) {
        self.with(|s| {
            *s.rejections
                .entry(endpoint.to_owned())
                .or_default()
                .entry(reason.to_owned())
                .or_default() += 1
        });
    }

    /// Counts one issued token.
    pub(crate) fn token_issued(&self, vendor: Vendor) {
        self.with(|s| {
            *s.tokens_issued
                .entry(vendor.as_str().to_owned())
                .or_default() += 1
        });
    }

    /// Counts one injected fault.
    pub(crate) fn fault(&self, kind: &str) {
        self.with(|s| *s.faults.entry(kind.to_owned()).or_default() += 1);
    }

    /// Logs one raw request-target.
    pub(crate) fn target(&self, raw: &str) {
        self.with(|s| {
            if s.raw_targets.len() < MAX_RAW_TARGETS {
                s.raw_targets.push(raw.to_owned());
            } else {
                s.raw_targets_dropped += 1;
            }
        });
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        self.with(|s| s.clone())
    }

    pub(crate) fn reset(&self) {
        self.with(|s| *s = StatsSnapshot::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_reads_back() {
        let s = Stats::default();
        s.request("tencent.participants");
        s.request("tencent.participants");
        s.reject("tencent.participants", "190300");
        s.token_issued(Vendor::WeCom);
        s.fault("drop");
        s.target("/v1/meetings/1/participants?pos=0");
        let snap = s.snapshot();
        assert_eq!(snap.requests_to("tencent.participants"), 2);
        assert_eq!(snap.rejections_of("tencent.participants", "190300"), 1);
        assert_eq!(snap.rejections_total("tencent.participants"), 1);
        assert_eq!(snap.tokens_of(Vendor::WeCom), 1);
        assert_eq!(snap.faults_of("drop"), 1);
        assert_eq!(snap.raw_targets, vec!["/v1/meetings/1/participants?pos=0"]);
        assert_eq!(snap.total_requests(), 2);
        s.reset();
        assert_eq!(s.snapshot(), StatsSnapshot::default());
    }
}
