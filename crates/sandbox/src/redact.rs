//! `Debug` for structs that hold secrets, without the secrets.

/// Implements `Debug` for a struct of credentials or settings, listing the fields in the given
/// order and showing those marked `redacted` as `"<redacted>"`, so that secrets never reach a
/// log: `debug_redacted!(WeComAppCredentials { agent_id, secret: redacted });`.
macro_rules! debug_redacted {
    ($ty:ident { $($field:ident $(: $redacted:ident)?),* $(,)? }) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut d = f.debug_struct(stringify!($ty));
                $(debug_redacted!(@field d, self, $field $(: $redacted)?);)*
                d.finish()
            }
        }
    };
    (@field $d:ident, $s:ident, $field:ident : redacted) => {
        $d.field(stringify!($field), &"<redacted>");
    };
    (@field $d:ident, $s:ident, $field:ident) => {
        $d.field(stringify!($field), &$s.$field);
    };
}
pub(crate) use debug_redacted;

#[cfg(test)]
mod tests {
    struct Probe {
        user: &'static str,
        secret: &'static str,
        n: u8,
    }
    debug_redacted!(Probe {
        user,
        secret: redacted,
        n
    });

    #[test]
    fn redacted_fields_never_show() {
        let p = Probe {
            user: "u",
            secret: "hunter2",
            n: 7,
        };
        assert_eq!(
            format!("{p:?}"),
            r#"Probe { user: "u", secret: "<redacted>", n: 7 }"#
        );
        assert!(!format!("{p:#?}").contains(p.secret));
    }
}
