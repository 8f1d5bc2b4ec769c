//! The three supported meeting platforms.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A meeting platform roster can read attendance from.
///
/// Serialized as `"wecom"`, `"tencent_meeting"` or `"quanshi"`; [`FromStr`] also accepts the
/// CLI spelling `tencent-meeting`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Vendor {
    /// WeCom (企业微信) meeting API, `qyapi.weixin.qq.com/cgi-bin/meeting/*`.
    #[serde(rename = "wecom")]
    WeCom,
    /// Tencent Meeting (腾讯会议) REST API, `api.meeting.qq.com`.
    #[serde(rename = "tencent_meeting")]
    TencentMeeting,
    /// Quanshi (全时) open API.
    #[serde(rename = "quanshi")]
    Quanshi,
}

impl Vendor {
    /// All vendors, in a stable order.
    pub const ALL: [Vendor; 3] = [Vendor::WeCom, Vendor::TencentMeeting, Vendor::Quanshi];

    /// The machine name used in JSON (`wecom`, `tencent_meeting`, `quanshi`).
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::WeCom => "wecom",
            Vendor::TencentMeeting => "tencent_meeting",
            Vendor::Quanshi => "quanshi",
        }
    }

    /// The product name for people (`WeCom`, `Tencent Meeting`, `Quanshi`).
    pub fn product_name(self) -> &'static str {
        match self {
            Vendor::WeCom => "WeCom",
            Vendor::TencentMeeting => "Tencent Meeting",
            Vendor::Quanshi => "Quanshi",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown vendor name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown vendor {0:?}: expected wecom, tencent-meeting or quanshi")]
pub struct UnknownVendor(pub String);

impl FromStr for Vendor {
    type Err = UnknownVendor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wecom" | "wework" => Ok(Vendor::WeCom),
            "tencent-meeting" | "tencent_meeting" | "tencent" => Ok(Vendor::TencentMeeting),
            "quanshi" => Ok(Vendor::Quanshi),
            _ => Err(UnknownVendor(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_are_fixed() {
        for (v, name) in [
            (Vendor::WeCom, "\"wecom\""),
            (Vendor::TencentMeeting, "\"tencent_meeting\""),
            (Vendor::Quanshi, "\"quanshi\""),
        ] {
            assert_eq!(serde_json::to_string(&v).unwrap(), name);
            assert_eq!(serde_json::from_str::<Vendor>(name).unwrap(), v);
        }
    }

    #[test]
    fn parses_cli_spellings() {
        assert_eq!(
            "tencent-meeting".parse::<Vendor>().unwrap(),
            Vendor::TencentMeeting
        );
        assert_eq!("WeCom".parse::<Vendor>().unwrap(), Vendor::WeCom);
        assert!("zoom".parse::<Vendor>().is_err());
    }
}
