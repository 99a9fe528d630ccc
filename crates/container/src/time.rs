//! Timestamps as runc writes them: RFC 3339 in UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// `time` to the second (`2026-11-27T21:33:00Z`), as log lines are stamped.
pub fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    format_utc(since.as_secs(), "")
}

/// `time` as Go's `time.RFC3339Nano` writes it, the form of a container's `created`: the
/// fraction of a second without trailing zeros, and no dot when nothing is left
/// (`2026-11-27T21:33:00.12Z`, `2026-11-27T21:33:00Z`).
pub fn rfc3339_nano(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let nanos = format!("{:09}", since.subsec_nanos());
    let fraction = nanos.trim_end_matches('0');
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    format_utc(since.as_secs(), &fraction)
}

fn format_utc(secs: u64, fraction: &str) -> String {
    let (year, month, day) = civil_from_days(secs / 86_400);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{fraction}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(at(0, 0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(at(1_795_815_180, 999)), "2026-11-27T21:33:00Z");
        assert_eq!(
            rfc3339_nano(at(951_782_400, 5)),
            "2000-02-29T00:00:00.000000005Z"
        );
        assert_eq!(
            rfc3339_nano(at(1_795_815_180, 120_000_000)),
            "2026-11-27T21:33:00.12Z"
        );
        assert_eq!(rfc3339_nano(at(1_795_815_180, 0)), "2026-11-27T21:33:00Z");
    }
}
