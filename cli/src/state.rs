//! `switchboard state`: an aggregate as it was at an instant or a version, folded from its
//! stream through the domain's own `evolve` (time travel for audits and support).

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::company::{self, Company};
use domain::{agent, conversation, email, site, user, Decider, UserId};
use serde::Serialize;
use serde_json::{json, Value};
use store::{EventStore, PgEventStore, RecordedEvent};

use crate::inputs::{self, DayEnd};
use crate::{with_database, DataArgs};

#[derive(clap::Args)]
pub struct StateArgs {
    /// A stream name (`company-<id>`), or a category followed by an id (`company <id>`).
    stream: String,
    /// The id, when the first argument is a category.
    id: Option<String>,
    /// As it was at this time: the events recorded at or before it (RFC 3339, or YYYY-MM-DD:
    /// as that day ended, UTC).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// As it was after its first N events (versions 0 to N-1; 0 is before the first).
    #[arg(long, value_name = "N")]
    version: Option<String>,
    #[command(flatten)]
    data: DataArgs,
}

/// Where to stop folding.
#[derive(Clone, Copy)]
enum Cut {
    Now,
    At(DateTime<Utc>),
    First(u64),
}

/// The aggregates that have streams, by category.
const CATEGORIES: [&str; 6] = ["company", "user", "site", "agent", "conversation", "email"];

pub async fn state(args: StateArgs) -> Result<(), String> {
    let stream = match &args.id {
        Some(id) => format!("{}-{}", args.stream, id.trim()),
        None => args.stream.trim().to_owned(),
    };
    let category = stream.split_once('-').map_or(stream.as_str(), |(c, _)| c).to_owned();
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(format!("stream `{stream}`: no aggregate has the category `{category}` (expected one of {})", CATEGORIES.join(", ")));
    }
    let cut = match (&args.at, &args.version) {
        (Some(_), Some(_)) => return Err("give --at or --version, not both".into()),
        (Some(at), None) => Cut::At(inputs::time("--at", at, DayEnd::End)?),
        (None, Some(n)) => Cut::First(n.trim().parse().map_err(|_| format!("--version: `{n}` is not a number of events"))?),
        (None, None) => Cut::Now,
    };
    with_database(&args.data, |config| async move {
        let store = PgEventStore::new(store::db::pool(&config, 2), config);
        let result = as_of(&store, &stream, &category, cut).await;
        store.close();
        let output = result?;
        let text = serde_json::to_string_pretty(&output).map_err(|e| e.to_string())?;
        match writeln!(std::io::stdout(), "{text}") {
            // A reader that stopped early (`| head`) is not an error.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write to standard output: {e}")),
            _ => Ok(()),
        }
    })
    .await
}

async fn as_of(store: &PgEventStore, stream: &str, category: &str, cut: Cut) -> Result<Value, String> {
    let all = store.read_stream(stream, 0).await.map_err(|e| e.to_string())?;
    if all.is_empty() {
        return Err(format!("there is no stream `{stream}`"));
    }
    let events = cut_off(&all, cut).map_err(|e| format!("stream `{stream}` {e}"))?;
    let last = events.last();
    let mut output = json!({
        "stream": stream,
        "events": events.len(),
        "version": last.map(|e| e.version),
        "recorded_at": last.map(|e| e.recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true)),
    });
    output["state"] = match category {
        "company" => {
            let state = fold::<Company>(events)?;
            // Members' names as they were then: the instant asked, or the last event's.
            let instant = match cut {
                Cut::At(t) => Cut::At(t),
                _ => last.map_or(Cut::First(0), |e| Cut::At(e.recorded_at)),
            };
            output["members"] = members(store, &state, instant).await?;
            output["seats_in_use"] = json!(state.seats_in_use());
            to_json(&state)?
        }
        "user" => to_json(&fold::<user::User>(events)?)?,
        "site" => to_json(&fold::<site::Site>(events)?)?,
        "agent" => to_json(&fold::<agent::Agent>(events)?)?,
        "conversation" => to_json(&fold::<conversation::Conversation>(events)?)?,
        "email" => to_json(&fold::<email::Email>(events)?)?,
        other => return Err(format!("no aggregate has the category `{other}`")),
    };
    Ok(output)
}

/// The events before the cut, in version order.
fn cut_off(events: &[RecordedEvent], cut: Cut) -> Result<&[RecordedEvent], String> {
    Ok(match cut {
        Cut::Now => events,
        Cut::At(t) => &events[..events.iter().take_while(|e| e.recorded_at <= t).count()],
        Cut::First(n) => match usize::try_from(n).ok().filter(|n| *n <= events.len()) {
            Some(n) => &events[..n],
            None => return Err(format!("has {} events, not {n}", events.len())),
        },
    })
}

fn fold<D: Decider>(events: &[RecordedEvent]) -> Result<D::State, String> {
    let mut state = D::State::default();
    for recorded in events {
        let event = recorded.decode_as::<D::Event>().map_err(|e| e.to_string())?;
        state = D::evolve(state, &event);
    }
    Ok(state)
}

fn to_json(state: &impl Serialize) -> Result<Value, String> {
    serde_json::to_value(state).map_err(|e| e.to_string())
}

/// Each member's roles and whether active, with the e-mail and name their user stream had
/// at `instant`; by e-mail.
async fn members(store: &PgEventStore, state: &company::State, instant: Cut) -> Result<Value, String> {
    let mut members = Vec::new();
    for (user_id, member) in &state.members {
        let events = store.read_stream(&user::stream(*user_id), 0).await.map_err(|e| e.to_string())?;
        let account = fold::<user::User>(cut_off(&events, instant)?)?;
        let registration = account.registration.as_ref();
        members.push(json!({
            "user_id": UserId::to_string(user_id),
            "email": registration.map(|r| r.email.to_string()),
            "name": registration.map(|r| r.profile.full_name()),
            "roles": member.roles,
            "active": member.active,
        }));
    }
    members.sort_by(|a, b| a["email"].as_str().cmp(&b["email"].as_str()));
    Ok(Value::Array(members))
}
