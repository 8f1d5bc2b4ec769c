//! WeCom emulator: seed determinism, catalog sizes and fixture meetings (docs/specs/wecom.md
//! §9 items 14, 15).

mod common;
mod wecom_common;

use wecom_common::*;

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    async fn snapshot(seed: u64) -> (Vec<(String, String, usize)>, Vec<Value>, Vec<Value>) {
        let wc = Wc::new(SandboxConfig {
            seed,
            ..small_config()
        })
        .await;
        let ids = wc
            .sb
            .catalog()
            .of(Vendor::WeCom)
            .map(|m| (m.label.clone(), m.id.clone(), m.sessions))
            .collect();
        let m = wc.meeting("small-1");
        let (rows, _) = wc
            .attendees(&json!({"meetingid": m.id, "start_time": m.start, "end_time": m.end}))
            .await;
        let e = wc
            .sb
            .truth()
            .wecom_webinar_enrollments(&wc.meeting("seed-webinar").id, None);
        wc.sb.shutdown().await;
        (ids, rows, e)
    }
    let a = snapshot(7).await;
    assert_eq!(a, snapshot(7).await);
    let b = snapshot(8).await;
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    assert_ne!(a.2, b.2);
}

#[tokio::test]
async fn catalog_sizes_and_benchmark_meetings() {
    let wc = Wc::new(SandboxConfig {
        data: DataConfig {
            small_meetings: 100,
            large_meetings: vec![5_000, 50_000],
            ..DataConfig::default()
        },
        ..small_config()
    })
    .await;
    let catalog = wc.sb.catalog();
    let small: Vec<_> = catalog
        .of(Vendor::WeCom)
        .filter(|m| m.label.starts_with("small-"))
        .collect();
    assert_eq!(small.len(), 100);
    for m in &small {
        let rows: usize = if m.kind == MeetingKind::Recurring {
            m.sub_meetings
                .iter()
                .map(|s| wc.sb.truth().wecom_attendee_count(&m.id, Some(&s.id), None))
                .sum()
        } else {
            wc.sb.truth().wecom_attendee_count(&m.id, None, None)
        };
        assert_eq!(rows, m.sessions, "{}", m.label);
    }
    for (label, n) in [("large-5000", 5_000), ("large-50000", 50_000)] {
        let m = wc.meeting(label);
        assert_eq!(m.sessions, n);
        assert_eq!(wc.sb.truth().wecom_attendee_count(&m.id, None, None), n);
        assert!(m.end - m.start <= WINDOW, "one window covers it");
    }
    let m = wc.meeting("large-5000");
    let (rows, pages) = wc
        .attendees(
            &json!({"meetingid": m.id, "start_time": m.start, "end_time": m.end, "limit": 100}),
        )
        .await;
    assert_eq!(rows.len(), 5_000);
    assert_eq!(pages.len(), 50);
    assert_eq!(rows, wc.sb.truth().wecom_attendees(&m.id, None, None));
    let snap = wc.sb.stats();
    assert_eq!(snap.requests_to("wecom.get_attendee_list"), 50);
    assert_eq!(snap.requests_to("wecom.gettoken"), 1);
    assert_eq!(snap.tokens_of(Vendor::WeCom), 1);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn fixture_meetings_are_served() {
    let fixture = Fixture::from_json(
        r#"{"meetings":[
          {"label":"mine","vendors":["wecom"],"id":"hyMINE","code":"123456789","subject":"我的会议",
           "creator":"owner1","start":1699990000,"end":1699993600,"enrollment":true,
           "attendees":[
             {"userid":"amy","name":"Amy","device":3,"sessions":[{"join":1699990100,"leave":1699990500},{"join":1699991000}],
              "overrides":{"wecom":{"customer_data":"vip"}}},
             {"key":"guest","name":"Guest","sessions":[{"join":1699990050,"leave":1699990060}]},
             {"userid":"outsider","name":"Hidden","sessions":[{"join":1699990070,"leave":1699990080}]}
           ],
           "enrollments":[{"person":"amy","userid":"amy","name":"Amy","status":"approved","time":1699900000}],
           "overrides":{"wecom":{"location":"会议室 A"}}},
          {"label":"rec","vendors":["wecom"],"kind":"recurring","subject":"R","start":1699000000,"end":1699900000,
           "sub_meetings":[{"id":"s1","start":1699000000,"end":1699003600,"state":"ended"}],
           "attendees":[{"userid":"bo","name":"Bo","sessions":[{"join":1699000100,"leave":1699000200,"sub_meeting":0}]}]},
          {"label":"tencent-only","vendors":["tencent"],"subject":"T","start":1,"end":2}
        ]}"#,
    )
    .unwrap();
    let wc = Wc::new(SandboxConfig {
        fixture: Some(fixture),
        ..small_config()
    })
    .await;
    assert!(
        wc.sb
            .catalog()
            .by_label(Vendor::WeCom, "tencent-only")
            .is_none()
    );
    let m = wc.meeting("mine");
    assert_eq!((m.id.as_str(), m.code.as_str()), ("hyMINE", "123456789"));
    assert_eq!(m.state, MeetingState::InProgress, "a session is open");
    assert_eq!(m.sessions, 3, "the hidden member's row is not counted");
    let (rows, _) = wc
        .attendees(&json!({"meetingid": "hyMINE", "start_time": m.start, "end_time": m.end}))
        .await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["userid"], "", "the guest joined first");
    assert_eq!(rows[1]["customer_data"], "vip");
    assert_eq!(rows[1]["instance_id"], 3);
    assert_eq!(rows[2]["quit_time"], "");
    let info = wc.post(INFO, &json!({"meeting_code": "123456789"})).await;
    assert_eq!(info.json["location"], "会议室 A");
    assert_eq!(info.json["status"], 2);
    let (e, _) = wc
        .chain(ENROLL_LIST, &json!({"meetingid": "hyMINE"}), "enroll_list")
        .await;
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0]["tmp_openid"], rows[1]["tmp_openid"],
        "enrollment linked to the attendee"
    );
    let rec = wc.meeting("rec");
    let (rows, _) = wc
        .attendees(&json!({"meetingid": rec.id, "sub_meetingid": "s1"}))
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["userid"], "bo");
    wc.sb.shutdown().await;
}
