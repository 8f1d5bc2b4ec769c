//! Errors of the `roster` command: one clear line on stderr and an exit status (0 success,
//! 1 vendor or network error, 2 usage or configuration error).

use std::fmt;

use roster_core::{Error, ErrorKind, Vendor};

/// What went wrong, and who has to fix it.
#[derive(Debug)]
pub enum CliError {
    /// The command line does not make sense.
    Usage(String),
    /// A setting is missing or unusable.
    Config(String),
    /// The vendor (or the network to it) failed, or a client-side check refused the query.
    Vendor(Error),
    /// Reading or writing a local file or stream failed.
    Io(String),
    /// The reader of the output went away (`roster … | head`): not a failure, exit 0 silently.
    /// Decided on [`std::io::ErrorKind::BrokenPipe`], never on message text.
    BrokenPipe,
    /// SIGINT (2) or SIGTERM (15) arrived: the command was stopped (exit 128 + signal).
    Interrupted(u8),
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Config(_) => 2,
            CliError::Io(_) => 1,
            CliError::BrokenPipe => 0,
            CliError::Interrupted(signal) => 128 + signal,
            CliError::Vendor(e) if is_local_usage_error(e) => 2,
            CliError::Vendor(_) => 1,
        }
    }
}

/// Errors the client raised before talking to the vendor because of what the user asked for
/// or configured (exit 2).
pub(crate) fn is_local_usage_error(e: &Error) -> bool {
    e.vendor_code().is_none()
        && matches!(
            e.kind(),
            ErrorKind::InvalidArgument
                | ErrorKind::Config
                | ErrorKind::CursorMismatch
                | ErrorKind::Unsupported
        )
}

/// The CLI settings behind a well-known vendor code. The vendor crates' own hints say what to
/// check in the vendor's terms ("check the SecretKey"); the CLI adds only which variable holds
/// it. Codes whose hint needs no setting (clock, trusted IP, app permissions) add nothing.
fn settings_to_check(vendor: Vendor, code: i64) -> &'static [&'static str] {
    use roster_tencent_meeting::config::env as tencent;
    use roster_wecom::config as wecom;
    match (vendor, code) {
        (Vendor::TencentMeeting, 200_003) => &[tencent::SECRET_KEY, tencent::SECRET_ID],
        (Vendor::TencentMeeting, 190_303) => {
            &[tencent::APP_ID, tencent::SECRET_ID, tencent::SDK_ID]
        }
        (Vendor::TencentMeeting, 200_001) => {
            &[tencent::APP_ID, tencent::SECRET_ID, tencent::SECRET_KEY]
        }
        (Vendor::TencentMeeting, 81_101 | 190_001 | 500_014 | 9042) => &[tencent::OPERATOR_ID],
        (Vendor::WeCom, 40001 | 40091 | 41004) => &[wecom::ENV_CORP_SECRET],
        (Vendor::WeCom, 40013 | 41002) => &[wecom::ENV_CORP_ID],
        _ => &[],
    }
}

/// Replaces line breaks and other control characters so the message stays on one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) => write!(f, "usage: {}", one_line(m)),
            CliError::Config(m) => write!(f, "configuration: {}", one_line(m)),
            CliError::Io(m) => write!(f, "{}", one_line(m)),
            CliError::BrokenPipe => write!(f, "the output was closed (broken pipe)"),
            CliError::Interrupted(signal) => write!(f, "interrupted by signal {signal}"),
            CliError::Vendor(e) => {
                // The error's own text carries the vendor crate's hint; only the variable
                // names it does not already mention are added.
                let text = one_line(&e.to_string());
                write!(f, "{text}")?;
                if let (Some(vendor), Some(code)) = (e.vendor(), e.vendor_code()) {
                    let names: Vec<&str> = settings_to_check(vendor, code)
                        .iter()
                        .copied()
                        .filter(|name| !text.contains(name))
                        .collect();
                    if !names.is_empty() {
                        write!(f, "; settings: {}", names.join(", "))?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CliError {}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Vendor(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{ApiDetails, RetryClass};

    #[test]
    fn exit_codes() {
        assert_eq!(CliError::Usage("x".into()).exit_code(), 2);
        assert_eq!(CliError::Config("x".into()).exit_code(), 2);
        assert_eq!(CliError::Io("x".into()).exit_code(), 1);
        let vendor = Error::api(
            Vendor::WeCom,
            ApiDetails::new(40001, "invalid credential"),
            ErrorKind::Config,
            RetryClass::Fatal,
        );
        assert_eq!(CliError::Vendor(vendor).exit_code(), 1);
        let local = Error::invalid_argument("meeting id has a '/'");
        assert_eq!(CliError::Vendor(local).exit_code(), 2);
    }

    #[test]
    fn vendor_errors_are_one_line_with_code_and_hint() {
        let e = Error::api(
            Vendor::TencentMeeting,
            ApiDetails::new(200003, "Signature\nfailed!").with_request_id("trace-9"),
            ErrorKind::Config,
            RetryClass::Fatal,
        )
        .with_status(400);
        let line = CliError::Vendor(e).to_string();
        assert!(!line.contains('\n'));
        assert!(line.contains("200003"), "{line}");
        assert!(line.contains("trace-9"), "{line}");
        assert!(line.contains("ROSTER_TENCENT_SECRET_KEY"), "{line}");
    }

    /// The vendor crates' errors already carry their hint; the CLI prints it once and adds only
    /// the variable names.
    #[test]
    fn vendor_hints_are_printed_once_with_the_variables_added() {
        let now = time::OffsetDateTime::now_utc();
        let tencent = |code| {
            CliError::Vendor(roster_tencent_meeting::errors::api_error(
                code, None, "refused", 400, None, now,
            ))
            .to_string()
        };
        let wecom = |code| {
            CliError::Vendor(roster_wecom::errors::api_error(
                code,
                "refused",
                roster_wecom::CallKind::GetToken,
                std::time::Duration::from_secs(60),
            ))
            .to_string()
        };
        let cases = [
            (tencent(190300), "NTP", None),
            (
                tencent(200003),
                "SecretKey",
                Some("ROSTER_TENCENT_SECRET_KEY"),
            ),
            (tencent(190303), "SdkId", Some("ROSTER_TENCENT_SDK_ID")),
            (
                tencent(9042),
                "operator id",
                Some("ROSTER_TENCENT_OPERATOR_ID"),
            ),
            (wecom(60020), "trusted IPs", None),
            (wecom(48002), "可调用接口的应用", None),
            (
                wecom(40001),
                "应用管理 > 自建应用",
                Some("ROSTER_WECOM_CORP_SECRET"),
            ),
            (wecom(40013), "corp id", Some("ROSTER_WECOM_CORP_ID")),
        ];
        for (line, vendor_words, variable) in cases {
            assert_eq!(line.matches("hint:").count(), 1, "{line}");
            assert_eq!(line.matches(vendor_words).count(), 1, "{line}");
            match variable {
                Some(v) => assert_eq!(line.matches(v).count(), 1, "{line}"),
                None => assert!(!line.contains("ROSTER_"), "{line}"),
            }
        }
    }
}
