//! WeCom (企业微信) meeting API client for attendance export, built on [`roster_core`].
//!
//! Covers a self-built app's (自建应用) access token and the read endpoints an attendance export
//! needs: `get_attendee_list`, `enroll/list`, `enroll/query_by_tmp_openid`, `get_info` and
//! `get_user_meetingid`, and with the address-book sync secret the corp's members
//! (`user/list_id`) for meeting discovery. Round two (docs/specs/wecom.md §12) adds the webinar
//! enrollment twins `webinar/enroll/list` and `webinar/enroll/query_by_tmp_openid` (§12.1–§12.2,
//! [`enroll`]), `get_realtime_attendee_list` (§12.3, [`realtime`]),
//! `waitingroom/get_user_list` (§12.4, [`waiting_room`]) and `get_invitees` (§12.5,
//! [`invitees`]).
//!
//! - **Token**: cached per app (corp id + a hash of the secret), fetched lazily, refreshed ahead
//!   of expiry and single-flight (200 concurrent calls on a cold cache make one `gettoken`;
//!   waiters share a failed fetch too);
//!   a token the server rejects (`40014`/`42001`) is dropped only if it is still the cached one,
//!   refreshed once and the call retried once. Configuration errors of `gettoken` (wrong secret,
//!   untrusted IP …) are returned at once and never repeated: WeCom bans an IP after repeated
//!   wrong secrets. See [`roster_core::token`]; share tokens across processes with a [`TokenStore`].
//! - **Secrets**: the token travels only in the URL query and never appears in `Debug`,
//!   `Display`, errors or traces.
//! - **Lists**: lazy streams over cursor chains with a constant `limit`, stopping on
//!   `has_more: false` even when a cursor is present; ≤ 31-day windows for attendees, ≤ 180-day
//!   windows for a member's meetings.
//! - **Errors**: classified by `errcode` only ([`errors::classify`]), with the `hint: [...]` of
//!   `errmsg` as request id and hints for configuration codes.
//! - **Pacing**: 600 calls a minute and 4 in flight per API by default (each API has a
//!   budget of its own; [`WeComClientBuilder`]).
//! - **Configuration**: `WeComClient::builder(credentials) … .build()`, or
//!   [`ClientBuilder::from_env`] (`ROSTER_WECOM_*`); the shared setters come from core's
//!   [`ClientBuilder`].
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use roster_core::{AttendeeSource, MeetingQuery};
//! use roster_wecom::{ClientBuilder, Credentials, WeComClient};
//!
//! # async fn run() -> roster_core::Result<()> {
//! let client = WeComClient::builder(Credentials::new("ww0123456789abcdef", "app-secret"))
//!     // A local emulator; leave out for the production host.
//!     .base_url("http://127.0.0.1:8080")
//!     .build()?;
//!
//! // Every join session of a meeting, as the unified model.
//! let attendees: Vec<_> = client
//!     .attendees(&MeetingQuery::new("hy0123456789"))
//!     .await?
//!     .try_collect()
//!     .await?;
//!
//! // Enrollments with their answers.
//! let registrations: Vec<_> = client
//!     .registrations(&MeetingQuery::new("hy0123456789"))
//!     .await?
//!     .try_collect()
//!     .await?;
//! println!("{} sessions, {} enrollments", attendees.len(), registrations.len());
//! # Ok(())
//! # }
//! ```

#[macro_use]
mod macros;

pub mod attendees;
pub mod callback;
pub mod client;
pub mod config;
pub mod convert;
pub mod discovery;
pub mod enroll;
pub mod errors;
pub mod invitees;
pub mod meeting;
pub mod members;
pub mod realtime;
pub mod source;
mod validate;
pub mod waiting_room;
pub mod wire;

pub use attendees::{AttendeeList, AttendeeQuery, GetAttendeeList};
pub use client::WeComClient;
pub use config::{
    Credentials, DEFAULT_BASE_URL, MAX_ATTENDEE_LIMIT, MAX_ENROLL_LIMIT, WeComClientBuilder,
};
pub use enroll::{
    EnrollFamily, EnrollIdMatches, EnrollList, EnrollListEndpoint, EnrollQuery,
    MAX_TMP_OPENIDS_PER_CALL,
};
pub use errors::{CallKind, Classification};
pub use invitees::{GetInvitees, InviteeList, InviteeQuery};
pub use meeting::{
    GetUserMeetingIds, MAX_MEETING_ID_LIMIT, MAX_USER_MEETING_WINDOW, UserMeetingIdList,
    UserMeetingIdQuery,
};
pub use members::{MAX_MEMBER_LIMIT, MemberList, MemberQuery, UserListId};
pub use realtime::{
    GetRealtimeAttendeeList, MAX_REALTIME_ATTENDEE_LIMIT, RealtimeAttendeeList, RealtimeQuery,
};
/// The builder trait: bring it into scope for the shared setters (`base_url`, `pacer`, …),
/// `build`, `from_env` and `from_lookup`.
pub use roster_core::ClientBuilder;
// The token cache is core's (one for every vendor that issues tokens).
pub use roster_core::token::{AccessToken, MemoryTokenStore, TokenKey, TokenMargin, TokenStore};
pub use waiting_room::{
    GetWaitingRoomUserList, MAX_WAITING_ROOM_LIMIT, WaitingRoomList, WaitingRoomQuery,
};
pub use wire::{MeetingInfo, MeetingType, SortingRules};
