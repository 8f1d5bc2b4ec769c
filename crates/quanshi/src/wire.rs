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
use serde_json::{Map, Value};
use time::OffsetDateTime;

pub use roster_core::record::{FromObject, Sensitive, SensitiveMap, json_type, records_from};

roster_core::code_enum! {
    /// Meeting state inside `result` (docs/specs/quanshi.md §5.1); other values (e.g. `2`, in
    /// progress, on other APIs) are kept as `Unknown`.
    MeetingStatus {
        /// `0` 已取消.
        Cancelled = 0 => "cancelled",
        /// `1` 已创建 (scheduled).
        Created = 1 => "created",
        /// `4` 已结束.
        Ended = 4 => "ended",
    }
}

roster_core::code_enum! {
    /// Invitee type (`attendList[].userType`, docs/specs/quanshi.md §4.1.1).
    UserType {
        /// `1` 内部参会人.
        Internal = 1 => "internal",
        /// `2` 外部参会人.
        External = 2 => "external",
        /// `3` 电话参会人.
        Phone = 3 => "phone",
    }
}

roster_core::lenient_record! {
    /// A meeting from the join-link lookup (docs/specs/quanshi.md §4.1) or `room/conference/infos` (§4.2).
    ///
    /// The host passcode, the attendee passcode, the host and co-host links, the phone-conference
    /// link (it carries a `pcode`), the live-stream password and `calExtraInfo` (it carries the
    /// meeting password `eventWatchword`) are [`Sensitive`] / [`SensitiveMap`]: they let their
    /// holder into the meeting.
    pub struct Meeting(f) {
        /// `conferenceId`.
        pub conference_id: Option<String> = f.string(&["conferenceId"]),
        /// `eventId` (number or string on the wire).
        pub event_id: Option<u64> = f.u64(&["eventId"]),
        /// `pcode1`, host passcode.
        pub pcode1: Option<Sensitive> = f.string(&["pcode1"]).map(Sensitive::new),
        /// `pcode2`, attendee passcode.
        pub pcode2: Option<Sensitive> = f.string(&["pcode2"]).map(Sensitive::new),
        /// `billingCode` / `billingcode`.
        pub billing_code: Option<String> = f.string(&["billingCode", "billingcode"]),
        /// `hostId`.
        pub host_id: Option<u64> = f.u64(&["hostId"]),
        /// `hostName`.
        pub host_name: Option<String> = f.string(&["hostName"]),
        /// `hostMobile` (may be empty).
        pub host_mobile: Option<String> = f.string(&["hostMobile"]),
        /// `title`.
        pub title: Option<String> = f.string(&["title"]),
        /// `startTime` (Unix seconds or text).
        pub start_time: Option<OffsetDateTime> = f.time(&["startTime"]),
        /// `endTime`.
        pub end_time: Option<OffsetDateTime> = f.time(&["endTime"]),
        /// `length`, minutes.
        pub length_minutes: Option<i64> = f.i64(&["length"]),
        /// `status`, meeting state.
        pub status: Option<MeetingStatus> = f.i64(&["status"]).map(MeetingStatus::from_code),
        /// `confMode`: 0 video, 1 data.
        pub conf_mode: Option<i64> = f.i64(&["confMode"]),
        /// `calType`: `E` single, `M` recurring.
        pub cal_type: Option<String> = f.string(&["calType"]),
        /// `roomId`.
        pub room_id: Option<String> = f.string(&["roomId"]),
        /// `attendeeJoinUrl`.
        pub attendee_join_url: Option<String> = f.string(&["attendeeJoinUrl"]),
        /// `hostJoinUrl`.
        pub host_join_url: Option<Sensitive> = f.string(&["hostJoinUrl"]).map(Sensitive::new),
        /// `joinHostUrl` (co-host link, `room/conference/infos`).
        pub join_host_url: Option<Sensitive> = f.string(&["joinHostUrl"]).map(Sensitive::new),
        /// `webRTCUrl`.
        pub web_rtc_url: Option<String> = f.string(&["webRTCUrl"]),
        /// `wcallurl` / `wcallUrl` (carries a passcode in its query).
        pub wcall_url: Option<Sensitive> = f.string(&["wcallurl", "wcallUrl"]).map(Sensitive::new),
        /// `livePullUrl`.
        pub live_pull_url: Option<String> = f.string(&["livePullUrl"]),
        /// `livePullPwd`.
        pub live_pull_pwd: Option<Sensitive> = f.string(&["livePullPwd"]).map(Sensitive::new),
        /// `attendList`, the invitees.
        pub attend_list: Vec<Invitee> = f.records(&["attendList"]),
        /// `houseList` (raw).
        pub house_list: Vec<Value> = f.values(&["houseList"]),
        /// `equipList` (raw).
        pub equip_list: Vec<Value> = f.values(&["equipList"]),
        /// `detailHouseList` (raw; `null` is empty).
        pub detail_house_list: Vec<Value> = f.values(&["detailHouseList"]),
        /// `CreateTime` / `createTime`.
        pub create_time: Option<OffsetDateTime> = f.time(&["CreateTime", "createTime"]),
        /// `modifyTime`.
        pub modify_time: Option<OffsetDateTime> = f.time(&["modifyTime"]),
        /// `timezone`.
        pub timezone: Option<String> = f.string(&["timezone"]),
        /// `joinLogin`.
        pub join_login: Option<i64> = f.i64(&["joinLogin"]),
        /// `joinConfSelTag`.
        pub join_conf_sel_tag: Option<i64> = f.i64(&["joinConfSelTag"]),
        /// `joinConfTags`.
        pub join_conf_tags: Option<String> = f.string(&["joinConfTags"]),
        /// `confNodeType`.
        pub conf_node_type: Option<i64> = f.i64(&["confNodeType"]),
        /// `calExtraInfo` (raw object; may hold the meeting password `eventWatchword`).
        pub cal_extra_info: Option<SensitiveMap> = f.object(&["calExtraInfo"]).map(SensitiveMap::new),
        /// `isGnet` (`room/conference/infos`).
        pub is_gnet: Option<i64> = f.i64(&["isGnet"]),
        /// `btplRole` (raw object).
        pub btpl_role: Option<Map<String, Value>> = f.object(&["btplRole"]),
    }
}

roster_core::lenient_record! {
    /// An invited person (`attendList[]`, docs/specs/quanshi.md §4.1.1).
    pub struct Invitee(f) {
        /// `user`, the user id (a string on the wire).
        pub user: Option<String> = f.string(&["user"]),
        /// `userType`.
        pub user_type: Option<UserType> = f.i64(&["userType"]).map(UserType::from_code),
        /// `status`: `W`, `A`, `R`.
        pub status: Option<String> = f.string(&["status"]),
        /// `displayName`.
        pub display_name: Option<String> = f.string(&["displayName"]),
        /// `phoneName`, a phone participant's name.
        pub phone_name: Option<String> = f.string(&["phoneName"]),
        /// `phoneEmail`, a phone participant's e-mail.
        pub phone_email: Option<String> = f.string(&["phoneEmail"]),
        /// `mobileNumber`.
        pub mobile_number: Option<String> = f.string(&["mobileNumber"]),
        /// `officePhone`.
        pub office_phone: Option<String> = f.string(&["officePhone"]),
        /// `countryCode`.
        pub country_code: Option<String> = f.string(&["countryCode"]),
        /// `cityCode`.
        pub city_code: Option<String> = f.string(&["cityCode"]),
        /// `companyName`.
        pub company_name: Option<String> = f.string(&["companyName"]),
        /// `orgName`.
        pub org_name: Option<String> = f.string(&["orgName"]),
    }
}

roster_core::lenient_record! {
    /// One row of the v1 report: one person (docs/specs/quanshi.md §4.3). Times are kept as the text sent.
    pub struct ReportV1Row(f) {
        /// `conferenceId`.
        pub conference_id: Option<String> = f.string(&["conferenceId"]),
        /// `eventId`.
        pub event_id: Option<u64> = f.u64(&["eventId"]),
        /// `title` as sent (URL-encoded); see [`ReportV1Row::title`].
        pub title_raw: Option<String> = f.string(&["title"]),
        /// `hostId`.
        pub host_id: Option<u64> = f.u64(&["hostId"]),
        /// `hostName`.
        pub host_name: Option<String> = f.string(&["hostName"]),
        /// `startTime`, meeting start (`YYYY-MM-DD HH:MM:SS`, UTC+8 assumed).
        pub start_time: Option<String> = f.string(&["startTime"]),
        /// `endTime`.
        pub end_time: Option<String> = f.string(&["endTime"]),
        /// `name`.
        pub name: Option<String> = f.string(&["name"]),
        /// `mobile` as sent (`"-"` when empty); see [`ReportV1Row::mobile`].
        pub mobile_raw: Option<String> = f.string(&["mobile"]),
        /// `email`.
        pub email: Option<String> = f.string(&["email"]),
        /// `role`: 0 attendee, 1 host.
        pub role: Option<i64> = f.i64(&["role", "roleId"]),
        /// `onlineTime`, first join (text).
        pub online_time: Option<String> = f.string(&["onlineTime"]),
        /// `offlineTime`, last leave (text).
        pub offline_time: Option<String> = f.string(&["offlineTime"]),
        /// `times`, number of joins.
        pub times: Option<i64> = f.i64(&["times"]),
        /// `watchDuration` as sent (unit undocumented).
        pub watch_duration: Option<String> = f.string(&["watchDuration"]),
        /// `deviceType`.
        pub device_type: Option<String> = f.string(&["deviceType"]),
        /// `ip` as sent: IP, phone number, or both; see [`ReportV1Row::ip_parts`].
        pub ip: Option<String> = f.string(&["ip"]),
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

roster_core::lenient_record! {
    /// The v2 report (docs/specs/quanshi.md §4.4): sessions and the meeting's runs.
    pub struct ReportV2(f) {
        /// `interaction`: one row per join session.
        pub sessions: Vec<Session> = f.records(&["interaction"]),
        /// `tempConfenceList` / `tempConferenceList`: the actual runs of the meeting.
        pub runs: Vec<Run> = f.records(&["tempConfenceList", "tempConferenceList"]),
    }
}

/// Whether a list answer's payload carries its records array: an object with `key` (an array,
/// or `null` for none). Anything else is no page of the list, a bare array included: that is
/// the shape of other endpoints' answers (`room/conference/infos`), not of these lists.
pub(crate) fn carries_list(payload: &Value, key: &str) -> bool {
    payload.as_object().is_some_and(|map| map.contains_key(key))
}

roster_core::lenient_record! {
    /// One join session of the v2 report (`interaction[]`).
    pub struct Session(f) {
        /// `name`.
        pub name: Option<String> = f.string(&["name"]),
        /// `mobile` (e.g. `+86-11232131223`).
        pub mobile: Option<String> = f.string(&["mobile"]),
        /// `email`.
        pub email: Option<String> = f.string(&["email"]),
        /// `role` / `roleId`: 0 attendee, 1 host.
        pub role: Option<i64> = f.i64(&["role", "roleId"]),
        /// `onlineTime`, join (Unix seconds).
        pub online_time: Option<OffsetDateTime> = f.time(&["onlineTime"]),
        /// `offlineTime`, leave; none while the session is open (`0` stays in `extra`).
        pub offline_time: Option<OffsetDateTime> = f.time(&["offlineTime"]),
        /// `deviceType`.
        pub device_type: Option<String> = f.string(&["deviceType"]),
        /// `ip`.
        pub ip: Option<String> = f.string(&["ip"]),
        /// `tempConferenceId`, the run of the meeting.
        pub temp_conference_id: Option<String> = f.string(&["tempConferenceId"]),
    }
}

roster_core::lenient_record! {
    /// One run of a meeting (`tempConfenceList[]`).
    pub struct Run(f) {
        /// `tempConferenceId`.
        pub temp_conference_id: Option<String> = f.string(&["tempConferenceId"]),
        /// `realStartTime` (Unix seconds/ms or UTC+8 text).
        pub real_start_time: Option<OffsetDateTime> = f.time(&["realStartTime"]),
        /// `realEndTime`.
        pub real_end_time: Option<OffsetDateTime> = f.time(&["realEndTime"]),
    }
}

roster_core::lenient_record! {
    /// A terminal currently in a meeting (`conference/attendee/list`, docs/specs/quanshi.md §4.5).
    pub struct Terminal(f) {
        /// `eventId`.
        pub event_id: Option<u64> = f.u64(&["eventId"]),
        /// `conferenceId`.
        pub conference_id: Option<String> = f.string(&["conferenceId"]),
        /// `tempUserId`, the per-session temporary user id.
        pub temp_user_id: Option<String> = f.string(&["tempUserId"]),
        /// `userId`.
        pub user_id: Option<u64> = f.u64(&["userId"]),
        /// `customerCode`.
        pub customer_code: Option<String> = f.string(&["customerCode"]),
        /// `name`.
        pub name: Option<String> = f.string(&["name"]),
        /// `email`.
        pub email: Option<String> = f.string(&["email"]),
        /// `mobile`.
        pub mobile: Option<String> = f.string(&["mobile"]),
        /// `role` (values undocumented).
        pub role: Option<i64> = f.i64(&["role"]),
        /// `roles`.
        pub roles: Vec<i64> = f.i64_list(&["roles"]),
        /// `deviceType`.
        pub device_type: Option<String> = f.string(&["deviceType"]),
        /// `deviceVer`.
        pub device_ver: Option<String> = f.string(&["deviceVer"]),
        /// `deviceId`.
        pub device_id: Option<String> = f.string(&["deviceId"]),
        /// `localIp`.
        pub local_ip: Option<String> = f.string(&["localIp"]),
        /// `ip`.
        pub ip: Option<String> = f.string(&["ip"]),
        /// `location`.
        pub location: Option<String> = f.string(&["location"]),
        /// `carrier`.
        pub carrier: Option<String> = f.string(&["carrier"]),
        /// `netType`.
        pub net_type: Option<String> = f.string(&["netType"]),
    }
}

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
