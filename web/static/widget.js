// Switchboard chat widget loader. Pasted into a customer's page as
//   <script async src="https://SERVER/widget.js" data-switchboard-site="KEY"></script>
// It builds its interface inside a Shadow DOM so that no style or script leaks either way.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__switchboardWidget) return; // loaded twice: keep the first
  window.__switchboardWidget = true;
  const key = script.dataset.switchboardSite || "";
  const server = new URL(script.src).origin;

  const texts = {
    en: { open: "Chat with us", close: "Close", online: "We are online", offline: "Nobody is online right now" },
    fr: { open: "Discuter avec nous", close: "Fermer", online: "Nous sommes en ligne", offline: "Personne n'est en ligne pour le moment" },
  };

  const announce = (detail) => window.dispatchEvent(new CustomEvent("switchboard:ready", { detail }));

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
    const t = texts[config.settings.language] || texts.en;
    const host = document.createElement("switchboard-chat");
    host.setAttribute("data-site", key);
    const root = host.attachShadow({ mode: "open" });
    const side = config.settings.position === "bottom-left" ? "left" : "right";
    root.innerHTML = `
      <style>
        :host { all: initial; }
        .wrap { position: fixed; bottom: 20px; ${side}: 20px; z-index: 2147483000; font: 15px/1.4 system-ui, sans-serif; color: #1d2330; }
        .bubble { width: 56px; height: 56px; border-radius: 50%; border: none; cursor: pointer; color: #fff; font-size: 26px;
                  box-shadow: 0 4px 14px rgba(0,0,0,.25); }
        .panel { position: absolute; bottom: 70px; ${side}: 0; width: 320px; max-width: calc(100vw - 40px); background: #fff;
                 border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); padding: 16px; }
        .panel[hidden] { display: none; }
        .status { font-size: 13px; color: #5d6575; margin-top: 8px; }
        .status::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: #b0b6c0; }
        .status.online::before { background: #1f8f4e; }
      </style>
      <div class="wrap">
        <div class="panel" hidden role="dialog" aria-label="${t.open}">
          <p class="greeting"></p>
          <p class="status"></p>
        </div>
        <button class="bubble" type="button" aria-expanded="false" aria-label="${t.open}">💬</button>
      </div>`;
    const bubble = root.querySelector(".bubble");
    const panel = root.querySelector(".panel");
    bubble.style.background = config.settings.colour;
    root.querySelector(".greeting").textContent = config.settings.greeting;
    const status = root.querySelector(".status");
    status.textContent = config.online ? t.online : t.offline;
    status.classList.toggle("online", config.online);
    bubble.addEventListener("click", () => {
      const open = panel.hidden;
      panel.hidden = !open;
      bubble.setAttribute("aria-expanded", String(open));
      bubble.setAttribute("aria-label", open ? t.close : t.open);
    });
    document.body.appendChild(host);
    announce({ installed: true, active: true, online: config.online, site: config.site });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
