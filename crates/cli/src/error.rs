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
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Config(_) => 2,
            CliError::Io(_) => 1,
            CliError::BrokenPipe => 0,
            CliError::Vendor(e) if is_local_usage_error(e) => 2,
            CliError::Vendor(_) => 1,
        }
    }
}

/// Errors the client raised before talking to the vendor because of what the user asked for.
fn is_local_usage_error(e: &Error) -> bool {
    e.vendor_code().is_none()
        && matches!(
            e.kind(),
            ErrorKind::InvalidArgument | ErrorKind::Config | ErrorKind::CursorMismatch
        )
}

/// Which settings to check for well-known vendor codes.
fn settings_hint(vendor: Vendor, code: i64) -> Option<&'static str> {
    match (vendor, code) {
        (Vendor::TencentMeeting, 200003) => {
            Some("check ROSTER_TENCENT_SECRET_ID and ROSTER_TENCENT_SECRET_KEY")
        }
        (Vendor::TencentMeeting, 190303) => Some(
            "check ROSTER_TENCENT_APP_ID and ROSTER_TENCENT_SECRET_ID; set ROSTER_TENCENT_SDK_ID only if an SdkId was assigned",
        ),
        (Vendor::TencentMeeting, 190300) => Some("synchronise this machine's clock (NTP)"),
        (Vendor::WeCom, 40001) => {
            Some("check ROSTER_WECOM_CORP_SECRET and that the app is enabled")
        }
        (Vendor::WeCom, 40013) => Some("check ROSTER_WECOM_CORP_ID"),
        (Vendor::WeCom, 60020) => {
            Some("add this machine's public IP to the app's trusted IPs (企业可信IP)")
        }
        (Vendor::WeCom, 48002) => Some(
            "add the app under 协作 > 会议 > API > 可调用接口的应用 and check its visible scope",
        ),
        _ => None,
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
            CliError::Vendor(e) => {
                write!(f, "{}", one_line(&e.to_string()))?;
                if let (Some(vendor), Some(code)) = (e.vendor(), e.vendor_code())
                    && let Some(hint) = settings_hint(vendor, code)
                {
                    write!(f, "; {hint}")?;
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
}
