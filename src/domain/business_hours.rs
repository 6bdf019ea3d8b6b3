//! The hours a site's staff work (`business_hours`, e.g. `Mon-Fri 09:00-17:00 +01:00`), and the
//! deadline a response target gives when only those hours count. Pure: no clock, no database.
//!
//! The offset is fixed (no timezone database): a site that observes summer time moves it twice
//! a year. Empty means around the clock, where a deadline is plain elapsed time.

use std::fmt;

use chrono::{Datelike, Days, NaiveDateTime, NaiveTime, TimeDelta, Weekday};

/// The days' names as written and printed, Monday first.
const DAY_NAMES: [(&str, Weekday); 7] = [
    ("Mon", Weekday::Mon),
    ("Tue", Weekday::Tue),
    ("Wed", Weekday::Wed),
    ("Thu", Weekday::Thu),
    ("Fri", Weekday::Fri),
    ("Sat", Weekday::Sat),
    ("Sun", Weekday::Sun),
];

/// The longest a deadline search walks, in days: far beyond any target (8,760 hours at one
/// hour a week is 168 years, refused long before by the settings' limit on hours).
const MAX_DAYS: u64 = 366 * 20;

/// When the staff work: some weekdays, the same hours each, at a fixed offset from UTC; or
/// around the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BusinessHours(Option<Schedule>);

/// Working days and hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Schedule {
    /// Which weekdays are worked, Monday first.
    days: [bool; 7],
    /// When work starts, local time.
    open: NaiveTime,
    /// When it ends, local time; after `open`.
    close: NaiveTime,
    /// Local time minus UTC, in minutes.
    offset_minutes: i32,
}

impl BusinessHours {
    /// Around the clock: every hour counts.
    pub const ALWAYS: Self = Self(None);

    /// Reads `Mon-Fri 09:00-17:00 +01:00` (days as a range or a comma list, such as
    /// `Mon,Wed,Fri`; the offset may be left out for UTC); blank means around the clock.
    pub fn parse(text: &str) -> Result<Self, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let (days, hours, offset) = match words.as_slice() {
            [] => return Ok(Self::ALWAYS),
            [days, hours] => (*days, *hours, "+00:00"),
            [days, hours, offset] => (*days, *hours, *offset),
            _ => return Err(format!("Write days, hours and an offset from UTC, such as `{}`.", EXAMPLE)),
        };
        let days = parse_days(days)?;
        let (open, close) = hours
            .split_once('-')
            .and_then(|(a, b)| Some((clock(a)?, clock(b)?)))
            .ok_or_else(|| format!("`{hours}` is not a span of hours like 09:00-17:00."))?;
        if open >= close {
            return Err("The hours must end after they start, on the same day.".to_owned());
        }
        let offset_minutes = parse_offset(offset)?;
        Ok(Self(Some(Schedule { days, open, close, offset_minutes })))
    }

    /// Whether every hour counts.
    pub fn is_always(&self) -> bool {
        self.0.is_none()
    }

    /// When `target` of working time has passed since `start` (UTC in, UTC out). Around the
    /// clock this is `start + target`; with a schedule, time outside it does not count.
    pub fn deadline(&self, start: NaiveDateTime, target: TimeDelta) -> NaiveDateTime {
        let Some(schedule) = self.0 else {
            return start + target;
        };
        let offset = TimeDelta::minutes(i64::from(schedule.offset_minutes));
        let mut left = target.max(TimeDelta::zero());
        let mut cursor = start + offset;
        for _ in 0..MAX_DAYS {
            let day = cursor.date();
            let worked = schedule.days[day.weekday().num_days_from_monday() as usize];
            if worked {
                let (open, close) = (day.and_time(schedule.open), day.and_time(schedule.close));
                let from = cursor.max(open);
                if from < close {
                    let available = close - from;
                    if left <= available {
                        return from + left - offset;
                    }
                    left -= available;
                }
            }
            match day.checked_add_days(Days::new(1)) {
                Some(next) => cursor = next.and_time(NaiveTime::MIN),
                None => break,
            }
        }
        // Unreachable for any schedule the parser accepts (it works at least one day a week);
        // fall back to elapsed time rather than promising never.
        start + target
    }
}

/// The schedule as a person would write it, and as it is stored.
impl fmt::Display for BusinessHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(s) = self.0 else {
            return Ok(());
        };
        write!(
            f,
            "{} {}-{} {}",
            print_days(&s.days),
            s.open.format("%H:%M"),
            s.close.format("%H:%M"),
            print_offset(s.offset_minutes)
        )
    }
}

/// An example schedule for messages.
const EXAMPLE: &str = "Mon-Fri 09:00-17:00 +01:00";

fn day_index(name: &str) -> Option<usize> {
    DAY_NAMES.iter().position(|(n, _)| n.eq_ignore_ascii_case(name))
}

fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    let unknown = |part: &str| {
        format!("`{part}` is not a day or a span of days like Mon-Fri (use Mon, Tue, Wed, Thu, Fri, Sat, Sun).")
    };
    for part in text.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (first, last) = day_index(a).zip(day_index(b)).ok_or_else(|| unknown(part))?;
                if first > last {
                    return Err(format!("`{part}` runs backwards; write the week from Monday, such as Mon-Fri."));
                }
                days[first..=last].iter_mut().for_each(|d| *d = true);
            }
            None => days[day_index(part).ok_or_else(|| unknown(part))?] = true,
        }
    }
    if !days.contains(&true) {
        return Err(unknown(text));
    }
    Ok(days)
}

fn clock(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

fn parse_offset(text: &str) -> Result<i32, String> {
    let refuse = || format!("`{text}` is not an offset from UTC like +01:00 or -05:00.");
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(refuse()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(refuse)?;
    let (h, m) = (h.parse::<i32>().map_err(|_| refuse())?, m.parse::<i32>().map_err(|_| refuse())?);
    if h.is_negative() || h > 14 || !(0..60).contains(&m) || h == 14 && m > 0 {
        return Err(refuse());
    }
    Ok(sign * (h * 60 + m))
}

/// Days as the shortest text: runs of three or more as spans, the rest listed.
fn print_days(days: &[bool; 7]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !days[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 7 && days[i + 1] {
            i += 1;
        }
        match i - start {
            0 => parts.push(DAY_NAMES[start].0.to_owned()),
            1 => parts.extend([DAY_NAMES[start].0.to_owned(), DAY_NAMES[i].0.to_owned()]),
            _ => parts.push(format!("{}-{}", DAY_NAMES[start].0, DAY_NAMES[i].0)),
        }
        i += 1;
    }
    parts.join(",")
}

fn print_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test should fail loudly")]

    use chrono::NaiveDate;

    use super::*;

    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        // December 2026: the 4th is a Friday.
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn schedules_read_and_print_canonically() {
        let cases = [
            ("", ""),
            ("  ", ""),
            ("Mon-Fri 09:00-17:00 +01:00", "Mon-Fri 09:00-17:00 +01:00"),
            ("mon-fri 09:00-17:00", "Mon-Fri 09:00-17:00 +00:00"),
            ("Mon,Tue,Wed 08:30-12:00 -05:00", "Mon-Wed 08:30-12:00 -05:00"),
            ("Sat,Mon 10:00-11:00 +05:30", "Mon,Sat 10:00-11:00 +05:30"),
            ("Mon,Tue 10:00-11:00 +00:00", "Mon,Tue 10:00-11:00 +00:00"),
        ];
        for (text, printed) in cases {
            assert_eq!(BusinessHours::parse(text).unwrap().to_string(), printed, "{text}");
        }
        for bad in [
            "Mon-Fri",
            "Fri-Mon 09:00-17:00",
            "Mon-Fri 17:00-09:00",
            "Mon-Fri 9-5",
            "Funday 09:00-17:00",
            "Mon-Fri 09:00-17:00 CET",
            "Mon-Fri 09:00-17:00 +15:00",
            "Mon-Fri 09:00-17:00 +01:00 extra",
        ] {
            assert!(BusinessHours::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn around_the_clock_every_hour_counts() {
        assert_eq!(BusinessHours::ALWAYS.deadline(at(4, 19, 0), TimeDelta::hours(4)), at(4, 23, 0));
        assert!(BusinessHours::parse("").unwrap().is_always());
    }

    #[test]
    fn only_business_hours_count() {
        let office = BusinessHours::parse("Mon-Fri 09:00-17:00 +00:00").unwrap();
        // Friday evening, 4 hours: Monday 13:00.
        assert_eq!(office.deadline(at(4, 19, 0), TimeDelta::hours(4)), at(7, 13, 0));
        // Friday 15:00: two hours on Friday, two on Monday.
        assert_eq!(office.deadline(at(4, 15, 0), TimeDelta::hours(4)), at(7, 11, 0));
        // Within the day; ending exactly at closing time.
        assert_eq!(office.deadline(at(3, 9, 30), TimeDelta::hours(2)), at(3, 11, 30));
        assert_eq!(office.deadline(at(4, 13, 0), TimeDelta::hours(4)), at(4, 17, 0));
        // Before opening on Monday: the clock starts at 09:00.
        assert_eq!(office.deadline(at(7, 6, 0), TimeDelta::hours(3)), at(7, 12, 0));
        // 24 hours are three working days.
        assert_eq!(office.deadline(at(7, 9, 0), TimeDelta::hours(24)), at(9, 17, 0));
    }

    #[test]
    fn the_offset_moves_the_working_day() {
        // 09:00-17:00 at +01:00 is 08:00-16:00 UTC.
        let paris = BusinessHours::parse("Mon-Fri 09:00-17:00 +01:00").unwrap();
        assert_eq!(paris.deadline(at(4, 15, 0), TimeDelta::hours(1)), at(4, 16, 0));
        assert_eq!(paris.deadline(at(4, 15, 30), TimeDelta::hours(1)), at(7, 8, 30));
        // Saturday 23:30 UTC is Sunday at +01:00 and Saturday 18:30 at -05:00: neither works.
        let new_york = BusinessHours::parse("Mon-Fri 09:00-17:00 -05:00").unwrap();
        assert_eq!(new_york.deadline(at(5, 23, 30), TimeDelta::hours(1)), at(7, 15, 0));
    }
}
