//! Vendor enumerations shared by WeCom and Tencent Meeting (and mapped from Quanshi).
//!
//! Every enum keeps values it does not know: integer-coded enums have an `Unknown(i64)` variant,
//! so decoding never fails when a vendor adds a device or a role. In JSON they serialize as
//! their snake_case name (`"harmony_os_phone"`), an unknown value as `"unknown:<n>"`;
//! deserialization accepts those strings and the raw integer code.

use std::borrow::Cow;
use std::fmt;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

/// Prefix of the serialized form of a value this version does not know.
pub const UNKNOWN_PREFIX: &str = "unknown:";

/// Declares a vendor enum coded by integers that never fails on a new value: the listed
/// variants plus `Unknown(i64)`, with `from_code`, `code`, `name` (snake_case, or
/// `unknown:<n>`), `parse`, `KNOWN`, `Display`, and serde as the name (accepting the name or the
/// integer code).
///
/// ```
/// roster_core::code_enum! {
///     /// A meeting state.
///     State {
///         /// `1`.
///         Scheduled = 1 => "scheduled",
///         /// `4`.
///         Ended = 4 => "ended",
///     }
/// }
/// assert_eq!(State::from_code(4), State::Ended);
/// assert_eq!(State::from_code(9).name(), "unknown:9");
/// assert_eq!(serde_json::from_str::<State>("1").unwrap(), State::Scheduled);
/// ```
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A code this version does not know, kept as sent.
            Unknown(i64),
        }

        impl $name {
            /// Every known value, in code order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// Maps a vendor code; unknown codes become [`Self::Unknown`].
            pub fn from_code(code: i64) -> Self {
                match code {
                    $( $code => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }

            /// The vendor's integer code.
            pub fn code(self) -> i64 {
                match self {
                    $( $name::$variant => $code, )*
                    $name::Unknown(code) => code,
                }
            }

            /// The snake_case name, or `unknown:<n>`.
            pub fn name(self) -> ::std::borrow::Cow<'static, str> {
                match self {
                    $( $name::$variant => ::std::borrow::Cow::Borrowed($label), )*
                    $name::Unknown(code) => ::std::borrow::Cow::Owned(format!("{}{code}", $crate::enums::UNKNOWN_PREFIX)),
                }
            }

            /// Whether the value is one this version does not know.
            pub fn is_unknown(self) -> bool {
                matches!(self, $name::Unknown(_))
            }

            /// Parses a snake_case name, `unknown:<n>` or a decimal code.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $( if s == $label { return Some($name::$variant); } )*
                let digits = s.strip_prefix($crate::enums::UNKNOWN_PREFIX).unwrap_or(s);
                digits.parse::<i64>().ok().map($name::from_code)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.name())
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.name())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl $crate::serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " name or integer code"))
                    }
                    fn visit_i64<E: $crate::serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        Ok($name::from_code(v))
                    }
                    fn visit_u64<E: $crate::serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        i64::try_from(v)
                            .map($name::from_code)
                            .map_err(|_| E::custom("code out of range"))
                    }
                    fn visit_str<E: $crate::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::parse(v).ok_or_else(|| E::invalid_value($crate::serde::de::Unexpected::Str(v), &self))
                    }
                }
                deserializer.deserialize_any(V)
            }
        }
    };
}

code_enum! {
    /// The device a participant joined from (WeCom `instance_id`, Tencent `instanceid`).
    Device {
        /// Telephone (PSTN).
        Pstn = 0 => "pstn",
        /// Windows desktop client.
        Pc = 1 => "pc",
        /// macOS client.
        Mac = 2 => "mac",
        /// Android phone.
        Android = 3 => "android",
        /// iPhone.
        Ios = 4 => "ios",
        /// Web client.
        Web = 5 => "web",
        /// iPad.
        Ipad = 6 => "ipad",
        /// Android tablet.
        AndroidPad = 7 => "android_pad",
        /// WeChat mini-program (小程序).
        MiniProgram = 8 => "mini_program",
        /// VoIP or SIP device (MRA).
        Sip = 9 => "sip",
        /// Linux client.
        Linux = 10 => "linux",
        /// Apple Vision Pro (newer Tencent docs).
        VisionPro = 12 => "vision_pro",
        /// Rooms for Touch, Windows.
        RoomsTouchWindows = 20 => "rooms_touch_windows",
        /// Rooms for Touch, macOS.
        RoomsTouchMacos = 21 => "rooms_touch_macos",
        /// Rooms for Touch, Android.
        RoomsTouchAndroid = 22 => "rooms_touch_android",
        /// Controller for Touch, Windows.
        ControllerTouchWindows = 30 => "controller_touch_windows",
        /// Controller for Touch, Android.
        ControllerTouchAndroid = 32 => "controller_touch_android",
        /// Controller for Touch, iOS/iPadOS.
        ControllerTouchIos = 33 => "controller_touch_ios",
        /// HarmonyOS phone (鸿蒙手机).
        HarmonyOsPhone = 81 => "harmony_os_phone",
        /// HarmonyOS tablet (鸿蒙平板).
        HarmonyOsTablet = 82 => "harmony_os_tablet",
        /// HarmonyOS PC (鸿蒙PC).
        HarmonyOsPc = 83 => "harmony_os_pc",
        /// HarmonyOS car / intelligent cockpit (鸿蒙汽车).
        HarmonyOsCar = 84 => "harmony_os_car",
        /// HarmonyOS AR/VR (Tencent).
        HarmonyOsArVr = 86 => "harmony_os_ar_vr",
    }
}

code_enum! {
    /// A participant's role in the meeting (WeCom `role`, Tencent `user_role`).
    Role {
        /// Ordinary member.
        Member = 0 => "member",
        /// Meeting creator.
        Creator = 1 => "creator",
        /// Host.
        Host = 2 => "host",
        /// Creator and host.
        CreatorHost = 3 => "creator_host",
        /// Guest (e.g. joined through the WeChat mini-program).
        Guest = 4 => "guest",
        /// Guest and host.
        GuestHost = 5 => "guest_host",
        /// Co-host.
        CoHost = 6 => "co_host",
        /// Creator and co-host.
        CreatorCoHost = 7 => "creator_co_host",
    }
}

code_enum! {
    /// A participant's role in a webinar (WeCom `webinar_role`, Tencent `webinar_member_role`).
    WebinarRole {
        /// Ordinary attendee.
        Attendee = 0 => "attendee",
        /// Internal panelist (内部嘉宾).
        InternalPanelist = 1 => "internal_panelist",
        /// External panelist (外部嘉宾).
        ExternalPanelist = 2 => "external_panelist",
        /// Panelist who joined through an invitation link.
        InviteLinkPanelist = 3 => "invite_link_panelist",
        /// Audience (观众).
        Audience = 4 => "audience",
        /// Audience with audio/video rights (Tencent SDK only).
        AudienceWithMedia = 5 => "audience_with_media",
    }
}

code_enum! {
    /// How a participant joined (`join_type`).
    JoinType {
        /// Plain telephone user (mobile or landline).
        Pstn = 0 => "pstn",
        /// Plain VoIP user.
        Voip = 1 => "voip",
        /// Companion screen-cast VoIP.
        ScreenCastVoip = 2 => "screen_cast_voip",
        /// Linux SDK, VoIP.
        LinuxSdkVoip = 3 => "linux_sdk_voip",
        /// Companion audio over PSTN.
        CompanionAudioPstn = 4 => "companion_audio_pstn",
        /// Companion video over PSTN.
        CompanionVideoPstn = 5 => "companion_video_pstn",
        /// Linux SDK, PSTN.
        LinuxSdkPstn = 6 => "linux_sdk_pstn",
    }
}

code_enum! {
    /// The kind of an enrollment question (`question_type`).
    QuestionType {
        /// Single choice (单选).
        SingleChoice = 1 => "single_choice",
        /// Multiple choice (多选).
        MultipleChoice = 2 => "multiple_choice",
        /// Short answer (简答).
        ShortAnswer = 3 => "short_answer",
    }
}

code_enum! {
    /// What an enrollment question asks for (`special_type`); special questions fill the
    /// registration's contact fields.
    SpecialType {
        /// An ordinary question (无).
        Ordinary = 1 => "none",
        /// Phone number (手机号).
        Phone = 2 => "phone",
        /// E-mail (邮箱).
        Email = 3 => "email",
        /// Name (姓名).
        Name = 4 => "name",
        /// Company name (公司名称).
        Company = 5 => "company",
    }
}

code_enum! {
    /// How an enrollment was made (`enroll_source_type`).
    RegistrationSource {
        /// The person enrolled themselves.
        Manual = 1 => "manual",
        /// Bulk import (for example by phone number).
        Import = 2 => "import",
    }
}

/// The state of a registration: an enrollment (WeCom, Tencent) or an invitation (Quanshi).
///
/// Serialized as its snake_case name; a state this version does not know as `unknown:<raw>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RegistrationStatus {
    /// Enrollment waiting for approval (code 1).
    Pending,
    /// Enrollment rejected (code 2).
    Rejected,
    /// Enrollment approved (code 3).
    Approved,
    /// Quanshi invitation `W` (documented as "confirmed").
    Confirmed,
    /// Quanshi invitation `A` (accepted).
    Accepted,
    /// Quanshi invitation `R` (declined).
    Declined,
    /// A state this version does not know, kept as sent.
    Unknown(String),
}

impl RegistrationStatus {
    /// Maps a WeCom/Tencent enrollment status code (1 pending, 2 rejected, 3 approved).
    pub fn from_code(code: i64) -> Self {
        match code {
            1 => Self::Pending,
            2 => Self::Rejected,
            3 => Self::Approved,
            other => Self::Unknown(other.to_string()),
        }
    }

    /// Maps a Quanshi invitation letter (`W`, `A`, `R`).
    pub fn from_letter(letter: &str) -> Self {
        match letter.trim() {
            "W" => Self::Confirmed,
            "A" => Self::Accepted,
            "R" => Self::Declined,
            other => Self::Unknown(other.to_string()),
        }
    }

    /// The snake_case name, or `unknown:<raw>`.
    pub fn name(&self) -> Cow<'static, str> {
        match self {
            Self::Pending => "pending".into(),
            Self::Rejected => "rejected".into(),
            Self::Approved => "approved".into(),
            Self::Confirmed => "confirmed".into(),
            Self::Accepted => "accepted".into(),
            Self::Declined => "declined".into(),
            Self::Unknown(raw) => format!("{UNKNOWN_PREFIX}{raw}").into(),
        }
    }

    /// Parses the serialized name (the inverse of [`Self::name`]).
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "pending" => Self::Pending,
            "rejected" => Self::Rejected,
            "approved" => Self::Approved,
            "confirmed" => Self::Confirmed,
            "accepted" => Self::Accepted,
            "declined" => Self::Declined,
            other => Self::Unknown(
                other
                    .strip_prefix(UNKNOWN_PREFIX)
                    .unwrap_or(other)
                    .to_string(),
            ),
        }
    }

    /// Whether the person is expected to attend: everything but rejected and declined.
    /// Unknown states count as expected, so a new vendor state never hides a no-show.
    pub fn is_expected(&self) -> bool {
        !matches!(self, Self::Rejected | Self::Declined)
    }
}

impl fmt::Display for RegistrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for RegistrationStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for RegistrationStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(deserializer)?;
        Ok(Self::parse(&s))
    }
}

/// Which enrollments to list (the vendors' `status` filter: 0 all, 1 pending, 2 rejected,
/// 3 approved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationFilter {
    /// Every enrollment (code 0).
    #[default]
    All,
    /// Waiting for approval (code 1).
    Pending,
    /// Rejected (code 2).
    Rejected,
    /// Approved (code 3).
    Approved,
}

impl RegistrationFilter {
    /// The WeCom/Tencent filter code.
    pub fn code(self) -> i64 {
        match self {
            Self::All => 0,
            Self::Pending => 1,
            Self::Rejected => 2,
            Self::Approved => 3,
        }
    }

    /// Whether a registration with `status` passes this filter (for vendors without a
    /// server-side filter).
    pub fn accepts(self, status: Option<&RegistrationStatus>) -> bool {
        match self {
            Self::All => true,
            Self::Pending => matches!(status, Some(RegistrationStatus::Pending)),
            Self::Rejected => matches!(
                status,
                Some(RegistrationStatus::Rejected | RegistrationStatus::Declined)
            ),
            Self::Approved => matches!(
                status,
                Some(
                    RegistrationStatus::Approved
                        | RegistrationStatus::Confirmed
                        | RegistrationStatus::Accepted
                )
            ),
        }
    }
}

impl std::str::FromStr for RegistrationFilter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "all" => Ok(Self::All),
            "pending" => Ok(Self::Pending),
            "rejected" => Ok(Self::Rejected),
            "approved" => Ok(Self::Approved),
            other => Err(format!(
                "unknown status {other:?}: expected all, pending, rejected or approved"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_round_trip() {
        for d in Device::KNOWN {
            assert_eq!(Device::from_code(d.code()), *d);
            assert_eq!(Device::parse(&d.name()), Some(*d));
            let json = serde_json::to_string(d).unwrap();
            assert_eq!(serde_json::from_str::<Device>(&json).unwrap(), *d);
        }
        assert_eq!(Device::from_code(81), Device::HarmonyOsPhone);
        assert_eq!(Device::from_code(84).name(), "harmony_os_car");
        assert_eq!(Role::KNOWN.len(), 8);
        assert_eq!(WebinarRole::KNOWN.len(), 6);
        assert_eq!(JoinType::KNOWN.len(), 7);
    }

    #[test]
    fn unknown_values_survive_json() {
        let d = Device::from_code(99);
        assert_eq!(d, Device::Unknown(99));
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"unknown:99\"");
        assert_eq!(serde_json::from_str::<Device>("\"unknown:99\"").unwrap(), d);
        // Raw integer codes decode too, known or not.
        assert_eq!(serde_json::from_str::<Role>("6").unwrap(), Role::CoHost);
        assert_eq!(
            serde_json::from_str::<Role>("42").unwrap(),
            Role::Unknown(42)
        );
        assert!(serde_json::from_str::<Role>("\"wizard\"").is_err());
    }

    #[test]
    fn registration_status_mappings() {
        assert_eq!(
            RegistrationStatus::from_code(3),
            RegistrationStatus::Approved
        );
        assert_eq!(
            RegistrationStatus::from_letter("W"),
            RegistrationStatus::Confirmed
        );
        let odd = RegistrationStatus::from_letter("X");
        assert_eq!(odd.name(), "unknown:X");
        let json = serde_json::to_string(&odd).unwrap();
        assert_eq!(
            serde_json::from_str::<RegistrationStatus>(&json).unwrap(),
            odd
        );
        assert!(!RegistrationStatus::Declined.is_expected());
        assert!(RegistrationStatus::Unknown("9".into()).is_expected());
    }

    #[test]
    fn filter_accepts() {
        assert!(RegistrationFilter::Approved.accepts(Some(&RegistrationStatus::Accepted)));
        assert!(!RegistrationFilter::Approved.accepts(Some(&RegistrationStatus::Pending)));
        assert!(RegistrationFilter::All.accepts(None));
        assert_eq!("APPROVED".parse::<RegistrationFilter>().unwrap().code(), 3);
    }
}
