//! Fault injection: random faults at a configured rate plus scripted "the next N calls" rules.
//!
//! The decision is made here, vendor-neutrally; the endpoint middleware (`endpoint.rs`) carries
//! it out, asking the vendor module only for vendor-specific error bodies. Faults never touch
//! server state beyond what the request itself would do, so a retried request with the same
//! cursor or position gets the same page.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A fault kind that random injection may pick (see [`FaultConfig::kinds`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Extra latency ([`FaultConfig::fault_latency`]) before a normal answer.
    Latency,
    /// HTTP 500 with a short text body.
    Http500,
    /// HTTP 502 with an HTML body, as a gateway sends it.
    Http502,
    /// HTTP 503 with a short text body.
    Http503,
    /// Headers and part of the body, then the connection is closed.
    Drop,
    /// A complete HTTP response whose JSON body is cut in half.
    Truncate,
    /// The vendor's transient error (Tencent 41/5108, WeCom -1, Quanshi status 500).
    VendorTransient,
    /// The vendor's rate-limit error.
    RateLimit,
    /// Revoke every token of the vendor, then serve the call (token vendors only).
    RevokeTokens,
    /// Wait [`FaultConfig::stall`] before answering (longer than a client timeout).
    Stall,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 10] = [
        FaultKind::Latency,
        FaultKind::Http500,
        FaultKind::Http502,
        FaultKind::Http503,
        FaultKind::Drop,
        FaultKind::Truncate,
        FaultKind::VendorTransient,
        FaultKind::RateLimit,
        FaultKind::RevokeTokens,
        FaultKind::Stall,
    ];

    /// The kinds a client's retry policy rides out with a short backoff: everything except
    /// [`FaultKind::Stall`], [`FaultKind::RevokeTokens`] and [`FaultKind::RateLimit`] (a
    /// rate-limit answer makes a Tencent client wait for the next minute). The default for random
    /// faults.
    pub const TRANSIENT: [FaultKind; 7] = [
        FaultKind::Latency,
        FaultKind::Http500,
        FaultKind::Http502,
        FaultKind::Http503,
        FaultKind::Drop,
        FaultKind::Truncate,
        FaultKind::VendorTransient,
    ];
}

/// A variation of the response shape that a vendor is known to produce (each spec's "quirks").
/// A vendor module applies the quirks that concern it and ignores the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Quirk {
    /// Tencent participants: emit `IP` instead of `ip`.
    UpperCaseIp,
    /// Tencent participants: omit `total_count`.
    OmitTotalCount,
    /// Flip time fields between JSON strings and numbers (Tencent participant and detail times,
    /// WeCom attendee times, Quanshi ids and times).
    FlipTypes,
    /// WeCom: omit `errcode`/`errmsg` from a successful response.
    OmitSuccessCode,
    /// Quanshi: `result` as a string holding JSON.
    ResultAsString,
    /// Quanshi: `stauts` instead of `status` in the envelope.
    StatusTypo,
}

impl Quirk {
    /// Stable snake_case name (used in stats: `quirk:<name>`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Quirk::UpperCaseIp => "upper_case_ip",
            Quirk::OmitTotalCount => "omit_total_count",
            Quirk::FlipTypes => "flip_types",
            Quirk::OmitSuccessCode => "omit_success_code",
            Quirk::ResultAsString => "result_as_string",
            Quirk::StatusTypo => "status_typo",
        }
    }
}

/// An HTTP 200 answer that no real page of the endpoint would be: what a gateway, proxy or WAF
/// in front of the vendor can send. A client must never read one as the end of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadPage {
    /// `{}`.
    EmptyObject,
    /// The real answer without its records array and paging fields: every array and every
    /// `has_more`/`has_remaining`/`next_*`/`total_*`/`current_*` member removed, at any depth;
    /// the vendor's envelope (`errcode`, `status`, `result` …) stays.
    WithoutList,
    /// The real answer made to look like the last page: every array emptied, the "more" flags
    /// `false`, no next position (`next_cursor` empty), `total_page` = `current_page`,
    /// `current_size` 0. Totals (`total_count`) are kept: they are how a client can tell.
    FalseLastPage,
    /// The successful answer of another endpoint of the same vendor (the meeting detail).
    OtherEndpoint,
}

impl BadPage {
    /// Every kind.
    pub const ALL: [BadPage; 4] = [
        BadPage::EmptyObject,
        BadPage::WithoutList,
        BadPage::FalseLastPage,
        BadPage::OtherEndpoint,
    ];

    /// Stable snake_case name (stats: `bad_page:<name>`).
    pub fn as_str(&self) -> &'static str {
        match self {
            BadPage::EmptyObject => "empty_object",
            BadPage::WithoutList => "without_list",
            BadPage::FalseLastPage => "false_last_page",
            BadPage::OtherEndpoint => "other_endpoint",
        }
    }
}

/// One concrete fault, as scripted with [`FaultController::inject`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Wait this long, then answer normally.
    Latency(Duration),
    /// Answer with this HTTP status instead of calling the endpoint (502 gets an HTML body,
    /// anything else a short text body).
    Http(u16),
    /// Send the headers and half of the real body, then close the connection.
    Drop,
    /// Send a complete HTTP response whose body is the first half of the real body.
    Truncate,
    /// The vendor's transient error code (Tencent alternates 41 and 5108; WeCom -1; Quanshi 500).
    VendorTransient,
    /// A given vendor error code (Tencent `error_code`, WeCom `errcode`, Quanshi `status`/`code`).
    VendorCode(i64),
    /// The vendor's rate-limit error.
    RateLimit,
    /// Revoke every token of the vendor, then serve the call (which then fails on its token).
    RevokeTokens,
    /// Wait [`FaultConfig::stall`] (cut short when the sandbox shuts down), then answer.
    Stall,
    /// Serve the call normally with a response-shape quirk. Quirk rules combine with each other
    /// and with one disruptive fault.
    Quirk(Quirk),
    /// Answer HTTP 200 with a body that is no page of the endpoint (see [`BadPage`]).
    BadPage(BadPage),
}

impl Fault {
    /// The stats key of this fault (`"latency"`, `"http_502"`, `"vendor_code"`, `"quirk:flip_types"`…).
    pub fn stats_key(&self) -> String {
        match self {
            Fault::Latency(_) => "latency".into(),
            Fault::Http(s) => format!("http_{s}"),
            Fault::Drop => "drop".into(),
            Fault::Truncate => "truncate".into(),
            Fault::VendorTransient => "vendor_transient".into(),
            Fault::VendorCode(_) => "vendor_code".into(),
            Fault::RateLimit => "rate_limit".into(),
            Fault::RevokeTokens => "revoke_tokens".into(),
            Fault::Stall => "stall".into(),
            Fault::Quirk(q) => format!("quirk:{}", q.as_str()),
            Fault::BadPage(b) => format!("bad_page:{}", b.as_str()),
        }
    }

    fn from_kind(kind: FaultKind, fault_latency: Duration) -> Fault {
        match kind {
            FaultKind::Latency => Fault::Latency(fault_latency),
            FaultKind::Http500 => Fault::Http(500),
            FaultKind::Http502 => Fault::Http(502),
            FaultKind::Http503 => Fault::Http(503),
            FaultKind::Drop => Fault::Drop,
            FaultKind::Truncate => Fault::Truncate,
            FaultKind::VendorTransient => Fault::VendorTransient,
            FaultKind::RateLimit => Fault::RateLimit,
            FaultKind::RevokeTokens => Fault::RevokeTokens,
            FaultKind::Stall => Fault::Stall,
        }
    }
}

/// A scripted rule: on calls matching `endpoint`, let `skip` calls through untouched, then apply
/// `fault` to the next `times` calls.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScriptedFault {
    /// Endpoint pattern: an exact key (`tencent.participants`), a vendor prefix (`wecom.*`) or `*`.
    pub endpoint: String,
    /// The fault.
    pub fault: Fault,
    /// Matching calls to let through before the fault starts.
    #[serde(default)]
    pub skip: u64,
    /// Matching calls the fault applies to (`u64::MAX` = for ever).
    pub times: u64,
}

/// Fault configuration at start-up. Everything can be changed at run time through
/// [`FaultController`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// Probability in `[0, 1]` that a call gets a random fault (drawn from a ChaCha8 stream seeded
    /// from [`crate::SandboxConfig::seed`], so a sequential client sees the same faults every run).
    pub rate: f64,
    /// Kinds random injection picks from, uniformly.
    pub kinds: Vec<FaultKind>,
    /// Latency added to every call (before any fault), if set.
    pub latency: Option<Duration>,
    /// Delay of a random [`FaultKind::Latency`] fault.
    pub fault_latency: Duration,
    /// How long a stall lasts.
    pub stall: Duration,
    /// Endpoint patterns random faults apply to (`*`, `tencent.*`, exact keys); empty = all.
    pub endpoints: Vec<String>,
    /// Scripted rules loaded at start.
    pub scripted: Vec<ScriptedFault>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rate: 0.0,
            kinds: FaultKind::TRANSIENT.to_vec(),
            latency: None,
            fault_latency: Duration::from_millis(300),
            stall: Duration::from_secs(120),
            endpoints: Vec::new(),
            scripted: Vec::new(),
        }
    }
}

/// Whether an endpoint key matches a pattern (`*`, `vendor.*` or an exact key).
pub(crate) fn pattern_matches(pattern: &str, endpoint: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => endpoint.starts_with(prefix),
        None => pattern == endpoint,
    }
}

/// What to do with one call.
#[derive(Clone, Debug, Default)]
pub(crate) struct Decision {
    /// Latency added to every call.
    pub base_latency: Option<Duration>,
    /// At most one disruptive fault.
    pub fault: Option<Fault>,
    /// Response-shape quirks to apply.
    pub quirks: Vec<Quirk>,
    /// Stall length, in case `fault` is a stall.
    pub stall: Duration,
}

#[derive(Debug)]
struct EngineState {
    config: FaultConfig,
    scripted: Vec<ScriptedFault>,
    rng: ChaCha8Rng,
}

/// The shared fault state behind [`FaultController`].
#[derive(Debug)]
pub(crate) struct FaultEngine {
    state: Mutex<EngineState>,
}

impl FaultEngine {
    pub(crate) fn new(config: &FaultConfig, seed: u64) -> Self {
        FaultEngine {
            state: Mutex::new(EngineState {
                scripted: config.scripted.clone(),
                config: config.clone(),
                rng: ChaCha8Rng::seed_from_u64(seed ^ 0xFA17_FA17_FA17_FA17),
            }),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut EngineState) -> R) -> R {
        let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }

    /// Decides the fate of one call on `endpoint`.
    pub(crate) fn decide(&self, endpoint: &str) -> Decision {
        self.with(|st| {
            let mut d = Decision {
                base_latency: st.config.latency,
                stall: st.config.stall,
                ..Decision::default()
            };
            for rule in st.scripted.iter_mut() {
                if !pattern_matches(&rule.endpoint, endpoint) {
                    continue;
                }
                if rule.skip > 0 {
                    rule.skip -= 1;
                    continue;
                }
                let is_quirk = matches!(rule.fault, Fault::Quirk(_));
                if !is_quirk && d.fault.is_some() {
                    // One disruptive fault per call; later rules wait for later calls.
                    continue;
                }
                if rule.times == 0 {
                    continue;
                }
                if rule.times != u64::MAX {
                    rule.times -= 1;
                }
                match &rule.fault {
                    Fault::Quirk(q) => {
                        if !d.quirks.contains(q) {
                            d.quirks.push(*q)
                        }
                    }
                    other => d.fault = Some(other.clone()),
                }
            }
            st.scripted.retain(|r| r.times > 0);
            if d.fault.is_none() && st.config.rate > 0.0 && !st.config.kinds.is_empty() {
                let applies = st.config.endpoints.is_empty()
                    || st
                        .config
                        .endpoints
                        .iter()
                        .any(|p| pattern_matches(p, endpoint));
                if applies && st.rng.random::<f64>() < st.config.rate {
                    let i = st.rng.random_range(0..st.config.kinds.len());
                    let kind = st.config.kinds[i];
                    d.fault = Some(Fault::from_kind(kind, st.config.fault_latency));
                }
            }
            d
        })
    }
}

/// Changes fault rules while the sandbox runs (cheap to clone).
#[derive(Clone, Debug)]
pub struct FaultController {
    engine: Arc<FaultEngine>,
}

impl FaultController {
    pub(crate) fn new(engine: Arc<FaultEngine>) -> Self {
        FaultController { engine }
    }

    /// Applies `fault` to the next `times` calls matching `endpoint` (an exact key such as
    /// `tencent.participants`, a vendor prefix such as `wecom.*`, or `*`). `u64::MAX` = for ever.
    pub fn inject(&self, endpoint: &str, fault: Fault, times: u64) {
        self.inject_after(endpoint, 0, fault, times);
    }

    /// Lets `skip` matching calls through, then applies `fault` to the next `times` ones; e.g.
    /// `inject_after("wecom.*", 4, Fault::RevokeTokens, 1)` revokes tokens at the 5th call.
    pub fn inject_after(&self, endpoint: &str, skip: u64, fault: Fault, times: u64) {
        if times == 0 {
            return;
        }
        self.engine.with(|st| {
            st.scripted.push(ScriptedFault {
                endpoint: endpoint.to_owned(),
                fault,
                skip,
                times,
            })
        });
    }

    /// Sets the random fault rate (clamped to `[0, 1]`).
    pub fn set_rate(&self, rate: f64) {
        let rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self.engine.with(|st| st.config.rate = rate);
    }

    /// Sets the kinds random injection picks from.
    pub fn set_kinds(&self, kinds: Vec<FaultKind>) {
        self.engine.with(|st| st.config.kinds = kinds);
    }

    /// Restricts random faults to endpoints matching these patterns (empty = all).
    pub fn set_endpoints(&self, patterns: Vec<String>) {
        self.engine.with(|st| st.config.endpoints = patterns);
    }

    /// Sets the latency added to every call.
    pub fn set_latency(&self, latency: Option<Duration>) {
        self.engine.with(|st| st.config.latency = latency);
    }

    /// Sets how long a stall lasts.
    pub fn set_stall(&self, stall: Duration) {
        self.engine.with(|st| st.config.stall = stall);
    }

    /// Removes every scripted rule, sets the random rate to 0 and removes the added latency.
    pub fn clear(&self) {
        self.engine.with(|st| {
            st.scripted.clear();
            st.config.rate = 0.0;
            st.config.latency = None;
        });
    }

    /// Scripted rules that still have calls to affect.
    pub fn pending(&self) -> Vec<ScriptedFault> {
        self.engine.with(|st| st.scripted.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(config: FaultConfig) -> (Arc<FaultEngine>, FaultController) {
        let e = Arc::new(FaultEngine::new(&config, 7));
        let c = FaultController::new(e.clone());
        (e, c)
    }

    #[test]
    fn patterns() {
        assert!(pattern_matches("*", "wecom.gettoken"));
        assert!(pattern_matches("wecom.*", "wecom.gettoken"));
        assert!(!pattern_matches("wecom.*", "tencent.participants"));
        assert!(pattern_matches(
            "tencent.participants",
            "tencent.participants"
        ));
        assert!(!pattern_matches(
            "tencent.participant",
            "tencent.participants"
        ));
    }

    #[test]
    fn scripted_next_n_calls_then_stop() {
        let (e, c) = engine(FaultConfig::default());
        c.inject("tencent.participants", Fault::Http(502), 2);
        assert_eq!(e.decide("tencent.invitees").fault, None);
        assert_eq!(
            e.decide("tencent.participants").fault,
            Some(Fault::Http(502))
        );
        assert_eq!(
            e.decide("tencent.participants").fault,
            Some(Fault::Http(502))
        );
        assert_eq!(e.decide("tencent.participants").fault, None);
        assert!(c.pending().is_empty());
    }

    #[test]
    fn skip_then_fire_and_one_disruptive_fault_per_call() {
        let (e, c) = engine(FaultConfig::default());
        c.inject_after("wecom.*", 2, Fault::RevokeTokens, 1);
        c.inject("wecom.*", Fault::Drop, 1);
        c.inject("*", Fault::Quirk(Quirk::FlipTypes), u64::MAX);
        let d1 = e.decide("wecom.get_info");
        assert_eq!(d1.fault, Some(Fault::Drop));
        assert_eq!(d1.quirks, vec![Quirk::FlipTypes]);
        assert_eq!(e.decide("wecom.get_info").fault, None);
        assert_eq!(e.decide("wecom.get_info").fault, Some(Fault::RevokeTokens));
        assert_eq!(e.decide("wecom.get_info").fault, None);
        assert_eq!(c.pending().len(), 1, "the for-ever quirk stays");
        c.clear();
        assert!(e.decide("wecom.get_info").quirks.is_empty());
    }

    #[test]
    fn random_faults_are_deterministic_per_seed_and_respect_rate() {
        let config = FaultConfig {
            rate: 0.3,
            ..FaultConfig::default()
        };
        let run = || {
            let (e, _) = engine(config.clone());
            (0..500)
                .map(|_| e.decide("tencent.participants").fault)
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let hits = a.iter().filter(|f| f.is_some()).count();
        assert!((100..200).contains(&hits), "{hits}");
        let (e, c) = engine(config);
        c.set_rate(0.0);
        assert!((0..100).all(|_| e.decide("x").fault.is_none()));
        c.set_rate(1.0);
        c.set_endpoints(vec!["wecom.*".into()]);
        assert!(e.decide("tencent.participants").fault.is_none());
        assert!(e.decide("wecom.gettoken").fault.is_some());
    }
}
