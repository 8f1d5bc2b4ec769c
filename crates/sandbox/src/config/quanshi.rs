//! The quanshi emulator's settings and the credentials it hands out: a leaf module, so that
//! the sandbox configuration can hold them without importing the emulator.

use serde::{Deserialize, Serialize};

use crate::redact::debug_redacted;

/// The default path of the join-link lookup (the real path is unknown, docs/specs/quanshi.md §4.1).
pub(crate) const DEFAULT_JOIN_URL_LOOKUP_PATH: &str = "/_sandbox/quanshi/meeting-by-join-url";

/// Quanshi emulator settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuanshiConfig {
    /// The AppKey (accepted in the `AppKey` or the `AppId` header).
    pub app_key: String,
    /// The AppSecret (`SecretKey`) used in CheckSum.
    pub app_secret: String,
    /// The administrator's Quanshi user id: the only `userId` `token/create` accepts.
    pub admin_user_id: u64,
    /// The administrator's e-mail (`user/search/email` finds `admin_user_id` by it).
    pub admin_email: String,
    /// Host (`hostId`) of the seed and generated meetings, and of fixture meetings without a
    /// `creator`. Reports and `room/conference/infos` require it as `userId`.
    pub host_user_id: u64,
    /// The host's e-mail (also found by `user/search/email`).
    pub host_email: String,
    /// Customer (tenant) code (`data.customerCode`, terminals' `customerCode`).
    pub customer_code: String,
    /// Token lifetime in seconds (`data.expire` of `token/create`).
    pub token_ttl_secs: u64,
    /// Path of the join-link lookup. Must start with `/` and use only `A–Z a–z 0–9 - _ . ~ /`,
    /// outside `/v1/`, `/cgi-bin/`, `/_sandbox/stats` and the other Quanshi paths; anything else
    /// falls back to `/_sandbox/quanshi/meeting-by-join-url` (with a warning in the log).
    pub join_url_lookup_path: String,
    /// An unknown join link gets `status: 404` instead of `{"status":0,"result":[]}`.
    pub join_url_not_found_error: bool,
    /// Calls per AppKey per calendar minute of the sandbox clock (`429` above); off when `None`.
    pub per_minute: Option<u64>,
}

impl Default for QuanshiConfig {
    fn default() -> Self {
        QuanshiConfig {
            app_key: "sandbox-quanshi-app".into(),
            app_secret: "aSecretKey".into(),
            admin_user_id: 19_533_553,
            admin_email: "admin@quanshi-sandbox.example".into(),
            host_user_id: 88_610_849,
            host_email: "host@quanshi-sandbox.example".into(),
            customer_code: "0001".into(),
            token_ttl_secs: 86_400,
            join_url_lookup_path: DEFAULT_JOIN_URL_LOOKUP_PATH.into(),
            join_url_not_found_error: false,
            per_minute: None,
        }
    }
}

debug_redacted!(QuanshiConfig {
    app_key,
    app_secret: redacted,
    admin_user_id,
    admin_email,
    host_user_id,
    host_email,
    customer_code,
    token_ttl_secs,
    join_url_lookup_path,
    join_url_not_found_error,
    per_minute
});

/// Credentials the Quanshi emulator accepts, and the ids and paths to call it with.
#[derive(Clone, PartialEq, Eq)]
pub struct QuanshiCredentials {
    /// AppKey (send it as `AppKey` or `AppId`).
    pub app_key: String,
    /// AppSecret (`SecretKey`).
    pub app_secret: String,
    /// Administrator user id (`token/create` body `userId`).
    pub admin_user_id: u64,
    /// Administrator e-mail (`user/search/email`).
    pub admin_email: String,
    /// Host of the sandbox's meetings (the `userId` of reports and `room/conference/infos`).
    pub host_user_id: u64,
    /// The host's e-mail (`user/search/email` finds `host_user_id` by it).
    pub host_email: String,
    /// Customer code.
    pub customer_code: String,
    /// The path the join-link lookup is served at (on the confopenapi base URL).
    pub join_url_lookup_path: String,
    /// Every host of the sandbox's meetings, sorted (the organisation's meetings have hosts
    /// of their own): the hosts whose meetings discovery lists.
    pub host_ids: Vec<u64>,
}

debug_redacted!(QuanshiCredentials {
    app_key,
    app_secret: redacted,
    admin_user_id,
    admin_email,
    host_user_id,
    host_email,
    customer_code,
    join_url_lookup_path,
    host_ids
});
