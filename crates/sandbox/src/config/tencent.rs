//! The tencent emulator's settings and the credentials it hands out: a leaf module, so that
//! the sandbox configuration can hold them without importing the emulator.

use serde::{Deserialize, Serialize};

use crate::redact::debug_redacted;

/// One enterprise self-built app (AK/SK credentials).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TencentApp {
    /// Enterprise id, sent in the `AppId` header.
    pub app_id: String,
    /// `X-TC-Key`.
    pub secret_id: String,
    /// Signing key.
    pub secret_key: String,
    /// Application id, if the app was assigned one (then the `SdkId` header is required).
    pub sdk_id: Option<String>,
}

debug_redacted!(TencentApp {
    app_id,
    secret_id,
    secret_key: redacted,
    sdk_id
});

/// Tencent emulator settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TencentConfig {
    /// The apps (all in one enterprise, sharing its meetings). Default: `aSecretId`/`aSecretKey`
    /// (AppId `200000001`, no SdkId) and `bSecretId`/`bSecretKey` (AppId `200000002`, SdkId
    /// `18000000002`).
    pub apps: Vec<TencentApp>,
    /// Creator of the generated meetings and of most seed meetings.
    pub creator_userid: String,
    /// Enterprise super-admins: may list the participants of any meeting.
    pub admin_userids: Vec<String>,
    /// Calls per AppId per calendar minute (`190310` above).
    pub per_minute: u64,
    /// Calls per AppId per calendar day in UTC+8 (`190311` above).
    pub per_day: u64,
    /// Calls per AppId and endpoint per calendar minute (`190313` above); off by default.
    pub per_minute_per_endpoint: Option<u64>,
    /// Add `new_error_code` (`"1000"` + code) to error bodies (on by default: the official SDKs
    /// parse only errors that have it).
    pub new_error_code: bool,
    /// Meeting detail of an ended one-off meeting returns `{"meeting_number":0,"meeting_info_list":[]}`.
    pub hide_ended_one_off: bool,
    /// Invitees per page.
    pub invitee_page_size: usize,
    /// Participant rows one query chain may return (50 000 at Tencent).
    pub participants_cap: usize,
    /// `/v1/corp/meetings` calls per AppId per calendar minute (100 at Tencent; `190313`
    /// above, like the per-endpoint limit).
    pub corp_meetings_per_minute: u64,
    /// Largest `page_size` of `/v1/corp/meetings` (undocumented; our choice: 100).
    pub corp_meetings_max_page_size: u64,
    /// Largest `page_size` of both enroll-approvals paths (docs/specs/tencent-meeting.md
    /// §12.2: the live doc says 300; set 50 for the strict profile of §9 item 5).
    pub enroll_page_size_max: i64,
    /// Answer to `/v1/meetings/{id}/enroll/approvals` for a webinar and to
    /// `/v1/webinars/{id}/enroll/approvals` for anything else (§12.1, undocumented): the error
    /// code sent (`190004` by default, or e.g. `9003`), or `None` to serve the enrollments on
    /// either path.
    pub enroll_path_mismatch: Option<i64>,
    /// Polls of an export job (§12.3) answered with `status` 3 (processing) before it finishes.
    pub export_processing_polls: u32,
    /// Seconds of sandbox clock an export job stays processing at least (with
    /// `export_processing_polls`).
    pub export_min_seconds: i64,
    /// Export jobs end in `status` 2 with `error_msg` `"export failed"` instead of succeeding.
    pub export_fail: bool,
    /// Seconds a download `url` of a finished export stays valid on the sandbox clock (7200 at
    /// Tencent: "有效期2小时"); afterwards the download is `403` and the next poll issues a new
    /// `url`.
    pub export_url_ttl: i64,
    /// Seconds after creation an export job is forgotten (then `10013`).
    pub export_job_ttl: i64,
    /// Sign-in records (§12.5) send `user_name` as Base64 instead of plain UTF-8 (the page does
    /// not say which; both client paths need testing).
    pub signin_user_name_base64: bool,
}

impl Default for TencentConfig {
    fn default() -> Self {
        TencentConfig {
            apps: vec![
                TencentApp {
                    app_id: "200000001".into(),
                    secret_id: "aSecretId".into(),
                    secret_key: "aSecretKey".into(),
                    sdk_id: None,
                },
                TencentApp {
                    app_id: "200000002".into(),
                    secret_id: "bSecretId".into(),
                    secret_key: "bSecretKey".into(),
                    sdk_id: Some("18000000002".into()),
                },
            ],
            creator_userid: "owner1".into(),
            admin_userids: vec!["admin1".into()],
            per_minute: 300,
            per_day: 200_000,
            per_minute_per_endpoint: None,
            new_error_code: true,
            hide_ended_one_off: false,
            invitee_page_size: 200,
            participants_cap: 50_000,
            corp_meetings_per_minute: 100,
            corp_meetings_max_page_size: 100,
            enroll_page_size_max: 300,
            enroll_path_mismatch: Some(190004),
            export_processing_polls: 2,
            export_min_seconds: 0,
            export_fail: false,
            export_url_ttl: 7200,
            export_job_ttl: 86_400,
            signin_user_name_base64: false,
        }
    }
}

/// Credentials of one Tencent app, and the user ids to call with.
#[derive(Clone, PartialEq, Eq)]
pub struct TencentCredentials {
    /// `AppId` header.
    pub app_id: String,
    /// `X-TC-Key` header.
    pub secret_id: String,
    /// Signing key.
    pub secret_key: String,
    /// `SdkId` header, when the app has one.
    pub sdk_id: Option<String>,
    /// Creator of the seeded meetings (`userid` / `operator_id`).
    pub userid: String,
    /// An enterprise super-admin.
    pub admin_userid: Option<String>,
}

debug_redacted!(TencentCredentials {
    app_id,
    secret_id,
    secret_key: redacted,
    sdk_id,
    userid,
    admin_userid
});
