//! What a running Switchboard is told by its environment.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use commands::mailer::Transport;
use domain::billing::Prices;
use domain::subscription::Seller;

pub struct Settings {
    /// Mark cookies Secure (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Where users reach this server, for links in e-mails and the widget snippet.
    pub public_url: String,
    pub mail: Arc<Transport>,
    /// How long a disconnected agent keeps their conversations before they are requeued.
    pub agent_grace: Duration,
    pub billing: Billing,
    /// Stripe's keys; without them, the built-in test gateway takes payments.
    pub stripe: Option<payments::StripeConfig>,
    /// Database connections of this process, at most (SWITCHBOARD_DB_POOL, default 32).
    pub db_pool: usize,
    /// How long a request waits for a database connection before it is refused as
    /// retryable (SWITCHBOARD_DB_WAIT_MS, default 5000).
    pub db_wait: Duration,
    /// The time business hours are judged at.
    pub clock: WallClock,
}

/// The system's time, shifted in tests so that they stand just before an opening time
/// instead of waiting for one. Clones share the shift.
#[derive(Debug, Clone, Default)]
pub struct WallClock {
    shift_ms: Arc<std::sync::atomic::AtomicI64>,
}

impl WallClock {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::milliseconds(self.shift_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// From now on the clock reads `at`, and runs on from there. (Timers already waiting
    /// keep their deadline: set it before the moments that matter are computed.)
    pub fn set(&self, at: chrono::DateTime<chrono::Utc>) {
        let shift = (at - chrono::Utc::now()).num_milliseconds();
        self.shift_ms.store(shift, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The database pool's settings, checked.
pub fn db_pool_from_env(var: impl Fn(&str) -> Option<String>) -> Result<(usize, Duration), String> {
    let number = |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| -> Result<u64, String> {
        match var(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| format!("{name}: `{v}` is not a whole number from {} to {}", range.start(), range.end())),
        }
    };
    Ok((number("SWITCHBOARD_DB_POOL", 32, 2..=1000)? as usize, Duration::from_millis(number("SWITCHBOARD_DB_WAIT_MS", 5000, 100..=600_000)?)))
}

/// Prices, the seller on invoices, and the clock billing reads.
#[derive(Debug, Clone, Default)]
pub struct Billing {
    pub prices: Prices,
    pub seller: Seller,
    pub clock: Clock,
}

/// Billing's notion of today (UTC). `Fixed` lets tests and demonstrations stand on any day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(NaiveDate),
}

impl Clock {
    pub fn today(self) -> NaiveDate {
        match self {
            Clock::System => chrono::Utc::now().date_naive(),
            Clock::Fixed(d) => d,
        }
    }
}

impl Billing {
    /// SWITCHBOARD_CURRENCY (EUR), SWITCHBOARD_SEAT_PRICE_MONTHLY (25.00) and
    /// SWITCHBOARD_SEAT_PRICE_ANNUAL (255.00, 15 % less than twelve months),
    /// SWITCHBOARD_VAT_PERCENT (20), SWITCHBOARD_SELLER_NAME, _ADDRESS, _COUNTRY (FR) and
    /// _VAT_NUMBER, SWITCHBOARD_TODAY (YYYY-MM-DD: billing's clock stands still on that day).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Billing, String> {
        let mut b = Billing::default();
        if let Some(c) = var("SWITCHBOARD_CURRENCY") {
            let c = c.trim().to_ascii_uppercase();
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!("SWITCHBOARD_CURRENCY `{c}` is not a currency code (such as EUR)"));
            }
            b.prices.currency = c;
        }
        if let Some(v) = var("SWITCHBOARD_SEAT_PRICE_MONTHLY") {
            b.prices.monthly_seat_cents = cents("SWITCHBOARD_SEAT_PRICE_MONTHLY", &v)?;
        }
        if let Some(v) = var("SWITCHBOARD_SEAT_PRICE_ANNUAL") {
            b.prices.annual_seat_cents = cents("SWITCHBOARD_SEAT_PRICE_ANNUAL", &v)?;
        }
        if let Some(v) = var("SWITCHBOARD_VAT_PERCENT") {
            b.prices.vat_basis_points = cents("SWITCHBOARD_VAT_PERCENT", &v)?;
        }
        if let Some(v) = var("SWITCHBOARD_SELLER_NAME") {
            b.seller.name = v.trim().to_owned();
        }
        if let Some(v) = var("SWITCHBOARD_SELLER_ADDRESS") {
            b.seller.address = v.trim().to_owned();
        }
        if let Some(v) = var("SWITCHBOARD_SELLER_COUNTRY") {
            b.seller.country = v.trim().to_ascii_uppercase();
            b.prices.seller_country = b.seller.country.clone();
        }
        if let Some(v) = var("SWITCHBOARD_SELLER_VAT_NUMBER") {
            b.seller.vat_number = v.trim().to_owned();
        }
        if let Some(v) = var("SWITCHBOARD_TODAY") {
            let day = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .map_err(|_| format!("SWITCHBOARD_TODAY `{}` is not a date (YYYY-MM-DD)", v.trim()))?;
            b.clock = Clock::Fixed(day);
        }
        Ok(b)
    }
}

/// "25", "25.5" or "25.50" as 2550 hundredths; nothing negative, at most two decimals.
fn cents(name: &str, value: &str) -> Result<i64, String> {
    let v = value.trim();
    let bad = || format!("{name} `{v}` is not an amount (such as 25 or 25.50)");
    let (units, fraction) = v.split_once('.').unwrap_or((v, ""));
    if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let units: i64 = units.parse().map_err(|_| bad())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    units.checked_mul(100).and_then(|u| u.checked_add(fraction)).ok_or_else(bad)
}

impl Settings {
    /// From the environment: SWITCHBOARD_SECURE_COOKIES, SWITCHBOARD_PUBLIC_URL (default:
    /// the listening address), SWITCHBOARD_AGENT_GRACE_SECONDS (default 60),
    /// SWITCHBOARD_SMTP_URL and SWITCHBOARD_MAIL_FROM.
    pub fn from_env(listen: SocketAddr, data_dir: &Path) -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let (db_pool, db_wait) = db_pool_from_env(var)?;
        Ok(Settings {
            secure_cookies: var("SWITCHBOARD_SECURE_COOKIES").is_some_and(|v| v == "1" || v == "true"),
            public_url: var("SWITCHBOARD_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}")),
            mail: Arc::new(Transport::from_env(data_dir).map_err(|e| e.to_string())?),
            agent_grace: Duration::from_secs(var("SWITCHBOARD_AGENT_GRACE_SECONDS").and_then(|v| v.trim().parse().ok()).unwrap_or(60)),
            billing: Billing::from_env(var)?,
            stripe: payments::StripeConfig::from_lookup(var)?,
            db_pool,
            db_wait,
            clock: WallClock::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_size_and_wait_come_from_the_environment_within_bounds() {
        assert_eq!(db_pool_from_env(|_| None).unwrap(), (32, Duration::from_secs(5)));
        let set = |pool: &'static str, wait: &'static str| {
            db_pool_from_env(move |n| match n {
                "SWITCHBOARD_DB_POOL" => Some(pool.to_owned()),
                "SWITCHBOARD_DB_WAIT_MS" => Some(wait.to_owned()),
                _ => None,
            })
        };
        assert_eq!(set("8", "250").unwrap(), (8, Duration::from_millis(250)));
        assert!(set("1", "250").unwrap_err().contains("SWITCHBOARD_DB_POOL: `1` is not a whole number from 2 to 1000"));
        assert!(set("8", "soon").unwrap_err().contains("SWITCHBOARD_DB_WAIT_MS"));
    }

    #[test]
    fn billing_settings_come_from_the_environment_with_documented_defaults() {
        let none = Billing::from_env(|_| None).unwrap();
        assert_eq!((none.prices.monthly_seat_cents, none.prices.annual_seat_cents, none.clock), (2500, 25500, Clock::System));
        let vars = [
            ("SWITCHBOARD_SEAT_PRICE_MONTHLY", "30"),
            ("SWITCHBOARD_SEAT_PRICE_ANNUAL", "300.5"),
            ("SWITCHBOARD_TODAY", "2028-02-29"),
            ("SWITCHBOARD_SELLER_COUNTRY", "de"),
        ];
        let lookup = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
        let b = Billing::from_env(lookup).unwrap();
        assert_eq!((b.prices.monthly_seat_cents, b.prices.annual_seat_cents), (3000, 30050));
        assert_eq!((b.prices.seller_country.as_str(), b.seller.country.as_str()), ("DE", "DE"));
        assert_eq!(b.clock.today(), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        let bad = |name: &'static str, value: &'static str| Billing::from_env(move |n| (n == name).then(|| value.to_owned())).unwrap_err();
        assert!(bad("SWITCHBOARD_SEAT_PRICE_MONTHLY", "25,00").contains("not an amount"));
        assert!(bad("SWITCHBOARD_SEAT_PRICE_MONTHLY", "-1").contains("not an amount"));
        assert!(bad("SWITCHBOARD_SEAT_PRICE_ANNUAL", "1.234").contains("not an amount"));
        assert!(bad("SWITCHBOARD_TODAY", "tomorrow").contains("not a date"));
        assert!(bad("SWITCHBOARD_CURRENCY", "euro").contains("not a currency"));
    }
}
