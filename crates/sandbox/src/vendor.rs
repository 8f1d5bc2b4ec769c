//! Which vendor: a leaf every module may name.

use serde::{Deserialize, Serialize};

/// One of the three emulated vendors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// WeCom (企业微信) meeting API.
    WeCom,
    /// Tencent Meeting (腾讯会议) REST API.
    Tencent,
    /// Quanshi (全时) open API.
    Quanshi,
}

impl Vendor {
    /// All three.
    pub const ALL: [Vendor; 3] = [Vendor::WeCom, Vendor::Tencent, Vendor::Quanshi];

    /// Lower-case name, also the prefix of the vendor's endpoint keys (`tencent.participants`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Vendor::WeCom => "wecom",
            Vendor::Tencent => "tencent",
            Vendor::Quanshi => "quanshi",
        }
    }
}
