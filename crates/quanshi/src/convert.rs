//! Conversions from wire types into the unified model ([`Attendee`], [`Registration`]).
//!
//! Mapped fields go to the model's fields; everything else the vendor sent goes to `extra`
//! under its wire name, so nothing is lost. Derived values the model has no field for are added
//! to `extra` under snake_case names (`user_type`, `ip_addresses`, `phone_numbers`,
//! `title_decoded`, `watch_seconds`).

use roster_core::wire::non_empty;
use roster_core::{Attendee, Device, Registration, RegistrationStatus, Role, Vendor};
use serde_json::{Map, Value, json};

use crate::config::WatchDurationUnit;
use crate::wire::{Invitee, IpField, ReportV1Row, Session, Terminal, clean_mobile};

/// Report role (`role`/`roleId`: 0 attendee, 1 host) → [`Role`].
pub fn report_role(code: i64) -> Role {
    match code {
        0 => Role::Member,
        1 => Role::Host,
        other => Role::Unknown(other),
    }
}

/// `deviceType` text → [`Device`], where recognisable (`Windows`, `PC`, `Mac`, `iOS`, `iPad`,
/// `Android`, `Web`, `Linux`, `Phone`/`PSTN`/`电话`, `SIP`/`H323`, `小程序` …). The raw text
/// always stays in `extra.deviceType`.
pub fn device_from_text(text: &str) -> Option<Device> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    let has = |needles: &[&str]| needles.iter().any(|n| t.contains(n));
    let device = if has(&["ipad"]) {
        Device::Ipad
    } else if has(&["iphone", "ios"]) {
        Device::Ios
    } else if has(&["android pad", "androidpad", "android_pad", "android tablet"]) {
        Device::AndroidPad
    } else if has(&["android"]) {
        Device::Android
    } else if has(&["mac", "osx"]) {
        Device::Mac
    } else if has(&["windows", "win32", "win64"]) || t == "pc" || t == "win" {
        Device::Pc
    } else if has(&["linux"]) {
        Device::Linux
    } else if has(&["web", "browser", "h5", "html"]) {
        Device::Web
    } else if has(&["pstn", "telephone", "电话", "手机拨入"]) || t == "phone" || t == "tel" {
        Device::Pstn
    } else if has(&["sip", "h323", "h.323"]) {
        Device::Sip
    } else if has(&["小程序", "miniprogram", "mini program", "mini_program"]) {
        Device::MiniProgram
    } else if has(&["harmony", "鸿蒙"]) {
        Device::HarmonyOsPhone
    } else {
        return None;
    };
    Some(device)
}

fn put(extra: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        extra.insert(key.to_string(), v.into());
    }
}

/// Adds the raw `ip` and its split to `extra`; returns the first phone token.
fn put_ip(extra: &mut Map<String, Value>, raw: Option<String>) -> Option<String> {
    let raw = raw?;
    let parts = IpField::parse(&raw);
    extra.insert("ip".into(), Value::String(raw));
    if !parts.ips.is_empty() {
        extra.insert("ip_addresses".into(), json!(parts.ips));
    }
    if !parts.phones.is_empty() {
        extra.insert("phone_numbers".into(), json!(parts.phones));
    }
    parts.phones.into_iter().next()
}

impl Invitee {
    /// The invitee as a [`Registration`] of meeting `meeting_id` (the `eventId`).
    ///
    /// `user` → `registration_id` and `user_id`; `status` W/A/R via
    /// [`RegistrationStatus::from_letter`]; `displayName` (else `phoneName`) → `display_name`;
    /// `mobileNumber` → `phone`; `phoneEmail` → `email`; `companyName` → `company`;
    /// `userType` → `extra.userType` (code) and `extra.user_type` (`internal`, `external`,
    /// `phone`).
    pub fn into_registration(self, meeting_id: impl Into<String>) -> Registration {
        let mut r = Registration::new(Vendor::Quanshi, meeting_id);
        let mut extra = self.extra;
        let user = non_empty(self.user);
        r.registration_id = user.clone();
        r.user_id = user;
        r.status = self.status.as_deref().map(RegistrationStatus::from_letter);
        if let Some(t) = self.user_type {
            extra.insert("userType".into(), json!(t.code()));
            extra.insert("user_type".into(), json!(t.name()));
        }
        let display = non_empty(self.display_name.clone());
        let phone_name = non_empty(self.phone_name.clone());
        r.display_name = display.clone().or_else(|| phone_name.clone());
        if display.is_some() {
            put(&mut extra, "phoneName", phone_name);
        }
        r.phone = non_empty(self.mobile_number);
        r.email = non_empty(self.phone_email);
        r.company = non_empty(self.company_name);
        put(&mut extra, "officePhone", non_empty(self.office_phone));
        put(&mut extra, "countryCode", non_empty(self.country_code));
        put(&mut extra, "cityCode", non_empty(self.city_code));
        put(&mut extra, "orgName", non_empty(self.org_name));
        r.extra = extra;
        r
    }
}

impl Session {
    /// The session as an [`Attendee`] of meeting `meeting_id` (the `eventId`):
    /// `tempConferenceId` → `sub_meeting_id`, Unix-second times → `joined_at`/`left_at`,
    /// `role`/`roleId` → [`Role::Member`]/[`Role::Host`], `deviceType` → `device` where
    /// recognisable (raw kept in `extra`).
    pub fn into_attendee(self, meeting_id: impl Into<String>) -> Attendee {
        let mut a = Attendee::new(Vendor::Quanshi, meeting_id);
        let mut extra = self.extra;
        a.sub_meeting_id = non_empty(self.temp_conference_id);
        a.display_name = non_empty(self.name);
        a.joined_at = self.online_time;
        a.left_at = self.offline_time;
        a.role = self.role.map(report_role);
        a.email = non_empty(self.email);
        a.phone = clean_mobile(self.mobile.as_deref());
        a.device = self.device_type.as_deref().and_then(device_from_text);
        put(&mut extra, "deviceType", self.device_type);
        let ip_phone = put_ip(&mut extra, self.ip);
        if a.phone.is_none() {
            a.phone = ip_phone;
        }
        a.extra = extra;
        a
    }
}

impl ReportV1Row {
    /// The row (one person, aggregated) as an [`Attendee`]: `onlineTime` (first join) →
    /// `joined_at`, `offlineTime` (last leave) → `left_at`, both read as UTC+8 and kept raw in
    /// `extra`; `title` decoded into `extra.title_decoded`; `"-"` mobile → none; `ip` split into
    /// `extra.ip_addresses` / `extra.phone_numbers` (a phone token fills `phone` when `mobile`
    /// is empty); `watchDuration` raw, and as `extra.watch_seconds` with
    /// [`WatchDurationUnit::Seconds`].
    pub fn into_attendee(self, meeting_id: u64, watch: WatchDurationUnit) -> Attendee {
        let joined = self.online_at();
        let left = self.offline_at();
        let title = self.title();
        let phone = self.mobile();
        let event_id = self.event_id.unwrap_or(meeting_id);
        let mut a = Attendee::new(Vendor::Quanshi, event_id.to_string());
        let mut extra = self.extra;
        a.display_name = non_empty(self.name);
        a.email = non_empty(self.email);
        a.phone = phone;
        a.joined_at = joined;
        a.left_at = left;
        a.role = self.role.map(report_role);
        a.device = self.device_type.as_deref().and_then(device_from_text);
        put(&mut extra, "deviceType", self.device_type);
        put(&mut extra, "conferenceId", self.conference_id);
        put(&mut extra, "hostId", self.host_id);
        put(&mut extra, "hostName", self.host_name);
        put(&mut extra, "startTime", self.start_time);
        put(&mut extra, "endTime", self.end_time);
        put(&mut extra, "onlineTime", self.online_time);
        put(&mut extra, "offlineTime", self.offline_time);
        put(&mut extra, "times", self.times);
        put(&mut extra, "mobile", self.mobile_raw);
        if let (Some(raw), Some(decoded)) = (&self.title_raw, title) {
            extra.insert("title".into(), json!(raw));
            extra.insert("title_decoded".into(), json!(decoded));
        }
        if let Some(w) = self.watch_duration {
            let t = w.trim();
            if watch == WatchDurationUnit::Seconds
                && !t.is_empty()
                && t.bytes().all(|b| b.is_ascii_digit())
                && let Ok(secs) = t.parse::<u64>()
            {
                extra.insert("watch_seconds".into(), json!(secs));
            }
            extra.insert("watchDuration".into(), json!(w));
        }
        let ip_phone = put_ip(&mut extra, self.ip);
        if a.phone.is_none() {
            a.phone = ip_phone;
        }
        a.extra = extra;
        a
    }
}

impl Terminal {
    /// The terminal (someone in the meeting now) as an [`Attendee`] without join/leave times:
    /// `userId` → `user_id`, `tempUserId` → `temp_id`, `netType` → `network`, `deviceType` →
    /// `device` where recognisable; `role` (values undocumented) and the rest stay in `extra`.
    pub fn into_attendee(self, meeting_id: u64) -> Attendee {
        let event_id = self.event_id.unwrap_or(meeting_id);
        let mut a = Attendee::new(Vendor::Quanshi, event_id.to_string());
        let mut extra = self.extra;
        a.user_id = self.user_id.map(|u| u.to_string());
        a.temp_id = non_empty(self.temp_user_id);
        a.display_name = non_empty(self.name);
        a.email = non_empty(self.email);
        a.phone = clean_mobile(self.mobile.as_deref());
        a.network = non_empty(self.net_type);
        a.device = self.device_type.as_deref().and_then(device_from_text);
        put(&mut extra, "deviceType", self.device_type);
        put(&mut extra, "conferenceId", self.conference_id);
        put(&mut extra, "customerCode", self.customer_code);
        put(&mut extra, "role", self.role);
        if !self.roles.is_empty() {
            extra.insert("roles".into(), json!(self.roles));
        }
        put(&mut extra, "deviceVer", self.device_ver);
        put(&mut extra, "deviceId", self.device_id);
        put(&mut extra, "localIp", self.local_ip);
        put(&mut extra, "ip", self.ip);
        put(&mut extra, "location", self.location);
        put(&mut extra, "carrier", self.carrier);
        a.extra = extra;
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Meeting, ReportV2};
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn doc_invitee_to_registration() {
        let m: Meeting = serde_json::from_value(crate::wire::tests::doc_meeting()).unwrap();
        let inv = m.attend_list.into_iter().next().unwrap();
        let r = inv.into_registration("566390");
        assert_eq!(r.vendor, Vendor::Quanshi);
        assert_eq!(r.meeting_id, "566390");
        assert_eq!(r.registration_id.as_deref(), Some("88610849"));
        assert_eq!(r.user_id.as_deref(), Some("88610849"));
        assert_eq!(r.status, Some(RegistrationStatus::Confirmed));
        assert_eq!(r.extra["user_type"], "internal");
        assert_eq!(r.extra["userType"], 1);
        assert_eq!(r.extra["productStatus"], 1);
        assert_eq!(r.display_name, None, "empty strings are not names");
        assert_eq!(r.phone, None);
    }

    #[test]
    fn phone_invitee_contact_fields() {
        let inv: Invitee = serde_json::from_value(json!({
            "user": 5, "userType": 3, "status": "R", "displayName": "", "phoneName": "王五",
            "phoneEmail": "w@example.com", "mobileNumber": "13800138000",
            "companyName": "全时", "orgName": "销售", "officePhone": "010-1", "userProfile": null
        }))
        .unwrap();
        let r = inv.into_registration("1");
        assert_eq!(r.status, Some(RegistrationStatus::Declined));
        assert_eq!(r.display_name.as_deref(), Some("王五"));
        assert_eq!(r.email.as_deref(), Some("w@example.com"));
        assert_eq!(r.phone.as_deref(), Some("13800138000"));
        assert_eq!(r.company.as_deref(), Some("全时"));
        assert_eq!(r.extra["user_type"], "phone");
        assert_eq!(r.extra["orgName"], "销售");
        assert_eq!(r.extra["officePhone"], "010-1");
        assert_eq!(r.registration_id.as_deref(), Some("5"));

        let both: Invitee = serde_json::from_value(json!({
            "displayName": "Zhang", "phoneName": "张", "status": "A", "userType": 9
        }))
        .unwrap();
        let r = both.into_registration("1");
        assert_eq!(r.display_name.as_deref(), Some("Zhang"));
        assert_eq!(r.extra["phoneName"], "张");
        assert_eq!(r.status, Some(RegistrationStatus::Accepted));
        assert_eq!(r.extra["user_type"], "unknown:9");
        let odd: Invitee = serde_json::from_value(json!({"status": "X"})).unwrap();
        assert_eq!(
            odd.into_registration("1").status,
            Some(RegistrationStatus::Unknown("X".into()))
        );
    }

    #[test]
    fn v2_sessions_to_attendees() {
        let r: ReportV2 = serde_json::from_value(json!({
            "interaction": [
                {"name": "李四", "mobile": "+86-11232131223", "email": "l@x", "roleId": 1,
                 "onlineTime": 1763452425, "offlineTime": 1763455425, "deviceType": "PC",
                 "ip": "1.2.3.4", "tempConferenceId": "54017", "newThing": 7},
                {"name": "电话", "mobile": "", "role": 0, "onlineTime": 1763452500,
                 "offlineTime": 0, "deviceType": "Telephone", "ip": "17694879663",
                 "tempConferenceId": "54017"}
            ],
            "tempConfenceList": [{"tempConferenceId": "54017"}]
        }))
        .unwrap();
        let mut it = r.sessions.into_iter();
        let a = it.next().unwrap().into_attendee("613399");
        assert_eq!(a.meeting_id, "613399");
        assert_eq!(a.sub_meeting_id.as_deref(), Some("54017"));
        assert_eq!(a.joined_at, Some(datetime!(2025-11-18 07:53:45 UTC)));
        assert_eq!(a.duration_seconds(), Some(3000));
        assert_eq!(a.role, Some(Role::Host));
        assert_eq!(a.device, Some(Device::Pc));
        assert_eq!(a.phone.as_deref(), Some("+86-11232131223"));
        assert_eq!(a.extra["deviceType"], "PC");
        assert_eq!(a.extra["ip"], "1.2.3.4");
        assert_eq!(a.extra["newThing"], 7);
        let b = it.next().unwrap().into_attendee("613399");
        assert_eq!(b.left_at, None);
        assert_eq!(b.role, Some(Role::Member));
        assert_eq!(b.device, Some(Device::Pstn));
        assert_eq!(b.phone.as_deref(), Some("17694879663"));
        assert_eq!(b.extra["phone_numbers"], json!(["17694879663"]));
    }

    #[test]
    fn v1_row_to_attendee() {
        let row: ReportV1Row = serde_json::from_value(json!({
            "conferenceId": "239794753", "eventId": 613399,
            "title": "pei%E7%9A%84%E4%BC%9A%E8%AE%AE", "hostId": 88610840, "hostName": "pei",
            "startTime": "2022-11-18 19:00:00", "endTime": "2022-11-18 20:00:00",
            "name": "张三", "mobile": "-", "email": "z@x", "role": 0,
            "onlineTime": "2022-11-18 11:25:48", "offlineTime": "2022-11-18 12:25:48",
            "times": 2, "watchDuration": "3000", "deviceType": "Windows",
            "ip": "183.186.246.249 17694879663"
        }))
        .unwrap();
        let a = row.clone().into_attendee(1, WatchDurationUnit::Unparsed);
        assert_eq!(a.meeting_id, "613399");
        assert_eq!(a.joined_at, Some(datetime!(2022-11-18 03:25:48 UTC)));
        assert_eq!(a.left_at, Some(datetime!(2022-11-18 12:25:48 +8)));
        assert_eq!(a.phone.as_deref(), Some("17694879663"), "from the ip field");
        assert_eq!(a.extra["mobile"], "-");
        assert_eq!(a.extra["title_decoded"], "pei的会议");
        assert_eq!(a.extra["title"], "pei%E7%9A%84%E4%BC%9A%E8%AE%AE");
        assert_eq!(a.extra["onlineTime"], "2022-11-18 11:25:48");
        assert_eq!(a.extra["watchDuration"], "3000");
        assert!(!a.extra.contains_key("watch_seconds"));
        assert_eq!(a.extra["ip_addresses"], json!(["183.186.246.249"]));
        assert_eq!(a.extra["times"], 2);
        assert_eq!(a.device, Some(Device::Pc));
        assert_eq!(a.role, Some(Role::Member));
        let b = row.into_attendee(1, WatchDurationUnit::Seconds);
        assert_eq!(b.extra["watch_seconds"], 3000);
    }

    #[test]
    fn terminal_to_attendee() {
        let t: Terminal = serde_json::from_value(json!({
            "eventId": 613399, "tempUserId": 77, "userId": 88610849, "name": "n",
            "netType": "WIFI", "deviceType": "Android", "role": 3, "x": 1
        }))
        .unwrap();
        let a = t.into_attendee(0);
        assert_eq!(a.meeting_id, "613399");
        assert_eq!(a.user_id.as_deref(), Some("88610849"));
        assert_eq!(a.temp_id.as_deref(), Some("77"));
        assert_eq!(a.network.as_deref(), Some("WIFI"));
        assert_eq!(a.device, Some(Device::Android));
        assert_eq!(a.extra["role"], 3);
        assert_eq!(a.extra["x"], 1);
        assert_eq!(a.role, None);
    }

    #[test]
    fn device_texts() {
        for (text, d) in [
            ("Windows", Some(Device::Pc)),
            ("PC", Some(Device::Pc)),
            ("Mac", Some(Device::Mac)),
            ("macOS", Some(Device::Mac)),
            ("iPhone", Some(Device::Ios)),
            ("iOS", Some(Device::Ios)),
            ("iPad", Some(Device::Ipad)),
            ("Android", Some(Device::Android)),
            ("Web", Some(Device::Web)),
            ("Linux", Some(Device::Linux)),
            ("PSTN", Some(Device::Pstn)),
            ("电话", Some(Device::Pstn)),
            ("SIP", Some(Device::Sip)),
            ("Toaster", None),
            ("", None),
        ] {
            assert_eq!(device_from_text(text), d, "{text}");
        }
    }
}
