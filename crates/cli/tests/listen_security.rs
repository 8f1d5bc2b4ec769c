//! Hostile requests against `roster listen`'s receiver: 1,000 mutations of real deliveries
//! (captured from the sandbox's push mode, Tencent Meeting encrypted and WeCom) — bad, missing
//! or stale signatures, truncated and oversize bodies, broken base64, broken padding, wrong
//! content type, unknown apps, replays — plus whole pushes with the wrong receive id and the
//! wrong token. Each is rejected with its status or, for a replay, acknowledged and
//! de-duplicated; none panics (every request gets an answer); the store holds exactly the
//! valid deliveries; and the logs, captured at TRACE, never hold the token, the key or a
//! decrypted body.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use base64::Engine;
use rand::{Rng, SeedableRng};
use roster_cli::listen::{self, App, writer::Writer};
use roster_sandbox::{PushOptions, PushTarget, SandboxConfig, SandboxHandle, Vendor};
use roster_store::{SqliteStore, Store};
use tokio::sync::Notify;

const TENCENT_TOKEN: &str = "bVPU6F8Htxl5XkAbp3jGV2xWp";
const WECOM_TOKEN: &str = "QDG6eK";
const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

/// A request as the vendor sent it.
#[derive(Clone, Debug)]
struct Captured {
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Captured {
    fn is_tencent(&self) -> bool {
        self.uri.starts_with("/tencent-meeting/")
    }
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(k, _)| k != name);
        self.headers.push((name.into(), value.into()));
    }
    fn query(&self, name: &str) -> String {
        self.uri
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("")
            .split('&')
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .map(|v| {
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default()
    }
    fn set_query(&mut self, name: &str, value: &str) {
        let (path, q) = self.uri.split_once('?').unwrap_or((&self.uri, ""));
        let enc = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
        let q: Vec<String> = q
            .split('&')
            .map(|p| {
                if p.starts_with(&format!("{name}=")) {
                    format!("{name}={enc}")
                } else {
                    p.to_string()
                }
            })
            .collect();
        self.uri = format!("{path}?{}", q.join("&"));
    }
    /// The signed payload: Tencent's `data`, WeCom's `Encrypt`.
    fn payload(&self) -> String {
        let body = String::from_utf8_lossy(&self.body);
        if self.is_tencent() {
            serde_json::from_str::<serde_json::Value>(&body).unwrap()["data"]
                .as_str()
                .unwrap()
                .to_string()
        } else {
            let start = body.find("<Encrypt><![CDATA[").unwrap() + 18;
            let end = body[start..].find("]]>").unwrap() + start;
            body[start..end].to_string()
        }
    }
    /// Puts `payload` in and signs it again with the right token: everything but the
    /// payload's content checks out.
    fn with_payload(&self, payload: &str) -> Captured {
        let mut c = self.clone();
        if self.is_tencent() {
            c.body = serde_json::json!({ "data": payload })
                .to_string()
                .into_bytes();
            let sig = roster_core::webhook::signature(&[
                TENCENT_TOKEN,
                &c.header("timestamp"),
                &c.header("nonce"),
                payload,
            ]);
            c.set_header("signature", &sig);
        } else {
            let body = String::from_utf8_lossy(&self.body).replace(&self.payload(), payload);
            c.body = body.into_bytes();
            let sig = roster_core::webhook::signature(&[
                WECOM_TOKEN,
                &c.query("timestamp"),
                &c.query("nonce"),
                payload,
            ]);
            c.set_query("msg_signature", &sig);
        }
        c
    }
}

/// A receiver that records what it is sent and acknowledges it (Tencent's body satisfies
/// both vendors).
async fn capture_server() -> (String, Arc<Mutex<Vec<Captured>>>) {
    let seen: Arc<Mutex<Vec<Captured>>> = Arc::default();
    let keep = seen.clone();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(Captured {
                    method,
                    uri: uri.to_string(),
                    headers: headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                        .collect(),
                    body: body.to_vec(),
                });
                "successfully received callback"
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

fn target(base: &str, vendor: Vendor, token: &str, corp_id: &str) -> PushTarget {
    PushTarget {
        url: format!(
            "{base}/{}/default",
            if vendor == Vendor::Tencent {
                "tencent-meeting"
            } else {
                "wecom"
            }
        ),
        vendor,
        token: token.into(),
        aes_key: Some(AES_KEY.into()),
        corp_id: corp_id.into(),
    }
}

/// The logs of this test binary, at TRACE.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The mutations, and the statuses each may get.
const MUTATIONS: [(&str, &[u16]); 11] = [
    ("replay", &[200]),
    ("bad signature", &[401]),
    ("no signature", &[401]),
    ("stale signature", &[401]),
    ("truncated", &[400, 401]),
    ("oversize", &[413]),
    ("bad base64", &[400]),
    ("bad padding", &[400]),
    ("flipped payload byte", &[400]),
    ("wrong content type", &[415, 401, 400]),
    ("unknown app", &[404]),
];

fn mutate(c: &Captured, kind: &str, rng: &mut impl Rng) -> Captured {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut m = c.clone();
    match kind {
        "replay" => {}
        "bad signature" | "stale signature" => {
            let sig = if c.is_tencent() {
                c.header("signature")
            } else {
                c.query("msg_signature")
            };
            let mut chars: Vec<char> = sig.chars().collect();
            if kind == "bad signature" {
                let i = rng.random_range(0..chars.len());
                chars[i] = if chars[i] == '0' { '1' } else { '0' };
            } else {
                // The signature of another time: a replay with a fresh timestamp.
                chars.clear();
            }
            let sig: String = chars.into_iter().collect();
            if c.is_tencent() {
                m.set_header("signature", &sig);
                if kind == "stale signature" {
                    m.set_header("timestamp", "1");
                    m.set_header("signature", &c.header("signature"));
                }
            } else {
                m.set_query("msg_signature", &sig);
                if kind == "stale signature" {
                    m.set_query("timestamp", "1");
                    m.set_query("msg_signature", &c.query("msg_signature"));
                }
            }
        }
        "no signature" => {
            if c.is_tencent() {
                m.headers.retain(|(k, _)| k != "signature");
            } else {
                m.set_query("msg_signature", "");
            }
        }
        "truncated" => {
            let cut = rng.random_range(0..c.body.len());
            m.body.truncate(cut);
        }
        "oversize" => {
            m.body = vec![b' '; listen::MAX_BODY + 1 + rng.random_range(0..1000)];
        }
        "bad base64" => {
            let mut p: Vec<char> = c.payload().chars().collect();
            let i = rng.random_range(0..p.len().saturating_sub(2));
            p[i] = ['!', '*', '-', '_', ' '][rng.random_range(0..5)];
            m = c.with_payload(&p.into_iter().collect::<String>());
        }
        "bad padding" | "flipped payload byte" => {
            let mut raw = b64.decode(c.payload()).unwrap();
            // A flip in the next-to-last block garbles the last one: the padding (or what
            // the padding frames) no longer checks out.
            let i = if kind == "bad padding" {
                raw.len() - 32 + rng.random_range(0..16)
            } else {
                rng.random_range(0..raw.len())
            };
            raw[i] ^= 1 << rng.random_range(0..8);
            if kind == "bad padding" {
                // Also cut a byte off the end of one in three: not a whole block.
                if rng.random_range(0..3) == 0 {
                    raw.pop();
                }
            }
            m = c.with_payload(&b64.encode(raw));
        }
        "wrong content type" => {
            m.set_header(
                "content-type",
                ["text/plain", "application/xml", "", "multipart/form-data"]
                    [rng.random_range(0..4)],
            );
            if !c.is_tencent() {
                // WeCom sends XML whatever the type: break the envelope instead.
                m.body = b"<xml><Encrypt>".to_vec();
            }
        }
        "unknown app" => {
            m.uri = m.uri.replacen("/default", "/other", 1);
        }
        other => unreachable!("{other}"),
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_mutated_requests_are_refused_without_a_leak() {
    let logs = Logs::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();

    let sandbox: SandboxHandle = roster_testkit::start(SandboxConfig::default()).await;
    let corp_id = sandbox.credentials().wecom.corp_id.clone();
    let tencent_meeting = roster_testkit::meeting(&sandbox, Vendor::Tencent, "seed-oneoff").id;
    let wecom_meeting = roster_testkit::meeting(&sandbox, Vendor::WeCom, "seed-oneoff").id;

    // Real deliveries, captured.
    let (capture, captured) = capture_server().await;
    let quiet = PushOptions {
        verify: false,
        ..PushOptions::default()
    };
    let t = sandbox
        .pusher(
            target(&capture, Vendor::Tencent, TENCENT_TOKEN, ""),
            quiet.clone(),
        )
        .unwrap()
        .push_meeting(&tencent_meeting)
        .await
        .unwrap();
    let w = sandbox
        .pusher(
            target(&capture, Vendor::WeCom, WECOM_TOKEN, &corp_id),
            quiet.clone(),
        )
        .unwrap()
        .push_meeting(&wecom_meeting)
        .await
        .unwrap();
    let valid: Vec<Captured> = captured.lock().unwrap().clone();
    assert_eq!(valid.len(), t.events.len() + w.events.len());

    // The receiver, in this process (its logs are captured).
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().unwrap());
    let lookup = |k: &str| {
        Some(match k {
            "ROSTER_TENCENT_WEBHOOK_TOKEN" => TENCENT_TOKEN.to_string(),
            "ROSTER_TENCENT_WEBHOOK_AES_KEY" | "ROSTER_WECOM_CALLBACK_AES_KEY" => {
                AES_KEY.to_string()
            }
            "ROSTER_WECOM_CALLBACK_TOKEN" => WECOM_TOKEN.to_string(),
            "ROSTER_WECOM_CORP_ID" => corp_id.clone(),
            _ => return None,
        })
    };
    let app = App::from_lookup("default", lookup).unwrap();
    let options = listen::Options::default();
    let writer = Writer::spawn(
        store.clone(),
        64,
        16,
        std::time::Duration::from_millis(1),
        Arc::new(Notify::new()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = listen::router(vec![app], writer, &options);
    tokio::spawn(async move { axum::serve(listener, router).await });
    let http = roster_core::HttpClient::new(roster_core::HttpConfig::default())
        .unwrap()
        .reqwest()
        .clone();
    let send = |c: Captured| {
        let mut r = http.request(c.method.clone(), format!("{base}{}", c.uri));
        for (k, v) in &c.headers {
            if k != "content-length" && k != "host" {
                r = r.header(k, v);
            }
        }
        r.body(c.body).send()
    };

    for c in &valid {
        let r = send(c.clone()).await.unwrap();
        assert_eq!(r.status(), 200, "{}", c.uri);
    }
    let stored = store.counts().await.unwrap();
    assert_eq!(stored.pushes, valid.len() as u64);
    let presence = store.presence(None, None).await.unwrap().len();
    assert!(presence > 0);

    // Whole pushes the receiver must refuse: WeCom with another receive id (WeCom does not
    // retry a refusal), Tencent signed with another token (retried, then given up).
    let wrong_corp = sandbox
        .pusher(
            target(&base, Vendor::WeCom, WECOM_TOKEN, "ww-not-this-corp"),
            quiet.clone(),
        )
        .unwrap()
        .push_meeting(&wecom_meeting)
        .await
        .unwrap();
    assert!(wrong_corp.events.iter().all(|e| !e.acknowledged));
    assert!(wrong_corp.events.iter().all(|e| e.attempts.len() == 1
        && e.attempts[0].outcome == roster_sandbox::AttemptOutcome::Refused(400)));
    let wrong_token = sandbox
        .pusher(
            target(&base, Vendor::Tencent, "AAAAAAAAAAAAAAAAAAAAAAAAA", ""),
            PushOptions {
                retry_unit: std::time::Duration::from_millis(1),
                ..quiet.clone()
            },
        )
        .unwrap()
        .push_meeting(&tencent_meeting)
        .await
        .unwrap();
    assert!(wrong_token.events.iter().all(|e| {
        !e.acknowledged
            && e.attempts
                .iter()
                .all(|a| a.outcome == roster_sandbox::AttemptOutcome::Refused(401))
    }));

    // 1,000 mutations.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    let mut by_kind = std::collections::BTreeMap::<&str, usize>::new();
    let mut rejected = 0u64;
    for _ in 0..1000 {
        let c = &valid[rng.random_range(0..valid.len())];
        let (kind, allowed) = MUTATIONS[rng.random_range(0..MUTATIONS.len())];
        let m = mutate(c, kind, &mut rng);
        let r = send(m)
            .await
            .unwrap_or_else(|e| panic!("{kind}: no answer ({e})"));
        let status = r.status().as_u16();
        assert!(allowed.contains(&status), "{kind} on {}: {status}", c.uri);
        if status != 200 {
            rejected += 1;
        }
        *by_kind.entry(kind).or_default() += 1;
    }
    assert!(by_kind.values().all(|n| *n > 50), "{by_kind:?}");

    // Nothing more was stored: the replays were de-duplicated, the rest refused.
    assert_eq!(store.counts().await.unwrap(), stored);
    assert_eq!(store.presence(None, None).await.unwrap().len(), presence);
    let stats: serde_json::Value = serde_json::from_str(
        &http
            .get(format!("{base}/_roster/stats"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let refused_pushes = (wrong_corp.events.len()
        + wrong_token
            .events
            .iter()
            .map(|e| e.attempts.len())
            .sum::<usize>()) as u64;
    assert_eq!(stats["rejected"], rejected + refused_pushes, "{stats}");
    assert_eq!(stats["accepted"], valid.len() as u64, "{stats}");

    // The logs name what was refused, and hold no secret and no decrypted event.
    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logs.contains("push rejected"), "no rejection logged");
    for secret in [
        TENCENT_TOKEN,
        WECOM_TOKEN,
        AES_KEY,
        "operate_time",
        "FromUserTmpOpenId",
        "meeting.participant",
    ] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}");
    }
    sandbox.shutdown().await;
}
