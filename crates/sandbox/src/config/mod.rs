//! Sandbox configuration.

use serde::{Deserialize, Serialize};

use crate::clock::ClockConfig;
use crate::faults::FaultConfig;
use crate::fixture::Fixture;
pub use crate::vendor::Vendor;

pub mod quanshi;
pub mod tencent;
pub mod wecom;

use quanshi::QuanshiConfig;
use tencent::TencentConfig;
use wecom::WeComConfig;

/// Everything the sandbox needs to start. `SandboxConfig::default()` is a complete, useful
/// configuration: system clock, no faults, seed meetings plus a few generated ones.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxConfig {
    /// Seed of every random choice (data, ids, positions, random faults). Same seed, same data.
    pub seed: u64,
    /// Clock source.
    pub clock: ClockConfig,
    /// Fault injection at start (changeable at run time through [`crate::FaultController`]).
    pub faults: FaultConfig,
    /// Which meetings to generate.
    pub data: DataConfig,
    /// Tencent Meeting emulator settings.
    pub tencent: TencentConfig,
    /// WeCom emulator settings.
    pub wecom: WeComConfig,
    /// Quanshi emulator settings.
    pub quanshi: QuanshiConfig,
    /// Extra meetings described by the user (served in addition to the generated ones).
    pub fixture: Option<Fixture>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            seed: 42,
            clock: ClockConfig::default(),
            faults: FaultConfig::default(),
            data: DataConfig::default(),
            tencent: TencentConfig::default(),
            wecom: WeComConfig::default(),
            quanshi: QuanshiConfig::default(),
            fixture: None,
        }
    }
}

/// Which meetings every vendor serves (in addition to the fixture's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataConfig {
    /// Serve each vendor's hand-written seed meetings (the cases its spec requires: odd names,
    /// recurring meetings, webinars, a live and a not-started meeting, …).
    pub seed_meetings: bool,
    /// Number of small generated meetings (3 to 40 join sessions each), labelled `small-0`, ….
    pub small_meetings: usize,
    /// Sizes of large one-off meetings, in join sessions (rows), labelled `large-<size>`.
    /// Generated on first access, so a large size does not slow down start-up.
    pub large_meetings: Vec<usize>,
    /// An organisation's worth of meetings, labelled `org-<i>` (none by default): spread over
    /// the last [`DataConfig::org_days`] days and the next week, hosted by
    /// [`DataConfig::org_hosts`] hosts (`host01`, …), one-off, recurring (weekly occurrences)
    /// and webinars; mostly ended, some cancelled, live or upcoming; 3 to 30 join sessions each
    /// (none before a meeting starts or when it is cancelled or live). Deterministic from the
    /// seed.
    pub org_meetings: usize,
    /// Days back the organisation's meetings spread over (default 90).
    pub org_days: i64,
    /// Hosts of the organisation's meetings (default 8).
    pub org_hosts: usize,
    /// Most join sessions of an ended organisation meeting (default 30; each has 3 to this
    /// many, uniformly).
    pub org_max_sessions: usize,
    /// Reference time for generated meetings (Unix seconds). `None`: the sandbox clock at start,
    /// rounded down to the hour. Seeded meetings lie before it (most within the last 31 days),
    /// except the live and not-started ones.
    pub anchor_unix: Option<i64>,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            seed_meetings: true,
            small_meetings: 8,
            large_meetings: vec![60_000],
            org_meetings: 0,
            org_days: 90,
            org_hosts: 8,
            org_max_sessions: 30,
            anchor_unix: None,
        }
    }
}
