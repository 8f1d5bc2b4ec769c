//! Registrations against the sandbox: enrollment pages, filters and answers, and the invitee
//! fallback.

mod common;

use common::*;

#[tokio::test]
async fn enrollments_pages_filters_and_special_answers() {
    let sb = start(config()).await;
    let c = client(&sb);
    let w = meeting(&sb, "seed-webinar");
    let got: Vec<_> = c
        .registrations(&MeetingQuery::new(&w.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let truth = sb.truth().tencent_enroll_approvals(&w.id, None);
    assert_eq!(truth.len(), 120);
    let ids: Vec<String> = got
        .iter()
        .map(|r| r.registration_id.clone().unwrap())
        .collect();
    let want: Vec<String> = truth.iter().map(|v| v["enroll_id"].to_string()).collect();
    assert_eq!(ids, want, "every enrollment once, in order");
    assert_eq!(
        sb.stats().requests_to(WEBINAR_ENROLL),
        1,
        "a webinar's enrollments on the webinar path, one page of 300"
    );
    assert!(
        sb.stats().requests_to(ENROLL) <= 1,
        "the meeting path at most probed once"
    );
    assert!(
        got.iter()
            .all(|r| r.registered_at.is_some() && r.extra.contains_key("enroll_time"))
    );
    assert!(
        got.iter().any(|r| r.phone.is_some()),
        "phone answers fill the phone field"
    );

    for (filter, code) in [
        (RegistrationFilter::Approved, 3),
        (RegistrationFilter::Pending, 1),
        (RegistrationFilter::Rejected, 2),
    ] {
        let got: Vec<_> = c
            .registrations(&MeetingQuery::new(&w.id).status(filter))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            got.len(),
            sb.truth().tencent_enroll_approvals(&w.id, Some(code)).len()
        );
        assert!(
            got.iter()
                .all(|r| r.status == Some(RegistrationStatus::from_code(code)))
        );
    }
    for t in sb
        .stats()
        .raw_targets
        .iter()
        .filter(|t| t.contains("/enroll/approvals"))
    {
        assert!(
            t.contains("?operator_id=owner1&operator_id_type=1&instanceid=1&page="),
            "{t}"
        );
        assert_eq!(query_param(t, "page_size"), Some("300"));
    }
    // max_items stops early: with pages of 50, after two of them.
    let c50 = builder(&sb).enroll_page_size(50).build().unwrap();
    sb.reset_stats();
    let some: Vec<_> = c50
        .registrations(&MeetingQuery::new(&w.id).max_items(60))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(some.len(), 60);
    assert_eq!(sb.stats().requests_to(WEBINAR_ENROLL), 2);
}

#[tokio::test]
async fn registrations_fall_back_to_invitees_when_enrollment_is_off() {
    let sb = start(config()).await;
    let c = client(&sb);
    let r = meeting(&sb, "seed-recurring");
    assert!(!r.enrollment);
    let e = c
        .enroll_approvals_page(&r.id, 1, 50, RegistrationFilter::All)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EnrollmentNotEnabled);
    assert_eq!(e.vendor_code(), Some(101));
    sb.reset_stats();
    let got: Vec<_> = c
        .registrations(&MeetingQuery::new(&r.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.len(), sb.truth().tencent_invitees(&r.id).len());
    assert_eq!(sb.stats().requests_to(ENROLL), 1, "101 is not retried");
    assert_eq!(sb.stats().requests_to(INVITEES), 1);

    // Invitees over several pages, exactly once.
    let o = meeting(&sb, "seed-oneoff");
    let inv: Vec<_> = Paginator::new(c.invitees_list(&o.id).unwrap())
        .items()
        .try_collect()
        .await
        .unwrap();
    let truth = sb.truth().tencent_invitees(&o.id);
    assert_eq!(truth.len(), 450);
    let got_ids: Vec<_> = inv
        .iter()
        .map(|r| r.user_id.clone().unwrap_or_default())
        .collect();
    let want: Vec<_> = truth
        .iter()
        .map(|v| v["userid"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(got_ids, want);
}
