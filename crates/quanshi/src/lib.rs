//! Quanshi (全时 / G-Net 云会议) open API client for attendance export, built on
//! [`roster_core`].
//!
//! Quanshi documents little: no error code, not the token field name, not the path of the
//! join-link lookup. Every such detail is configuration ([`QuanshiClientBuilder`]) with the spec's
//! default, and the join-link lookup, which has no default, fails with a
//! [`roster_core::ErrorKind::Config`] error before any request until its path is set.
//!
//! What it covers:
//!
//! - **Auth** per API family ([`Family`]): [`AuthMode::Token`] (from `token/create`, cached,
//!   single-flight refresh before expiry and once after a token-invalid answer; or a fixed
//!   token) placed in the header, the body or both, and [`AuthMode::Signature`]
//!   (`AppKey`/`AppId`, `Nonce`, `CurTime`, `CheckSum` = lower-hex SHA-1, new per attempt);
//!   see [`checksum`] and [`token`].
//! - **Envelopes** of both families read by one decoder ([`envelope`]); vendor codes classified
//!   by a configurable [`ErrorMap`] ([`errors`]).
//! - **Endpoints**: meeting detail by attendee join link and `room/conference/infos`
//!   ([`meeting`]), attendance reports v1/v2 ([`report`]), terminals in a meeting now
//!   ([`terminals`]); lenient [`wire`] types converted into [`roster_core::Attendee`] and
//!   [`roster_core::Registration`] ([`convert`]).
//! - [`roster_core::AttendeeSource`] ([`source`]): attendees from the v2 report, registrations
//!   from the invitee list.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use roster_core::{AttendeeSource, MeetingQuery};
//! use roster_quanshi::{ClientBuilder, Credentials, QuanshiClient};
//!
//! # async fn run() -> roster_core::Result<()> {
//! let credentials = Credentials::new("my-app-key", "my-secret").admin_user_id(19_533_553);
//! let client = QuanshiClient::builder(credentials)
//!     // Both families on one host, as the sandbox serves them.
//!     .base_url("http://127.0.0.1:8080")
//!     .events_base_url("http://127.0.0.1:8080")
//!     .build()?;
//!
//! // Every join session of event 566390, in time order.
//! let sessions: Vec<_> = client
//!     .attendees(&MeetingQuery::new("566390"))
//!     .await?
//!     .try_collect()
//!     .await?;
//! for s in &sessions {
//!     println!("{:?} {:?} → {:?}", s.display_name, s.joined_at, s.left_at);
//! }
//! # Ok(())
//! # }
//! ```

pub mod checksum;
pub mod client;
pub mod config;
pub mod convert;
pub mod discovery;
pub mod envelope;
pub mod errors;
pub mod meeting;
pub mod report;
pub mod source;
pub mod terminals;
pub mod token;
pub mod wire;

pub use client::QuanshiClient;
pub use config::{
    AuthMode, Credentials, Family, FamilyAuth, KeyHeader, Paths, QuanshiClientBuilder,
    TokenPlacement, WatchDurationUnit,
};
pub use errors::{CodeClass, ErrorMap};
pub use meeting::{ConferenceKey, validate_join_url};
/// The builder trait: bring it into scope for the shared setters (`base_url`, `pacer`, …),
/// `build`, `from_env` and `from_lookup`.
pub use roster_core::ClientBuilder;
pub use terminals::{AttendeeListEndpoint, TerminalList, TerminalQuery};
pub use token::TokenData;
pub use wire::{
    Invitee, IpField, Meeting, MeetingStatus, ReportV1Row, ReportV2, Run, Sensitive, SensitiveMap,
    Session, Terminal, UserType,
};
