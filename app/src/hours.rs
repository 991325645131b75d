//! Business hours as visitors meet them (open now or not in the company's time zone, and
//! the sentence saying when the team is back), and administrators setting them.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};
use domain::business_hours::{day_name, BusinessHours};
use domain::SiteId;
use locale::{Lang, Tz};
use projections::sites::SiteHours;
use serde::Serialize;

use crate::auth::Session;
use crate::{App, Result};

/// What widgets are told of a site's hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hours {
    /// Within business hours (always, when the site has none): chats may start.
    pub open: bool,
    /// When closed and opening again: "We are back on Monday at 09:00", in the site's
    /// language, the time in the company's time zone.
    pub back: Option<String>,
    pub next_open: Option<DateTime<Utc>>,
    /// The company's time zone, which `back` reads in.
    pub time_zone: String,
    /// When this should be worked out again: an opening, a closing, or the midnight that
    /// turns "tomorrow" into "today".
    #[serde(skip)]
    pub next_change: Option<DateTime<Utc>>,
}

impl Default for Hours {
    fn default() -> Self {
        Hours { open: true, back: None, next_open: None, time_zone: "UTC".into(), next_change: None }
    }
}

/// The company's zone; UTC until it chooses one.
pub fn zone(name: Option<&str>) -> Tz {
    name.and_then(locale::time_zone).unwrap_or(Tz::UTC)
}

/// A day's name in `lang`: "Monday", "lundi".
pub fn weekday(lang: Lang, day: Weekday) -> String {
    locale::text(lang, &format!("weekday-{}", day_name(day)), &[])
}

/// The hours of a site at `now`, its "back" sentence in `lang` (visitors read the site's).
pub fn judge(site: &SiteHours, now: DateTime<Utc>, lang: Option<Lang>) -> Hours {
    let tz = zone(site.time_zone.as_deref());
    let lang = lang.unwrap_or(site.language.lang());
    let status = site.hours.status(tz, now);
    let mut hours =
        Hours { open: status.open, next_open: status.next_open, time_zone: tz.name().to_owned(), next_change: status.next_change, back: None };
    if let (false, Some(at)) = (status.open, status.next_open) {
        let (today, then) = (now.with_timezone(&tz).date_naive(), at.with_timezone(&tz));
        let time = then.format("%H:%M").to_string();
        hours.back = Some(match (then.date_naive() - today).num_days() {
            0 => locale::tl!(lang, "widget-back-today", time = time),
            1 => locale::tl!(lang, "widget-back-tomorrow", time = time),
            _ => locale::tl!(lang, "widget-back-on", day = weekday(lang, then.weekday()), time = time),
        });
        // "Tomorrow" becomes "today" at midnight: look again then.
        let midnight =
            tz.from_local_datetime(&(today + Duration::days(1)).and_time(chrono::NaiveTime::MIN)).earliest().map(|t| t.with_timezone(&Utc));
        hours.next_change = [hours.next_change, midnight.filter(|m| *m > now)].into_iter().flatten().min();
    }
    hours
}

/// A site's hours now, by the server's clock, as its visitors read them.
pub async fn of_site(app: &App, site: SiteId) -> Result<Hours> {
    read(app, site, None).await
}

/// A site's hours now, as the current reader (an administrator) reads them.
pub async fn for_reader(app: &App, site: SiteId) -> Result<Hours> {
    read(app, site, Some(locale::lang())).await
}

async fn read(app: &App, site: SiteId, lang: Option<Lang>) -> Result<Hours> {
    let client = app.pool().get().await?;
    let found = projections::sites::hours(&**client, site).await?;
    Ok(found.map(|s| judge(&s, app.settings.clock.now(), lang)).unwrap_or_default())
}

/// An administrator sets a site's hours.
pub async fn set(app: &App, session: &Session, site_id: SiteId, hours: BusinessHours) -> Result<()> {
    let command = domain::site::Command::SetBusinessHours { hours };
    let outcome = app.sites.change(session.company_id(), site_id, command, &session.metadata()).await?;
    for projection in [projections::Registered::Sites, projections::Registered::Audit] {
        app.read_your_writes(projection, outcome.position).await?;
    }
    Ok(())
}

/// "09:00" as the form's time inputs send it; an end of "00:00" means midnight, since a
/// time input cannot say "24:00".
pub fn form_end(to: &str) -> String {
    if to.trim() == "00:00" {
        "24:00".into()
    } else {
        to.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::business_hours::Opening;

    fn site(lang: domain::site::Language) -> SiteHours {
        let day = vec![Opening::new("09:00", "17:00")];
        let hours = BusinessHours { enabled: true, monday: day.clone(), tuesday: day, ..Default::default() };
        SiteHours { hours, time_zone: Some("Europe/Paris".into()), language: lang }
    }

    #[test]
    fn the_team_is_back_today_tomorrow_or_on_a_day_in_the_sites_language() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Monday 2 March 2026, 07:00 in Paris.
        let early = judge(&site(domain::site::Language::En), at("2026-03-02T06:00:00Z"), None);
        assert_eq!((early.open, early.back.as_deref()), (false, Some("We are back today at 09:00")));
        assert_eq!((early.next_change, early.time_zone.as_str()), (Some(at("2026-03-02T08:00:00Z")), "Europe/Paris"));
        // Monday 20:00: back tomorrow, looked at again at midnight.
        let evening = judge(&site(domain::site::Language::Fr), at("2026-03-02T19:00:00Z"), None);
        assert_eq!(evening.back.as_deref(), Some("Nous serons de retour demain à 09:00"));
        assert_eq!(evening.next_change, Some(at("2026-03-02T23:00:00Z")));
        let wednesday = judge(&site(domain::site::Language::Fr), at("2026-03-04T12:00:00Z"), None);
        assert_eq!(wednesday.back.as_deref(), Some("Nous serons de retour lundi à 09:00"));
        let open = judge(&site(domain::site::Language::En), at("2026-03-03T09:00:00Z"), None);
        assert_eq!((open.open, open.back), (true, None));
        // An administrator reads the French site's sentence in their own language.
        let read = judge(&site(domain::site::Language::Fr), at("2026-03-04T12:00:00Z"), Some(Lang::En));
        assert_eq!(read.back.as_deref(), Some("We are back on Monday at 09:00"));
    }
}
