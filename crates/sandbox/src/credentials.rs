//! Credentials the sandbox accepts, per vendor.

pub use crate::config::quanshi::QuanshiCredentials;
pub use crate::config::tencent::TencentCredentials;
pub use crate::config::wecom::WeComCredentials;

/// Credentials of a running sandbox (from [`crate::SandboxHandle::credentials`]).
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The first configured Tencent app (by default: `aSecretId`/`aSecretKey`, no SdkId).
    pub tencent: TencentCredentials,
    /// Every configured Tencent app (by default a second one with an SdkId).
    pub tencent_apps: Vec<TencentCredentials>,
    /// WeCom.
    pub wecom: WeComCredentials,
    /// Quanshi.
    pub quanshi: QuanshiCredentials,
}
