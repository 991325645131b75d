//! The supervisor board's figures: average waiting and first-response times per site over
//! the last hour and today (midnight in the company's zone), the share of good ratings per
//! site and per agent today and over 30 days. Real chats give figures equal to what their
//! events' times say, windows move with the server's clock, another company sees none of
//! them, a rebuilt read model equals the live one, and the board shows them in English and
//! in French, on a phone too.

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use domain::company::Role;
use domain::conversation::{self, Decision, Rating, Sender};
use domain::site::Priority;
use domain::{Actor, CompanyId, ConversationId, Metadata, SiteId, UserId, VisitorId};
use projections::Registered;
use serde_json::{json, Value};
use store::{EventStore, ExpectedVersion, NewEvent};
use testkit::browser::Browser;
use testkit::chat::{console, says, visitor, PASSWORD};
use testkit::ws::{session_cookie, Ws};
use testkit::{TestDb, TestServer};

/// A fresh board frame for `email` (a supervisor) once the figures have caught up.
async fn board(server: &TestServer, email: &str) -> Value {
    server.caught_up_with(&[Registered::BoardFigures]).await;
    let base = server.url("");
    let cookie = session_cookie(&base, email, PASSWORD).await;
    let mut ws = Ws::connect(&format!("{base}/supervisor/ws"), Some(&base), Some(&cookie)).await.unwrap();
    ws.send(json!({ "type": "hello" })).await;
    ws.until_type("board").await
}

fn site_of(board: &Value, site: SiteId) -> &Value {
    let sites = board["figures"]["sites"].as_array().unwrap_or_else(|| panic!("no figures: {board}"));
    sites.iter().find(|s| s["site_id"] == json!(site)).unwrap_or_else(|| panic!("site {site:?} not on the board: {board}"))
}

fn agent_of(board: &Value, agent: UserId) -> Option<&Value> {
    board["figures"]["agents"].as_array().unwrap().iter().find(|a| a["user_id"] == json!(agent))
}

/// The id of the first conversation an agent's console is given that is not in `known`: in a
/// `conversation` frame, or in the `state` that going online sends.
async fn given(ws: &mut Ws, known: &[&str]) -> String {
    let new = |c: &Value| c["id"].as_str().filter(|id| !known.contains(id)).map(str::to_owned);
    let frame = ws
        .until("a new conversation", |f| match f["type"].as_str() {
            Some("conversation") => new(f).is_some(),
            Some("state") => f["conversations"].as_array().is_some_and(|cs| cs.iter().any(|c| new(c).is_some())),
            _ => false,
        })
        .await;
    match frame["type"].as_str() {
        Some("conversation") => new(&frame).unwrap(),
        _ => frame["conversations"].as_array().unwrap().iter().find_map(new).unwrap(),
    }
}

/// What the log says of one conversation: each wait (its end and length in µs), its first
/// answer (its time and length) and its rating (time, good or not, the agent who held it).
#[derive(Debug, Default)]
struct Measured {
    site: String,
    waits: Vec<(DateTime<Utc>, i64)>,
    response: Option<(DateTime<Utc>, i64)>,
    rating: Option<(DateTime<Utc>, bool, Option<String>)>,
}

/// Where the reading of one conversation's events stands.
#[derive(Default)]
struct Reading {
    queued: Option<DateTime<Utc>>,
    visitor_at: Option<DateTime<Utc>>,
    started: Option<DateTime<Utc>>,
    /// Who holds it, last assigned.
    agent: Option<String>,
}

/// Worked out from the events table alone, independently of the projection.
async fn measured(db: &TestDb, company: CompanyId) -> Vec<Measured> {
    let client = db.client().await;
    let rows = client
        .query(
            "SELECT stream, event_type, occurred_at, payload FROM events WHERE company_id = $1 AND stream LIKE 'conversation-%' ORDER BY stream, version",
            &[&company.0],
        )
        .await
        .unwrap();
    let mut by_stream: Vec<(String, Measured, Reading)> = Vec::new();
    for row in rows {
        let (stream, kind, at, payload): (String, String, DateTime<Utc>, Value) = (row.get(0), row.get(1), row.get(2), row.get(3));
        if by_stream.last().is_none_or(|(s, _, _)| *s != stream) {
            by_stream.push((stream.clone(), Measured::default(), Reading::default()));
        }
        let (_, m, r) = by_stream.last_mut().unwrap();
        match kind.as_str() {
            "ConversationStarted" => {
                (r.queued, r.started) = (Some(at), Some(at));
                m.site = payload["site_id"].as_str().unwrap().to_owned();
            }
            "ConversationRequeued" => r.queued = Some(at),
            "ConversationAssigned" => {
                if let Some(q) = r.queued.take() {
                    m.waits.push((at, (at - q).num_microseconds().unwrap()));
                }
                r.agent = payload["agent_id"].as_str().map(str::to_owned);
            }
            "MessagePosted" if payload["from"]["kind"] == "visitor" => r.visitor_at = r.visitor_at.or(Some(at)),
            "MessagePosted" if payload["from"]["kind"] == "agent" && m.response.is_none() => {
                let from = r.visitor_at.or(r.started).unwrap();
                m.response = Some((at, (at - from).num_microseconds().unwrap()));
            }
            "ConversationRated" => m.rating = Some((at, payload["rating"].as_str().unwrap().eq_ignore_ascii_case("good"), r.agent.clone())),
            _ => {}
        }
    }
    by_stream.into_iter().map(|(_, m, _)| m).collect()
}

/// The average the board should show of the lengths ending in `[from, now]` on `site`:
/// `(count, whole seconds rounded half up)`.
fn expected_average(lengths: &[(String, DateTime<Utc>, i64)], site: SiteId, from: DateTime<Utc>, now: DateTime<Utc>) -> Value {
    let chosen: Vec<i64> = lengths.iter().filter(|(s, at, _)| *s == site.0.to_string() && *at >= from && *at <= now).map(|(_, _, us)| *us).collect();
    let count = chosen.len() as i64;
    let seconds = (count > 0).then(|| (chosen.iter().sum::<i64>() + count * 500_000) / (count * 1_000_000));
    json!([count, seconds])
}

fn average(figure: &Value) -> Value {
    json!([figure["count"], figure["seconds"]])
}

/// `(good, rated)` of the ratings given in `[from, now]` that `pick` keeps.
fn expected_ratings(all: &[Measured], from: DateTime<Utc>, now: DateTime<Utc>, pick: impl Fn(&Measured, &Option<String>) -> bool) -> Value {
    let given: Vec<bool> =
        all.iter().filter_map(|m| m.rating.as_ref().filter(|(at, _, agent)| *at >= from && *at <= now && pick(m, agent)).map(|r| r.1)).collect();
    json!([given.iter().filter(|g| **g).count(), given.len()])
}

fn ratings(figure: &Value) -> Value {
    json!([figure["good"], figure["rated"]])
}

/// Every figure of the frame against what the log says, at the frame's own windows.
fn check_against_the_log(frame: &Value, all: &[Measured], sites: &[SiteId], agents: &[UserId]) {
    let f = &frame["figures"];
    let at = |key: &str| f[key].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    let (now, hour, today, month) = (at("as_of"), at("last_hour_from"), at("today_from"), at("last_30_days_from"));
    let waits: Vec<(String, DateTime<Utc>, i64)> = all.iter().flat_map(|m| m.waits.iter().map(|(t, us)| (m.site.clone(), *t, *us))).collect();
    let responses: Vec<(String, DateTime<Utc>, i64)> = all.iter().filter_map(|m| m.response.map(|(t, us)| (m.site.clone(), t, us))).collect();
    for &site in sites {
        let s = site_of(frame, site);
        assert_eq!(average(&s["waiting"]["last_hour"]), expected_average(&waits, site, hour, now), "waits, last hour: {s}");
        assert_eq!(average(&s["waiting"]["today"]), expected_average(&waits, site, today, now), "waits, today: {s}");
        assert_eq!(average(&s["first_response"]["last_hour"]), expected_average(&responses, site, hour, now), "first answers, last hour: {s}");
        assert_eq!(average(&s["first_response"]["today"]), expected_average(&responses, site, today, now), "first answers, today: {s}");
        let on_site = |m: &Measured, _: &Option<String>| m.site == site.0.to_string();
        assert_eq!(ratings(&s["satisfaction"]["today"]), expected_ratings(all, today, now, on_site), "ratings today: {s}");
        assert_eq!(ratings(&s["satisfaction"]["last_30_days"]), expected_ratings(all, month, now, on_site), "ratings, 30 days: {s}");
    }
    for &agent in agents {
        let by = |_: &Measured, held: &Option<String>| held.as_deref() == Some(agent.0.to_string().as_str());
        let expected = (expected_ratings(all, today, now, by), expected_ratings(all, month, now, by));
        match agent_of(frame, agent) {
            Some(a) => assert_eq!((ratings(&a["satisfaction"]["today"]), ratings(&a["satisfaction"]["last_30_days"])), expected, "{a}"),
            None => assert_eq!(expected.1, json!([0, 0]), "agent {agent:?} rated in 30 days is missing: {frame}"),
        }
    }
}

/// A zone a whole number of hours from UTC where it is now between noon and 1 pm, so that
/// an hour or two later is still today there and thirteen hours later is tomorrow.
fn zone_at_noon() -> (String, i64) {
    let ahead = 12 - Utc::now().hour() as i64;
    // POSIX signs: Etc/GMT-5 is five hours ahead of UTC.
    let zone = match ahead {
        0 => "UTC".to_owned(),
        1.. => format!("Etc/GMT-{ahead}"),
        _ => format!("Etc/GMT+{}", -ahead),
    };
    (zone, ahead)
}

#[tokio::test]
async fn real_chats_give_the_figures_their_events_say_per_site_and_agent_and_the_windows_follow_the_clock() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 6).await;
    let admin = server.session_of(chat.company, chat.admin).await;
    let (zone, ahead) = zone_at_noon();
    app::preferences::set_company_defaults(&server.app, &admin, "en", &zone).await.unwrap();
    let (blog, blog_key) = server.site(&chat, "Blog", vec!["https://blog.acme.test".into()], false).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let bob = server.agent(&chat, "bob@acme.test", 3, Priority::Normal).await;
    app::sites::place(&server.app, &admin, blog, bob, Some(Priority::Normal)).await.unwrap();
    server.user(chat.company, "sue@acme.test", PASSWORD, &[Role::Supervisor]).await;
    server.settle().await;

    // Before any chat: every site, nothing measured.
    let empty = board(&server, "sue@acme.test").await;
    assert_eq!(empty["figures"]["time_zone"], zone.as_str());
    for site in [chat.site, blog] {
        let s = site_of(&empty, site);
        assert_eq!((&s["waiting"]["today"]["count"], &s["waiting"]["today"]["text"]), (&json!(0), &Value::Null), "{s}");
        assert_eq!((&s["satisfaction"]["last_30_days"]["rated"], &s["satisfaction"]["last_30_days"]["percent"]), (&json!(0), &Value::Null));
    }

    let (mut ann_ws, _) = console(&base, "ann@acme.test").await;
    let answer = |id: &str, text: &str| json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": text });
    let close = |id: &str| json!({ "type": "close", "conversation_id": id });

    // A: Zoe writes while nobody is online, and waits until Ann comes online.
    let (mut zoe, _) = visitor(&base, &chat.key, None, 0).await;
    zoe.send(says("Is anyone there?").1).await;
    zoe.until_type("queue").await;
    ann_ws.send(json!({ "type": "status", "status": "online" })).await;
    let a = given(&mut ann_ws, &[]).await;
    ann_ws.send(answer(&a, "Hello Zoe")).await;
    zoe.until("Ann's answer", |f| f["type"] == "message" && f["text"] == "Hello Zoe").await;
    ann_ws.send(close(&a)).await;
    zoe.until_type("closed").await;

    // B: Yan is answered by Ann at once.
    let (mut yan, _) = visitor(&base, &chat.key, None, 0).await;
    yan.send(says("Do you ship to Lyon?").1).await;
    let b = given(&mut ann_ws, &[&a]).await;
    ann_ws.send(answer(&b, "We do")).await;
    yan.until("Ann's answer", |f| f["type"] == "message" && f["text"] == "We do").await;
    ann_ws.send(close(&b)).await;
    yan.until_type("closed").await;

    // C: Xia's chat goes back to the queue when Ann goes offline, and Bob answers it: two
    // waits, the first answer Bob's.
    let (mut xia, _) = visitor(&base, &chat.key, None, 0).await;
    xia.send(says("My order is late").1).await;
    let c = given(&mut ann_ws, &[&a, &b]).await;
    xia.until_type("assigned").await;
    ann_ws.send(json!({ "type": "status", "status": "offline" })).await;
    xia.until_type("queue").await;
    let (mut bob_ws, _) = console(&base, "bob@acme.test").await;
    bob_ws.send(json!({ "type": "status", "status": "online" })).await;
    assert_eq!(given(&mut bob_ws, &[]).await, c);
    bob_ws.send(answer(&c, "Let me look")).await;
    xia.until("Bob's answer", |f| f["type"] == "message" && f["text"] == "Let me look").await;
    bob_ws.send(close(&c)).await;
    xia.until_type("closed").await;

    // D: on the blog, Bob answers Wes.
    let (mut wes, _) = visitor(&base, &blog_key, None, 0).await;
    wes.send(says("Nice article").1).await;
    let d = given(&mut bob_ws, &[&c]).await;
    bob_ws.send(answer(&d, "Thank you")).await;
    wes.until("Bob's answer", |f| f["type"] == "message" && f["text"] == "Thank you").await;
    bob_ws.send(close(&d)).await;
    wes.until_type("closed").await;

    // A board left open is told of the ratings as they come.
    let cookie = session_cookie(&base, "sue@acme.test", PASSWORD).await;
    let mut live = Ws::connect(&format!("{base}/supervisor/ws"), Some(&base), Some(&cookie)).await.unwrap();
    live.send(json!({ "type": "hello" })).await;
    live.until_type("board").await;

    // The visitors rate their ended chats through the domain's command (A good, B bad, C
    // good, D good; B again: the latest rating counts).
    let client = db.client().await;
    for (id, rating) in [(&a, Rating::Good), (&b, Rating::Good), (&c, Rating::Good), (&d, Rating::Good), (&b, Rating::Bad)] {
        let id = ConversationId(id.parse().unwrap());
        let visitor: uuid::Uuid = client
            .query_one("SELECT (payload->>'visitor_id')::uuid FROM events WHERE stream = $1 AND version = 0", &[&conversation::stream(id)])
            .await
            .unwrap()
            .get(0);
        let meta = Metadata::new(Some(chat.company), Actor::Visitor(visitor));
        server.app.chat.streams().rate(id, rating, "", &meta).await.unwrap();
    }

    let rated = |f: &Value, site: SiteId| (f["type"] == "board").then(|| site_of(f, site)["satisfaction"]["today"]["rated"].as_i64()).flatten();
    live.until("the ratings on the open board", |f| rated(f, chat.site) == Some(3) && rated(f, blog) == Some(1)).await;
    let all = measured(&db, chat.company).await;
    assert_eq!(all.iter().map(|m| m.waits.len()).collect::<Vec<_>>().iter().sum::<usize>(), 5, "A, B, C twice, D: {all:?}");
    let last = all.iter().flat_map(|m| m.rating.iter().map(|r| r.0)).max().unwrap();

    // Now: everything is in the last hour and today, per site and per agent.
    let now = board(&server, "sue@acme.test").await;
    check_against_the_log(&now, &all, &[chat.site, blog], &[ann, bob]);
    let shop = site_of(&now, chat.site);
    assert_eq!((&shop["waiting"]["today"]["count"], &shop["first_response"]["today"]["count"]), (&json!(4), &json!(3)), "{shop}");
    assert_eq!(ratings(&shop["satisfaction"]["today"]), json!([2, 3]));
    assert_eq!((shop["satisfaction"]["today"]["percent"].as_i64(), shop["satisfaction"]["today"]["text"].as_str()), (Some(67), Some("67% (2 of 3)")));
    let blog_figures = site_of(&now, blog);
    assert_eq!(
        (ratings(&blog_figures["satisfaction"]["today"]), blog_figures["satisfaction"]["today"]["text"].as_str()),
        (json!([1, 1]), Some("100% (1 of 1)"))
    );
    let seconds = blog_figures["waiting"]["today"]["seconds"].as_i64().unwrap();
    assert_eq!(blog_figures["waiting"]["today"]["text"].as_str(), Some(format!("{seconds} s").as_str()), "sub-minute waits read in seconds");
    // Ann held A and B (good, then bad), Bob C and D.
    assert_eq!(ratings(&agent_of(&now, ann).unwrap()["satisfaction"]["today"]), json!([1, 2]));
    assert_eq!(agent_of(&now, bob).unwrap()["satisfaction"]["today"]["text"], "100% (2 of 2)");

    // Today began at midnight in the company's zone.
    let today_from: DateTime<Utc> = now["figures"]["today_from"].as_str().unwrap().parse().unwrap();
    let local = (Utc::now() + Duration::hours(ahead)).date_naive();
    assert_eq!(today_from, local.and_time(NaiveTime::MIN).and_utc() - Duration::hours(ahead));

    // An hour and a minute later, the last hour is empty and today still holds everything.
    let clock = &server.app.settings.clock;
    clock.set(last + Duration::minutes(61));
    let later = board(&server, "sue@acme.test").await;
    check_against_the_log(&later, &all, &[chat.site, blog], &[ann, bob]);
    let shop = site_of(&later, chat.site);
    assert_eq!((&shop["waiting"]["last_hour"]["count"], &shop["waiting"]["last_hour"]["text"]), (&json!(0), &Value::Null));
    assert_eq!(shop["waiting"]["today"]["count"], 4);

    // Tomorrow there: nothing today, the ratings still in the last 30 days.
    clock.set(today_from + Duration::hours(25));
    let tomorrow = board(&server, "sue@acme.test").await;
    check_against_the_log(&tomorrow, &all, &[chat.site, blog], &[ann, bob]);
    let shop = site_of(&tomorrow, chat.site);
    assert_eq!((&shop["waiting"]["today"]["count"], &shop["first_response"]["today"]["count"]), (&json!(0), &json!(0)));
    assert_eq!((ratings(&shop["satisfaction"]["today"]), ratings(&shop["satisfaction"]["last_30_days"])), (json!([0, 0]), json!([2, 3])));
    assert_eq!(agent_of(&tomorrow, ann).unwrap()["satisfaction"]["last_30_days"]["text"], "50% (1 of 2)");

    // A month on, no figure is left and no agent is listed.
    clock.set(last + Duration::days(31));
    let month = board(&server, "sue@acme.test").await;
    check_against_the_log(&month, &all, &[chat.site, blog], &[ann, bob]);
    assert_eq!(ratings(&site_of(&month, chat.site)["satisfaction"]["last_30_days"]), json!([0, 0]));
    assert_eq!(month["figures"]["agents"], json!([]));
    clock.set(Utc::now());

    // Another company's board shows its own site, with nothing measured, and none of Acme's.
    let globex = server.chat_site("Globex", 2).await;
    server.user(globex.company, "sam@globex.test", PASSWORD, &[Role::Supervisor]).await;
    let theirs = board(&server, "sam@globex.test").await;
    let text = theirs["figures"].to_string();
    assert!(![chat.site.0, blog.0, ann.0, bob.0].iter().any(|id| text.contains(&id.to_string())), "{text}");
    let s = site_of(&theirs, globex.site);
    assert_eq!((&s["waiting"]["today"]["count"], ratings(&s["satisfaction"]["last_30_days"])), (&json!(0), json!([0, 0])));
    assert_eq!(theirs["figures"]["agents"], json!([]));

    // Rebuilt from the log, the figures are the live ones.
    server.settle().await;
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify", "board-figures"], Some(&db.url()), "").await;
    assert!(
        ok && stdout.contains("board-figures: matches the log")
            && stdout.contains("table board_waits: same")
            && stdout.contains("table board_conversations: same"),
        "{stdout}\n{stderr}"
    );
    drop((zoe, yan, xia, wes));
}

/// Conversation events at chosen times, appended as an import of an older log holds them:
/// real chats last milliseconds, and these measure minutes.
struct History {
    company: CompanyId,
    site: SiteId,
}

impl History {
    async fn chat(&self, db: &TestDb, steps: &[(i64, conversation::Event)], start: DateTime<Utc>) {
        let id = ConversationId::new();
        let visitor = VisitorId::new();
        let started = conversation::Event::ConversationStarted {
            conversation_id: id,
            site_id: self.site,
            company_id: self.company,
            visitor_id: visitor,
            page_url: "https://shop.initech.test/".into(),
            visitor: Default::default(),
        };
        let mut events = vec![(0, started)];
        events.extend(steps.iter().cloned());
        let new: Vec<NewEvent> =
            events.iter().map(|(after, e)| NewEvent { occurred_at: start + Duration::seconds(*after), ..NewEvent::from_payload(e) }).collect();
        let meta = Metadata::new(Some(self.company), Actor::System("import".into()));
        db.store().append(&conversation::stream(id), ExpectedVersion::NoStream, new, &meta).await.unwrap();
    }
}

fn visitor_says(text: &str) -> conversation::Event {
    conversation::Event::MessagePosted { client_id: uuid::Uuid::now_v7(), from: Sender::Visitor, text: text.into() }
}

fn agent_says(agent: UserId, text: &str) -> conversation::Event {
    conversation::Event::MessagePosted {
        client_id: uuid::Uuid::now_v7(),
        from: Sender::Agent { user_id: agent, name: "x".into() },
        text: text.into(),
    }
}

fn assigned(agent: UserId) -> conversation::Event {
    conversation::Event::ConversationAssigned { agent_id: agent, agent_name: "x".into(), decision: Decision::Transferred { from: agent } }
}

fn closed() -> conversation::Event {
    conversation::Event::ConversationClosed { by: "agent".into() }
}

fn rated(rating: Rating) -> conversation::Event {
    conversation::Event::ConversationRated { rating, comment: "".into() }
}

/// An element's text as the page holds it (WebDriver's text turns no-break spaces into spaces).
async fn content(browser: &Browser, css: &str) -> String {
    let text = browser.client.execute("return document.querySelector(arguments[0]).textContent;", vec![json!(css)]).await.unwrap();
    text.as_str().unwrap_or_else(|| panic!("nothing at {css}")).to_owned()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[tokio::test]
async fn the_board_shows_minutes_and_shares_for_people_in_english_and_in_french_on_a_phone_too() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Initech", 5).await;
    let admin = server.session_of(chat.company, chat.admin).await;
    app::preferences::set_company_defaults(&server.app, &admin, "en", "Europe/Paris").await.unwrap();
    let ann = server.agent(&chat, "ann@initech.test", 3, Priority::Normal).await;
    let bob = server.agent(&chat, "bob@initech.test", 3, Priority::Normal).await;
    let sue = server.user(chat.company, "sue@initech.test", PASSWORD, &[Role::Supervisor]).await;
    let (idle, _) = server.site(&chat, "Idle", vec!["https://idle.initech.test".into()], false).await;
    let history = History { company: chat.company, site: chat.site };
    // In the last hour (from 11:00 UTC): waits of 45 s and 3 min 25 s, first answers 75 s
    // and 3 min 45 s after the visitor's first line (the second visitor wrote 10 s in).
    history
        .chat(
            &db,
            &[(0, visitor_says("Hi")), (45, assigned(ann)), (75, agent_says(ann, "Hello")), (90, closed()), (600, rated(Rating::Good))],
            at("2026-03-10T11:10:00Z"),
        )
        .await;
    history
        .chat(
            &db,
            &[(10, visitor_says("Hi")), (205, assigned(ann)), (235, agent_says(ann, "Hello")), (300, closed()), (600, rated(Rating::Bad))],
            at("2026-03-10T11:30:00Z"),
        )
        .await;
    // Earlier today in Paris (08:00): a 10-minute wait, answered 30 s later; Bob's.
    history
        .chat(
            &db,
            &[(0, visitor_says("Hi")), (600, assigned(bob)), (630, agent_says(bob, "Hello")), (700, closed()), (1800, rated(Rating::Good))],
            at("2026-03-10T07:00:00Z"),
        )
        .await;
    // Yesterday evening in Paris, and 40 days ago: ratings outside today, and outside 30 days.
    history
        .chat(
            &db,
            &[(0, visitor_says("Hi")), (30, assigned(ann)), (40, agent_says(ann, "Hello")), (50, closed()), (600, rated(Rating::Bad))],
            at("2026-03-09T20:00:00Z"),
        )
        .await;
    history
        .chat(
            &db,
            &[(0, visitor_says("Hi")), (30, assigned(ann)), (40, agent_says(ann, "Hello")), (50, closed()), (60, rated(Rating::Good))],
            at("2026-01-29T12:00:00Z"),
        )
        .await;
    // A visitor who left before anyone took the chat counts in no average.
    history.chat(&db, &[(0, visitor_says("Hi")), (120, closed())], at("2026-03-10T11:50:00Z")).await;
    server.app.settings.clock.set(at("2026-03-10T12:00:00Z"));

    let frame = board(&server, "sue@initech.test").await;
    let f = &frame["figures"];
    assert_eq!((f["time_zone"].as_str(), f["today_from"].as_str()), (Some("Europe/Paris"), Some("2026-03-09T23:00:00Z")), "{f}");
    let shop = site_of(&frame, chat.site);
    let show = |figure: &Value| json!([figure["count"], figure["seconds"], figure["text"]]);
    assert_eq!(show(&shop["waiting"]["last_hour"]), json!([2, 125, "2 min 5 s"]), "{shop}");
    assert_eq!(show(&shop["waiting"]["today"]), json!([3, 283, "4 min 43 s"]), "(45 + 205 + 600) / 3 = 283.3");
    assert_eq!(show(&shop["first_response"]["last_hour"]), json!([2, 150, "2 min 30 s"]));
    assert_eq!(show(&shop["first_response"]["today"]), json!([3, 310, "5 min 10 s"]));
    let share = |figure: &Value| json!([figure["good"], figure["rated"], figure["percent"], figure["text"]]);
    assert_eq!(share(&shop["satisfaction"]["today"]), json!([2, 3, 67, "67% (2 of 3)"]));
    assert_eq!(share(&shop["satisfaction"]["last_30_days"]), json!([2, 4, 50, "50% (2 of 4)"]));
    assert_eq!(share(&agent_of(&frame, ann).unwrap()["satisfaction"]["today"]), json!([1, 2, 50, "50% (1 of 2)"]));
    assert_eq!(share(&agent_of(&frame, ann).unwrap()["satisfaction"]["last_30_days"]), json!([1, 3, 33, "33% (1 of 3)"]));
    assert_eq!(share(&agent_of(&frame, bob).unwrap()["satisfaction"]["today"]), json!([1, 1, 100, "100% (1 of 1)"]));
    assert_eq!(show(&site_of(&frame, idle)["waiting"]["today"]), json!([0, null, null]));

    // In the browser, in English.
    let cell = |site: SiteId, class: &str| format!("#board-figures tr[data-site-id='{site}'] td.{class}");
    let english = Browser::start_speaking("en").await;
    english.log_in(&server.url("/login"), "sue@initech.test", PASSWORD).await;
    english.goto(&server.url("/supervisor")).await;
    english.find("#connection[data-state=connected]").await;
    english.find(&format!("#board-figures tr[data-site-id='{}']", chat.site)).await;
    assert_eq!(english.text(&cell(chat.site, "waiting-last-hour")).await, "2 min 5 s");
    assert_eq!(english.text(&cell(chat.site, "waiting-today")).await, "4 min 43 s");
    assert_eq!(english.text(&cell(chat.site, "response-last-hour")).await, "2 min 30 s");
    assert_eq!(english.text(&cell(chat.site, "response-today")).await, "5 min 10 s");
    assert_eq!(english.text(&cell(chat.site, "satisfaction-today")).await, "67% (2 of 3)");
    assert_eq!(english.text(&cell(chat.site, "satisfaction-30-days")).await, "50% (2 of 4)");
    assert_eq!(english.text(&format!("#board-agents tr[data-user-id='{ann}'] td.satisfaction-30-days")).await, "33% (1 of 3)");
    // Headers are shown in capitals: compared in lower case.
    let heads = english.text("#board-figures thead").await.to_lowercase();
    for words in ["Average wait", "Average first response", "Satisfaction", "Last hour", "Today", "Last 30 days"] {
        assert!(heads.contains(&words.to_lowercase()), "{words:?} in {heads:?}");
    }
    // An empty figure is a dash that reads "no data".
    let empty = english.find(&cell(idle, "waiting-today")).await.html(false).await.unwrap();
    assert!(empty.contains(r#"aria-hidden="true">—</span>"#) && empty.contains(r#"class="visually-hidden">no data</span>"#), "{empty}");
    assert!(english.text("#board-figures-note").await.contains("Today starts at midnight (Europe/Paris)"));
    let scope: Value = english
        .client
        .execute("return [...document.querySelectorAll('#board-figures th')].map((th) => th.getAttribute('scope'));", vec![])
        .await
        .unwrap();
    assert_eq!(scope, json!(["col", "colgroup", "colgroup", "colgroup", "col", "col", "col", "col", "col", "col", "row", "row"]));

    // On a 390 px phone: each site a card, no wider than the screen, each figure labelled.
    english.client.set_window_size(390, 844).await.unwrap();
    let fits: Value = english
        .client
        .execute(
            "const t = document.querySelector('#board-figures'); return [document.documentElement.scrollWidth <= window.innerWidth, \
             t.getBoundingClientRect().right <= window.innerWidth, getComputedStyle(t.querySelector('tbody tr')).display, \
             getComputedStyle(t.querySelector('td.waiting-today'), '::before').content];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!([true, true, "block", "\"Average wait, Today\""]));
    english.close().await;

    // In French: the same figures in French words.
    let session = server.session_of(chat.company, sue).await;
    app::preferences::choose_language_and_time_zone(&server.app, &session, "fr", "Europe/Paris").await.unwrap();
    let french = Browser::start_speaking("fr").await;
    french.log_in(&server.url("/login"), "sue@initech.test", PASSWORD).await;
    french.goto(&server.url("/supervisor")).await;
    french.find("#connection[data-state=connected]").await;
    french.find(&format!("#board-figures tr[data-site-id='{}']", chat.site)).await;
    assert_eq!(french.text(&cell(chat.site, "waiting-last-hour")).await, "2 min 5 s");
    assert_eq!(content(&french, &cell(chat.site, "satisfaction-today")).await, "67\u{a0}% (2 sur 3)");
    assert_eq!(content(&french, &cell(chat.site, "satisfaction-30-days")).await, "50\u{a0}% (2 sur 4)");
    assert_eq!(content(&french, &format!("#board-agents tr[data-user-id='{bob}'] td.satisfaction-today")).await, "100\u{a0}% (1 sur 1)");
    let heads = french.text("#board-figures thead").await.to_lowercase();
    for words in ["Attente moyenne", "Première réponse moyenne", "Dernière heure", "Aujourd’hui", "30 derniers jours"] {
        assert!(heads.contains(&words.to_lowercase()), "{words:?} in {heads:?}");
    }
    let empty = french.find(&cell(idle, "satisfaction-today")).await.html(false).await.unwrap();
    assert!(empty.contains("aucune donnée"), "{empty}");
    french.close().await;
}
