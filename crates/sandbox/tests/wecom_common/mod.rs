//! Helpers of the WeCom emulator tests: raw HTTP with reqwest, written from the spec (no
//! sandbox or client code).

#![allow(dead_code, unused_imports)] // Each test binary uses a different subset.

pub use std::collections::{HashMap, HashSet};

pub use roster_sandbox::{
    CatalogMeeting, DataConfig, Fixture, MeetingKind, MeetingState, SandboxConfig, SandboxHandle,
    Vendor, WeComConfig,
};
pub use serde_json::{Value, json};

pub use crate::common::{client, meeting, small_config, start};

pub const ATTENDEES: &str = "/cgi-bin/meeting/get_attendee_list";
pub const ENROLL_LIST: &str = "/cgi-bin/meeting/enroll/list";
pub const ENROLL_QUERY: &str = "/cgi-bin/meeting/enroll/query_by_tmp_openid";
pub const INFO: &str = "/cgi-bin/meeting/get_info";
pub const MEETING_IDS: &str = "/cgi-bin/meeting/get_user_meetingid";
pub const WEBINAR_ENROLL_LIST: &str = "/cgi-bin/meeting/webinar/enroll/list";
pub const WEBINAR_ENROLL_QUERY: &str = "/cgi-bin/meeting/webinar/enroll/query_by_tmp_openid";
pub const REALTIME: &str = "/cgi-bin/meeting/get_realtime_attendee_list";
pub const WAITING_ROOM: &str = "/cgi-bin/meeting/waitingroom/get_user_list";
pub const INVITEES: &str = "/cgi-bin/meeting/get_invitees";

/// A response, read completely.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub json: Value,
}

impl Reply {
    async fn read(resp: reqwest::Response) -> Reply {
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body read");
        Reply {
            status,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    /// `errcode`, absent = 0 (docs/specs/wecom.md §3).
    pub fn errcode(&self) -> i64 {
        self.json
            .get("errcode")
            .map(|c| c.as_i64().expect("errcode is an integer"))
            .unwrap_or(0)
    }

    pub fn errmsg(&self) -> &str {
        self.json["errmsg"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn assert_code(&self, code: i64) {
        assert_eq!(self.status, 200, "always HTTP 200: {}", self.text);
        assert_eq!(self.errcode(), code, "body {}", self.text);
        if code != 0 {
            let msg = self.errmsg();
            assert!(
                msg.contains(", hint: [") && msg.ends_with(&format!("devtool/query?e={code}")),
                "errmsg shape: {msg}"
            );
        }
    }

    #[track_caller]
    pub fn assert_ok(&self) {
        self.assert_code(0);
        assert!(self.json.is_object(), "{}", self.text);
    }
}

/// A running sandbox, a client and a token of the first app.
pub struct Wc {
    pub sb: SandboxHandle,
    pub c: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Wc {
    pub async fn new(config: SandboxConfig) -> Wc {
        let sb = start(config).await;
        let c = client();
        let base = sb.base_url();
        let mut wc = Wc {
            sb,
            c,
            base,
            token: String::new(),
        };
        let secret = wc.sb.credentials().wecom.corp_secret;
        wc.token = wc.token_for(&secret).await;
        wc
    }

    pub async fn small() -> Wc {
        Wc::new(small_config()).await
    }

    /// `GET /cgi-bin/gettoken?{query}`.
    pub async fn gettoken(&self, query: &str) -> Reply {
        let resp = self
            .c
            .get(format!("{}/cgi-bin/gettoken?{query}", self.base))
            .send()
            .await
            .expect("sent");
        Reply::read(resp).await
    }

    /// A token for an app's secret (asserting success).
    pub async fn token_for(&self, secret: &str) -> String {
        let corp = self.sb.credentials().wecom.corp_id;
        let r = self
            .gettoken(&format!("corpid={corp}&corpsecret={secret}"))
            .await;
        r.assert_ok();
        r.json["access_token"].as_str().unwrap().to_owned()
    }

    /// A raw request: method, path, optional token, raw body.
    pub async fn raw(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> Reply {
        let url = match token {
            Some(t) => format!("{}{path}?access_token={t}", self.base),
            None => format!("{}{path}", self.base),
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = self
            .c
            .request(method, url)
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("sent");
        Reply::read(resp).await
    }

    /// `POST path?access_token=…` with a JSON body, as the first app.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.raw("POST", path, Some(&self.token), &body.to_string())
            .await
    }

    /// The same with another token.
    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> Reply {
        self.raw("POST", path, Some(token), &body.to_string()).await
    }

    /// POSTs to a sandbox admin route.
    pub async fn admin(&self, path_and_query: &str) -> Reply {
        let resp = self
            .c
            .post(format!("{}{path_and_query}", self.base))
            .send()
            .await
            .expect("sent");
        Reply::read(resp).await
    }

    pub fn meeting(&self, label: &str) -> CatalogMeeting {
        meeting(&self.sb, Vendor::WeCom, label)
    }

    /// Follows a cursor chain of `path` from `first` (a JSON object without `cursor`) to the
    /// page with `has_more: false`; `list` names the array. Returns the items and every page.
    pub async fn chain(&self, path: &str, first: &Value, list: &str) -> (Vec<Value>, Vec<Reply>) {
        let mut items = Vec::new();
        let mut pages = Vec::new();
        let mut body = first.clone();
        loop {
            let r = self.post(path, &body).await;
            r.assert_ok();
            items.extend(r.json[list].as_array().unwrap().iter().cloned());
            let more = r.json["has_more"].as_bool().expect("has_more");
            let next = r.json["next_cursor"]
                .as_str()
                .expect("next_cursor")
                .to_owned();
            assert!(!next.is_empty(), "a cursor on every page: {}", r.text);
            pages.push(r);
            if !more {
                break;
            }
            body["cursor"] = json!(next);
            assert!(pages.len() < 10_000);
        }
        (items, pages)
    }

    pub async fn attendees(&self, first: &Value) -> (Vec<Value>, Vec<Reply>) {
        self.chain(ATTENDEES, first, "attendees").await
    }
}

/// Seconds in a day.
pub const DAY: i64 = 86_400;
pub const WINDOW: i64 = 2_678_400;

pub fn full(m: &roster_sandbox::CatalogMeeting) -> Value {
    json!({"meetingid": m.id, "start_time": m.start, "end_time": m.end})
}

pub fn join(row: &Value) -> i64 {
    row["join_time"]
        .as_str()
        .expect("join_time is a string")
        .parse()
        .unwrap()
}
