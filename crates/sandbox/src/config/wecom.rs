//! The wecom emulator's settings and the credentials it hands out: a leaf module, so that
//! the sandbox configuration can hold them without importing the emulator.

use serde::{Deserialize, Serialize};

use crate::redact::debug_redacted;

/// One self-built app (自建应用) of the emulated corp.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeComApp {
    /// The app's AgentId (shown in `get_info.agentid`).
    pub agent_id: u32,
    /// The app's secret (`corpsecret` of `gettoken`).
    pub secret: String,
    /// Enabled; a disabled app gets `50003` from `gettoken`.
    pub enabled: bool,
    /// Listed under 「可调用接口的应用」: otherwise every meeting endpoint answers `48002`.
    pub meeting_api: bool,
    /// The caller's IP is among the app's trusted IPs: otherwise every call, `gettoken`
    /// included, answers `60020`.
    pub trusted_ip: bool,
    /// Corp members outside the app's visible scope: omitted from its attendee lists, from the
    /// `get_info` attendee summary and from `get_user_meetingid`.
    pub hidden_userids: Vec<String>,
}

impl Default for WeComApp {
    fn default() -> Self {
        WeComApp {
            agent_id: 1_000_002,
            secret: "sandbox-wecom-secret".into(),
            enabled: true,
            meeting_api: true,
            trusted_ip: true,
            hidden_userids: vec!["outsider".into()],
        }
    }
}

debug_redacted!(WeComApp {
    agent_id,
    secret: redacted,
    enabled,
    meeting_api,
    trusted_ip,
    hidden_userids
});

/// WeCom emulator settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeComConfig {
    /// The corp id accepted by `gettoken` (`corpid`).
    pub corp_id: String,
    /// The secret of the corp's address-book sync (通讯录同步): its tokens may call
    /// `user/list_id` and nothing else; every app token gets `48002` there.
    pub contacts_secret: String,
    /// Address-book members besides every meeting creator and every app's hidden members
    /// (those are always members). Default none: generated attendees are not listed, so a
    /// discovery over the address book stays a few calls per host.
    pub members: Vec<String>,
    /// The corp's apps. Default: app `1000002` (secret `sandbox-wecom-secret`), which created
    /// every meeting except `seed-other-app`, and app `1000003` (secret
    /// `sandbox-wecom-secret-2`), which created `seed-other-app`. Both hide member `outsider`.
    pub apps: Vec<WeComApp>,
    /// Creator (`admin_userid`) of the generated meetings and of most seed meetings.
    pub creator_userid: String,
    /// Token lifetime in seconds (`expires_in`).
    pub token_ttl_secs: i64,
    /// Calls per corp and API per calendar minute (`45009` above).
    pub per_minute: u64,
    /// Calls per corp and API per clock hour (`45009` above).
    pub per_hour: u64,
    /// Concurrent calls per corp and API (`45033` above); off when `None`.
    pub max_concurrency: Option<u32>,
    /// Each business call keeps its concurrency slot until the sandbox clock has moved this many
    /// seconds past its arrival (with a manual clock: until the test advances it). `0`: no hold.
    pub hold_secs: u64,
    /// The corp bought 会议高级功能; otherwise the advanced endpoints answer `730007`.
    pub advanced_tier: bool,
    /// Omit `errcode`/`errmsg` from every successful answer.
    pub omit_success_code: bool,
    /// `get_user_meetingid`: omit `next_cursor` on the last page instead of sending `""`.
    pub omit_final_cursor: bool,
    /// What `enroll/list` and `enroll/query_by_tmp_openid` answer for a webinar
    /// (docs/specs/wecom.md §12.0, roster's choice: `730011` 不支持该类型的会议). `None` serves the
    /// webinar's enrollments there too, as round one of the sandbox did.
    pub webinar_on_meeting_enroll_code: Option<i64>,
    /// What `webinar/enroll/list` and `webinar/enroll/query_by_tmp_openid` answer for a meeting
    /// that is not a webinar (§12.0, roster's choice: `730011`). `None` serves its enrollments.
    pub meeting_on_webinar_enroll_code: Option<i64>,
    /// What `get_invitees` answers for a webinar (§12.0, roster's choice: `730011`). `None`
    /// serves the webinar's invitees.
    pub webinar_invitees_code: Option<i64>,
    /// What `get_realtime_attendee_list` answers for a webinar. Default `None`: served like a
    /// meeting (§12.0, roster's choice).
    pub webinar_realtime_code: Option<i64>,
    /// What `waitingroom/get_user_list` answers for a webinar. Default `None`: an empty list
    /// (§12.0, roster's choice).
    pub webinar_waiting_room_code: Option<i64>,
    /// `get_realtime_attendee_list`: the `limit` when the body has none (undocumented; roster's
    /// choice 50, §12.3). Values outside `1..=50` are clamped into it.
    pub realtime_default_limit: i64,
    /// `get_realtime_attendee_list`: add `"status":"1"` to every success, as the doc example
    /// shows (§12.3; omitted by default).
    pub realtime_status: bool,
    /// `waitingroom/get_user_list`: omit `next_cursor` on the last page instead of sending `""`
    /// (§12.4).
    pub waiting_room_omit_final_cursor: bool,
    /// `get_invitees`: rows per page (undocumented; roster's choice 100, §12.5). `0` counts as 1.
    pub invitee_page_size: usize,
    /// `get_invitees`: omit `next_cursor` on the last page instead of sending `""` (§12.5).
    pub invitees_omit_final_cursor: bool,
}

debug_redacted!(WeComConfig {
    corp_id,
    contacts_secret: redacted,
    members,
    apps,
    creator_userid,
    token_ttl_secs,
    per_minute,
    per_hour,
    max_concurrency,
    hold_secs,
    advanced_tier,
    omit_success_code,
    omit_final_cursor,
    webinar_on_meeting_enroll_code,
    meeting_on_webinar_enroll_code,
    webinar_invitees_code,
    webinar_realtime_code,
    webinar_waiting_room_code,
    realtime_default_limit,
    realtime_status,
    waiting_room_omit_final_cursor,
    invitee_page_size,
    invitees_omit_final_cursor
});

impl Default for WeComConfig {
    fn default() -> Self {
        WeComConfig {
            corp_id: "wwsandbox0000000001".into(),
            contacts_secret: "sandbox-wecom-contacts-secret".into(),
            members: Vec::new(),
            apps: vec![
                WeComApp::default(),
                WeComApp {
                    agent_id: 1_000_003,
                    secret: "sandbox-wecom-secret-2".into(),
                    ..WeComApp::default()
                },
            ],
            creator_userid: "owner1".into(),
            token_ttl_secs: 7_200,
            per_minute: 10_000,
            per_hour: 150_000,
            max_concurrency: None,
            hold_secs: 0,
            advanced_tier: true,
            omit_success_code: false,
            omit_final_cursor: false,
            webinar_on_meeting_enroll_code: Some(730_011),
            meeting_on_webinar_enroll_code: Some(730_011),
            webinar_invitees_code: Some(730_011),
            webinar_realtime_code: None,
            webinar_waiting_room_code: None,
            realtime_default_limit: 50,
            realtime_status: false,
            waiting_room_omit_final_cursor: false,
            invitee_page_size: 100,
            invitees_omit_final_cursor: false,
        }
    }
}

/// Credentials of one WeCom app.
#[derive(Clone, PartialEq, Eq)]
pub struct WeComAppCredentials {
    /// AgentId.
    pub agent_id: u32,
    /// `corpsecret`.
    pub secret: String,
}

debug_redacted!(WeComAppCredentials {
    agent_id,
    secret: redacted
});

/// Credentials the WeCom emulator accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct WeComCredentials {
    /// Corp id (`corpid`).
    pub corp_id: String,
    /// Secret of the first app (`corpsecret`), the app that created the seeded meetings.
    pub corp_secret: String,
    /// AgentId of the first app.
    pub agent_id: u32,
    /// Creator of the seeded meetings (a `userid` for `get_user_meetingid`).
    pub userid: String,
    /// Every configured app, the first one included.
    pub apps: Vec<WeComAppCredentials>,
    /// The address-book sync secret (a `corpsecret` whose token may only call `user/list_id`).
    pub contacts_secret: String,
}

debug_redacted!(WeComCredentials {
    corp_id,
    corp_secret: redacted,
    agent_id,
    userid,
    apps,
    contacts_secret: redacted
});
