//! The supervisor board's figures: average waiting and first-response times per site over
//! the last hour and today, and the share of good ratings per site and per agent today and
//! over the last 30 days. "Today" starts at midnight in the company's time zone; "now" is
//! the server's clock (`Settings.clock`).

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use locale::{Lang, Tz};
use projections::figures::{AgentFigures, Durations, Ratings, SiteFigures, Windows};

use crate::auth::Session;
use crate::{App, Result};

pub struct Figures {
    /// The zone "today" is counted in.
    pub time_zone: Tz,
    pub windows: Windows,
    /// Every live site of the company, by name.
    pub sites: Vec<SiteFigures>,
    /// The agents rated in the last 30 days.
    pub agents: Vec<AgentFigures>,
}

/// The company's figures at the server's clock.
pub async fn of_company(app: &App, session: &Session) -> Result<Figures> {
    let time_zone = session.company_time_zone().unwrap_or(Tz::UTC);
    let windows = windows(app.settings.clock.now(), time_zone);
    let client = app.pool().get().await?;
    let company = session.company_id();
    let (sites, agents) = tokio::try_join!(
        projections::figures::sites_of_company(&**client, company, windows),
        projections::figures::agents_of_company(&**client, company, windows)
    )?;
    Ok(Figures { time_zone, windows, sites, agents })
}

pub fn windows(now: DateTime<Utc>, tz: Tz) -> Windows {
    Windows { now, last_hour: now - Duration::hours(1), today: start_of_day(now, tz), last_30_days: now - Duration::days(30) }
}

/// The first instant of `now`'s calendar day in `tz`: midnight, or the end of the gap when
/// the clocks jump forward at midnight (as in Santiago).
pub fn start_of_day(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let day = now.with_timezone(&tz).date_naive();
    (0..24 * 60)
        .find_map(|minute| tz.from_local_datetime(&day.and_time(NaiveTime::MIN + Duration::minutes(minute))).earliest())
        .map_or(now, |t| t.with_timezone(&Utc))
}

/// The average in whole seconds, rounded half up; none when nothing was measured.
pub fn average_seconds(d: Durations) -> Option<i64> {
    (d.count > 0).then(|| (d.total_us.max(0) + d.count * 500_000) / (d.count * 1_000_000))
}

/// The share of good ratings in whole percent, rounded half up; none without a rating.
pub fn percent_good(r: Ratings) -> Option<i64> {
    (r.rated > 0).then(|| (200 * r.good + r.rated) / (2 * r.rated))
}

/// "45 s", "2 min 5 s", "3 min", "1 h 20 min", "2 h", in `lang`.
pub fn duration_text(lang: Lang, seconds: i64) -> String {
    let s = seconds.max(0);
    let (hours, minutes, seconds) = (s / 3600, s % 3600 / 60, s % 60);
    if hours > 0 && minutes == 0 {
        locale::tl!(lang, "board-duration-whole-hours", hours = hours.to_string())
    } else if hours > 0 {
        locale::tl!(lang, "board-duration-hours", hours = hours.to_string(), minutes = minutes.to_string())
    } else if minutes > 0 && seconds > 0 {
        locale::tl!(lang, "board-duration-minutes-seconds", minutes = minutes.to_string(), seconds = seconds.to_string())
    } else if minutes > 0 {
        locale::tl!(lang, "board-duration-minutes", minutes = minutes.to_string())
    } else {
        locale::tl!(lang, "board-duration-seconds", seconds = seconds.to_string())
    }
}

/// "67% (2 of 3)", "67 % (2 sur 3)"; none without a rating.
pub fn satisfaction_text(lang: Lang, r: Ratings) -> Option<String> {
    let percent = percent_good(r)?;
    Some(locale::tl!(lang, "board-satisfaction-figure", percent = percent.to_string(), good = r.good.to_string(), rated = r.rated.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn today_starts_at_midnight_in_the_companys_zone() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // 00:30 in Paris is still the day before in UTC.
        assert_eq!(start_of_day(at("2026-12-07T23:30:00Z"), paris), at("2026-12-07T23:00:00Z"));
        assert_eq!(start_of_day(at("2026-12-07T22:59:59Z"), paris), at("2026-12-06T23:00:00Z"));
        // Summer time: midnight is 22:00 UTC.
        assert_eq!(start_of_day(at("2026-07-01T12:00:00Z"), paris), at("2026-06-30T22:00:00Z"));
        assert_eq!(start_of_day(at("2026-12-07T10:00:00Z"), Tz::UTC), at("2026-12-07T00:00:00Z"));
        // Santiago moves its clocks from 00:00 to 01:00 on 6 September 2026: that day starts at 01:00.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        assert_eq!(start_of_day(at("2026-09-06T15:00:00Z"), santiago), at("2026-09-06T04:00:00Z"));
        let w = windows(at("2026-12-07T23:30:00Z"), paris);
        assert_eq!((w.last_hour, w.today, w.last_30_days), (at("2026-12-07T22:30:00Z"), at("2026-12-07T23:00:00Z"), at("2026-11-07T23:30:00Z")));
    }

    #[test]
    fn averages_are_rounded_once_to_whole_seconds() {
        let of = |count, total_us| average_seconds(Durations { count, total_us });
        assert_eq!(of(0, 0), None);
        assert_eq!(of(1, 44_499_999), Some(44));
        assert_eq!(of(1, 44_500_000), Some(45));
        // 10.4 s and 20.4 s average 15.4 s, though each alone rounds down.
        assert_eq!(of(2, 30_800_000), Some(15));
        assert_eq!(of(3, 1_000_000), Some(0));
        assert_eq!(of(2, 0), Some(0));
    }

    #[test]
    fn satisfaction_is_the_share_of_good_ratings() {
        let of = |good, rated| percent_good(Ratings { good, rated });
        assert_eq!(of(0, 0), None);
        assert_eq!(of(2, 3), Some(67));
        assert_eq!(of(1, 3), Some(33));
        assert_eq!(of(1, 8), Some(13)); // 12.5 rounds up
        assert_eq!(of(0, 4), Some(0));
        assert_eq!(of(5, 5), Some(100));
        assert_eq!(satisfaction_text(Lang::En, Ratings { good: 2, rated: 3 }).as_deref(), Some("67% (2 of 3)"));
        assert_eq!(satisfaction_text(Lang::Fr, Ratings { good: 2, rated: 3 }).as_deref(), Some("67\u{a0}% (2 sur 3)"));
        assert_eq!(satisfaction_text(Lang::Fr, Ratings::default()), None);
    }

    #[test]
    fn durations_read_as_people_say_them() {
        for (seconds, en, fr) in [
            (0, "0 s", "0 s"),
            (45, "45 s", "45 s"),
            (60, "1 min", "1 min"),
            (125, "2 min 5 s", "2 min 5 s"),
            (3599, "59 min 59 s", "59 min 59 s"),
            (3600, "1 h", "1 h"),
            (4830, "1 h 20 min", "1 h 20 min"),
            (-3, "0 s", "0 s"),
        ] {
            assert_eq!(duration_text(Lang::En, seconds), en);
            assert_eq!(duration_text(Lang::Fr, seconds), fr);
        }
    }
}
