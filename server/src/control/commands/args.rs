//! The checks of single values several commands share (names, chat text, durations, IP
//! addresses). The arguments' shapes are `eo_control`'s: declared once for the socket,
//! `eo-admin` and the `$` commands.

use std::net::IpAddr;

use eo_control::DurationArg;

use super::CommandError;

/// The longest announcement or message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 256;
/// The longest ban duration accepted (about 100 years); longer is what `permanent` is for.
pub const MAX_BAN_SECS: u64 = 100 * 365 * 24 * 60 * 60;

/// Reads `import`'s arguments (`null` counts as `{}`); the other commands' are
/// `eo_control::Command`'s.
pub(super) fn args<T: serde::de::DeserializeOwned>(
    args: serde_json::Value,
) -> Result<T, CommandError> {
    let args = if args.is_null() {
        serde_json::json!({})
    } else {
        args
    };
    if !args.is_object() {
        return Err(CommandError::bad_request("args must be a JSON object"));
    }
    serde_json::from_value(args).map_err(|e| CommandError::bad_request(format!("bad args: {e}")))
}

/// A chat text: trimmed, not empty, at most [`MAX_MESSAGE_CHARS`].
pub(super) fn message_text(text: &str) -> Result<String, CommandError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CommandError::bad_request("the message is empty"));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(CommandError::bad_request(format!(
            "the message is longer than {MAX_MESSAGE_CHARS} characters"
        )));
    }
    Ok(text.to_owned())
}

/// A name argument: trimmed and not empty.
pub(super) fn name_arg(name: &str) -> Result<String, CommandError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CommandError::bad_request("the name is empty"));
    }
    Ok(name.to_owned())
}

/// A ban's length in seconds; `None` for a permanent ban.
pub fn parse_duration(text: &str) -> Result<Option<u64>, CommandError> {
    let text = text.trim().to_ascii_lowercase();
    if matches!(text.as_str(), "perm" | "permanent" | "forever" | "never") {
        return Ok(None);
    }
    let bad = || {
        CommandError::bad_request(format!(
            "bad duration {text:?}: use seconds or a number with s, m, h, d or w, or \"permanent\""
        ))
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let unit = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 60 * 60,
        "d" => 24 * 60 * 60,
        "w" => 7 * 24 * 60 * 60,
        _ => return Err(bad()),
    };
    Ok(Some(number.checked_mul(unit).ok_or_else(bad)?))
}

/// The ban length in seconds, checked; `None` for permanent.
pub(super) fn ban_secs(duration: Option<DurationArg>) -> Result<Option<u64>, CommandError> {
    let secs = match duration {
        None => None,
        Some(DurationArg::Secs(secs)) => Some(secs),
        Some(DurationArg::Text(text)) => parse_duration(&text)?,
    };
    match secs {
        Some(0) => Err(CommandError::bad_request("a ban lasts at least 1 second")),
        Some(secs) if secs > MAX_BAN_SECS => Err(CommandError::bad_request(
            "a ban that long should be permanent",
        )),
        secs => Ok(secs),
    }
}

/// An IP address argument, in the form the server compares (`IpAddr`'s display).
pub(super) fn ip_arg(ip: &str) -> Result<IpAddr, CommandError> {
    ip.trim()
        .parse()
        .map_err(|_| CommandError::bad_request(format!("{ip:?} is not an IP address")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::commands::ErrorCode;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Some(90));
        assert_eq!(parse_duration("90s").unwrap(), Some(90));
        assert_eq!(parse_duration("30m").unwrap(), Some(1800));
        assert_eq!(parse_duration("2H").unwrap(), Some(7200));
        assert_eq!(parse_duration("7d").unwrap(), Some(604_800));
        assert_eq!(parse_duration("1w").unwrap(), Some(604_800));
        assert_eq!(parse_duration("permanent").unwrap(), None);
        for bad in ["", "m", "5x", "-5", "1.5h", "99999999999999999999w"] {
            assert_eq!(
                parse_duration(bad).unwrap_err().code,
                ErrorCode::BadRequest,
                "{bad}"
            );
        }
        assert!(ban_secs(Some(DurationArg::Secs(0))).is_err());
        assert!(ban_secs(Some(DurationArg::Secs(MAX_BAN_SECS + 1))).is_err());
        assert_eq!(ban_secs(None).unwrap(), None);
    }

    #[test]
    fn values_are_checked() {
        assert!(message_text("  ").is_err());
        assert!(message_text(&"x".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert_eq!(message_text(" hi ").unwrap(), "hi");
        assert_eq!(ip_arg("10.0.0.1").unwrap().to_string(), "10.0.0.1");
        assert!(ip_arg("10.0.0").is_err());
    }
}
