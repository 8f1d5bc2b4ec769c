//! A full run of every vendor — attendees and registrations, through faults, token
//! refreshes and at least one failure each — with the client's tracing captured at TRACE, plus
//! `Debug` and `Display` of every configuration, client, credential, token, list and error the
//! run can build. No secret, key, token, checksum or signature value appears in any of them:
//! the values searched for are the configured secrets and everything credential-like a
//! [`WireTap`] saw go over the wire (tokens in queries, headers, bodies and answers,
//! `X-TC-Signature`, `X-TC-Key`, `CheckSum`), checked for completeness against the sandbox's
//! token counts.
//!
//! One test in its own binary: the capture is the process-wide tracing subscriber. The sandbox
//! and the tap run on a runtime whose threads trace into nothing, so the capture holds the
//! client's output only.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use roster_core::{
    AttendeeSource, Error, HttpConfig, MeetingQuery, OffsetClock, Pacer, RetryPolicy, SecretString,
};
use roster_quanshi::checksum::SignatureHeaders;
use roster_quanshi::{AuthMode, Family, KeyHeader, TerminalList};
use roster_sandbox::{Fault, SandboxHandle, Vendor};
use roster_tencent_meeting::{AkSkAuthenticator, Credentials, ParticipantsParams};
use roster_tests::*;
use roster_wecom::{MemoryTokenStore, TokenStore, WeComClient};

const WRONG_WECOM_SECRET: &str = "wrong-secret-R6-wecom-0001";
const WRONG_TENCENT_KEY: &str = "wrong-key-R6-tencent-0002";
const WRONG_QUANSHI_SECRET: &str = "wrong-secret-R6-quanshi-0003";
const FIXED_QUANSHI_TOKEN: &str = "fixed-token-R6-quanshi-0004";

/// What the run printed: `Debug` and `Display` renderings, labelled.
#[derive(Default)]
struct Shown(Vec<(String, String)>);

impl Shown {
    fn debug(&mut self, what: &str, v: &impl Debug) {
        self.0.push((format!("{what} (Debug)"), format!("{v:?}")));
        self.0
            .push((format!("{what} (Debug alt)"), format!("{v:#?}")));
    }

    fn error(&mut self, what: &str, e: &Error) {
        self.0.push((format!("{what} (Display)"), e.to_string()));
        self.debug(what, e);
        let mut parts = vec![
            e.message().to_string(),
            e.hint().unwrap_or_default().to_string(),
            e.body_snippet().unwrap_or_default().to_string(),
            format!("{:?}", e.api_details()),
        ];
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            parts.push(s.to_string());
            source = s.source();
        }
        self.0.push((format!("{what} (parts)"), parts.join(" | ")));
    }
}

async fn all<T: Debug>(
    shown: &mut Shown,
    what: &str,
    outcome: roster_core::Result<roster_core::RecordStream<T>>,
) -> usize {
    match outcome {
        Ok(stream) => {
            let (items, errors) = drain(stream).await;
            shown.debug(what, &items);
            for e in &errors {
                shown.error(what, e);
            }
            items.len()
        }
        Err(e) => {
            shown.error(what, &e);
            0
        }
    }
}

async fn wecom_run(sb: &SandboxHandle, tap: &WireTap, shown: &mut Shown) {
    let opts = ClientOptions::fast().base_url(tap.base_url());
    let config = wecom_config(sb, &opts).enroll_page_size(20);
    let client = config.clone().build().unwrap();
    let f = sb.faults();
    let oneoff = meeting(sb, Vendor::WeCom, "seed-oneoff").id;
    let webinar = meeting(sb, Vendor::WeCom, "seed-webinar").id;

    // Faults: a revocation mid-export, an expired-token answer, a gateway page, a cut body.
    f.inject_after("wecom.get_attendee_list", 1, Fault::RevokeTokens, 1);
    f.inject("wecom.get_info", Fault::VendorCode(42001), 1);
    f.inject("wecom.webinar_enroll_list", Fault::Http(502), 1);
    f.inject_after("wecom.webinar_enroll_list", 2, Fault::Truncate, 1);
    let list = client.attendee_list(&oneoff).limit(3);
    shown.debug("WeCom attendee list", &list);
    let n = all(
        shown,
        "WeCom attendees",
        client.attendees(&MeetingQuery::new(&oneoff)).await,
    )
    .await;
    assert!(n > 0);
    let n = all(
        shown,
        "WeCom registrations",
        client.registrations(&MeetingQuery::new(&webinar)).await,
    )
    .await;
    assert_eq!(n, 120);
    let paginator = client.enroll_list(&webinar).limit(50).paginate().unwrap();
    shown.debug("WeCom enrollment paginator", &paginator);
    let pages: Vec<_> = paginator.pages().collect().await;
    shown.debug("WeCom enrollment pages", &pages);
    let info = client.get_info(&oneoff, None).await.unwrap();
    shown.debug("WeCom meeting info", &info);
    let tmp: Vec<String> = sb
        .truth()
        .wecom_attendees(&oneoff, None, None)
        .iter()
        .map(|r| text(&r["tmp_openid"]))
        .collect();
    let matches = client
        .enroll_ids(&oneoff, &tmp, Default::default())
        .await
        .unwrap();
    shown.debug("WeCom enroll ids", &matches);
    let now = time::OffsetDateTime::now_utc();
    let user = sb.credentials().wecom.userid;
    let ids = client
        .user_meeting_ids(&user, now - time::Duration::days(30), now)
        .unwrap();
    let ids: Vec<_> = ids.collect().await;
    shown.debug("WeCom member meetings", &ids);
    shown.debug(
        "WeCom member meeting list",
        &client.user_meeting_id_list(
            &user,
            roster_core::Window {
                start: now - time::Duration::days(1),
                end: now,
            },
        ),
    );

    // Tokens, keys, stores, the raw token answer.
    let token = client.access_token().await.unwrap();
    shown.debug("WeCom access token", &token);
    shown.0.push((
        "WeCom token key (Display)".into(),
        client.token_key().to_string(),
    ));
    shown.debug("WeCom token key", client.token_key());
    shown.debug("WeCom client", &client);
    shown.debug("WeCom config", &config);
    let store = MemoryTokenStore::new();
    store.put(client.token_key(), token.clone()).await.unwrap();
    shown.debug("WeCom token store", &store);
    let raw: roster_wecom::wire::GetTokenResponse = serde_json::from_value(serde_json::json!({
        "errcode": 0,
        "access_token": roster_core::ExposeSecret::expose_secret(token.secret()),
        "expires_in": 7200
    }))
    .unwrap();
    shown.debug("WeCom token answer", &raw);

    // Failures: a wrong secret, a stalled answer, a cut answer, an unknown meeting.
    let wrong = WeComClient::builder(roster_wecom::Credentials::new(
        sb.credentials().wecom.corp_id,
        WRONG_WECOM_SECRET,
    ))
    .base_url(tap.base_url())
    .retry_policy(fast_policy())
    .build()
    .unwrap();
    shown.debug("WeCom client with a wrong secret", &wrong);
    let e = wrong.get_info(&oneoff, None).await.unwrap_err();
    shown.error("WeCom wrong secret", &e);
    let once = config
        .clone()
        .retry_policy(RetryPolicy::never())
        .http(http_with_timeout(REQUEST_TIMEOUT))
        .build()
        .unwrap();
    f.inject("wecom.get_info", Fault::Stall, 1);
    shown.error(
        "WeCom stall",
        &once.get_info(&oneoff, None).await.unwrap_err(),
    );
    f.inject("wecom.get_info", Fault::Truncate, 1);
    shown.error(
        "WeCom cut answer",
        &once.get_info(&oneoff, None).await.unwrap_err(),
    );
    shown.error(
        "WeCom unknown meeting",
        &once.get_info("hy0000000000000000", None).await.unwrap_err(),
    );
}

async fn tencent_run(sb: &SandboxHandle, tap: &WireTap, shown: &mut Shown) {
    let opts = ClientOptions::fast().base_url(tap.base_url());
    let builder = tencent_builder(sb, &opts).enroll_page_size(20);
    shown.debug("Tencent builder", &builder);
    let client = builder.build().unwrap();
    let f = sb.faults();
    let oneoff = meeting(sb, Vendor::Tencent, "seed-oneoff").id;
    let webinar = meeting(sb, Vendor::Tencent, "seed-webinar").id;

    f.inject_after("tencent.participants", 0, Fault::VendorCode(190301), 1);
    f.inject("tencent.participants", Fault::Http(502), 1);
    f.inject("tencent.webinar_enroll_approvals", Fault::Drop, 1);
    let n = all(
        shown,
        "Tencent attendees",
        client.attendees(&MeetingQuery::new(&oneoff)).await,
    )
    .await;
    assert!(n > 0);
    for id in [&oneoff, &webinar] {
        let n = all(
            shown,
            "Tencent registrations",
            client.registrations(&MeetingQuery::new(id)).await,
        )
        .await;
        assert!(n > 0);
    }
    let invitees = roster_core::Paginator::new(client.invitees_list(&oneoff).unwrap());
    shown.debug("Tencent invitee paginator", &invitees);
    let n = all(shown, "Tencent invitees", Ok(invitees.items().boxed())).await;
    assert_eq!(n, 450);
    for m in sb.catalog().of(Vendor::Tencent) {
        if let Ok(detail) = client.meeting_detail(&m.id).await {
            shown.debug("Tencent meeting detail", &detail);
        }
    }
    shown.debug(
        "Tencent participants list",
        &client
            .participants_list(ParticipantsParams::new(&oneoff))
            .unwrap(),
    );
    shown.debug(
        "Tencent enrollment list",
        &client
            .enrollments_list(&oneoff, Default::default())
            .unwrap(),
    );
    shown.debug("Tencent client", &client);
    let creds = tencent_credentials(sb);
    shown.debug("Tencent credentials", &creds);
    shown.debug(
        "Tencent authenticator",
        &AkSkAuthenticator::new(creds).unwrap(),
    );
    let app2 = &sb.credentials().tencent_apps[1];
    let creds2 = Credentials::new(&app2.app_id, &app2.secret_id, &app2.secret_key)
        .with_sdk_id(app2.sdk_id.clone().unwrap_or_default());
    shown.debug("Tencent credentials of app 2", &creds2);

    // Failures: a wrong key, a skewed clock, another owner's meeting, a stall.
    let c = sb.credentials().tencent;
    let wrong = roster_tencent_meeting::TencentMeetingClient::builder(Credentials::new(
        &c.app_id,
        &c.secret_id,
        WRONG_TENCENT_KEY,
    ))
    .operator_id(c.userid.clone())
    .base_url(tap.base_url())
    .pacer(Pacer::unlimited())
    .build()
    .unwrap();
    shown.debug("Tencent client with a wrong key", &wrong);
    shown.error(
        "Tencent wrong key",
        &wrong.meeting_detail(&oneoff).await.unwrap_err(),
    );
    let skewed = tencent_builder(sb, &opts)
        .clock(Arc::new(OffsetClock::new(time::Duration::minutes(10))))
        .build()
        .unwrap();
    shown.error(
        "Tencent clock skew",
        &skewed.meeting_detail(&oneoff).await.unwrap_err(),
    );
    let other = meeting(sb, Vendor::Tencent, "seed-other-owner").id;
    let n = all(
        shown,
        "Tencent forbidden",
        client.attendees(&MeetingQuery::new(&other)).await,
    )
    .await;
    assert_eq!(n, 0);
    let once = tencent_builder(
        sb,
        &opts.clone().policy(RetryPolicy::never()).short_timeout(),
    )
    .build()
    .unwrap();
    f.inject("tencent.meeting_detail", Fault::Stall, 1);
    shown.error(
        "Tencent stall",
        &once.meeting_detail(&oneoff).await.unwrap_err(),
    );
}

async fn quanshi_run(sb: &SandboxHandle, tap: &WireTap, shown: &mut Shown) {
    let opts = ClientOptions::fast().base_url(tap.base_url());
    let config = quanshi_config(sb, &opts).attendee_list_page_size(25);
    shown.debug("Quanshi config", &config);
    let client = config.clone().build().unwrap();
    let f = sb.faults();
    let single = meeting(sb, Vendor::Quanshi, "seed-single");
    let live = meeting(sb, Vendor::Quanshi, "seed-live");

    let first = client.token().await.unwrap();
    shown.debug("Quanshi token", &first);
    f.inject("quanshi.report_v2", Fault::RevokeTokens, 1);
    f.inject("quanshi.attendee_list", Fault::Truncate, 1);
    f.inject("quanshi.conference_infos", Fault::VendorTransient, 1);
    let n = all(
        shown,
        "Quanshi attendees",
        client.attendees(&MeetingQuery::new(&single.id)).await,
    )
    .await;
    assert!(n > 0);
    let n = all(
        shown,
        "Quanshi registrations",
        client.registrations(&MeetingQuery::new(&single.id)).await,
    )
    .await;
    assert!(n > 0);
    let link = single.join_url.clone().unwrap();
    let n = all(
        shown,
        "Quanshi registrations by link",
        client
            .registrations(&MeetingQuery::new("").join_url(&link))
            .await,
    )
    .await;
    assert!(n > 0);
    let live_id: u64 = live.id.parse().unwrap();
    let terminals = TerminalList::new(client.clone(), live_id);
    shown.debug("Quanshi terminal list", &terminals);
    let n = all(
        shown,
        "Quanshi terminals",
        Ok(client.terminals(live_id).unwrap().items().boxed()),
    )
    .await;
    assert!(n > 100);
    let event: u64 = single.id.parse().unwrap();
    shown.debug(
        "Quanshi report v1",
        &client
            .report_v1(event, sb.credentials().quanshi.host_user_id)
            .await
            .unwrap(),
    );
    shown.debug(
        "Quanshi meeting by link",
        &client.meetings_by_join_url(&link).await.unwrap(),
    );
    let second = client.token().await.unwrap();
    shown.debug("Quanshi token after the revocation", &second);
    let created = client.create_token().await.unwrap();
    shown.debug("Quanshi token data", &created);
    shown.debug("Quanshi client", &client);
    shown.debug(
        "Quanshi signature headers",
        &SignatureHeaders::new(
            KeyHeader::AppKey,
            &sb.credentials().quanshi.app_key,
            &SecretString::from(sb.credentials().quanshi.app_secret),
            time::OffsetDateTime::now_utc(),
        ),
    );

    // Signature mode: a CheckSum on every conference call.
    let signed = config
        .clone()
        .auth_mode(Family::Conference, AuthMode::Signature)
        .build()
        .unwrap();
    shown.debug("Quanshi signing client", &signed);
    let n = all(
        shown,
        "Quanshi attendees, signed",
        signed.attendees(&MeetingQuery::new(&single.id)).await,
    )
    .await;
    assert!(n > 0);

    // Failures: a wrong secret (token/create refused), a fixed token refused, a stall.
    let c = sb.credentials().quanshi;
    let wrong = quanshi_config(sb, &opts)
        .credentials(
            roster_quanshi::Credentials::new(c.app_key, WRONG_QUANSHI_SECRET)
                .admin_user_id(c.admin_user_id),
        )
        .build()
        .unwrap();
    shown.debug("Quanshi client with a wrong secret", &wrong);
    let n = all(
        shown,
        "Quanshi wrong secret",
        wrong.attendees(&MeetingQuery::new(&single.id)).await,
    )
    .await;
    assert_eq!(n, 0);
    let fixed = quanshi_config(sb, &opts)
        .credentials(quanshi_credentials(sb).token(FIXED_QUANSHI_TOKEN))
        .build()
        .unwrap();
    shown.debug("Quanshi client with a fixed token", &fixed);
    shown.debug("Quanshi fixed token", &fixed.token().await.unwrap());
    let n = all(
        shown,
        "Quanshi fixed token refused",
        fixed.attendees(&MeetingQuery::new(&single.id)).await,
    )
    .await;
    assert_eq!(n, 0);
    let once = quanshi_config(
        sb,
        &opts.clone().policy(RetryPolicy::never()).short_timeout(),
    )
    .build()
    .unwrap();
    let _ = once.token().await.unwrap();
    f.inject("quanshi.report_v2", Fault::Stall, 1);
    let n = all(
        shown,
        "Quanshi stall",
        once.attendees(&MeetingQuery::new(&single.id)).await,
    )
    .await;
    assert_eq!(n, 0);
}

#[test]
fn no_secret_key_token_checksum_or_signature_in_traces_debug_or_display() {
    let capture = TraceCapture::install_global();
    let server = quiet_runtime(2);
    let (sb, tap) =
        tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || {
            server.block_on(async {
                let sb = start(sandbox_config(61)).await;
                let tap = WireTap::start(sb.addr()).await.unwrap();
                (sb, tap)
            })
        });
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut shown = Shown::default();
    client_rt.block_on(async {
        wecom_run(&sb, &tap, &mut shown).await;
        tencent_run(&sb, &tap, &mut shown).await;
        quanshi_run(&sb, &tap, &mut shown).await;
        shown.debug("retry policy", &fast_policy());
        shown.debug(
            "HTTP config",
            &HttpConfig::default().with_request_timeout(Duration::from_secs(1)),
        );
        shown.debug(
            "query",
            &MeetingQuery::new("1").join_url("https://mtest.qsh1.cn/k/x"),
        );
    });
    let log = capture.text();

    // The capture holds the client's TRACE output of all three vendors.
    for needle in [
        "roster.http",
        "get_attendee_list",
        "participants",
        "quanshi.report_v2",
        "retrying",
    ] {
        assert!(log.contains(needle), "the capture has no {needle:?}");
    }
    assert!(log.contains("TRACE"), "TRACE-level events are captured");
    assert!(
        log.contains("hyper_util"),
        "the HTTP stack's own TRACE events too"
    );
    assert!(
        log.contains("reqwest::"),
        "and reqwest's `log` records, forwarded into tracing"
    );

    // Every secret: configured, used in the failure cases, and seen on the wire.
    let creds = sb.credentials();
    let wire = tap.secrets();
    let mut secrets: BTreeSet<String> = wire.all();
    secrets.extend(creds.wecom.apps.iter().map(|a| a.secret.clone()));
    secrets.insert(creds.wecom.corp_secret.clone());
    for app in &creds.tencent_apps {
        secrets.insert(app.secret_id.clone());
        secrets.insert(app.secret_key.clone());
    }
    secrets.insert(creds.quanshi.app_secret.clone());
    // Values that let their holder into a Quanshi meeting count as secrets too.
    for m in sb.catalog().of(Vendor::Quanshi) {
        let Some(detail) = sb.truth().quanshi_meeting_detail(&m.id) else {
            continue;
        };
        for key in [
            "pcode1",
            "pcode2",
            "hostJoinUrl",
            "joinHostUrl",
            "livePullPwd",
        ] {
            if let Some(v) = detail
                .get(key)
                .and_then(|v| v.as_str())
                .filter(|v| v.len() > 3)
            {
                secrets.insert(v.to_string());
            }
        }
    }
    for s in [
        WRONG_WECOM_SECRET,
        WRONG_TENCENT_KEY,
        WRONG_QUANSHI_SECRET,
        FIXED_QUANSHI_TOKEN,
    ] {
        secrets.insert(s.to_string());
    }

    // The tap saw every token the sandbox issued, and every signature.
    let stats = sb.stats();
    let wecom_tokens = wire.issued.iter().filter(|t| t.len() == 96).count() as u64;
    let quanshi_tokens = wire
        .issued
        .iter()
        .filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .count() as u64;
    assert!(
        stats.tokens_of(Vendor::WeCom) >= 3,
        "{:?}",
        stats.tokens_issued
    );
    assert_eq!(
        wecom_tokens,
        stats.tokens_of(Vendor::WeCom),
        "WeCom tokens seen"
    );
    assert!(
        stats.tokens_of(Vendor::Quanshi) >= 3,
        "{:?}",
        stats.tokens_issued
    );
    assert_eq!(
        quanshi_tokens,
        stats.tokens_of(Vendor::Quanshi),
        "Quanshi tokens seen"
    );
    let requests = tap.requests();
    let tencent_signed = requests
        .iter()
        .filter(|r| r.header("x-tc-signature").is_some())
        .count();
    let checksummed = requests
        .iter()
        .filter(|r| r.header("checksum").is_some())
        .count();
    let tencent_requests: u64 = stats
        .requests
        .iter()
        .filter(|(k, _)| k.starts_with("tencent."))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(tencent_signed as u64, tencent_requests);
    assert!(checksummed >= 5, "{checksummed} signed Quanshi requests");
    assert!(
        wire.signatures.len() >= tencent_signed + checksummed - 1,
        "signatures are distinct"
    );
    assert!(wire.tokens.iter().any(|t| t == FIXED_QUANSHI_TOKEN));
    assert!(wire.keys.contains(&creds.wecom.corp_secret));

    assert_no_secret("the TRACE log", &log, &secrets);
    for (what, text) in &shown.0 {
        assert_no_secret(what, text, &secrets);
    }
    assert!(shown.0.len() > 100, "{} renderings checked", shown.0.len());
    drop(tap);
    server.block_on(sb.shutdown());
}
