// Copy buttons: <button data-copy="#selector"> copies that element's text.
import { tr } from "/static/strings.js";

// The page's words when it gives them (layout::strings), else English.
const word = (key, english) => {
  const text = tr(key);
  return text.startsWith("⟦") ? english : text;
};

for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const source = document.querySelector(button.dataset.copy);
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = word("copy-done", "Copied");
    } catch {
      // Clipboard refused (insecure context): select the text for a manual copy.
      const range = document.createRange();
      range.selectNodeContents(source);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      button.textContent = word("copy-manual", "Press Ctrl+C");
    }
  });
}
