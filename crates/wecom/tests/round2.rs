//! Round-two endpoints against the sandbox (docs/specs/wecom.md §12): webinar enrollment
//! (§12.1–§12.2), real-time attendees (§12.3), the waiting room (§12.4) and invitees (§12.5),
//! each full list compared with the sandbox's ground truth. Manual clocks throughout: the
//! sandbox anchors its seed meetings at its clock, so "in progress" never depends on the wall
//! clock.

mod common;

use std::sync::Arc;

use common::*;
use futures::{StreamExt, TryStreamExt};
use roster_core::{
    Attendee, AttendeeSource, ErrorKind, MeetingQuery, RegistrationFilter, RegistrationStatus,
    WaitingRoomEntry,
};
use roster_wecom::{EnrollFamily, SortingRules};
use serde_json::Value;

/// Notes a client made for the caller.
#[derive(Default)]
struct Notes(std::sync::Mutex<Vec<String>>);

impl roster_core::PageObserver for Notes {
    fn on_page(&self, _: usize, _: Option<u64>) {}
    fn on_note(&self, note: &str) {
        self.0.lock().unwrap().push(note.to_string());
    }
}

impl Notes {
    fn any(&self, text: &str) -> bool {
        self.0.lock().unwrap().iter().any(|n| n.contains(text))
    }
}

/// A truth value as text (the sandbox may send ids as numbers, as the vendor's examples do).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A truth time as an integer (strings of digits or numbers).
fn int(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

#[tokio::test]
async fn webinar_enrollments_come_from_the_webinar_endpoints() {
    let sb = manual_sandbox(|_| {}).await;
    let client = client(&sb);
    let webinar = meeting(&sb, "seed-webinar");
    let oneoff = meeting(&sb, "seed-oneoff");

    // The family is read from get_info's meeting_type, never probed.
    assert_eq!(
        client.enroll_family(&webinar.id).await.unwrap(),
        EnrollFamily::Webinar
    );
    assert_eq!(
        client.enroll_family(&oneoff.id).await.unwrap(),
        EnrollFamily::Meeting
    );

    let before_info = sb.stats().requests_to("wecom.get_info");
    let regs = collect(
        client
            .registrations(&MeetingQuery::new(&webinar.id))
            .await
            .unwrap(),
    )
    .await;
    let truth = sb.truth().wecom_webinar_enrollments(&webinar.id, None);
    assert_eq!(truth.len(), 120);
    assert_eq!(
        regs.iter()
            .map(|r| r.registration_id.clone())
            .collect::<Vec<_>>(),
        truth
            .iter()
            .map(|row| text(&row["enroll_id"]))
            .collect::<Vec<_>>(),
        "every enrollment once, in serving order"
    );
    assert_eq!(
        regs.iter().map(|r| r.temp_id.clone()).collect::<Vec<_>>(),
        truth
            .iter()
            .map(|row| text(&row["tmp_openid"]))
            .collect::<Vec<_>>()
    );
    assert_eq!(sb.stats().requests_to("wecom.webinar_enroll_list"), 3);
    assert_eq!(sb.stats().requests_to("wecom.enroll_list"), 0, "no probing");
    assert_eq!(sb.stats().requests_to("wecom.get_info") - before_info, 1);
    assert_eq!(sb.stats().rejections_total("wecom.webinar_enroll_list"), 0);

    // The status filter is the server's, on the webinar endpoint too.
    let approved = collect(
        client
            .registrations(&MeetingQuery::new(&webinar.id).status(RegistrationFilter::Approved))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        approved.len(),
        sb.truth()
            .wecom_webinar_enrollments(&webinar.id, Some(3))
            .len()
    );
    assert!(
        approved
            .iter()
            .all(|r| r.status == Some(RegistrationStatus::Approved))
    );

    // Enrollment ids of the webinar's attendees, from its own query_by_tmp_openid.
    let tmp: Vec<String> = truth
        .iter()
        .filter_map(|row| text(&row["tmp_openid"]))
        .collect();
    let tmp_refs: Vec<&str> = tmp.iter().map(String::as_str).collect();
    let matches = client
        .enroll_ids_in(
            EnrollFamily::Webinar,
            &webinar.id,
            &tmp,
            SortingRules::default(),
        )
        .await
        .unwrap();
    let want = sb
        .truth()
        .wecom_webinar_enroll_ids(&webinar.id, &tmp_refs, None);
    assert!(!want.is_empty());
    for row in &want {
        let t = text(&row["tmp_openid"]).unwrap();
        assert!(
            matches.all(&t).contains(&text(&row["enroll_id"]).unwrap()),
            "{row}"
        );
    }
    assert_eq!(
        sb.stats()
            .requests_to("wecom.webinar_enroll_query_by_tmp_openid"),
        1
    );

    // The other family answers 730011: Unsupported, fatal, with a hint naming the right list.
    let e = client
        .enroll_list(webinar.id.clone())
        .paginate()
        .unwrap()
        .items()
        .boxed()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Unsupported, Some(730011)),
        "{e}"
    );
    assert!(!e.is_retryable());
    assert!(e.hint().unwrap().contains("webinar/enroll/list"), "{e:?}");
    let e = client
        .webinar_enroll_list(oneoff.id.clone())
        .paginate()
        .unwrap()
        .items()
        .boxed()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Unsupported, Some(730011))
    );
    let e = client
        .enroll_ids(&webinar.id, &tmp_refs[..1], SortingRules::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(
        sb.stats().requests_to("wecom.enroll_list"),
        1,
        "730011 is not retried"
    );
}

#[tokio::test]
async fn meeting_enrollments_stay_on_the_meeting_endpoint() {
    let sb = manual_sandbox(|_| {}).await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let regs = collect(
        client
            .registrations(&MeetingQuery::new(&m.id))
            .await
            .unwrap(),
    )
    .await;
    let truth = sb.truth().wecom_enrollments(&m.id, None);
    assert!(!truth.is_empty());
    assert_eq!(
        regs.iter()
            .map(|r| r.registration_id.clone())
            .collect::<Vec<_>>(),
        truth
            .iter()
            .map(|row| text(&row["enroll_id"]))
            .collect::<Vec<_>>()
    );
    assert_eq!(sb.stats().requests_to("wecom.webinar_enroll_list"), 0);
    assert_eq!(sb.stats().requests_to("wecom.get_invitees"), 0);
}

#[tokio::test]
async fn meetings_without_enrollment_list_their_invitees() {
    let sb = manual_sandbox(|_| {}).await;
    let client = client(&sb);
    let live = meeting(&sb, "seed-live");
    let info = client.get_info(&live.id, None).await.unwrap();
    assert_eq!(info.enrollment_enabled(), Some(false), "the seed's setting");

    let notes = Arc::new(Notes::default());
    let regs = collect(
        client
            .registrations(&MeetingQuery::new(&live.id).observer(notes.clone()))
            .await
            .unwrap(),
    )
    .await;
    let truth = sb.truth().wecom_invitees(&live.id);
    assert_eq!(truth.len(), 107, "outsider is hidden");
    assert_eq!(
        regs.iter().map(|r| r.user_id.clone()).collect::<Vec<_>>(),
        truth
            .iter()
            .map(|row| text(&row["userid"]))
            .collect::<Vec<_>>()
    );
    assert!(
        regs.iter()
            .all(|r| r.status.is_none() && r.registration_id.is_none() && r.meeting_id == live.id)
    );
    assert!(notes.any("listing its invitees instead"));
    assert_eq!(
        sb.stats().requests_to("wecom.get_invitees"),
        2,
        "pages of 100"
    );
    assert_eq!(
        sb.stats().requests_to("wecom.enroll_list"),
        0,
        "get_info said enrollment is off: no list call"
    );
    assert_eq!(sb.stats().rejections_total("wecom.get_invitees"), 0);

    // Invitees have no status: another filter matches none of them, without a call.
    let notes = Arc::new(Notes::default());
    let none = collect(
        client
            .registrations(
                &MeetingQuery::new(&live.id)
                    .status(RegistrationFilter::Pending)
                    .observer(notes.clone()),
            )
            .await
            .unwrap(),
    )
    .await;
    assert!(none.is_empty());
    assert!(notes.any("nothing matches the status filter"));
    assert_eq!(sb.stats().requests_to("wecom.get_invitees"), 2);

    // max_items stops early.
    let five = collect(
        client
            .registrations(&MeetingQuery::new(&live.id).max_items(5))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(five.len(), 5);

    // A webinar has no invitee list: 730011, Unsupported.
    let webinar = meeting(&sb, "seed-webinar");
    let e = client
        .invitee_list(webinar.id.clone())
        .paginate()
        .unwrap()
        .items()
        .boxed()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Unsupported, Some(730011))
    );
}

#[tokio::test]
async fn invitee_pages_end_on_has_more_whatever_the_cursor() {
    let sb = manual_sandbox(|c| {
        c.wecom.invitees_omit_final_cursor = true;
        c.wecom.invitee_page_size = 30;
    })
    .await;
    let client = client(&sb);
    let live = meeting(&sb, "seed-live");
    let all: Vec<Option<String>> = client
        .invitee_list(live.id.clone())
        .paginate()
        .unwrap()
        .items()
        .map_ok(|r| r.user_id)
        .try_collect()
        .await
        .unwrap();
    let truth: Vec<Option<String>> = sb
        .truth()
        .wecom_invitees(&live.id)
        .iter()
        .map(|row| text(&row["userid"]))
        .collect();
    assert_eq!(all, truth);
    assert_eq!(sb.stats().requests_to("wecom.get_invitees"), 4, "107 / 30");
}

/// `(tmp_openid, join_time)` of an attendee and of a truth row.
fn live_keys(rows: &[Attendee]) -> Vec<(String, i64)> {
    rows.iter().map(attendee_key).collect()
}

#[tokio::test]
async fn live_attendees_are_the_open_sessions() {
    let sb = manual_sandbox(|c| c.wecom.realtime_status = true).await;
    let client = client(&sb);
    let live = meeting(&sb, "seed-live");
    let truth = sb.truth().wecom_realtime_attendees(&live.id, None);
    assert!(truth.len() > 2, "the seed has open sessions");

    let source: Box<dyn AttendeeSource> = Box::new(client.clone());
    let rows = collect(
        source
            .live_attendees(&MeetingQuery::new(&live.id))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        live_keys(&rows),
        truth.iter().map(row_key).collect::<Vec<_>>()
    );
    for (a, row) in rows.iter().zip(&truth) {
        assert_eq!(a.left_at, None);
        assert_eq!(a.user_id, text(&row["userid"]));
        assert_eq!(
            a.device.map(|d| d.code()),
            row["instance_id"].as_i64(),
            "{row}"
        );
        assert_eq!(a.extra["status"], "1", "the page's undocumented status");
        assert_eq!(a.sub_meeting_id, None, "a one-off meeting");
    }
    assert_eq!(
        sb.stats().requests_to("wecom.get_realtime_attendee_list"),
        1
    );

    // Small pages, the same limit along the chain: the same rows.
    let paged: Vec<Attendee> = client
        .realtime_attendee_list(live.id.clone())
        .limit(2)
        .paginate()
        .unwrap()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(live_keys(&paged), live_keys(&rows));
    assert_eq!(
        sb.stats()
            .rejections_total("wecom.get_realtime_attendee_list"),
        0
    );

    // A saved cursor resumes only with its own limit.
    let mut pages = Box::pin(
        client
            .realtime_attendee_list(live.id.clone())
            .limit(2)
            .paginate()
            .unwrap()
            .pages(),
    );
    let saved = pages.next().await.unwrap().unwrap().resume.unwrap();
    let e = client
        .realtime_attendee_list(live.id.clone())
        .limit(3)
        .resume(&saved)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CursorMismatch);
    let rest: Vec<Attendee> = client
        .realtime_attendee_list(live.id.clone())
        .limit(2)
        .resume(&saved)
        .unwrap()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(live_keys(&rest), live_keys(&rows)[2..].to_vec());

    // An ended meeting has nobody in it.
    let oneoff = meeting(&sb, "seed-oneoff");
    assert!(
        collect(
            client
                .live_attendees(&MeetingQuery::new(&oneoff.id))
                .await
                .unwrap()
        )
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn live_attendees_of_a_recurring_meeting_read_its_current_occurrence() {
    let sb = manual_sandbox(|_| {}).await;
    let client = client(&sb);
    let recurring = meeting(&sb, "seed-recurring");
    let info = client.get_info(&recurring.id, None).await.unwrap();
    let current = info.current_sub_meeting().unwrap().to_string();

    // Without an occurrence the endpoint refuses (the sandbox's 40058) ...
    let e = client
        .realtime_attendee_list(recurring.id.clone())
        .paginate()
        .unwrap()
        .items()
        .boxed()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let refused = sb
        .stats()
        .rejections_total("wecom.get_realtime_attendee_list");

    // ... so the source takes the current one from get_info, and says so.
    let notes = Arc::new(Notes::default());
    let rows = collect(
        client
            .live_attendees(&MeetingQuery::new(&recurring.id).observer(notes.clone()))
            .await
            .unwrap(),
    )
    .await;
    let truth = sb
        .truth()
        .wecom_realtime_attendees(&recurring.id, Some(current.as_str()));
    assert_eq!(
        live_keys(&rows),
        truth.iter().map(row_key).collect::<Vec<_>>()
    );
    assert!(notes.any(&current), "{:?}", notes.0.lock().unwrap());
    assert_eq!(
        sb.stats()
            .rejections_total("wecom.get_realtime_attendee_list"),
        refused,
        "the occurrence was sent"
    );

    // A caller's occurrence is used as given, without get_info.
    let before = sb.stats().requests_to("wecom.get_info");
    let other = info
        .sub_meetings
        .iter()
        .filter_map(|s| s.sub_meetingid.clone())
        .find(|s| *s != current)
        .unwrap();
    let rows = collect(
        client
            .live_attendees(&MeetingQuery::new(&recurring.id).sub_meeting(&other))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        live_keys(&rows),
        sb.truth()
            .wecom_realtime_attendees(&recurring.id, Some(other.as_str()))
            .iter()
            .map(row_key)
            .collect::<Vec<_>>()
    );
    assert_eq!(sb.stats().requests_to("wecom.get_info"), before);
}

/// `(tmp_openid, entered ms, left ms or 0)` of an entry.
fn stay_key(e: &WaitingRoomEntry) -> (String, i64, i64) {
    let ms = |t: Option<time::OffsetDateTime>| {
        t.map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap())
            .unwrap_or(0)
    };
    (
        e.temp_id.clone().unwrap_or_default(),
        ms(e.entered_at),
        ms(e.left_at),
    )
}

/// The same of a truth row.
fn truth_stay_key(row: &Value) -> (String, i64, i64) {
    (
        text(&row["tmp_openid"]).unwrap_or_default(),
        int(&row["join_time"]),
        int(&row["quit_time"]),
    )
}

#[tokio::test]
async fn the_waiting_room_log_in_milliseconds() {
    let sb = manual_sandbox(|_| {}).await;
    let client = client(&sb);
    let live = meeting(&sb, "seed-live");
    let truth = sb.truth().wecom_waiting_room(&live.id);
    assert_eq!(truth.len(), 61);

    let source: Box<dyn AttendeeSource> = Box::new(client.clone());
    let stays = collect(
        source
            .waiting_room(&MeetingQuery::new(&live.id))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        stays.iter().map(stay_key).collect::<Vec<_>>(),
        truth.iter().map(truth_stay_key).collect::<Vec<_>>(),
        "every stay once, times to the millisecond"
    );
    assert_eq!(
        sb.stats().requests_to("wecom.waitingroom_get_user_list"),
        2,
        "two pages at 50"
    );
    let waiting: Vec<&WaitingRoomEntry> = stays.iter().filter(|e| e.left_at.is_none()).collect();
    assert_eq!(waiting.len(), 1, "latecomer is still waiting");
    assert_eq!(waiting[0].user_id.as_deref(), Some("latecomer"));
    for (e, row) in stays.iter().zip(&truth) {
        assert_eq!(e.user_id, text(&row["userid"]));
        assert_eq!(e.device.map(|d| d.code()), row["instance_id"].as_i64());
    }

    // The one-off seed: a person who waited twice, non-members, a phone.
    let oneoff = meeting(&sb, "seed-oneoff");
    let stays = collect(
        client
            .waiting_room(&MeetingQuery::new(&oneoff.id))
            .await
            .unwrap(),
    )
    .await;
    let truth = sb.truth().wecom_waiting_room(&oneoff.id);
    assert_eq!(
        stays.iter().map(stay_key).collect::<Vec<_>>(),
        truth.iter().map(truth_stay_key).collect::<Vec<_>>()
    );
    assert_eq!(
        stays
            .iter()
            .filter(|e| e.user_id.as_deref() == Some("zhangsan"))
            .count(),
        2
    );

    // A webinar's waiting room is empty (the sandbox's choice), not an error.
    let webinar = meeting(&sb, "seed-webinar");
    assert!(
        collect(
            client
                .waiting_room(&MeetingQuery::new(&webinar.id))
                .await
                .unwrap()
        )
        .await
        .is_empty()
    );
    assert_eq!(
        sb.stats()
            .rejections_total("wecom.waitingroom_get_user_list"),
        0
    );
}

#[tokio::test]
async fn waiting_room_pages_end_without_a_final_cursor() {
    let sb = manual_sandbox(|c| c.wecom.waiting_room_omit_final_cursor = true).await;
    let client = client(&sb);
    let live = meeting(&sb, "seed-live");
    let stays: Vec<WaitingRoomEntry> = client
        .waiting_room_list(live.id.clone())
        .limit(20)
        .paginate()
        .unwrap()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        stays.iter().map(stay_key).collect::<Vec<_>>(),
        sb.truth()
            .wecom_waiting_room(&live.id)
            .iter()
            .map(truth_stay_key)
            .collect::<Vec<_>>()
    );
    assert_eq!(sb.stats().requests_to("wecom.waitingroom_get_user_list"), 4);
}
