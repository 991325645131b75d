// What the agent console and the supervisor board share: building elements (text stays
// text), a notice line, and a socket to this server that reconnects by itself.

import { tr } from "./strings.js";

// createElement with attributes; strings among the children become text nodes.
/** A random UUID, also where crypto.randomUUID is missing (plain-http pages other than localhost). */
export const uuid = () => crypto.randomUUID ? crypto.randomUUID()
  : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v != null && v !== false) el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}

// A function that shows a text in `notice` for 20 s; a click hides it sooner.
export function notifier(notice) {
  let timer = 0;
  notice.addEventListener("click", () => { notice.hidden = true; });
  return (text) => {
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { notice.hidden = true; }, 20000);
  };
}

// The socket, reconnecting with exponential backoff (1 s, 2 s, 4 s … 30 s, ±20 % jitter).
export function connect(path, on) {
  const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
  let ws = null, attempt = 0, timer = 0;
  const open = () => {
    clearTimeout(timer);
    const socket = (ws = new WebSocket(url));
    socket.onopen = () => socket === ws && on.open();
    socket.onmessage = (e) => {
      if (socket !== ws) return;
      let f;
      try { f = JSON.parse(e.data); } catch { return; }
      if (f && typeof f.type === "string") on.frame(f);
    };
    socket.onclose = (e) => {
      if (socket !== ws) return;
      ws = null;
      // The session ended (logged out, deactivated, password reset): log in again. The
      // role was taken away: stay closed and say so.
      if (e.code === 4401) { location.assign("/login"); return; }
      if (e.code === 4403) { on.close(tr("chat-role-removed")); return; }
      on.close();
      timer = setTimeout(open, Math.min(30000, 1000 * 2 ** Math.min(attempt++, 5) * (0.8 + Math.random() * 0.4)));
    };
  };
  // Back on the network: no need to wait for the rest of the backoff.
  window.addEventListener("online", () => { if (!ws) open(); });
  open();
  return {
    send(frame) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    healthy() { attempt = 0; }, // called once the server answered hello, not merely on open
  };
}
