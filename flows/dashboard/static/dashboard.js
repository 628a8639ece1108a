// newsignal dashboard: progressive enhancement only; every page works without it.
// Text from the server is set with textContent / value, never parsed as HTML.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Apply a filter as soon as a choice changes (dates and entity still wait for Enter or Apply).
  const form = document.getElementById("filters");
  if (form) {
    for (const select of form.querySelectorAll("select")) {
      select.addEventListener("change", () => form.submit());
    }
  }
  // Pages without the overview's entity list fill it from the JSON endpoint.
  const list = document.getElementById("entity-names");
  if (list && list.children.length === 0) {
    fetch("/api/options")
      .then((r) => (r.ok ? r.json() : null))
      .then((options) => {
        if (!options) return;
        for (const [label, name, articles] of options.entities) {
          const option = document.createElement("option");
          option.value = name;
          option.textContent = `${label} · ${articles} article(s)`;
          list.appendChild(option);
        }
      })
      .catch(() => {});
  }
});
