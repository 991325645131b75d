//! What operators (the people running Switchboard for many companies) do from the command
//! line: list companies with their seats and offer, set seats without a payment, run the
//! renewals now.

use chrono::NaiveDate;
use domain::company;
use domain::{Actor, CompanyId, Metadata};
use projections::Registered;
use uuid::Uuid;

use crate::{serve, with_database, DataArgs};

pub(crate) async fn app(config: &tokio_postgres::Config, data: &DataArgs) -> Result<app::App, String> {
    let settings = app::Settings::from_env(serve::DEFAULT_LISTEN, &data.data_dir)?;
    let app = app::App::new(config, settings);
    app.catch_up(Registered::Licences).await.map_err(|e| e.to_string())?;
    Ok(app)
}

pub async fn list_companies(data: DataArgs) -> Result<(), String> {
    with_database(&data.clone(), |config| async move {
        let app = app(&config, &data).await?;
        let companies = app::billing::all_companies(&app).await.map_err(|e| e.to_string())?;
        println!("{:<36}  {:<28}  {:>5}  {:>6}  {:<8}  {:<10}  state", "company", "name", "seats", "in use", "payment", "renews on");
        for c in &companies {
            let l = &c.licence;
            let state = match l.past_due_since {
                Some(since) => format!("past due since {since}"),
                None => "ok".into(),
            };
            let renews = c.renews_on.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
            let period = c.billing_period.clone().unwrap_or_else(|| "none".into());
            println!(
                "{:<36}  {:<28}  {:>5}  {:>6}  {:<8}  {:<10}  {state}",
                l.company_id.0,
                truncate(&l.name, 28),
                l.seats,
                l.seats_in_use,
                period,
                renews
            );
        }
        println!("{} companies", companies.len());
        Ok(())
    })
    .await
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

pub async fn set_seats(company: Uuid, seats: u32, data: DataArgs) -> Result<(), String> {
    with_database(&data.clone(), |config| async move {
        let app = app(&config, &data).await?;
        let metadata = Metadata::new(Some(CompanyId(company)), Actor::System("cli".into()));
        app::billing::set_seats(&app, CompanyId(company), seats, &metadata).await.map_err(|e| match e {
            app::Error::Command(commands::Error::Company(company::Error::NotRegistered)) => format!("there is no company {company}"),
            e => e.to_string(),
        })?;
        println!("Company {company} now has {seats} seats (set by an operator, nothing charged).");
        Ok(())
    })
    .await
}

pub async fn renew(today: Option<NaiveDate>, data: DataArgs) -> Result<(), String> {
    with_database(&data.clone(), |config| async move {
        let app = app(&config, &data).await?;
        let today = today.unwrap_or_else(|| app.today());
        let report = app::billing::renew_due(&app, today).await.map_err(|e| e.to_string())?;
        for r in &report {
            match r {
                app::billing::Renewed::Paid { company_id, invoice } => println!("{}: renewed, invoice {invoice}", company_id.0),
                app::billing::Renewed::Refused { company_id, reason } => {
                    println!("{}: card refused ({}), past due, retried tomorrow", company_id.0, reason.code())
                }
                app::billing::Renewed::Failed { company_id, error } => println!("{}: not renewed: {error}", company_id.0),
            }
        }
        println!("{} renewals due on {today}", report.len());
        Ok(())
    })
    .await
}
