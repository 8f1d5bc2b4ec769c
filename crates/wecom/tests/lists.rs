//! Lists against the sandbox: cursor chains, stop rules, windows, recurring meetings,
//! enrollments, enrollment ids, meeting ids, and decoding quirks.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::*;
use futures::{StreamExt, TryStreamExt};
use roster_core::AttendancePlan;
use roster_core::{
    AttendeeSource, ErrorKind, MeetingQuery, QuestionType, RegistrationFilter, RegistrationStatus,
    SpecialType, Window,
};
use roster_sandbox::{CatalogMeeting, Fault, Quirk};
use roster_wecom::SortingRules;
use serde_json::Value;
use time::OffsetDateTime;

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

/// A window around a one-off meeting (a day either side).
fn window_of(m: &CatalogMeeting) -> Window {
    Window {
        start: at(m.start - 86_400),
        end: at(m.end + 86_400),
    }
}

#[tokio::test]
async fn has_more_false_with_a_cursor_ends_the_chain() {
    let sb = sandbox().await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let w = window_of(&m);
    let truth = sb
        .truth()
        .wecom_attendees(&m.id, None, Some(w.inclusive_unix_bounds()));
    assert!(truth.len() > 7, "{} rows", truth.len());

    for limit in [7, truth.len() as u32] {
        sb.reset_stats();
        let pages: Vec<_> = client
            .attendee_list(&m.id)
            .window(w)
            .limit(limit)
            .paginate()
            .unwrap()
            .pages()
            .try_collect()
            .await
            .unwrap();
        let last = pages.last().unwrap();
        assert!(!last.has_more);
        assert!(
            matches!(&last.next, Some(roster_core::PageToken::Cursor(c)) if !c.is_empty()),
            "the sandbox's last page carries a cursor: {:?}",
            last.next
        );
        let expected_pages = truth.len().div_ceil(limit as usize);
        assert_eq!(pages.len(), expected_pages, "limit {limit}");
        assert_eq!(
            sb.stats().requests_to("wecom.get_attendee_list"),
            expected_pages as u64,
            "no call after has_more: false"
        );
        let rows: usize = pages.iter().map(|p| p.items.len()).sum();
        assert_eq!(rows, truth.len());
    }
}

#[tokio::test]
async fn a_saved_cursor_resumed_with_another_limit_fails_before_any_request() {
    let sb = sandbox().await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let w = window_of(&m);
    let truth = sb
        .truth()
        .wecom_attendees(&m.id, None, Some(w.inclusive_unix_bounds()));

    let mut pages = Box::pin(
        client
            .attendee_list(&m.id)
            .window(w)
            .limit(5)
            .paginate()
            .unwrap()
            .pages(),
    );
    let first = pages.next().await.unwrap().unwrap();
    drop(pages);
    let saved = first.resume.clone().expect("a cursor after the first page");
    // Through JSON, as an export would store it.
    let saved: roster_core::Cursor =
        serde_json::from_str(&serde_json::to_string(&saved).unwrap()).unwrap();
    assert_eq!(saved.page_size, 5);

    let before = sb.stats().total_requests();
    let e = client
        .attendee_list(&m.id)
        .window(w)
        .limit(10)
        .resume(&saved)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CursorMismatch);
    let other_meeting = meeting(&sb, "seed-live");
    let e = client
        .attendee_list(&other_meeting.id)
        .window(w)
        .limit(5)
        .resume(&saved)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CursorMismatch);
    assert_eq!(
        sb.stats().total_requests(),
        before,
        "no request for a mismatched cursor"
    );

    // The same limit resumes where the first page ended.
    let rest: Vec<_> = client
        .attendee_list(&m.id)
        .window(w)
        .limit(5)
        .resume(&saved)
        .unwrap()
        .items()
        .try_collect()
        .await
        .unwrap();
    let mut all: Vec<(String, i64)> = first.items.iter().map(attendee_key).collect();
    all.extend(rest.iter().map(attendee_key));
    let want: Vec<(String, i64)> = truth.iter().map(row_key).collect();
    assert_eq!(all, want);
    assert_eq!(sb.stats().rejections_total("wecom.get_attendee_list"), 0);
}

#[tokio::test]
async fn join_times_as_strings_and_as_numbers_decode_alike() {
    let sb = sandbox().await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-live");
    let q = MeetingQuery::new(&m.id);
    let plain = collect(client.attendees(&q).await.unwrap()).await;
    assert!(plain.iter().any(|a| a.left_at.is_none()), "open sessions");
    assert!(plain.iter().all(|a| a.joined_at.is_some()));

    sb.faults().inject(
        "wecom.get_attendee_list",
        Fault::Quirk(Quirk::FlipTypes),
        u64::MAX,
    );
    let flipped = collect(client.attendees(&q).await.unwrap()).await;
    assert!(sb.stats().faults_of("quirk:flip_types") > 0);
    assert_eq!(flipped, plain);
}

#[tokio::test]
async fn one_off_exports_split_windows_and_match_the_truth() {
    let sb = sandbox().await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-long-running");
    let (from, to) = (at(m.start - 86_400), at(m.end + 86_400));
    assert!(
        to - from > roster_core::MAX_WINDOW * 2,
        "needs three windows"
    );
    let q = MeetingQuery::new(&m.id).between(from, to);
    let plan = client.plan_attendees(&q).await.unwrap();
    let AttendancePlan::Windows { windows, .. } = plan else {
        panic!("a one-off meeting is windowed: {plan:?}")
    };
    assert!(windows.len() >= 3);
    let rows = collect(client.attendees(&q).await.unwrap()).await;
    let truth = sb.truth().wecom_attendees(
        &m.id,
        None,
        Some((from.unix_timestamp(), to.unix_timestamp() - 1)),
    );
    assert_eq!(
        rows.iter().map(attendee_key).collect::<Vec<_>>(),
        truth.iter().map(row_key).collect::<Vec<_>>(),
        "every row once, in time order"
    );
    assert_eq!(sb.stats().rejections_total("wecom.get_attendee_list"), 0);

    // max_items stops early.
    let five = collect(client.attendees(&q.clone().max_items(5)).await.unwrap()).await;
    assert_eq!(five.len(), 5);

    // Unmapped fields survive in `extra`; unknown enum values are kept.
    let oneoff = meeting(&sb, "seed-oneoff");
    let rows = collect(
        client
            .attendees(&MeetingQuery::new(&oneoff.id))
            .await
            .unwrap(),
    )
    .await;
    let truth = sb.truth().wecom_attendees(&oneoff.id, None, None);
    assert_eq!(
        rows.len(),
        truth.len(),
        "the default range covers the meeting"
    );
    assert!(
        rows.iter()
            .any(|a| a.device == Some(roster_core::Device::Unknown(99)))
    );
    assert!(rows.iter().any(|a| a.extra.contains_key("customer_data")));
    assert!(rows.iter().any(|a| a.user_id.is_none()), "non-members");
}

#[tokio::test]
async fn recurring_meetings_use_the_current_occurrence_or_the_given_one() {
    let sb = sandbox().await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-recurring");
    let info = client.get_info(&m.id, None).await.unwrap();
    assert!(info.is_recurring());
    let current = info
        .current_sub_meeting()
        .expect("a current occurrence")
        .to_string();

    let plan = client
        .plan_attendees(&MeetingQuery::new(&m.id))
        .await
        .unwrap();
    assert_eq!(
        plan,
        AttendancePlan::Occurrence {
            sub_meeting_id: current.clone()
        }
    );
    let rows = collect(client.attendees(&MeetingQuery::new(&m.id)).await.unwrap()).await;
    let truth = sb.truth().wecom_attendees(&m.id, Some(&current), None);
    assert_eq!(rows.len(), truth.len());

    // An ended occurrence, given by the caller: no get_info, no window.
    let ended = m
        .sub_meetings
        .iter()
        .find(|s| !s.deleted && s.sessions > 0)
        .expect("an ended occurrence with sessions");
    sb.reset_stats();
    let q = MeetingQuery::new(&m.id).sub_meeting(&ended.id);
    let rows = collect(client.attendees(&q).await.unwrap()).await;
    let truth = sb.truth().wecom_attendees(&m.id, Some(&ended.id), None);
    assert_eq!(
        rows.iter().map(attendee_key).collect::<Vec<_>>(),
        truth.iter().map(row_key).collect::<Vec<_>>()
    );
    assert!(
        rows.iter()
            .all(|a| a.sub_meeting_id.as_deref() == Some(ended.id.as_str()))
    );
    assert_eq!(sb.stats().requests_to("wecom.get_info"), 0);
    assert!(
        sb.stats()
            .raw_targets
            .iter()
            .all(|t| !t.contains("start_time"))
    );
}

#[tokio::test]
async fn a_meeting_that_has_not_started_is_empty() {
    let sb = sandbox().await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-not-started");
    let rows = collect(client.attendees(&MeetingQuery::new(&m.id)).await.unwrap()).await;
    assert!(rows.is_empty());
    // Core's planning rule, the same on every vendor: the default range ends now and starts a
    // day before the earlier of the scheduled start and now, so one window is read.
    assert_eq!(sb.stats().requests_to("wecom.get_attendee_list"), 1);
}

#[tokio::test]
async fn enrollments_with_every_question_type() {
    let sb = sandbox().await;
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
    assert_eq!(regs.len(), truth.len());
    assert_eq!(
        regs.iter()
            .map(|r| r.registration_id.clone().unwrap())
            .collect::<Vec<_>>(),
        truth
            .iter()
            .map(|r| r["enroll_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    );

    let qtypes: BTreeSet<_> = regs
        .iter()
        .flat_map(|r| r.answers.iter().filter_map(|a| a.question_type))
        .collect();
    for t in [
        QuestionType::SingleChoice,
        QuestionType::MultipleChoice,
        QuestionType::ShortAnswer,
    ] {
        assert!(qtypes.contains(&t), "{t:?} in {qtypes:?}");
    }
    let stypes: BTreeSet<_> = regs
        .iter()
        .flat_map(|r| r.answers.iter().filter_map(|a| a.special_type))
        .collect();
    for t in [
        SpecialType::Ordinary,
        SpecialType::Phone,
        SpecialType::Email,
        SpecialType::Name,
        SpecialType::Company,
    ] {
        assert!(stypes.contains(&t), "{t:?} in {stypes:?}");
    }
    assert!(
        regs.iter()
            .any(|r| r.answers.iter().any(|a| a.values.len() > 1)),
        "multiple choice"
    );
    let statuses: BTreeSet<String> = regs
        .iter()
        .filter_map(|r| r.status.as_ref())
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["approved".into(), "pending".into(), "rejected".into()])
    );

    for (r, raw) in regs.iter().zip(&truth) {
        // Special answers fill the contact fields.
        for a in &r.answers {
            let v = a.first_value().map(str::to_string);
            match a.special_type {
                Some(SpecialType::Phone) => assert_eq!(r.phone, v),
                Some(SpecialType::Email) => assert_eq!(r.email, v),
                Some(SpecialType::Company) => assert_eq!(r.company, v),
                _ => {}
            }
        }
        // enroll_time: UTC+8 text parsed, and kept raw.
        let text = raw["enroll_time"].as_str().unwrap();
        assert_eq!(r.extra["enroll_time"], Value::String(text.into()));
        let parsed = r.registered_at.unwrap();
        assert_eq!(parsed.offset(), roster_core::wire::UTC8);
        assert_eq!(
            format!(
                "{:04}/{:02}/{:02} {:02}:{:02}",
                parsed.year(),
                parsed.month() as u8,
                parsed.day(),
                parsed.hour(),
                parsed.minute()
            ),
            text
        );
        assert_eq!(r.temp_id.as_deref(), raw["tmp_openid"].as_str());
    }
    assert!(
        regs.iter().any(|r| r.temp_id.is_none()),
        "an import who never joined"
    );

    // The status filter is applied by the server.
    let approved = collect(
        client
            .registrations(&MeetingQuery::new(&m.id).status(RegistrationFilter::Approved))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        approved.len(),
        sb.truth().wecom_enrollments(&m.id, Some(3)).len()
    );
    assert!(
        approved
            .iter()
            .all(|r| r.status == Some(RegistrationStatus::Approved))
    );
}

#[tokio::test]
async fn enrollment_pages_and_disabled_enrollment() {
    let sb = sandbox().await;
    let client = client(&sb);
    let webinar = meeting(&sb, "seed-webinar");
    let regs = collect(
        client
            .registrations(&MeetingQuery::new(&webinar.id))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(regs.len(), 120);
    // A webinar's enrollments come from webinar/enroll/list (get_info's meeting_type 6).
    assert_eq!(
        sb.stats().requests_to("wecom.webinar_enroll_list"),
        3,
        "pages of 50"
    );
    assert_eq!(sb.stats().requests_to("wecom.enroll_list"), 0);
    let ids: BTreeSet<_> = regs.iter().map(|r| r.registration_id.clone()).collect();
    assert_eq!(ids.len(), 120, "every enrollment once");

    // No enrollment: the list itself says so (40058, explained) ...
    let recurring = meeting(&sb, "seed-recurring");
    let mut raw = client
        .enroll_list(recurring.id.clone())
        .paginate()
        .unwrap()
        .items()
        .boxed();
    let e = raw.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EnrollmentNotEnabled, "{e}");
    assert_eq!(e.vendor_code(), Some(40058));
    // ... and the cross-vendor view lists the invitees instead, with a note, as Tencent's does.
    let notes = Arc::new(Notes::default());
    let stream = client
        .registrations(&MeetingQuery::new(&recurring.id).observer(notes.clone()))
        .await
        .unwrap();
    let invitees: Vec<Option<String>> = collect(stream)
        .await
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    let want: Vec<Option<String>> = sb
        .truth()
        .wecom_invitees(&recurring.id)
        .iter()
        .map(|row| row["userid"].as_str().map(str::to_string))
        .collect();
    assert_eq!(invitees, want);
    assert!(
        notes
            .0
            .lock()
            .unwrap()
            .iter()
            .any(|n| n.contains("has no enrollment: listing its invitees")),
        "{:?}",
        notes.0.lock().unwrap()
    );
}

/// Notes a client made for the caller.
#[derive(Default)]
struct Notes(std::sync::Mutex<Vec<String>>);

impl roster_core::PageObserver for Notes {
    fn on_page(&self, _: usize, _: Option<u64>) {}
    fn on_note(&self, note: &str) {
        self.0.lock().unwrap().push(note.to_string());
    }
}

#[tokio::test]
async fn query_by_tmp_openid_over_1200_ids_is_three_calls() {
    let sb = sandbox().await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let mut attendees = collect(client.attendees(&MeetingQuery::new(&m.id)).await.unwrap()).await;
    let mut ids: Vec<String> = Vec::new();
    for a in &attendees {
        if let Some(t) = &a.temp_id
            && !ids.contains(t)
        {
            ids.push(t.clone());
        }
    }
    let real = ids.len();
    ids.extend((0..1_200 - real).map(|i| format!("unknown-tmp-{i:04}")));
    assert_eq!(ids.len(), 1_200);

    sb.reset_stats();
    let matches = client
        .enroll_ids(&m.id, &ids, SortingRules::ImportsFirst)
        .await
        .unwrap();
    assert_eq!(
        sb.stats().requests_to("wecom.enroll_query_by_tmp_openid"),
        3
    );

    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let truth = sb.truth().wecom_enroll_ids(&m.id, &refs, Some(1));
    let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in &truth {
        want.entry(e["tmp_openid"].as_str().unwrap().into())
            .or_default()
            .push(e["enroll_id"].as_str().unwrap().into());
    }
    let got: BTreeMap<String, Vec<String>> = matches
        .iter()
        .map(|(t, ids)| (t.to_string(), ids.to_vec()))
        .collect();
    assert_eq!(got, want);
    assert!(!got.is_empty());
    assert!(
        got.values().any(|v| v.len() > 1),
        "one person with two enrollments"
    );

    let annotated = matches.annotate(&mut attendees);
    assert!(annotated > 0);
    let sample = attendees
        .iter()
        .find(|a| a.extra.contains_key("enroll_id"))
        .unwrap();
    assert_eq!(
        sample.extra["enroll_id"].as_str(),
        matches.primary(sample.temp_id.as_deref().unwrap())
    );

    // Nobody enrolled: the list is absent, the answer empty.
    let none = client
        .enroll_ids(&m.id, ["nobody-1", "nobody-2"], SortingRules::ManualFirst)
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn get_info_summary_and_member_meeting_ids() {
    let sb = sandbox().await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let info = client.get_info(&m.id, None).await.unwrap();
    let raw = sb.truth().wecom_meeting_info(&m.id, None).unwrap();
    assert_eq!(info.meeting_start, raw["meeting_start"].as_i64());
    assert_eq!(
        info.attendees.member.len(),
        raw["attendees"]["member"].as_array().unwrap().len()
    );
    for (got, want) in info
        .attendees
        .member
        .iter()
        .zip(raw["attendees"]["member"].as_array().unwrap())
    {
        assert_eq!(got.userid.as_deref(), want["userid"].as_str());
        assert_eq!(got.status_code, want["status"].as_i64());
        assert_eq!(got.cumulative_time, want["cumulative_time"].as_i64());
        assert_eq!(got.total_join_count, want["total_join_count"].as_i64());
    }
    assert!(
        info.attendees
            .tmp_external_user
            .iter()
            .any(|u| u.status() == Some(roster_wecom::wire::AttendanceStatus::Unknown(3)))
    );
    assert!(
        info.attendees
            .member
            .iter()
            .any(|u| u.status() == Some(roster_wecom::wire::AttendanceStatus::Absent))
    );

    // A member's meetings: one 180-day window matches the truth; a longer range is split and
    // de-duplicated.
    let user = sb.credentials().wecom.userid;
    let now = sb.clock().unix();
    let (b, e) = (now - 170 * 86_400, now);
    let ids: Vec<String> = client
        .user_meeting_ids(&user, at(b), at(e + 1))
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        ids,
        sb.truth().wecom_user_meetingids(&user, Some(b), Some(e))
    );
    assert!(ids.contains(&m.id));

    sb.reset_stats();
    let long: Vec<String> = client
        .user_meeting_ids(&user, at(now - 400 * 86_400), at(now + 30 * 86_400))
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        sb.stats().requests_to("wecom.get_user_meetingid"),
        3,
        "three windows"
    );
    let unique: BTreeSet<&String> = long.iter().collect();
    assert_eq!(unique.len(), long.len(), "no duplicates");
    for id in &ids {
        assert!(long.contains(id));
    }
}

#[tokio::test]
async fn absent_errcode_is_success() {
    let sb = sandbox_with(|c| c.wecom.omit_success_code = true).await;
    let client = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let rows = collect(client.attendees(&MeetingQuery::new(&m.id)).await.unwrap()).await;
    assert_eq!(
        rows.len(),
        sb.truth().wecom_attendees(&m.id, None, None).len()
    );
    let regs = collect(
        client
            .registrations(&MeetingQuery::new(&m.id))
            .await
            .unwrap(),
    )
    .await;
    assert!(!regs.is_empty());
}

#[tokio::test]
async fn transient_failures_are_retried_and_rate_limits_waited_once() {
    let sb = sandbox().await;
    let m = meeting(&sb, "seed-oneoff");
    let (clock, shared) = manual_clock();
    let client = config(&sb)
        .clock(shared)
        .rate_limit_wait(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    client.get_info(&m.id, None).await.unwrap();

    let faults = sb.faults();
    faults.inject("wecom.get_info", Fault::VendorTransient, 1);
    faults.inject("wecom.get_info", Fault::Http(502), 1);
    faults.inject("wecom.get_info", Fault::Truncate, 1);
    client.get_info(&m.id, None).await.unwrap();

    // -1 four times: one attempt and three retries, then the error.
    faults.inject("wecom.get_info", Fault::VendorTransient, 4);
    let before = sb.stats().requests_to("wecom.get_info");
    let e = client.get_info(&m.id, None).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Unavailable, Some(-1))
    );
    assert_eq!(sb.stats().requests_to("wecom.get_info") - before, 4);

    // 45009 once: one wait of the configured 60 s (on the client's clock), then success.
    let sleeps_before = clock.sleeps().len();
    faults.inject("wecom.get_info", Fault::RateLimit, 1);
    client.get_info(&m.id, None).await.unwrap();
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), sleeps_before + 1);
    assert!(sleeps.last().unwrap() >= &std::time::Duration::from_secs(60));

    // 45009 twice: surfaced after one wait, with retry_after and the request id.
    faults.inject("wecom.get_info", Fault::RateLimit, 2);
    let e = client.get_info(&m.id, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(60)));
    assert!(e.request_id().is_some_and(|id| id.len() == 25), "{e}");
    assert_eq!(
        sb.stats().requests_to("wecom.gettoken"),
        1,
        "one token throughout"
    );
}

#[tokio::test]
async fn vendor_errors_map_to_kinds() {
    let sb = sandbox().await;
    let client = client(&sb);
    let cases = [
        (
            "hy0000000000000000000000000000".to_string(),
            ErrorKind::NotFound,
            90602,
        ),
        (
            meeting(&sb, "seed-other-app").id,
            ErrorKind::Forbidden,
            730005,
        ),
        (meeting(&sb, "seed-deleted").id, ErrorKind::NotFound, 730008),
    ];
    for (id, kind, code) in cases {
        let e = client.get_info(&id, None).await.unwrap_err();
        assert_eq!((e.kind(), e.vendor_code()), (kind, Some(code)), "{e}");
        assert!(!e.is_retryable());
        let e = client
            .attendees(&MeetingQuery::new(&id))
            .await
            .err()
            .unwrap();
        assert_eq!(e.vendor_code(), Some(code));
    }
    // Obvious garbage never reaches the server.
    let before = sb.stats().total_requests();
    for bad in ["", " ", "a\u{0}b"] {
        let e = client
            .attendees(&MeetingQuery::new(bad))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = client
            .registrations(&MeetingQuery::new(bad))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
    let m = meeting(&sb, "seed-oneoff");
    let reversed = MeetingQuery::new(&m.id).between(at(m.end), at(m.start));
    assert_eq!(
        client.attendees(&reversed).await.err().unwrap().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(sb.stats().total_requests(), before);
}

#[tokio::test]
async fn member_meeting_ids_end_on_an_absent_cursor() {
    let sb = sandbox_with(|c| c.wecom.omit_final_cursor = true).await;
    let client = client(&sb);
    let user = sb.credentials().wecom.userid;
    let now = sb.clock().unix();
    let (b, e) = (now - 170 * 86_400, now);
    let ids: Vec<String> = client
        .user_meeting_ids(&user, at(b), at(e + 1))
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(!ids.is_empty());
    assert_eq!(
        ids,
        sb.truth().wecom_user_meetingids(&user, Some(b), Some(e))
    );
    assert_eq!(sb.stats().requests_to("wecom.get_user_meetingid"), 1);
}
