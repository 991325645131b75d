//! A site's business hours: when visitors may start a chat, as a weekly schedule in the
//! company's time zone. Outside them the widget offers the offline form even if an agent
//! is online. Pure: the instant to judge comes in as an argument.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Timelike, Utc, Weekday};
use locale::Tz;
use serde::{Deserialize, Serialize};

use crate::site::Error;

pub const MAX_OPENINGS_PER_DAY: usize = 3;
const DAY: u32 = 24 * 60;
const WEEK: u32 = 7 * DAY;

/// Monday first, as the schedule and the admin page list them.
pub const DAYS: [Weekday; 7] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// The lower-case English name of a day: the JSON key and the form fields' prefix.
pub fn day_name(day: Weekday) -> &'static str {
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][day.num_days_from_monday() as usize]
}

/// The input fields a day's error is about (its first opening's, as the form has one a day).
const FIELDS: [(&str, &str); 7] = [
    ("monday_from", "monday_to"),
    ("tuesday_from", "tuesday_to"),
    ("wednesday_from", "wednesday_to"),
    ("thursday_from", "thursday_to"),
    ("friday_from", "friday_to"),
    ("saturday_from", "saturday_to"),
    ("sunday_from", "sunday_to"),
];

/// One opening of a day, "09:00" to "17:30"; `to` may be "24:00": open until midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub from: String,
    pub to: String,
}

impl Opening {
    pub fn new(from: &str, to: &str) -> Opening {
        Opening { from: from.into(), to: to.into() }
    }
}

/// The weekly schedule. A day with no opening is closed all day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessHours {
    /// Off (the default, and every site made before business hours existed): always open.
    pub enabled: bool,
    pub monday: Vec<Opening>,
    pub tuesday: Vec<Opening>,
    pub wednesday: Vec<Opening>,
    pub thursday: Vec<Opening>,
    pub friday: Vec<Opening>,
    pub saturday: Vec<Opening>,
    pub sunday: Vec<Opening>,
}

/// "9:00", "09:00" or "24:00" as minutes after midnight.
fn minutes(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let ok = |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
    if !ok(h, 2) || !ok(m, 2) || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn hh_mm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl BusinessHours {
    pub fn day(&self, day: Weekday) -> &[Opening] {
        match day {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    pub fn day_mut(&mut self, day: Weekday) -> &mut Vec<Opening> {
        match day {
            Weekday::Mon => &mut self.monday,
            Weekday::Tue => &mut self.tuesday,
            Weekday::Wed => &mut self.wednesday,
            Weekday::Thu => &mut self.thursday,
            Weekday::Fri => &mut self.friday,
            Weekday::Sat => &mut self.saturday,
            Weekday::Sun => &mut self.sunday,
        }
    }

    /// Every day's openings well-formed ("HH:MM", start before end, at most a few, none
    /// overlapping), sorted and spelt "09:00"; refusals name the day's field.
    pub fn validated(&self) -> Result<BusinessHours, Error> {
        let mut clean = BusinessHours { enabled: self.enabled, ..Default::default() };
        for (day, (from_field, to_field)) in DAYS.into_iter().zip(FIELDS) {
            let openings = self.day(day);
            if openings.len() > MAX_OPENINGS_PER_DAY {
                return Err(Error::TooManyOpenings { field: from_field });
            }
            let mut spans = Vec::new();
            for o in openings {
                let from = minutes(&o.from).filter(|m| *m < DAY).ok_or_else(|| Error::BadTime { field: from_field, value: o.from.trim().into() })?;
                let to = minutes(&o.to).ok_or_else(|| Error::BadTime { field: to_field, value: o.to.trim().into() })?;
                if to <= from {
                    return Err(Error::EndBeforeStart { field: to_field });
                }
                spans.push((from, to));
            }
            spans.sort();
            if spans.windows(2).any(|w| w[1].0 < w[0].1) {
                return Err(Error::OpeningsOverlap { field: from_field });
            }
            *clean.day_mut(day) = spans.into_iter().map(|(f, t)| Opening { from: hh_mm(f), to: hh_mm(t) }).collect();
        }
        Ok(clean)
    }

    /// Open at this minute of the week (0 is Monday 00:00)?
    fn open_at(&self, week_minute: u32) -> bool {
        let m = week_minute % WEEK;
        let (day, minute) = (DAYS[(m / DAY) as usize], m % DAY);
        !self.enabled || self.day(day).iter().any(|o| minutes(&o.from).is_some_and(|f| f <= minute) && minutes(&o.to).is_some_and(|t| minute < t))
    }

    /// Whether visitors may start a chat at this local time.
    pub fn is_open(&self, day: Weekday, minute: u32) -> bool {
        self.open_at(week_minute(day, minute))
    }

    /// Minutes from `now` to each start and end of an opening in the coming week, soonest first.
    fn boundaries(&self, now: u32) -> Vec<u32> {
        let mut ahead: Vec<u32> = DAYS
            .into_iter()
            .flat_map(|d| {
                self.day(d).iter().flat_map(move |o| [minutes(&o.from), minutes(&o.to)].into_iter().flatten().map(move |m| week_minute(d, 0) + m))
            })
            .map(|b| match (b + WEEK - now) % WEEK {
                0 => WEEK,
                n => n,
            })
            .collect();
        ahead.sort_unstable();
        ahead
    }

    /// How many minutes after this local time the site next opens (a closing and a
    /// reopening at the same minute, 24:00 then 00:00, is no opening). None: never.
    pub fn next_opening(&self, day: Weekday, minute: u32) -> Option<u32> {
        let now = week_minute(day, minute);
        self.boundaries(now).into_iter().find(|ahead| self.open_at(now + ahead) && !self.open_at(now + ahead - 1))
    }

    /// How many minutes after this local time the site opens or closes. None: never.
    pub fn next_change(&self, day: Weekday, minute: u32) -> Option<u32> {
        let now = week_minute(day, minute);
        let open = self.open_at(now);
        self.boundaries(now).into_iter().find(|ahead| self.open_at(now + ahead) != open)
    }

    /// Open or closed at `now` in `tz`, and when that changes.
    pub fn status(&self, tz: Tz, now: DateTime<Utc>) -> Status {
        if !self.enabled {
            return Status { open: true, next_open: None, next_change: None };
        }
        let local = now.with_timezone(&tz);
        let (day, minute) = (local.weekday(), local.hour() * 60 + local.minute());
        let this_minute = local.naive_local().with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(local.naive_local());
        let at = |ahead: u32| to_utc(tz, this_minute + Duration::minutes(ahead.into())).max(now + Duration::seconds(1));
        Status {
            open: self.is_open(day, minute),
            next_open: self.next_opening(day, minute).map(at),
            next_change: self.next_change(day, minute).map(at),
        }
    }
}

fn week_minute(day: Weekday, minute: u32) -> u32 {
    day.num_days_from_monday() * DAY + minute
}

/// A local time as an instant; one skipped by a clock change is the first instant after it.
fn to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    (0..4)
        .find_map(|quarter| tz.from_local_datetime(&(local + Duration::minutes(15 * quarter))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc())
}

/// Business hours at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Within business hours (always, when they are off).
    pub open: bool,
    /// When the site next opens, if it ever does.
    pub next_open: Option<DateTime<Utc>>,
    /// When `open` next flips: the moment to look again.
    pub next_change: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekdays_nine_to_five() -> BusinessHours {
        let day = vec![Opening::new("09:00", "17:00")];
        BusinessHours {
            enabled: true,
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day,
            ..Default::default()
        }
    }

    #[test]
    fn off_means_always_open() {
        let hours = BusinessHours::default();
        assert!(hours.is_open(Weekday::Sun, 3 * 60));
        assert_eq!(hours.next_change(Weekday::Sun, 0), None);
        assert_eq!(hours.status(locale::Tz::UTC, Utc::now()), Status { open: true, next_open: None, next_change: None });
    }

    #[test]
    fn open_within_an_opening_and_closed_at_its_end() {
        let hours = weekdays_nine_to_five();
        assert!(!hours.is_open(Weekday::Mon, 9 * 60 - 1));
        assert!(hours.is_open(Weekday::Mon, 9 * 60));
        assert!(hours.is_open(Weekday::Fri, 17 * 60 - 1));
        assert!(!hours.is_open(Weekday::Fri, 17 * 60));
        assert!(!hours.is_open(Weekday::Sat, 12 * 60));
    }

    #[test]
    fn the_next_opening_skips_closed_days_and_wraps_the_week() {
        let hours = weekdays_nine_to_five();
        // Friday 18:00 → Monday 09:00: 6 h + 2 days + 9 h.
        assert_eq!(hours.next_opening(Weekday::Fri, 18 * 60), Some(6 * 60 + 2 * DAY + 9 * 60));
        assert_eq!(hours.next_opening(Weekday::Mon, 8 * 60 + 59), Some(1));
        // Open now: the next opening is tomorrow's.
        assert_eq!(hours.next_opening(Weekday::Mon, 10 * 60), Some(23 * 60));
        let only_monday = BusinessHours { enabled: true, monday: vec![Opening::new("09:00", "12:00")], ..Default::default() };
        assert_eq!(only_monday.next_opening(Weekday::Mon, 13 * 60), Some(WEEK - 4 * 60));
        let never = BusinessHours { enabled: true, ..Default::default() };
        assert_eq!((never.next_opening(Weekday::Mon, 0), never.next_change(Weekday::Mon, 0)), (None, None));
    }

    #[test]
    fn the_next_change_is_the_opening_or_the_closing_and_midnight_joins_days() {
        let hours = weekdays_nine_to_five();
        assert_eq!(hours.next_change(Weekday::Mon, 8 * 60 + 59), Some(1));
        assert_eq!(hours.next_change(Weekday::Mon, 9 * 60), Some(8 * 60));
        let late = BusinessHours {
            enabled: true,
            monday: vec![Opening::new("20:00", "24:00")],
            tuesday: vec![Opening::new("00:00", "02:00")],
            ..Default::default()
        };
        assert!(late.is_open(Weekday::Mon, 23 * 60 + 59) && late.is_open(Weekday::Tue, 0));
        // Monday 23:00: the site closes on Tuesday at 02:00, not at midnight.
        assert_eq!(late.next_change(Weekday::Mon, 23 * 60), Some(3 * 60));
        assert_eq!(late.next_opening(Weekday::Mon, 23 * 60), Some(WEEK - 3 * 60));
    }

    #[test]
    fn status_reads_the_company_time_zone() {
        let paris = locale::time_zone("Europe/Paris").unwrap();
        let hours = weekdays_nine_to_five();
        // Monday 2 March 2026, 08:59:30 in Paris (UTC+1) is 07:59:30 UTC.
        let now = "2026-03-02T07:59:30Z".parse::<DateTime<Utc>>().unwrap();
        let status = hours.status(paris, now);
        let nine = "2026-03-02T08:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(status, Status { open: false, next_open: Some(nine), next_change: Some(nine) });
        let at_nine = hours.status(paris, nine);
        assert!(at_nine.open);
        assert_eq!(at_nine.next_change, Some("2026-03-02T16:00:00Z".parse().unwrap()));
        // Across the spring clock change (29 March 2026, Paris goes to UTC+2): Monday 09:00 is 07:00 UTC.
        let saturday = "2026-03-28T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(hours.status(paris, saturday).next_open, Some("2026-03-30T07:00:00Z".parse().unwrap()));
    }

    #[test]
    fn times_are_checked_and_spelt_alike() {
        let mut hours = BusinessHours { enabled: true, ..Default::default() };
        hours.monday = vec![Opening::new("14:00", "24:00"), Opening::new("9:00", "12:30")];
        let clean = hours.validated().unwrap();
        assert_eq!(clean.monday, vec![Opening::new("09:00", "12:30"), Opening::new("14:00", "24:00")]);
        let refused = |day: Vec<Opening>| BusinessHours { tuesday: day, ..Default::default() }.validated().unwrap_err();
        assert_eq!(refused(vec![Opening::new("25:00", "26:00")]), Error::BadTime { field: "tuesday_from", value: "25:00".into() });
        assert_eq!(refused(vec![Opening::new("09:00", "9h")]), Error::BadTime { field: "tuesday_to", value: "9h".into() });
        assert_eq!(refused(vec![Opening::new("24:00", "24:00")]), Error::BadTime { field: "tuesday_from", value: "24:00".into() });
        assert_eq!(refused(vec![Opening::new("17:00", "09:00")]), Error::EndBeforeStart { field: "tuesday_to" });
        assert_eq!(refused(vec![Opening::new("09:00", "12:00"), Opening::new("11:00", "13:00")]), Error::OpeningsOverlap { field: "tuesday_from" });
        let four = (0..4).map(|h| Opening::new(&format!("0{h}:00"), &format!("0{h}:30"))).collect();
        assert_eq!(refused(four), Error::TooManyOpenings { field: "tuesday_from" });
        assert_eq!(Error::EndBeforeStart { field: "tuesday_to" }.field(), Some("tuesday_to"));
    }

    #[test]
    fn old_payloads_without_every_day_still_read() {
        let hours: BusinessHours = serde_json::from_str(r#"{"enabled": true, "monday": [{"from": "09:00", "to": "17:00"}]}"#).unwrap();
        assert_eq!((hours.monday.len(), hours.sunday.len()), (1, 0));
        assert_eq!(serde_json::from_str::<BusinessHours>("{}").unwrap(), BusinessHours::default());
    }
}
