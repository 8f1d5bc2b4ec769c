//! Test helpers: a reqwest client and Tencent request signing written from the spec (§2), not
//! from the sandbox's verifier.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use roster_sandbox::{
    CatalogMeeting, ClockConfig, DataConfig, Sandbox, SandboxConfig, SandboxHandle,
    TencentCredentials, Vendor,
};
use serde_json::Value;

/// 2023-11-14 22:13:20 UTC.
pub const T0: i64 = 1_700_000_000;

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// A small, fast configuration with a manual clock at [`T0`].
pub fn small_config() -> SandboxConfig {
    SandboxConfig {
        clock: ClockConfig::Manual { start_unix: T0 },
        data: DataConfig {
            small_meetings: 3,
            large_meetings: vec![],
            ..DataConfig::default()
        },
        ..SandboxConfig::default()
    }
}

pub async fn start(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(config).await.expect("sandbox starts")
}

/// A vendor's meeting of the catalog by label (panics naming it when there is none).
pub fn meeting(sb: &SandboxHandle, vendor: Vendor, label: &str) -> CatalogMeeting {
    sb.catalog()
        .by_label(vendor, label)
        .unwrap_or_else(|| panic!("no {vendor:?} meeting {label}"))
        .clone()
}

/// `Base64( LowerHex( HMAC-SHA256(SecretKey, StringToSign) ) )`, docs/specs/tencent-meeting.md §2.2–2.3.
pub fn tc_signature(
    secret_key: &str,
    method: &str,
    secret_id: &str,
    nonce: &str,
    timestamp: &str,
    target: &str,
    body: &str,
) -> String {
    let string_to_sign = format!(
        "{method}\nX-TC-Key={secret_id}&X-TC-Nonce={nonce}&X-TC-Timestamp={timestamp}\n{target}\n{body}"
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret_key.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    let hex = hex::encode(mac.finalize().into_bytes());
    base64::engine::general_purpose::STANDARD.encode(hex)
}

static NONCE: AtomicU64 = AtomicU64::new(1_000_000_007);

/// A fresh nonce per call.
pub fn nonce() -> u64 {
    NONCE.fetch_add(7919, Ordering::Relaxed)
}

/// A Tencent request under construction: headers as a list so tests can drop or change any.
#[derive(Clone, Debug)]
pub struct TcReq {
    pub method: String,
    pub target: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl TcReq {
    /// A correctly signed GET at time `ts`.
    pub fn get(creds: &TencentCredentials, target: &str, ts: i64) -> TcReq {
        Self::signed(creds, "GET", target, "", ts, nonce())
    }

    pub fn signed(
        creds: &TencentCredentials,
        method: &str,
        target: &str,
        body: &str,
        ts: i64,
        nonce: u64,
    ) -> TcReq {
        let (n, t) = (nonce.to_string(), ts.to_string());
        let sig = tc_signature(
            &creds.secret_key,
            method,
            &creds.secret_id,
            &n,
            &t,
            target,
            body,
        );
        let mut headers = vec![
            ("X-TC-Key".to_owned(), creds.secret_id.clone()),
            ("X-TC-Timestamp".to_owned(), t),
            ("X-TC-Nonce".to_owned(), n),
            ("X-TC-Signature".to_owned(), sig),
            ("AppId".to_owned(), creds.app_id.clone()),
            ("X-TC-Registered".to_owned(), "1".to_owned()),
            ("Content-Type".to_owned(), "application/json".to_owned()),
        ];
        if let Some(sdk) = &creds.sdk_id {
            headers.push(("SdkId".to_owned(), sdk.clone()));
        }
        TcReq {
            method: method.to_owned(),
            target: target.to_owned(),
            body: body.to_owned(),
            headers,
        }
    }

    pub fn without(mut self, name: &str) -> TcReq {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    pub fn with(mut self, name: &str, value: &str) -> TcReq {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub async fn send(&self, client: &reqwest::Client, base: &str) -> Reply {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut rb = client.request(method, format!("{base}{}", self.target));
        for (k, v) in &self.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if !self.body.is_empty() {
            rb = rb.body(self.body.clone());
        }
        let resp = rb.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let trace = resp
            .headers()
            .get("X-TC-Trace")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = resp.text().await.expect("body read");
        Reply {
            status,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            trace,
        }
    }
}

/// A response, read completely.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub json: Value,
    pub trace: Option<String>,
}

impl Reply {
    /// `error_info.error_code`, if this is a Tencent error.
    pub fn code(&self) -> Option<i64> {
        self.json["error_info"]["error_code"].as_i64()
    }

    #[track_caller]
    pub fn assert_code(&self, code: i64) {
        assert_eq!(
            self.code(),
            Some(code),
            "status {} body {}",
            self.status,
            self.text
        );
    }

    #[track_caller]
    pub fn assert_ok(&self) {
        assert_eq!(self.status, 200, "body {}", self.text);
        assert!(self.code().is_none(), "body {}", self.text);
    }

    /// [`Reply::assert_ok`] for `None`, else [`Reply::assert_code`].
    #[track_caller]
    pub fn assert_outcome(&self, code: Option<i64>) {
        match code {
            None => self.assert_ok(),
            Some(code) => self.assert_code(code),
        }
    }
}

/// Sends a signed GET with the sandbox's current clock.
pub async fn tc_get(
    sb: &SandboxHandle,
    client: &reqwest::Client,
    creds: &TencentCredentials,
    target: &str,
) -> Reply {
    TcReq::get(creds, target, sb.clock().unix())
        .send(client, &sb.base_url())
        .await
}
