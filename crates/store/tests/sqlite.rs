//! The SQLite store: schema on open, idempotent whole-meeting replacement, people keys, sync
//! state, and a store from a newer roster refused.

use roster_core::{Attendee, MeetingState, MeetingSummary, Registration, Vendor};
use roster_store::{SqliteStore, StoreErrorKind, SyncOutcome, person_key};
use time::OffsetDateTime;

fn meeting(id: &str) -> MeetingSummary {
    let mut m = MeetingSummary::new(Vendor::TencentMeeting, id);
    m.subject = Some("周会".into());
    m.start = OffsetDateTime::from_unix_timestamp(1_760_000_000).ok();
    m.state = Some(MeetingState::Ended);
    m.extra.insert("meeting_type".into(), 0.into());
    m
}

fn session(meeting: &str, who: &str, joined: i64) -> Attendee {
    let mut a = Attendee::new(Vendor::TencentMeeting, meeting);
    a.user_id = Some(who.into());
    a.display_name = Some(format!("名字 {who}"));
    a.joined_at = OffsetDateTime::from_unix_timestamp(joined).ok();
    a.left_at = OffsetDateTime::from_unix_timestamp(joined + 600).ok();
    a.extra
        .insert("unknown_field".into(), serde_json::json!({"kept": true}));
    a
}

#[test]
fn the_same_export_twice_changes_nothing_and_a_new_one_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = SqliteStore::open(&path).unwrap();
    let sessions = vec![
        session("m1", "u1", 1_760_000_000),
        session("m1", "u2", 1_760_000_100),
        session("m1", "u1", 1_760_003_000),
    ];
    let mut reg = Registration::new(Vendor::TencentMeeting, "m1");
    reg.user_id = Some("u3".into());
    let outcome = SyncOutcome::complete(1_760_100_000);
    assert!(
        store
            .replace_meeting(&meeting("m1"), &sessions, &[reg.clone()], &outcome)
            .unwrap()
    );
    let first = store.counts().unwrap();
    assert_eq!(
        (
            first.meetings,
            first.sessions,
            first.registrations,
            first.people
        ),
        (1, 3, 1, 3)
    );
    assert!(
        !store
            .replace_meeting(&meeting("m1"), &sessions, &[reg.clone()], &outcome)
            .unwrap(),
        "the same export again changes nothing"
    );
    assert_eq!(store.counts().unwrap(), first);
    assert_eq!(
        store.sessions(Vendor::TencentMeeting, "m1", None).unwrap(),
        sessions
    );

    // A shorter export replaces the meeting whole (no stale session is left).
    assert!(
        store
            .replace_meeting(&meeting("m1"), &sessions[..1], &[], &outcome)
            .unwrap()
    );
    let after = store.counts().unwrap();
    assert_eq!((after.sessions, after.registrations), (1, 0));
    drop(store);

    // Reopened: the data and the schema are there (also through the URL dispatch).
    let url = format!("sqlite:{}", path.display());
    let any = futures_lite_block(roster_store::open(&url)).unwrap();
    assert_eq!(futures_lite_block(any.counts()).unwrap().sessions, 1);
    drop(any);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.sessions(Vendor::TencentMeeting, "m1", None).unwrap(),
        sessions[..1]
    );
    assert_eq!(
        store
            .sync_state(Vendor::TencentMeeting, "m1", None)
            .unwrap(),
        Some(outcome)
    );
}

#[test]
fn occurrences_are_separate_meetings() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut a = meeting("r1");
    a.sub_meeting_id = Some("1700000000".into());
    let mut b = meeting("r1");
    b.sub_meeting_id = Some("1700604800".into());
    let outcome = SyncOutcome::complete(1);
    store
        .replace_meeting(&a, &[session("r1", "u1", 10)], &[], &outcome)
        .unwrap();
    store
        .replace_meeting(
            &b,
            &[session("r1", "u1", 20), session("r1", "u2", 30)],
            &[],
            &outcome,
        )
        .unwrap();
    assert_eq!(store.counts().unwrap().meetings, 2);
    assert_eq!(
        store
            .sessions(Vendor::TencentMeeting, "r1", Some("1700000000"))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .sessions(Vendor::TencentMeeting, "r1", Some("1700604800"))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store.counts().unwrap().people,
        2,
        "u1 is one person across occurrences"
    );
}

#[test]
fn temporary_ids_are_never_merged_across_meetings() {
    let in_m1 = person_key(Vendor::WeCom, "m1", None, None, None, Some("tmp-1"));
    let in_m2 = person_key(Vendor::WeCom, "m2", None, None, None, Some("tmp-1"));
    assert_ne!(in_m1, in_m2);
    assert_eq!(
        person_key(
            Vendor::WeCom,
            "m1",
            Some("zhangsan"),
            Some("138"),
            None,
            Some("tmp-1")
        ),
        person_key(
            Vendor::WeCom,
            "m2",
            Some(" zhangsan "),
            None,
            None,
            Some("tmp-9")
        ),
        "the enterprise user id first"
    );
    assert_eq!(
        person_key(Vendor::WeCom, "m1", None, None, Some("A@B.example"), None),
        person_key(
            Vendor::TencentMeeting,
            "m9",
            None,
            None,
            Some("a@b.example"),
            None
        )
    );
}

#[test]
fn a_store_from_a_newer_roster_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (99, 'future', '2030-01-01T00:00:00Z', '0')",
        [],
    )
    .unwrap();
    drop(conn);
    let e = SqliteStore::open(&path).unwrap_err();
    assert_eq!(e.kind(), StoreErrorKind::NewerSchema);
    assert!(e.to_string().contains("99"), "{e}");
}

#[test]
fn a_write_that_fails_half_way_leaves_the_old_meeting_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = SqliteStore::open(&path).unwrap();
    let old = vec![session("m1", "u1", 100), session("m1", "u2", 200)];
    store
        .replace_meeting(&meeting("m1"), &old, &[], &SyncOutcome::complete(1))
        .unwrap();
    // The database refuses the third session of the next write (a disk error, a crash).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON sessions WHEN NEW.seq = 2
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    )
    .unwrap();
    drop(conn);
    let new = vec![
        session("m1", "u3", 300),
        session("m1", "u4", 400),
        session("m1", "u5", 500),
    ];
    let e = store
        .replace_meeting(&meeting("m1"), &new, &[], &SyncOutcome::complete(2))
        .unwrap_err();
    assert_eq!(e.kind(), StoreErrorKind::Database);
    assert_eq!(
        store.sessions(Vendor::TencentMeeting, "m1", None).unwrap(),
        old
    );
    assert_eq!(
        store
            .sync_state(Vendor::TencentMeeting, "m1", None)
            .unwrap()
            .unwrap()
            .synced_unix,
        1,
        "the sync state is the old one too"
    );
}

/// Runs a future to its end on a fresh runtime (these tests are otherwise synchronous).
fn futures_lite_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn person_totals_merge_overlaps_across_the_meetings_of_the_range() {
    use roster_store::Store;
    let store = SqliteStore::open_in_memory().unwrap();
    let at = |t: i64| OffsetDateTime::from_unix_timestamp(t).ok();
    let span = |m: &str, who: &str, joined: i64, left: i64| {
        let mut a = session(m, who, joined);
        a.left_at = at(left);
        a
    };
    let mut m2 = meeting("m2");
    m2.start = at(1_760_050_000);
    let mut outside = meeting("m3");
    outside.start = at(1_800_000_000);
    let outcome = SyncOutcome::complete(1);
    store
        .replace_meeting(
            &meeting("m1"),
            &[
                span("m1", "u1", 100, 700),
                span("m1", "u1", 400, 1000),
                span("m1", "u2", 100, 160),
            ],
            &[],
            &outcome,
        )
        .unwrap();
    store
        .replace_meeting(&m2, &[span("m2", "u1", 2000, 2600)], &[], &outcome)
        .unwrap();
    store
        .replace_meeting(&outside, &[span("m3", "u1", 5000, 9000)], &[], &outcome)
        .unwrap();
    let totals = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(Store::person_totals(&store, 1_759_000_000, 1_761_000_000))
        .unwrap();
    assert_eq!(totals.len(), 2);
    let u1 = totals
        .iter()
        .find(|t| t.person == "user:tencent_meeting:u1")
        .unwrap();
    assert_eq!(
        (u1.meetings, u1.minutes),
        (2, 25),
        "900 s + 600 s, the overlap once"
    );
    assert_eq!(u1.first_joined, at(100));
    assert_eq!(u1.last_left, at(2600));
    assert_eq!(u1.display_name.as_deref(), Some("名字 u1"));
    let u2 = totals
        .iter()
        .find(|t| t.person == "user:tencent_meeting:u2")
        .unwrap();
    assert_eq!((u2.meetings, u2.minutes), (1, 1));
}

#[test]
fn a_failed_sync_keeps_the_data_and_the_next_sync_knows_where_to_take_up() {
    use roster_store::Store;
    let store = SqliteStore::open_in_memory().unwrap();
    let sessions = vec![session("m1", "u1", 100)];
    store
        .replace_meeting(&meeting("m1"), &sessions, &[], &SyncOutcome::complete(1))
        .unwrap();
    store
        .replace_meeting(&meeting("m2"), &[], &[], &SyncOutcome::complete(1))
        .unwrap();
    let mut failed = SyncOutcome::complete(2);
    failed.complete = false;
    failed.error = Some("vendor said no".into());
    // The stored row stays as it was: a failure's summary does not overwrite it.
    let mut renamed = meeting("m1");
    renamed.subject = Some("renamed".into());
    store.record_failure(&renamed, &failed).unwrap();
    // A meeting that fails on its first sync gets its row (no sessions), so it is found again.
    store.record_failure(&meeting("m3"), &failed).unwrap();
    assert_eq!(
        store
            .sync_state(Vendor::TencentMeeting, "m1", None)
            .unwrap(),
        Some(failed)
    );
    assert_eq!(
        store.sessions(Vendor::TencentMeeting, "m1", None).unwrap(),
        sessions
    );
    let (tencent, wecom, again) = futures_lite_block(async {
        store
            .record_run(Vendor::TencentMeeting, 100, 500, 600)
            .await
            .unwrap();
        store
            .record_run(Vendor::TencentMeeting, 400, 900, 950)
            .await
            .unwrap();
        (
            store.last_run_end(Vendor::TencentMeeting).await.unwrap(),
            store.last_run_end(Vendor::WeCom).await.unwrap(),
            store
                .incomplete_meetings(Vendor::TencentMeeting)
                .await
                .unwrap(),
        )
    });
    assert_eq!((tencent, wecom), (Some(900), None));
    let ids: Vec<&str> = again.iter().map(|m| m.meeting_id.as_str()).collect();
    assert_eq!(ids, ["m1", "m3"], "m2 was complete");
    assert_eq!(again[0].subject.as_deref(), Some("周会"));
    assert_eq!(again[0].state, Some(MeetingState::Ended));
    assert_eq!(
        again[1],
        meeting("m3"),
        "the first failure's summary, whole"
    );
    assert!(
        store
            .sessions(Vendor::TencentMeeting, "m3", None)
            .unwrap()
            .is_empty()
    );
}
