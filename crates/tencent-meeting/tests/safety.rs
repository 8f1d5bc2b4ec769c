//! Credentials, headers, path safety and secrets against the sandbox, and the cross-vendor
//! trait object.

mod common;

use common::*;

#[tokio::test]
async fn credentials_and_headers() {
    let sb = start(config()).await;
    let m = meeting(&sb, "seed-oneoff");
    let p = ParticipantsParams::new(&m.id).size(1);
    // The second app has an SdkId: it is sent, and works.
    let c2 = TencentMeetingClient::builder(credentials(&sb, 1))
        .operator_id("owner1")
        .base_url(sb.base_url())
        .pacer(Pacer::unlimited())
        .version("1.2.3")
        .build()
        .unwrap();
    c2.participants_page(&p, None).await.unwrap();
    // Wrong key: 200003, a config error with a hint; wrong SdkId: 190303. Never retried.
    let c = sb.credentials().tencent;
    for (creds, code) in [
        (
            Credentials::new(&c.app_id, &c.secret_id, "wrong-key-XYZ"),
            200003,
        ),
        (
            Credentials::new(&c.app_id, &c.secret_id, &c.secret_key).with_sdk_id("123"),
            190303,
        ),
        (
            Credentials::new(&c.app_id, "unknown-id-XYZ", &c.secret_key),
            190303,
        ),
    ] {
        sb.reset_stats();
        let bad = TencentMeetingClient::builder(creds)
            .operator_id("owner1")
            .base_url(sb.base_url())
            .pacer(Pacer::unlimited())
            .build()
            .unwrap();
        let e = bad.participants_page(&p, None).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.vendor_code(), Some(code));
        assert!(e.hint().is_some());
        assert_eq!(sb.stats().total_requests(), 1);
        let shown = format!("{e} {e:?} {bad:?}");
        for secret in ["wrong-key-XYZ", "unknown-id-XYZ", c.secret_key.as_str()] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}

#[tokio::test]
async fn path_injection_never_reaches_another_path() {
    let sb = start(config()).await;
    let c = client(&sb);
    let good = meeting(&sb, "seed-oneoff").id;
    let bad_ids = [
        "../1",
        "..",
        ".",
        "1/../../v1/meetings/2",
        "1?userid=admin1",
        "1#x",
        "1%2F2",
        "%2e%2e",
        "1 2",
        " 1",
        "1\n2",
        "1\r\nX-TC-Key: x",
        "1\u{0}",
        "1\u{7f}",
        "1\t",
        "１２３",
        "",
    ];
    for id in bad_ids {
        let e = c
            .attendees(&MeetingQuery::new(id))
            .await
            .err()
            .expect("rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}");
        let e = c
            .registrations(&MeetingQuery::new(id))
            .await
            .err()
            .expect("rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}");
        assert!(c.meeting_detail(id).await.is_err());
        assert!(
            c.participants_page(&ParticipantsParams::new(id), None)
                .await
                .is_err()
        );
        assert!(c.invitees_page(id, None).await.is_err());
        assert!(c.invitees_list(id).is_err());
        assert!(c.enrollments_list(id, RegistrationFilter::All).is_err());
        // As a sub-meeting id, too.
        let e = c
            .attendees(&MeetingQuery::new(&good).sub_meeting(id))
            .await
            .err()
            .expect("rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}");
    }
    let s = sb.stats();
    assert_eq!(s.total_requests(), 0, "{:?}", s.raw_targets);
    assert!(s.raw_targets.is_empty(), "{:?}", s.raw_targets);

    // Query values that need encoding are sent encoded and signed as sent: the operator id is
    // a query value, so a strange one reaches only the participants path.
    let odd = builder(&sb)
        .operator_id("owner1&userid=admin1#/../x")
        .build()
        .unwrap();
    let e = odd
        .participants_page(&ParticipantsParams::new(&good), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Forbidden,
        "signature accepted, operator refused"
    );
    let t = sb.stats().raw_targets;
    assert_eq!(t.len(), 1);
    assert!(
        t[0].starts_with(&format!(
            "/v1/meetings/{good}/participants?userid=owner1%26userid%3Dadmin1%23%2F..%2Fx&pos=0"
        )),
        "{}",
        t[0]
    );
}

#[tokio::test]
async fn nothing_secret_in_debug_display_or_errors() {
    let sb = start(config()).await;
    let creds = Credentials::new("200000001", "SID-secret-id-123", "SKEY-secret-key-456")
        .with_sdk_id("18000000002");
    let b = TencentMeetingClient::builder(creds.clone())
        .operator_id("owner1")
        .base_url(sb.base_url())
        .pacer(Pacer::unlimited());
    let client = b.clone().build().unwrap();
    let auth = AkSkAuthenticator::new(creds.clone()).unwrap();
    let m = meeting(&sb, "seed-oneoff");
    let api_error = client
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap_err();
    let local_error = client.meeting_detail("../x").await.unwrap_err();
    let config_error =
        TencentMeetingClient::builder(Credentials::new("a", "SID-secret-id-123", ""))
            .operator_id("o")
            .build()
            .unwrap_err();
    let env_error = TencentMeetingClientBuilder::from_lookup(|n| {
        (n == "ROSTER_TENCENT_SECRET_KEY").then(|| "SKEY-secret-key-456".to_string())
    })
    .unwrap_err();
    let shown = [
        format!("{creds:?}"),
        format!("{b:?}"),
        format!("{b:#?}"),
        format!("{client:?}"),
        format!("{auth:?}"),
        format!(
            "{:?}",
            client
                .participants_list(ParticipantsParams::new(&m.id))
                .unwrap()
        ),
        format!(
            "{:?}",
            client
                .enrollments_list(&m.id, RegistrationFilter::All)
                .unwrap()
        ),
        format!("{:?}", client.invitees_list(&m.id).unwrap()),
        format!("{api_error} {api_error:?}"),
        format!("{local_error} {local_error:?}"),
        format!("{config_error} {config_error:?}"),
        format!("{env_error} {env_error:?}"),
    ];
    for s in &shown {
        assert!(!s.contains("SID-secret-id-123"), "{s}");
        assert!(!s.contains("SKEY-secret-key-456"), "{s}");
        assert!(!s.contains("secret-key"), "{s}");
    }
    assert!(env_error.to_string().contains("ROSTER_TENCENT_APP_ID"));
    // The meeting password of a detail is not shown either.
    let c = self::client(&sb);
    let mut passwords = 0;
    for meeting in sb.catalog().of(Vendor::Tencent) {
        let Ok(Some(d)) = c.meeting_detail(&meeting.id).await else {
            continue;
        };
        if let Some(pw) = &d.password {
            use roster_core::ExposeSecret;
            passwords += 1;
            let shown = format!("{d:?}");
            assert!(!shown.contains(pw.expose_secret()), "{shown}");
        }
    }
    assert!(passwords > 0, "some meeting has a password");
}

#[tokio::test]
async fn trait_object_and_observer() {
    let sb = start(config()).await;
    let source: Box<dyn AttendeeSource> = Box::new(client(&sb));
    assert_eq!(source.vendor(), roster_core::Vendor::TencentMeeting);
    let m = meeting(&sb, "seed-oneoff");
    let pages = Arc::new(Mutex::new(Vec::new()));
    let p2 = pages.clone();
    let q = MeetingQuery::new(&m.id).observer(Arc::new(move |n: usize, _t: Option<u64>| {
        p2.lock().unwrap().push(n)
    }));
    let n = source.attendees(&q).await.unwrap().count().await;
    assert_eq!(pages.lock().unwrap().iter().sum::<usize>(), n);
    // max_items stops after the first page.
    sb.reset_stats();
    let three = source
        .attendees(&MeetingQuery::new(&m.id).max_items(3))
        .await
        .unwrap()
        .count()
        .await;
    assert_eq!(three, 3);
    assert_eq!(sb.stats().requests_to(P), 1);
    // Webinar roles, co-host roles and unknown values come through.
    let w = meeting(&sb, "seed-webinar");
    let web: Vec<Attendee> = source
        .attendees(&MeetingQuery::new(&w.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(&web, &sb.truth().tencent_participants(&w.id, None, None));
    assert!(
        web.iter()
            .any(|a| a.webinar_role == Some(roster_core::WebinarRole::Unknown(9)))
    );
    assert!(
        web.iter()
            .any(|a| a.webinar_role == Some(roster_core::WebinarRole::AudienceWithMedia))
    );
    assert!(
        web.iter()
            .any(|a| a.role == Some(roster_core::Role::CoHost))
    );
    let regs: Vec<_> = source
        .registrations(&MeetingQuery::new(&m.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        regs.len(),
        sb.truth().tencent_enroll_approvals(&m.id, None).len()
    );
}
