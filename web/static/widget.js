// Switchboard chat widget. Pasted into a customer's page as
//   <script async src="https://SERVER/widget.js" data-switchboard-site="KEY"></script>
// It builds its interface inside a Shadow DOM so that no style or script leaks either way,
// and talks to SERVER over the visitor socket described in docs/chat-protocol.md.
// Every text typed by a person is shown with textContent, never as HTML.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__switchboardWidget) return; // loaded twice: keep the first
  window.__switchboardWidget = true;
  const key = script.dataset.switchboardSite || "";
  const server = new URL(script.src).origin;
  const socketUrl = `${server.replace(/^http/, "ws")}/widget/ws?site=${encodeURIComponent(key)}`;
  const MAX = 4000; // characters in a message
  const REFUSED = [4003, 4004, 4010]; // origin_not_allowed, site_not_found, site_deleted: give up

  // The words come with the configuration, in the site's language (see /widget/config):
  // t.name is a text, fill(t.queue, { position }) fills in its {$position}.
  const fill = (text, values) => String(text || "").replace(/\{\$(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : ""));

  const announce = (detail) => window.dispatchEvent(new CustomEvent("switchboard:ready", { detail }));

  // What survives a reload or a navigation on this site, per widget key:
  //   visitor: the visitor token (plain string)
  //   chat:    { conversation, open, last_seen, items }: what is shown, and the highest seq received
  //   outbox:  [{ client_id, text }]: sent or typed, not acknowledged yet
  const prefix = `switchboard:${key}:`;
  const get = (name) => { try { return localStorage.getItem(prefix + name); } catch { return null; } };
  const put = (name, value) => { try { localStorage.setItem(prefix + name, value); return true; } catch { return false; } };
  const parse = (s, fallback) => { try { return JSON.parse(s) || fallback; } catch { return fallback; } };
  const uuid = () => crypto.randomUUID ? crypto.randomUUID() // not on plain http pages
    : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
  // Control characters would bloat the JSON frame (\u0001…) past the server's 16 KiB limit.
  const clean = (s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim();
  const length = (s) => [...s].length;

  const SKELETON = `
    <div class="wrap">
      <div class="panel" hidden role="dialog" aria-labelledby="sb-title">
        <div class="head">
          <div><h2 class="title" id="sb-title"></h2><p class="status"></p></div>
          <button class="end" type="button" hidden></button>
          <button class="x" type="button">&times;</button>
        </div>
        <div class="body">
          <p class="greeting"></p>
          <div class="messages" role="log" aria-live="polite"></div>
          <div class="offline-box" hidden>
            <p class="offline-text"></p>
            <p class="back" hidden></p>
            <form class="offline fields" novalidate>
              <label><span></span><input name="name" maxlength="100" autocomplete="name"></label>
              <label><span></span><input name="email" type="email" maxlength="254" autocomplete="email" required></label>
              <label><span></span><textarea name="message" maxlength="4000" rows="4" required></textarea></label>
              <p class="err" role="alert"></p>
              <button type="submit"></button>
            </form>
            <p class="thanks" role="status" hidden></p>
          </div>
          <form class="prechat fields" novalidate hidden>
            <p class="prechat-text"></p>
            <label><span></span><input name="name" maxlength="100" autocomplete="name"></label>
            <label><span></span><input name="email" type="email" maxlength="254" autocomplete="email" required></label>
            <label><span></span><textarea name="question" maxlength="4000" rows="3"></textarea></label>
            <p class="err" role="alert"></p>
            <button class="go" type="submit"></button>
          </form>
          <div class="after" hidden>
            <form class="rate fields" novalidate>
              <p class="ask" id="sb-ask"></p>
              <div class="thumbs" role="group" aria-labelledby="sb-ask">
                <button class="thumb" type="button" data-rating="good" aria-pressed="false"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"/></svg> <span class="word"></span></button>
                <button class="thumb" type="button" data-rating="bad" aria-pressed="false"><svg viewBox="0 0 24 24" aria-hidden="true"><path transform="rotate(180 12 12)" d="M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"/></svg> <span class="word"></span></button>
              </div>
              <label><span></span><textarea name="comment" maxlength="1000" rows="2"></textarea></label>
              <p class="err" role="alert"></p>
              <button class="go" type="submit"></button>
            </form>
            <p class="rated" role="status" hidden></p>
            <form class="copy fields" novalidate>
              <label><span></span><input name="copy" type="email" maxlength="254" autocomplete="email" required></label>
              <p class="err" role="alert"></p>
              <button class="go" type="submit"></button>
            </form>
            <p class="copied" role="status" hidden></p>
          </div>
          <p class="queue" hidden></p>
          <p class="typing" hidden></p>
        </div>
        <p class="notice" role="status" hidden></p>
        <form class="composer">
          <textarea class="input" rows="2" maxlength="4000"></textarea>
          <button class="send" type="submit"></button>
        </form>
      </div>
      <button class="bubble" type="button" aria-expanded="false">
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>
        <span class="badge" aria-hidden="true" hidden></span>
      </button>
    </div>`;

  const CSS = `
    :host { all: initial !important; }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    .wrap { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; font: 400 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
            color: #1d2330; text-align: left; letter-spacing: normal; word-spacing: normal; text-transform: none; }
    .wrap.left { right: auto; left: 20px; }
    button, input, textarea { font: inherit; color: inherit; margin: 0; letter-spacing: inherit; }
    button { cursor: pointer; }
    p, h2 { margin: 0; }
    .bubble { display: flex; align-items: center; justify-content: center; position: relative; width: 56px; height: 56px; padding: 0;
              border: 0; border-radius: 50%; background: var(--c); color: var(--on); box-shadow: 0 4px 14px rgba(0,0,0,.25); }
    .bubble svg { width: 26px; height: 26px; fill: currentColor; }
    .badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px;
             background: #c5221f; color: #fff; font-size: 12px; line-height: 20px; font-weight: 600; }
    .panel { position: absolute; bottom: 70px; right: 0; display: flex; flex-direction: column; width: 360px; max-width: calc(100vw - 40px);
             height: 540px; max-height: calc(100vh - 110px); background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); overflow: hidden; }
    .left .panel { right: auto; left: 0; }
    .head { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: var(--c); color: var(--on); }
    .head > div { flex: 1; min-width: 0; }
    .title { font-size: 16px; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .status { font-size: 12px; }
    .status::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: #b0b6c0; }
    .status.online::before { background: #2bb36a; }
    .head button { background: none; color: inherit; border: 1px solid currentColor; border-radius: 6px; padding: 3px 8px; font-size: 12px; }
    .head .x { border: 0; font-size: 24px; line-height: 1; padding: 0 6px; }
    .body { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 10px; background: #f5f6f8; }
    .greeting { padding: 10px 12px; border-radius: 12px; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); white-space: pre-wrap; }
    .messages { display: flex; flex-direction: column; gap: 8px; }
    .msg { max-width: 85%; padding: 8px 12px; border-radius: 12px; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08);
           align-self: flex-start; overflow-wrap: anywhere; }
    .msg .text { white-space: pre-wrap; }
    .from-visitor { align-self: flex-end; background: var(--c); color: var(--on); }
    .from-system { align-self: center; max-width: 100%; background: none; box-shadow: none; color: #5d6575; font-size: 13px; text-align: center; }
    .who { display: block; font-size: 12px; font-weight: 600; color: #5d6575; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .state { display: block; font-size: 11px; text-align: right; opacity: .85; }
    .pending { opacity: .7; }
    .failed { background: #fdecea; color: #8a1c1c; }
    .queue, .typing { font-size: 13px; color: #5d6575; }
    .typing { font-style: italic; }
    .notice { padding: 6px 14px; font-size: 13px; background: #fff4d6; color: #5c4400; }
    .composer { display: flex; gap: 8px; margin: 0; padding: 10px; border-top: 1px solid #e3e6eb; background: #fff; }
    .input { flex: 1; resize: none; height: 48px; padding: 6px 8px; border: 1px solid #c9ced6; border-radius: 8px; background: #fff; }
    .send, .fields .go, .offline button { border: 0; border-radius: 8px; padding: 0 14px; background: var(--c); color: var(--on); font-weight: 600; }
    .fields { display: flex; flex-direction: column; gap: 8px; margin: 0; }
    .fields label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; }
    .fields input, .fields textarea { padding: 7px 8px; border: 1px solid #c9ced6; border-radius: 6px; background: #fff; font-size: 15px; }
    .fields textarea { resize: vertical; }
    .fields .go, .offline button { align-self: flex-start; padding: 9px 14px; }
    .after { display: flex; flex-direction: column; gap: 12px; padding: 12px; border-radius: 12px; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
    .ask { font-weight: 600; }
    .thumbs { display: flex; gap: 8px; }
    .thumb { display: inline-flex; align-items: center; gap: 6px; padding: 6px 12px; border: 1px solid #c9ced6; border-radius: 18px; background: #fff; }
    .thumb svg { width: 16px; height: 16px; fill: currentColor; }
    .thumb[aria-pressed="true"] { border-color: var(--c); box-shadow: inset 0 0 0 1px var(--c); font-weight: 600; }
    .rated, .copied { font-size: 13px; color: #1e6b3c; }
    .offline-text { white-space: pre-wrap; }
    .back { font-weight: 600; }
    .err { color: #b3261e; font-size: 13px; }
    .err:empty { display: none; }
    [aria-invalid="true"] { border-color: #b3261e; }
    button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 2px solid var(--c); outline-offset: 2px; }
    .head button:focus-visible, .bubble:focus-visible { outline-color: #1d2330; }
    button:disabled { opacity: .6; cursor: default; }`;

  async function start() {
    let config;
    try {
      const response = await fetch(`${server}/widget/config?site=${encodeURIComponent(key)}`, { credentials: "omit" });
      const body = await response.json();
      if (!response.ok) {
        console.warn("Switchboard:", body.error ? body.error.message : response.status);
        announce({ installed: true, active: false, reason: body.error ? body.error.code : String(response.status) });
        return;
      }
      config = body;
    } catch (e) {
      console.warn("Switchboard: the chat server cannot be reached", e);
      announce({ installed: true, active: false, reason: "unreachable" });
      return;
    }

    // ---- The interface ----
    const host = document.createElement("switchboard-chat");
    host.setAttribute("data-site", key);
    const root = host.attachShadow({ mode: "open" });
    root.innerHTML = SKELETON; // static: no data in it
    // A constructed sheet, which a host page's strict Content-Security-Policy does not block;
    // an inline <style> (which such a policy refuses, and reports) only where the browser
    // has no constructed sheets.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      const style = document.createElement("style");
      style.textContent = CSS;
      root.prepend(style);
    }
    const $ = (selector) => root.querySelector(selector);
    const wrap = $(".wrap"), panel = $(".panel"), bubble = $(".bubble"), badge = $(".badge");
    const title = $(".title"), status = $(".status"), endButton = $(".end"), closeButton = $(".x");
    const body = $(".body"), greeting = $(".greeting"), list = $(".messages"), queueLine = $(".queue"), typingLine = $(".typing");
    const notice = $(".notice"), composer = $(".composer"), input = $(".input"), sendButton = $(".send");
    const offlineBox = $(".offline-box"), offlineText = $(".offline-text"), backLine = $(".back"), form = $(".offline"), thanks = $(".thanks");
    const field = (name) => form.querySelector(`[name=${name}]`);
    const formError = form.querySelector(".err"), submit = form.querySelector("button");
    const after = $(".after"), rateForm = $(".rate"), copyForm = $(".copy"), rated = $(".rated"), copied = $(".copied");
    const thumbs = [...rateForm.querySelectorAll(".thumb")], comment = rateForm.querySelector("textarea");
    const rateError = rateForm.querySelector(".err"), copyField = copyForm.querySelector("input"), copyError = copyForm.querySelector(".err");
    const prechat = $(".prechat"), asked = (name) => prechat.querySelector(`[name=${name}]`), prechatError = prechat.querySelector(".err");
    const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/; // what an address looks like, in both forms

    let t = {};
    function apply(settings) {
      t = config.texts || {};
      const colour = /^#[0-9a-f]{6}$/i.test(settings.colour) ? settings.colour : "#2457d6";
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
      wrap.style.setProperty("--c", colour);
      wrap.style.setProperty("--on", 0.299 * r + 0.587 * g + 0.114 * b > 170 ? "#1d2330" : "#fff");
      wrap.classList.toggle("left", settings.position === "bottom-left");
      greeting.textContent = settings.greeting || "";
      greeting.hidden = !settings.greeting;
      offlineText.textContent = settings.offline_text || "";
      title.textContent = config.site || t.open;
      closeButton.setAttribute("aria-label", t.close);
      closeButton.title = t.close;
      endButton.textContent = t.end;
      list.setAttribute("aria-label", t.log);
      input.placeholder = t.placeholder;
      input.setAttribute("aria-label", t.placeholder);
      sendButton.textContent = t.send;
      form.querySelectorAll("label span").forEach((span, i) => { span.textContent = [t.name, t.email, t.message][i]; });
      submit.textContent = t.submit;
      if (!thanks.hidden) thanks.textContent = t.thanks;
      rateForm.querySelector(".ask").textContent = t.rateAsk;
      thumbs.forEach((b) => { b.querySelector(".word").textContent = b.dataset.rating === "good" ? t.good : t.bad; });
      rateForm.querySelector("label span").textContent = t.comment;
      rateForm.querySelector(".go").textContent = t.rate;
      copyForm.querySelector("label span").textContent = t.email;
      copyForm.querySelector(".go").textContent = t.copy;
      prechat.querySelector(".prechat-text").textContent = t.prechat;
      prechat.querySelectorAll("label span").forEach((span, i) => { span.textContent = [t.name, t.email, t.question][i]; });
      prechat.querySelector(".go").textContent = t.start;
      labelBubble();
      render();
      view();
    }

    // ---- State ----
    let token = get("visitor");
    let chat = parse(get("chat"), null);
    if (!chat || !Array.isArray(chat.items)) chat = { conversation: null, open: false, last_seen: 0, items: [] };
    chat.items = chat.items.filter((m) => m && typeof m.k === "string" && (typeof m.text === "string" || m.ended));
    if (!Number.isInteger(chat.last_seen) || chat.last_seen < 0) chat.last_seen = 0;
    let outbox = parse(get("outbox"), []);
    outbox = (Array.isArray(outbox) ? outbox : []).filter((m) => m && typeof m.client_id === "string" && typeof m.text === "string");
    const acknowledged = new Set(); // client ids this page saw stored
    let online = !!config.online;
    // Business hours: { open, back ("We are back on Monday at 09:00"), time_zone }.
    let hours = config.hours || { open: true };
    let visitorZone = "";
    try { visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch { /* none */ }
    let agentName = null, queuePosition = null, unread = 0;
    let offlinePending = null; // the offline_message frame waiting for offline_received
    let closeWanted = false;
    // After the end: the rating chosen, and the rate / email / send_transcript frame waiting for its answer.
    let rating = null, afterPending = null;
    // What the visitor gave in the site's pre-chat form ({ name, email }): sent with the
    // messages, kept with the conversation the first one starts.
    let given = parse(get("given"), null);
    const message = (m) => ({ type: "message", client_id: m.client_id, text: m.text, ...(given ? { name: given.name, email: given.email } : {}) });

    function saveChat() {
      chat.items = chat.items.slice(-200);
      if (!put("chat", JSON.stringify(chat))) {
        // Storage full: keep the conversation but ask for every message again next time.
        put("chat", JSON.stringify({ ...chat, items: [], last_seen: 0 }));
      }
    }
    function saveOutbox() {
      // Another tab of the same site may have its own unacknowledged messages in there: keep them.
      const mine = new Set(outbox.map((m) => m.client_id));
      const stored = parse(get("outbox"), []);
      const others = (Array.isArray(stored) ? stored : []).filter((m) => m && !mine.has(m.client_id)
        && !acknowledged.has(m.client_id) && !chat.items.some((i) => i.k === m.client_id));
      put("outbox", JSON.stringify(outbox.concat(others)));
    }

    // Messages in order: earlier conversations, then this one's by seq, then the ones not stored yet.
    function insert(item) {
      const items = chat.items;
      let j = items.length;
      while (j > 0 && items[j - 1].seq > item.seq) j--;
      items.splice(j, 0, item);
    }
    // The conversation is over: its messages stay on screen, without their seq (the next one starts at 1).
    function archive(marker) {
      chat.items.forEach((m) => delete m.seq);
      const last = chat.items[chat.items.length - 1];
      if (marker && !(last && last.ended)) chat.items.push({ k: uuid(), from: "system", ended: true });
      chat.conversation = null;
      chat.open = false;
      chat.last_seen = 0;
      agentName = queuePosition = null;
      closeWanted = false;
      agentTyping(false);
      saveChat();
      render();
      view();
    }

    // ---- Rendering (incremental, keyed, so that the live region announces only what is new) ----
    const elements = new Map();
    function build(m) {
      const el = document.createElement("div");
      if (m.from !== "system") {
        const who = el.appendChild(document.createElement("span"));
        who.className = m.from === "agent" ? "who" : "who sr";
      }
      el.appendChild(document.createElement("p")).className = "text";
      if (m.from === "visitor") el.appendChild(document.createElement("span")).className = "state";
      return el;
    }
    function render() {
      const wanted = chat.items.map((m) => [m, false]).concat(outbox.map((m) => [m, true]));
      const nearBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 80;
      const keep = new Set();
      let previous = null, added = false;
      for (const [m, pending] of wanted) {
        const k = m.k || m.client_id;
        if (keep.has(k)) continue;
        keep.add(k);
        const from = pending ? "visitor" : ["visitor", "agent", "system"].includes(m.from) ? m.from : "system";
        let el = elements.get(k);
        if (!el || el.dataset.from !== from) {
          if (el) el.remove();
          el = build({ from });
          el.dataset.from = from;
          elements.set(k, el);
          added = true;
        }
        let state = "";
        if (from === "visitor") state = pending ? "pending" : m.failed ? "failed" : "delivered";
        el.className = `msg from-${from}${m.ended ? " ended" : ""}${state ? " " + state : ""}`;
        const who = el.querySelector(".who");
        if (who) who.textContent = from === "agent" ? m.name || t.agent : t.you;
        el.querySelector(".text").textContent = m.ended ? t.ended : m.text;
        if (state) el.querySelector(".state").textContent = t[state];
        const next = previous ? previous.nextSibling : list.firstChild;
        if (el !== next) list.insertBefore(el, next);
        previous = el;
      }
      for (const [k, el] of elements) if (!keep.has(k)) { el.remove(); elements.delete(k); }
      if (added && (nearBottom || outbox.length)) body.scrollTop = body.scrollHeight;
    }

    // The conversation ended: the visitor may rate it and ask for a copy (until they write again).
    function ended() {
      archive(true);
      chat.after = true;
      saveChat();
      rating = afterPending = null;
      thumbs.forEach((b) => b.setAttribute("aria-pressed", "false"));
      rateForm.reset();
      rated.hidden = copied.hidden = true;
      rateError.textContent = copyError.textContent = "";
      view();
    }
    function afterOut(frame) {
      afterPending = frame;
      if (ready) out(frame);
      else ensure();
    }

    function view() {
      const offline = !online && !chat.open && !outbox.length;
      // The site asks who the visitor is before a chat starts.
      const asking = !offline && !chat.open && !outbox.length && !given && !!config.settings.prechat_form;
      prechat.hidden = !asking;
      after.hidden = !(chat.after && !chat.open && !outbox.length);
      if (!after.hidden && !copyField.value) copyField.value = get("email") || "";
      composer.hidden = offline || asking;
      offlineBox.hidden = !offline;
      endButton.hidden = !chat.open;
      queueLine.hidden = !(chat.open && queuePosition > 0 && !agentName);
      queueLine.textContent = fill(t.queue, { position: queuePosition });
      const lost = !ready && everReady && !stopped;
      status.textContent = lost ? t.reconnecting : chat.open && agentName ? fill(t.with, { name: agentName })
        : online ? t.online : hours.open === false ? t.closed : t.offline;
      // The time is the company's: name its zone when the visitor lives in another.
      const zone = hours.time_zone && visitorZone && hours.time_zone !== visitorZone ? ` (${hours.time_zone})` : "";
      backLine.textContent = hours.back ? hours.back + zone : "";
      backLine.hidden = !(offline && hours.open === false && hours.back);
      status.classList.toggle("online", online && !lost);
    }

    let typingTimer = 0;
    function agentTyping(on, name) {
      clearTimeout(typingTimer);
      typingLine.hidden = !on;
      if (on) {
        typingLine.textContent = name || agentName ? fill(t.typing, { name: name || agentName }) : t.typingAgent;
        typingTimer = setTimeout(agentTyping, 15000, false); // a lost "false" does not stick
        if (body.scrollHeight - body.scrollTop - body.clientHeight < 120) body.scrollTop = body.scrollHeight;
      }
    }

    let noticeTimer = 0;
    function say(text, ms = 6000) {
      clearTimeout(noticeTimer);
      notice.textContent = text;
      notice.hidden = false;
      noticeTimer = setTimeout(() => { notice.hidden = true; }, ms);
    }

    function labelBubble() {
      const open = !panel.hidden;
      bubble.setAttribute("aria-label", open ? t.close : unread ? `${t.open} (${unread})` : t.open);
      badge.textContent = unread;
      badge.hidden = open || !unread;
    }
    function toggle(open) {
      panel.hidden = !open;
      bubble.setAttribute("aria-expanded", String(open));
      if (open) {
        unread = 0;
        ensure();
        (!offlineBox.hidden ? field("name") : !prechat.hidden ? asked("name") : input).focus();
        body.scrollTop = body.scrollHeight;
      }
      labelBubble();
    }

    // ---- The socket ----
    let ws = null, ready = false, everReady = false, stopped = false, attempt = 0, retryTimer = 0;
    // Pace frames like the server does (bursts of 10, 2 a second) so they are not dropped.
    let tokens = 8, tokensAt = 0, waiting = [], drainTimer = 0;
    function refill() {
      const now = Date.now();
      tokens = Math.min(8, tokens + (now - tokensAt) / 500);
      tokensAt = now;
    }
    function out(frame, droppable) {
      if (!ready) return;
      refill();
      if (waiting.length || tokens < 1) {
        if (!droppable) waiting.push(frame);
        if (!drainTimer) drainTimer = setTimeout(drain, 520);
        return;
      }
      tokens--;
      ws.send(JSON.stringify(frame));
    }
    function drain() {
      drainTimer = 0;
      if (!ready) return;
      refill();
      while (waiting.length && tokens >= 1) {
        tokens--;
        ws.send(JSON.stringify(waiting.shift()));
      }
      if (waiting.length) drainTimer = setTimeout(drain, 520);
    }
    // Everything not confirmed yet, with the original client ids (the server stores each once).
    function flush() {
      waiting = waiting.filter((f) => f.type === "typing");
      for (const m of outbox) out(message(m));
      if (offlinePending) out(offlinePending);
      if (closeWanted && chat.open) out({ type: "close" });
      if (afterPending) out(afterPending);
    }

    // What the agent sees of the visitor: where they came from (the first page of another
    // site, kept for the visit), their language and time zone.
    function about() {
      let referrer = "";
      try {
        const from = document.referrer && new URL(document.referrer);
        if (from && from.origin !== location.origin) sessionStorage.setItem("switchboard:referrer", from.href.slice(0, 2000));
        referrer = sessionStorage.getItem("switchboard:referrer") || "";
      } catch { /* storage off or an odd referrer: none */ }
      let timeZone = "";
      try { timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch { /* none */ }
      return { referrer, language: navigator.language || "", time_zone: timeZone };
    }

    function ensure() {
      if (!ws && !retryTimer) connect();
    }
    function connect() {
      if (stopped || ws) return;
      let socket;
      try { socket = new WebSocket(socketUrl); } catch { retry(); return; }
      ws = socket;
      let lastSeen = 0;
      socket.onopen = () => {
        if (socket !== ws) return;
        // A conversation started on this page has no known id yet: ask for all of it, so that
        // a different one (with seqs below ours) is noticed and nothing of it is skipped.
        lastSeen = chat.conversation ? chat.last_seen : 0;
        socket.send(JSON.stringify({ type: "hello", visitor_token: token || null, last_seen: lastSeen, page_url: location.href.slice(0, 2000), ...about() }));
      };
      socket.onmessage = (e) => {
        if (socket !== ws) return;
        let frame;
        try { frame = JSON.parse(e.data); } catch { return; }
        if (frame && typeof frame === "object") receive(frame, lastSeen);
      };
      socket.onclose = (e) => {
        if (socket !== ws) return;
        ws = null;
        ready = false;
        waiting = [];
        clearTimeout(drainTimer);
        drainTimer = 0;
        typingSent = false;
        agentTyping(false);
        if (REFUSED.includes(e.code)) {
          stopped = true;
          wrap.hidden = true;
          return;
        }
        retry();
        view();
      };
    }
    function retry() {
      if (stopped || retryTimer) return;
      const delay = Math.min(30000, 1000 * 2 ** Math.min(attempt++, 5) * (0.8 + Math.random() * 0.4));
      retryTimer = setTimeout(() => { retryTimer = 0; connect(); }, delay);
    }

    function receive(f, lastSeen) {
      switch (f.type) {
        case "welcome": {
          if (typeof f.visitor_token === "string" && f.visitor_token) {
            token = f.visitor_token;
            put("visitor", token);
          }
          if (f.settings) config.settings = f.settings;
          if (f.texts) config.texts = f.texts;
          online = !!f.online;
          if (f.hours) hours = f.hours;
          const c = f.conversation && f.conversation.state !== "closed" ? f.conversation : null;
          if (!c) {
            if (chat.open || chat.last_seen) ended(); // it ended while we were away
          } else {
            if (chat.conversation && chat.conversation !== c.id) {
              // Not the conversation our last_seen belongs to: ask again from the start.
              archive(true);
              chat.conversation = c.id;
              chat.open = true;
              saveChat();
              if (lastSeen) {
                const old = ws;
                ws = null; // its close event is ignored
                old.close(1000);
                connect();
                return;
              }
            }
            chat.conversation = c.id;
            chat.open = true;
            agentName = c.state === "assigned" ? c.agent_name || null : null;
            queuePosition = c.state === "waiting" ? c.queue_position : null;
            saveChat();
          }
          if (!chat.open) closeWanted = false;
          ready = everReady = true;
          attempt = 0;
          tokens = 8;
          tokensAt = Date.now();
          apply(config.settings);
          flush();
          break;
        }
        case "message": {
          if (!Number.isInteger(f.seq) || typeof f.text !== "string") return;
          const id = f.client_id;
          const same = chat.items.find((m) => m.seq === f.seq);
          // The same seq with another message: this is another conversation than the one shown.
          if (same && (id ? same.k !== id : same.text !== f.text)) {
            const [conversation, agent, position] = [chat.conversation, agentName, queuePosition];
            archive(true);
            [chat.conversation, agentName, queuePosition] = [conversation, agent, position];
          }
          if (f.seq > chat.last_seen) chat.last_seen = f.seq;
          chat.open = true;
          if (!chat.items.some((m) => m.seq === f.seq || (id && m.k === id))) {
            const i = id ? outbox.findIndex((m) => m.client_id === id) : -1;
            if (i >= 0) {
              outbox.splice(i, 1);
              acknowledged.add(id);
              saveOutbox();
            }
            insert({ k: id || uuid(), seq: f.seq, from: f.from, name: f.agent_name || null, text: f.text, at: f.at });
            if (f.from === "agent") {
              agentTyping(false);
              if (panel.hidden) unread++;
              labelBubble();
            }
          }
          saveChat();
          render();
          view();
          break;
        }
        case "ack": {
          const i = outbox.findIndex((m) => m.client_id === f.client_id);
          if (i < 0) return;
          const [m] = outbox.splice(i, 1);
          acknowledged.add(m.client_id);
          saveOutbox();
          if (!chat.items.some((x) => x.k === m.client_id || (f.seq != null && x.seq === f.seq))) {
            insert({ k: m.client_id, seq: Number.isInteger(f.seq) ? f.seq : undefined, from: "visitor", text: m.text });
          }
          chat.open = true;
          saveChat();
          render();
          view();
          break;
        }
        case "queue":
          queuePosition = f.position;
          view();
          break;
        case "assigned":
          agentName = f.agent_name || null;
          queuePosition = null;
          view();
          break;
        case "typing":
          agentTyping(!!f.typing, f.agent_name);
          break;
        case "closed":
          ended();
          break;
        case "rated":
          afterPending = null;
          rated.textContent = t.rated;
          rated.hidden = false;
          break;
        case "email_noted":
          // The address is the visitor's own now: the copy may go to it.
          if (afterPending && afterPending.type === "email") afterOut({ type: "send_transcript", email: afterPending.email, request_id: uuid() });
          break;
        case "transcript_requested":
          if (afterPending && afterPending.request_id === f.request_id) {
            copied.textContent = fill(t.copySent, { email: afterPending.email });
            copied.hidden = false;
            afterPending = null;
          }
          break;
        case "status":
          online = !!f.online;
          if (f.hours) hours = f.hours;
          view();
          break;
        case "offline_received":
          if (offlinePending && f.client_id === offlinePending.client_id) {
            offlinePending = null;
            form.reset();
            form.hidden = true;
            thanks.textContent = t.thanks;
            thanks.hidden = false;
          }
          break;
        case "error":
          if (f.code === "rate_limited" || f.code === "unavailable") {
            // Too fast, or the server could not store it now: nothing was stored.
            say(f.code === "rate_limited" ? t.slow : t.error, 4000);
            // Wait, then send again whatever is not confirmed.
            const wait = Math.max(1, Number(f.retry_after) || 1) * 1000;
            tokens = 0;
            tokensAt = Date.now() + wait;
            clearTimeout(drainTimer);
            drainTimer = 0;
            flush();
          } else if (f.code === "closed") {
            // Outside business hours no chat starts: what was typed moves to the offline form.
            const typed = outbox.map((m) => m.text).join("\n");
            outbox = [];
            saveOutbox();
            if (typed && !field("message").value) field("message").value = typed;
            online = false;
            render();
            view();
            say(f.message || t.closed);
          } else if (afterPending) {
            const rate = afterPending.type === "rate";
            afterPending = null;
            (rate ? rateError : copyError).textContent = { invalid_email: t.badEmail, comment_too_long: t.commentTooLong }[f.code] || f.message || t.error;
            if (!rate) copyField.setAttribute("aria-invalid", "true");
          } else if (offlinePending) {
            offlinePending = null;
            submit.disabled = false;
            const bad = f.code === "invalid_email" ? "email" : f.code === "invalid_input" ? "name" : "message";
            formError.textContent = { invalid_email: t.badEmail, empty_message: t.noMessage, message_too_long: t.tooLong }[f.code] || t.error;
            field(bad).setAttribute("aria-invalid", "true");
          } else if ((f.code === "invalid_email" || f.code === "invalid_input") && outbox.length && config.settings.prechat_form) {
            // The pre-chat form's details were refused (or the site asks for them now): back to it.
            asked("question").value = outbox.map((m) => m.text).join("\n");
            outbox = [];
            saveOutbox();
            given = null;
            put("given", "null");
            prechatError.textContent = f.code === "invalid_email" ? t.badEmail : t.error;
            render();
            view();
          } else if (f.code === "message_too_long" && outbox.length) {
            // Errors carry no client id: the culprit is the longest message waiting.
            const m = outbox.reduce((a, b) => (length(b.text) > length(a.text) ? b : a));
            outbox.splice(outbox.indexOf(m), 1);
            saveOutbox();
            input.value = input.value ? `${m.text}\n${input.value}` : m.text;
            render();
            view();
            say(t.tooLong);
          } else {
            say(f.code === "message_too_long" ? t.tooLong : t.error);
          }
          break;
      }
    }

    // ---- The visitor's actions ----
    let typingSent = false, typingAt = 0, idleTimer = 0;
    function stopTyping() {
      clearTimeout(idleTimer);
      if (typingSent) out({ type: "typing", typing: false }, true);
      typingSent = false;
      typingAt = 0;
    }
    input.addEventListener("input", () => {
      if (!input.value.trim()) return stopTyping();
      if (ready && chat.open && Date.now() - typingAt >= 2000) {
        out({ type: "typing", typing: true }, true);
        typingSent = true;
        typingAt = Date.now();
      }
      clearTimeout(idleTimer);
      idleTimer = setTimeout(stopTyping, 5000);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        send();
      }
    });
    composer.addEventListener("submit", (e) => {
      e.preventDefault();
      send();
    });
    function send() {
      const text = clean(input.value);
      if (!text) return;
      if (length(text) > MAX || new TextEncoder().encode(JSON.stringify(text)).length > 15000) {
        say(t.tooLong);
        return;
      }
      const m = { client_id: uuid(), text };
      chat.after = false; // a new conversation: the last one's rating is behind
      saveChat();
      outbox.push(m);
      saveOutbox();
      input.value = "";
      stopTyping();
      render();
      view();
      body.scrollTop = body.scrollHeight;
      if (ready) out(message(m));
      else ensure();
    }

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (offlinePending) return;
      const values = {};
      for (const name of ["name", "email", "message"]) {
        field(name).removeAttribute("aria-invalid");
        values[name] = clean(field(name).value);
      }
      let problem = null;
      if (!values.message) problem = ["message", t.noMessage];
      if (!EMAIL.test(values.email)) problem = ["email", t.badEmail];
      if (problem) {
        formError.textContent = problem[1];
        field(problem[0]).setAttribute("aria-invalid", "true");
        field(problem[0]).focus();
        return;
      }
      formError.textContent = "";
      put("email", values.email);
      offlinePending = { type: "offline_message", client_id: uuid(), ...values };
      submit.disabled = true;
      if (ready) out(offlinePending);
      else ensure();
    });

    prechat.addEventListener("submit", (e) => {
      e.preventDefault();
      const values = {};
      for (const name of ["name", "email", "question"]) {
        asked(name).removeAttribute("aria-invalid");
        values[name] = clean(asked(name).value);
      }
      // As the offline form checks them, with its words.
      const problem = !EMAIL.test(values.email) ? ["email", t.badEmail] : length(values.question) > MAX ? ["question", t.tooLong] : null;
      if (problem) {
        prechatError.textContent = problem[1];
        asked(problem[0]).setAttribute("aria-invalid", "true");
        asked(problem[0]).focus();
        return;
      }
      prechatError.textContent = "";
      given = { name: values.name, email: values.email };
      put("given", JSON.stringify(given));
      put("email", values.email);
      prechat.reset();
      view();
      input.focus();
      if (values.question) {
        input.value = values.question;
        send();
      }
    });

    thumbs.forEach((b) => b.addEventListener("click", () => {
      rating = b.dataset.rating;
      thumbs.forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      rateError.textContent = "";
    }));
    rateForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = clean(comment.value);
      rateError.textContent = !rating ? t.pickRating : length(text) > 1000 ? t.commentTooLong : "";
      if (!rateError.textContent) afterOut({ type: "rate", rating, comment: text });
    });
    copyForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const email = clean(copyField.value);
      copyField.removeAttribute("aria-invalid");
      copied.hidden = true;
      if (!EMAIL.test(email)) {
        copyError.textContent = t.badEmail;
        copyField.setAttribute("aria-invalid", "true");
        copyField.focus();
        return;
      }
      copyError.textContent = "";
      put("email", email);
      afterOut({ type: "email", email });
    });

    endButton.addEventListener("click", () => {
      closeWanted = true;
      if (ready) out({ type: "close" });
      else ensure();
    });
    bubble.addEventListener("click", () => toggle(panel.hidden));
    closeButton.addEventListener("click", () => {
      toggle(false);
      bubble.focus();
    });
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        toggle(false);
        bubble.focus();
      }
    });
    // Keys typed in the widget are not the page's shortcuts.
    for (const type of ["keydown", "keyup", "keypress"]) root.addEventListener(type, (e) => e.stopPropagation());

    apply(config.settings);
    document.body.appendChild(host);
    // A visitor with a conversation under way gets its news at once; others connect when they open the chat.
    if (token && (chat.open || outbox.length)) connect();
    announce({ installed: true, active: true, online: config.online, site: config.site });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
