//! WeCom emulator: enrollment lists and enrollment ids by tmp_openid against the ground
//! truth, over raw HTTP (docs/specs/wecom.md §4.2, §4.3, §9; the webinar twins §12.1, §12.2).

mod common;
mod wecom_common;

use wecom_common::*;

#[tokio::test]
async fn enrollment_lists() {
    let wc = Wc::small().await;
    let web = wc.meeting("seed-webinar");
    assert_eq!(web.enrollments, 120);
    // A webinar's enrollments are served by webinar/enroll/list (docs/specs/wecom.md §12.1).
    let first = json!({"meetingid": web.id, "limit": 50});
    let (rows, pages) = wc.chain(WEBINAR_ENROLL_LIST, &first, "enroll_list").await;
    assert_eq!(pages.len(), 3);
    assert_eq!(
        pages
            .iter()
            .map(|p| p.json["enroll_list"].as_array().unwrap().len())
            .collect::<Vec<_>>(),
        [50, 50, 20]
    );
    assert_eq!(rows, wc.sb.truth().wecom_webinar_enrollments(&web.id, None));
    // The last cursor again: empty, has_more false, a cursor.
    let mut again = first.clone();
    again["cursor"] = pages[2].json["next_cursor"].clone();
    let r = wc.post(WEBINAR_ENROLL_LIST, &again).await;
    assert_eq!(r.json["enroll_list"], json!([]));
    assert_eq!(r.json["has_more"], false);
    assert!(!r.json["next_cursor"].as_str().unwrap().is_empty());
    let ids: HashSet<&str> = rows
        .iter()
        .map(|r| r["enroll_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 120, "enroll_id strings, unique per meeting");
    for r in &rows {
        let t = r["enroll_time"].as_str().unwrap();
        let b = t.as_bytes();
        assert!(
            t.len() == 16 && b[4] == b'/' && b[7] == b'/' && b[10] == b' ' && b[13] == b':',
            "YYYY/MM/DD HH:mm: {t}"
        );
    }
    // Status filters.
    for status in 1..=3 {
        let (rows, _) = wc
            .chain(
                WEBINAR_ENROLL_LIST,
                &json!({"meetingid": web.id, "status": status, "limit": 17}),
                "enroll_list",
            )
            .await;
        assert_eq!(
            rows,
            wc.sb
                .truth()
                .wecom_webinar_enrollments(&web.id, Some(status))
        );
        assert!(!rows.is_empty() && rows.iter().all(|r| r["status"] == status));
    }
    // Defaults and limits, on both families (enroll/list on seed-oneoff's 8 rows).
    let oneoff = wc.meeting("seed-oneoff");
    for (path, id) in [(WEBINAR_ENROLL_LIST, &web.id), (ENROLL_LIST, &oneoff.id)] {
        let r = wc.post(path, &json!({"meetingid": id, "limit": 5})).await;
        assert_eq!(r.json["enroll_list"].as_array().unwrap().len(), 5);
        let mut next = json!({"meetingid": id, "limit": 5, "cursor": r.json["next_cursor"]});
        wc.post(path, &next).await.assert_ok();
        next["limit"] = json!(6);
        wc.post(path, &next).await.assert_code(40058);
        next["limit"] = json!(5);
        next["status"] = json!(3);
        wc.post(path, &next).await.assert_code(40058);
        for bad in [
            json!({"limit": 51}),
            json!({"limit": 0}),
            json!({"status": 4}),
            json!({"status": -1}),
        ] {
            let mut b = bad.clone();
            b["meetingid"] = json!(id);
            wc.post(path, &b).await.assert_code(40058);
        }
    }
    let r = wc
        .post(WEBINAR_ENROLL_LIST, &json!({"meetingid": web.id}))
        .await;
    assert_eq!(
        r.json["enroll_list"].as_array().unwrap().len(),
        50,
        "default 50"
    );

    // Seed oddities: every status, question type and special type; a phone import.
    let m = wc.meeting("seed-oneoff");
    let (rows, _) = wc
        .chain(ENROLL_LIST, &json!({"meetingid": m.id}), "enroll_list")
        .await;
    let statuses: HashSet<i64> = rows.iter().map(|r| r["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, HashSet::from([1, 2, 3]));
    let answers: Vec<&Value> = rows
        .iter()
        .flat_map(|r| r["answer_list"].as_array().unwrap())
        .collect();
    let qtypes: HashSet<i64> = answers
        .iter()
        .map(|a| a["question_type"].as_i64().unwrap())
        .collect();
    let specials: HashSet<i64> = answers
        .iter()
        .map(|a| a["special_type"].as_i64().unwrap())
        .collect();
    let required: HashSet<i64> = answers
        .iter()
        .map(|a| a["is_required"].as_i64().unwrap())
        .collect();
    assert_eq!(qtypes, HashSet::from([1, 2, 3]));
    assert_eq!(specials, HashSet::from([1, 2, 3, 4, 5]));
    assert_eq!(required, HashSet::from([1, 2]));
    let import = rows
        .iter()
        .find(|r| r["enroll_source_type"] == 2 && r.get("tmp_openid").is_none())
        .expect("a phone import who never joined, without tmp_openid");
    assert_eq!(import["nick_name"], "13500000000");
    assert!(import.get("userid").is_none());
    assert!(
        rows.iter()
            .any(|r| r["userid"] == "test1" && r["enroll_source_type"] == 1)
    );

    // Enrollment disabled.
    let rec = wc.meeting("seed-recurring");
    for path in [ENROLL_LIST, ENROLL_QUERY] {
        let r = wc
            .post(
                path,
                &json!({"meetingid": rec.id, "tmp_openid_list": ["x"]}),
            )
            .await;
        r.assert_code(40058);
        assert!(r.errmsg().starts_with("enroll not enabled"), "{}", r.text);
    }
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn enroll_ids_by_tmp_openid() {
    let wc = Wc::small().await;
    let m = wc.meeting("seed-oneoff");
    let rows = wc.sb.truth().wecom_attendees(&m.id, None, None);
    let enrolls = wc.sb.truth().wecom_enrollments(&m.id, None);
    let all_tmp: Vec<String> = rows
        .iter()
        .map(|r| r["tmp_openid"].as_str().unwrap().to_owned())
        .chain(
            enrolls
                .iter()
                .filter_map(|e| e["tmp_openid"].as_str().map(str::to_owned)),
        )
        .collect();
    let refs: Vec<&str> = all_tmp.iter().map(String::as_str).collect();

    // Limits.
    let q = |ids: Value| json!({"meetingid": m.id, "tmp_openid_list": ids});
    wc.post(ENROLL_QUERY, &q(json!([])))
        .await
        .assert_code(40058);
    wc.post(ENROLL_QUERY, &json!({"meetingid": m.id}))
        .await
        .assert_code(40058);
    let many: Vec<String> = (0..501).map(|i| format!("unknown{i}")).collect();
    wc.post(ENROLL_QUERY, &q(json!(many)))
        .await
        .assert_code(40058);
    let r = wc.post(ENROLL_QUERY, &q(json!(many[..500]))).await;
    r.assert_ok();
    assert!(
        r.json.get("enroll_id_list").is_none(),
        "omitted when nothing matches: {}",
        r.text
    );
    let mut bad_rule = q(json!(refs));
    bad_rule["sorting_rules"] = json!(3);
    wc.post(ENROLL_QUERY, &bad_rule).await.assert_code(40058);

    // Everyone: enrolled people only, unknown ids skipped, matches the truth and enroll/list.
    let mut with_unknown = refs.clone();
    with_unknown.insert(1, "nobody");
    let r = wc.post(ENROLL_QUERY, &q(json!(with_unknown))).await;
    r.assert_ok();
    let list = r.json["enroll_id_list"].as_array().unwrap().clone();
    assert_eq!(
        list,
        wc.sb.truth().wecom_enroll_ids(&m.id, &with_unknown, None)
    );
    let by_id: HashMap<&str, &Value> = enrolls
        .iter()
        .map(|e| (e["enroll_id"].as_str().unwrap(), e))
        .collect();
    for e in &list {
        assert_eq!(
            by_id[e["enroll_id"].as_str().unwrap()]["tmp_openid"],
            e["tmp_openid"]
        );
    }
    let with_tmp = enrolls
        .iter()
        .filter(|e| e.get("tmp_openid").is_some())
        .count();
    assert_eq!(list.len(), with_tmp);

    // One person with two enrollments: sorting_rules 1 puts the import first, 2 the
    // self-service one.
    let pstn = enrolls
        .iter()
        .filter(|e| e["nick_name"] == "电话用户" || e["nick_name"] == "13600000000")
        .collect::<Vec<_>>();
    assert_eq!(pstn.len(), 2);
    let t = pstn[0]["tmp_openid"].as_str().unwrap();
    assert_eq!(pstn[1]["tmp_openid"], t);
    let source_of = |id: &Value| by_id[id.as_str().unwrap()]["enroll_source_type"].clone();
    for (rule, first_source) in [(1, 2), (2, 1)] {
        let mut body = q(json!([t]));
        body["sorting_rules"] = json!(rule);
        let r = wc.post(ENROLL_QUERY, &body).await;
        let l = r.json["enroll_id_list"].as_array().unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(source_of(&l[0]["enroll_id"]), first_source, "rule {rule}");
        assert_eq!(*l, wc.sb.truth().wecom_enroll_ids(&m.id, &[t], Some(rule)));
    }
    wc.sb.shutdown().await;
}
