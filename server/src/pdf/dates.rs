//! Dates as the document prints them: Italian civil time (CET/CEST by the EU rule, no time-zone
//! database needed), in words ("12 marzo 2025"), and ISO 8601 UTC for the open data.

use tavoli_core::Lang;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// (year, month 1-12, day 1-31) of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The last Sunday of a month, at 01:00 UTC (when EU clocks change), in Unix milliseconds.
fn last_sunday_1am_utc(year: i64, month: u32) -> i64 {
    let last_day = days_from_civil(year, month + 1, 1) - 1;
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    let weekday = (last_day + 4).rem_euclid(7);
    (last_day - weekday) * DAY_MS + HOUR_MS
}

/// Milliseconds to add to UTC for Italian civil time at that instant.
pub fn rome_offset_ms(utc_ms: i64) -> i64 {
    let (year, _, _) = civil_from_days(utc_ms.div_euclid(DAY_MS));
    let summer = last_sunday_1am_utc(year, 3) <= utc_ms && utc_ms < last_sunday_1am_utc(year, 10);
    if summer { 2 * HOUR_MS } else { HOUR_MS }
}

/// Italian civil date and time: (year, month, day, hour, minute).
pub fn local(utc_ms: i64) -> (i64, u32, u32, u32, u32) {
    let local_ms = utc_ms + rome_offset_ms(utc_ms);
    let (y, m, d) = civil_from_days(local_ms.div_euclid(DAY_MS));
    let in_day = local_ms.rem_euclid(DAY_MS);
    (
        y,
        m,
        d,
        (in_day / HOUR_MS) as u32,
        ((in_day % HOUR_MS) / 60_000) as u32,
    )
}

const MONTHS_IT: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "12 marzo 2025" / "12 March 2025".
pub fn date(utc_ms: i64, lang: Lang) -> String {
    let (y, m, d, _, _) = local(utc_ms);
    let month = match lang {
        Lang::It => MONTHS_IT[(m - 1) as usize],
        Lang::En => MONTHS_EN[(m - 1) as usize],
    };
    format!("{d} {month} {y}")
}

/// "12/03/2025" (both languages: the document is Italian even in English).
pub fn short_date(utc_ms: i64) -> String {
    let (y, m, d, _, _) = local(utc_ms);
    format!("{d:02}/{m:02}/{y}")
}

/// "12/03/2025, 18:30".
pub fn date_time(utc_ms: i64) -> String {
    let (y, m, d, h, min) = local(utc_ms);
    format!("{d:02}/{m:02}/{y}, {h:02}:{min:02}")
}

/// "2025-03-12T17:30:00Z".
pub fn iso_utc(utc_ms: i64) -> String {
    let (y, m, d) = civil_from_days(utc_ms.div_euclid(DAY_MS));
    let in_day = utc_ms.rem_euclid(DAY_MS) / 1000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        (in_day % 3600) / 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_round_trip_known_instants() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_741_800_600_000), "2025-03-12T17:30:00Z");
        assert_eq!(days_from_civil(2025, 3, 12), 20_159);
    }

    #[test]
    fn italian_time_follows_the_eu_summer_rule() {
        // 2025-03-30 00:59 UTC is still winter time (01:59 in Rome); 01:00 UTC is 03:00.
        let change = last_sunday_1am_utc(2025, 3);
        assert_eq!(iso_utc(change), "2025-03-30T01:00:00Z");
        assert_eq!(local(change - 60_000).3, 1);
        assert_eq!(local(change).3, 3);
        assert_eq!(
            iso_utc(last_sunday_1am_utc(2025, 10)),
            "2025-10-26T01:00:00Z"
        );
        // Late evening UTC on 31 December is already New Year in Rome.
        let new_year_eve = days_from_civil(2024, 12, 31) * DAY_MS + 23 * HOUR_MS + 30 * 60_000;
        assert_eq!(date(new_year_eve, Lang::It), "1 gennaio 2025");
        assert_eq!(date(new_year_eve, Lang::En), "1 January 2025");
        assert_eq!(date_time(1_741_800_600_000), "12/03/2025, 18:30");
    }
}
