//! The `roster` command-line tool, as a library: argument parsing, configuration, output
//! formats and the commands. `main.rs` only calls [`run_cli`].

pub mod args;
pub mod checkpoint;
pub mod config;
pub mod demo;
pub mod error;
pub mod listen;
pub mod output;
pub mod progress;
pub mod records;
pub mod rules;
pub mod run;
pub mod sandbox;
pub mod vendors;
pub mod xlsx;

use std::process::ExitCode;

use clap::Parser;
use roster_core::{MeetingQuery, RegistrationFilter, Vendor};
use time::{OffsetDateTime, UtcOffset};

use crate::args::{Cli, Command, Selection};
use crate::config::Settings;
use crate::error::CliError;
use crate::run::OutputPlan;

/// Parses the command line, runs the command and returns the exit status: 0 success, 1 vendor
/// or network error, 2 usage or configuration error.
pub fn run_cli() -> ExitCode {
    // The local offset must be read before any other thread exists (a Unix soundness rule of
    // the `time` crate); tables show times in it.
    let local = UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    init_tracing();
    // An export is one stream of pages: one thread reads, decodes and writes it with about a
    // third less CPU than the multi-threaded runtime, whose threads hand every page to each
    // other (futex wake-ups, idle workers spinning, caches moved between cores). The receiver,
    // sync and the sandbox serve many things at once: every core.
    let builder = match &cli.command {
        Command::Listen(_) | Command::Sync(_) | Command::Sandbox(_) | Command::Demo(_) => {
            tokio::runtime::Builder::new_multi_thread()
        }
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match { builder }.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("roster: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    // The standalone sandbox stops on Ctrl-C by design (exit 0); every other command is
    // stopped by SIGINT/SIGTERM as an interruption (130/143, partial output removed).
    let interruptible = !matches!(cli.command, Command::Sandbox(_));
    let result = if interruptible {
        runtime.block_on(until_signalled(dispatch(cli, local)))
    } else {
        runtime.block_on(dispatch(cli, local))
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::BrokenPipe) => ExitCode::SUCCESS,
        Err(CliError::Interrupted(signal)) => {
            eprintln!("roster: interrupted (an --output file is left as it was)");
            ExitCode::from(128 + signal)
        }
        Err(e) => {
            eprintln!("roster: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs `command` until it ends or SIGINT or SIGTERM arrives. On a signal the command is
/// dropped (its temporary `--output` file with it, so no partial is left behind) and the
/// result is [`CliError::Interrupted`]: exit 130 or 143, as a shell reports a signal.
async fn until_signalled(
    command: impl std::future::Future<Output = Result<(), CliError>>,
) -> Result<(), CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        // No handlers: the default actions apply, as before.
        return command.await;
    };
    tokio::select! {
        result = command => result,
        _ = interrupt.recv() => Err(CliError::Interrupted(2)),
        _ = terminate.recv() => Err(CliError::Interrupted(15)),
    }
}

/// Logs to stderr when `RUST_LOG` is set (e.g. `RUST_LOG=roster=debug`); silent otherwise.
/// `log` records (reqwest, rustls) are forwarded too; colours only on a terminal.
/// Spans and events never carry URLs, tokens or signatures.
fn init_tracing() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
            .try_init();
    }
}

async fn dispatch(cli: Cli, local: UtcOffset) -> Result<(), CliError> {
    match cli.command {
        Command::Attendees(a) => {
            let (source, query) = prepare(&a.selection, RegistrationFilter::All)?;
            let plan = OutputPlan::from_args(&a.output, local);
            run::attendees(source.as_ref(), query, &plan)
                .await
                .map(drop)
        }
        Command::Registrations(a) => {
            let (source, query) = prepare(&a.selection, a.status.into())?;
            let plan = OutputPlan::from_args(&a.output, local);
            run::registrations(source.as_ref(), query, &plan)
                .await
                .map(drop)
        }
        Command::Report(a) => {
            let plan = OutputPlan::from_args(&a.output, local);
            if let (Some(db), Some(from)) = (&a.db, a.from) {
                let to = a.to.unwrap_or_else(OffsetDateTime::now_utc);
                if from >= to {
                    return Err(CliError::Usage("--from must be before --to".into()));
                }
                let store = args::StoreArg { db: db.0.clone() }.open().await?;
                if a.has_rules() {
                    let rules = run::RulesInput {
                        expected: a.expected.clone(),
                        periods: None,
                        rules: roster_core::attendance::Rules {
                            min_minutes: a.min_minutes,
                            min_percent: a.min_percent,
                            late_after_minutes: a.late_after,
                            periods: Vec::new(),
                        },
                    };
                    return run::range_report(store.as_ref(), from, to, &rules, &plan)
                        .await
                        .map(drop);
                }
                return run::report_from_store(store.as_ref(), from, to, &plan)
                    .await
                    .map(drop);
            }
            let selection = a
                .selection()
                .ok_or_else(|| CliError::Usage("--vendor is required without --db".into()))?;
            let rules = a.has_rules().then(|| run::RulesInput {
                expected: a.expected.clone(),
                periods: a.periods.clone(),
                rules: roster_core::attendance::Rules {
                    min_minutes: a.min_minutes,
                    min_percent: a.min_percent,
                    late_after_minutes: a.late_after,
                    periods: Vec::new(),
                },
            });
            let (source, query) = prepare(&selection, RegistrationFilter::All)?;
            run::report(
                source.as_ref(),
                query,
                &plan,
                OffsetDateTime::now_utc(),
                rules.as_ref(),
            )
            .await
            .map(drop)
        }
        Command::Meetings(a) => {
            let vendor: Vendor = a.vendor.into();
            let settings = settings(vendor, a.base_url.as_deref(), &a.config, &a.profile)?;
            let directory = vendors::client(vendor, &settings, &vendors::Shared::default())?;
            let to = a.to.unwrap_or_else(OffsetDateTime::now_utc);
            let query = roster_core::DiscoveryQuery::between(a.from, to)
                .map_err(|e| CliError::Usage(e.message().to_string()))?
                .states(a.state.iter().map(|s| (*s).into()));
            let plan = OutputPlan::from_args(&a.output, local);
            run::meetings(
                directory.as_ref() as &dyn roster_core::MeetingDirectory,
                query,
                &plan,
            )
            .await
            .map(drop)
        }
        Command::Sync(a) => {
            let now = OffsetDateTime::now_utc();
            let to = a.to.unwrap_or(now);
            let store = a.store.open().await?;
            // On PostgreSQL every worker shares the tokens (one fetch for all of them) and the
            // rate budgets (all of them together within each vendor app's).
            let shared = if roster_store::is_postgres_url(&a.store.db) {
                let in_store =
                    |e: roster_store::StoreError| CliError::Io(format!("{}: {e}", a.store.shown()));
                vendors::Shared {
                    tokens: Some(std::sync::Arc::new(
                        roster_store::PgTokenStore::connect(&a.store.db)
                            .await
                            .map_err(in_store)?,
                    )),
                    budget: Some(std::sync::Arc::new(
                        roster_store::PgRateBudgets::connect(&a.store.db)
                            .await
                            .map_err(in_store)?,
                    )),
                }
            } else {
                vendors::Shared::default()
            };
            // Each vendor with its own client (and rate budget), all at the same time; one
            // that cannot start (no credentials) is reported and does not stop the others.
            let bars = progress::SyncBars::new(a.quiet);
            let runs = a.vendor.vendors().into_iter().map(|vendor| {
                let store = store.as_ref();
                let a = &a;
                let bars = &bars;
                let shared = &shared;
                async move {
                    let settings = settings(vendor, a.base_url.as_deref(), &a.config, &a.profile)?;
                    let client = vendors::client(vendor, &settings, shared)?;
                    let progress = bars.vendor(vendor, client.retrier().stats().clone());
                    let summary =
                        run::sync(client.as_ref(), store, a.from, to, now, a.quiet, &progress)
                            .await?;
                    eprintln!("roster: {vendor}: {}", summary.line());
                    Ok(summary)
                }
            });
            let mut results = futures::future::join_all(runs).await;
            // The command line itself is wrong for every vendor (no --from and no earlier
            // sync): a usage error, exit 2.
            if results.iter().all(|r| matches!(r, Err(CliError::Usage(_))))
                && let Some(Err(e)) = results.pop()
            {
                return Err(e);
            }
            let mut failed = Vec::new();
            for (vendor, result) in a.vendor.vendors().into_iter().zip(results) {
                match result {
                    Ok(summary) if summary.failed == 0 => {}
                    Ok(summary) => failed.push(format!(
                        "{vendor}: {} of {} meetings failed",
                        summary.failed, summary.found
                    )),
                    Err(e) => {
                        eprintln!("roster: {vendor}: {e}");
                        failed.push(format!("{vendor}: could not sync"));
                    }
                }
            }
            if failed.is_empty() {
                return Ok(());
            }
            Err(CliError::Io(format!(
                "{} (the errors are in the store's sync state)",
                failed.join("; ")
            )))
        }
        Command::Listen(a) => {
            let profiles: Vec<Option<&str>> = if a.profile.is_empty() {
                vec![None]
            } else {
                a.profile.iter().map(|p| Some(p.as_str())).collect()
            };
            let mut apps = Vec::new();
            let mut clients = std::collections::HashMap::new();
            for profile in profiles {
                let settings = Settings::load(
                    Vec::new(),
                    |k| std::env::var(k).ok(),
                    a.config.as_deref(),
                    profile,
                )?;
                let app = listen::App::from_lookup(profile.unwrap_or(listen::DEFAULT_APP), |k| {
                    settings.lookup(k)
                })?;
                if !a.no_reconcile {
                    for vendor in app.vendors() {
                        match vendors::client(vendor, &settings, &vendors::Shared::default()) {
                            Ok(client) => {
                                clients.insert((vendor, app.name.clone()), client);
                            }
                            Err(e) => eprintln!(
                                "roster listen: {vendor} meetings of {:?} will not be reconciled with their pulled lists: {e}",
                                app.name
                            ),
                        }
                    }
                }
                apps.push(app);
            }
            let store: std::sync::Arc<dyn roster_store::Store> = a.store.open().await?.into();
            // An acknowledged delivery is never sent again: it must survive a power cut too.
            store
                .make_durable()
                .await
                .map_err(|e| CliError::Io(format!("{}: {e}", a.store.shown())))?;
            let options = listen::Options {
                tls: match (&a.tls_cert, &a.tls_key) {
                    (Some(cert), Some(key)) => Some(listen::tls::config(cert, key)?),
                    _ => None,
                },
                ..listen::Options::default()
            };
            let reconciler = (!a.no_reconcile).then(|| {
                listen::reconcile::Reconciler::new(
                    store.clone(),
                    clients,
                    listen::reconcile::Timing {
                        quiet: std::time::Duration::from_secs(a.quiet_after),
                        settle: std::time::Duration::from_secs(a.settle_after),
                    },
                    options.clock.clone(),
                )
            });
            listen::run(a.listen, apps, store, reconciler, options).await
        }
        Command::Live(a) if a.vendor.is_some() => {
            let (Some(vendor), Some(meeting)) = (a.vendor, a.meeting.clone()) else {
                return Err(CliError::Usage("--vendor needs --meeting".into()));
            };
            let meeting = args::MeetingRef {
                vendor,
                meeting,
                base_url: a.base_url.clone(),
                profile: a.profile.clone(),
                config: a.config.clone(),
            };
            let selection = meeting.selection(a.sub_meeting.clone());
            let (source, query) = prepare(&selection, RegistrationFilter::All)?;
            let plan = OutputPlan::from_args(&a.output, local);
            run::live_from_vendor(source.as_ref(), query, &plan)
                .await
                .map(drop)
        }
        Command::WaitingRoom(a) => {
            let (source, query) = prepare(&a.meeting.selection(None), RegistrationFilter::All)?;
            let plan = OutputPlan::from_args(&a.output, local);
            run::waiting_room(source.as_ref(), query, &plan)
                .await
                .map(drop)
        }
        Command::SignIns(a) => {
            let (source, query) = prepare(&a.meeting.selection(None), RegistrationFilter::All)?;
            let plan = OutputPlan::from_args(&a.output, local);
            run::sign_ins(source.as_ref(), query, &plan).await.map(drop)
        }
        Command::ExportJob(a) => {
            let vendor = Vendor::TencentMeeting;
            let settings = settings(vendor, a.base_url.as_deref(), &a.config, &a.profile)?;
            let client = vendors::tencent(&settings)?;
            let plan = OutputPlan::from_args(&a.output, local);
            run::export_job(&client, &a, &plan).await.map(drop)
        }
        Command::Live(a) => {
            let store = a.store.open().await?;
            let plan = OutputPlan::from_args(&a.output, local);
            run::live(store.as_ref(), a.meeting.as_deref(), a.seen, &plan)
                .await
                .map(drop)
        }
        Command::Demo(a) => demo::run(a.seed, local).await,
        Command::Sandbox(a) => sandbox::run(&a).await,
    }
}

/// The settings of `vendor` from flags (`--base-url`), environment and profile.
fn settings(
    vendor: Vendor,
    base_url: Option<&str>,
    config: &Option<std::path::PathBuf>,
    profile: &Option<String>,
) -> Result<Settings, CliError> {
    if base_url.is_some_and(|url| url.trim().is_empty()) {
        return Err(CliError::Usage(
            "--base-url is empty: give http(s)://host[:port][/prefix]".into(),
        ));
    }
    let flags = base_url.iter().map(|url| {
        (
            vendors::base_url_variable(vendor).to_string(),
            url.to_string(),
        )
    });
    Settings::load(
        flags.collect::<Vec<_>>(),
        |name| std::env::var(name).ok(),
        config.as_deref(),
        profile.as_deref(),
    )
}

/// Resolves settings, builds the client and the query of the selection flags.
fn prepare(
    selection: &Selection,
    status: RegistrationFilter,
) -> Result<(Box<dyn roster_core::AttendeeSource>, MeetingQuery), CliError> {
    let vendor: Vendor = selection.vendor.into();
    if selection.join_url.is_some() && vendor != Vendor::Quanshi {
        return Err(CliError::Usage(
            "--join-url selects Quanshi meetings only; use --meeting for this vendor".into(),
        ));
    }
    if let (Some(from), Some(to)) = (selection.from, selection.to)
        && to < from
    {
        return Err(CliError::Usage(format!(
            "--to ({to}) is before --from ({from})"
        )));
    }
    let settings = settings(
        vendor,
        selection.base_url.as_deref(),
        &selection.config,
        &selection.profile,
    )?;
    let source = vendors::source(vendor, &settings)?;
    let mut query = MeetingQuery::new(selection.meeting.clone().unwrap_or_default()).status(status);
    if let Some(sub) = &selection.sub_meeting {
        query = query.sub_meeting(sub.clone());
    }
    if let Some(from) = selection.from {
        query = query.from(from);
    }
    if let Some(to) = selection.to {
        query = query.to(to);
    }
    if let Some(url) = &selection.join_url {
        query = query.join_url(url.clone());
    }
    Ok((source, query))
}
