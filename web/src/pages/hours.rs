//! The "Business hours" card of a site's page and its form: on or off, and each weekday
//! (Monday first) open or not, from and to, in the company's time zone.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use domain::business_hours::{day_name, BusinessHours, Opening, DAYS, MAX_OPENINGS_PER_DAY};
use domain::SiteId;
use maud::{html, Markup};

use super::layout::error_id;
use super::{Form, Path};
use crate::auth::{check_csrf, Admin};
use crate::error::AppError;
use crate::Web;
use app::auth::Session;
use locale::t;

/// What the card shows: as stored, or as typed when it was refused.
#[derive(Clone)]
pub struct HoursForm {
    enabled: bool,
    /// Per day, Monday first: ticked open, and its openings (from, to) as the inputs hold them.
    days: Vec<(bool, Vec<(String, String)>)>,
}

impl From<&BusinessHours> for HoursForm {
    fn from(hours: &BusinessHours) -> Self {
        let days = DAYS
            .iter()
            .map(|d| {
                let openings = hours.day(*d);
                // A time input cannot hold "24:00": midnight shows as 00:00, as the form reads it.
                let shown: Vec<(String, String)> =
                    openings.iter().map(|o| (o.from.clone(), if o.to == "24:00" { "00:00".into() } else { o.to.clone() })).collect();
                match shown.is_empty() {
                    true => (false, vec![("09:00".into(), "17:00".into())]),
                    false => (true, shown),
                }
            })
            .collect();
        HoursForm { enabled: hours.enabled, days }
    }
}

/// The n-th opening's input names of a day: `monday_from`, then `monday_from_2` …
fn names(day: &str, i: usize) -> (String, String) {
    match i {
        0 => (format!("{day}_from"), format!("{day}_to")),
        _ => (format!("{day}_from_{}", i + 1), format!("{day}_to_{}", i + 1)),
    }
}

impl HoursForm {
    fn from_fields(fields: &HashMap<String, String>) -> HoursForm {
        let value = |name: &str| fields.get(name).map(|v| v.trim().to_owned());
        let days = DAYS
            .iter()
            .map(|d| {
                let day = day_name(*d);
                let openings = (0..MAX_OPENINGS_PER_DAY)
                    .filter_map(|i| {
                        let (from, to) = names(day, i);
                        let (from, to) = (value(&from), value(&to));
                        // Later rows left blank are no openings; the first always counts.
                        (i == 0 || from.as_deref().is_some_and(|f| !f.is_empty()) || to.as_deref().is_some_and(|t| !t.is_empty()))
                            .then(|| (from.unwrap_or_default(), to.unwrap_or_default()))
                    })
                    .collect();
                (fields.contains_key(&format!("{day}_open")), openings)
            })
            .collect();
        HoursForm { enabled: fields.contains_key("enabled"), days }
    }

    fn hours(&self) -> BusinessHours {
        let mut hours = BusinessHours { enabled: self.enabled, ..Default::default() };
        for (d, (open, openings)) in DAYS.iter().zip(&self.days) {
            if *open {
                *hours.day_mut(*d) = openings.iter().map(|(from, to)| Opening::new(from, &app::hours::form_end(to))).collect();
            }
        }
        hours
    }
}

/// "Monday" at the start of a row ("lundi" becomes "Lundi").
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub fn card(session: &Session, site: SiteId, form: &HoursForm, now: &app::hours::Hours, message: Option<&str>, field: Option<&str>) -> Markup {
    let lang = locale::lang();
    let zone = session.company_time_zone().unwrap_or(locale::Tz::UTC);
    html! {
        form.card method="post" action={"/admin/sites/" (site) "/hours"} #site-hours {
            h2 { (t!("sites-hours")) }
            input type="hidden" name="csrf" value=(session.csrf);
            p.muted.small { (t!("sites-hours-help", zone = zone.name())) " " a href="/admin/company" { (t!("sites-hours-zone-link")) } }
            label.check { input type="checkbox" name="enabled" checked[form.enabled]; " " (t!("sites-hours-enabled")) }
            @if form.enabled {
                p #hours-now role="status" {
                    @match &now.back {
                        Some(back) if !now.open => (t!("sites-hours-now-closed", back = back.as_str())),
                        _ => (t!("sites-hours-now-open")),
                    }
                }
            }
            table.hours {
                thead { tr { th scope="col" { (t!("sites-hours-day")) } th scope="col" { (t!("sites-hours-open")) } th scope="col" { (t!("sites-hours-from")) } th scope="col" { (t!("sites-hours-to")) } } }
                tbody {
                    @for (d, (open, openings)) in DAYS.iter().zip(&form.days) {
                        @let day = day_name(*d);
                        @let label = app::hours::weekday(lang, *d);
                        tr {
                            th scope="row" { (capitalised(&label)) }
                            td {
                                input type="checkbox" id={(day) "_open"} name={(day) "_open"} checked[*open];
                                label.visually-hidden for={(day) "_open"} { (t!("sites-hours-open-on", day = label.as_str())) }
                            }
                            @for part in [0, 1] {
                                td {
                                    @for (i, opening) in openings.iter().enumerate() {
                                        @let (from, to) = names(day, i);
                                        @let (name, value) = if part == 0 { (from, &opening.0) } else { (to, &opening.1) };
                                        @let n = if openings.len() > 1 { (i + 1).to_string() } else { String::new() };
                                        @let text = if part == 0 { t!("sites-hours-from-on", day = label.as_str(), n = n) } else { t!("sites-hours-to-on", day = label.as_str(), n = n) };
                                        label.visually-hidden for=(name) { (text.trim()) }
                                        input type="time" id=(name) name=(name) value=(value) aria-invalid=(field == Some(name.as_str())) aria-describedby=[error_id(field, &name)];
                                    }
                                }
                            }
                        }
                        @if let Some(f) = field.filter(|f| f.starts_with(day)) {
                            tr { td colspan="4" { p.field-error role="alert" id={(f) "-error"} { (message.unwrap_or_default()) } } }
                        }
                    }
                }
            }
            p { button type="submit" { (t!("sites-save")) } }
        }
    }
}

pub async fn save(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<SiteId>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&session, fields.get("csrf").map(String::as_str).unwrap_or_default())?;
    let site = app::sites::load_live(&web, &session, id).await?;
    let form = HoursForm::from_fields(&fields);
    let result = app::hours::set(&web, &session, id, form.hours()).await;
    super::sites::respond_hours(&web, &session, jar, &site, result, &form).await
}
