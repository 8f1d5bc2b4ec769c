//! Tencent Meeting (腾讯会议) REST API client for attendance export, built on `roster-core`.
//!
//! Covers the read endpoints attendance needs, with enterprise self-built application
//! signing (AK/SK):
//!
//! | Endpoint | Raw page | Unified model |
//! |---|---|---|
//! | `GET /v1/meetings/{id}/participants` | [`TencentMeetingClient::participants_page`] | [`TencentMeetingClient::attendees`] → [`roster_core::Attendee`] |
//! | `GET /v1/meetings/{id}` | [`TencentMeetingClient::meeting_detail_raw`] | [`TencentMeetingClient::meeting_detail`] |
//! | `GET /v1/meetings/{id}/enroll/approvals` | [`TencentMeetingClient::enroll_approvals_page`] | [`TencentMeetingClient::registrations`] → [`roster_core::Registration`] |
//! | `GET /v1/meetings/{id}/invitees` | [`TencentMeetingClient::invitees_page`] | (fallback of `registrations`) |
//! | `GET /v1/webinars/{id}/enroll/approvals` (§12.1) | [`TencentMeetingClient::webinar_enroll_approvals_page`] | [`TencentMeetingClient::registrations`] for a webinar |
//! | `POST /v1/meetings/export-participants-list`, `GET /v1/export/{job_id}` (§12.3) | [`TencentMeetingClient::submit_participants_export`], [`TencentMeetingClient::export_job`] | [`TencentMeetingClient::participants_export`] → [`roster_core::RosterEntry`] |
//! | `GET /v1/meetings/sign-in/list`, `GET /v1/meetings/sign-in` (§12.4, §12.5) | [`TencentMeetingClient::sign_in_rounds_page`], [`TencentMeetingClient::sign_in_records_page`] | [`TencentMeetingClient::sign_ins`] → [`roster_core::SignIn`] |
//! | `GET /v1/meetings/{id}/real-time-participants` (§12.6) | [`TencentMeetingClient::realtime_participants_page`] | [`TencentMeetingClient::live_attendees`] → [`roster_core::Attendee`] |
//! | `GET /v1/meeting/{id}/waiting-room` (§12.7) | [`TencentMeetingClient::waiting_room_page`] | [`TencentMeetingClient::waiting_room`] → [`roster_core::WaitingRoomEntry`] |
//!
//! (§ numbers are sections of docs/specs/tencent-meeting.md.)
//!
//! What the client does for you:
//! - signs every attempt afresh ([`sign`]): new nonce (63 random bits) and timestamp from the
//!   injectable clock, over the exact path, query and body it sends; `SdkId` only when
//!   configured, `X-TC-Registered: 1` always;
//! - paces calls (default 240/minute, 80 % of the vendor's 300/minute/app) and retries per
//!   [`errors::classify`]: transient codes with backoff, per-minute rate limits at the next
//!   minute, replays re-signed once; clock skew, credentials and not-found are never retried;
//!   small codes are read per endpoint ([`errors::classify_for`]: `101` is "enrollment not
//!   enabled" on the enrollment lists but "not allowed" on the sign-in lists);
//! - pages with opaque `next_pos`, splits attendance ranges into ≤ 31-day windows and splits
//!   further while the vendor's 50,000-record cap would truncate a window (or surfaces
//!   [`roster_core::ErrorKind::Truncated`]);
//! - decodes leniently ([`wire`]): Base64 names that are not UTF-8 are kept raw and flagged,
//!   times as strings or numbers, unknown enum values and fields kept.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use roster_core::{AttendeeSource, MeetingQuery};
//! use roster_tencent_meeting::{ClientBuilder, Credentials, TencentMeetingClient};
//!
//! # async fn run() -> roster_core::Result<()> {
//! let client = TencentMeetingClient::builder(Credentials::new("app-id", "secret-id", "secret-key"))
//!     .operator_id("owner1")
//!     .base_url("http://127.0.0.1:8080") // the sandbox; the default is the production host
//!     .build()?;
//!
//! let sessions: Vec<_> = client
//!     .attendees(&MeetingQuery::new("7567173273889276131"))
//!     .await?
//!     .try_collect()
//!     .await?;
//! for s in &sessions {
//!     println!("{:?} joined at {:?}", s.display_name, s.joined_at);
//! }
//! # Ok(()) }
//! ```

pub mod auth;
pub mod client;
pub mod config;
pub mod convert;
pub mod corp;
pub mod decode;
pub mod enroll;
pub mod errors;
pub mod events;
pub mod export;
pub mod invitees;
pub mod meetings;
mod paging;
pub mod participants;
pub mod phone;
pub mod realtime;
pub mod sign;
pub mod signin;
pub mod source;
pub mod target;
pub mod waiting;
pub mod wire;

pub use auth::{AkSkAuthenticator, Authenticator, Credentials, RequestToSign};
pub use client::TencentMeetingClient;
pub use config::{
    DEFAULT_BASE_URL, DEFAULT_CALLS_PER_MINUTE, RECORD_CAP, TencentMeetingClientBuilder,
};
pub use corp::{CorpList, CorpMeetings, CorpQuery, HistoryMeetings, HistoryQuery};
pub use decode::{DecodedText, decode_base64_text};
pub use enroll::{EnrollApprovals, EnrollList, EnrollPath, EnrollQuery};
pub use export::{
    ExportFile, ExportFileType, ExportJob, ExportRequest, ExportRow, ExportUrl, ExportWait,
    decode_export_file,
};
pub use invitees::{InviteeList, Invitees};
pub use participants::{Participants, ParticipantsList, ParticipantsParams};
pub use phone::{phone_hash, phone_hash_eq};
pub use realtime::{RealtimeParticipantList, RealtimeParticipants, RealtimeQuery};
/// The builder trait: bring it into scope for the shared setters (`base_url`, `pacer`, …),
/// `build`, `from_env` and `from_lookup`.
pub use roster_core::ClientBuilder;
pub use signin::{
    SignInList, SignInRecords, SignInRecordsQuery, SignInRound, SignInRoundList, SignInRounds,
    SignInRoundsQuery,
};
pub use waiting::{WaitingRoom, WaitingRoomList, WaitingRoomQuery};
