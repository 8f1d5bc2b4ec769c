//! Lists the participants of one meeting.
//!
//! ```text
//! ROSTER_TENCENT_APP_ID=… ROSTER_TENCENT_SECRET_ID=… ROSTER_TENCENT_SECRET_KEY=… \
//! ROSTER_TENCENT_OPERATOR_ID=owner1 [ROSTER_TENCENT_SDK_ID=…] \
//! [ROSTER_TENCENT_BASE_URL=http://127.0.0.1:8080] \
//!   cargo run -p roster-tencent-meeting --example list_participants -- <meeting_id> [sub_meeting_id]
//! ```
//!
//! Without `ROSTER_TENCENT_BASE_URL` the production host is used.

use futures::StreamExt;
use roster_core::MeetingQuery;
use roster_tencent_meeting::{ClientBuilder, TencentMeetingClientBuilder};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        // The error's Display includes the hint (what to check) when there is one.
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> roster_core::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(meeting_id) = args.next() else {
        return Err(roster_core::Error::invalid_argument(
            "usage: list_participants <meeting_id> [sub_meeting_id]",
        ));
    };
    let client = TencentMeetingClientBuilder::from_env()?.build()?;
    let mut query = MeetingQuery::new(meeting_id);
    if let Some(sub) = args.next() {
        query = query.sub_meeting(sub);
    }
    let mut sessions = client.attendees(&query).await?;
    let mut n = 0usize;
    while let Some(session) = sessions.next().await {
        let s = session?;
        n += 1;
        println!(
            "{:<24} {:<20} {:<26} {:<26} {}",
            s.display_name.as_deref().unwrap_or("-"),
            s.user_id.as_deref().or(s.temp_id.as_deref()).unwrap_or("-"),
            s.joined_at
                .map(|t| t.to_string())
                .unwrap_or_else(|| "-".into()),
            s.left_at
                .map(|t| t.to_string())
                .unwrap_or_else(|| "(still in)".into()),
            s.device.map(|d| d.to_string()).unwrap_or_default(),
        );
    }
    eprintln!("{n} join sessions");
    Ok(())
}
