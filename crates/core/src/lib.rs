//! Shared foundation of **roster**, the meeting-attendance SDK for WeCom (企业微信), Tencent
//! Meeting (腾讯会议) and Quanshi (全时).
//!
//! You normally depend on one vendor crate (`roster-wecom`, `roster-tencent-meeting`,
//! `roster-quanshi`); this crate holds what they share and what cross-vendor code needs:
//!
//! - the unified model: [`Attendee`] (one join session), [`Registration`] (enrollment or
//!   invitation), [`RosterEntry`] (one person, reconciled by [`reconcile()`]);
//! - vendor enums that never fail on new values ([`Device`], [`Role`], …);
//! - [`Error`] with the vendor's code, message, HTTP status and request id, classified into a
//!   [`RetryClass`];
//! - [`Paginator`] streams over any [`ListRequest`], with stop rules, loop guards, vendor caps
//!   and resumable [`Cursor`]s; [`split_windows`]/[`windowed`] for ≤ 31-day windows;
//! - [`Retrier`] (a pure [`RetryPolicy::decide`] plus an executor on an injectable [`Clock`])
//!   and [`Pacer`] (client-side rate limit and concurrency cap);
//! - [`HttpClient`], the HTTP plumbing that never lets a URL (WeCom's token) into an error;
//! - [`ClientBuilder`] and [`ClientOptions`], the one configuration shape of every vendor
//!   client (`XClient::builder(credentials) … .build()`, or `from_env` / `from_lookup`);
//! - [`AttendeeSource`], the object-safe trait every vendor client implements.
//!
//! ```
//! use roster_core::{reconcile, Attendee, Registration, RegistrationStatus, RosterSummary, Vendor};
//! use time::macros::datetime;
//!
//! let mut reg = Registration::new(Vendor::WeCom, "m1");
//! reg.user_id = Some("zhangsan".into());
//! reg.status = Some(RegistrationStatus::Approved);
//!
//! let mut session = Attendee::new(Vendor::WeCom, "m1");
//! session.user_id = Some("zhangsan".into());
//! session.joined_at = Some(datetime!(2026-03-01 09:00 +8));
//! session.left_at = Some(datetime!(2026-03-01 09:45 +8));
//!
//! let entries = reconcile(vec![reg], vec![session]);
//! let summary = RosterSummary::from_entries(&entries);
//! assert_eq!((summary.registered, summary.attended, summary.no_shows), (1, 1, 0));
//! assert_eq!(entries[0].attended_minutes(), 45);
//! ```

pub mod attendance;
pub mod call;
pub mod capped;
pub mod clock;
pub mod discovery;
pub mod enums;
pub mod error;
pub mod http;
pub mod list;
pub mod model;
pub mod options;
pub mod pace;
pub mod paginate;
pub mod plan;
pub mod reconcile;
pub mod record;
pub mod resume;
pub mod retry;
pub mod settings;
pub mod source;
pub mod token;
pub mod vendor;
pub mod webhook;
pub mod window;
pub mod wire;

pub use call::{Pipeline, Protocol};
pub use capped::capped_windows;
pub use clock::{Clock, ManualClock, OffsetClock, SharedClock, SystemClock, format_time};
pub use discovery::{DiscoveryQuery, MeetingDirectory, MeetingState, MeetingSummary};
pub use enums::{
    Device, JoinType, QuestionType, RegistrationFilter, RegistrationSource, RegistrationStatus,
    Role, SpecialType, WebinarRole,
};
pub use error::{ApiDetails, Error, ErrorKind, Result, RetryClass};
pub use http::{HttpClient, HttpConfig, RawResponse};
pub use list::{List, ListClient, ListEndpoint};
pub use model::{Answer, Attendee, EXTRA_NAME_UNDECODABLE, Registration, SignIn, WaitingRoomEntry};
pub use options::{ClientBuilder, ClientOptions};
pub use pace::{Pacer, PacerPermit, SharedBudget, parse_calls_per_minute};
pub use paginate::{
    Cursor, ListRequest, Page, PageObserver, PageToken, Paginator, malformed_page, page_items,
};
pub use plan::{
    AttendancePlan, CLAMP_MARGIN, MAX_PLANNED_WINDOWS, MeetingShape, OccurrenceRange, PlanRules,
    RangeOrigin, Start, joined_in_range, plan_from_query, plan_with_meeting,
};
pub use reconcile::{
    MatchKey, ReconcileOptions, RosterEntry, RosterSummary, normalized_phone, reconcile,
    reconcile_with,
};
pub use resume::{ExportPosition, Rest, Resumable, WindowsFrom};
pub use retry::{Attempt, CallStats, Decision, Retrier, RetryPolicy, RetryState};
pub use settings::SettingLookup;
pub use source::{AttendeeSource, MeetingQuery, RecordStream, live_rows_once};
pub use vendor::Vendor;
pub use window::{
    MAX_WINDOW, Window, WindowOptions, split_windows, stop_after_error, windowed, windowed_observed,
};

/// Used by the declaration macros ([`lenient_record!`], [`code_enum!`]) from other crates.
#[doc(hidden)]
pub use {serde, serde_json};

/// Secret strings for credentials and tokens (re-exported so every crate uses one version).
pub use secrecy::{self, ExposeSecret, SecretString};
pub use token::{
    AccessToken, MemoryTokenStore, RefreshLock, TokenCache, TokenKey, TokenMargin, TokenStore,
};
