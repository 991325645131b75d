//! A site (a "hotline"): a website where the chat widget runs, its public widget key, the
//! widget's settings, and which agents answer there at what priority.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::business_hours::BusinessHours;
use crate::codec::EventPayload;
use crate::ids::{CompanyId, SiteId, UserId};
use crate::Decider;

pub fn stream(id: SiteId) -> String {
    format!("{}-{id}", Event::CATEGORY)
}

/// The id of the site whose stream this is.
pub fn id_from_stream(stream: &str) -> Result<SiteId, crate::ids::StreamNameError> {
    crate::ids::id_in_stream(Event::CATEGORY, stream)
}

pub const NAME_MAX_LEN: usize = 100;
pub const NOTES_MAX_LEN: usize = 2000;
pub const MAX_URLS: usize = 20;
pub const TEXT_MAX_LEN: usize = 500;

/// How strongly routing favours an agent of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    High,
    Normal,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Normal, Priority::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }
}

impl std::str::FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "high" => Ok(Priority::High),
            "normal" => Ok(Priority::Normal),
            "low" => Ok(Priority::Low),
            other => Err(format!("unknown priority \"{other}\" (expected high, normal or low)")),
        }
    }
}

/// Relative shares of new chats: a High agent with a free slot is offered `high / (sum of
/// the candidates' weights)` of them, never all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    pub high: u8,
    pub normal: u8,
    pub low: u8,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { high: 3, normal: 2, low: 1 }
    }
}

impl Weights {
    pub fn of(&self, p: Priority) -> u8 {
        match p {
            Priority::High => self.high,
            Priority::Normal => self.normal,
            Priority::Low => self.low,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    BottomRight,
    BottomLeft,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Fr,
}

impl Language {
    /// The product's language of that name: the catalogue a widget's words come from.
    pub fn lang(self) -> locale::Lang {
        match self {
            Language::En => locale::Lang::En,
            Language::Fr => locale::Lang::Fr,
        }
    }
}

impl From<locale::Lang> for Language {
    fn from(lang: locale::Lang) -> Self {
        match lang {
            locale::Lang::En => Language::En,
            locale::Lang::Fr => Language::Fr,
        }
    }
}

/// What visitors see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetSettings {
    /// `#rrggbb`.
    pub colour: String,
    pub greeting: String,
    pub position: Position,
    pub language: Language,
    /// Shown above the "leave a message" form when no agent is online.
    pub offline_text: String,
    /// The widget asks for a name and an e-mail address (and maybe a first question)
    /// before a chat starts. Off by default; absent from settings stored before it existed.
    #[serde(default)]
    pub prechat_form: bool,
}

impl Default for WidgetSettings {
    fn default() -> Self {
        WidgetSettings {
            colour: "#2457d6".into(),
            greeting: "Hello! How can we help you today?".into(),
            position: Position::BottomRight,
            language: Language::En,
            offline_text: "We are not online right now. Leave us a message and we will answer by e-mail.".into(),
            prechat_form: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    SiteCreated {
        site_id: SiteId,
        company_id: CompanyId,
        name: String,
        urls: Vec<String>,
        notes: String,
        widget_key: String,
        restrict_to_urls: bool,
    },
    SiteChanged {
        name: String,
        urls: Vec<String>,
        notes: String,
        restrict_to_urls: bool,
    },
    WidgetKeyRotated {
        widget_key: String,
    },
    WidgetSettingsChanged {
        settings: WidgetSettings,
    },
    PriorityWeightsChanged {
        weights: Weights,
    },
    BusinessHoursSet {
        hours: BusinessHours,
    },
    /// Agents accept a new chat within `seconds` before it counts as theirs; `None`: off,
    /// chats are theirs at once.
    AcceptTimeoutSet {
        seconds: Option<u16>,
    },
    AgentAssigned {
        user_id: UserId,
        priority: Priority,
    },
    AgentPriorityChanged {
        user_id: UserId,
        priority: Priority,
    },
    AgentUnassigned {
        user_id: UserId,
    },
    SiteDeleted {},
}

impl EventPayload for Event {
    const CATEGORY: &'static str = "site";
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    CreateSite {
        site_id: SiteId,
        company_id: CompanyId,
        name: String,
        urls: Vec<String>,
        notes: String,
        widget_key: String,
        restrict_to_urls: bool,
    },
    ChangeSite {
        name: String,
        urls: Vec<String>,
        notes: String,
        restrict_to_urls: bool,
    },
    RotateWidgetKey {
        widget_key: String,
    },
    ChangeWidgetSettings {
        settings: WidgetSettings,
    },
    SetPriorityWeights {
        weights: Weights,
    },
    SetBusinessHours {
        hours: BusinessHours,
    },
    /// `None` turns "accept before it counts" off.
    SetAcceptTimeout {
        seconds: Option<u16>,
    },
    /// `is_agent`: the user is an active member with the Agent role, as the company stream says.
    AssignAgentToSite {
        user_id: UserId,
        priority: Priority,
        is_agent: bool,
    },
    UnassignAgent {
        user_id: UserId,
    },
    DeleteSite,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("this site does not exist")]
    NotFound,
    #[error("this site exists already")]
    AlreadyExists,
    #[error("this site has been deleted")]
    Deleted,
    #[error("the site needs a name")]
    NameMissing,
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("give at least one URL of the site")]
    NoUrl,
    #[error("give at most {MAX_URLS} URLs")]
    TooManyUrls,
    #[error("\"{url}\" is not a web address: give a host such as www.example.fr, optionally with https:// and a path")]
    BadUrl { url: String },
    #[error("the colour must look like #1a2b3c, not \"{value}\"")]
    BadColour { value: String },
    #[error("priority weights must be between 1 and 100")]
    BadWeight,
    #[error("only users with the Agent role can be assigned to a site")]
    NotAnAgent,
    #[error("\"{value}\" is not a time of day (such as 09:00)")]
    BadTime { field: &'static str, value: String },
    #[error("an opening must end after it starts")]
    EndBeforeStart { field: &'static str },
    #[error("the openings of a day must not overlap")]
    OpeningsOverlap { field: &'static str },
    #[error("give at most {} openings a day", crate::business_hours::MAX_OPENINGS_PER_DAY)]
    TooManyOpenings { field: &'static str },
    #[error("the time to accept a chat must be from {} to {} seconds", ACCEPT_SECONDS.start(), ACCEPT_SECONDS.end())]
    BadAcceptTimeout,
}

/// How long a new chat may ring for an agent, when the site asks agents to accept.
pub const ACCEPT_SECONDS: std::ops::RangeInclusive<u16> = 10..=120;

impl Error {
    /// The input field a validation error is about.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::NameMissing => Some("name"),
            Error::TooLong { field, .. } => Some(field),
            Error::NoUrl | Error::TooManyUrls | Error::BadUrl { .. } => Some("urls"),
            Error::BadColour { .. } => Some("colour"),
            Error::BadWeight => Some("weights"),
            Error::BadAcceptTimeout => Some("accept_seconds"),
            Error::BadTime { field, .. } | Error::EndBeforeStart { field } | Error::OpeningsOverlap { field } | Error::TooManyOpenings { field } => {
                Some(field)
            }
            _ => None,
        }
    }
}

/// Trims, lower-cases the scheme and host, drops a trailing slash; refuses what is not an
/// http(s) address with a host. A bare host (`www.example.fr`, `example.fr/shop`) means
/// `https://`. Paths are kept: a site may live under one.
pub fn normalise_url(url: &str) -> Result<String, Error> {
    let bad = || Error::BadUrl { url: url.trim().to_owned() };
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.to_lowercase(), rest),
        None => ("https".to_owned(), url),
    };
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let (host, path) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = host.to_lowercase();
    if !valid_host(&host) || path.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == '"') {
        return Err(bad());
    }
    Ok(format!("{scheme}://{host}{}", path.trim_end_matches('/')))
}

/// A DNS name (`www.example.fr`, `localhost`) or an IP address, with an optional port.
fn valid_host(host: &str) -> bool {
    let (name, port) = match host.find(']') {
        Some(end) => host.split_at(end + 1),
        None => host.find(':').map_or((host, ""), |i| host.split_at(i)),
    };
    if !port.is_empty() {
        let digits = &port[1..];
        if !port.starts_with(':') || digits.is_empty() || digits.len() > 5 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    if let Some(ip) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return ip.parse::<std::net::Ipv6Addr>().is_ok();
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return true;
    }
    let labels: Vec<&str> = name.trim_end_matches('.').split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    name.len() <= 253 && labels.iter().all(label_ok) && (labels.len() > 1 || name == "localhost")
}

/// The origin (`scheme://host[:port]`) of a normalised URL.
pub fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split(['/', '?', '#']).next().unwrap_or("")),
        None => url.to_owned(),
    }
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), Error> {
    if value.chars().count() > max {
        Err(Error::TooLong { field, max })
    } else {
        Ok(())
    }
}

fn validated_site(name: &str, urls: &[String], notes: &str) -> Result<(String, Vec<String>, String), Error> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::NameMissing);
    }
    check_text("name", name, NAME_MAX_LEN)?;
    check_text("notes", notes, NOTES_MAX_LEN)?;
    let mut clean: Vec<String> = Vec::new();
    for url in urls.iter().filter(|u| !u.trim().is_empty()) {
        let url = normalise_url(url)?;
        if !clean.contains(&url) {
            clean.push(url);
        }
    }
    if clean.is_empty() {
        return Err(Error::NoUrl);
    }
    if clean.len() > MAX_URLS {
        return Err(Error::TooManyUrls);
    }
    Ok((name.to_owned(), clean, notes.trim().to_owned()))
}

pub fn validated_settings(s: &WidgetSettings) -> Result<WidgetSettings, Error> {
    let colour = s.colour.trim().to_lowercase();
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()));
    if hex.is_none() {
        return Err(Error::BadColour { value: s.colour.clone() });
    }
    check_text("greeting", &s.greeting, TEXT_MAX_LEN)?;
    check_text("offline_text", &s.offline_text, TEXT_MAX_LEN)?;
    Ok(WidgetSettings { colour, greeting: s.greeting.trim().to_owned(), offline_text: s.offline_text.trim().to_owned(), ..s.clone() })
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    pub company_id: Option<CompanyId>,
    pub name: String,
    pub urls: Vec<String>,
    pub notes: String,
    pub widget_key: String,
    pub restrict_to_urls: bool,
    pub settings: WidgetSettings,
    pub weights: Weights,
    pub hours: BusinessHours,
    pub accept_seconds: Option<u16>,
    pub agents: BTreeMap<UserId, Priority>,
    pub deleted: bool,
}

pub struct Site;

impl Decider for Site {
    type State = State;
    type Command = Command;
    type Event = Event;
    type Error = Error;

    fn decide(state: &State, command: &Command) -> Result<Vec<Event>, Error> {
        if let Command::CreateSite { site_id, company_id, name, urls, notes, widget_key, restrict_to_urls } = command {
            if state.company_id.is_some() {
                return Err(Error::AlreadyExists);
            }
            let (name, urls, notes) = validated_site(name, urls, notes)?;
            return Ok(vec![Event::SiteCreated {
                site_id: *site_id,
                company_id: *company_id,
                name,
                urls,
                notes,
                widget_key: widget_key.clone(),
                restrict_to_urls: *restrict_to_urls,
            }]);
        }
        if state.company_id.is_none() {
            return Err(Error::NotFound);
        }
        if state.deleted {
            return Err(Error::Deleted);
        }
        Ok(match command {
            Command::CreateSite { .. } => unreachable!("handled above"),
            Command::ChangeSite { name, urls, notes, restrict_to_urls } => {
                let (name, urls, notes) = validated_site(name, urls, notes)?;
                if (&name, &urls, &notes, *restrict_to_urls) == (&state.name, &state.urls, &state.notes, state.restrict_to_urls) {
                    vec![]
                } else {
                    vec![Event::SiteChanged { name, urls, notes, restrict_to_urls: *restrict_to_urls }]
                }
            }
            Command::RotateWidgetKey { widget_key } => vec![Event::WidgetKeyRotated { widget_key: widget_key.clone() }],
            Command::ChangeWidgetSettings { settings } => {
                let settings = validated_settings(settings)?;
                if settings == state.settings {
                    vec![]
                } else {
                    vec![Event::WidgetSettingsChanged { settings }]
                }
            }
            Command::SetPriorityWeights { weights } => {
                if [weights.high, weights.normal, weights.low].iter().any(|w| !(1..=100).contains(w)) {
                    return Err(Error::BadWeight);
                }
                if *weights == state.weights {
                    vec![]
                } else {
                    vec![Event::PriorityWeightsChanged { weights: *weights }]
                }
            }
            Command::SetBusinessHours { hours } => {
                let hours = hours.validated()?;
                if hours == state.hours {
                    vec![]
                } else {
                    vec![Event::BusinessHoursSet { hours }]
                }
            }
            Command::SetAcceptTimeout { seconds } => {
                if seconds.is_some_and(|s| !ACCEPT_SECONDS.contains(&s)) {
                    return Err(Error::BadAcceptTimeout);
                }
                if *seconds == state.accept_seconds {
                    vec![]
                } else {
                    vec![Event::AcceptTimeoutSet { seconds: *seconds }]
                }
            }
            Command::AssignAgentToSite { user_id, priority, is_agent } => match state.agents.get(user_id) {
                Some(current) if current == priority => vec![],
                // Moving an assignment kept for a user who lost the role is allowed; new ones are not.
                Some(_) => vec![Event::AgentPriorityChanged { user_id: *user_id, priority: *priority }],
                None if !is_agent => return Err(Error::NotAnAgent),
                None => vec![Event::AgentAssigned { user_id: *user_id, priority: *priority }],
            },
            Command::UnassignAgent { user_id } => {
                if state.agents.contains_key(user_id) {
                    vec![Event::AgentUnassigned { user_id: *user_id }]
                } else {
                    vec![]
                }
            }
            Command::DeleteSite => vec![Event::SiteDeleted {}],
        })
    }

    fn evolve(mut state: State, event: &Event) -> State {
        match event {
            Event::SiteCreated { company_id, name, urls, notes, widget_key, restrict_to_urls, .. } => {
                state.company_id = Some(*company_id);
                state.name = name.clone();
                state.urls = urls.clone();
                state.notes = notes.clone();
                state.widget_key = widget_key.clone();
                state.restrict_to_urls = *restrict_to_urls;
            }
            Event::SiteChanged { name, urls, notes, restrict_to_urls } => {
                state.name = name.clone();
                state.urls = urls.clone();
                state.notes = notes.clone();
                state.restrict_to_urls = *restrict_to_urls;
            }
            Event::WidgetKeyRotated { widget_key } => state.widget_key = widget_key.clone(),
            Event::WidgetSettingsChanged { settings } => state.settings = settings.clone(),
            Event::PriorityWeightsChanged { weights } => state.weights = *weights,
            Event::BusinessHoursSet { hours } => state.hours = hours.clone(),
            Event::AcceptTimeoutSet { seconds } => state.accept_seconds = *seconds,
            Event::AgentAssigned { user_id, priority } | Event::AgentPriorityChanged { user_id, priority } => {
                state.agents.insert(*user_id, *priority);
            }
            Event::AgentUnassigned { user_id } => {
                state.agents.remove(user_id);
            }
            Event::SiteDeleted {} => state.deleted = true,
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn created() -> (SiteId, Event) {
        let id = SiteId::new();
        (
            id,
            Event::SiteCreated {
                site_id: id,
                company_id: CompanyId::new(),
                name: "Shop".into(),
                urls: vec!["https://shop.example.com".into()],
                notes: "".into(),
                widget_key: "sbk_first".into(),
                restrict_to_urls: false,
            },
        )
    }

    fn create(name: &str, urls: &[&str]) -> Command {
        Command::CreateSite {
            site_id: SiteId::new(),
            company_id: CompanyId::new(),
            name: name.into(),
            urls: urls.iter().map(|u| u.to_string()).collect(),
            notes: " for the spring sale ".into(),
            widget_key: "sbk_k".into(),
            restrict_to_urls: true,
        }
    }

    #[test]
    fn a_site_is_created_with_clean_urls() {
        given::<Site>([])
            .when(create(" Shop ", &["HTTPS://Shop.Example.com/", "", "https://shop.example.com", "http://shop.example.com/fr/"]))
            .then_matches(|e| {
                matches!(e, [Event::SiteCreated { name, urls, notes, restrict_to_urls: true, .. }]
                if name == "Shop" && notes == "for the spring sale"
                && *urls == vec!["https://shop.example.com".to_string(), "http://shop.example.com/fr".to_string()])
            });
    }

    #[test]
    fn a_bare_host_or_a_host_with_a_path_is_stored_as_an_https_address() {
        given::<Site>([])
            .when(create("Shop", &["www.Example.fr", "example.fr/boutique/", "HTTP://WWW.EXAMPLE.FR/", "localhost:8080", "192.168.1.10"]))
            .then_matches(|e| {
                matches!(e, [Event::SiteCreated { urls, .. }] if *urls == vec![
                    "https://www.example.fr".to_string(),
                    "https://example.fr/boutique".to_string(),
                    "http://www.example.fr".to_string(),
                    "https://localhost:8080".to_string(),
                    "https://192.168.1.10".to_string(),
                ])
            });
        assert_eq!(normalise_url(" www.example.fr/ "), Ok("https://www.example.fr".to_string()));
        assert_eq!(normalise_url("https://[::1]:8443/x"), Ok("https://[::1]:8443/x".to_string()));
    }

    #[test]
    fn bad_sites_are_refused_naming_the_field() {
        given::<Site>([]).when(create(" ", &["https://a.example"])).then_error(Error::NameMissing);
        given::<Site>([]).when(create("Shop", &[])).then_error(Error::NoUrl);
        given::<Site>([]).when(create("Shop", &["not a site"])).then_error(Error::BadUrl { url: "not a site".into() });
        given::<Site>([]).when(create("Shop", &["ftp://shop.example.com"])).then_error(Error::BadUrl { url: "ftp://shop.example.com".into() });
        given::<Site>([]).when(create("Shop", &["https://"])).then_error(Error::BadUrl { url: "https://".into() });
        given::<Site>([]).when(create("Shop", &["shop"])).then_error(Error::BadUrl { url: "shop".into() });
        given::<Site>([]).when(create("Shop", &["shop..example.com"])).then_error(Error::BadUrl { url: "shop..example.com".into() });
        given::<Site>([]).when(create("Shop", &["shop.example.com:http"])).then_error(Error::BadUrl { url: "shop.example.com:http".into() });
        given::<Site>([]).when(create("Shop", &["javascript:alert(1)"])).then_error(Error::BadUrl { url: "javascript:alert(1)".into() });
        given::<Site>([]).when(create("Shop", &["https://user@evil.example"])).then_error(Error::BadUrl { url: "https://user@evil.example".into() });
        assert_eq!(Error::BadUrl { url: "x".into() }.field(), Some("urls"));
        let many: Vec<String> = (0..21).map(|i| format!("https://s{i}.example")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        given::<Site>([]).when(create("Shop", &many)).then_error(Error::TooManyUrls);
    }

    #[test]
    fn only_agents_are_assigned_but_a_kept_assignment_can_still_move() {
        let (_, site) = created();
        let ada = UserId::new();
        given::<Site>([site.clone()])
            .when(Command::AssignAgentToSite { user_id: ada, priority: Priority::High, is_agent: false })
            .then_error(Error::NotAnAgent);
        given::<Site>([site.clone()])
            .when(Command::AssignAgentToSite { user_id: ada, priority: Priority::High, is_agent: true })
            .then([Event::AgentAssigned { user_id: ada, priority: Priority::High }]);
        let assigned = [site, Event::AgentAssigned { user_id: ada, priority: Priority::High }];
        given::<Site>(assigned.clone()).when(Command::AssignAgentToSite { user_id: ada, priority: Priority::High, is_agent: true }).then([]);
        given::<Site>(assigned.clone())
            .when(Command::AssignAgentToSite { user_id: ada, priority: Priority::Low, is_agent: false })
            .then([Event::AgentPriorityChanged { user_id: ada, priority: Priority::Low }]);
        given::<Site>(assigned.clone()).when(Command::UnassignAgent { user_id: ada }).then([Event::AgentUnassigned { user_id: ada }]);
        given::<Site>(assigned).when(Command::UnassignAgent { user_id: UserId::new() }).then([]);
    }

    #[test]
    fn settings_stored_before_the_pre_chat_form_existed_read_with_it_off() {
        let stored = r##"{"colour":"#2457d6","greeting":"Hi","position":"bottom-right","language":"fr","offline_text":"Later"}"##;
        let settings: WidgetSettings = serde_json::from_str(stored).unwrap();
        assert!(!settings.prechat_form && !WidgetSettings::default().prechat_form);
        assert_eq!(settings.language, Language::Fr);
    }

    #[test]
    fn widget_settings_and_weights_are_validated() {
        let (_, site) = created();
        let settings = WidgetSettings { colour: "#ABCDEF".into(), language: Language::Fr, position: Position::BottomLeft, ..Default::default() };
        given::<Site>([site.clone()])
            .when(Command::ChangeWidgetSettings { settings: settings.clone() })
            .then([Event::WidgetSettingsChanged { settings: WidgetSettings { colour: "#abcdef".into(), ..settings } }]);
        given::<Site>([site.clone()])
            .when(Command::ChangeWidgetSettings { settings: WidgetSettings { colour: "red".into(), ..Default::default() } })
            .then_error(Error::BadColour { value: "red".into() });
        given::<Site>([site.clone()])
            .when(Command::ChangeWidgetSettings { settings: WidgetSettings { greeting: "x".repeat(501), ..Default::default() } })
            .then_error(Error::TooLong { field: "greeting", max: 500 });
        given::<Site>([site.clone()])
            .when(Command::SetPriorityWeights { weights: Weights { high: 0, normal: 2, low: 1 } })
            .then_error(Error::BadWeight);
        given::<Site>([site.clone()]).when(Command::SetPriorityWeights { weights: Weights::default() }).then([]);
        given::<Site>([site])
            .when(Command::SetPriorityWeights { weights: Weights { high: 10, normal: 3, low: 1 } })
            .then([Event::PriorityWeightsChanged { weights: Weights { high: 10, normal: 3, low: 1 } }]);
    }

    #[test]
    fn business_hours_are_set_checked_and_kept_once() {
        use crate::business_hours::Opening;
        let (_, site) = created();
        let hours = BusinessHours { enabled: true, monday: vec![Opening::new("9:00", "17:00")], ..Default::default() };
        let clean = BusinessHours { monday: vec![Opening::new("09:00", "17:00")], ..hours.clone() };
        given::<Site>([site.clone()])
            .when(Command::SetBusinessHours { hours: hours.clone() })
            .then([Event::BusinessHoursSet { hours: clean.clone() }]);
        given::<Site>([site.clone(), Event::BusinessHoursSet { hours: clean.clone() }]).when(Command::SetBusinessHours { hours }).then([]);
        // A new site is always open: setting "off" again changes nothing.
        given::<Site>([site.clone()]).when(Command::SetBusinessHours { hours: BusinessHours::default() }).then([]);
        let backwards = BusinessHours { friday: vec![Opening::new("17:00", "09:00")], ..clean.clone() };
        given::<Site>([site.clone()]).when(Command::SetBusinessHours { hours: backwards }).then_error(Error::EndBeforeStart { field: "friday_to" });
        let late = BusinessHours { sunday: vec![Opening::new("25:00", "26:00")], ..clean };
        given::<Site>([site.clone()])
            .when(Command::SetBusinessHours { hours: late })
            .then_error(Error::BadTime { field: "sunday_from", value: "25:00".into() });
        given::<Site>([site, Event::SiteDeleted {}]).when(Command::SetBusinessHours { hours: BusinessHours::default() }).then_error(Error::Deleted);
    }

    #[test]
    fn a_deleted_site_changes_no_more() {
        let (_, site) = created();
        given::<Site>([site.clone()]).when(Command::DeleteSite).then([Event::SiteDeleted {}]);
        given::<Site>([site, Event::SiteDeleted {}]).when(Command::RotateWidgetKey { widget_key: "k".into() }).then_error(Error::Deleted);
        given::<Site>([]).when(Command::DeleteSite).then_error(Error::NotFound);
    }

    #[test]
    fn origins_come_from_urls() {
        assert_eq!(origin_of("https://shop.example.com/fr"), "https://shop.example.com");
        assert_eq!(origin_of("http://localhost:8080"), "http://localhost:8080");
        assert_eq!(normalise_url("http://LOCALHOST:8080/").unwrap(), "http://localhost:8080");
    }

    #[test]
    fn accept_before_it_counts_is_off_by_default_and_rings_ten_to_one_hundred_and_twenty_seconds() {
        let site = Event::SiteCreated {
            site_id: SiteId::new(),
            company_id: CompanyId::new(),
            name: "Shop".into(),
            urls: vec!["https://shop.example.com".into()],
            notes: String::new(),
            widget_key: "k".into(),
            restrict_to_urls: false,
        };
        assert_eq!(Site::evolve(State::default(), &site).accept_seconds, None);
        given::<Site>([site.clone()]).when(Command::SetAcceptTimeout { seconds: Some(30) }).then([Event::AcceptTimeoutSet { seconds: Some(30) }]);
        given::<Site>([site.clone(), Event::AcceptTimeoutSet { seconds: Some(30) }]).when(Command::SetAcceptTimeout { seconds: Some(30) }).then([]);
        given::<Site>([site.clone(), Event::AcceptTimeoutSet { seconds: Some(30) }])
            .when(Command::SetAcceptTimeout { seconds: None })
            .then([Event::AcceptTimeoutSet { seconds: None }]);
        given::<Site>([site.clone()]).when(Command::SetAcceptTimeout { seconds: None }).then([]);
        for bad in [0, 9, 121] {
            given::<Site>([site.clone()]).when(Command::SetAcceptTimeout { seconds: Some(bad) }).then_error(Error::BadAcceptTimeout);
        }
        given::<Site>([site.clone()]).when(Command::SetAcceptTimeout { seconds: Some(10) }).then_matches(|e| e.len() == 1);
        given::<Site>([site.clone()]).when(Command::SetAcceptTimeout { seconds: Some(120) }).then_matches(|e| e.len() == 1);
        given::<Site>([site, Event::SiteDeleted {}]).when(Command::SetAcceptTimeout { seconds: Some(30) }).then_error(Error::Deleted);
    }
}
