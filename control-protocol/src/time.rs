//! Times as both ends show them: the socket carries Unix seconds, `eo-admin` prints them as
//! UTC dates and times, and the game shows dates (a guild's creation) the same way.

/// Unix seconds as a UTC date and time, `YYYY-MM-DD HH:MM:SS`.
pub fn utc_date_time(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02}",
        utc_date(secs),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Unix seconds as a UTC date, `YYYY-MM-DD`.
pub fn utc_date(secs: i64) -> String {
    // Days since 1970-01-01 to a civil date, counting in 400-year eras from 0000-03-01
    // (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_civil_utc() {
        assert_eq!(utc_date_time(0), "1970-01-01 00:00:00");
        assert_eq!(utc_date_time(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc_date_time(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(utc_date_time(-1), "1969-12-31 23:59:59");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14");
    }
}
