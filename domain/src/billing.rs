//! The arithmetic of the offer: prices per seat, billing periods, proration, VAT and the
//! invoice lines an order will carry. Pure: today's date and the price table come in.
//!
//! Amounts are whole cents (`i64`) of one currency. A prorated amount is the full price of
//! the period times the days left over the days of the period, rounded half up to the cent.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// How often the subscription is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    Monthly,
    Annual,
}

impl Period {
    pub const ALL: [Period; 2] = [Period::Monthly, Period::Annual];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Monthly => "monthly",
            Period::Annual => "annual",
        }
    }

    /// The day the period that starts on `start` ends (and the next one starts). A month
    /// after 31 January is the last day of February; a year after 29 February is 28 February.
    pub fn end_of(self, start: NaiveDate) -> NaiveDate {
        let months = match self {
            Period::Monthly => Months::new(1),
            Period::Annual => Months::new(12),
        };
        start.checked_add_months(months).unwrap_or(NaiveDate::MAX)
    }
}

impl std::str::FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "monthly" | "month" => Ok(Period::Monthly),
            "annual" | "annually" | "yearly" | "year" => Ok(Period::Annual),
            other => Err(format!("unknown billing period \"{other}\" (expected monthly or annual)")),
        }
    }
}

/// The price list: what one seat costs for a month and for a year, and the VAT the seller
/// charges. Configuration, not history: every quote reads the list in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prices {
    pub currency: String,
    pub monthly_seat_cents: i64,
    pub annual_seat_cents: i64,
    /// VAT in hundredths of a percent (2000 = 20 %).
    pub vat_basis_points: i64,
    /// The seller's country (ISO 3166 alpha-2), which decides when VAT is reverse-charged.
    pub seller_country: String,
}

impl Default for Prices {
    /// EUR 25 a seat a month, or EUR 255 a year (EUR 21.25 a month, 15 % less), French VAT.
    fn default() -> Self {
        Prices { currency: "EUR".into(), monthly_seat_cents: 2500, annual_seat_cents: 25500, vat_basis_points: 2000, seller_country: "FR".into() }
    }
}

impl Prices {
    pub fn seat_price(&self, period: Period) -> i64 {
        match period {
            Period::Monthly => self.monthly_seat_cents,
            Period::Annual => self.annual_seat_cents,
        }
    }

    /// What a year of annual payment saves against twelve monthly payments, in percent.
    pub fn annual_saving_percent(&self) -> i64 {
        let twelve_months = 12 * self.monthly_seat_cents;
        if twelve_months <= 0 {
            return 0;
        }
        ((twelve_months - self.annual_seat_cents) * 100 + twelve_months / 2) / twelve_months
    }

    /// The VAT this buyer pays, and why when it is none.
    pub fn vat_for(&self, buyer: &BillingDetails) -> Vat {
        let country = buyer.country.as_str();
        if country == self.seller_country {
            return Vat::Charged { basis_points: self.vat_basis_points };
        }
        if !is_eu(country) {
            return Vat::OutsideScope;
        }
        if buyer.vat_number.is_some() {
            Vat::ReverseCharged
        } else {
            Vat::Charged { basis_points: self.vat_basis_points }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Vat {
    Charged {
        basis_points: i64,
    },
    /// A business in another EU country with a VAT number pays the VAT itself.
    ReverseCharged,
    /// Services to a buyer outside the EU carry no EU VAT.
    OutsideScope,
}

impl Vat {
    pub fn amount_on(self, net_cents: i64) -> i64 {
        match self {
            Vat::Charged { basis_points } => round_div(net_cents * basis_points, 10_000),
            Vat::ReverseCharged | Vat::OutsideScope => 0,
        }
    }
}

/// Who pays: what goes on the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDetails {
    pub name: String,
    pub company: String,
    pub address: String,
    /// ISO 3166 alpha-2, upper case.
    pub country: String,
    pub vat_number: Option<String>,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetailsError {
    #[error("the {0} is missing")]
    Missing(&'static str),
    #[error("`{0}` is not a country code (two letters, such as FR or DE)")]
    Country(String),
    #[error("`{0}` is not a VAT number of {1} (expected {2})")]
    VatNumber(String, String, &'static str),
    #[error("`{0}` is not an e-mail address")]
    Email(String),
}

impl BillingDetails {
    /// Trims every field, upper-cases the country and the VAT number (without spaces or dots)
    /// and checks the VAT number's format for the country's scheme.
    pub fn checked(self) -> Result<BillingDetails, DetailsError> {
        let name = required(self.name, "billing name")?;
        let company = required(self.company, "company")?;
        let address = required(self.address, "address")?;
        let country = self.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(DetailsError::Country(self.country.trim().to_owned()));
        }
        let email = self.email.trim().to_owned();
        if email.is_empty() {
            return Err(DetailsError::Missing("e-mail for invoices"));
        }
        if !email_address::EmailAddress::is_valid(&email) {
            return Err(DetailsError::Email(email));
        }
        let vat_number = match self.vat_number.as_deref().map(normalised_vat).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(check_vat_number(&v, &country)?),
        };
        Ok(BillingDetails { name, company, address, country, vat_number, email })
    }
}

fn required(value: String, what: &'static str) -> Result<String, DetailsError> {
    let v = value.trim();
    if v.is_empty() {
        Err(DetailsError::Missing(what))
    } else {
        Ok(v.to_owned())
    }
}

fn normalised_vat(v: &str) -> String {
    v.chars().filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-')).collect::<String>().to_ascii_uppercase()
}

const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO",
    "SE", "SI", "SK",
];

fn is_eu(country: &str) -> bool {
    EU.contains(&country)
}

/// The shape of the number after the prefix, per VIES scheme: `9` a digit, `A` a letter or
/// digit. Countries outside the table take 2 to 13 letters or digits.
fn vat_shapes(prefix: &str) -> &'static [&'static str] {
    match prefix {
        "AT" => &["U99999999"],
        "BE" => &["9999999999"],
        "DE" | "EE" | "PT" | "GR" | "EL" => &["999999999"],
        "DK" | "FI" | "HU" | "LU" | "MT" | "SI" => &["99999999"],
        "ES" => &["A9999999A"],
        "FR" => &["AA999999999"],
        "IT" | "HR" | "LV" => &["99999999999"],
        "NL" => &["999999999B99"],
        "PL" | "SK" => &["9999999999"],
        "SE" => &["999999999999"],
        "IE" => &["9A99999A", "9999999AA", "9999999A"],
        "CZ" => &["99999999", "999999999", "9999999999"],
        "LT" => &["999999999", "999999999999"],
        "BG" => &["999999999", "9999999999"],
        "RO" => &["99", "999", "9999", "99999", "999999", "9999999", "99999999", "999999999", "9999999999"],
        "CY" => &["99999999A"],
        _ => &[],
    }
}

fn matches_shape(body: &str, shape: &str) -> bool {
    body.len() == shape.len()
        && body.chars().zip(shape.chars()).all(|(c, s)| match s {
            '9' => c.is_ascii_digit(),
            'A' => c.is_ascii_alphanumeric(),
            literal => c == literal,
        })
}

fn check_vat_number(v: &str, country: &str) -> Result<String, DetailsError> {
    // Greece's VAT numbers start with EL, not GR.
    let prefix = if country == "GR" { "EL" } else { country };
    let shapes = vat_shapes(prefix);
    let expected =
        if shapes.is_empty() { "the country code, then 2 to 13 letters or digits" } else { "the country code, then the number of its VAT scheme" };
    let body = v.strip_prefix(prefix).ok_or_else(|| DetailsError::VatNumber(v.to_owned(), country.to_owned(), expected))?;
    let ok = if shapes.is_empty() {
        (2..=13).contains(&body.len()) && body.chars().all(|c| c.is_ascii_alphanumeric())
    } else {
        shapes.iter().any(|s| matches_shape(body, s))
    };
    if ok {
        Ok(v.to_owned())
    } else {
        Err(DetailsError::VatNumber(v.to_owned(), country.to_owned(), expected))
    }
}

/// `a / b` rounded half up, for non-negative `a` and positive `b`.
fn round_div(a: i64, b: i64) -> i64 {
    if a >= 0 {
        (a + b / 2) / b
    } else {
        -((-a + b / 2) / b)
    }
}

/// The part of a period's price for the days from `today` to the period's end.
pub fn prorated(full_cents: i64, start: NaiveDate, end: NaiveDate, today: NaiveDate) -> i64 {
    let total = (end - start).num_days();
    let left = (end - today).num_days().clamp(0, total);
    if total <= 0 {
        return 0;
    }
    round_div(full_cents * left, total)
}

/// One line of an order or an invoice. A credit is a negative amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub description: LineKind,
    pub seats: u32,
    pub period: Period,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub cents: i64,
}

/// What a line is for; pages word it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    /// Seats for a whole period.
    Seats,
    /// Seats added for the rest of the current period.
    AddedSeats,
    /// The part of the current monthly period that will not be used.
    UnusedTimeCredit,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_month_after_the_31st_ends_on_the_last_day_of_the_next_month() {
        assert_eq!(Period::Monthly.end_of(d(2027, 1, 31)), d(2027, 2, 28));
        assert_eq!(Period::Monthly.end_of(d(2028, 1, 31)), d(2028, 2, 29));
        assert_eq!(Period::Monthly.end_of(d(2027, 12, 15)), d(2028, 1, 15));
        assert_eq!(Period::Annual.end_of(d(2028, 2, 29)), d(2029, 2, 28));
        assert_eq!(Period::Annual.end_of(d(2027, 3, 1)), d(2028, 3, 1));
    }

    #[test]
    fn proration_counts_the_days_left_over_the_days_of_the_period() {
        // February 2027 has 28 days: 14 left of a EUR 25 seat is EUR 12.50.
        assert_eq!(prorated(2500, d(2027, 2, 1), d(2027, 3, 1), d(2027, 2, 15)), 1250);
        // In a leap year February has 29: 14 of 29 days of EUR 25 is 1206.896… → 1207.
        assert_eq!(prorated(2500, d(2028, 2, 1), d(2028, 3, 1), d(2028, 2, 16)), 1207);
        // A year across 29 February 2028 has 366 days.
        assert_eq!(prorated(36600, d(2027, 12, 1), d(2028, 12, 1), d(2028, 6, 1)), 18300);
        // Nothing left on the last day, the whole price on the first.
        assert_eq!(prorated(2500, d(2027, 2, 1), d(2027, 3, 1), d(2027, 3, 1)), 0);
        assert_eq!(prorated(2500, d(2027, 2, 1), d(2027, 3, 1), d(2027, 2, 1)), 2500);
    }

    #[test]
    fn annual_payment_saves_fifteen_percent_by_default() {
        assert_eq!(Prices::default().annual_saving_percent(), 15);
    }

    fn details(country: &str, vat: Option<&str>) -> BillingDetails {
        BillingDetails {
            name: " Ada Lovelace ".into(),
            company: "Acme".into(),
            address: "1 rue de la Paix, Paris".into(),
            country: country.into(),
            vat_number: vat.map(str::to_owned),
            email: "billing@acme.test".into(),
        }
    }

    #[test]
    fn billing_details_are_trimmed_and_vat_numbers_checked_per_country() {
        let ok = details("fr", Some("fr 40 303 265 045")).checked().unwrap();
        assert_eq!((ok.name.as_str(), ok.country.as_str(), ok.vat_number.as_deref()), ("Ada Lovelace", "FR", Some("FR40303265045")));
        assert_eq!(details("DE", Some("DE123456789")).checked().unwrap().vat_number.as_deref(), Some("DE123456789"));
        assert_eq!(details("GR", Some("EL123456789")).checked().unwrap().vat_number.as_deref(), Some("EL123456789"));
        assert_eq!(details("FR", Some("  ")).checked().unwrap().vat_number, None);
        assert!(matches!(details("FR", Some("DE123456789")).checked(), Err(DetailsError::VatNumber(..))));
        assert!(matches!(details("DE", Some("DE12345678")).checked(), Err(DetailsError::VatNumber(..))));
        assert!(matches!(details("France", None).checked(), Err(DetailsError::Country(_))));
        let mut no_mail = details("FR", None);
        no_mail.email = "nope".into();
        assert_eq!(no_mail.checked(), Err(DetailsError::Email("nope".into())));
        let mut no_name = details("FR", None);
        no_name.name = " ".into();
        assert_eq!(no_name.checked(), Err(DetailsError::Missing("billing name")));
    }

    #[test]
    fn vat_is_charged_at_home_and_to_consumers_reverse_charged_to_eu_businesses_and_not_outside() {
        let p = Prices::default();
        assert_eq!(p.vat_for(&details("FR", Some("FR40303265045"))), Vat::Charged { basis_points: 2000 });
        assert_eq!(p.vat_for(&details("DE", Some("DE123456789"))), Vat::ReverseCharged);
        assert_eq!(p.vat_for(&details("DE", None)), Vat::Charged { basis_points: 2000 });
        assert_eq!(p.vat_for(&details("US", None)), Vat::OutsideScope);
        assert_eq!(Vat::Charged { basis_points: 2000 }.amount_on(1207), 241);
        assert_eq!(Vat::ReverseCharged.amount_on(1207), 0);
    }
}
