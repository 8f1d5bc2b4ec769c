//! Exports a Quanshi meeting's join sessions (v2 report) and invitees as JSON lines.
//!
//! ```text
//! ROSTER_QUANSHI_APP_ID=… ROSTER_QUANSHI_SECRET_KEY=… ROSTER_QUANSHI_USER_ID=… \
//! ROSTER_QUANSHI_BASE_URL=http://127.0.0.1:8080 ROSTER_QUANSHI_EVENTS_BASE_URL=http://127.0.0.1:8080 \
//!   cargo run -p roster-quanshi --example export -- <eventId | attendee join link>
//! ```
//!
//! Credentials: `ROSTER_QUANSHI_APP_ID`, `ROSTER_QUANSHI_SECRET_KEY` and `ROSTER_QUANSHI_USER_ID`
//! (the administrator, for `token/create`), or a fixed `ROSTER_QUANSHI_TOKEN`. Optional:
//! `ROSTER_QUANSHI_BASE_URL`, `ROSTER_QUANSHI_EVENTS_BASE_URL` (default: the production hosts),
//! `ROSTER_QUANSHI_JOIN_URL_PATH` (needed to look meetings up by join link; Quanshi does not
//! document it), `ROSTER_QUANSHI_HOST_USER_ID` (needed for invitees by eventId).

use std::process::ExitCode;

use futures::TryStreamExt;
use roster_core::{AttendeeSource, ErrorKind, MeetingQuery};
use roster_quanshi::{ClientBuilder, QuanshiClientBuilder};

#[tokio::main]
async fn main() -> ExitCode {
    let Some(target) = std::env::args().nth(1) else {
        eprintln!("usage: export <eventId | attendee join link>");
        return ExitCode::from(2);
    };
    let config = match QuanshiClientBuilder::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(config, &target).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(config: QuanshiClientBuilder, target: &str) -> roster_core::Result<()> {
    let client = config.build()?;
    let query = if target.contains("://") {
        MeetingQuery::new("").join_url(target)
    } else {
        MeetingQuery::new(target)
    };
    let mut sessions = client.attendees(&query).await?;
    while let Some(a) = sessions.try_next().await? {
        println!("{}", serde_json::json!({"type": "attendee", "record": a}));
    }
    match client.registrations(&query).await {
        Ok(mut regs) => {
            while let Some(r) = regs.try_next().await? {
                println!(
                    "{}",
                    serde_json::json!({"type": "registration", "record": r})
                );
            }
        }
        // Invitees need a join link or the host user id: say so and keep the sessions.
        Err(e) if e.kind() == ErrorKind::Config => eprintln!("invitees skipped: {e}"),
        Err(e) => return Err(e),
    }
    Ok(())
}
