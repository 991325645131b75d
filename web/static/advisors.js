// Advisors of a site: move agents between priority columns by pointer drag,
// keyboard or the fallback <select>s, saving each move through the JSON API.
// Loaded as a module, so the DOM is already parsed and nothing leaks globally.
// Its words come from the page (layout::strings), in the reader's language.

import { tr } from "/static/strings.js";

const root = document.getElementById("advisors");
if (root) init(root);

function init(root) {
  const api = root.dataset.api;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const status = root.querySelector("#advisors-status");
  const form = root.querySelector("#advisors-form");
  const ORDER = ["none", "high", "normal", "low"];
  const DRAG_THRESHOLD = 4; // px; below this a press is a click, not a drag
  const inFlight = new Set(); // user ids with a request pending (one per agent)
  let grabbed = null; // keyboard pick-up: { li, index }
  let drag = null; // pointer drag: { li, pointerId, x, y, ghost }

  root.classList.add("js"); // the stylesheet swaps the form for the board

  const zoneFor = (priority) => root.querySelector(`.dropzone[data-priority="${priority}"]`);
  const priorityOf = (li) => li.closest(".dropzone")?.dataset.priority;
  const selectFor = (id) => form?.querySelector(`select[data-user-id="${CSS.escape(id)}"]`);
  const agentFor = (id) => root.querySelector(`li.agent[data-user-id="${CSS.escape(id)}"]`);
  const columnName = (priority) =>
    zoneFor(priority)?.closest(".column")?.querySelector("h2")?.textContent.trim() ?? priority;

  // The li holds "Name <small>email</small>"; the name is everything but the email.
  const agentName = (li) => {
    const copy = li.cloneNode(true);
    copy.querySelectorAll("small").forEach((s) => s.remove());
    return copy.textContent.replace(/\s+/g, " ").trim();
  };

  const announce = (message, isError = false) => {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("error", isError);
  };

  const clearOver = () => root.querySelectorAll(".dropzone.over").forEach((z) => z.classList.remove("over"));
  const highlight = (zone) => {
    clearOver();
    zone?.classList.add("over");
  };

  // Touch needs touch-action:none or the browser scrolls instead of sending pointermoves;
  // user-select:none keeps a mouse drag from selecting text. Set here so the page needs no CSS for it.
  for (const li of root.querySelectorAll("li.agent")) {
    li.style.touchAction = "none";
    li.style.userSelect = "none";
  }

  // Reads the API's {"error":{"message"}} body, falling back to the HTTP status.
  const errorMessage = async (response) => {
    try {
      const body = await response.json();
      if (body?.error?.message) return body.error.message;
    } catch {
      // Not JSON: use the status line below.
    }
    return tr("advisors-js-http-error", { status: response.status });
  };

  const request = (id, priority) => {
    const url = `${api}/${encodeURIComponent(id)}`;
    const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
    if (priority === "none") return fetch(url, { method: "DELETE", headers, credentials: "same-origin" });
    return fetch(url, {
      method: "PUT",
      headers: { ...headers, "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ priority }),
    });
  };

  // Moving a node out of the document blurs it; put focus back when it had it.
  const place = (li, parent, before, keepFocus) => {
    parent.insertBefore(li, before && before.parentNode === parent ? before : null);
    if (keepFocus) li.focus();
  };

  // Optimistic move: update both views now, save, and roll back if the server refuses.
  const move = async (li, priority, keepFocus = document.activeElement === li) => {
    const id = li.dataset.userId;
    const from = priorityOf(li);
    const select = selectFor(id);
    if (!id || priority === from || !zoneFor(priority)) return;
    // Removing someone from the site is confirmed first (the form without JavaScript asks on a page).
    if (priority === "none" && !window.confirm(tr("advisors-js-confirm-remove", { name: agentName(li) }))) {
      if (select) select.value = from;
      announce(tr("advisors-js-kept", { name: agentName(li) }));
      return;
    }
    if (inFlight.has(id)) {
      // Serialise per agent: a second move before the first is saved would race on the server.
      if (select) select.value = from;
      announce(tr("advisors-js-still-saving", { name: agentName(li) }));
      return;
    }
    const origin = { parent: li.parentNode, next: li.nextSibling };
    inFlight.add(id);
    place(li, zoneFor(priority), null, keepFocus);
    if (select) select.value = priority;
    li.classList.add("saving");
    li.setAttribute("aria-busy", "true");

    let failure = null;
    try {
      const response = await request(id, priority);
      if (!response.ok) failure = await errorMessage(response);
    } catch {
      failure = tr("advisors-js-network-error");
    }

    inFlight.delete(id);
    li.classList.remove("saving");
    li.removeAttribute("aria-busy");
    if (failure) {
      place(li, origin.parent, origin.next, document.activeElement === li);
      if (select) select.value = from;
      announce(failure, true);
    } else {
      if (select) select.value = priority;
      const what = priority === "none" ? tr("advisors-js-no-longer-assigned") : columnName(priority);
      announce(tr("advisors-js-saved", { name: agentName(li), what }));
    }
  };

  // ---- Keyboard ----------------------------------------------------------

  const DIRECT_KEYS = { 1: "high", h: "high", 2: "normal", n: "normal", 3: "low", l: "low", 0: "none", delete: "none", backspace: "none" };

  const pickUp = (li) => {
    const index = ORDER.indexOf(priorityOf(li));
    grabbed = { li, index };
    li.classList.add("grabbed");
    highlight(zoneFor(ORDER[index]));
    announce(tr("advisors-js-picked-up", { name: agentName(li) }));
  };

  const release = () => {
    if (!grabbed) return null;
    const { li, index } = grabbed;
    grabbed = null;
    li.classList.remove("grabbed");
    clearOver();
    return { li, target: ORDER[index] };
  };

  const cancelGrab = () => {
    const released = release();
    if (released) announce(tr("advisors-js-cancelled", { name: agentName(released.li) }));
  };

  root.addEventListener("keydown", (event) => {
    const li = event.target.closest?.("li.agent");
    if (!li || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();

    if (grabbed?.li === li) {
      if (key === "arrowright" || key === "arrowleft") {
        const step = key === "arrowright" ? 1 : -1;
        grabbed.index = Math.min(ORDER.length - 1, Math.max(0, grabbed.index + step));
        const target = ORDER[grabbed.index];
        highlight(zoneFor(target));
        announce(columnName(target));
      } else if (key === "enter" || key === " ") {
        const { target } = release();
        if (target === priorityOf(li)) announce(tr("advisors-js-not-moved", { name: agentName(li) }));
        else move(li, target, true);
      } else if (key === "escape") {
        cancelGrab();
      } else {
        return; // let Tab and others behave normally
      }
      event.preventDefault();
      return;
    }

    if (li.classList.contains("saving")) {
      if (key === "enter" || key === " " || Object.hasOwn(DIRECT_KEYS, key)) announce(tr("advisors-js-still-saving", { name: agentName(li) }));
      return;
    }
    if (key === "enter" || key === " ") {
      if (grabbed) cancelGrab();
      pickUp(li);
    } else if (Object.hasOwn(DIRECT_KEYS, key)) {
      move(li, DIRECT_KEYS[key], true);
    } else {
      return;
    }
    event.preventDefault(); // Space would scroll, Backspace could navigate in old browsers
  });

  // Leaving the grabbed item (Tab, click elsewhere) abandons the keyboard move.
  root.addEventListener("focusout", (event) => {
    if (grabbed && event.target === grabbed.li) cancelGrab();
  });

  // ---- Pointer drag (mouse, pen, touch) ----------------------------------

  // Looser than closest('.dropzone') alone: a column's heading or padding also counts,
  // so an empty, short list is still an easy target.
  const zoneAt = (x, y) => {
    const el = document.elementFromPoint(x, y);
    const zone = el?.closest(".dropzone") ?? el?.closest(".column")?.querySelector(".dropzone");
    return zone && root.contains(zone) ? zone : null;
  };

  const startGhost = (li) => {
    const rect = li.getBoundingClientRect();
    const ghost = li.cloneNode(true);
    ghost.removeAttribute("data-user-id");
    ghost.removeAttribute("tabindex");
    ghost.setAttribute("aria-hidden", "true");
    ghost.classList.add("drag-ghost");
    Object.assign(ghost.style, {
      position: "fixed", left: `${rect.left}px`, top: `${rect.top}px`, width: `${rect.width}px`,
      margin: "0", boxSizing: "border-box", pointerEvents: "none", zIndex: "1000", listStyle: "none",
    });
    root.append(ghost); // inside #advisors so scoped styles still apply
    li.classList.add("dragging");
    getSelection()?.removeAllRanges();
    return ghost;
  };

  const endDrag = () => {
    const state = drag;
    drag = null;
    if (!state) return null;
    state.ghost?.remove();
    state.li.classList.remove("dragging");
    clearOver();
    if (state.li.hasPointerCapture?.(state.pointerId)) state.li.releasePointerCapture(state.pointerId);
    return state;
  };

  root.addEventListener("pointerdown", (event) => {
    const li = event.target.closest("li.agent");
    if (!li || !event.isPrimary || event.button !== 0 || drag || li.classList.contains("saving")) return;
    if (grabbed) cancelGrab();
    drag = { li, pointerId: event.pointerId, x: event.clientX, y: event.clientY, ghost: null };
    // Capture so moves and the release still reach us when the pointer leaves the item.
    li.setPointerCapture(event.pointerId);
  });

  root.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.ghost) {
      if (Math.hypot(dx, dy) <= DRAG_THRESHOLD) return;
      drag.ghost = startGhost(drag.li);
    }
    drag.ghost.style.transform = `translate(${dx}px, ${dy}px)`;
    highlight(zoneAt(event.clientX, event.clientY));
  });

  root.addEventListener("pointerup", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const dragged = Boolean(drag.ghost);
    const { li } = endDrag();
    if (!dragged) return; // a plain click: focus only
    const zone = zoneAt(event.clientX, event.clientY);
    if (zone && zone.dataset.priority !== priorityOf(li)) move(li, zone.dataset.priority, true);
    else li.focus();
  });

  // The browser took the pointer (scroll, palm rejection...) or capture was lost: drop nothing.
  root.addEventListener("pointercancel", (event) => {
    if (drag && event.pointerId === drag.pointerId) endDrag();
  });
  root.addEventListener("lostpointercapture", (event) => {
    if (drag && event.pointerId === drag.pointerId) endDrag();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && drag) {
      const { li } = endDrag();
      announce(tr("advisors-js-cancelled", { name: agentName(li) }));
    }
  });

  // ---- Fallback form -----------------------------------------------------

  // With JS on, each select saves at once like a move; the Save button still posts the form.
  form?.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-user-id]");
    const li = select && agentFor(select.dataset.userId);
    if (li) move(li, select.value, false);
  });
}
