// Switchboard agent console: the conversations assigned to this agent, live over the agent
// socket (docs/chat-protocol.md). The server's `state` frame is the truth: the view is rebuilt
// from it after every (re)connection; only messages not acknowledged yet live in the browser.
// Every text a person typed is shown as text (textContent / append), never parsed as HTML.

import { connect, h, notifier, uuid } from "./live.js";
import { alerts } from "./alerts.js";
import { cannedPicker } from "./canned.js";
import { tr, lang, clock as time } from "./strings.js";

const root = document.getElementById("console");
if (root) init(root);

function init(root) {
  const MAX = 4000; // characters in a message, as the server counts them (code points)
  const FRAME_LIMIT = 16000; // bytes: the server closes the socket on frames over 16 KiB
  const me = { id: root.dataset.userId || "", name: root.dataset.userName || "" };
  const prefix = `switchboard:console:${me.id}:`;
  const load = (k, fallback) => { try { return JSON.parse(localStorage.getItem(prefix + k)) ?? fallback; } catch { return fallback; } };
  const save = (k, v) => { try { localStorage.setItem(prefix + k, JSON.stringify(v)); } catch { /* storage off: memory only */ } };
  // Control characters would bloat the JSON frame (\u0001…) past the server's limit.
  const clean = (s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim();
  const chars = (s) => [...s].length;
  const clock = (at) => { const d = at ? new Date(at) : new Date(); return isNaN(d) ? "" : time(d); };

  // ---- What is shown ----
  const convs = new Map(); // id → { id, site, visitor, pageUrl, messages, lastSeen, unread, typing }
  let outbox = load("outbox", []); // [{ conversation_id, client_id, text }]: typed, not acknowledged yet
  if (!Array.isArray(outbox)) outbox = [];
  const mine = new Set(outbox.map((m) => m.client_id)); // client ids sent from this page
  let selected = null, ready = false, transferFor = null;
  const drafts = new Map(); // conversation id → text typed but not sent, kept when switching
  const saveOutbox = () => save("outbox", outbox);
  const visitorName = (c) => c.visitor || tr("chat-visitor");

  // ---- The page ----
  const connection = h("span", { id: "connection", class: "connection", role: "status", "data-state": "connecting" }, tr("chat-connecting"));
  const statusSelect = h("select", { id: "agent-status", disabled: true, "aria-label": tr("console-my-status") },
    h("option", { value: "online" }, tr("console-online")), h("option", { value: "away" }, tr("console-away")), h("option", { value: "offline" }, tr("console-offline")));
  const maxChats = h("span", { id: "max-chats" }, "–");
  const queueCount = h("span", { id: "queue-count" }, "0");
  const queues = h("ul", { id: "queues", class: "queues" });
  const notice = h("p", { id: "notice", class: "console-notice", role: "alert", hidden: true, title: tr("chat-dismiss") });
  const list = h("ul", { id: "conversations", class: "conversation-list" });
  const emptyList = h("p", { class: "muted empty" }, tr("console-no-conversation"));
  const title = h("h2", { id: "conversation-title" });
  const pageUrl = h("a", { id: "page-url", class: "page-url", target: "_blank", rel: "noopener noreferrer" });
  const transferButton = h("button", { id: "transfer", type: "button", class: "secondary" }, tr("console-transfer-button"));
  const closeButton = h("button", { id: "close-conversation", type: "button", class: "secondary" }, tr("console-close"));
  const transferTo = h("select", { id: "transfer-to", "aria-label": tr("console-transfer-to"), hidden: true });
  const transferConfirm = h("button", { id: "transfer-confirm", type: "button", hidden: true }, tr("console-transfer"));
  const transferWait = h("span", { class: "muted" }, tr("console-transfer-looking"));
  const transferEmpty = h("p", { id: "transfer-empty", class: "muted", hidden: true }, tr("console-transfer-none"));
  const transferCancel = h("button", { type: "button", class: "link" }, tr("console-cancel"));
  const transferBox = h("div", { id: "transfer-box", class: "transfer", hidden: true }, transferWait, transferTo, transferConfirm, transferEmpty, transferCancel);
  const transcript = h("ol", { id: "transcript", class: "transcript", "aria-live": "polite", "aria-relevant": "additions" }); // a list, so no role="log"
  const typingLine = h("p", { id: "visitor-typing", class: "typing muted", hidden: true }, tr("console-visitor-typing"));
  const input = h("textarea", { name: "text", rows: 3, "aria-label": tr("console-answer"), placeholder: tr("console-answer-placeholder") });
  const send = h("button", { id: "send", type: "submit" }, tr("console-send"));
  // An internal note goes through the same box: the visitor never sees it (nor its typing).
  const noteMode = h("input", { type: "checkbox", id: "note-mode" });
  const reply = h("form", { id: "reply", class: "reply" }, input, send,
    h("label", { class: "note-mode", for: "note-mode" }, noteMode, " ", tr("console-note-mode")));
  // `/` in the box: the canned responses, with the visitor's name (else label) and mine.
  cannedPicker(input, reply, () => {
    const c = convs.get(selected);
    return { visitor: c?.details?.name || (c && visitorName(c)) || tr("chat-visitor"), agent: me.name };
  });
  const facts = h("dl", { class: "facts" });
  const about = h("details", { id: "visitor-panel", class: "visitor-panel", open: true }, h("summary", {}, tr("visitor-about")), facts);
  const chat = h("section", { id: "chat", class: "chat card", hidden: true },
    h("header", { class: "chat-head" }, h("div", {}, title, h("p", { class: "muted small" }, tr("console-on"), " ", pageUrl)),
      h("div", { class: "chat-actions" }, transferButton, closeButton)),
    about, transferBox, transcript, typingLine, reply);
  const noChat = h("p", { class: "no-chat card muted" }, tr("console-select"));
  // Chats ringing for me (see below), above my conversations.
  const rings = new Map(); // id → { id, site, visitor, preview, deadline (performance.now() ms) }
  const ringList = h("ul", { id: "ringing", class: "ringing-list" });
  const ringBox = h("section", { class: "ringing", "aria-labelledby": "ringing-title", hidden: true },
    h("h3", { id: "ringing-title" }, tr("console-ringing")), ringList);
  const bell = alerts(root, { onOpen: (id) => { if (convs.has(id)) choose(id, true); } });
  // A new conversation, or a visitor's line the agent is not looking at.
  const unseen = (c) => c.id !== selected || document.hidden;
  root.append(
    h("div", { class: "console-bar card" }, connection,
      h("label", { class: "inline" }, tr("console-status"), " ", statusSelect),
      h("span", {}, tr("console-max-chats"), " ", maxChats),
      h("span", {}, tr("console-waiting"), " ", queueCount), queues, bell.button),
    notice,
    h("div", { class: "console-main" }, h("aside", { class: "conversations card" }, h("h2", {}, tr("console-conversations")), ringBox, list, emptyList), chat, noChat));

  const notify = notifier(notice);

  // ---- Ringing chats: on a site that asks agents to accept, a new chat is offered here
  // first, and is mine only once I accept it before its time runs out. ----
  let ringTimer = null;
  const secondsLeft = (r) => Math.max(0, Math.ceil((r.deadline - performance.now()) / 1000));
  function renderRings() {
    ringList.replaceChildren(...[...rings.values()].map((r) => {
      const left = secondsLeft(r);
      return h("li", { "data-ringing-id": r.id },
        h("span", { class: "visitor" }, r.visitor || tr("chat-visitor")), " ", h("span", { class: "site muted" }, r.site),
        r.preview ? h("p", { class: "preview muted" }, r.preview) : null,
        h("span", { class: "countdown", "data-seconds": left }, tr("console-ring-left", { seconds: left })), " ",
        h("button", { type: "button", class: "accept", "data-accept": r.id, "aria-label": tr("console-accept-label", { visitor: r.visitor || tr("chat-visitor"), site: r.site }) }, tr("console-accept")),
        " ",
        h("button", { type: "button", class: "secondary", "data-decline": r.id }, tr("console-decline")));
    }));
    ringBox.hidden = rings.size === 0;
    if (rings.size && !ringTimer) ringTimer = setInterval(tickRings, 1000);
    if (!rings.size && ringTimer) { clearInterval(ringTimer); ringTimer = null; }
  }
  // Only the numbers change each second: the buttons keep their focus.
  function tickRings() {
    for (const el of ringList.querySelectorAll("[data-ringing-id]")) {
      const r = rings.get(el.dataset.ringingId);
      const countdown = el.querySelector(".countdown");
      if (!r || !countdown) continue;
      const left = secondsLeft(r);
      countdown.dataset.seconds = left;
      countdown.textContent = tr("console-ring-left", { seconds: left });
    }
  }
  ringList.addEventListener("click", (e) => {
    const accept = e.target.closest("[data-accept]"), decline = e.target.closest("[data-decline]");
    if (accept) { accept.disabled = true; socket.send({ type: "accept", conversation_id: accept.dataset.accept }); }
    if (decline) { decline.disabled = true; socket.send({ type: "decline", conversation_id: decline.dataset.decline }); }
  });
  function ringing(f) {
    const r = { id: f.conversation_id, site: f.site || "", visitor: f.visitor || "", preview: f.preview || "", deadline: performance.now() + (Number(f.remaining_ms) || 0) };
    const fresh = !rings.has(r.id);
    rings.set(r.id, r);
    renderRings();
    if (fresh) {
      bell.ring(r.id, tr("console-ring-new", { visitor: r.visitor || tr("chat-visitor"), site: r.site || tr("console-a-site") }), r.preview);
      notify(tr("console-ring-new", { visitor: r.visitor || tr("chat-visitor"), site: r.site || tr("console-a-site") }));
    }
  }
  function ringEnded(f) {
    const r = rings.get(f.conversation_id);
    if (!r) return;
    rings.delete(r.id);
    const hadFocus = ringList.contains(document.activeElement);
    renderRings();
    if (f.reason === "accepted") pendingFocus = r.id; // focus the conversation when it arrives
    else if (f.reason === "timed_out") notify(tr("console-ring-missed", { visitor: r.visitor || tr("chat-visitor"), site: r.site || tr("console-a-site") }));
    if (hadFocus && f.reason !== "accepted") (ringList.querySelector("button.accept") || statusSelect).focus();
  }
  let pendingFocus = null;

  // ---- Rendering ----
  const baseTitle = document.title;
  function renderList() {
    list.replaceChildren(...[...convs.values()].map((c) => h("li",
      { "data-conversation-id": c.id, tabindex: 0, class: [c.id === selected && "selected", c.unread && "unread"].filter(Boolean).join(" "), "aria-current": c.id === selected ? "true" : null },
      h("span", { class: "visitor" }, visitorName(c)), h("span", { class: "site muted" }, c.site),
      c.unread ? h("span", { class: "unread-count", title: tr("console-unread", { count: c.unread }) }, String(c.unread)) : null)));
    emptyList.hidden = convs.size > 0;
    const unread = [...convs.values()].reduce((n, c) => n + c.unread, 0);
    document.title = unread ? `(${unread}) ${baseTitle}` : baseTitle;
  }

  // A message of mine gets a delivery state; the server says which agent wrote each one.
  const isMine = (m) => (m.from === "agent" || m.from === "note") && (mine.has(m.client_id) || (m.agent_id != null && m.agent_id === me.id));

  function messageItem(c, m) {
    const from = ["visitor", "agent", "system", "note"].includes(m.from) ? m.from : "system";
    const own = isMine(m);
    const author = m.agent_name || me.name;
    const who = from === "visitor" ? visitorName(c) : from === "system" ? tr("chat-switchboard") : from === "note" ? tr("chat-note", { name: author }) : author;
    return h("li", { class: `msg from-${from}${own ? " mine" : ""}`, "data-seq": m.seq ?? null },
      h("span", { class: "who" }, who), " ", h("time", { class: "when", datetime: m.at || null }, clock(m.at)),
      m.erased ? h("p", { class: "text erased" }, h("em", {}, tr("chat-message-erased"))) : h("p", { class: "text" }, m.text),
      own ? h("span", { class: "state" }, m.pending ? tr("console-sending") : tr("console-delivered")) : null);
  }

  // What the visitor's browser said, and their earlier conversations (links to the history).
  const link = (url) => /^https?:/i.test(url) ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url) : url;
  const localTime = (zone) => { try { return new Intl.DateTimeFormat(lang, { timeStyle: "short", timeZone: zone }).format(new Date()); } catch { return ""; } };
  const day = (at) => { const d = new Date(at); return isNaN(d) ? "" : new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone }).format(d); };
  function renderFacts(c) {
    const v = c.details || {};
    const rows = [];
    const row = (key, value, name) => { if (value) rows.push(h("dt", {}, tr(key)), h("dd", name ? { "data-fact": name } : {}, value)); };
    if (Number.isInteger(v.number)) row("visitor-facts-number", tr("visitor-number-short", { number: v.number }), "number");
    row("visitor-facts-name", v.name, "name");
    row("visitor-facts-email", v.email, "email");
    row("visitor-facts-page", c.pageUrl && link(c.pageUrl), "page");
    row("visitor-facts-referrer", v.referrer && link(v.referrer), "referrer");
    row("visitor-facts-browser", v.browser && v.system ? tr("visitor-browser-on", { browser: v.browser, system: v.system }) : v.browser || v.system, "browser");
    row("visitor-facts-language", v.language, "language");
    row("visitor-facts-local-time", v.time_zone && `${localTime(v.time_zone)} (${v.time_zone})`, "local-time");
    const earlier = Array.isArray(v.earlier) ? v.earlier : [];
    row("visitor-facts-earlier", earlier.length
      ? h("ul", { class: "earlier" }, ...earlier.map((e) => h("li", {}, h("a", { href: `/history/${encodeURIComponent(e.id)}` }, day(e.started_at)),
        " · ", tr(`chat-state-${e.state}`), e.preview ? h("span", { class: "muted" }, ` · ${e.preview}`) : null)))
      : tr("visitor-first-conversation"), "earlier");
    facts.replaceChildren(...rows);
  }

  function renderChat(scroll = false) {
    const c = convs.get(selected);
    chat.hidden = !c;
    noChat.hidden = !!c;
    if (!c) return;
    title.textContent = `${visitorName(c)} · ${c.site}`;
    pageUrl.textContent = c.pageUrl || tr("console-unknown-page");
    // Only web addresses become links: a javascript: URL typed by a visitor must not run.
    if (/^https?:/i.test(c.pageUrl)) pageUrl.setAttribute("href", c.pageUrl);
    else pageUrl.removeAttribute("href");
    const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
    transcript.replaceChildren(...c.messages.map((m) => messageItem(c, m)));
    if (scroll || atBottom) transcript.scrollTop = transcript.scrollHeight;
    typingLine.textContent = tr("console-typing", { name: visitorName(c) });
    typingLine.hidden = !c.typing;
    renderFacts(c);
  }

  function renderAll(scroll) {
    renderList();
    renderChat(scroll);
  }

  // ---- The model ----
  const order = (m) => m.seq ?? Number.MAX_SAFE_INTEGER; // unacknowledged messages last
  // Adds a message unless it is shown already (same client id or seq); true if it is new.
  function addMessage(c, f) {
    if (!Number.isInteger(f.seq) || typeof f.text !== "string") return false;
    if (f.seq > c.lastSeen) c.lastSeen = f.seq;
    const known = c.messages.find((m) => (f.client_id && m.client_id === f.client_id) || m.seq === f.seq);
    const m = { seq: f.seq, client_id: f.client_id || null, from: f.from, agent_name: f.agent_name ?? null, text: f.text, erased: f.erased === true, at: f.at, pending: false };
    if (known) Object.assign(known, m);
    else c.messages.push(m);
    c.messages.sort((a, b) => order(a) - order(b));
    return !known;
  }

  function addPending(c, o) {
    if (c.messages.some((m) => m.client_id === o.client_id)) return;
    c.messages.push({ client_id: o.client_id, from: o.kind === "note" ? "note" : "agent", agent_name: me.name, text: o.text, at: null, pending: true });
  }

  // A conversation object from `state` or `conversation`; `count` marks new visitor lines unread.
  function upsert(o, count) {
    let c = convs.get(o.id);
    if (!c) convs.set(o.id, (c = { id: o.id, messages: [], lastSeen: 0, unread: 0, typing: false }));
    Object.assign(c, { site: o.site || "", visitor: o.visitor?.label || "", details: o.visitor || {}, pageUrl: o.page_url || "" });
    for (const m of Array.isArray(o.messages) ? o.messages : []) {
      if (addMessage(c, m) && count && m.from === "visitor" && c.id !== selected) c.unread++;
    }
    for (const m of outbox) if (m.conversation_id === c.id) addPending(c, m);
  }

  function autoSelect() {
    if (!convs.has(selected)) selected = null;
    if (!selected && convs.size) choose(convs.keys().next().value, false);
  }

  function choose(id, focus) {
    if (selected && selected !== id) {
      stopTyping();
      drafts.set(selected, input.value);
    }
    if (selected !== id) input.value = drafts.get(id) || "";
    selected = id;
    const c = convs.get(id);
    if (c) c.unread = 0;
    if (transferFor !== id) hideTransfer();
    renderAll(true);
    if (focus) input.focus();
  }

  function setQueues(qs) {
    qs = Array.isArray(qs) ? qs : [];
    queueCount.textContent = String(qs.reduce((n, q) => n + (Number(q.waiting) || 0), 0));
    queues.replaceChildren(...qs.map((q) => h("li", { "data-site-id": q.site_id },
      h("span", { class: "site" }, q.site), " ", h("span", { class: "waiting" }, String(Number(q.waiting) || 0)))));
  }

  // The conversation left this agent: its unsent messages cannot be delivered any more.
  function drop(id, text) {
    const c = convs.get(id);
    if (!c) return;
    convs.delete(id);
    drafts.delete(id);
    outbox = outbox.filter((m) => m.conversation_id !== id);
    saveOutbox();
    if (transferFor === id) hideTransfer();
    notify(text(visitorName(c), c.site));
    autoSelect();
    renderAll();
  }

  // ---- Frames from the server ----
  function onState(f) {
    if (["online", "away", "offline"].includes(f.status)) statusSelect.value = f.status;
    statusSelect.disabled = false;
    maxChats.textContent = String(f.max_chats ?? "–");
    setQueues(f.queues);
    const had = new Set(convs.keys());
    const now = new Set();
    for (const o of Array.isArray(f.conversations) ? f.conversations : []) {
      upsert(o, had.has(o.id));
      now.add(o.id);
    }
    const gone = [...had].filter((id) => !now.has(id));
    for (const id of gone) convs.delete(id);
    const lost = outbox.filter((m) => !convs.has(m.conversation_id));
    if (lost.length) {
      outbox = outbox.filter((m) => convs.has(m.conversation_id));
      saveOutbox();
    }
    if (gone.length || lost.length) {
      const key = (gone.length ? "console-gone" : "console-gone-some") + (lost.length ? "-dropped" : "");
      notify(tr(key, { count: gone.length, dropped: lost.length }));
    }
    if (!ready) {
      // First state of this connection: now the server knows us, send what waits.
      ready = true;
      socket.healthy();
      connection.textContent = tr("chat-connected");
      connection.dataset.state = "connected";
      for (const m of outbox) socket.send({ type: m.kind || "message", conversation_id: m.conversation_id, client_id: m.client_id, text: m.text });
    }
    autoSelect();
    renderAll();
  }

  function receive(f) {
    const c = convs.get(f.conversation_id);
    switch (f.type) {
      case "state":
        onState(f);
        break;
      case "ringing":
        if (f.conversation_id) ringing(f);
        break;
      case "ring_ended":
        ringEnded(f);
        break;
      case "conversation":
        if (!f.id) return;
        upsert(f, true);
        if (pendingFocus === f.id) { pendingFocus = null; choose(f.id, true); renderAll(); break; }
        bell.ring(f.id, tr("console-new-conversation", { visitor: f.visitor?.label || tr("chat-visitor"), site: f.site || tr("console-a-site") }), "");
        if (!selected) autoSelect();
        else notify(tr("console-new-conversation", { visitor: f.visitor?.label || tr("chat-visitor"), site: f.site || tr("console-a-site") }));
        renderAll();
        break;
      case "page":
        if (!c || typeof f.page_url !== "string") return;
        c.pageUrl = f.page_url;
        if (c.id === selected) renderChat();
        break;
      case "message":
        if (!c) return;
        if (addMessage(c, f) && f.from === "visitor") {
          c.typing = false;
          if (c.id !== selected) c.unread++;
          if (unseen(c)) bell.ring(c.id, visitorName(c), f.text);
        }
        renderAll();
        break;
      case "ack": {
        outbox = outbox.filter((m) => m.client_id !== f.client_id);
        saveOutbox();
        const m = c?.messages.find((x) => x.client_id === f.client_id);
        if (!m) return;
        m.pending = false;
        if (Number.isInteger(f.seq)) m.seq = f.seq; // not lastSeen: earlier seqs may still be on their way
        c.messages.sort((a, b) => order(a) - order(b));
        if (c.id === selected) renderChat();
        break;
      }
      case "typing":
        if (!c) return;
        c.typing = !!f.typing;
        // A visitor who vanishes never sends false; they repeat true every 2 s while typing.
        clearTimeout(c.typingTimer);
        if (c.typing) c.typingTimer = setTimeout(() => { c.typing = false; if (c.id === selected) renderChat(); }, 8000);
        if (c.id === selected) typingLine.hidden = !c.typing;
        break;
      case "closed":
        drop(f.conversation_id, (visitor, site) => tr(f.by === "agent" ? "console-closed-by-you"
          : f.by === "visitor" ? "console-closed-by-visitor" : "console-closed", { visitor, site }));
        break;
      case "removed":
        drop(f.conversation_id, (visitor, site) => tr(f.reason === "transferred" ? "console-transferred"
          : f.reason === "reassigned" ? "console-reassigned" : "console-requeued", { visitor, site }));
        break;
      case "queues":
        setQueues(f.queues);
        break;
      case "agents":
        if (f.conversation_id === transferFor) showAgents(Array.isArray(f.agents) ? f.agents : []);
        break;
      case "error":
        notify(f.message || f.code || tr("chat-something-wrong"));
        transferConfirm.disabled = false;
        break;
    }
  }

  const socket = connect(root.dataset.ws || "/console/ws", {
    open() {
      // What still rings comes again after the `state` that answers this hello.
      rings.clear();
      renderRings();
      const lastSeen = {};
      for (const c of convs.values()) if (c.lastSeen > 0) lastSeen[c.id] = c.lastSeen;
      socket.send({ type: "hello", last_seen: lastSeen });
    },
    frame: receive,
    close(ended) {
      ready = false;
      typingSent = null; // that socket's typing state died with it
      connection.textContent = ended || tr("chat-reconnecting");
      connection.dataset.state = ended ? "ended" : "reconnecting";
      statusSelect.disabled = true;
      hideTransfer();
      for (const c of convs.values()) c.typing = false;
      renderChat();
    },
  });

  // ---- The agent's actions ----
  list.addEventListener("click", (e) => {
    const li = e.target.closest("li[data-conversation-id]");
    if (li) choose(li.dataset.conversationId, true);
  });
  list.addEventListener("keydown", (e) => {
    const li = e.target.closest("li[data-conversation-id]");
    if (li && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      choose(li.dataset.conversationId, true);
    }
  });

  statusSelect.addEventListener("change", () => {
    if (!socket.send({ type: "status", status: statusSelect.value })) notify(tr("console-status-not-changed"));
    // The server's `state` answer sets the select to what is true.
  });

  // Typing: true at most every 2 s while typing, false when the field empties or after 5 s idle.
  let typingSent = null, typingAt = 0, idleTimer = 0;
  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingSent && ready) socket.send({ type: "typing", conversation_id: typingSent, typing: false });
    typingSent = null;
    typingAt = 0;
  }
  noteMode.addEventListener("change", () => {
    reply.classList.toggle("note", noteMode.checked);
    send.textContent = tr(noteMode.checked ? "console-add-note" : "console-send");
    input.placeholder = tr(noteMode.checked ? "console-note-placeholder" : "console-answer-placeholder");
    if (noteMode.checked) stopTyping();
    input.focus();
  });
  input.addEventListener("input", () => {
    if (!input.value.trim() || noteMode.checked) return stopTyping();
    if (!selected || !ready) return;
    if (typingSent !== selected || Date.now() - typingAt >= 2000) {
      if (typingSent !== selected) stopTyping();
      socket.send({ type: "typing", conversation_id: selected, typing: true });
      typingSent = selected;
      typingAt = Date.now();
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, 5000);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      reply.requestSubmit();
    }
  });

  reply.addEventListener("submit", (e) => {
    e.preventDefault();
    const c = convs.get(selected);
    const text = clean(input.value);
    if (!c || !text) return;
    const kind = noteMode.checked ? "note" : "message";
    const frame = { type: kind, conversation_id: c.id, client_id: uuid(), text };
    if (chars(text) > MAX || new TextEncoder().encode(JSON.stringify(frame)).length > FRAME_LIMIT) {
      notify(tr("console-too-long", { count: chars(text).toLocaleString(lang), max: MAX.toLocaleString(lang) }));
      return;
    }
    // Kept until acknowledged: after a reconnection it is sent again with the same client id.
    const o = { conversation_id: c.id, client_id: frame.client_id, text, kind };
    outbox.push(o);
    mine.add(o.client_id);
    saveOutbox();
    addPending(c, o);
    input.value = "";
    drafts.delete(c.id);
    stopTyping();
    if (ready) socket.send(frame);
    renderChat(true);
  });

  closeButton.addEventListener("click", () => {
    if (!selected) return;
    if (!ready || !socket.send({ type: "close", conversation_id: selected })) notify(tr("console-not-closed"));
  });

  function hideTransfer() {
    transferFor = null;
    transferBox.hidden = true;
  }
  transferButton.addEventListener("click", () => {
    if (!selected) return;
    if (!ready || !socket.send({ type: "agents", conversation_id: selected })) return notify(tr("console-try-again"));
    transferFor = selected;
    transferWait.hidden = false;
    transferTo.hidden = transferConfirm.hidden = transferEmpty.hidden = true;
    transferBox.hidden = false;
  });
  function showAgents(agents) {
    transferWait.hidden = true;
    transferTo.replaceChildren(...agents.map((a) => h("option", { value: a.user_id }, tr("console-agent-option", { name: a.name, load: a.load, max_chats: a.max_chats }))));
    transferTo.hidden = transferConfirm.hidden = !agents.length;
    transferConfirm.disabled = false;
    transferEmpty.hidden = agents.length > 0;
  }
  transferConfirm.addEventListener("click", () => {
    if (!transferFor || !transferTo.value) return;
    if (!socket.send({ type: "transfer", conversation_id: transferFor, to: transferTo.value })) return notify(tr("console-not-transferred"));
    transferConfirm.disabled = true; // until `removed` (success) or `error`
  });
  transferCancel.addEventListener("click", hideTransfer);

  renderAll();
}
