//! The PostgreSQL store against a real, throwaway server (`initdb`/`pg_ctl` from PATH): the
//! same contract as SQLite — schema on open, whole-meeting replacement, idempotence, a newer
//! schema refused — and a server that goes away ends a write with an error, not half a meeting.

use roster_core::{Attendee, MeetingState, MeetingSummary, Registration, Vendor};
use roster_store::{PgStore, Store, StoreErrorKind, SyncOutcome};
use roster_testkit::postgres::Cluster;
use time::OffsetDateTime;

fn meeting(id: &str) -> MeetingSummary {
    let mut m = MeetingSummary::new(Vendor::WeCom, id);
    m.subject = Some("周会".into());
    m.start = OffsetDateTime::from_unix_timestamp(1_760_000_000).ok();
    m.state = Some(MeetingState::Ended);
    m
}

fn session(meeting: &str, who: &str, joined: i64) -> Attendee {
    let mut a = Attendee::new(Vendor::WeCom, meeting);
    a.temp_id = Some(format!("tmp-{who}"));
    a.display_name = Some(format!("名字 {who}"));
    a.joined_at = OffsetDateTime::from_unix_timestamp(joined).ok();
    a.extra.insert("kept".into(), true.into());
    a
}

#[tokio::test]
async fn the_postgres_store_keeps_the_same_contract() {
    let cluster = Cluster::start().expect("a throwaway PostgreSQL cluster");
    let store = PgStore::connect(&cluster.url()).await.unwrap();
    let sessions = vec![session("m1", "a", 100), session("m1", "b", 200)];
    let mut reg = Registration::new(Vendor::WeCom, "m1");
    reg.email = Some("a@example.com".into());
    let outcome = SyncOutcome::complete(1_760_100_000);
    assert!(
        store
            .replace_meeting(&meeting("m1"), &sessions, &[reg.clone()], &outcome)
            .await
            .unwrap()
    );
    let counts = store.counts().await.unwrap();
    assert_eq!(
        (
            counts.meetings,
            counts.sessions,
            counts.registrations,
            counts.people
        ),
        (1, 2, 1, 3)
    );
    assert!(
        !store
            .replace_meeting(&meeting("m1"), &sessions, &[reg], &outcome)
            .await
            .unwrap(),
        "the same export again changes nothing"
    );
    assert_eq!(store.counts().await.unwrap(), counts);
    assert_eq!(
        store.sessions(Vendor::WeCom, "m1", None).await.unwrap(),
        sessions
    );
    assert!(
        store
            .replace_meeting(&meeting("m1"), &sessions[..1], &[], &outcome)
            .await
            .unwrap()
    );
    assert_eq!(store.counts().await.unwrap().sessions, 1);
    assert_eq!(
        store.sync_state(Vendor::WeCom, "m1", None).await.unwrap(),
        Some(outcome)
    );
    // A failed sync keeps the data; the next sync finds it, and where the last run ended.
    let mut failed = SyncOutcome::complete(1_760_200_000);
    failed.complete = false;
    failed.error = Some("vendor said no".into());
    store.record_failure(&meeting("m1"), &failed).await.unwrap();
    assert_eq!(
        store.sync_state(Vendor::WeCom, "m1", None).await.unwrap(),
        Some(failed.clone())
    );
    assert_eq!(store.counts().await.unwrap().sessions, 1, "the data stays");
    store.record_run(Vendor::WeCom, 10, 20, 30).await.unwrap();
    assert_eq!(store.last_run_end(Vendor::WeCom).await.unwrap(), Some(20));
    // A meeting failing on its first sync is stored as a row to sync again, without data.
    store.record_failure(&meeting("m9"), &failed).await.unwrap();
    let again = store.incomplete_meetings(Vendor::WeCom).await.unwrap();
    let ids: Vec<&str> = again.iter().map(|m| m.meeting_id.as_str()).collect();
    assert_eq!(ids, ["m1", "m9"]);
    assert_eq!(again[1], meeting("m9"));
    assert_eq!(store.counts().await.unwrap().sessions, 1);
    // Totals over the range.
    let totals = store.person_totals(0, 2_000_000_000).await.unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!(totals[0].meetings, 1);
    drop(store);

    // Reopened through the URL dispatch (migrations already applied), then a newer schema is
    // refused.
    let store = roster_store::open(&cluster.url()).await.unwrap();
    assert_eq!(store.counts().await.unwrap().meetings, 2);
    drop(store);
    let (client, connection) = tokio_postgres::connect(&cluster.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (99, 'future', '2030', '0')",
            &[],
        )
        .await
        .unwrap();
    let e = PgStore::connect(&cluster.url()).await.unwrap_err();
    assert_eq!(e.kind(), StoreErrorKind::NewerSchema);
    client
        .execute(
            "DELETE FROM refinery_schema_history WHERE version = 99",
            &[],
        )
        .await
        .unwrap();

    // The server goes away: the write fails, and nothing of it is there once it is back.
    let store = PgStore::connect(&cluster.url()).await.unwrap();
    cluster.stop();
    let many: Vec<_> = (0..50).map(|i| session("m2", &i.to_string(), i)).collect();
    let e = store
        .replace_meeting(&meeting("m2"), &many, &[], &SyncOutcome::complete(2))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), StoreErrorKind::Database, "{e}");
    cluster.start_again().unwrap();
    let store = PgStore::connect(&cluster.url()).await.unwrap();
    assert!(
        store
            .sessions(Vendor::WeCom, "m2", None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.counts().await.unwrap().meetings,
        2,
        "m1 and m9, not m2"
    );
}
