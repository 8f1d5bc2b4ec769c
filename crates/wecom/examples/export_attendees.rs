//! Exports one meeting's join sessions and enrollments as JSON lines.
//!
//! ```text
//! ROSTER_WECOM_CORP_ID=ww… ROSTER_WECOM_CORP_SECRET=… \
//! ROSTER_WECOM_BASE_URL=http://127.0.0.1:8080 \
//!     cargo run -p roster-wecom --example export_attendees -- <meetingid> [sub_meetingid]
//! ```
//!
//! `ROSTER_WECOM_BASE_URL` is optional (default: the production host). Point it at
//! `roster sandbox` to try the example without a WeCom account.

use futures::TryStreamExt;
use roster_core::{AttendeeSource, MeetingQuery};
use roster_wecom::{ClientBuilder, WeComClientBuilder};

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let meeting_id = args
        .next()
        .ok_or("usage: export_attendees <meetingid> [sub_meetingid]")?;
    // Names the missing variable (ROSTER_WECOM_CORP_ID, ROSTER_WECOM_CORP_SECRET).
    let config = WeComClientBuilder::from_env().map_err(|e| e.to_string())?;
    let client = config.build().map_err(|e| e.to_string())?;

    let mut query = MeetingQuery::new(meeting_id);
    if let Some(sub) = args.next() {
        query = query.sub_meeting(sub);
    }

    // An error's Display names the vendor code, message, request id and, for well-known
    // codes, a hint (what to check).
    let show = |e: roster_core::Error| e.to_string();

    let mut sessions = client.attendees(&query).await.map_err(show)?;
    let mut count = 0usize;
    while let Some(attendee) = sessions.try_next().await.map_err(show)? {
        println!(
            "{}",
            serde_json::to_string(&attendee).map_err(|e| e.to_string())?
        );
        count += 1;
    }

    let registrations: Vec<_> = match client.registrations(&query).await {
        Ok(stream) => stream.try_collect().await.map_err(show)?,
        Err(e) => return Err(show(e)),
    };
    for r in &registrations {
        println!("{}", serde_json::to_string(r).map_err(|e| e.to_string())?);
    }
    eprintln!("{count} join sessions, {} enrollments", registrations.len());
    Ok(())
}
