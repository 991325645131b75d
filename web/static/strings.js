// The words a page's script shows, in the reader's language: the page puts them in a
// <script type="application/json" id="sb-strings"> block (data, so allowed by the CSP).
const block = document.getElementById("sb-strings");
const strings = block ? JSON.parse(block.textContent) : {};

// tr("console-joined", { name: "Ann" }): the message with each {$name} filled in.
export function tr(key, values = {}) {
  const text = strings[key] ?? `⟦${key}⟧`;
  return text.replace(/\{\$(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : ""));
}

// The reader's language and time zone, as the page's <html> element states them.
export const lang = document.documentElement.lang || "en";
export const timeZone = document.documentElement.dataset.tz || undefined;

// "14:05" in the reader's zone.
export function clock(date, seconds = false) {
  const options = { hour: "2-digit", minute: "2-digit", timeZone, hourCycle: "h23" };
  if (seconds) options.second = "2-digit";
  return new Intl.DateTimeFormat(lang, options).format(date);
}
