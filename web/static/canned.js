// The console's canned-response picker: `/` at the start of the answer box (or after a
// space) opens a list of the agent's responses filtered by what follows it; arrows move,
// Enter or Tab inserts the text in place of `/shortcut` with its placeholders filled in,
// Escape closes. The box controls a listbox and points at the option chosen with
// aria-activedescendant, so focus never leaves the box. No role="combobox": a textarea may
// not take that role (nor aria-expanded), and the answer box stays a multi-line text box.

import { h } from "./live.js";
import { tr } from "./strings.js";

// The page hands the responses over as a JSON data block (the CSP forbids inline scripts).
function given() {
  try {
    const list = JSON.parse(document.getElementById("sb-canned")?.textContent || "[]");
    return Array.isArray(list) ? list.filter((r) => typeof r.shortcut === "string" && typeof r.text === "string") : [];
  } catch { return []; }
}

// Placeholders an administrator may write, in English or in French.
const PLACES = { visitor_name: "visitor", nom_visiteur: "visitor", agent_name: "agent", nom_agent: "agent" };

/** `text` with {visitor_name}, {agent_name} (and the French spellings) filled in; other braces stay. */
export function fill(text, names) {
  return text.replace(/\{(\w+)\}/g, (all, key) => (key in PLACES ? String(names[PLACES[key]] ?? "") : all));
}

/** The responses that match `q`: shortcuts starting with it first, then any containing it in shortcut or text. */
export function matching(responses, q, max = 8) {
  const term = q.toLowerCase();
  const starts = responses.filter((r) => r.shortcut.startsWith(term));
  const rest = responses.filter((r) => !starts.includes(r) && (r.shortcut.includes(term) || r.text.toLowerCase().includes(term)));
  return [...starts, ...rest].slice(0, max);
}

/**
 * Attaches the picker to `input` (a textarea of `form`). `names()` gives `{ visitor, agent }`
 * at the moment of inserting.
 */
export function cannedPicker(input, form, names) {
  const responses = given();
  const list = h("ul", { id: "canned-list", class: "canned-list", role: "listbox", "aria-label": tr("canned-picker-label") });
  const none = h("p", { class: "canned-none muted" }, tr("canned-picker-none"));
  const help = h("p", { class: "canned-help muted small" }, tr("canned-picker-help"));
  const status = h("span", { class: "visually-hidden", role: "status" });
  const picker = h("div", { id: "canned-picker", class: "canned-picker", hidden: true }, list, none, help);
  input.after(picker, status);
  Object.entries({ "aria-autocomplete": "list", "aria-controls": "canned-list" })
    .forEach(([k, v]) => input.setAttribute(k, v));

  let shown = [], active = 0, slash = -1;

  // The `/word` just before the caret: where its slash is and the word.
  function typed() {
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    const m = /(^|\s)\/([^\s/]*)$/.exec(before);
    return m ? { at: before.length - m[2].length - 1, word: m[2] } : null;
  }

  function close() {
    picker.hidden = true;
    input.removeAttribute("aria-activedescendant");
    shown = [];
    slash = -1;
  }

  function render() {
    list.replaceChildren(...shown.map((r, i) => h("li", { id: `canned-option-${i}`, role: "option", class: "canned-option", "aria-selected": i === active ? "true" : "false", "data-shortcut": r.shortcut },
      h("span", { class: "canned-shortcut" }, `/${r.shortcut}`), " ", h("span", { class: "canned-preview" }, r.text))));
    list.hidden = !shown.length;
    none.hidden = shown.length > 0;
    if (shown.length) input.setAttribute("aria-activedescendant", `canned-option-${active}`);
    else input.removeAttribute("aria-activedescendant");
    list.children[active]?.scrollIntoView({ block: "nearest" });
  }

  function update() {
    const t = typed();
    if (!t) return close();
    const opening = picker.hidden;
    slash = t.at;
    shown = matching(responses, t.word);
    active = Math.min(active, Math.max(shown.length - 1, 0));
    if (opening) active = 0;
    picker.hidden = false;
    status.textContent = shown.length ? tr("canned-picker-count", { count: shown.length }) : tr("canned-picker-none");
    render();
  }

  function insert(r) {
    const end = input.selectionStart ?? input.value.length;
    const text = fill(r.text, names());
    input.value = input.value.slice(0, slash) + text + input.value.slice(end);
    const caret = slash + text.length;
    input.setSelectionRange(caret, caret);
    input.focus();
    // The console's own listeners (typing, drafts) learn of the change like of any typing.
    input.dispatchEvent(new Event("input", { bubbles: true }));
    close();
  }

  input.addEventListener("input", update);
  input.addEventListener("click", update);
  input.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== input) close(); }, 200));
  // A click picks without taking the focus from the box.
  list.addEventListener("mousedown", (e) => {
    const li = e.target.closest("li[role=option]");
    if (!li) return;
    e.preventDefault();
    insert(shown[[...list.children].indexOf(li)]);
  });
  // On the form, capturing: runs before the box's own Enter-sends handler, which must not
  // see the keys the open list uses.
  form.addEventListener("keydown", (e) => {
    if (e.target !== input || picker.hidden || e.isComposing) return;
    const take = () => { e.preventDefault(); e.stopPropagation(); };
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      take();
      if (!shown.length) return;
      active = (active + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
      render();
    } else if ((e.key === "Enter" && !e.shiftKey) || (e.key === "Tab" && shown.length)) {
      take();
      if (shown.length) insert(shown[active]);
      else close();
    } else if (e.key === "Escape") {
      take();
      close();
    }
  }, true);

  return { close, responses };
}
