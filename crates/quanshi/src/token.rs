//! Tokens (docs/specs/quanshi.md §2.3): `POST {events_base}/eventopenapi/token/create`, read
//! into [`TokenData`].
//!
//! The cache is core's [`roster_core::TokenCache`] (lazy, single-flight, refresh ahead of expiry,
//! compare-and-invalidate), one per client (so per events host, AppKey and admin user id). A
//! token is fresh while `now < fetched_at + expire − margin`, with [`REFRESH_MARGIN`]:
//! `max(600 s, 10 % of expire)` capped at half the lifetime. `fetched_at` is our clock at fetch
//! time; the server's `createTime` is ignored (clock skew).

use std::fmt;
use std::time::Duration;

use roster_core::wire::{value_as_i64, value_as_string};
use roster_core::{Error, SecretString, TokenMargin};
use serde_json::Value;

/// Lifetime assumed when `token/create` sends no usable `expire` (the spec's example value).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// The refresh margin before expiry: `max(600 s, 10 % of the lifetime)`, capped at half of it.
pub const REFRESH_MARGIN: TokenMargin = TokenMargin {
    floor: Duration::from_secs(600),
    fraction: 0.10,
};

/// `token/create`'s `data`, read with the configured token field name. `Debug` hides the token.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenData {
    /// The token.
    pub token: SecretString,
    /// `expire`, read as seconds (unit undocumented).
    pub expire: Option<i64>,
    /// `createTime`, Unix ms.
    pub create_time: Option<i64>,
    /// `customerCode`.
    pub customer_code: Option<String>,
    /// `productId`.
    pub product_id: Option<i64>,
}

impl fmt::Debug for TokenData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenData")
            .field("token", &"<redacted>")
            .field("expire", &self.expire)
            .field("create_time", &self.create_time)
            .field("customer_code", &self.customer_code)
            .field("product_id", &self.product_id)
            .finish()
    }
}

impl TokenData {
    /// Reads `data`. Fails (naming the fields present, never their values) when the token
    /// field is missing or empty.
    pub fn from_value(data: &Value, token_field: &str) -> std::result::Result<Self, String> {
        let Some(map) = data.as_object() else {
            return Err(format!(
                "token/create returned {} as data, expected an object",
                crate::wire::json_type(data)
            ));
        };
        let token = map
            .get(token_field)
            .and_then(value_as_string)
            .filter(|t| !t.trim().is_empty());
        let Some(token) = token else {
            let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
            keys.sort_unstable();
            return Err(format!(
                "token/create returned no `{token_field}` field (fields present: {}); set token_field to the right name",
                keys.join(", ")
            ));
        };
        Ok(Self {
            token: SecretString::from(token),
            expire: map.get("expire").and_then(value_as_i64),
            create_time: map.get("createTime").and_then(value_as_i64),
            customer_code: map.get("customerCode").and_then(value_as_string),
            product_id: map.get("productId").and_then(value_as_i64),
        })
    }

    /// The lifetime: `expire` seconds, or [`DEFAULT_TOKEN_LIFETIME`] when absent or not
    /// positive.
    pub fn lifetime(&self) -> Duration {
        match self.expire {
            Some(s) if s > 0 => Duration::from_secs(s.unsigned_abs()),
            _ => DEFAULT_TOKEN_LIFETIME,
        }
    }
}

/// A decode error for `token/create` that never includes the body.
pub(crate) fn token_decode_error(status: u16, message: String) -> Error {
    Error::decode(roster_core::Vendor::Quanshi, status, message, b"").without_body()
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ExposeSecret;
    use serde_json::json;
    use time::OffsetDateTime;

    fn at(s: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(s).unwrap()
    }

    fn data(token: &str, expire: i64) -> TokenData {
        TokenData::from_value(&json!({"token": token, "expire": expire}), "token").unwrap()
    }

    #[test]
    fn token_data_reading() {
        let d = TokenData::from_value(
            &json!({"productId":null,"createTime":1666231314326u64,"expire":86400,"customerCode":"0001","token":"abc"}),
            "token",
        )
        .unwrap();
        assert_eq!(d.token.expose_secret(), "abc");
        assert_eq!(d.lifetime(), Duration::from_secs(86_400));
        assert_eq!(d.customer_code.as_deref(), Some("0001"));
        assert!(!format!("{d:?}").contains("abc"));
        // The doc example has no token field: a clear error naming the fields present.
        let e = TokenData::from_value(
            &json!({"productId":null,"createTime":1666231314326u64,"expire":86400,"customerCode":"0001"}),
            "token",
        )
        .unwrap_err();
        assert!(
            e.contains("no `token` field")
                && e.contains("createTime, customerCode, expire, productId"),
            "{e}"
        );
        let alt = TokenData::from_value(
            &json!({"accessToken": "x", "expire": "7200"}),
            "accessToken",
        )
        .unwrap();
        assert_eq!(alt.lifetime(), Duration::from_secs(7200));
        assert_eq!(data("t", 0).lifetime(), DEFAULT_TOKEN_LIFETIME);
        assert!(TokenData::from_value(&json!(null), "token").is_err());
        assert!(TokenData::from_value(&json!({"token": ""}), "token").is_err());
    }

    #[test]
    fn freshness_margin() {
        let t0 = at(1_000_000);
        let token = |secs| roster_core::AccessToken::new("v".into(), t0, Duration::from_secs(secs));
        let day = token(86_400);
        // 10 % of 86,400 s is 8,640 s > 600 s.
        assert!(day.is_fresh(at(1_000_000 + 86_400 - 8_641), &REFRESH_MARGIN));
        assert!(!day.is_fresh(at(1_000_000 + 86_400 - 8_640), &REFRESH_MARGIN));
        // max(600 s, 360 s) = 600 s.
        let hour = token(3_600);
        assert!(hour.is_fresh(at(1_000_000 + 2_999), &REFRESH_MARGIN));
        assert!(!hour.is_fresh(at(1_000_000 + 3_000), &REFRESH_MARGIN));
        // Capped at half the lifetime.
        let minute = token(60);
        assert!(minute.is_fresh(at(1_000_000 + 29), &REFRESH_MARGIN));
        assert!(!minute.is_fresh(at(1_000_000 + 30), &REFRESH_MARGIN));
    }
}
