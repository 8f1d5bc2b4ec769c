//! Malformed and false pages: every list endpoint of every vendor, answered with HTTP 200 and
//! a body no real page of it would be (the sandbox's [`BadPage`] kinds: `{}`, the envelope
//! without the list, another endpoint's answer, and a "last page" that is not), never ends an
//! export quietly.
//!
//! - Once, on the first or a later page: the page is fetched again and the export is exactly
//!   the clean export (record by record).
//! - For ever: the export fails with [`ErrorKind::MalformedPage`] after the records before the
//!   bad page.
//! - A well-formed false last page, on the lists whose vendor states a total (Tencent
//!   participants' `total_count`, enrollments' `total_count`): the export fails with
//!   [`ErrorKind::Incomplete`]. The other lists carry no total, so a false last page that is
//!   otherwise well-formed cannot be told from a real one; the README says so.

use futures::StreamExt;
use roster_core::{
    AttendeeSource, Error, ErrorKind, MeetingQuery, Paginator, RecordStream, Window,
};
use roster_sandbox::{BadPage, Fault, SandboxConfig, SandboxHandle, Vendor};
use roster_tests::*;
use time::Duration;

/// One list endpoint, exported the way a user does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum List {
    TencentParticipants,
    TencentEnrollments,
    TencentInvitees,
    WeComAttendees,
    WeComEnrollments,
    WeComMeetingIds,
    QuanshiReportV2,
    QuanshiTerminals,
}

impl List {
    const ALL: [List; 8] = [
        List::TencentParticipants,
        List::TencentEnrollments,
        List::TencentInvitees,
        List::WeComAttendees,
        List::WeComEnrollments,
        List::WeComMeetingIds,
        List::QuanshiReportV2,
        List::QuanshiTerminals,
    ];

    /// The sandbox's endpoint key.
    fn key(self) -> &'static str {
        match self {
            List::TencentParticipants => "tencent.participants",
            List::TencentEnrollments => "tencent.webinar_enroll_approvals",
            List::TencentInvitees => "tencent.invitees",
            List::WeComAttendees => "wecom.get_attendee_list",
            List::WeComEnrollments => "wecom.webinar_enroll_list",
            List::WeComMeetingIds => "wecom.get_user_meetingid",
            List::QuanshiReportV2 => "quanshi.report_v2",
            List::QuanshiTerminals => "quanshi.attendee_list",
        }
    }

    fn vendor(self) -> Vendor {
        match self {
            List::TencentParticipants | List::TencentEnrollments | List::TencentInvitees => {
                Vendor::Tencent
            }
            List::WeComAttendees | List::WeComEnrollments | List::WeComMeetingIds => Vendor::WeCom,
            List::QuanshiReportV2 | List::QuanshiTerminals => Vendor::Quanshi,
        }
    }

    /// The vendor states a total for the list, so a false last page is detectable.
    fn has_total(self) -> bool {
        matches!(self, List::TencentParticipants | List::TencentEnrollments)
    }
}

fn config() -> SandboxConfig {
    let mut c = sandbox_config(7);
    // 300 sessions: 6 pages of 50 on Tencent and WeCom.
    c.data.large_meetings = vec![300];
    c
}

/// Record identities (as text) and the error the export ended with, if any.
type Outcome = (Vec<String>, Option<Error>);

async fn keyed<T>(
    stream: roster_core::Result<RecordStream<T>>,
    key: impl Fn(&T) -> String,
) -> Outcome {
    match stream {
        Err(e) => (Vec::new(), Some(e)),
        Ok(stream) => {
            let (items, errors) = drain(stream).await;
            (items.iter().map(key).collect(), errors.into_iter().next())
        }
    }
}

async fn export(list: List, sb: &SandboxHandle) -> Outcome {
    let o = ClientOptions::fast();
    let session = |a: &roster_core::Attendee| format!("{:?}", session_key(a));
    let registration = |r: &roster_core::Registration| format!("{:?}", registration_key(r));
    match list {
        List::TencentParticipants | List::TencentEnrollments | List::TencentInvitees => {
            let client = tencent_builder(sb, &o)
                .participants_page_size(50)
                .enroll_page_size(20)
                .build()
                .unwrap();
            match list {
                List::TencentParticipants => {
                    let m = meeting(sb, Vendor::Tencent, "large-300");
                    keyed(client.attendees(&MeetingQuery::new(&m.id)).await, session).await
                }
                List::TencentEnrollments => {
                    let m = meeting(sb, Vendor::Tencent, "seed-webinar");
                    keyed(
                        client.registrations(&MeetingQuery::new(&m.id)).await,
                        registration,
                    )
                    .await
                }
                _ => {
                    // The invitee list `registrations` falls back to (3 pages of 200).
                    let m = meeting(sb, Vendor::Tencent, "seed-oneoff");
                    let list = client.invitees_list(&m.id).unwrap();
                    keyed(Ok(Paginator::new(list).items().boxed()), registration).await
                }
            }
        }
        List::WeComAttendees | List::WeComEnrollments | List::WeComMeetingIds => {
            let client = wecom_config(sb, &o)
                .attendee_page_size(50)
                .enroll_page_size(20)
                .build()
                .unwrap();
            match list {
                List::WeComAttendees => {
                    let m = meeting(sb, Vendor::WeCom, "large-300");
                    keyed(client.attendees(&MeetingQuery::new(&m.id)).await, session).await
                }
                List::WeComEnrollments => {
                    let m = meeting(sb, Vendor::WeCom, "seed-webinar");
                    keyed(
                        client.registrations(&MeetingQuery::new(&m.id)).await,
                        registration,
                    )
                    .await
                }
                _ => {
                    let user = sb.credentials().wecom.userid;
                    let now = sb.clock().now();
                    let window = Window {
                        start: now - Duration::days(170),
                        end: now + Duration::days(10),
                    };
                    let stream = client
                        .user_meeting_ids(&user, window.start, window.end)
                        .map(|s| s.boxed());
                    keyed(stream, String::clone).await
                }
            }
        }
        List::QuanshiReportV2 | List::QuanshiTerminals => {
            let client = quanshi_config(sb, &o)
                .attendee_list_page_size(10)
                .build()
                .unwrap();
            if list == List::QuanshiReportV2 {
                let m = meeting(sb, Vendor::Quanshi, "large-300");
                keyed(client.attendees(&MeetingQuery::new(&m.id)).await, session).await
            } else {
                let live = meeting(sb, Vendor::Quanshi, "seed-live");
                let stream = client
                    .terminals(live.id.parse().unwrap())
                    .unwrap()
                    .items()
                    .boxed();
                keyed(Ok(stream), |t: &roster_quanshi::Terminal| {
                    t.temp_user_id.clone().unwrap_or_default()
                })
                .await
            }
        }
    }
}

/// The clean export of `list`, and the number of calls it made to the list's endpoint.
async fn clean(list: List, sb: &SandboxHandle) -> (Vec<String>, u64) {
    sb.reset_stats();
    let (records, error) = export(list, sb).await;
    assert!(
        error.is_none(),
        "{list:?}: the clean export failed: {error:?}"
    );
    assert!(!records.is_empty(), "{list:?}: nothing to export");
    (records, sb.stats().requests_to(list.key()))
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_page_once_is_fetched_again_and_nothing_is_lost() {
    let sb = start(config()).await;
    for list in List::ALL {
        let (expected, calls) = clean(list, &sb).await;
        // On the first page, and on a later one where the list has several.
        let skips: &[u64] = if calls > 1 { &[0, 1] } else { &[0] };
        for &skip in skips {
            for kind in BadPage::ALL {
                if kind == BadPage::FalseLastPage {
                    // Well-formed: not retried (see the next test).
                    continue;
                }
                sb.faults()
                    .inject_after(list.key(), skip, Fault::BadPage(kind), 1);
                let (got, error) = export(list, &sb).await;
                assert!(
                    sb.faults().pending().is_empty(),
                    "{list:?} {kind:?}: the fault did not fire"
                );
                assert!(
                    error.is_none(),
                    "{list:?} {kind:?} at call {skip}: the export failed: {error:?}"
                );
                assert_eq!(
                    sorted(got),
                    sorted(expected.clone()),
                    "{list:?} {kind:?} at call {skip}: not the clean export"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_page_for_ever_fails_the_export() {
    let sb = start(config()).await;
    for list in List::ALL {
        let (expected, calls) = clean(list, &sb).await;
        let skip = u64::from(calls > 1);
        for kind in BadPage::ALL {
            if kind == BadPage::FalseLastPage && !list.has_total() {
                continue;
            }
            sb.faults().clear();
            sb.faults()
                .inject_after(list.key(), skip, Fault::BadPage(kind), u64::MAX);
            let (got, error) = export(list, &sb).await;
            sb.faults().clear();
            let error = error.unwrap_or_else(|| {
                panic!(
                    "{list:?} {kind:?}: the export ended quietly with {} of {} records",
                    got.len(),
                    expected.len()
                )
            });
            let want = match (kind, list.vendor()) {
                (BadPage::FalseLastPage, _) => ErrorKind::Incomplete,
                // Quanshi always answers in its envelope: `{}` is refused (and retried) by
                // its call path before the list sees it.
                (BadPage::EmptyObject, Vendor::Quanshi) => ErrorKind::Decode,
                _ => ErrorKind::MalformedPage,
            };
            assert_eq!(error.kind(), want, "{list:?} {kind:?}: {error}");
            assert!(
                got.len() < expected.len(),
                "{list:?} {kind:?}: {} records",
                got.len()
            );
        }
    }
}
