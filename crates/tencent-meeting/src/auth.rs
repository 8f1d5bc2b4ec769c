//! Authentication behind a small trait, so that OAuth 2.0 (docs/specs/tencent-meeting.md §2.7, out of scope for now) can
//! be added without touching the endpoints. [`AkSkAuthenticator`] (enterprise self-built app,
//! "AK/SK", formerly "JWT") is the only implementation.

use std::fmt;

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use roster_core::{Error, ExposeSecret, Result, SecretString};
use time::OffsetDateTime;

use crate::sign::{SignatureInput, fresh_nonce, signature};

/// AK/SK credentials from the enterprise admin console (企业管理 > 高级 > restApi).
///
/// `SecretId` and `SecretKey` are secrets: `Debug` never shows them. The SecretId is also the
/// salt of the vendor's phone hashes, so it is kept as secret as the key.
#[derive(Clone)]
pub struct Credentials {
    app_id: String,
    sdk_id: Option<String>,
    secret_id: SecretString,
    secret_key: SecretString,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("app_id", &self.app_id)
            .field("sdk_id", &self.sdk_id)
            .field("secret_id", &"[redacted]")
            .field("secret_key", &"[redacted]")
            .finish()
    }
}

impl Credentials {
    /// Credentials without an `SdkId` (accounts that were never assigned one).
    pub fn new(
        app_id: impl Into<String>,
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        Self {
            app_id: app_id.into(),
            sdk_id: None,
            secret_id: SecretString::from(secret_id.into()),
            secret_key: SecretString::from(secret_key.into()),
        }
    }

    /// Sets the `SdkId` (only for accounts that have one: sending one that was not assigned
    /// fails with `190303`).
    pub fn with_sdk_id(mut self, sdk_id: impl Into<String>) -> Self {
        self.sdk_id = Some(sdk_id.into());
        self
    }

    /// The enterprise id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The application id, if configured.
    pub fn sdk_id(&self) -> Option<&str> {
        self.sdk_id.as_deref()
    }

    /// The SecretId.
    pub fn secret_id(&self) -> &SecretString {
        &self.secret_id
    }

    /// The SecretKey.
    pub fn secret_key(&self) -> &SecretString {
        &self.secret_key
    }

    /// The vendor's hash of `phone` for this account ([`crate::phone::phone_hash`]).
    pub fn phone_hash(&self, phone: &str) -> String {
        use roster_core::ExposeSecret;
        crate::phone::phone_hash(phone, self.secret_id.expose_secret())
    }
}

/// Header carrying the SecretId.
pub const HEADER_KEY: &str = "X-TC-Key";
/// Header carrying the Unix-seconds timestamp.
pub const HEADER_TIMESTAMP: &str = "X-TC-Timestamp";
/// Header carrying the nonce.
pub const HEADER_NONCE: &str = "X-TC-Nonce";
/// Header carrying the signature.
pub const HEADER_SIGNATURE: &str = "X-TC-Signature";
/// Header carrying the enterprise id.
pub const HEADER_APP_ID: &str = "AppId";
/// Header carrying the application id, only when one was assigned.
pub const HEADER_SDK_ID: &str = "SdkId";

/// What an authenticator sees of the request it authorizes: one attempt, already final (the
/// target is exactly what goes on the wire).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RequestToSign<'a> {
    /// HTTP method (`GET`).
    pub method: &'a str,
    /// Path plus `?` and query, exactly as sent.
    pub request_target: &'a str,
    /// The exact body (empty for `GET`).
    pub body: &'a str,
    /// The current time from the client's clock.
    pub now: OffsetDateTime,
    /// The previous attempt's credential was rejected (for token-based schemes; AK/SK ignores
    /// it: every attempt is signed afresh anyway).
    pub refresh: bool,
}

impl<'a> RequestToSign<'a> {
    /// A request to authorize.
    pub fn new(
        method: &'a str,
        request_target: &'a str,
        body: &'a str,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            method,
            request_target,
            body,
            now,
            refresh: false,
        }
    }

    /// Marks the previous credential as rejected.
    pub fn with_refresh(mut self, refresh: bool) -> Self {
        self.refresh = refresh;
        self
    }
}

/// Adds the credential headers to one attempt of a request.
///
/// Called once per attempt, retries included, so that signatures, nonces and timestamps are
/// always fresh. Implementations must mark secret header values sensitive and must never
/// render a secret in `Debug`, errors or traces.
#[async_trait]
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// Adds the headers that authenticate `request`.
    async fn authorize(&self, request: &RequestToSign<'_>, headers: &mut HeaderMap) -> Result<()>;
}

/// Enterprise self-built application signing (docs/specs/tencent-meeting.md §2): `X-TC-Key`, `X-TC-Timestamp`,
/// `X-TC-Nonce`, `X-TC-Signature`, `AppId` and, only when configured, `SdkId`.
#[derive(Clone)]
pub struct AkSkAuthenticator {
    credentials: Credentials,
    app_id: HeaderValue,
    sdk_id: Option<HeaderValue>,
    secret_id: HeaderValue,
}

impl fmt::Debug for AkSkAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AkSkAuthenticator")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl AkSkAuthenticator {
    /// Validates the credentials (every value must be a non-empty, visible-ASCII header value)
    /// and prepares the constant headers.
    pub fn new(credentials: Credentials) -> Result<Self> {
        let app_id = header_value("AppId", credentials.app_id(), false)?;
        let sdk_id = match credentials.sdk_id() {
            Some(id) => Some(header_value("SdkId", id, false)?),
            None => None,
        };
        let secret_id = header_value("SecretId", credentials.secret_id().expose_secret(), true)?;
        if credentials.secret_key().expose_secret().is_empty() {
            return Err(Error::config("the Tencent Meeting SecretKey is empty"));
        }
        Ok(Self {
            credentials,
            app_id,
            sdk_id,
            secret_id,
        })
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

#[async_trait]
impl Authenticator for AkSkAuthenticator {
    async fn authorize(&self, request: &RequestToSign<'_>, headers: &mut HeaderMap) -> Result<()> {
        let nonce = fresh_nonce();
        let timestamp = request.now.unix_timestamp().to_string();
        let sig = signature(
            &SignatureInput {
                method: request.method,
                secret_id: self.credentials.secret_id().expose_secret(),
                nonce: &nonce,
                timestamp: &timestamp,
                request_target: request.request_target,
                body: request.body,
            },
            self.credentials.secret_key().expose_secret(),
        );
        let mut sig = HeaderValue::from_str(&sig)
            .map_err(|_| Error::config("the signature is not a valid header value"))?;
        sig.set_sensitive(true);
        headers.insert(name(HEADER_KEY), self.secret_id.clone());
        headers.insert(name(HEADER_TIMESTAMP), ascii_value(&timestamp));
        headers.insert(name(HEADER_NONCE), ascii_value(&nonce));
        headers.insert(name(HEADER_SIGNATURE), sig);
        headers.insert(name(HEADER_APP_ID), self.app_id.clone());
        match &self.sdk_id {
            Some(id) => {
                headers.insert(name(HEADER_SDK_ID), id.clone());
            }
            None => {
                headers.remove(HEADER_SDK_ID);
            }
        }
        Ok(())
    }
}

/// A header name from one of this crate's constants (valid by construction).
pub(crate) fn name(n: &'static str) -> HeaderName {
    // HeaderName::from_static rejects upper case; parsing lower-cases. Header names are
    // case-insensitive (RFC 9110) and HTTP/1 clients here send them lower case.
    HeaderName::from_bytes(n.as_bytes()).unwrap_or_else(|_| HeaderName::from_static("x-invalid"))
}

/// A header value from decimal digits (always valid).
fn ascii_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

/// Checks a configured value and turns it into a header value. Errors name the setting, never
/// the value.
pub(crate) fn header_value(setting: &str, value: &str, sensitive: bool) -> Result<HeaderValue> {
    if value.trim().is_empty() {
        return Err(Error::config(format!(
            "the Tencent Meeting {setting} is empty"
        )));
    }
    if value.trim() != value || !value.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Error::config(format!(
            "the Tencent Meeting {setting} must be visible ASCII without spaces"
        )));
    }
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::config(format!(
            "the Tencent Meeting {setting} is not a valid header value"
        ))
    })?;
    v.set_sensitive(sensitive);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{SignatureInput, signature};
    use roster_core::ErrorKind;
    use time::macros::datetime;

    fn creds() -> Credentials {
        Credentials::new("app-1", "aSecretId", "aSecretKey")
    }

    #[tokio::test]
    async fn headers_are_complete_and_the_signature_verifies() {
        let auth = AkSkAuthenticator::new(creds()).unwrap();
        let now = datetime!(2020-04-12 07:08:54 UTC);
        let target = "/v1/meetings/1/participants?userid=owner1&pos=0&size=100";
        let mut h = HeaderMap::new();
        auth.authorize(&RequestToSign::new("GET", target, "", now), &mut h)
            .await
            .unwrap();
        assert_eq!(h["x-tc-key"], "aSecretId");
        assert!(h["x-tc-key"].is_sensitive());
        assert!(h["x-tc-signature"].is_sensitive());
        assert_eq!(h["x-tc-timestamp"], "1586675334");
        assert_eq!(h["appid"], "app-1");
        assert!(!h.contains_key("sdkid"), "no SdkId unless configured");
        let nonce = h["x-tc-nonce"].to_str().unwrap();
        let expected = signature(
            &SignatureInput {
                method: "GET",
                secret_id: "aSecretId",
                nonce,
                timestamp: "1586675334",
                request_target: target,
                body: "",
            },
            "aSecretKey",
        );
        assert_eq!(h["x-tc-signature"], expected.as_str());
    }

    #[tokio::test]
    async fn sdk_id_only_when_configured_and_fresh_nonce_each_time() {
        let auth = AkSkAuthenticator::new(creds().with_sdk_id("sdk-9")).unwrap();
        let now = datetime!(2020-04-12 07:08:54 UTC);
        let mut nonces = std::collections::HashSet::new();
        for _ in 0..50 {
            let mut h = HeaderMap::new();
            auth.authorize(&RequestToSign::new("GET", "/v1/x", "", now), &mut h)
                .await
                .unwrap();
            assert_eq!(h["sdkid"], "sdk-9");
            assert!(nonces.insert(h["x-tc-nonce"].to_str().unwrap().to_string()));
        }
    }

    #[test]
    fn bad_credentials_are_config_errors_without_the_value() {
        for c in [
            Credentials::new("", "id", "key"),
            Credentials::new("app", "", "key"),
            Credentials::new("app", "id", ""),
            Credentials::new("app", "se cret\n", "key"),
            Credentials::new("app", "id", "key").with_sdk_id(" "),
        ] {
            let e = AkSkAuthenticator::new(c).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            assert!(!format!("{e} {e:?}").contains("se cret"));
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let auth = AkSkAuthenticator::new(creds()).unwrap();
        let shown = format!("{auth:?}");
        assert!(
            !shown.contains("aSecretId") && !shown.contains("aSecretKey"),
            "{shown}"
        );
        assert!(shown.contains("app-1"));
    }
}
