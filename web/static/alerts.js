// How the console tells an agent that something needs them while they look elsewhere: a
// short tone (Web Audio: no sound file to fetch) and a desktop notification, each as the
// agent chose on their account page (`data-sound`, `data-desktop` on the console's root).

import { h } from "./live.js";
import { tr } from "./strings.js";

export function alerts(root, { onOpen }) {
  const sound = root.dataset.sound === "true";
  const desktop = root.dataset.desktop === "true" && "Notification" in window;
  let audio = null;

  // Browsers ask once, from a click: a button offers it while the answer is not known.
  const ask = h("button", { id: "allow-notifications", type: "button", class: "secondary", hidden: true }, tr("console-allow-notifications"));
  const refresh = () => { ask.hidden = !desktop || Notification.permission !== "default"; };
  ask.addEventListener("click", () => Notification.requestPermission().then(refresh, refresh));
  refresh();

  function tone() {
    try {
      audio ??= new AudioContext();
      audio.resume();
      const beep = audio.createOscillator(), gain = audio.createGain();
      beep.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      beep.connect(gain).connect(audio.destination);
      beep.start();
      beep.stop(audio.currentTime + 0.4);
    } catch { /* no audio device: the title and the list still say it */ }
  }

  return {
    button: ask,
    /** Something for conversation `id`; `title` and `body` for the notification. */
    ring(id, title, body) {
      if (sound) tone();
      if (desktop && Notification.permission === "granted") {
        const n = new Notification(title, { body, tag: id, lang: document.documentElement.lang });
        n.onclick = () => { window.focus(); onOpen(id); n.close(); };
      }
    },
  };
}
