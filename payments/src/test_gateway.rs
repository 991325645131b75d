//! The built-in test gateway: charges nothing real. It knows Stripe's well-known test card
//! numbers and behaves as Stripe's test mode does with them; any other number is refused.
//! Numbers are checked (Luhn), as are the expiry and the security code's length.
//!
//! | card | behaves |
//! | --- | --- |
//! | 4242 4242 4242 4242 (Visa), 5555 5555 5555 4444 (Mastercard), 3782 822463 10005 (American Express) | succeeds |
//! | 4000 0000 0000 0002 | declined |
//! | 4000 0000 0000 9995 | insufficient funds |
//! | 4000 0000 0000 0069 | expired card |
//! | 4000 0000 0000 0127 | wrong security code |
//! | 4000 0000 0000 0341 | saved, then every charge is declined (a renewal that fails) |

use chrono::{Datelike, NaiveDate};
use deadpool_postgres::Pool;
use domain::subscription::{Card, DeclineReason, PaymentMethod};
use domain::CompanyId;
use rand::RngCore;

use crate::{CardField, Charge, Charged, GatewayError, PaymentGateway, SavedCard};

pub const NAME: &str = "test";

/// The test cards, for pages that list them.
pub const TEST_CARDS: &[(&str, &str)] = &[
    ("4242 4242 4242 4242", "succeeds"),
    ("4000 0000 0000 0002", "declined"),
    ("4000 0000 0000 9995", "insufficient funds"),
    ("4000 0000 0000 0069", "expired card"),
    ("4000 0000 0000 0127", "wrong security code"),
    ("4000 0000 0000 0341", "accepted, later charges declined"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Succeeds,
    RefusedWhenSaved(Refusal),
    ChargesDeclined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Declined,
    InsufficientFunds,
    Expired,
    IncorrectCvc,
}

impl Behaviour {
    fn of(number: &str) -> Option<Behaviour> {
        Some(match number {
            "4242424242424242" | "5555555555554444" | "378282246310005" => Behaviour::Succeeds,
            "4000000000000002" => Behaviour::RefusedWhenSaved(Refusal::Declined),
            "4000000000009995" => Behaviour::RefusedWhenSaved(Refusal::InsufficientFunds),
            "4000000000000069" => Behaviour::RefusedWhenSaved(Refusal::Expired),
            "4000000000000127" => Behaviour::RefusedWhenSaved(Refusal::IncorrectCvc),
            "4000000000000341" => Behaviour::ChargesDeclined,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Behaviour::Succeeds => "succeeds",
            Behaviour::RefusedWhenSaved(Refusal::Declined) => "declined",
            Behaviour::RefusedWhenSaved(Refusal::InsufficientFunds) => "insufficient_funds",
            Behaviour::RefusedWhenSaved(Refusal::Expired) => "expired",
            Behaviour::RefusedWhenSaved(Refusal::IncorrectCvc) => "incorrect_cvc",
            Behaviour::ChargesDeclined => "charges_declined",
        }
    }

    fn parse(s: &str) -> Behaviour {
        [
            Behaviour::Succeeds,
            Behaviour::RefusedWhenSaved(Refusal::Declined),
            Behaviour::RefusedWhenSaved(Refusal::InsufficientFunds),
            Behaviour::RefusedWhenSaved(Refusal::Expired),
            Behaviour::RefusedWhenSaved(Refusal::IncorrectCvc),
            Behaviour::ChargesDeclined,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
        // A row this version does not know: refuse rather than charge.
        .unwrap_or(Behaviour::RefusedWhenSaved(Refusal::Declined))
    }
}

impl Refusal {
    fn reason(self) -> DeclineReason {
        match self {
            Refusal::Declined => DeclineReason::Declined,
            Refusal::InsufficientFunds => DeclineReason::InsufficientFunds,
            Refusal::Expired => DeclineReason::Expired,
            Refusal::IncorrectCvc => DeclineReason::IncorrectSecurityCode,
        }
    }
}

/// A card as typed on the order form. Never logged: its `Debug` shows the last four digits.
pub struct TestCard {
    pub number: String,
    pub exp_month: u32,
    pub exp_year: i32,
    pub cvc: String,
}

impl std::fmt::Debug for TestCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = digits(&self.number);
        write!(f, "TestCard(…{})", &digits[digits.len().saturating_sub(4)..])
    }
}

fn digits(number: &str) -> String {
    number.chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

fn luhn(number: &str) -> bool {
    let mut sum = 0;
    for (i, c) in number.chars().rev().enumerate() {
        let Some(d) = c.to_digit(10) else { return false };
        sum += if i % 2 == 1 { [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][d as usize] } else { d };
    }
    number.len() >= 12 && sum % 10 == 0
}

fn brand(number: &str) -> &'static str {
    match number.as_bytes() {
        [b'4', ..] => "Visa",
        [b'3', b'4' | b'7', ..] => "American Express",
        [b'5', b'1'..=b'5', ..] | [b'2', ..] => "Mastercard",
        _ => "Card",
    }
}

/// Checks a test card as a card form would: number (Luhn), expiry against `today`, and the
/// security code (4 digits for American Express, 3 for the others).
pub fn check(card: &TestCard, today: NaiveDate) -> Result<(String, Card), DeclineReason> {
    let number = digits(&card.number);
    if !luhn(&number) {
        return Err(DeclineReason::IncorrectNumber);
    }
    let expired = !(1..=12).contains(&card.exp_month) || (card.exp_year, card.exp_month) < (today.year(), today.month());
    if expired {
        return Err(DeclineReason::Expired);
    }
    let brand = brand(&number);
    let cvc_len = if brand == "American Express" { 4 } else { 3 };
    if card.cvc.len() != cvc_len || !card.cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DeclineReason::IncorrectSecurityCode);
    }
    let last4 = number[number.len() - 4..].to_owned();
    Ok((number, Card { brand: brand.to_owned(), last4, exp_month: card.exp_month, exp_year: card.exp_year }))
}

pub struct TestGateway {
    pool: Pool,
}

impl TestGateway {
    pub fn new(pool: Pool) -> Self {
        TestGateway { pool }
    }

    /// Turns a test card into a token (what Stripe.js does for a real card), keeping only
    /// what may be shown of it and how it behaves.
    pub async fn tokenize(&self, card: &TestCard, today: NaiveDate) -> Result<String, GatewayError> {
        let (number, shown) = check(card, today).map_err(GatewayError::Declined)?;
        let Some(behaviour) = Behaviour::of(&number) else {
            return Err(GatewayError::Declined(DeclineReason::Declined));
        };
        let token = format!("tok_test_{}", random_hex());
        let client = self.pool.get().await.map_err(unavailable)?;
        client
            .execute(
                "INSERT INTO test_gateway_cards (token, brand, last4, exp_month, exp_year, behaviour) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&token, &shown.brand, &shown.last4, &(shown.exp_month as i32), &shown.exp_year, &behaviour.as_str()],
            )
            .await
            .map_err(unavailable)?;
        Ok(token)
    }

    async fn card(&self, token: &str) -> Result<(Card, Behaviour), GatewayError> {
        let client = self.pool.get().await.map_err(unavailable)?;
        let row = client
            .query_opt("SELECT brand, last4, exp_month, exp_year, behaviour FROM test_gateway_cards WHERE token = $1", &[&token])
            .await
            .map_err(unavailable)?
            .ok_or_else(|| GatewayError::Invalid(format!("`{token}` is not a card of the test gateway")))?;
        let card = Card { brand: row.get(0), last4: row.get(1), exp_month: row.get::<_, i32>(2) as u32, exp_year: row.get(3) };
        Ok((card, Behaviour::parse(row.get(4))))
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unavailable(e: impl std::fmt::Display) -> GatewayError {
    GatewayError::Unavailable(e.to_string())
}

impl PaymentGateway for TestGateway {
    fn name(&self) -> &'static str {
        NAME
    }

    fn card_field(&self) -> CardField {
        CardField::TestCards
    }

    async fn save_card(&self, company_id: CompanyId, _billing_email: &str, token: &str, customer: Option<&str>) -> Result<SavedCard, GatewayError> {
        let (card, behaviour) = self.card(token).await?;
        if let Behaviour::RefusedWhenSaved(refusal) = behaviour {
            return Err(GatewayError::Declined(refusal.reason()));
        }
        let customer = customer.map(str::to_owned).unwrap_or_else(|| format!("cus_test_{}", company_id.0.simple()));
        let client = self.pool.get().await.map_err(unavailable)?;
        client.execute("UPDATE test_gateway_cards SET customer = $2 WHERE token = $1", &[&token, &customer]).await.map_err(unavailable)?;
        Ok(SavedCard { method: PaymentMethod { gateway: NAME.into(), customer: Some(customer), id: token.to_owned() }, card })
    }

    async fn charge(&self, charge: &Charge<'_>) -> Result<Charged, GatewayError> {
        if charge.method.gateway != NAME {
            return Err(GatewayError::Invalid(format!(
                "a card saved by the {} gateway cannot be charged by the test gateway",
                charge.method.gateway
            )));
        }
        let (_, behaviour) = self.card(&charge.method.id).await?;
        match behaviour {
            Behaviour::Succeeds => {}
            Behaviour::ChargesDeclined => return Err(GatewayError::Declined(DeclineReason::Declined)),
            Behaviour::RefusedWhenSaved(r) => return Err(GatewayError::Declined(r.reason())),
        }
        let client = self.pool.get().await.map_err(unavailable)?;
        let payment_id = format!("pay_test_{}", random_hex());
        // The key decides: a second charge with it returns the first's payment.
        let row = client
            .query_opt(
                "WITH new AS (
                    INSERT INTO test_gateway_charges (idempotency_key, payment_id, token, company_id, amount_cents, currency)
                    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING payment_id)
                 SELECT payment_id FROM new UNION ALL SELECT payment_id FROM test_gateway_charges WHERE idempotency_key = $1 LIMIT 1",
                &[&charge.idempotency_key, &payment_id, &charge.method.id, &charge.company_id.0, &charge.amount_cents, &charge.currency],
            )
            .await
            .map_err(unavailable)?;
        let row = match row {
            Some(row) => row,
            // A concurrent charge with this key committed while this statement waited on it:
            // the statement's snapshot predates that row, so it saw neither; a new statement
            // (a new snapshot) does.
            None => client
                .query_one("SELECT payment_id FROM test_gateway_charges WHERE idempotency_key = $1", &[&charge.idempotency_key])
                .await
                .map_err(unavailable)?,
        };
        Ok(Charged { payment_id: row.get(0) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str, exp: (u32, i32), cvc: &str) -> TestCard {
        TestCard { number: number.into(), exp_month: exp.0, exp_year: exp.1, cvc: cvc.into() }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    #[test]
    fn a_test_card_is_checked_like_a_card_form_checks_it() {
        let (number, shown) = check(&card("4242 4242 4242 4242", (12, 2026), "123"), today()).unwrap();
        assert_eq!(number, "4242424242424242");
        assert_eq!(shown, Card { brand: "Visa".into(), last4: "4242".into(), exp_month: 12, exp_year: 2026 });
        assert_eq!(check(&card("4242 4242 4242 4241", (12, 2030), "123"), today()), Err(DeclineReason::IncorrectNumber));
        assert_eq!(check(&card("4242424242424242", (11, 2026), "123"), today()), Err(DeclineReason::Expired));
        assert_eq!(check(&card("4242424242424242", (13, 2030), "123"), today()), Err(DeclineReason::Expired));
        assert_eq!(check(&card("4242424242424242", (1, 2030), "12"), today()), Err(DeclineReason::IncorrectSecurityCode));
        assert_eq!(check(&card("378282246310005", (1, 2030), "123"), today()), Err(DeclineReason::IncorrectSecurityCode));
        assert_eq!(check(&card("378282246310005", (1, 2030), "1234"), today()).unwrap().1.brand, "American Express");
        assert_eq!(check(&card("5555555555554444", (1, 2030), "123"), today()).unwrap().1.brand, "Mastercard");
    }

    #[test]
    fn every_listed_test_card_has_a_behaviour_and_passes_the_checks() {
        for (number, _) in TEST_CARDS {
            let (digits, _) = check(&card(number, (1, 2030), "123"), today()).unwrap();
            assert!(Behaviour::of(&digits).is_some(), "{number}");
        }
        assert_eq!(Behaviour::of("4111111111111111"), None, "a card that is not a test card is refused");
        for b in ["succeeds", "declined", "insufficient_funds", "expired", "incorrect_cvc", "charges_declined"] {
            assert_eq!(Behaviour::parse(b).as_str(), b);
        }
    }

    #[test]
    fn a_test_card_never_shows_its_number_when_debugged() {
        assert_eq!(format!("{:?}", card("4242 4242 4242 4242", (1, 2030), "123")), "TestCard(…4242)");
    }
}
