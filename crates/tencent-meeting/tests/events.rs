//! Tencent Meeting event subscriptions against the spec's vectors (docs/specs/webhooks.md §1):
//! the official plain-mode event (unpadded base64, the older shape), the encrypted URL check
//! and event, breakout moves, unknown events, every failure kind, and garbage never panicking.

use proptest::prelude::*;
use roster_core::webhook::{PresenceKind, WebhookErrorKind, signature};
use roster_tencent_meeting::events::{ACKNOWLEDGEMENT, EventName, WebhookConfig, WebhookEvent};

const TOKEN: &str = "bVPU6F8Htxl5XkAbp3jGV2xWp";
const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const TS: &str = "1609239040864";
const NONCE: &str = "14964161";
const OFFICIAL_DATA: &str = "eyJldmVudCI6Im1lZXRpbmcuY3JlYXRlZCIsInVuaXF1ZV9zZXF1ZW5jZSI6ImYyMDA5NmVlLThhYzgtNGRmMi1hN2RlLTA1NzQ2NDlmMjExYiIsInBheWxvYWQiOlt7Im9wZXJhdGVfdGltZSI6IjIwMjAtMTItMjkgMTc6NDE6MDYiLCJvcGVyYXRvciI6eyJ1c2VyaWQiOiJ0ZXN0ZXIwMDAwNmJhNWJhYjMzOTg1OGMxM2M5MzBjY2E5NTY4NCJ9LCJtZWV0aW5nX2luZm8iOnsibWVldGluZ19pZCI6IjYwNTg4OTAzODU0ODA5MjEwNTIiLCJtZWV0aW5nX2NvZGUiOiI1MzA4MTI0NTIiLCJzdWJqZWN0IjoibWVkaWEgdGVzdGVyIG1lZXRpbmciLCJjcmVhdG9yX2lkIjoidGVzdGVyMDAwMDZiYTViYWIzMzk4NThjMTNjOTMwY2NhOTU2ODQiLCJob3N0cyI6WyJ0ZXN0ZXIwMDAwNmJhNWJhYjMzOTg1OGMxM2M5MzBjY2E5NTY4NCJdLCJtZWV0aW5nX3R5cGUiOjAsInN0YXJ0X3RpbWUiOiIyMDIwLTEyLTI5IDE3OjQxOjA0IiwiZW5kX3RpbWUiOiIyMDIwLTEyLTI5IDE4OjAxOjA0In19XX0";
const OFFICIAL_SIGNATURE: &str = "b11e507817336a91d7df0c8536ee2aca18bbbae8";
const CHECK_STR: &str = "CJu+1QGtrqtyL8dKiNoKa4EhcmFxwXAyMqrjkhzQUO8=";
const CHECK_SIGNATURE: &str = "6ef8e35e0c872fa0eb761ea60ecd74806dcce7bc";
const ENCRYPTED_DATA: &str = "Mp6jnwN+WfndLAlTzF5o4TIzHQat83aCIe5ZoHlfiNmSCUrxMV1H5wWIq3X2vAB9W8JbybtBKU35Aq/vsz+Q6GL4NkqvlHjQbJkbMHPPiDEUjpSXkSHqP2ovbnONr3Za62tEPxMdjUnS+5H0mppjpS7bot3qAEP9kKZafZKmpoLn27/jGnewmyilOvwSLZaawENwmpq/kNyWULMORkMqw6D4tqbFdpLdHj9vBt49PzfbhlmOOpEiyJ5zIwILeWskD1oewa99iGgDdyPcCXKLLGSOybNsBAv1aVWBvV2Qhzh2E3cD3YgcHTHLxUYAQ4k/6wDvZr3czxkpmm8xcuscq0rkDQL7Hlql1prrOME/vPQztS8ouQjPGAykNyZ5URvWPy7ehDYoFwYZjdjIK/UDpcNq5P7y+4Qv4E1Q4q3pNQ+vcQQ2eD1eAv4JqjiQIVVYh9mDXXniASdf5q92lTZ/i3lohClNTsgnPB3F/tSs9kLpXDMiuBky+zatmLWI7enKYmfgC+NHCtL8TIlOJ+TbXhfJCtQrGz3vhdfoyUPVycvFj/R05eprBXlljViFtKabhxgr/GjqS6wSKeZ+vFjp/InfhwSGiIH6HR8+wYXgZ4dU12LGHGDdCLxV1OAiTMEy";
const ENCRYPTED_SIGNATURE: &str = "09e03c34b02cd7ec1363a44ed46aae0d6af44169";

fn body(data: &str) -> Vec<u8> {
    serde_json::json!({ "data": data }).to_string().into_bytes()
}

#[test]
fn the_official_event_verifies_and_decodes_unpadded_in_the_older_shape() {
    let plain = WebhookConfig::new(TOKEN, None).unwrap();
    let event = plain
        .open_event(TS, NONCE, OFFICIAL_SIGNATURE, &body(OFFICIAL_DATA))
        .unwrap();
    assert_eq!(event.name, EventName::Other("meeting.created".into()));
    assert_eq!(
        event.delivery_id.as_deref(),
        Some("f20096ee-8ac8-4df2-a7de-0574649f211b")
    );
    let item = &event.payload[0];
    assert_eq!(item.meeting_id.as_deref(), Some("6058890385480921052"));
    // "2020-12-29 17:41:06" in UTC+8.
    assert_eq!(item.operate_time.unwrap().unix_timestamp(), 1_609_234_866);
    assert!(event.presence().is_empty(), "a creation is no join");
    assert_eq!(ACKNOWLEDGEMENT, "successfully received callback");
}

#[test]
fn the_encrypted_url_check_and_event_open_in_the_current_shape() {
    let encrypted = WebhookConfig::new(TOKEN, Some(KEY)).unwrap();
    assert_eq!(
        encrypted
            .verify_url(TS, NONCE, CHECK_SIGNATURE, CHECK_STR)
            .unwrap(),
        "1616140317555161061"
    );
    let event = encrypted
        .open_event(TS, NONCE, ENCRYPTED_SIGNATURE, &body(ENCRYPTED_DATA))
        .unwrap();
    assert_eq!(event.name, EventName::ParticipantJoined);
    assert_eq!(
        event.delivery_id.as_deref(),
        Some("e7aa65dd-f7e6-4b62-912c-2035173b34a9")
    );
    let joins = event.presence();
    assert_eq!(joins.len(), 1);
    let j = &joins[0];
    assert_eq!(j.kind, PresenceKind::Joined);
    assert_eq!(j.meeting_id, "13339451618278424869");
    assert_eq!(
        (j.user_id.as_deref(), j.temp_id.as_deref()),
        (Some("tester"), Some("WMfgHRYj6m36mcDGtK"))
    );
    assert_eq!(
        (j.display_name.as_deref(), j.instance_id.as_deref()),
        (Some("tester_name"), Some("2"))
    );
    assert_eq!(
        j.at.unwrap().unix_timestamp_nanos(),
        1_609_313_201_465_000_000
    );
    // The plain-mode subscription cannot read it: the signature holds, the JSON does not.
    let plain = WebhookConfig::new(TOKEN, None).unwrap();
    let e = plain
        .open_event(TS, NONCE, ENCRYPTED_SIGNATURE, &body(ENCRYPTED_DATA))
        .unwrap_err();
    assert_eq!(e.kind(), WebhookErrorKind::Payload);
}

#[test]
fn breakout_moves_neither_open_nor_close_and_every_item_counts() {
    let event = |scene: i64| {
        serde_json::json!({
            "event": "meeting.participant-left", "trace_id": "t",
            "payload": [
                {"operate_time": 1_700_000_000_000_i64, "operator": {"userid": "a", "instance_id": 5},
                 "meeting_info": {"meeting_id": "m1", "action_scene_type": scene}},
                {"operate_time": "1700000001000", "operator": {"pstn_number": "+86-10"},
                 "meeting_info": {"meeting_id": "m1", "action_scene_type": 0}},
                "not an item"
            ],
            "unknown_field": {"kept": true}
        })
        .to_string()
    };
    for (scene, n) in [(0, 2), (1, 2), (2, 1), (3, 1), (4, 2)] {
        let e = WebhookEvent::parse(event(scene).as_bytes()).unwrap();
        let left = e.presence();
        assert_eq!(left.len(), n, "scene {scene}");
        assert!(left.iter().all(|p| p.kind == PresenceKind::Left));
        assert!(e.raw.contains_key("unknown_field"));
    }
    let e = WebhookEvent::parse(event(0).as_bytes()).unwrap();
    assert_eq!(e.presence()[0].instance_id.as_deref(), Some("5"));
    assert_eq!(e.presence()[1].phone.as_deref(), Some("+86-10"));
    let odd =
        WebhookEvent::parse(br#"{"event":"meeting.participant-admitted","payload":{}}"#).unwrap();
    assert_eq!(
        odd.name,
        EventName::Other("meeting.participant-admitted".into())
    );
    assert!(odd.payload.is_empty() && odd.presence().is_empty());
}

#[test]
fn each_failure_has_its_kind_and_says_nothing_secret() {
    let c = WebhookConfig::new(TOKEN, Some(KEY)).unwrap();
    let check = |e: roster_core::webhook::WebhookError, kind: WebhookErrorKind| {
        assert_eq!(e.kind(), kind, "{e}");
        let shown = format!("{e} {e:?}");
        for secret in [TOKEN, KEY, "1616140317555161061"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    };
    check(
        c.verify_url(TS, NONCE, OFFICIAL_SIGNATURE, CHECK_STR)
            .unwrap_err(),
        WebhookErrorKind::Signature,
    );
    // `+` read as a space (a wrong percent-decoding) breaks the signature.
    check(
        c.verify_url(TS, NONCE, CHECK_SIGNATURE, &CHECK_STR.replace('+', " "))
            .unwrap_err(),
        WebhookErrorKind::Signature,
    );
    let signed = |data: &str| (signature(&[TOKEN, TS, NONCE, data]), data.to_string());
    let (sig, data) = signed("%%%");
    check(
        c.verify_url(TS, NONCE, &sig, &data).unwrap_err(),
        WebhookErrorKind::Base64,
    );
    let (sig, data) = signed("AAAAAAAAAAAAAAAAAAAAAA");
    check(
        c.verify_url(TS, NONCE, &sig, &data).unwrap_err(),
        WebhookErrorKind::Padding,
    );
    check(
        c.open_event(TS, NONCE, "x", b"not json").unwrap_err(),
        WebhookErrorKind::Payload,
    );
    check(
        c.open_event(TS, NONCE, "x", br#"{"data":5}"#).unwrap_err(),
        WebhookErrorKind::Payload,
    );
    check(
        WebhookConfig::new(TOKEN, Some("bad key")).unwrap_err(),
        WebhookErrorKind::Key,
    );
    let shown = format!("{c:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains(KEY), "{shown}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn garbage_of_any_shape_never_panics(
        sig in ".{0,60}", ts in ".{0,20}", data in ".{0,300}",
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        for c in [WebhookConfig::new(TOKEN, None).unwrap(), WebhookConfig::new(TOKEN, Some(KEY)).unwrap()] {
            let _ = c.verify_url(&ts, NONCE, &sig, &data);
            let _ = c.open_event(&ts, NONCE, &sig, &bytes);
            let _ = c.open_event(&ts, NONCE, &sig, &body(&data));
            // Correctly signed garbage reaches decoding, decryption and parsing.
            let s = signature(&[TOKEN, TS, NONCE, &data]);
            let _ = c.open_event(TS, NONCE, &s, &body(&data));
        }
        let _ = WebhookEvent::parse(&bytes);
        let _ = WebhookEvent::parse(data.as_bytes()).map(|e| e.presence());
    }
}
