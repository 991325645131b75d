//! Dates, times and numbers as each language writes them, in the reader's time zone.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use crate::{Lang, Reader};

const MONTHS_EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTHS_FR: [&str; 12] =
    ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
const SHORT_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SHORT_FR: [&str; 12] = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

/// French groups thousands with a narrow no-break space.
const FR_GROUP: char = '\u{202f}';

impl Reader {
    /// "3 December 2026", "3 décembre 2026".
    pub fn day(&self, d: NaiveDate) -> String {
        let months = match self.lang {
            Lang::En => &MONTHS_EN,
            Lang::Fr => &MONTHS_FR,
        };
        format!("{} {} {}", d.day(), months[d.month0() as usize], d.year())
    }

    /// The day an instant falls on where the reader is.
    pub fn date(&self, at: DateTime<Utc>) -> String {
        self.day(at.with_timezone(&self.tz).date_naive())
    }

    /// "3 Dec 2026, 14:05 CET", "3 déc. 2026 à 14:05 CET": minutes, and the zone they are in.
    pub fn date_time(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        let i = local.month0() as usize;
        let (month, join) = match self.lang {
            Lang::En => (SHORT_EN[i], ","),
            Lang::Fr => (SHORT_FR[i], " à"),
        };
        format!("{} {month} {}{join} {:02}:{:02} {}", local.day(), local.year(), local.hour(), local.minute(), local.format("%Z"))
    }

    /// "14:05:07", the time of day where the reader is.
    pub fn time(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format("%H:%M:%S").to_string()
    }

    /// "12,345" or "12 345".
    pub fn integer(&self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let sep = match self.lang {
            Lang::En => ',',
            Lang::Fr => FR_GROUP,
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        if n < 0 {
            out.insert(0, '-');
        }
        out
    }

    /// An amount in hundredths (cents) with two decimals: "1,234.50", "1 234,50".
    pub fn hundredths(&self, cents: i64) -> String {
        let point = match self.lang {
            Lang::En => '.',
            Lang::Fr => ',',
        };
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        format!("{sign}{}{point}{:02}", self.integer((abs / 100) as i64), abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::Tz;

    #[test]
    fn dates_in_each_language_and_zone() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 23, 30, 5).unwrap();
        let en = Reader::new(Lang::En, Tz::UTC);
        let fr = Reader::new(Lang::Fr, Tz::Europe__Paris);
        assert_eq!(en.date(at), "3 December 2026");
        assert_eq!(fr.date(at), "4 décembre 2026");
        assert_eq!(en.date_time(at), "3 Dec 2026, 23:30 UTC");
        assert_eq!(fr.date_time(at), "4 déc. 2026 à 00:30 CET");
        assert_eq!(fr.time(at), "00:30:05");
    }

    #[test]
    fn numbers_grouped_as_each_language_groups_them() {
        let en = Reader::new(Lang::En, Tz::UTC);
        let fr = Reader::new(Lang::Fr, Tz::UTC);
        assert_eq!(en.integer(1_234_567), "1,234,567");
        assert_eq!(fr.integer(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(en.integer(-999), "-999");
        assert_eq!(en.hundredths(123_450), "1,234.50");
        assert_eq!(fr.hundredths(-5), "-0,05");
        assert_eq!(fr.hundredths(30_600), "306,00");
    }
}
