//! Ground truth: what complete queries return, for exactly-once assertions.
//!
//! Each vendor's methods live in an `impl GroundTruth` block in a submodule here
//! (`tencent_*`, `wecom_*`, `quanshi_*`), so the vendor modules never import this one. The records are the very JSON objects the endpoint
//! serves, in serving order, ignoring pagination and result caps.

use std::sync::Arc;

use crate::shared::Shared;

pub(crate) mod http;
mod quanshi;
mod tencent;
mod wecom;

/// Everything a running sandbox holds.
pub(crate) struct SandboxState {
    pub shared: Shared,
    pub tencent: Arc<crate::tencent::State>,
    pub wecom: Arc<crate::wecom::State>,
    pub quanshi: Arc<crate::quanshi::State>,
}

/// Ground truth of a running sandbox (from [`crate::SandboxHandle::truth`]).
#[derive(Clone)]
pub struct GroundTruth {
    pub(crate) state: Arc<SandboxState>,
}

impl std::fmt::Debug for GroundTruth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroundTruth").finish_non_exhaustive()
    }
}

impl GroundTruth {
    pub(crate) fn new(state: Arc<SandboxState>) -> Self {
        GroundTruth { state }
    }
}

/// Pre-serialized rows as JSON values (a row that does not parse is skipped).
pub(crate) fn parse_rows(rows: impl Iterator<Item = impl AsRef<str>>) -> Vec<serde_json::Value> {
    rows.filter_map(|r| serde_json::from_str(r.as_ref()).ok())
        .collect()
}
