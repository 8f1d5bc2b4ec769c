//! Records read field by field from a JSON object, for vendors whose fields change type from
//! page to page (an id as a string here and a number there, a time as seconds or as text).
//!
//! Nothing is lost: each read removes the field it used, so what remains is the record's
//! `extra`; a field present with a value the reader refuses stays in `extra` under its wire
//! name; `null` carries nothing and is dropped. Decoding a record never fails as long as it is
//! a JSON object. [`lenient_record!`](crate::lenient_record) declares such a record once: each
//! field with its type, its doc and how it is read. [`Sensitive`] and [`SensitiveMap`] hold the
//! fields that let their holder into a meeting: `Debug` never shows them.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::wire::{value_as_i64, value_as_string, value_as_time};

/// A record read from a JSON object, keeping unread fields.
pub trait FromObject: Sized {
    /// Builds the record from the object's fields.
    fn from_object(map: Map<String, Value>) -> Self;
}

/// A field reader over a JSON object (see the [module docs](self)).
#[derive(Debug)]
pub struct Fields {
    map: Map<String, Value>,
}

impl Fields {
    /// Reads `map`.
    pub fn new(map: Map<String, Value>) -> Self {
        Self { map }
    }

    /// The first of `keys` (spelling variants of one field) present with a value `read`
    /// accepts. `null` values are dropped; values `read` refuses stay in `extra`.
    pub fn pick<T>(&mut self, keys: &[&str], read: impl Fn(&Value) -> Option<T>) -> Option<T> {
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

    /// A string (a number is read as its decimal text).
    pub fn string(&mut self, keys: &[&str]) -> Option<String> {
        self.pick(keys, value_as_string)
    }

    /// An integer (a digit string is read as its number).
    pub fn i64(&mut self, keys: &[&str]) -> Option<i64> {
        self.pick(keys, value_as_i64)
    }

    /// A non-negative integer.
    pub fn u64(&mut self, keys: &[&str]) -> Option<u64> {
        self.pick(keys, |v| {
            value_as_i64(v).and_then(|n| u64::try_from(n).ok())
        })
    }

    /// A time ([`crate::wire::value_as_time`]: Unix seconds or milliseconds, or UTC+8 text).
    pub fn time(&mut self, keys: &[&str]) -> Option<OffsetDateTime> {
        self.pick(keys, value_as_time)
    }

    /// An object, raw.
    pub fn object(&mut self, keys: &[&str]) -> Option<Map<String, Value>> {
        self.pick(keys, |v| v.as_object().cloned())
    }

    /// An array of anything; `null` is an empty array.
    pub fn values(&mut self, keys: &[&str]) -> Vec<Value> {
        self.pick(keys, |v| v.as_array().cloned())
            .unwrap_or_default()
    }

    /// An array of integers; an array holding anything else stays in `extra`.
    pub fn i64_list(&mut self, keys: &[&str]) -> Vec<i64> {
        self.pick(keys, |v| {
            v.as_array()?
                .iter()
                .map(value_as_i64)
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or_default()
    }

    /// An array of records ([`records_from`]); an array holding anything but objects (and
    /// `null`s) stays in `extra`.
    pub fn records<T: FromObject>(&mut self, keys: &[&str]) -> Vec<T> {
        self.pick(keys, |v| records_from(v.clone()).ok())
            .unwrap_or_default()
    }

    /// What was not read: the record's `extra`.
    pub fn rest(self) -> Map<String, Value> {
        self.map
    }
}

/// Reads records from an array (or a single object, or `null`). `null` elements are skipped;
/// any other non-object element is an error saying which (never its value).
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

/// The JSON type name of a value, for decode messages (never the value itself).
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value that lets its holder into a meeting (a passcode, a host link, a live-stream
/// password) inside a vendor record: `Debug` shows `<redacted>`, so it never reaches a log or an error by accident.
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

/// Declares a record read leniently from a JSON object ([`FromObject`], and `Deserialize`
/// through it): each field once, with its doc, its type and how it is read from the field
/// reader named in parentheses. The macro adds `extra` (every field not read, under its wire
/// name) and derives `Debug`, `Clone`, `Default` and `PartialEq`; the struct is
/// `#[non_exhaustive]`.
///
/// ```
/// roster_core::lenient_record! {
///     /// A person as one vendor sends it.
///     pub struct Person(f) {
///         /// `userId` or `user_id`, a string or a number on the wire.
///         pub user_id: Option<String> = f.string(&["userId", "user_id"]),
///         /// `joinTime`.
///         pub joined: Option<time::OffsetDateTime> = f.time(&["joinTime"]),
///     }
/// }
///
/// let p: Person =
///     serde_json::from_str(r#"{"userId": 42, "joinTime": "soon", "x": 1}"#).unwrap();
/// assert_eq!(p.user_id.as_deref(), Some("42"));
/// assert_eq!(p.joined, None);
/// assert_eq!(p.extra.len(), 2, "the unreadable time and the unknown field are kept");
/// ```
#[macro_export]
macro_rules! lenient_record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident ($f:ident) {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty = $read:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Every other field under its wire name, those of a type that cannot be read
            /// included.
            pub extra: $crate::serde_json::Map<String, $crate::serde_json::Value>,
        }

        impl $crate::record::FromObject for $name {
            fn from_object(map: $crate::serde_json::Map<String, $crate::serde_json::Value>) -> Self {
                #[allow(unused_mut)]
                let mut $f = $crate::record::Fields::new(map);
                Self {
                    $( $field: $read, )*
                    extra: $f.rest(),
                }
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let map = <$crate::serde_json::Map<String, $crate::serde_json::Value>
                    as $crate::serde::Deserialize>::deserialize(d)?;
                Ok(<$name as $crate::record::FromObject>::from_object(map))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    crate::lenient_record! {
        /// A test record.
        pub struct Row(f) {
            /// Two spellings.
            pub id: Option<u64> = f.u64(&["id", "ID"]),
            /// A list of integers.
            pub roles: Vec<i64> = f.i64_list(&["roles"]),
            /// Nested records.
            pub children: Vec<Row> = f.records(&["children"]),
        }
    }

    #[test]
    fn unreadable_values_stay_in_extra_and_nulls_go() {
        let empty: Row = serde_json::from_value(json!({"roles": null, "x": null})).unwrap();
        assert!(empty.roles.is_empty());
        assert!(
            !empty.extra.contains_key("roles"),
            "a read null carries nothing"
        );
        assert!(
            empty.extra.contains_key("x"),
            "an unknown field is kept as sent"
        );
        let row: Row = serde_json::from_value(json!({
            "id": -1, "ID": "7", "roles": [1, "x"], "children": [null, {"id": 3}], "new": true
        }))
        .unwrap();
        assert_eq!(row.id, Some(7), "the second spelling is read");
        assert_eq!(
            row.extra["id"],
            json!(-1),
            "a negative id is kept, not lost"
        );
        assert!(row.roles.is_empty());
        assert_eq!(row.extra["roles"], json!([1, "x"]));
        assert_eq!(row.children.len(), 1);
        assert_eq!(row.children[0].id, Some(3));
        assert_eq!(row.extra["new"], json!(true));
        assert!(serde_json::from_value::<Row>(json!([1])).is_err());
    }

    #[test]
    fn records_from_names_the_bad_element_type() {
        let e = records_from::<Row>(json!([{}, 5])).unwrap_err();
        assert_eq!(e, "element 1 is a number, expected an object");
        assert_eq!(records_from::<Row>(json!(null)).unwrap().len(), 0);
        assert_eq!(records_from::<Row>(json!({"id": 1})).unwrap().len(), 1);
        let e = records_from::<Row>(json!("secret-ish")).unwrap_err();
        assert!(!e.contains("secret"), "{e}");
    }
}
