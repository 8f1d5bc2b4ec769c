//! Lenient decoding helpers for vendor wire types.
//!
//! Vendors mix strings and numbers for the same field (`"join_time":"1572085800"` here,
//! `1572085800` there), send `null` where an array is documented, and write local wall-clock
//! times in several formats. These helpers accept all of that and never fail on a value of an
//! unexpected type: a field that cannot be read becomes `None`, the raw value stays available to
//! the vendor crate for `extra`.
//!
//! Use them with `#[serde(default, deserialize_with = "…")]`.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::Value;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Decodes a whole response body as `T`: the same result as `serde_json::from_slice`, faster.
///
/// `from_slice` checks that every string is UTF-8 on its own, a call per string; a body that
/// is UTF-8 as a whole (every vendor's is) is checked once here and decoded as text, which
/// skips those checks. A body that is not UTF-8 is decoded by `from_slice` as before, so
/// errors and results never differ.
pub fn from_body<T: de::DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// China Standard Time (UTC+8), the zone of every vendor's wall-clock text.
pub const UTC8: UtcOffset = offset!(+8);

/// Reads a value as text: strings as is, numbers and booleans printed; `null`, objects and
/// arrays give `None`.
pub fn value_as_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads a value as an integer: integral numbers, or strings holding one (surrounding
/// whitespace allowed). Empty strings and anything else give `None`.
pub fn value_as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().and_then(|u| i64::try_from(u).ok()))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
                    .map(|f| f as i64)
            }),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// Reads a value as a boolean: `true`/`false`, `1`/`0`, and those as strings.
pub fn value_as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// How a lenient field reads each JSON scalar; arrays and objects always give `None`.
trait Scalar: Sized {
    fn from_str(s: &str) -> Option<Self>;
    fn from_string(s: String) -> Option<Self> {
        Self::from_str(&s)
    }
    fn from_i64(v: i64) -> Option<Self>;
    fn from_u64(v: u64) -> Option<Self>;
    fn from_f64(v: f64) -> Option<Self>;
    fn from_bool(v: bool) -> Option<Self>;
}

impl Scalar for String {
    fn from_str(s: &str) -> Option<Self> {
        Some(s.to_string())
    }
    fn from_string(s: String) -> Option<Self> {
        Some(s)
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v.to_string())
    }
    fn from_u64(v: u64) -> Option<Self> {
        Some(v.to_string())
    }
    fn from_f64(v: f64) -> Option<Self> {
        // Printed as serde_json prints numbers, like `value_as_string`.
        serde_json::Number::from_f64(v).map(|n| n.to_string())
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(v.to_string())
    }
}

impl Scalar for i64 {
    fn from_str(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v)
    }
    fn from_u64(v: u64) -> Option<Self> {
        i64::try_from(v).ok()
    }
    fn from_f64(v: f64) -> Option<Self> {
        (v.fract() == 0.0 && v.abs() < 9.0e18).then_some(v as i64)
    }
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
}

impl Scalar for bool {
    fn from_str(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        }
    }
    fn from_i64(v: i64) -> Option<Self> {
        match v {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    fn from_u64(v: u64) -> Option<Self> {
        Self::from_i64(i64::try_from(v).ok()?)
    }
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
}

/// Reads any JSON value into `Option<T>` without building a `serde_json::Value` (the decoders
/// below run for every field of every record).
struct Lenient<T>(std::marker::PhantomData<T>);

impl<'de, T: Scalar> Visitor<'de> for Lenient<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(T::from_str(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(T::from_string(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(T::from_i64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(T::from_u64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(T::from_f64(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(T::from_bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(None)
    }
}

fn lenient<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_any(Lenient::<T>(std::marker::PhantomData))
}

/// `Option<String>` from a string, number or boolean.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    lenient::<D, String>(d)
}

/// `Option<i64>` from a number or a numeric string.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    lenient::<D, i64>(d)
}

/// `Option<bool>` from a boolean, `0`/`1` or their string forms.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    lenient::<D, bool>(d)
}

/// `Option<OffsetDateTime>` from Unix seconds as a number or string. `0`, `""` and `null` mean
/// "no time" (vendors use them for sessions still open).
pub fn opt_unix_seconds<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<OffsetDateTime>, D::Error> {
    Ok(lenient::<D, i64>(d)?.and_then(unix_seconds))
}

/// `T::default()` when the value is `null` (vendors send `null` for empty arrays and objects).
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// At most 80 characters of a value a client refused, marked `…` when cut: errors name the
/// value without echoing a runaway input (a 100 KB id) whole.
pub fn excerpt(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(80).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A records array that must be present: absent stays `None` (with `#[serde(default)]`), so that
/// [`crate::Page::from_wire`] can tell "no array" (not a page) from "no records". `null` is read
/// as an empty array (vendors send `null` for empty arrays); any other type (an object of the
/// same name in another endpoint's answer, a string) as no array at all, `None`, rather than a
/// decode failure: such an answer is no page, and the paginator retries it as one. The records
/// themselves decode as `T` does.
pub fn present_list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(ListVisitor(std::marker::PhantomData))
}

struct ListVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The hint comes from the input: bounded so a hostile length cannot reserve memory.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Some(items))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A time from Unix seconds; `0` and negative values (placeholders) and out-of-range values
/// give `None`.
pub fn unix_seconds(seconds: i64) -> Option<OffsetDateTime> {
    if seconds <= 0 {
        return None;
    }
    OffsetDateTime::from_unix_timestamp(seconds).ok()
}

/// A time from Unix milliseconds, for the fields documented in milliseconds (the waiting rooms
/// of both Tencent Meeting and WeCom): `0` and negative values mean "no time" (someone still
/// waiting). Never guesses seconds from the magnitude: the vendors' example values are small
/// junk.
pub fn unix_millis(ms: i64) -> Option<OffsetDateTime> {
    if ms <= 0 {
        return None;
    }
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// A time from Unix seconds or milliseconds, told apart by magnitude (values above 10¹¹ are
/// milliseconds: 10¹¹ seconds is the year 5138).
pub fn unix_seconds_or_millis(value: i64) -> Option<OffsetDateTime> {
    if value > 100_000_000_000 {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(value) * 1_000_000).ok()
    } else {
        unix_seconds(value)
    }
}

/// Parses vendor wall-clock text in UTC+8: `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM`,
/// `YYYY/MM/DD HH:MM:SS`, `YYYY/MM/DD HH:MM` (single-digit month, day and hour accepted).
pub fn parse_utc8_text(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let normalized = text.replace('/', "-");
    let (date, clock) = normalized.split_once(' ')?;
    let mut date_parts = date.split('-');
    let (y, mo, d) = (date_parts.next()?, date_parts.next()?, date_parts.next()?);
    if date_parts.next().is_some() {
        return None;
    }
    let mut clock_parts = clock.trim().split(':');
    let (h, mi) = (clock_parts.next()?, clock_parts.next()?);
    let s = clock_parts.next().unwrap_or("0");
    if clock_parts.next().is_some() {
        return None;
    }
    let padded = format!(
        "{:0>4}-{:0>2}-{:0>2} {:0>2}:{:0>2}:{:0>2}",
        y, mo, d, h, mi, s
    );
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    PrimitiveDateTime::parse(&padded, format)
        .ok()
        .map(|t| t.assume_offset(UTC8))
}

/// Parses a time given as Unix seconds/milliseconds digits or as UTC+8 wall-clock text.
pub fn parse_time_text(text: &str) -> Option<OffsetDateTime> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().ok().and_then(unix_seconds_or_millis);
    }
    parse_utc8_text(t)
}

/// A time from a JSON value that may be Unix seconds (number or string), milliseconds, or
/// UTC+8 wall-clock text.
pub fn value_as_time(value: &Value) -> Option<OffsetDateTime> {
    match value {
        Value::Number(_) => value_as_i64(value).and_then(unix_seconds_or_millis),
        Value::String(s) => parse_time_text(s),
        _ => None,
    }
}

/// `Some(s)` unless `s` is empty or only whitespace.
pub fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

/// `Vec<String>` from an array (numbers and booleans printed, other items skipped), a single
/// string or number, or `null`.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.iter().filter_map(value_as_string).collect(),
        Value::Null => Vec::new(),
        other => value_as_string(&other).into_iter().collect(),
    })
}

/// One answer of an enrollment form, as WeCom (`enroll/list`) and Tencent Meeting
/// (`enroll/approvals`) send it: WeCom meetings run on Tencent Meeting, and both APIs use this
/// shape. Convert it with `Answer::from`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct EnrollAnswer {
    /// The answer text(s): one for single choice and short answers, several for multiple choice;
    /// a single string is accepted too.
    #[serde(default, deserialize_with = "string_list")]
    pub answer_content: Vec<String>,
    /// `1` not required, `2` required.
    #[serde(default, deserialize_with = "opt_i64")]
    pub is_required: Option<i64>,
    /// Question number (1, 2, 3 …).
    #[serde(default, deserialize_with = "opt_i64")]
    pub question_num: Option<i64>,
    /// Question title.
    #[serde(default, deserialize_with = "opt_string")]
    pub question_title: Option<String>,
    /// `1` single choice, `2` multiple choice, `3` short answer.
    #[serde(default, deserialize_with = "opt_i64")]
    pub question_type: Option<i64>,
    /// `1` none, `2` phone, `3` e-mail, `4` name, `5` company.
    #[serde(default, deserialize_with = "opt_i64")]
    pub special_type: Option<i64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

impl From<EnrollAnswer> for crate::model::Answer {
    /// Maps the codes; unknown fields, and an `is_required` other than 1 or 2, go to
    /// [`crate::Answer::extra`].
    fn from(wire: EnrollAnswer) -> Self {
        let mut a = crate::model::Answer::new(wire.answer_content);
        a.question_num = wire.question_num;
        a.title = wire.question_title;
        a.question_type = wire.question_type.map(crate::QuestionType::from_code);
        a.special_type = wire.special_type.map(crate::SpecialType::from_code);
        a.required = match wire.is_required {
            Some(2) => Some(true),
            Some(1) => Some(false),
            _ => None,
        };
        a.extra = wire.extra;
        if let Some(other) = wire.is_required.filter(|v| *v != 1 && *v != 2) {
            a.extra.insert("is_required".into(), Value::from(other));
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[derive(serde::Deserialize, Debug, Default)]
    struct Row {
        #[serde(default, deserialize_with = "opt_unix_seconds")]
        join_time: Option<OffsetDateTime>,
        #[serde(default, deserialize_with = "opt_string")]
        id: Option<String>,
        #[serde(default, deserialize_with = "opt_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "opt_bool")]
        on: Option<bool>,
        #[serde(default, deserialize_with = "null_as_default")]
        list: Vec<i64>,
    }

    #[test]
    fn excerpts_cut_long_values() {
        assert_eq!(excerpt("566390"), "566390");
        let long = "9".repeat(100_000);
        let shown = excerpt(&long);
        assert_eq!(shown.chars().count(), 81);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn a_records_array_is_told_apart_from_no_array() {
        #[derive(serde::Deserialize, Debug)]
        struct Page {
            #[serde(default, deserialize_with = "present_list")]
            rows: Option<Vec<Row>>,
        }
        let page = |v: Value| serde_json::from_value::<Page>(v).unwrap().rows;
        assert_eq!(
            page(json!({"rows": [{"n": 1}, {"n": "2"}]})).map(|r| r.len()),
            Some(2)
        );
        assert_eq!(page(json!({"rows": null})).map(|r| r.len()), Some(0));
        assert!(page(json!({})).is_none(), "absent");
        assert!(
            page(json!({"rows": {"member": []}})).is_none(),
            "another endpoint's object"
        );
        assert!(page(json!({"rows": "x"})).is_none());
        assert!(page(json!({"rows": 3})).is_none());
        // A record that is no object is still a decode failure (garbage, not a page shape).
        assert!(serde_json::from_value::<Page>(json!({"rows": [3]})).is_err());
    }

    #[test]
    fn strings_and_numbers_are_both_accepted() {
        let a: Row = serde_json::from_value(
            json!({"join_time":"1572085800","id":566390,"n":"42","on":1,"list":null}),
        )
        .unwrap();
        let b: Row = serde_json::from_value(
            json!({"join_time":1572085800,"id":"566390","n":42,"on":"true","list":[1]}),
        )
        .unwrap();
        assert_eq!(a.join_time, b.join_time);
        assert_eq!(a.join_time, Some(datetime!(2019-10-26 10:30:00 UTC)));
        assert_eq!(a.id.as_deref(), Some("566390"));
        assert_eq!(a.id, b.id);
        assert_eq!((a.n, b.n), (Some(42), Some(42)));
        assert_eq!((a.on, b.on), (Some(true), Some(true)));
        assert!(a.list.is_empty());
    }

    #[test]
    fn open_sessions_and_junk_are_none_not_errors() {
        for v in [
            json!(""),
            json!("0"),
            json!(0),
            json!(null),
            json!("abc"),
            json!({}),
            json!([1]),
        ] {
            let r: Row =
                serde_json::from_value(json!({ "join_time": v.clone(), "n": v.clone() })).unwrap();
            assert_eq!(r.join_time, None, "{v}");
            let numeric_zero = v == json!("0") || v == json!(0);
            assert_eq!(r.n, numeric_zero.then_some(0), "{v}");
        }
        let r: Row = serde_json::from_value(json!({})).unwrap();
        assert!(r.id.is_none() && r.on.is_none());
    }

    #[test]
    fn utc8_text_formats() {
        let expected = datetime!(2023-03-23 14:00:00 +8);
        for text in [
            "2023/03/23 14:00",
            "2023/03/23 14:00:00",
            "2023-03-23 14:00",
            "2023-03-23 14:00:00",
            " 2023-3-23 14:00 ",
        ] {
            assert_eq!(parse_utc8_text(text), Some(expected), "{text}");
        }
        assert_eq!(parse_utc8_text("2023-03-23"), None);
        assert_eq!(parse_utc8_text("2023-13-23 14:00"), None);
        assert_eq!(parse_utc8_text("not a time"), None);
        assert_eq!(
            parse_utc8_text("2022-11-18 19:00:00")
                .unwrap()
                .unix_timestamp(),
            1_668_769_200
        );
    }

    #[test]
    fn seconds_or_millis() {
        assert_eq!(
            unix_seconds_or_millis(1_666_231_314_356)
                .unwrap()
                .unix_timestamp(),
            1_666_231_314
        );
        assert_eq!(
            unix_seconds_or_millis(1_763_452_425)
                .unwrap()
                .unix_timestamp(),
            1_763_452_425
        );
        assert_eq!(
            parse_time_text("1763452425").unwrap().unix_timestamp(),
            1_763_452_425
        );
        assert_eq!(
            value_as_time(&json!("2022-11-18 11:25:48"))
                .unwrap()
                .unix_timestamp(),
            1_668_741_948
        );
        assert_eq!(unix_seconds(i64::MAX), None);
    }

    #[test]
    fn enroll_answers_keep_everything() {
        let wire: EnrollAnswer = serde_json::from_value(json!({
            "answer_content": ["A", 2], "is_required": 2, "question_num": "3",
            "question_title": "手机号", "question_type": 3, "special_type": 2, "hint": "new"
        }))
        .unwrap();
        let a = crate::Answer::from(wire);
        assert_eq!(a.values, vec!["A", "2"]);
        assert_eq!(a.required, Some(true));
        assert_eq!(a.question_num, Some(3));
        assert_eq!(a.special_type, Some(crate::SpecialType::Phone));
        assert_eq!(a.extra.get("hint"), Some(&json!("new")));

        let odd: EnrollAnswer =
            serde_json::from_value(json!({"answer_content": "only", "is_required": 9})).unwrap();
        let a = crate::Answer::from(odd);
        assert_eq!(a.values, vec!["only"]);
        assert_eq!(a.required, None);
        assert_eq!(
            a.extra.get("is_required"),
            Some(&json!(9)),
            "unknown value kept"
        );
        let none: EnrollAnswer = serde_json::from_value(json!({"answer_content": null})).unwrap();
        assert!(none.answer_content.is_empty());
    }

    #[test]
    fn field_decoders_agree_with_the_value_readers() {
        #[derive(serde::Deserialize)]
        struct Fields {
            #[serde(default, deserialize_with = "opt_string")]
            s: Option<String>,
            #[serde(default, deserialize_with = "opt_i64")]
            i: Option<i64>,
            #[serde(default, deserialize_with = "opt_bool")]
            b: Option<bool>,
        }
        let samples = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(1),
            json!(-7),
            json!(2.0),
            json!(2.5),
            json!(1e300),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(""),
            json!(" 42 "),
            json!("x"),
            json!("TRUE"),
            json!("0"),
            json!("张三"),
            json!("a\"b"),
            json!([1, "a"]),
            json!({"k": [1, {"z": null}]}),
        ];
        for v in samples {
            let f: Fields = serde_json::from_value(json!({"s": v, "i": v, "b": v})).unwrap();
            assert_eq!(f.s, value_as_string(&v), "string of {v}");
            assert_eq!(f.i, value_as_i64(&v), "i64 of {v}");
            assert_eq!(f.b, value_as_bool(&v), "bool of {v}");
            // And from text, the way vendor pages arrive.
            let text = format!("{{\"s\":{v},\"i\":{v},\"b\":{v}}}");
            let f: Fields = serde_json::from_str(&text).unwrap();
            assert_eq!(f.s, value_as_string(&v), "string of {v} from text");
            assert_eq!(f.i, value_as_i64(&v), "i64 of {v} from text");
            assert_eq!(f.b, value_as_bool(&v), "bool of {v} from text");
        }
    }

    #[test]
    fn value_readers() {
        assert_eq!(value_as_i64(&json!(1.0)), Some(1));
        assert_eq!(value_as_i64(&json!(1.5)), None);
        assert_eq!(value_as_i64(&json!(u64::MAX)), None);
        assert_eq!(value_as_bool(&json!("FALSE")), Some(false));
        assert_eq!(value_as_bool(&json!(2)), None);
        assert_eq!(non_empty(Some("  ".into())), None);
    }
}
