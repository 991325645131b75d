// "Test my module": reports what the widget on this page says about itself.
import { tr } from "/static/strings.js";

const show = (id, text, ok) => {
  const slot = document.querySelector(`#${id} span`);
  slot.textContent = text;
  slot.className = ok ? "ok" : "bad";
};

window.addEventListener("switchboard:ready", ({ detail }) => {
  if (!detail.active) {
    show("check-script", tr("sites-test-inactive", { reason: detail.reason }), false);
    show("check-agents", tr("sites-test-unknown"), false);
    return;
  }
  show("check-script", tr("sites-test-running"), true);
  show("check-agents", detail.online ? tr("sites-test-online") : tr("sites-test-nobody"), detail.online);
});

// The widget announces itself within seconds; silence means it did not load.
setTimeout(() => {
  const slot = document.querySelector("#check-script span");
  if (slot.classList.contains("pending")) show("check-script", tr("sites-test-not-loaded"), false);
}, 8000);
