// Switchboard supervisor board: agents, queues and open conversations of the company, live
// over the supervisor socket (docs/chat-protocol.md), with a read-only view of one
// conversation and reassignment. Each `board` frame is the whole truth and replaces the last.
// Every text a person typed is shown as text (textContent / append), never parsed as HTML.

import { connect, h, notifier } from "./live.js";

const root = document.getElementById("board");
if (root) init(root);

// "42 s", "3 min", "1 h 05 min" since an RFC 3339 time (clamped at 0 for clock skew).
function ago(since) {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
  if (!Number.isFinite(s)) return "";
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}
function clock(at) {
  const d = new Date(at);
  return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
function list(x) {
  return Array.isArray(x) ? x : [];
}

function init(root) {
  let board = { agents: [], queues: [], conversations: [] };
  let watched = null; // { id, label, messages }
  let ready = false;

  // ---- The page ----
  const connection = h("span", { id: "connection", class: "connection", role: "status", "data-state": "connecting" }, "Connecting…");
  const notice = h("p", { id: "notice", class: "console-notice", role: "alert", hidden: true, title: "Click to dismiss" });
  const table = (id, heads) => h("table", { id, class: "board-table" }, h("thead", {}, h("tr", {}, heads.map((t) => h("th", {}, t)))), h("tbody"));
  const agents = table("board-agents", ["Agent", "Status", "Load", "Sites"]);
  const queues = table("board-queues", ["Site", "Waiting", "Longest wait"]);
  const conversations = table("board-conversations", ["Site", "Visitor", "Agent", "Started", "State", ""]);
  const watchedTitle = h("span", { id: "watched-title" });
  const stop = h("button", { type: "button", class: "secondary" }, "Stop reading");
  const transcript = h("ol", { id: "watched-transcript", class: "transcript", role: "log", "aria-live": "polite" });
  const section = h("section", { id: "watched", class: "card", hidden: true },
    h("header", { class: "chat-head" }, h("h2", {}, "Reading: ", watchedTitle), stop), transcript);
  root.append(
    h("p", { class: "board-bar" }, connection), notice,
    h("section", { class: "card" }, h("h2", {}, "Agents"), agents),
    h("section", { class: "card" }, h("h2", {}, "Queues"), queues),
    h("section", { class: "card" }, h("h2", {}, "Open conversations"), conversations),
    section);

  const notify = notifier(notice);

  // Updates rows in place, keyed by an attribute, so that a select being used survives the
  // twice-a-second refreshes (moving a focused node would blur it: only misplaced rows move).
  function sync(tbody, items, attr, key, fill, columns, empty) {
    const old = new Map([...tbody.querySelectorAll(`tr[${attr}]`)].map((tr) => [tr.getAttribute(attr), tr]));
    tbody.querySelector("tr.empty")?.remove();
    items.forEach((item, i) => {
      const id = String(key(item));
      const tr = old.get(id) || h("tr", { [attr]: id });
      old.delete(id);
      fill(tr, item);
      if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
    });
    for (const tr of old.values()) tr.remove();
    if (!items.length) tbody.append(h("tr", { class: "empty" }, h("td", { colspan: columns, class: "muted" }, empty)));
  }

  function render() {
    sync(agents.tBodies[0], list(board.agents), "data-user-id", (a) => a.user_id, (tr, a) => {
      const status = ["online", "away", "offline"].includes(a.status) ? a.status : "offline";
      tr.replaceChildren(h("td", { class: "name" }, a.name),
        h("td", { class: `status ${status}` }, status),
        h("td", { class: "load" }, `${a.load} / ${a.max_chats}`),
        h("td", { class: "sites" }, list(a.sites).join(", ")));
    }, 4, "No agent.");

    sync(queues.tBodies[0], list(board.queues), "data-site-id", (q) => q.site_id, (tr, q) => {
      const waiting = list(q.waiting);
      const since = waiting.map((w) => w.since).filter((s) => !isNaN(Date.parse(s))).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
      tr.replaceChildren(h("td", { class: "site" }, q.site), h("td", { class: "waiting" }, String(waiting.length)),
        h("td", { class: "longest" }, since ? h("time", { datetime: since, "data-since": since }, ago(since)) : "–"));
    }, 3, "Nobody is waiting.");

    const online = list(board.agents).filter((a) => a.status === "online");
    sync(conversations.tBodies[0], list(board.conversations), "data-conversation-id", (c) => c.id, (tr, c) => {
      if (!tr.cells.length) {
        tr.append(h("td", { class: "site" }), h("td", { class: "visitor" }), h("td", { class: "agent" }), h("td", { class: "started" }), h("td", { class: "state" }),
          h("td", { class: "actions" }, h("button", { type: "button", class: "watch secondary" }, "Read"), " ",
            h("select", { class: "reassign-to", "aria-label": "Reassign to" }), " ", h("button", { type: "button", class: "reassign secondary" }, "Reassign")));
      }
      const [site, visitor, agent, started, state] = tr.cells;
      site.textContent = c.site;
      visitor.textContent = c.visitor || "Visitor";
      agent.textContent = c.agent_name || "—";
      started.textContent = clock(c.started_at);
      started.title = c.started_at || "";
      state.textContent = c.state;
      tr.classList.toggle("watched", watched?.id === c.id);
      tr.querySelector("button.watch").setAttribute("aria-pressed", String(watched?.id === c.id));
      fillAgents(tr.querySelector("select.reassign-to"), online);
      tr.querySelector("button.reassign").disabled = !online.length;
    }, 6, "No open conversation.");

    // A watched conversation that left the board has ended: its transcript stays readable.
    if (watched) watchedTitle.textContent = watched.label + (list(board.conversations).some((c) => c.id === watched.id) ? "" : " (ended)");
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
    watched = { id, visitor: c?.visitor || "Visitor", label: c ? `${c.visitor || "Visitor"} · ${c.site}` : "", messages: [] };
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
      const from = ["visitor", "agent", "system"].includes(m.from) ? m.from : "system";
      const who = from === "visitor" ? watched.visitor : from === "system" ? "Switchboard" : m.agent_name || "Agent";
      return h("li", { class: `msg from-${from}`, "data-seq": m.seq },
        h("span", { class: "who" }, who), " ", h("time", { class: "when", datetime: m.at || null }, clock(m.at)),
        m.erased ? h("p", { class: "text erased" }, h("em", {}, "Message erased")) : h("p", { class: "text" }, m.text));
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
          board = { agents: list(f.agents), queues: list(f.queues), conversations: list(f.conversations) };
          if (!ready) {
            ready = true;
            socket.healthy();
            connection.textContent = "Connected";
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
          notify(f.message || f.code || "Something went wrong.");
          break;
      }
    },
    close(ended) {
      ready = false;
      connection.textContent = ended || "Reconnecting…";
      connection.dataset.state = ended ? "ended" : "reconnecting";
    },
  });

  // ---- The supervisor's actions ----
  conversations.tBodies[0].addEventListener("click", (e) => {
    const tr = e.target.closest("tr[data-conversation-id]");
    const id = tr?.dataset.conversationId;
    if (!id) return;
    if (e.target.closest("button.watch")) watch(id);
    if (e.target.closest("button.reassign")) {
      const to = tr.querySelector("select.reassign-to").value;
      if (!to) return notify("No agent is online to take this conversation.");
      if (!socket.send({ type: "reassign", conversation_id: id, to })) notify("Not connected: the conversation was not reassigned.");
    }
  });
  stop.addEventListener("click", unwatch);

  // Waiting times move on by themselves between board frames.
  setInterval(() => {
    for (const t of root.querySelectorAll("[data-since]")) t.textContent = ago(t.dataset.since);
  }, 5000);
  render();
}
