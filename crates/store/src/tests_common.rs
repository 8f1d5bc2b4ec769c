//! Checks both backends run alike (unit tests only).

use roster_core::{Attendee, MeetingSummary, Registration, Vendor};

use crate::{Store, SyncOutcome};

fn meeting(id: &str, start: i64) -> MeetingSummary {
    let mut m = MeetingSummary::new(Vendor::WeCom, id);
    m.start = time::OffsetDateTime::from_unix_timestamp(start).ok();
    m.subject = Some(format!("会议 {id}"));
    m
}

/// Three meetings at 100, 200 and 300; the range [150, 400) holds the last two, by start; the
/// registrations of one come back in their order.
pub(crate) async fn meetings_and_registrations(store: &dyn Store) {
    for (id, start) in [("m3", 300), ("m1", 100), ("m2", 200)] {
        let mut r1 = Registration::new(Vendor::WeCom, id);
        r1.user_id = Some("b".into());
        let mut r2 = Registration::new(Vendor::WeCom, id);
        r2.user_id = Some("a".into());
        let mut a = Attendee::new(Vendor::WeCom, id);
        a.user_id = Some("a".into());
        store
            .replace_meeting(
                &meeting(id, start),
                &[a],
                &[r1, r2],
                &SyncOutcome::complete(1),
            )
            .await
            .unwrap();
    }
    let found: Vec<String> = store
        .meetings_in_range(150, 400)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.meeting_id)
        .collect();
    assert_eq!(found, ["m2", "m3"]);
    let regs: Vec<Option<String>> = store
        .registrations(Vendor::WeCom, "m2", None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    assert_eq!(regs, [Some("b".to_string()), Some("a".to_string())]);
    assert!(
        store
            .registrations(Vendor::WeCom, "nope", None)
            .await
            .unwrap()
            .is_empty()
    );
}
