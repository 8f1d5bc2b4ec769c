//! Wire types: the vendor's records as sent, read leniently.
//!
//! Every field is optional. IDs are accepted as strings or numbers (`eventId`/`userId`/`hostId`
//! as `u64`, `conferenceId`/`tempConferenceId` as strings); times as Unix seconds or
//! milliseconds (numbers or digit strings) or `YYYY-MM-DD HH:MM:SS` in UTC+8; `null` wherever an
//! object or array is expected; and the spelling variants of the spec (`billingCode` /
//! `billingcode`, `wcallurl` / `wcallUrl`, `CreateTime` / `createTime`, `role` / `roleId`,
//! `tempConfenceList` / `tempConferenceList`).
//!
//! Nothing is lost: a field that is absent from the struct, or present but of a type that
//! cannot be read, stays in the record's `extra` under its wire name. Decoding a record never
//! fails as long as it is a JSON object.

use std::net::IpAddr;

use percent_encoding::percent_decode_str;
use roster_core::wire::{value_as_i64, value_as_string, value_as_time};
use serde::de::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Reads a record from a JSON object, keeping unread fields.
pub trait FromObject: Sized {
    /// Builds the record from the object's fields.
    fn from_object(map: Map<String, Value>) -> Self;
}

macro_rules! deserialize_via_object {
    ($($t:ty),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(<$t>::from_object(Map::deserialize(d)?))
            }
        }
    )*};
}

/// A field reader over a JSON object: each read removes the field it used, so what remains is
/// the record's `extra`.
pub(crate) struct Fields {
    map: Map<String, Value>,
}

impl Fields {
    pub(crate) fn new(map: Map<String, Value>) -> Self {
        Self { map }
    }

    /// The first alias present whose value `read` accepts. `null` values are dropped (they
    /// carry nothing); values `read` refuses stay in `extra`.
    fn pick<T>(&mut self, keys: &[&str], read: impl Fn(&Value) -> Option<T>) -> Option<T> {
        for key in keys {
            if let Some(value) = self.map.remove(*key) {
                if let Some(t) = read(&value) {
                    return Some(t);
                }
                if !value.is_null() {
                    self.map.insert((*key).to_string(), value);
                }
            }
        }
        None
    }

    pub(crate) fn string(&mut self, keys: &[&str]) -> Option<String> {
        self.pick(keys, value_as_string)
    }

    pub(crate) fn i64(&mut self, keys: &[&str]) -> Option<i64> {
        self.pick(keys, value_as_i64)
    }

    pub(crate) fn u64(&mut self, keys: &[&str]) -> Option<u64> {
        self.pick(keys, |v| {
            value_as_i64(v).and_then(|n| u64::try_from(n).ok())
        })
    }

    pub(crate) fn time(&mut self, keys: &[&str]) -> Option<OffsetDateTime> {
        self.pick(keys, value_as_time)
    }

    pub(crate) fn object(&mut self, keys: &[&str]) -> Option<Map<String, Value>> {
        self.pick(keys, |v| v.as_object().cloned())
    }

    /// An array of anything; `null` is an empty array.
    pub(crate) fn values(&mut self, keys: &[&str]) -> Vec<Value> {
        self.pick(keys, |v| v.as_array().cloned())
            .unwrap_or_default()
    }

    pub(crate) fn i64_list(&mut self, keys: &[&str]) -> Vec<i64> {
        self.pick(keys, |v| {
            v.as_array()?
                .iter()
                .map(value_as_i64)
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or_default()
    }

    /// An array of records; `null` elements are skipped, and an array holding anything but
    /// objects stays in `extra`.
    pub(crate) fn records<T: FromObject>(&mut self, keys: &[&str]) -> Vec<T> {
        self.pick(keys, |v| records_from(v.clone()).ok())
            .unwrap_or_default()
    }

    pub(crate) fn rest(self) -> Map<String, Value> {
        self.map
    }
}

/// Reads records from an array (or a single object, or `null`). `null` elements are skipped;
/// any other non-object element is an error.
pub fn records_from<T: FromObject>(value: Value) -> Result<Vec<T>, String> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Object(map) => Ok(vec![T::from_object(map)]),
        Value::Array(items) => items
            .into_iter()
            .filter(|v| !v.is_null())
            .enumerate()
            .map(|(i, v)| match v {
                Value::Object(map) => Ok(T::from_object(map)),
                other => Err(format!(
                    "element {i} is {}, expected an object",
                    json_type(&other)
                )),
            })
            .collect(),
        other => Err(format!(
            "expected an array or an object, got {}",
            json_type(&other)
        )),
    }
}

/// The JSON type name of a value (for decode messages; never the value itself).
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Meeting state inside `result` (docs/specs/quanshi.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MeetingStatus {
    /// `0` 已取消.
    Cancelled,
    /// `1` 已创建 (scheduled).
    Created,
    /// `4` 已结束.
    Ended,
    /// Any other value (e.g. `2`, in progress, on other APIs).
    Unknown(i64),
}

impl MeetingStatus {
    /// Maps the code.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Cancelled,
            1 => Self::Created,
            4 => Self::Ended,
            other => Self::Unknown(other),
        }
    }

    /// The code.
    pub fn code(self) -> i64 {
        match self {
            Self::Cancelled => 0,
            Self::Created => 1,
            Self::Ended => 4,
            Self::Unknown(c) => c,
        }
    }
}

/// Invitee type (`attendList[].userType`, docs/specs/quanshi.md §4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserType {
    /// `1` 内部参会人.
    Internal,
    /// `2` 外部参会人.
    External,
    /// `3` 电话参会人.
    Phone,
    /// Any other value.
    Unknown(i64),
}

impl UserType {
    /// Maps the code.
    pub fn from_code(code: i64) -> Self {
        match code {
            1 => Self::Internal,
            2 => Self::External,
            3 => Self::Phone,
            other => Self::Unknown(other),
        }
    }

    /// The code.
    pub fn code(self) -> i64 {
        match self {
            Self::Internal => 1,
            Self::External => 2,
            Self::Phone => 3,
            Self::Unknown(c) => c,
        }
    }

    /// `internal`, `external`, `phone` or `unknown:<n>`.
    pub fn name(self) -> String {
        match self {
            Self::Internal => "internal".into(),
            Self::External => "external".into(),
            Self::Phone => "phone".into(),
            Self::Unknown(c) => format!("unknown:{c}"),
        }
    }
}

/// A value that lets its holder into a meeting (a passcode, a host link, a live-stream
/// password): `Debug` shows `<redacted>`, so it never reaches a log or an error by accident.
/// Read it with [`Sensitive::expose`] (or through `Deref<Target = str>`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Sensitive {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A JSON object that may hold a value letting its holder into a meeting (`calExtraInfo`
/// carries the meeting password `eventWatchword`): `Debug` shows only its keys. Read it with
/// [`SensitiveMap::expose`] (or through `Deref<Target = Map>`).
#[derive(Clone, Default, PartialEq)]
pub struct SensitiveMap(Map<String, Value>);

impl SensitiveMap {
    /// Wraps an object.
    pub fn new(map: Map<String, Value>) -> Self {
        Self(map)
    }

    /// The object itself.
    pub fn expose(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The object, unwrapped.
    pub fn into_inner(self) -> Map<String, Value> {
        self.0
    }
}

impl std::ops::Deref for SensitiveMap {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl std::fmt::Debug for SensitiveMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, Redacted)))
            .finish()
    }
}

/// Shows `<redacted>` in `Debug`.
struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A meeting from the join-link lookup (docs/specs/quanshi.md §4.1) or `room/conference/infos` (§4.2).
///
/// The host passcode, the attendee passcode, the host and co-host links, the phone-conference
/// link (it carries a `pcode`), the live-stream password and `calExtraInfo` (it carries the
/// meeting password `eventWatchword`) are [`Sensitive`] / [`SensitiveMap`]: they let their
/// holder into the meeting.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Meeting {
    /// `conferenceId`.
    pub conference_id: Option<String>,
    /// `eventId` (number or string on the wire).
    pub event_id: Option<u64>,
    /// `pcode1`, host passcode.
    pub pcode1: Option<Sensitive>,
    /// `pcode2`, attendee passcode.
    pub pcode2: Option<Sensitive>,
    /// `billingCode` / `billingcode`.
    pub billing_code: Option<String>,
    /// `hostId`.
    pub host_id: Option<u64>,
    /// `hostName`.
    pub host_name: Option<String>,
    /// `hostMobile` (may be empty).
    pub host_mobile: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// `startTime` (Unix seconds or text).
    pub start_time: Option<OffsetDateTime>,
    /// `endTime`.
    pub end_time: Option<OffsetDateTime>,
    /// `length`, minutes.
    pub length_minutes: Option<i64>,
    /// `status`, meeting state.
    pub status: Option<MeetingStatus>,
    /// `confMode`: 0 video, 1 data.
    pub conf_mode: Option<i64>,
    /// `calType`: `E` single, `M` recurring.
    pub cal_type: Option<String>,
    /// `roomId`.
    pub room_id: Option<String>,
    /// `attendeeJoinUrl`.
    pub attendee_join_url: Option<String>,
    /// `hostJoinUrl`.
    pub host_join_url: Option<Sensitive>,
    /// `joinHostUrl` (co-host link, `room/conference/infos`).
    pub join_host_url: Option<Sensitive>,
    /// `webRTCUrl`.
    pub web_rtc_url: Option<String>,
    /// `wcallurl` / `wcallUrl` (carries a passcode in its query).
    pub wcall_url: Option<Sensitive>,
    /// `livePullUrl`.
    pub live_pull_url: Option<String>,
    /// `livePullPwd`.
    pub live_pull_pwd: Option<Sensitive>,
    /// `attendList`, the invitees.
    pub attend_list: Vec<Invitee>,
    /// `houseList` (raw).
    pub house_list: Vec<Value>,
    /// `equipList` (raw).
    pub equip_list: Vec<Value>,
    /// `detailHouseList` (raw; `null` is empty).
    pub detail_house_list: Vec<Value>,
    /// `CreateTime` / `createTime`.
    pub create_time: Option<OffsetDateTime>,
    /// `modifyTime`.
    pub modify_time: Option<OffsetDateTime>,
    /// `timezone`.
    pub timezone: Option<String>,
    /// `joinLogin`.
    pub join_login: Option<i64>,
    /// `joinConfSelTag`.
    pub join_conf_sel_tag: Option<i64>,
    /// `joinConfTags`.
    pub join_conf_tags: Option<String>,
    /// `confNodeType`.
    pub conf_node_type: Option<i64>,
    /// `calExtraInfo` (raw object; may hold the meeting password `eventWatchword`).
    pub cal_extra_info: Option<SensitiveMap>,
    /// `isGnet` (`room/conference/infos`).
    pub is_gnet: Option<i64>,
    /// `btplRole` (raw object).
    pub btpl_role: Option<Map<String, Value>>,
    /// Every other field.
    pub extra: Map<String, Value>,
}

impl FromObject for Meeting {
    fn from_object(map: Map<String, Value>) -> Self {
        let mut f = Fields::new(map);
        Self {
            conference_id: f.string(&["conferenceId"]),
            event_id: f.u64(&["eventId"]),
            pcode1: f.string(&["pcode1"]).map(Sensitive),
            pcode2: f.string(&["pcode2"]).map(Sensitive),
            billing_code: f.string(&["billingCode", "billingcode"]),
            host_id: f.u64(&["hostId"]),
            host_name: f.string(&["hostName"]),
            host_mobile: f.string(&["hostMobile"]),
            title: f.string(&["title"]),
            start_time: f.time(&["startTime"]),
            end_time: f.time(&["endTime"]),
            length_minutes: f.i64(&["length"]),
            status: f.i64(&["status"]).map(MeetingStatus::from_code),
            conf_mode: f.i64(&["confMode"]),
            cal_type: f.string(&["calType"]),
            room_id: f.string(&["roomId"]),
            attendee_join_url: f.string(&["attendeeJoinUrl"]),
            host_join_url: f.string(&["hostJoinUrl"]).map(Sensitive),
            join_host_url: f.string(&["joinHostUrl"]).map(Sensitive),
            web_rtc_url: f.string(&["webRTCUrl"]),
            wcall_url: f.string(&["wcallurl", "wcallUrl"]).map(Sensitive),
            live_pull_url: f.string(&["livePullUrl"]),
            live_pull_pwd: f.string(&["livePullPwd"]).map(Sensitive),
            attend_list: f.records(&["attendList"]),
            house_list: f.values(&["houseList"]),
            equip_list: f.values(&["equipList"]),
            detail_house_list: f.values(&["detailHouseList"]),
            create_time: f.time(&["CreateTime", "createTime"]),
            modify_time: f.time(&["modifyTime"]),
            timezone: f.string(&["timezone"]),
            join_login: f.i64(&["joinLogin"]),
            join_conf_sel_tag: f.i64(&["joinConfSelTag"]),
            join_conf_tags: f.string(&["joinConfTags"]),
            conf_node_type: f.i64(&["confNodeType"]),
            cal_extra_info: f.object(&["calExtraInfo"]).map(SensitiveMap),
            is_gnet: f.i64(&["isGnet"]),
            btpl_role: f.object(&["btplRole"]),
            extra: f.rest(),
        }
    }
}

/// An invited person (`attendList[]`, docs/specs/quanshi.md §4.1.1).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Invitee {
    /// `user`, the user id (a string on the wire).
    pub user: Option<String>,
    /// `userType`.
    pub user_type: Option<UserType>,
    /// `status`: `W`, `A`, `R`.
    pub status: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `phoneName`, a phone participant's name.
    pub phone_name: Option<String>,
    /// `phoneEmail`, a phone participant's e-mail.
    pub phone_email: Option<String>,
    /// `mobileNumber`.
    pub mobile_number: Option<String>,
    /// `officePhone`.
    pub office_phone: Option<String>,
    /// `countryCode`.
    pub country_code: Option<String>,
    /// `cityCode`.
    pub city_code: Option<String>,
    /// `companyName`.
    pub company_name: Option<String>,
    /// `orgName`.
    pub org_name: Option<String>,
    /// Every other field (`contactId`, `productStatus`, `userProfile` …).
    pub extra: Map<String, Value>,
}

impl FromObject for Invitee {
    fn from_object(map: Map<String, Value>) -> Self {
        let mut f = Fields::new(map);
        Self {
            user: f.string(&["user"]),
            user_type: f.i64(&["userType"]).map(UserType::from_code),
            status: f.string(&["status"]),
            display_name: f.string(&["displayName"]),
            phone_name: f.string(&["phoneName"]),
            phone_email: f.string(&["phoneEmail"]),
            mobile_number: f.string(&["mobileNumber"]),
            office_phone: f.string(&["officePhone"]),
            country_code: f.string(&["countryCode"]),
            city_code: f.string(&["cityCode"]),
            company_name: f.string(&["companyName"]),
            org_name: f.string(&["orgName"]),
            extra: f.rest(),
        }
    }
}

/// One row of the v1 report: one person (docs/specs/quanshi.md §4.3). Times are kept as the text sent.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ReportV1Row {
    /// `conferenceId`.
    pub conference_id: Option<String>,
    /// `eventId`.
    pub event_id: Option<u64>,
    /// `title` as sent (URL-encoded); see [`ReportV1Row::title`].
    pub title_raw: Option<String>,
    /// `hostId`.
    pub host_id: Option<u64>,
    /// `hostName`.
    pub host_name: Option<String>,
    /// `startTime`, meeting start (`YYYY-MM-DD HH:MM:SS`, UTC+8 assumed).
    pub start_time: Option<String>,
    /// `endTime`.
    pub end_time: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `mobile` as sent (`"-"` when empty); see [`ReportV1Row::mobile`].
    pub mobile_raw: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `role`: 0 attendee, 1 host.
    pub role: Option<i64>,
    /// `onlineTime`, first join (text).
    pub online_time: Option<String>,
    /// `offlineTime`, last leave (text).
    pub offline_time: Option<String>,
    /// `times`, number of joins.
    pub times: Option<i64>,
    /// `watchDuration` as sent (unit undocumented).
    pub watch_duration: Option<String>,
    /// `deviceType`.
    pub device_type: Option<String>,
    /// `ip` as sent: IP, phone number, or both; see [`ReportV1Row::ip_parts`].
    pub ip: Option<String>,
    /// Every other field.
    pub extra: Map<String, Value>,
}

impl FromObject for ReportV1Row {
    fn from_object(map: Map<String, Value>) -> Self {
        let mut f = Fields::new(map);
        Self {
            conference_id: f.string(&["conferenceId"]),
            event_id: f.u64(&["eventId"]),
            title_raw: f.string(&["title"]),
            host_id: f.u64(&["hostId"]),
            host_name: f.string(&["hostName"]),
            start_time: f.string(&["startTime"]),
            end_time: f.string(&["endTime"]),
            name: f.string(&["name"]),
            mobile_raw: f.string(&["mobile"]),
            email: f.string(&["email"]),
            role: f.i64(&["role", "roleId"]),
            online_time: f.string(&["onlineTime"]),
            offline_time: f.string(&["offlineTime"]),
            times: f.i64(&["times"]),
            watch_duration: f.string(&["watchDuration"]),
            device_type: f.string(&["deviceType"]),
            ip: f.string(&["ip"]),
            extra: f.rest(),
        }
    }
}

impl ReportV1Row {
    /// The title with `%XX` sequences decoded as UTF-8 (`+` kept); the raw text if the result
    /// is not UTF-8.
    pub fn title(&self) -> Option<String> {
        self.title_raw.as_deref().map(decode_title)
    }

    /// The mobile number; `"-"` and blanks are none.
    pub fn mobile(&self) -> Option<String> {
        clean_mobile(self.mobile_raw.as_deref())
    }

    /// `ip` split into IP addresses and phone numbers.
    pub fn ip_parts(&self) -> IpField {
        IpField::parse(self.ip.as_deref().unwrap_or(""))
    }

    /// `onlineTime` parsed (UTC+8 text, or Unix seconds/ms digits).
    pub fn online_at(&self) -> Option<OffsetDateTime> {
        self.online_time
            .as_deref()
            .and_then(roster_core::wire::parse_time_text)
    }

    /// `offlineTime` parsed.
    pub fn offline_at(&self) -> Option<OffsetDateTime> {
        self.offline_time
            .as_deref()
            .and_then(roster_core::wire::parse_time_text)
    }
}

/// Decodes a URL-encoded title: `%XX` as UTF-8 bytes, `+` left as is; the input unchanged when
/// the decoded bytes are not UTF-8.
pub fn decode_title(raw: &str) -> String {
    match percent_decode_str(raw).decode_utf8() {
        Ok(text) => text.into_owned(),
        Err(_) => raw.to_string(),
    }
}

/// A mobile number, with the report's `"-"` placeholder and blanks as none.
pub fn clean_mobile(raw: Option<&str>) -> Option<String> {
    let m = raw?.trim();
    if m.is_empty() || m == "-" {
        None
    } else {
        Some(m.to_string())
    }
}

/// The report's composite `ip` field, split on whitespace: `"183.186.246.249 17694879663"`
/// (data client plus phone audio), `"17694879663"` (phone only), `"183.186.246.249"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IpField {
    /// Tokens that are IPv4 or IPv6 addresses.
    pub ips: Vec<String>,
    /// Tokens that look like phone numbers (digits, optional `+` and `-`, at least 5 digits).
    pub phones: Vec<String>,
    /// Anything else.
    pub other: Vec<String>,
}

impl IpField {
    /// Splits and classifies.
    pub fn parse(raw: &str) -> Self {
        let mut out = Self::default();
        for token in raw.split_whitespace() {
            if token.parse::<IpAddr>().is_ok() {
                out.ips.push(token.to_string());
            } else if looks_like_phone(token) {
                out.phones.push(token.to_string());
            } else {
                out.other.push(token.to_string());
            }
        }
        out
    }
}

fn looks_like_phone(token: &str) -> bool {
    let body = token.strip_prefix('+').unwrap_or(token);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && digits >= 5
        && !body.starts_with('-')
}

/// The v2 report (docs/specs/quanshi.md §4.4): sessions and the meeting's runs.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ReportV2 {
    /// `interaction`: one row per join session.
    pub sessions: Vec<Session>,
    /// `tempConfenceList` / `tempConferenceList`: the actual runs of the meeting.
    pub runs: Vec<Run>,
    /// Every other field.
    pub extra: Map<String, Value>,
}

impl FromObject for ReportV2 {
    fn from_object(map: Map<String, Value>) -> Self {
        let mut f = Fields::new(map);
        Self {
            sessions: f.records(&["interaction"]),
            runs: f.records(&["tempConfenceList", "tempConferenceList"]),
            extra: f.rest(),
        }
    }
}

/// Whether a list answer's payload carries its records array: an object with `key` (an array,
/// or `null` for none). Anything else is no page of the list, a bare array included: that is
/// the shape of other endpoints' answers (`room/conference/infos`), not of these lists.
pub(crate) fn carries_list(payload: &Value, key: &str) -> bool {
    payload.as_object().is_some_and(|map| map.contains_key(key))
}

/// One join session of the v2 report (`interaction[]`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Session {
    /// `name`.
    pub name: Option<String>,
    /// `mobile` (e.g. `+86-11232131223`).
    pub mobile: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `role` / `roleId`: 0 attendee, 1 host.
    pub role: Option<i64>,
    /// `onlineTime`, join (Unix seconds).
    pub online_time: Option<OffsetDateTime>,
    /// `offlineTime`, leave; none while the session is open (`0` stays in `extra`).
    pub offline_time: Option<OffsetDateTime>,
    /// `deviceType`.
    pub device_type: Option<String>,
    /// `ip`.
    pub ip: Option<String>,
    /// `tempConferenceId`, the run of the meeting.
    pub temp_conference_id: Option<String>,
    /// Every other field.
    pub extra: Map<String, Value>,
}

impl FromObject for Session {
    fn from_object(map: Map<String, Value>) -> Self {
        let mut f = Fields::new(map);
        Self {
            name: f.string(&["name"]),
            mobile: f.string(&["mobile"]),
            email: f.string(&["email"]),
            role: f.i64(&["role", "roleId"]),
            online_time: f.time(&["onlineTime"]),
            offline_time: f.time(&["offlineTime"]),
            device_type: f.string(&["deviceType"]),
            ip: f.string(&["ip"]),
            temp_conference_id: f.string(&["tempConferenceId"]),
            extra: f.rest(),
        }
    }
}

/// One run of a meeting (`tempConfenceList[]`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Run {
    /// `tempConferenceId`.
    pub temp_conference_id: Option<String>,
    /// `realStartTime` (Unix seconds/ms or UTC+8 text).
    pub real_start_time: Option<OffsetDateTime>,
    /// `realEndTime`.
    pub real_end_time: Option<OffsetDateTime>,
    /// Every other field.
    pub extra: Map<String, Value>,
}

impl FromObject for Run {
    fn from_object(map: Map<String, Value>) -> Self {
        let mut f = Fields::new(map);
        Self {
            temp_conference_id: f.string(&["tempConferenceId"]),
            real_start_time: f.time(&["realStartTime"]),
            real_end_time: f.time(&["realEndTime"]),
            extra: f.rest(),
        }
    }
}

/// A terminal currently in a meeting (`conference/attendee/list`, docs/specs/quanshi.md §4.5).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Terminal {
    /// `eventId`.
    pub event_id: Option<u64>,
    /// `conferenceId`.
    pub conference_id: Option<String>,
    /// `tempUserId`, the per-session temporary user id.
    pub temp_user_id: Option<String>,
    /// `userId`.
    pub user_id: Option<u64>,
    /// `customerCode`.
    pub customer_code: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `mobile`.
    pub mobile: Option<String>,
    /// `role` (values undocumented).
    pub role: Option<i64>,
    /// `roles`.
    pub roles: Vec<i64>,
    /// `deviceType`.
    pub device_type: Option<String>,
    /// `deviceVer`.
    pub device_ver: Option<String>,
    /// `deviceId`.
    pub device_id: Option<String>,
    /// `localIp`.
    pub local_ip: Option<String>,
    /// `ip`.
    pub ip: Option<String>,
    /// `location`.
    pub location: Option<String>,
    /// `carrier`.
    pub carrier: Option<String>,
    /// `netType`.
    pub net_type: Option<String>,
    /// Every other field.
    pub extra: Map<String, Value>,
}

impl FromObject for Terminal {
    fn from_object(map: Map<String, Value>) -> Self {
        let mut f = Fields::new(map);
        Self {
            event_id: f.u64(&["eventId"]),
            conference_id: f.string(&["conferenceId"]),
            temp_user_id: f.string(&["tempUserId"]),
            user_id: f.u64(&["userId"]),
            customer_code: f.string(&["customerCode"]),
            name: f.string(&["name"]),
            email: f.string(&["email"]),
            mobile: f.string(&["mobile"]),
            role: f.i64(&["role"]),
            roles: f.i64_list(&["roles"]),
            device_type: f.string(&["deviceType"]),
            device_ver: f.string(&["deviceVer"]),
            device_id: f.string(&["deviceId"]),
            local_ip: f.string(&["localIp"]),
            ip: f.string(&["ip"]),
            location: f.string(&["location"]),
            carrier: f.string(&["carrier"]),
            net_type: f.string(&["netType"]),
            extra: f.rest(),
        }
    }
}

deserialize_via_object!(
    Meeting,
    Invitee,
    ReportV1Row,
    ReportV2,
    Session,
    Run,
    Terminal
);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    /// The doc example of the join-link lookup (vendor doc "quanshi-meeting-by-join-url").
    pub(crate) fn doc_meeting() -> Value {
        json!({
            "conferenceId": "239719428",
            "pcode1": "201501000037434973",
            "pcode2": "201501000037434974",
            "billingcode": "95397103",
            "eventId": 566390,
            "attendeeJoinUrl": "https://mtest.qsh1.cn/k/mkIW3Txa0Uk",
            "hostJoinUrl": "https://mtest.qsh1.cn/k/mkIW3H0GXqq",
            "wcallurl": "http://meetservicem.quanshi.com/m-wcall/?pcode=64f8&env=E",
            "hostId": 88610849,
            "hostName": "pxytest24",
            "hostMobile": "",
            "startTime": 1654608600,
            "endTime": 1654610400,
            "length": 30,
            "status": 1,
            "title": "哦",
            "confMode": 0,
            "calType": "E",
            "roomId": "",
            "attendList": [{
                "cityCode": "", "companyName": "", "contactId": "", "countryCode": "",
                "displayName": "", "mobileNumber": "", "officePhone": "", "orgName": "",
                "phoneEmail": "", "phoneName": "", "productStatus": 1, "status": "W",
                "user": "88610849", "userProfile": null, "userType": 1
            }],
            "livePullUrl": "",
            "livePullPwd": "",
            "CreateTime": 1654567956,
            "modifyTime": 1654568076,
            "timezone": "Asia/Shanghai",
            "joinLogin": 0,
            "joinConfSelTag": 0,
            "joinConfTags": "",
            "webRTCUrl": "https://mtest.qsh1.cn/k/mkIW3Txa0Uk?priority=web",
            "calExtraInfo": {},
            "confNodeType": 1,
            "houseList": [],
            "equipList": [],
            "detailHouseList": null
        })
    }

    #[test]
    fn doc_example_meeting() {
        let m: Meeting = serde_json::from_value(doc_meeting()).unwrap();
        assert_eq!(
            m.pcode1.as_ref().map(Sensitive::expose),
            Some("201501000037434973")
        );
        let shown = format!("{m:?}");
        assert!(
            !shown.contains("201501000037434973"),
            "host passcode hidden: {shown}"
        );
        assert!(shown.contains("<redacted>"));
        assert_eq!(m.conference_id.as_deref(), Some("239719428"));
        assert_eq!(m.event_id, Some(566_390));
        assert_eq!(m.billing_code.as_deref(), Some("95397103"));
        assert!(
            m.wcall_url
                .as_deref()
                .unwrap()
                .starts_with("http://meetservicem")
        );
        assert_eq!(m.host_id, Some(88_610_849));
        assert_eq!(m.start_time, Some(datetime!(2022-06-07 13:30:00 UTC)));
        assert_eq!(m.end_time.unwrap().unix_timestamp(), 1_654_610_400);
        assert_eq!(m.length_minutes, Some(30));
        assert_eq!(m.status, Some(MeetingStatus::Created));
        assert_eq!(m.create_time.unwrap().unix_timestamp(), 1_654_567_956);
        assert_eq!(m.modify_time.unwrap().unix_timestamp(), 1_654_568_076);
        assert!(m.detail_house_list.is_empty());
        assert_eq!(m.cal_extra_info, Some(SensitiveMap::new(Map::new())));
        assert_eq!(m.conf_node_type, Some(1));
        assert_eq!(m.attend_list.len(), 1);
        let inv = &m.attend_list[0];
        assert_eq!(inv.user.as_deref(), Some("88610849"));
        assert_eq!(inv.user_type, Some(UserType::Internal));
        assert_eq!(inv.status.as_deref(), Some("W"));
        assert_eq!(inv.extra["productStatus"], 1);
        assert_eq!(
            inv.extra["userProfile"],
            Value::Null,
            "unmapped, kept as sent"
        );
        assert!(
            m.extra.is_empty(),
            "every documented field is mapped: {:?}",
            m.extra
        );
    }

    #[test]
    fn debug_hides_every_way_into_the_meeting() {
        let mut v = doc_meeting();
        v["livePullPwd"] = json!("LIVE-PWD-77");
        v["calExtraInfo"] = json!({"openWatchword": 1, "eventWatchword": "WATCHWORD-55"});
        let m: Meeting = serde_json::from_value(v).unwrap();
        let shown = format!("{m:?}");
        for secret in [
            "201501000037434973",                  // pcode1
            "201501000037434974",                  // pcode2
            "https://mtest.qsh1.cn/k/mkIW3H0GXqq", // hostJoinUrl
            "mkIW3H0GXqq",
            "m-wcall/?pcode=64f8", // wcallurl
            "64f8",
            "LIVE-PWD-77",  // livePullPwd
            "WATCHWORD-55", // calExtraInfo.eventWatchword
        ] {
            assert!(!shown.contains(secret), "{secret} shown in {shown}");
        }
        assert!(
            shown.contains("eventWatchword"),
            "keys stay visible: {shown}"
        );
        assert!(shown.contains("mkIW3Txa0Uk"), "the attendee link is public");
        assert_eq!(
            m.wcall_url.as_deref(),
            Some("http://meetservicem.quanshi.com/m-wcall/?pcode=64f8&env=E")
        );
        assert_eq!(m.pcode2.as_deref(), Some("201501000037434974"));
        assert_eq!(
            m.cal_extra_info.as_ref().unwrap()["eventWatchword"],
            "WATCHWORD-55"
        );
    }

    #[test]
    fn table_spellings_and_flipped_types() {
        let m: Meeting = serde_json::from_value(json!({
            "conferenceId": 239719428, "eventId": "566390", "billingCode": "b", "wcallUrl": "w",
            "createTime": "1654567956", "startTime": "2022-06-07 21:30:00", "hostId": "88610849",
            "attendList": null, "houseList": null, "isGnet": 1, "joinHostUrl": "j",
            "btplRole": {"x": 1}, "newField": [1]
        }))
        .unwrap();
        assert_eq!(m.conference_id.as_deref(), Some("239719428"));
        assert_eq!(m.event_id, Some(566_390));
        assert_eq!(m.billing_code.as_deref(), Some("b"));
        assert_eq!(m.wcall_url.as_deref(), Some("w"));
        assert_eq!(m.create_time.unwrap().unix_timestamp(), 1_654_567_956);
        assert_eq!(m.start_time, Some(datetime!(2022-06-07 13:30:00 UTC)));
        assert_eq!(m.host_id, Some(88_610_849));
        assert!(m.attend_list.is_empty() && m.house_list.is_empty());
        assert_eq!(m.is_gnet, Some(1));
        assert_eq!(m.join_host_url.as_deref(), Some("j"));
        assert_eq!(m.extra["newField"], json!([1]));
    }

    #[test]
    fn both_spellings_keep_the_second_in_extra() {
        let m: Meeting =
            serde_json::from_value(json!({"billingCode": "a", "billingcode": "b"})).unwrap();
        assert_eq!(m.billing_code.as_deref(), Some("a"));
        assert_eq!(m.extra["billingcode"], "b");
    }

    #[test]
    fn unreadable_values_stay_in_extra() {
        let m: Meeting = serde_json::from_value(json!({
            "eventId": "not-a-number", "startTime": {"x": 1}, "attendList": [1, 2],
            "calExtraInfo": "text", "status": -1
        }))
        .unwrap();
        assert_eq!(m.event_id, None);
        assert_eq!(m.extra["eventId"], "not-a-number");
        assert_eq!(m.extra["startTime"], json!({"x": 1}));
        assert_eq!(m.extra["attendList"], json!([1, 2]));
        assert_eq!(m.extra["calExtraInfo"], "text");
        assert_eq!(m.status, Some(MeetingStatus::Unknown(-1)));
    }

    #[test]
    fn v1_row_doc_quirks() {
        let r: ReportV1Row = serde_json::from_value(json!({
            "conferenceId": "239794753", "eventId": 613399,
            "title": "pei%E7%9A%84%E4%BC%9A%E8%AE%AE", "hostId": 88610840, "hostName": "pei",
            "startTime": "2022-11-18 19:00:00", "endTime": "2022-11-18 20:00:00",
            "name": "张三", "mobile": "-", "email": "", "role": 0,
            "onlineTime": "2022-11-18 11:25:48", "offlineTime": "2022-11-18 12:00:00",
            "times": 2, "watchDuration": "1800", "deviceType": "Windows",
            "ip": "183.186.246.249 17694879663"
        }))
        .unwrap();
        assert_eq!(r.title().as_deref(), Some("pei的会议"));
        assert_eq!(
            r.title_raw.as_deref(),
            Some("pei%E7%9A%84%E4%BC%9A%E8%AE%AE")
        );
        assert_eq!(r.mobile(), None);
        assert_eq!(r.online_at().unwrap().unix_timestamp(), 1_668_741_948);
        assert_eq!(r.online_at(), Some(datetime!(2022-11-18 11:25:48 +8)));
        let ip = r.ip_parts();
        assert_eq!(ip.ips, vec!["183.186.246.249"]);
        assert_eq!(ip.phones, vec!["17694879663"]);
        assert!(r.extra.is_empty(), "{:?}", r.extra);
    }

    #[test]
    fn title_decoding() {
        assert_eq!(decode_title("pei%E7%9A%84%E4%BC%9A%E8%AE%AE"), "pei的会议");
        assert_eq!(decode_title("a+b%20c"), "a+b c", "+ is kept");
        assert_eq!(decode_title("%E7%9A"), "%E7%9A", "invalid UTF-8 → raw");
        assert_eq!(decode_title("%FF%FE"), "%FF%FE");
        assert_eq!(decode_title("100%"), "100%");
        assert_eq!(decode_title("%zz"), "%zz");
        assert_eq!(decode_title("plain 会议"), "plain 会议");
    }

    #[test]
    fn ip_forms() {
        let both = IpField::parse("183.186.246.249 17694879663");
        assert_eq!((both.ips.len(), both.phones.len()), (1, 1));
        let phone = IpField::parse("17694879663");
        assert!(phone.ips.is_empty());
        assert_eq!(phone.phones, vec!["17694879663"]);
        let ip = IpField::parse(" 183.186.246.249 ");
        assert_eq!(ip.ips, vec!["183.186.246.249"]);
        assert!(ip.phones.is_empty());
        let v6 = IpField::parse("2001:db8::1\t+86-13800138000 host.example");
        assert_eq!(v6.ips, vec!["2001:db8::1"]);
        assert_eq!(v6.phones, vec!["+86-13800138000"]);
        assert_eq!(v6.other, vec!["host.example"]);
        assert_eq!(IpField::parse(""), IpField::default());
        assert_eq!(
            IpField::parse("1234").other,
            vec!["1234"],
            "too short for a phone"
        );
    }

    #[test]
    fn mobiles() {
        assert_eq!(clean_mobile(Some("-")), None);
        assert_eq!(clean_mobile(Some(" ")), None);
        assert_eq!(clean_mobile(None), None);
        assert_eq!(
            clean_mobile(Some("+86-11232131223")).as_deref(),
            Some("+86-11232131223")
        );
    }

    #[test]
    fn v2_doc_quirks() {
        let r: ReportV2 = serde_json::from_value(json!({
            "interaction": [
                {"name": "a", "mobile": "+86-11232131223", "email": "a@x", "roleId": 1,
                 "onlineTime": 1763452425, "offlineTime": 0, "deviceType": "PC",
                 "ip": "1.2.3.4", "tempConferenceId": "54017"},
                null,
                {"name": "b", "role": "0", "onlineTime": "1763452500", "offlineTime": "1763453000",
                 "tempConferenceId": 54018}
            ],
            "tempConfenceList": [
                {"tempConferenceId": "54017", "realStartTime": "2025-11-18 15:53:00", "realEndTime": 1763456000}
            ]
        }))
        .unwrap();
        assert_eq!(r.sessions.len(), 2);
        let a = &r.sessions[0];
        assert_eq!(a.role, Some(1));
        assert_eq!(a.online_time.unwrap().unix_timestamp(), 1_763_452_425);
        assert_eq!(a.offline_time, None);
        assert_eq!(a.extra["offlineTime"], 0);
        assert_eq!(a.temp_conference_id.as_deref(), Some("54017"));
        let b = &r.sessions[1];
        assert_eq!(b.role, Some(0));
        assert_eq!(b.offline_time.unwrap().unix_timestamp(), 1_763_453_000);
        assert_eq!(b.temp_conference_id.as_deref(), Some("54018"));
        assert_eq!(r.runs.len(), 1);
        assert_eq!(
            r.runs[0].real_start_time,
            Some(datetime!(2025-11-18 15:53:00 +8))
        );
        assert_eq!(
            r.runs[0].real_end_time.unwrap().unix_timestamp(),
            1_763_456_000
        );
        let alt: ReportV2 = serde_json::from_value(
            json!({"tempConferenceList": [{"tempConferenceId": "1"}], "interaction": null}),
        )
        .unwrap();
        assert_eq!(alt.runs.len(), 1);
        assert!(alt.sessions.is_empty());
    }

    #[test]
    fn terminal_fields() {
        let t: Terminal = serde_json::from_value(json!({
            "eventId": "613399", "conferenceId": 239794753, "tempUserId": 123456789012u64,
            "userId": 88610849, "name": "n", "roles": [1, "2"], "netType": "WIFI",
            "location": "北京", "vendorThing": true
        }))
        .unwrap();
        assert_eq!(t.event_id, Some(613_399));
        assert_eq!(t.conference_id.as_deref(), Some("239794753"));
        assert_eq!(t.temp_user_id.as_deref(), Some("123456789012"));
        assert_eq!(t.roles, vec![1, 2]);
        assert_eq!(t.extra["vendorThing"], true);
    }

    #[test]
    fn records_from_shapes() {
        let v: Vec<Session> = records_from(json!({"name": "x"})).unwrap();
        assert_eq!(v.len(), 1);
        assert!(records_from::<Session>(json!(null)).unwrap().is_empty());
        assert!(records_from::<Session>(json!([1])).is_err());
        assert!(records_from::<Session>(json!("x")).is_err());
        assert!(serde_json::from_value::<Session>(json!([1])).is_err());
    }

    proptest::proptest! {
        #[test]
        fn garbage_never_panics(s in ".{0,200}") {
            let _ = IpField::parse(&s);
            let _ = decode_title(&s);
            if let Ok(v) = serde_json::from_str::<Value>(&s) {
                let _ = records_from::<Meeting>(v.clone());
                let _ = records_from::<ReportV1Row>(v.clone());
                let _ = records_from::<Terminal>(v);
            }
        }
    }
}
