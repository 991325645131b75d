// Switchboard supervisor board: agents, queues, figures and open conversations of the company, live
// over the supervisor socket (docs/chat-protocol.md), with a read-only view of one
// conversation and reassignment. Each `board` frame is the whole truth and replaces the last.
// Every text a person typed is shown as text (textContent / append), never parsed as HTML.

import { connect, h, notifier, uuid } from "./live.js";
import { tr, clock as time } from "./strings.js";

const root = document.getElementById("board");
if (root) init(root);

// "42 s", "3 min", "1 h 05 min" since an RFC 3339 time (clamped at 0 for clock skew).
function ago(since) {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
  if (!Number.isFinite(s)) return "";
  if (s < 60) return tr("board-seconds", { count: s });
  const m = Math.floor(s / 60);
  return m < 60 ? tr("board-minutes", { count: m }) : tr("board-hours", { hours: Math.floor(m / 60), minutes: String(m % 60).padStart(2, "0") });
}
function clock(at) {
  const d = new Date(at);
  return isNaN(d) ? "" : time(d);
}
// A stored word (a state, a status) as the reader says it; an unknown one as it is.
function word(prefix, value) {
  const text = tr(`${prefix}-${value}`);
  return text.startsWith("⟦") ? value : text;
}
function list(x) {
  return Array.isArray(x) ? x : [];
}
// A figure's words, or a dash that reads "no data".
function figure(f) {
  if (f && typeof f.text === "string") return f.text;
  return [h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, tr("board-no-figure"))];
}

function init(root) {
  let board = { agents: [], queues: [], conversations: [], figures: {} };
  let watched = null; // { id, label, messages }
  let ready = false;

  // ---- The page ----
  const connection = h("span", { id: "connection", class: "connection", role: "status", "data-state": "connecting" }, tr("chat-connecting"));
  const notice = h("p", { id: "notice", class: "console-notice", role: "alert", hidden: true, title: tr("chat-dismiss") });
  const table = (id, heads) => h("table", { id, class: "board-table" }, h("thead", {}, h("tr", {}, heads.map((t) => h("th", {}, t)))), h("tbody"));
  const agents = table("board-agents", [tr("chat-agent"), tr("board-status"), tr("board-load"), tr("board-sites"), tr("board-satisfaction-today"), tr("board-satisfaction-30-days")]);
  // Per site: two periods under each measure, so two rows of headers over column groups.
  const measures = [["board-waiting-time", "board-last-hour", "board-today"], ["board-first-response", "board-last-hour", "board-today"], ["board-satisfaction", "board-today", "board-last-30-days"]];
  const figures = h("table", { id: "board-figures", class: "board-table figures" },
    h("colgroup", { span: 1 }), measures.map(() => h("colgroup", { span: 2 })),
    h("thead", {},
      h("tr", {}, h("th", { rowspan: 2, scope: "col" }, tr("chat-site")), measures.map(([m]) => h("th", { colspan: 2, scope: "colgroup" }, tr(m)))),
      h("tr", {}, measures.flatMap(([, a, b]) => [h("th", { scope: "col" }, tr(a)), h("th", { scope: "col" }, tr(b))]))),
    h("tbody"));
  const figuresNote = h("p", { id: "board-figures-note", class: "muted" });
  const queues = table("board-queues", [tr("chat-site"), tr("board-waiting"), tr("board-longest-wait")]);
  const conversations = table("board-conversations", [tr("chat-site"), tr("chat-visitor"), tr("chat-agent"), tr("board-started"), tr("board-state"), ""]);
  const watchedTitle = h("span", { id: "watched-title" });
  const stop = h("button", { type: "button", class: "secondary" }, tr("board-stop-reading"));
  const transcript = h("ol", { id: "watched-transcript", class: "transcript", "aria-live": "polite", "aria-relevant": "additions" }); // a list, so no role="log"
  // A note on the watched conversation, for its agent and the other supervisors only.
  const noteText = h("textarea", { id: "watched-note", name: "text", rows: 2, "aria-label": tr("console-note-mode"), placeholder: tr("console-note-placeholder") });
  const noteBox = h("form", { id: "watched-note-form", class: "reply note" }, noteText, h("button", { type: "submit", class: "secondary" }, tr("console-add-note")));
  const section = h("section", { id: "watched", class: "card", hidden: true },
    h("header", { class: "chat-head" }, h("h2", {}, tr("board-reading"), " ", watchedTitle), stop), transcript, noteBox);
  root.append(
    h("p", { class: "board-bar" }, connection), notice,
    h("section", { class: "card" }, h("h2", {}, tr("board-agents")), agents),
    h("section", { class: "card" }, h("h2", {}, tr("board-queues")), queues),
    h("section", { class: "card" }, h("h2", {}, tr("board-figures")), figures, figuresNote),
    h("section", { class: "card" }, h("h2", {}, tr("board-open-conversations")), conversations),
    section);

  const notify = notifier(notice);

  // Updates rows in place, keyed by an attribute, so that a select being used survives the
  // twice-a-second refreshes (moving a focused node would blur it: only misplaced rows move).
  function sync(tbody, items, attr, key, fill, columns, empty) {
    const old = new Map([...tbody.querySelectorAll(`tr[${attr}]`)].map((row) => [row.getAttribute(attr), row]));
    tbody.querySelector("tr.empty")?.remove();
    items.forEach((item, i) => {
      const id = String(key(item));
      const row = old.get(id) || h("tr", { [attr]: id });
      old.delete(id);
      fill(row, item);
      if (tbody.children[i] !== row) tbody.insertBefore(row, tbody.children[i] || null);
    });
    for (const row of old.values()) row.remove();
    if (!items.length) tbody.append(h("tr", { class: "empty" }, h("td", { colspan: columns, class: "muted" }, empty)));
  }

  function render() {
    const figured = board.figures || {};
    const rated = new Map(list(figured.agents).map((a) => [a.user_id, a.satisfaction || {}]));
    sync(agents.tBodies[0], list(board.agents), "data-user-id", (a) => a.user_id, (row, a) => {
      const status = ["online", "away", "offline"].includes(a.status) ? a.status : "offline";
      const satisfaction = rated.get(a.user_id) || {};
      row.replaceChildren(h("td", { class: "name" }, a.name),
        h("td", { class: `status ${status}` }, word("chat-status", status)),
        h("td", { class: "load" }, `${a.load} / ${a.max_chats}`),
        h("td", { class: "sites" }, list(a.sites).join(", ")),
        h("td", { class: "figure satisfaction-today" }, figure(satisfaction.today)),
        h("td", { class: "figure satisfaction-30-days" }, figure(satisfaction.last_30_days)));
    }, 6, tr("board-no-agent"));

    // On a phone each site is a card, each figure labelled by its header's words.
    const label = (m, period) => `${tr(m)}, ${tr(period)}`;
    sync(figures.tBodies[0], list(figured.sites), "data-site-id", (s) => s.site_id, (row, s) => {
      const cell = (cls, m, period, f) => h("td", { class: `figure ${cls}`, "data-label": label(m, period) }, figure(f));
      row.replaceChildren(h("th", { scope: "row", class: "site" }, s.site),
        cell("waiting-last-hour", "board-waiting-time", "board-last-hour", s.waiting?.last_hour),
        cell("waiting-today", "board-waiting-time", "board-today", s.waiting?.today),
        cell("response-last-hour", "board-first-response", "board-last-hour", s.first_response?.last_hour),
        cell("response-today", "board-first-response", "board-today", s.first_response?.today),
        cell("satisfaction-today", "board-satisfaction", "board-today", s.satisfaction?.today),
        cell("satisfaction-30-days", "board-satisfaction", "board-last-30-days", s.satisfaction?.last_30_days));
    }, 7, tr("board-no-site"));
    figuresNote.textContent = figured.time_zone ? tr("board-figures-note", { zone: figured.time_zone }) : "";

    sync(queues.tBodies[0], list(board.queues), "data-site-id", (q) => q.site_id, (row, q) => {
      const waiting = list(q.waiting);
      const since = waiting.map((w) => w.since).filter((s) => !isNaN(Date.parse(s))).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
      row.replaceChildren(h("td", { class: "site" }, q.site), h("td", { class: "waiting" }, String(waiting.length)),
        h("td", { class: "longest" }, since ? h("time", { datetime: since, "data-since": since }, ago(since)) : "–"));
    }, 3, tr("board-nobody-waiting"));

    const online = list(board.agents).filter((a) => a.status === "online");
    sync(conversations.tBodies[0], list(board.conversations), "data-conversation-id", (c) => c.id, (row, c) => {
      if (!row.cells.length) {
        row.append(h("td", { class: "site" }), h("td", { class: "visitor" }), h("td", { class: "agent" }), h("td", { class: "started" }), h("td", { class: "state" }),
          h("td", { class: "actions" }, h("button", { type: "button", class: "watch secondary" }, tr("board-read")), " ",
            h("select", { class: "reassign-to", "aria-label": tr("board-reassign-to") }), " ", h("button", { type: "button", class: "reassign secondary" }, tr("board-reassign"))));
      }
      const [site, visitor, agent, started, state] = row.cells;
      site.textContent = c.site;
      visitor.textContent = c.visitor || tr("chat-visitor");
      agent.textContent = c.agent_name || "—";
      started.textContent = clock(c.started_at);
      started.title = c.started_at || "";
      state.textContent = word("chat-state", c.state);
      row.classList.toggle("watched", watched?.id === c.id);
      row.querySelector("button.watch").setAttribute("aria-pressed", String(watched?.id === c.id));
      fillAgents(row.querySelector("select.reassign-to"), online);
      row.querySelector("button.reassign").disabled = !online.length;
    }, 6, tr("board-no-conversation"));

    // A watched conversation that left the board has ended: its transcript stays readable.
    if (watched) watchedTitle.textContent = watched.label + (list(board.conversations).some((c) => c.id === watched.id) ? "" : ` ${tr("board-ended")}`);
  }

  // Options are rebuilt only when the online agents change, keeping the choice made.
  function fillAgents(select, online) {
    const signature = online.map((a) => `${a.user_id}\u0000${a.name}`).join("\u0001");
    if (select.dataset.signature === signature) return;
    const value = select.value;
    select.replaceChildren(...online.map((a) => h("option", { value: a.user_id }, a.name)));
    if (online.some((a) => a.user_id === value)) select.value = value;
    select.disabled = !online.length;
    select.dataset.signature = signature;
  }

  // ---- The watched conversation ----
  function watch(id) {
    if (watched?.id === id) return;
    if (watched) socket.send({ type: "unwatch", conversation_id: watched.id });
    const c = list(board.conversations).find((x) => x.id === id);
    const visitor = c?.visitor || tr("chat-visitor");
    watched = { id, visitor, label: c ? `${visitor} · ${c.site}` : "", messages: [] };
    socket.send({ type: "watch", conversation_id: id }); // or after the next hello
    renderWatched();
    render();
    section.scrollIntoView({ block: "nearest" });
  }

  function unwatch() {
    if (watched) socket.send({ type: "unwatch", conversation_id: watched.id });
    watched = null;
    section.hidden = true;
    render();
  }

  function addMessages(messages) {
    for (const m of messages) {
      if (!Number.isInteger(m.seq) || typeof m.text !== "string" || watched.messages.some((x) => x.seq === m.seq)) continue;
      watched.messages.push(m);
    }
    watched.messages.sort((a, b) => a.seq - b.seq);
    renderWatched();
  }

  function renderWatched() {
    section.hidden = !watched;
    if (!watched) return;
    const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
    transcript.replaceChildren(...watched.messages.map((m) => {
      const from = ["visitor", "agent", "system", "note"].includes(m.from) ? m.from : "system";
      const author = m.agent_name || tr("chat-agent");
      const who = from === "visitor" ? watched.visitor : from === "system" ? tr("chat-switchboard") : from === "note" ? tr("chat-note", { name: author }) : author;
      return h("li", { class: `msg from-${from}`, "data-seq": m.seq },
        h("span", { class: "who" }, who), " ", h("time", { class: "when", datetime: m.at || null }, clock(m.at)),
        m.erased ? h("p", { class: "text erased" }, h("em", {}, tr("chat-message-erased"))) : h("p", { class: "text" }, m.text));
    }));
    if (atBottom) transcript.scrollTop = transcript.scrollHeight;
  }

  // ---- The socket ----
  const socket = connect(root.dataset.ws || "/supervisor/ws", {
    open() {
      socket.send({ type: "hello" });
      // The server forgets what a closed socket watched.
      if (watched) socket.send({ type: "watch", conversation_id: watched.id });
    },
    frame(f) {
      switch (f.type) {
        case "board":
          board = { agents: list(f.agents), queues: list(f.queues), conversations: list(f.conversations), figures: f.figures || {} };
          if (!ready) {
            ready = true;
            socket.healthy();
            connection.textContent = tr("chat-connected");
            connection.dataset.state = "connected";
          }
          render();
          break;
        case "transcript":
          if (watched && f.conversation_id === watched.id) addMessages(list(f.messages));
          break;
        case "message":
          if (watched && f.conversation_id === watched.id) addMessages([f]);
          break;
        case "error":
          notify(f.message || f.code || tr("chat-something-wrong"));
          break;
      }
    },
    close(ended) {
      ready = false;
      connection.textContent = ended || tr("chat-reconnecting");
      connection.dataset.state = ended ? "ended" : "reconnecting";
    },
  });

  // ---- The supervisor's actions ----
  conversations.tBodies[0].addEventListener("click", (e) => {
    const row = e.target.closest("tr[data-conversation-id]");
    const id = row?.dataset.conversationId;
    if (!id) return;
    if (e.target.closest("button.watch")) watch(id);
    if (e.target.closest("button.reassign")) {
      const to = row.querySelector("select.reassign-to").value;
      if (!to) return notify(tr("board-nobody-online"));
      if (!socket.send({ type: "reassign", conversation_id: id, to })) notify(tr("board-not-reassigned"));
    }
  });
  stop.addEventListener("click", unwatch);
  // The note comes back as a message of the watched conversation; kept in the box until then.
  noteBox.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = noteText.value.trim();
    if (!watched || !text) return;
    if (socket.send({ type: "note", conversation_id: watched.id, client_id: uuid(), text })) noteText.value = "";
    else notify(tr("console-try-again"));
  });

  // Waiting times move on by themselves between board frames.
  setInterval(() => {
    for (const t of root.querySelectorAll("[data-since]")) t.textContent = ago(t.dataset.since);
  }, 5000);
  render();
}
