//! WeCom callbacks against the official sample vectors (docs/specs/webhooks.md §2): the URL
//! check, an event padded with 30 bytes (the case 16-byte unpadders reject), every distinct
//! failure, the meeting events, and garbage of any shape never panicking.

use proptest::prelude::*;
use roster_core::webhook::{PresenceKind, WebhookErrorKind};
use roster_wecom::callback::{CallbackConfig, CallbackEvent, ChangeType};

const TOKEN: &str = "QDG6eK";
const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const CORP: &str = "wx5823bf96d3bd56c7";
const ECHO: &str =
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
const POST_ENCRYPT: &str = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

fn config() -> CallbackConfig {
    CallbackConfig::new(TOKEN, KEY, CORP).unwrap()
}

fn envelope(encrypt: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><AgentID><![CDATA[218]]></AgentID><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
}

#[test]
fn the_official_url_check_answers_its_plaintext() {
    let got = config()
        .verify_url(
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
            "1409659589",
            "263014780",
            ECHO,
        )
        .unwrap();
    assert_eq!(got, "1616140317555161061");
}

#[test]
fn the_official_event_padded_with_30_bytes_opens() {
    let xml = config()
        .open_event(
            "477715d11cdb4164915debcba66cb864d751f3e6",
            "1409659813",
            "1372623149",
            &envelope(POST_ENCRYPT),
        )
        .unwrap();
    let event = CallbackEvent::parse(&xml).unwrap();
    assert_eq!(event.fields["Content"], "hello");
    assert_eq!(event.fields["MsgId"], "4561255354251345929");
    assert_eq!(event.msg_type.as_deref(), Some("text"));
    assert!(
        event.presence().is_none(),
        "a text message is no presence change"
    );
}

#[test]
fn each_failure_has_its_kind_and_says_nothing_secret() {
    let c = config();
    let check = |r: Result<String, roster_core::webhook::WebhookError>, kind: WebhookErrorKind| {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        let shown = format!("{e} {e:?}");
        for secret in [TOKEN, KEY, "1616140317555161061"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    };
    // Signature: tampered, or over another nonce.
    check(
        c.verify_url(
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4",
            "1409659589",
            "263014780",
            ECHO,
        ),
        WebhookErrorKind::Signature,
    );
    check(
        c.verify_url(
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
            "1409659589",
            "1",
            ECHO,
        ),
        WebhookErrorKind::Signature,
    );
    // The right signature over the wrong content: base64, padding, frame.
    let signed = |data: &str| {
        let sig = roster_core::webhook::signature(&[TOKEN, "1", "2", data]);
        c.verify_url(&sig, "1", "2", data)
    };
    check(signed("not base64!"), WebhookErrorKind::Base64);
    check(signed("AAAA"), WebhookErrorKind::Padding);
    check(signed(&"A".repeat(64)), WebhookErrorKind::Padding);
    // Another corp's message.
    let other = CallbackConfig::new(TOKEN, KEY, "wwanothercorp").unwrap();
    check(
        other.verify_url(
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
            "1409659589",
            "263014780",
            ECHO,
        ),
        WebhookErrorKind::ReceiveId,
    );
    // Bodies that are no envelope.
    check(
        c.open_event("x", "1", "2", "<xml><A>1</A></xml>"),
        WebhookErrorKind::Payload,
    );
    check(
        c.open_event("x", "1", "2", "{\"Encrypt\":1}"),
        WebhookErrorKind::Payload,
    );
    // A bad key is refused when configured.
    assert_eq!(
        CallbackConfig::new(TOKEN, "short", CORP)
            .unwrap_err()
            .kind(),
        WebhookErrorKind::Key
    );
    assert_eq!(WebhookErrorKind::ReceiveId.wecom_code(), -40005);
    let shown = format!("{c:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains(KEY) && shown.contains(CORP));
}

#[test]
fn meeting_changes_become_joins_and_leaves_with_a_delivery_key() {
    let xml = "<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>\
        <FromUserTmpOpenId><![CDATA[tmp-1]]></FromUserTmpOpenId><CreateTime>1348831860</CreateTime>\
        <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[meeting_change]]></Event>\
        <ChangeType><![CDATA[join_meeting]]></ChangeType><MeetingId><![CDATA[hy123]]></MeetingId></xml>";
    let joined = CallbackEvent::parse(xml).unwrap();
    assert_eq!(joined.change_type, Some(ChangeType::JoinMeeting));
    let p = joined.presence().unwrap();
    assert_eq!(p.kind, PresenceKind::Joined);
    assert_eq!(
        (
            p.meeting_id.as_str(),
            p.user_id.as_deref(),
            p.temp_id.as_deref()
        ),
        ("hy123", Some("zhangsan"), Some("tmp-1"))
    );
    assert_eq!(p.at.unwrap().unix_timestamp(), 1_348_831_860);
    let quit = CallbackEvent::parse(&xml.replace("join_meeting", "quit_meeting")).unwrap();
    assert_eq!(quit.presence().unwrap().kind, PresenceKind::Left);
    assert_ne!(joined.dedup_key(), quit.dedup_key());
    assert_eq!(
        joined.dedup_key(),
        CallbackEvent::parse(xml).unwrap().dedup_key()
    );
    // Unknown change types are kept, and are no presence change.
    let odd = CallbackEvent::parse(&xml.replace("join_meeting", "move_to_waiting_room")).unwrap();
    assert_eq!(
        odd.change_type,
        Some(ChangeType::Other("move_to_waiting_room".into()))
    );
    assert!(odd.presence().is_none());
    // Plain text with entities.
    let e = CallbackEvent::parse("<xml><Content>a &amp; b</Content></xml>").unwrap();
    assert_eq!(e.fields["Content"], "a & b");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn garbage_of_any_shape_never_panics(
        sig in ".{0,60}", ts in ".{0,20}", nonce in ".{0,20}", data in ".{0,300}",
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let c = config();
        let _ = c.verify_url(&sig, &ts, &nonce, &data);
        let _ = c.open_event(&sig, &ts, &nonce, &data);
        let _ = c.open_event(&sig, &ts, &nonce, &envelope(&data));
        let _ = CallbackEvent::parse(&data);
        let text = String::from_utf8_lossy(&bytes);
        let _ = CallbackEvent::parse(&text);
        // Correctly signed random ciphertext: reaches decryption and the frame checks.
        let b64 = base64_of(&bytes);
        let signed = roster_core::webhook::signature(&[TOKEN, "1", "2", &b64]);
        let _ = c.verify_url(&signed, "1", "2", &b64);
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
