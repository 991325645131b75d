//! Sites: creating and changing them, their widget, and which agents answer there.

use domain::company::{self, Company, Role};
use domain::site::{self, Priority, Site, Weights, WidgetSettings};
use domain::{CompanyId, Metadata, SiteId, UserId};
use rand::distributions::Alphanumeric;
use rand::Rng;
use store::{EventStore, Position};

use crate::{execute, load, Error, Outcome};

/// A fresh public widget key: `sbk_` and 24 letters or digits (about 143 bits).
pub fn new_widget_key() -> String {
    let random: String = rand::rngs::OsRng.sample_iter(&Alphanumeric).take(24).map(char::from).collect();
    format!("sbk_{random}")
}

#[derive(Clone)]
pub struct Sites<S> {
    store: S,
}

impl<S: EventStore> Sites<S> {
    pub fn new(store: S) -> Self {
        Sites { store }
    }

    pub async fn create(
        &self,
        company_id: CompanyId,
        name: &str,
        urls: Vec<String>,
        notes: &str,
        restrict_to_urls: bool,
        metadata: &Metadata,
    ) -> Result<(SiteId, Position), Error> {
        let site_id = SiteId::new();
        let command = site::Command::CreateSite {
            site_id,
            company_id,
            name: name.to_owned(),
            urls,
            notes: notes.to_owned(),
            widget_key: new_widget_key(),
            restrict_to_urls,
        };
        let outcome = execute::<Site, S>(&self.store, &site::stream(site_id), &command, metadata).await?;
        Ok((site_id, outcome.position.expect("creating a site appends")))
    }

    /// A change to one of `company_id`'s sites; another company's site is not found.
    pub async fn change(
        &self,
        company_id: CompanyId,
        site_id: SiteId,
        command: site::Command,
        metadata: &Metadata,
    ) -> Result<Outcome<site::Event>, Error> {
        let (state, _) = load::<Site, S>(&self.store, &site::stream(site_id)).await?;
        if state.company_id != Some(company_id) {
            return Err(Error::NotFound);
        }
        execute::<Site, S>(&self.store, &site::stream(site_id), &command, metadata).await
    }

    pub async fn rotate_key(&self, company_id: CompanyId, site_id: SiteId, metadata: &Metadata) -> Result<Outcome<site::Event>, Error> {
        self.change(company_id, site_id, site::Command::RotateWidgetKey { widget_key: new_widget_key() }, metadata).await
    }

    pub async fn settings(
        &self,
        company_id: CompanyId,
        site_id: SiteId,
        settings: WidgetSettings,
        metadata: &Metadata,
    ) -> Result<Outcome<site::Event>, Error> {
        self.change(company_id, site_id, site::Command::ChangeWidgetSettings { settings }, metadata).await
    }

    pub async fn weights(
        &self,
        company_id: CompanyId,
        site_id: SiteId,
        weights: Weights,
        metadata: &Metadata,
    ) -> Result<Outcome<site::Event>, Error> {
        self.change(company_id, site_id, site::Command::SetPriorityWeights { weights }, metadata).await
    }

    /// Puts a user of the company on the site at `priority` (or moves them). Whether they
    /// hold the Agent role is the company stream's word.
    pub async fn assign(
        &self,
        company_id: CompanyId,
        site_id: SiteId,
        user_id: UserId,
        priority: Priority,
        metadata: &Metadata,
    ) -> Result<Outcome<site::Event>, Error> {
        let (company, _) = load::<Company, S>(&self.store, &company::stream(company_id)).await?;
        let member = company.members.get(&user_id).ok_or(Error::NotFound)?;
        let is_agent = member.active && member.roles.contains(&Role::Agent);
        self.change(company_id, site_id, site::Command::AssignAgentToSite { user_id, priority, is_agent }, metadata).await
    }

    pub async fn unassign(
        &self,
        company_id: CompanyId,
        site_id: SiteId,
        user_id: UserId,
        metadata: &Metadata,
    ) -> Result<Outcome<site::Event>, Error> {
        self.change(company_id, site_id, site::Command::UnassignAgent { user_id }, metadata).await
    }

    pub async fn delete(&self, company_id: CompanyId, site_id: SiteId, metadata: &Metadata) -> Result<Outcome<site::Event>, Error> {
        self.change(company_id, site_id, site::Command::DeleteSite, metadata).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn widget_keys_are_long_random_and_url_safe() {
        let (a, b) = (super::new_widget_key(), super::new_widget_key());
        assert_ne!(a, b);
        assert_eq!(a.len(), 28);
        assert!(a.starts_with("sbk_") && a[4..].chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
