//! Quanshi test helpers: CheckSum written from the spec (§2.1), not from the sandbox's verifier,
//! and a small raw-HTTP client.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::sync::atomic::{AtomicU64, Ordering};

use roster_sandbox::{CatalogMeeting, QuanshiCredentials, SandboxConfig, SandboxHandle, Vendor};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::common::{client, meeting, start};

pub const LOOKUP: &str = "/_sandbox/quanshi/meeting-by-join-url";
pub const INFOS: &str = "/confopenapi/room/conference/infos";
pub const V1: &str = "/confopenapi/conference/report/getReportDatas";
pub const V2: &str = "/confopenapi/conference/report/getReportDatas/v2";
pub const ATTENDEES: &str = "/confopenapi/conference/attendee/list";
pub const TOKEN: &str = "/eventopenapi/token/create";
pub const EMAIL: &str = "/eventopenapi/user/search/email";

/// `LowerHex(SHA1(secret + nonce + cur_time))`.
pub fn checksum(secret: &str, nonce: &str, cur_time: &str) -> String {
    let mut h = Sha1::new();
    h.update(format!("{secret}{nonce}{cur_time}").as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

static NONCE: AtomicU64 = AtomicU64::new(1);

/// A fresh 32-hex-character nonce.
pub fn fresh_nonce() -> String {
    let n = NONCE.fetch_add(1, Ordering::Relaxed);
    format!("{:032x}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A response, read completely.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    /// The envelope code: `status` (confopenapi) or `code` (eventopenapi).
    pub fn code(&self) -> Option<i64> {
        self.json
            .get("status")
            .or_else(|| self.json.get("code"))
            .and_then(Value::as_i64)
    }

    /// `result` (confopenapi) or `data` (eventopenapi).
    pub fn result(&self) -> &Value {
        match self.json.get("result") {
            Some(v) => v,
            None => &self.json["data"],
        }
    }

    #[track_caller]
    pub fn assert_code(&self, code: i64) {
        assert_eq!(self.status, 200, "HTTP status; body {}", self.text);
        assert_eq!(self.code(), Some(code), "body {}", self.text);
        if code != 0 && code != 200 {
            assert!(
                self.json["msg"].as_str().is_some_and(|m| !m.is_empty()),
                "an error message: {}",
                self.text
            );
        }
    }

    #[track_caller]
    pub fn assert_ok(&self) {
        match self.json.get("code") {
            Some(_) => self.assert_code(200),
            None => self.assert_code(0),
        }
    }

    pub fn msg(&self) -> &str {
        self.json["msg"].as_str().unwrap_or("")
    }
}

/// A Quanshi test environment.
pub struct Qs {
    pub sb: SandboxHandle,
    pub c: reqwest::Client,
    pub creds: QuanshiCredentials,
    pub base: String,
}

impl Qs {
    pub async fn new(config: SandboxConfig) -> Qs {
        let sb = start(config).await;
        Qs {
            c: client(),
            creds: sb.credentials().quanshi,
            base: sb.base_url(),
            sb,
        }
    }

    pub fn meeting(&self, label: &str) -> CatalogMeeting {
        meeting(&self.sb, Vendor::Quanshi, label)
    }

    /// `AppKey`, `Nonce`, `CurTime`, `CheckSum` for `nonce` at `cur_ms`.
    pub fn sig(&self, nonce: &str, cur_ms: i64) -> Vec<(String, String)> {
        self.sig_text(nonce, &cur_ms.to_string())
    }

    /// The same with `CurTime` sent as `cur` (signed as sent, however malformed).
    pub fn sig_text(&self, nonce: &str, cur: &str) -> Vec<(String, String)> {
        let cur = cur.to_owned();
        vec![
            ("AppKey".into(), self.creds.app_key.clone()),
            ("Nonce".into(), nonce.to_owned()),
            (
                "CheckSum".into(),
                checksum(&self.creds.app_secret, nonce, &cur),
            ),
            ("CurTime".into(), cur),
        ]
    }

    /// Signature headers with a fresh nonce at the sandbox clock.
    pub fn fresh_sig(&self) -> Vec<(String, String)> {
        self.sig(&fresh_nonce(), self.sb.clock().unix_millis())
    }

    /// A raw POST (or another method).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &str,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .c
            .request(method, format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        for (k, v) in headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if !body.is_empty() {
            rb = rb.body(body.to_owned());
        }
        let resp = rb.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body read");
        Reply {
            status,
            headers,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    pub async fn post(&self, path: &str, headers: &[(String, String)], body: &Value) -> Reply {
        self.send("POST", path, headers, &body.to_string()).await
    }

    /// POST with fresh signature headers.
    pub async fn signed(&self, path: &str, body: Value) -> Reply {
        let h = self.fresh_sig();
        self.post(path, &h, &body).await
    }

    /// A new token from `token/create`.
    pub async fn token(&self) -> String {
        let r = self
            .signed(TOKEN, json!({"userId": self.creds.admin_user_id}))
            .await;
        r.assert_code(200);
        r.json["data"]["token"].as_str().unwrap().to_owned()
    }

    /// POST with a token header.
    pub async fn with_token(&self, token: &str, path: &str, body: Value) -> Reply {
        self.post(path, &[("token".into(), token.to_owned())], &body)
            .await
    }

    /// The v1 body for a meeting (host as userId).
    pub fn v1_body(&self, m: &CatalogMeeting) -> Value {
        json!({"eventId": m.id.parse::<u64>().unwrap(), "userId": self.creds.host_user_id})
    }

    pub fn event(m: &CatalogMeeting) -> u64 {
        m.id.parse().unwrap()
    }
}
