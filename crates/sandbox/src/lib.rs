//! `roster-sandbox`: a local emulator of the WeCom, Tencent Meeting and Quanshi attendance APIs,
//! with deterministic seeded data, fault injection, counters and ground truth.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use roster_sandbox::{ClockConfig, Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig {
//!     clock: ClockConfig::Manual { start_unix: 1_700_000_000 },
//!     ..SandboxConfig::default()
//! })
//! .await?;
//! let base = sandbox.base_url(); // all three vendors on one listener
//! let creds = sandbox.credentials().tencent;
//! let meeting = sandbox.catalog().by_label(roster_sandbox::Vendor::Tencent, "seed-oneoff").cloned();
//! // … point a client at `base`, then compare with `sandbox.truth()` and `sandbox.stats()` …
//! sandbox.shutdown().await;
//! # let _ = (base, creds, meeting);
//! # Ok(())
//! # }
//! ```
//!
//! The sandbox deliberately shares no code with the client crates: signatures, tokens and
//! cursors are verified from the specs, so client and emulator check each other.
//!
//! # Endpoint keys
//!
//! Stats and fault rules name endpoints with stable keys: `tencent.participants`,
//! `tencent.meeting_detail`, `tencent.enroll_approvals`, `tencent.webinar_enroll_approvals`,
//! `tencent.invitees`, `tencent.corp_meetings`, `tencent.history_meetings`,
//! `tencent.export_participants`, `tencent.export_job`, `tencent.export_download`,
//! `tencent.sign_in_rounds`, `tencent.sign_in_records`, `tencent.realtime_participants`,
//! `tencent.waiting_room`; `wecom.gettoken`, `wecom.get_attendee_list`, `wecom.enroll_list`,
//! `wecom.enroll_query_by_tmp_openid`, `wecom.webinar_enroll_list`,
//! `wecom.webinar_enroll_query_by_tmp_openid`, `wecom.get_realtime_attendee_list`,
//! `wecom.waitingroom_get_user_list`, `wecom.get_invitees`, `wecom.get_info`,
//! `wecom.get_user_meetingid`, `wecom.user_list_id`; `quanshi.meeting_by_join_url`,
//! `quanshi.conference_infos`, `quanshi.report_v1`, `quanshi.report_v2`,
//! `quanshi.attendee_list`, `quanshi.token_create`, `quanshi.user_search_email`.
//!
//! # Module layout (and how a vendor plugs in)
//!
//! - `server`: `Sandbox`, `SandboxHandle`, the shared state (`Shared`: seed, data anchor, clock,
//!   stats, fault engine, shutdown signal) and router assembly: each vendor's router is merged
//!   into one, under a global layer that logs every raw request-target.
//! - `endpoint`: the per-endpoint middleware every vendor route goes through (`instrument`):
//!   request counting, fault injection, rejection counting, vendor decoration. A vendor supplies
//!   only a `VendorHooks` implementation (its error bodies for transient, rate-limit and given
//!   codes, token revocation, extra headers).
//! - `faults`, `clock`, `stats`, `ratelimit` (calendar-window counters), `pager` (opaque,
//!   idempotent positions and string cursors, pages), `window` (the attendee-list time window
//!   Tencent and WeCom share), `query` (raw query parsing), `catalog`, `truth`, `credentials`.
//! - `data`: the vendor-neutral meeting model (also the JSON [`Fixture`] format), generator
//!   helpers (names, phones, ids, sessions), meeting plans (seed, generated, fixture), seed
//!   builders, a served meeting's ids and schedule (`meeting`), and rendering helpers.
//! - `tencent`, `wecom`, `quanshi`: one directory per vendor. A vendor module exposes
//!   `State::new(&SandboxConfig, &Shared)`, `router(Arc<State>, &Shared) -> Router`,
//!   `State::catalog()`, `State::credentials()`, implements `VendorHooks`, and adds its
//!   ground-truth methods in an `impl GroundTruth` block. `src/tencent/` is the worked example.
//! - `push`: push mode, the Tencent and WeCom webhook events of a meeting sent to a receiver
//!   ([`SandboxHandle::pusher`]), built from the ground truth, signed and encrypted by the
//!   sandbox itself, with the vendors' acknowledgement and retry rules and injectable faults.

mod catalog;
mod clock;
mod config;
mod credentials;
pub mod data;
mod endpoint;
mod faults;
mod fixture;
mod pager;
mod push;
mod quanshi;
mod query;
mod ratelimit;
mod redact;
mod server;
mod shared;
mod stats;
mod tencent;
mod truth;
mod vendor;
mod wecom;
mod window;

pub use catalog::{Catalog, CatalogMeeting, CatalogSubMeeting};
pub use clock::{ClockConfig, SandboxClock};
pub use config::{DataConfig, SandboxConfig, Vendor};
pub use credentials::Credentials;
pub use data::{Fixture, FixtureError, MeetingKind, MeetingState};
pub use faults::{BadPage, Fault, FaultConfig, FaultController, FaultKind, Quirk, ScriptedFault};
pub use push::{
    Attempt, AttemptOutcome, PushError, PushFaults, PushKind, PushOptions, PushProgress,
    PushReport, PushTarget, Pusher, SentEvent,
};
pub use quanshi::{QuanshiConfig, QuanshiCredentials};
pub use server::{Sandbox, SandboxHandle};
pub use stats::StatsSnapshot;
pub use tencent::{TencentApp, TencentConfig, TencentCredentials};
pub use truth::GroundTruth;
pub use wecom::{WeComApp, WeComAppCredentials, WeComConfig, WeComCredentials};
