//! The access token (and the secret) never appear in traces, `Debug`, `Display` or errors of a
//! full run, faults and failures included.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use futures::{StreamExt, TryStreamExt};
use roster_core::{AttendeeSource, MeetingQuery, Window};
use roster_sandbox::Fault;
use roster_wecom::{SortingRules, WeComClient};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every `access_token` value the sandbox received, decoded.
fn tokens_seen(targets: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in targets {
        let Some((_, query)) = t.split_once('?') else {
            continue;
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if k == "access_token" && !out.contains(&v.to_string()) {
                out.push(v.into_owned());
            }
        }
    }
    out
}

#[test]
fn no_token_or_secret_in_any_output_of_a_full_run() {
    // The sandbox runs on its own runtime threads, outside the capturing subscriber (its logs
    // are not the client's).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sb = server_rt.block_on(sandbox_with(|c| c.wecom.token_ttl_secs = 3_600));

    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // `SubscriberInitExt::set_default` also forwards `log` records (reqwest's) into it.
    let guard = tracing_subscriber::util::SubscriberInitExt::set_default(subscriber);
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let secret = sb.credentials().wecom.corp_secret;
    let mut shown: Vec<String> = Vec::new();
    client_rt.block_on(async {
        let config = config(&sb);
        let client = config.clone().build().unwrap();
        let oneoff = meeting(&sb, "seed-oneoff");
        let faults = sb.faults();

        // Attendees across a revocation, a rejected token, a gateway page and a cut body.
        faults.inject_after("wecom.get_attendee_list", 1, Fault::RevokeTokens, 1);
        faults.inject("wecom.get_info", Fault::VendorCode(42001), 1);
        faults.inject("wecom.enroll_list", Fault::Http(502), 1);
        faults.inject("wecom.enroll_list", Fault::Truncate, 1);
        faults.inject("wecom.get_user_meetingid", Fault::RateLimit, 1);
        let list = client.attendee_list(&oneoff.id).limit(3).window(Window {
            start: time::OffsetDateTime::from_unix_timestamp(oneoff.start - 86_400).unwrap(),
            end: time::OffsetDateTime::from_unix_timestamp(oneoff.end + 86_400).unwrap(),
        });
        shown.push(format!("{list:?}"));
        let paginator = list.paginate().unwrap();
        shown.push(format!("{paginator:?}"));
        let pages: Vec<_> = paginator.pages().try_collect().await.unwrap();
        shown.push(format!("{pages:?}"));
        let attendees = collect(
            client
                .attendees(&MeetingQuery::new(&oneoff.id))
                .await
                .unwrap(),
        )
        .await;
        shown.push(format!("{attendees:?}"));
        let regs = collect(
            client
                .registrations(&MeetingQuery::new(&oneoff.id))
                .await
                .unwrap(),
        )
        .await;
        shown.push(format!("{regs:?}"));
        let info = client.get_info(&oneoff.id, None).await.unwrap();
        shown.push(format!("{info:?}"));
        let ids: Vec<String> = attendees.iter().filter_map(|a| a.temp_id.clone()).collect();
        let matches = client
            .enroll_ids(&oneoff.id, &ids, SortingRules::default())
            .await
            .unwrap();
        shown.push(format!("{matches:?}"));
        let now = time::OffsetDateTime::now_utc();
        let user = sb.credentials().wecom.userid;
        let mine: Vec<String> = client
            .user_meeting_ids(&user, now - time::Duration::days(30), now)
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        shown.push(format!("{mine:?}"));

        // Round two (§12): webinar enrollments, invitees, who is in the meeting, the waiting
        // room, across a rejected token, a gateway page and a revocation.
        let webinar = meeting(&sb, "seed-webinar");
        let live = meeting(&sb, "seed-live");
        faults.inject("wecom.webinar_enroll_list", Fault::VendorCode(40014), 1);
        faults.inject("wecom.get_realtime_attendee_list", Fault::Http(502), 1);
        faults.inject_after("wecom.waitingroom_get_user_list", 1, Fault::RevokeTokens, 1);
        faults.inject("wecom.get_invitees", Fault::Truncate, 1);
        for q in [&webinar.id, &live.id] {
            let regs = collect(client.registrations(&MeetingQuery::new(q)).await.unwrap()).await;
            assert!(!regs.is_empty());
            shown.push(format!("{regs:?}"));
        }
        let now_in = collect(
            client
                .live_attendees(&MeetingQuery::new(&live.id))
                .await
                .unwrap(),
        )
        .await;
        shown.push(format!("{now_in:?}"));
        let stays = collect(
            client
                .waiting_room(&MeetingQuery::new(&live.id))
                .await
                .unwrap(),
        )
        .await;
        assert!(!stays.is_empty());
        shown.push(format!("{stays:?}"));

        // Failures: every error's Display and Debug.
        let mut errors = Vec::new();
        errors.push(
            client
                .get_info("hy0000000000000000000000000000", None)
                .await
                .unwrap_err(),
        );
        faults.inject("wecom.get_info", Fault::VendorCode(40014), 2);
        errors.push(client.get_info(&oneoff.id, None).await.unwrap_err());
        faults.inject("wecom.get_info", Fault::Http(404), 1);
        errors.push(client.get_info(&oneoff.id, None).await.unwrap_err());
        faults.inject("wecom.get_info", Fault::Drop, 4);
        errors.push(client.get_info(&oneoff.id, None).await.unwrap_err());
        faults.inject("wecom.get_info", Fault::Truncate, 4);
        errors.push(client.get_info(&oneoff.id, None).await.unwrap_err());
        let recurring = meeting(&sb, "seed-recurring");
        let mut s = client
            .enroll_list(recurring.id.clone())
            .paginate()
            .unwrap()
            .items()
            .boxed();
        errors.push(s.next().await.unwrap().unwrap_err());
        let mut s = client
            .enroll_list(webinar.id.clone())
            .paginate()
            .unwrap()
            .items()
            .boxed();
        errors.push(s.next().await.unwrap().unwrap_err());
        let wrong = WeComClient::builder(Credentials::new(
            sb.credentials().wecom.corp_id,
            "wrong-secret-0001",
        ))
        .base_url(sb.base_url())
        .retry_policy(fast_policy())
        .build()
        .unwrap();
        errors.push(wrong.get_info(&oneoff.id, None).await.unwrap_err());
        shown.push(format!("{wrong:?}"));
        // A client timing out on a stalled answer.
        let slow = config
            .clone()
            .http(
                roster_core::HttpConfig::default().with_request_timeout(Duration::from_millis(200)),
            )
            .retry_policy(roster_core::RetryPolicy::never())
            .build()
            .unwrap();
        faults.set_stall(Duration::from_secs(2));
        faults.inject("wecom.get_info", Fault::Stall, 1);
        errors.push(slow.get_info(&oneoff.id, None).await.unwrap_err());
        for e in &errors {
            shown.push(format!("{e}"));
            shown.push(format!("{e:?}"));
            shown.push(format!("{:?}", e.body_snippet()));
        }

        // Every config, client and token type.
        let token = client.access_token().await.unwrap();
        shown.push(format!("{token:?}"));
        shown.push(format!("{} {:?}", client.token_key(), client.token_key()));
        shown.push(format!("{client:?}"));
        shown.push(format!("{config:?}"));
        shown.push(format!("{:?}", client.enroll_list(&oneoff.id)));
        let store = roster_wecom::MemoryTokenStore::new();
        roster_wecom::TokenStore::put(&store, client.token_key(), token.clone())
            .await
            .unwrap();
        shown.push(format!("{store:?}"));
        let raw: roster_wecom::wire::GetTokenResponse = serde_json::from_str(&format!(
            r#"{{"access_token":"{}","expires_in":7200}}"#,
            roster_core::ExposeSecret::expose_secret(token.secret())
        ))
        .unwrap();
        shown.push(format!("{raw:?}"));
    });
    drop(guard);

    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    // The capture works: client spans and events are in it.
    assert!(log.contains("get_attendee_list"), "{log}");
    assert!(log.contains("roster.http"));
    assert!(log.contains("token fetched") && log.contains("wecom:"));
    // The cache key is logged by its scope only: no fingerprint of the secret (an offline
    // oracle for guessing it).
    let key = roster_wecom::TokenKey::new(
        format!("wecom:{}", sb.credentials().wecom.corp_id),
        &roster_core::SecretString::from(secret.clone()),
    );
    assert!(!log.contains(key.fingerprint()), "{log}");
    assert!(
        log.contains("reqwest::"),
        "reqwest's log records are captured too"
    );

    let tokens = tokens_seen(&sb.stats().raw_targets);
    assert!(
        tokens.len() >= 3,
        "several tokens were issued: {}",
        tokens.len()
    );
    let encoded: Vec<String> = tokens
        .iter()
        .map(|t| url::form_urlencoded::byte_serialize(t.as_bytes()).collect())
        .collect();
    for needle in tokens
        .iter()
        .chain(&encoded)
        .chain([&secret, &"wrong-secret-0001".to_string()])
    {
        assert!(
            !log.contains(needle.as_str()),
            "the trace log holds a secret"
        );
        for s in &shown {
            assert!(
                !s.contains(needle.as_str()),
                "an output holds a secret: {s}"
            );
        }
    }
    assert!(
        !log.contains("access_token="),
        "no URL with a token in the log"
    );
    assert!(!log.contains("corpsecret="));
}
