//! Builds a vendor client from the settings and hands it out as a `dyn AttendeeSource`.
//!
//! Each vendor crate knows its own `ROSTER_*` variables ([`ClientBuilder::from_lookup`]) and
//! names the missing one in its error; the CLI only supplies values from flags, the
//! environment and the profile.

use std::sync::Arc;

use roster_core::{
    AttendeeSource, ClientBuilder, Error, ListClient, MeetingDirectory, SharedBudget, TokenStore,
    Vendor,
};

use crate::config::Settings;
use crate::error::{CliError, is_local_usage_error};

/// The base-URL variable of each vendor (the target of `--base-url`).
pub fn base_url_variable(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::WeCom => roster_wecom::config::ENV_BASE_URL,
        Vendor::TencentMeeting => roster_tencent_meeting::config::env::BASE_URL,
        Vendor::Quanshi => roster_quanshi::config::ENV_BASE_URL,
    }
}

/// The client for `vendor`, configured from `settings`.
pub fn source(vendor: Vendor, settings: &Settings) -> Result<Box<dyn AttendeeSource>, CliError> {
    let built = match vendor {
        Vendor::WeCom => build::<roster_wecom::WeComClientBuilder>(settings),
        Vendor::TencentMeeting => {
            build::<roster_tencent_meeting::TencentMeetingClientBuilder>(settings)
        }
        Vendor::Quanshi => build::<roster_quanshi::QuanshiClientBuilder>(settings),
    };
    built.map_err(|e| configuration_error(e, settings))
}

/// The Tencent Meeting client itself, for what only Tencent has (the participants export).
pub fn tencent(
    settings: &Settings,
) -> Result<roster_tencent_meeting::TencentMeetingClient, CliError> {
    built::<roster_tencent_meeting::TencentMeetingClientBuilder>(settings)
        .map_err(|e| configuration_error(e, settings))
}

/// A vendor client as everything the CLI uses of it: its attendance, its meetings and its
/// retrier (whose counters the sync progress shows).
pub trait VendorClient: AttendeeSource + MeetingDirectory + ListClient {}

impl<T: AttendeeSource + MeetingDirectory + ListClient> VendorClient for T {}

/// What several processes share through one store: the tokens and the rate budgets.
#[derive(Clone, Default)]
pub struct Shared {
    /// Access tokens (one fetch for every process).
    pub tokens: Option<Arc<dyn TokenStore>>,
    /// Client-side rate budgets (N processes together within the app's budget).
    pub budget: Option<Arc<dyn SharedBudget>>,
}

/// The client of `vendor` for discovery and sync, configured from `settings`; its tokens and
/// rate budget shared with other processes when `shared` has them, else its own.
pub fn client(
    vendor: Vendor,
    settings: &Settings,
    shared: &Shared,
) -> Result<Box<dyn VendorClient>, CliError> {
    let built = match vendor {
        Vendor::TencentMeeting => {
            build_client::<roster_tencent_meeting::TencentMeetingClientBuilder>(settings, shared)
        }
        Vendor::WeCom => build_client::<roster_wecom::WeComClientBuilder>(settings, shared),
        Vendor::Quanshi => build_client::<roster_quanshi::QuanshiClientBuilder>(settings, shared),
    };
    built.map_err(|e| configuration_error(e, settings))
}

fn build_client<B>(settings: &Settings, shared: &Shared) -> Result<Box<dyn VendorClient>, Error>
where
    B: ClientBuilder,
    B::Client: VendorClient + 'static,
{
    let mut builder = B::from_lookup(|name| settings.lookup(name))?;
    if let Some(tokens) = &shared.tokens {
        builder = builder.token_store(tokens.clone());
    }
    if let Some(budget) = &shared.budget {
        builder = builder.shared_budget(budget.clone());
    }
    Ok(Box::new(builder.build()?))
}

/// One pattern for every vendor: its builder from the settings, then the client.
fn build<B>(settings: &Settings) -> Result<Box<dyn AttendeeSource>, Error>
where
    B: ClientBuilder,
    B::Client: AttendeeSource + 'static,
{
    Ok(Box::new(built::<B>(settings)?))
}

/// A vendor's client, its builder read from the settings.
fn built<B: ClientBuilder>(settings: &Settings) -> Result<B::Client, Error> {
    B::from_lookup(|name| settings.lookup(name))?.build()
}

/// A client-side configuration problem is a usage error of the CLI (exit 2), reported with
/// where settings may come from.
fn configuration_error(e: Error, settings: &Settings) -> CliError {
    if is_local_usage_error(&e) {
        let mut text = e.message().to_string();
        if let Some(hint) = e.hint() {
            text.push_str("; ");
            text.push_str(hint);
        }
        // A value that came from the profile file is named where it is written there.
        for place in settings.file_sources_in(&text) {
            text.push_str("; ");
            text.push_str(&place);
        }
        CliError::Config(format!("{text} ({})", settings.where_hint()))
    } else {
        CliError::Vendor(e)
    }
}
