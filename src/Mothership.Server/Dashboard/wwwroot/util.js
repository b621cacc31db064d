// Small DOM and formatting helpers shared by the pages.

/** h("tag.class", {attr: value, onclick: fn}, children…): one element, children as nodes or text. */
export function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function duration(seconds) {
  if (seconds === undefined || seconds === null || Number.isNaN(seconds)) return "";
  // Run objects carry times to the second: below that, say so rather than print "0 ms".
  if (seconds < 1) return "< 1 s";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} m ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

export function between(start, end) {
  if (!start) return null;
  const s = Date.parse(start);
  const e = end ? Date.parse(end) : Date.now();
  return Math.max(0, (e - s) / 1000);
}

export function time(text) {
  if (!text) return "";
  const d = new Date(text);
  return d.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

export function timeElement(text) {
  return text ? h("time", { datetime: text, title: text }, time(text)) : "";
}

/** Announces a change to screen readers through the page's aria-live region. */
export function announce(text) {
  const live = document.getElementById("live");
  live.textContent = "";
  // A fresh text node after clearing makes screen readers read the same sentence twice too.
  requestAnimationFrame(() => { live.textContent = text; });
}

/** Asks a yes/no question in the confirmation dialog; resolves to the form's values or null. */
export function confirmDialog({ title, body, ok }) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-title").textContent = title;
  const holder = document.getElementById("confirm-body");
  holder.replaceChildren(...[].concat(body));
  document.getElementById("confirm-ok").textContent = ok;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" ? new FormData(dialog.querySelector("form")) : null);
    }, { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    (holder.querySelector("input:checked") || document.getElementById("confirm-ok")).focus();
  });
}

export function errorBox(error) {
  return h("p.error", { role: "alert" }, `⚠ ${error.message || error}`);
}

/** The first 12 characters of a commit id, as the pages show revisions ("" for none). */
export const shortRevision = (revision) => revision ? revision.slice(0, 12) : "";

/** A link to a PipelineRun's page, showing `text` (default its name); "" when there is no run. */
export const runLink = (name, text) => name ? h("a", { href: `/ui/pipelineruns/${encodeURIComponent(name)}`, "data-link": true }, text || name) : "";

/** Refreshes `load` every 5 s until the page is left; returns the leave function. */
export function every5s(load) {
  const controller = new AbortController();
  let timer = null;
  const tick = () => load(controller.signal)
    .catch((e) => { if (e.name !== "AbortError") throw e; })
    .finally(() => { if (!controller.signal.aborted) timer = setTimeout(tick, 5000); });
  tick();
  return () => { controller.abort(); clearTimeout(timer); };
}
