//! Settings: flags override environment variables, which override a `roster.toml` profile.
//!
//! The vendor crates know which `ROSTER_*` variables they need and name the missing one in
//! their errors; the CLI only answers "what is the value of `ROSTER_X`?" from its three sources,
//! so nothing vendor-specific is written twice.
//!
//! ```toml
//! # roster.toml (or the file named by --config / $ROSTER_CONFIG)
//! [profiles.default.wecom]
//! corp_id = "ww0123456789"
//! corp_secret = "…"
//!
//! [profiles.staging.tencent]
//! app_id = "200000001"
//! secret_id = "…"
//! secret_key = "…"
//! operator_id = "admin1"
//! base_url = "http://127.0.0.1:8080"
//! ```
//!
//! A key inside `[profiles.<name>.<section>]` is the variable name without its
//! `ROSTER_<SECTION>_` prefix, lower-cased: `corp_id` is `ROSTER_WECOM_CORP_ID`. Sections are
//! `wecom`, `tencent` and `quanshi`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use roster_core::ClientBuilder;

use crate::error::CliError;

/// The sections of a profile, the variable prefix each stands for, and the settings its
/// vendor's builder reads ([`ClientBuilder::SETTINGS`], so a key is known exactly when the
/// client reads it).
const SECTIONS: [(&str, &str, &[&str]); 3] = [
    (
        "wecom",
        "ROSTER_WECOM_",
        roster_wecom::WeComClientBuilder::SETTINGS,
    ),
    (
        "tencent",
        "ROSTER_TENCENT_",
        roster_tencent_meeting::TencentMeetingClientBuilder::SETTINGS,
    ),
    (
        "quanshi",
        "ROSTER_QUANSHI_",
        roster_quanshi::QuanshiClientBuilder::SETTINGS,
    ),
];

/// Words that mark a setting as secret, so that `Debug` never shows its value. Every name
/// containing one is redacted, `ROSTER_TENCENT_SECRET_ID` included.
const SECRET_WORDS: [&str; 3] = ["SECRET", "TOKEN", "KEY"];

/// Reads one environment variable.
type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Answers "what is `ROSTER_X`?" from flags, then the environment, then the profile file.
pub struct Settings {
    flags: BTreeMap<String, String>,
    env: EnvLookup,
    file_values: BTreeMap<String, String>,
    file: Option<PathBuf>,
    profile: Option<String>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
            m.iter()
                .map(|(k, v)| {
                    let secret = SECRET_WORDS.iter().any(|w| k.contains(w));
                    (
                        k.clone(),
                        if secret {
                            "<redacted>".into()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect()
        };
        f.debug_struct("Settings")
            .field("flags", &redact(&self.flags))
            .field("file_values", &redact(&self.file_values))
            .field("file", &self.file)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads the profile file (if any) and remembers the flag values (variable name → value).
    ///
    /// The file is `config_file`, else `$ROSTER_CONFIG`, else `./roster.toml` when it exists.
    /// The profile is `profile`, else `default` (which may be absent).
    pub fn load(
        flags: impl IntoIterator<Item = (String, String)>,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
        config_file: Option<&Path>,
        profile: Option<&str>,
    ) -> Result<Self, CliError> {
        let explicit = config_file.map(Path::to_path_buf).or_else(|| {
            env("ROSTER_CONFIG")
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let file = match explicit {
            Some(path) => Some(path),
            None => Some(PathBuf::from("roster.toml")).filter(|p| p.is_file()),
        };
        let file_values = match &file {
            Some(path) => load_profile(path, profile.unwrap_or("default"), profile.is_some())?,
            None if profile.is_some() => {
                return Err(CliError::Config(format!(
                    "--profile {} given but there is no configuration file: pass --config FILE or set ROSTER_CONFIG",
                    profile.unwrap_or_default()
                )));
            }
            None => BTreeMap::new(),
        };
        Ok(Self {
            flags: flags.into_iter().collect(),
            env: Box::new(env),
            file_values,
            file,
            profile: profile.map(str::to_string),
        })
    }

    /// Settings from these values only: no environment, no file (the demo uses this so that it
    /// never picks up a real account).
    pub fn from_values(values: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            flags: values.into_iter().collect(),
            env: Box::new(|_| None),
            file_values: BTreeMap::new(),
            file: None,
            profile: None,
        }
    }

    /// The value of a `ROSTER_*` setting: a flag, else the environment, else the profile.
    /// Blank values count as unset.
    pub fn lookup(&self, name: &str) -> Option<String> {
        let blank = |v: &String| v.trim().is_empty();
        self.flags
            .get(name)
            .cloned()
            .filter(|v| !blank(v))
            .or_else(|| (self.env)(name).filter(|v| !blank(v)))
            .or_else(|| self.file_values.get(name).cloned().filter(|v| !blank(v)))
            .map(|v| v.trim().to_string())
    }

    /// Where the value of `name` came from, when that is the profile file: "`key` in
    /// [profiles.p.section] of FILE" (a flag or the environment is named by `name` itself).
    pub fn file_source(&self, name: &str) -> Option<String> {
        let blank = |v: &String| v.trim().is_empty();
        let from_file = self.flags.get(name).is_none_or(blank)
            && (self.env)(name).as_ref().is_none_or(blank)
            && self.file_values.get(name).is_some_and(|v| !blank(v));
        if !from_file {
            return None;
        }
        let (section, prefix, _) = SECTIONS.iter().find(|(_, p, _)| name.starts_with(p))?;
        Some(format!(
            "{} in [profiles.{}.{section}] of {}",
            name.trim_start_matches(prefix).to_ascii_lowercase(),
            self.profile.as_deref().unwrap_or("default"),
            self.file.as_ref()?.display()
        ))
    }

    /// Every setting named in `text` whose value came from the profile file, with where it
    /// is there (so an error about `ROSTER_X_Y` also says "set as `y` in … of FILE").
    pub fn file_sources_in(&self, text: &str) -> Vec<String> {
        SECTIONS
            .iter()
            .flat_map(|(_, _, known)| known.iter())
            .filter(|name| text.contains(*name))
            .filter_map(|name| {
                self.file_source(name)
                    .map(|place| format!("{name} was set as {place}"))
            })
            .collect()
    }

    /// Where else a setting may be put, for configuration errors.
    pub fn where_hint(&self) -> String {
        match &self.file {
            Some(file) => format!(
                "settings come from flags, ROSTER_* environment variables and [profiles.{}.<vendor>] in {}",
                self.profile.as_deref().unwrap_or("default"),
                file.display()
            ),
            None => {
                "settings come from flags, ROSTER_* environment variables or a roster.toml profile"
                    .to_string()
            }
        }
    }
}

/// A TOML error as line:column and the parser's message, without the source text: `toml`'s
/// own `Display` quotes the offending line, which may hold a secret.
pub(crate) fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim_end();
    match e.span().and_then(|span| text.get(..span.start)) {
        Some(before) => {
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_string(),
    }
}

/// The error for a key no vendor setting has: the file, the key's line and the closest valid
/// key (a typo such as `secret_kye` is the usual cause), never the value.
fn unknown_key(
    text: &str,
    path: &Path,
    profile: &str,
    section: &str,
    key: &str,
    prefix: &str,
    known: &[&str],
) -> String {
    let line = text
        .lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| format!(", line {}", i + 1))
        .unwrap_or_default();
    let valid: Vec<String> = known
        .iter()
        .map(|v| v.trim_start_matches(prefix).to_ascii_lowercase())
        .collect();
    let closest = valid
        .iter()
        .min_by_key(|v| strsim::levenshtein(v, &key.to_ascii_lowercase()))
        .map(|v| format!("; did you mean {v}?"))
        .unwrap_or_default();
    format!(
        "unknown key {key} in [profiles.{profile}.{section}] of {}{line}{closest} (valid keys: {})",
        path.display(),
        valid.join(", ")
    )
}

/// Reads `[profiles.<profile>.<section>]` tables into variable names.
fn load_profile(
    path: &Path,
    profile: &str,
    required: bool,
) -> Result<BTreeMap<String, String>, CliError> {
    let text_of_file = std::fs::read_to_string(path)
        .map_err(|e| CliError::Config(format!("cannot read {}: {e}", path.display())))?;
    let doc: toml::Table = text_of_file.parse().map_err(|e| {
        CliError::Config(format!(
            "{} is not valid TOML: {}",
            path.display(),
            toml_error(&text_of_file, &e)
        ))
    })?;
    let Some(table) = doc
        .get("profiles")
        .and_then(|p| p.as_table())
        .and_then(|p| p.get(profile))
        .and_then(|p| p.as_table())
    else {
        if required {
            return Err(CliError::Config(format!(
                "profile {profile:?} not found in {} (expected [profiles.{profile}.wecom], .tencent or .quanshi tables)",
                path.display()
            )));
        }
        return Ok(BTreeMap::new());
    };
    let mut values = BTreeMap::new();
    for (section, entries) in table {
        let Some((_, prefix, known)) = SECTIONS.iter().find(|(s, _, _)| s == section) else {
            return Err(CliError::Config(format!(
                "unknown section [profiles.{profile}.{section}] in {}: expected wecom, tencent or quanshi",
                path.display()
            )));
        };
        let Some(entries) = entries.as_table() else {
            continue;
        };
        for (key, value) in entries {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                other => {
                    return Err(CliError::Config(format!(
                        "{key} in [profiles.{profile}.{section}] of {} must be a string or an integer, not {}",
                        path.display(),
                        other.type_str()
                    )));
                }
            };
            let name = format!("{prefix}{}", key.to_ascii_uppercase());
            if !known.contains(&name.as_str()) && !crate::listen::SETTINGS.contains(&name.as_str())
            {
                return Err(CliError::Config(unknown_key(
                    &text_of_file,
                    path,
                    profile,
                    section,
                    key,
                    prefix,
                    known,
                )));
            }
            values.insert(name, text);
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn flags_beat_env_beat_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roster.toml");
        std::fs::write(
            &file,
            "[profiles.prod.wecom]\ncorp_id = \"from-file\"\ncorp_secret = \"file-secret\"\nbase_url = \"http://file\"\n[profiles.prod.quanshi]\nuser_id = 42\n",
        )
        .unwrap();
        let env = env_of(&[
            ("ROSTER_WECOM_CORP_ID", "from-env"),
            ("ROSTER_WECOM_BASE_URL", "  "),
        ]);
        let flags = [
            (
                "ROSTER_WECOM_BASE_URL".to_string(),
                "http://flag".to_string(),
            ),
            (
                "ROSTER_TENCENT_SECRET_ID".to_string(),
                "flag-secret-id".to_string(),
            ),
        ];
        let s = Settings::load(flags, env, Some(&file), Some("prod")).unwrap();
        assert_eq!(
            s.lookup("ROSTER_WECOM_CORP_ID").as_deref(),
            Some("from-env")
        );
        assert_eq!(
            s.lookup("ROSTER_WECOM_BASE_URL").as_deref(),
            Some("http://flag")
        );
        assert_eq!(
            s.lookup("ROSTER_WECOM_CORP_SECRET").as_deref(),
            Some("file-secret")
        );
        assert_eq!(s.lookup("ROSTER_QUANSHI_USER_ID").as_deref(), Some("42"));
        assert_eq!(s.lookup("ROSTER_TENCENT_APP_ID"), None);
        let shown = format!("{s:?}");
        assert!(!shown.contains("file-secret"), "{shown}");
        assert!(
            !shown.contains("flag-secret-id"),
            "SecretId is secret: {shown}"
        );
        assert!(shown.contains("from-file"), "ids are not secret: {shown}");
    }

    #[test]
    fn every_value_is_trimmed_secrets_and_the_config_path_too() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.toml");
        std::fs::write(
            &file,
            "[profiles.default.quanshi]\nsecret_key = \"  file-secret\\n\"\n",
        )
        .unwrap();
        let path = format!(" {}\n", file.display());
        let env = env_of(&[
            ("ROSTER_CONFIG", path.as_str()),
            ("ROSTER_TENCENT_SECRET_KEY", "pasted-secret\n"),
            ("ROSTER_QUANSHI_AUTH", "\tsignature "),
        ]);
        let s = Settings::load(Vec::new(), env, None, None).unwrap();
        assert_eq!(
            s.lookup("ROSTER_TENCENT_SECRET_KEY").as_deref(),
            Some("pasted-secret")
        );
        assert_eq!(
            s.lookup("ROSTER_QUANSHI_SECRET_KEY").as_deref(),
            Some("file-secret"),
            "read from the file the padded ROSTER_CONFIG names"
        );
        assert_eq!(
            s.lookup("ROSTER_QUANSHI_AUTH").as_deref(),
            Some("signature")
        );
    }

    #[test]
    fn blank_env_values_fall_through_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.toml");
        std::fs::write(
            &file,
            "[profiles.default.tencent]\napp_id = \"200000001\"\n",
        )
        .unwrap();
        let s = Settings::load(
            [],
            env_of(&[("ROSTER_TENCENT_APP_ID", "")]),
            Some(&file),
            None,
        )
        .unwrap();
        assert_eq!(
            s.lookup("ROSTER_TENCENT_APP_ID").as_deref(),
            Some("200000001")
        );
    }

    #[test]
    fn bad_files_and_profiles_are_config_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.toml");
        std::fs::write(&file, "[profiles.a.wecom]\ncorp_id = \"x\"\n").unwrap();
        let err = Settings::load([], env_of(&[]), Some(&file), Some("b")).unwrap_err();
        assert!(err.to_string().contains("profile \"b\""), "{err}");
        assert_eq!(err.exit_code(), 2);

        let missing = dir.path().join("nope.toml");
        let err = Settings::load([], env_of(&[]), Some(&missing), None).unwrap_err();
        assert_eq!(err.exit_code(), 2);

        std::fs::write(&file, "not = [valid").unwrap();
        let err = Settings::load([], env_of(&[]), Some(&file), None).unwrap_err();
        assert!(err.to_string().contains("not valid TOML"), "{err}");

        std::fs::write(&file, "[profiles.default.zoom]\nkey = \"x\"\n").unwrap();
        let err = Settings::load([], env_of(&[]), Some(&file), None).unwrap_err();
        assert!(err.to_string().contains("unknown section"), "{err}");

        let err = Settings::load([], env_of(&[]), None, Some("prod")).unwrap_err();
        assert!(err.to_string().contains("no configuration file"), "{err}");
    }

    #[test]
    fn toml_errors_name_the_place_but_never_show_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.toml");
        std::fs::write(
            &file,
            "[profiles.default.wecom]\ncorp_id = \"ww1\"\ncorp_secret = \"s3cr3t-value\n",
        )
        .unwrap();
        let err = Settings::load([], env_of(&[]), Some(&file), None).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.exit_code(), 2);
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("corp_secret"), "no source text: {text}");
        assert!(
            text.contains("r.toml is not valid TOML: line 3, column "),
            "{text}"
        );
        assert!(!text.contains('\n'), "{text}");
    }

    #[test]
    fn roster_config_env_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("elsewhere.toml");
        std::fs::write(&file, "[profiles.default.quanshi]\napp_id = \"k\"\n").unwrap();
        let env = env_of(&[("ROSTER_CONFIG", file.to_str().unwrap())]);
        let s = Settings::load([], env, None, None).unwrap();
        assert_eq!(s.lookup("ROSTER_QUANSHI_APP_ID").as_deref(), Some("k"));
        assert!(s.where_hint().contains("elsewhere.toml"));
    }

    #[test]
    fn unknown_keys_are_refused_with_the_line_and_the_closest_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.toml");
        std::fs::write(
            &path,
            "[profiles.default.tencent]\napp_id = \"1\"\nsecret_kye = \"hunter2\"\n",
        )
        .unwrap();
        let e = Settings::load(Vec::new(), |_| None, Some(&path), None).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("secret_kye") && text.contains("line 3"),
            "{text}"
        );
        assert!(text.contains("did you mean secret_key?"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        std::fs::write(&path, "[profiles.default.wecom]\ncall_per_minute = 5\n").unwrap();
        let e = Settings::load(Vec::new(), |_| None, Some(&path), None).unwrap_err();
        assert!(
            e.to_string().contains("did you mean calls_per_minute?"),
            "{e}"
        );
    }
}
