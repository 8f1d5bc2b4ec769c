//! Reading a client's `ROSTER_*` settings from any source (the environment, or the CLI's flags,
//! environment and profile behind one function): one rule for every vendor crate's
//! `from_lookup`. Values are trimmed; a blank optional value counts as unset; a required value
//! that is missing or blank, and a value that does not parse, is a
//! [`crate::ErrorKind::Config`] error naming the setting (never repeating a secret's value).

use std::str::FromStr;

use crate::error::{Error, Result};

/// A source of settings by name, with the common reading rules (see the [module docs](self)).
pub struct SettingLookup<F> {
    lookup: F,
}

impl<F: Fn(&str) -> Option<String>> SettingLookup<F> {
    /// Reads from `lookup` (`|name| std::env::var(name).ok()` for the environment).
    pub fn new(lookup: F) -> Self {
        Self { lookup }
    }

    /// The value of `name`, trimmed; `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// A value that must be given: missing ("… is not set") or blank ("… is empty") is an
    /// error naming `name`.
    pub fn require(&self, name: &str) -> Result<String> {
        match (self.lookup)(name) {
            Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            Some(_) => Err(Error::config(format!("{name} is empty"))),
            None => Err(Error::config(format!("{name} is not set"))),
        }
    }

    /// An optional value of type `T`; one that does not parse is an error saying that `name`
    /// must be `what` (the value is not repeated: settings may be secrets).
    pub fn parse<T: FromStr>(&self, name: &str, what: &str) -> Result<Option<T>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<T>()
                .map(Some)
                .map_err(|_| Error::config(format!("{name} must be {what}"))),
        }
    }

    /// An optional calls-per-minute budget ([`crate::parse_calls_per_minute`]).
    pub fn calls_per_minute(&self, name: &str) -> Result<Option<u32>> {
        self.get(name)
            .map(|v| crate::parse_calls_per_minute(name, &v))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn from(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn one_reading_rule() {
        let s = SettingLookup::new(from(&[
            ("A", " x "),
            ("BLANK", "  "),
            ("N", "42"),
            ("BAD", "s3cret-ish"),
            ("RATE", "120"),
        ]));
        assert_eq!(s.get("A").as_deref(), Some("x"));
        assert_eq!(s.get("BLANK"), None);
        assert_eq!(s.require("A").unwrap(), "x");
        let e = s.require("MISSING").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("MISSING is not set"), "{e}");
        assert!(
            s.require("BLANK")
                .unwrap_err()
                .to_string()
                .contains("BLANK is empty")
        );
        assert_eq!(s.parse::<u64>("N", "a number").unwrap(), Some(42));
        assert_eq!(s.parse::<u64>("MISSING", "a number").unwrap(), None);
        let e = s.parse::<u64>("BAD", "a numeric user id").unwrap_err();
        assert!(
            e.to_string().contains("BAD must be a numeric user id"),
            "{e}"
        );
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert_eq!(s.calls_per_minute("RATE").unwrap(), Some(120));
        assert!(s.calls_per_minute("BAD").is_err());
    }
}
