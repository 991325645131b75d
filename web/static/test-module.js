// "Test my module": reports what the widget on this page says about itself.
const show = (id, text, ok) => {
  const slot = document.querySelector(`#${id} span`);
  slot.textContent = text;
  slot.className = ok ? "ok" : "bad";
};

window.addEventListener("switchboard:ready", ({ detail }) => {
  if (!detail.active) {
    show("check-script", `installed, but not active (${detail.reason})`, false);
    show("check-agents", "unknown", false);
    return;
  }
  show("check-script", "installed and running", true);
  show("check-agents", detail.online ? "yes: open the bubble to chat" : "nobody online yet", detail.online);
});

// The widget announces itself within seconds; silence means it did not load.
setTimeout(() => {
  const slot = document.querySelector("#check-script span");
  if (slot.classList.contains("pending")) show("check-script", "did not load: check the snippet and the server address", false);
}, 8000);
