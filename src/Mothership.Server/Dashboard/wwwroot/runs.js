// PipelineRuns list: filters live in the URL's query (so a filtered view can be bookmarked and
// the Back button works), pages follow the server's keyset cursor, and the visible page is
// polled every 2 s so statuses change in place (announced to screen readers).

import { api, q } from "./api.js";
import { badge, stateOf } from "./state.js";
import { h, duration, between, timeElement, announce, errorBox } from "./util.js";

const POLL_MS = 2000;

/** The status filter's choices: groups the server knows (StatusFilter.cs), sent by name. */
const STATUS = {
  "": { label: "Any status" },
  Running: { label: "⟳ Running" },
  Succeeded: { label: "✓ Succeeded" },
  Failed: { label: "✗ Failed" },
  Cancelled: { label: "⊘ Cancelled" },
  Pending: { label: "… Pending or queued" },
};

const SINCE = { "": "Any time", "1h": "Last hour", "24h": "Last 24 hours", "168h": "Last 7 days", "720h": "Last 30 days" };

function labelSelector(filters) {
  const parts = [];
  if (filters.label) parts.push(filters.label);
  if (filters.site) parts.push(`mothership.io/site=${filters.site}`);
  return parts.join(",");
}

function query(filters, cursor) {
  const p = new URLSearchParams();
  if (filters.pipeline) p.set("pipeline", filters.pipeline);
  if (filters.status && filters.status in STATUS) p.set("status", filters.status);
  const selector = labelSelector(filters);
  if (selector) p.set("labelSelector", selector);
  if (filters.since) p.set("since", filters.since);
  p.set("limit", filters.limit || "20");
  if (cursor) p.set("cursor", cursor);
  return p.toString();
}

function select(name, label, choices, value) {
  return h("label", {}, label, h("select", { name },
    Object.entries(choices).map(([v, text]) => h("option", { value: v, selected: v === value }, typeof text === "string" ? text : text.label))));
}

/**
 * The list of PipelineRuns (at `/`) or of TaskRuns (at `/ui/taskruns`), newest first. A TaskRun a
 * PipelineRun made (`pipelineRun` set) opens its PipelineRun's page at its task.
 */
export function runsPage(main, { navigate, params, kinds = "pipelineruns" }) {
  const title = kinds === "taskruns" ? "TaskRuns" : "PipelineRuns";
  const home = kinds === "taskruns" ? "/ui/taskruns" : "/";
  const filters = Object.fromEntries(["pipeline", "status", "label", "site", "since", "limit"].map((k) => [k, params.get(k) || ""]));
  const cursors = params.get("cursor") ? params.get("cursor").split("|") : [];
  const cursor = cursors[cursors.length - 1] || null;
  const pipelines = h("datalist", { id: "pipeline-names" });
  const form = h("form.filters", { role: "search", "aria-label": "Filter runs" },
    h("label", {}, "Pipeline", h("input", { name: "pipeline", value: filters.pipeline, list: "pipeline-names", autocomplete: "off" })),
    select("status", "Status", STATUS, filters.status),
    h("label", {}, "Labels", h("input", { name: "label", value: filters.label, placeholder: "app=web,tier!=db", autocomplete: "off" })),
    h("label", {}, "Site", h("input", { name: "site", value: filters.site, placeholder: "mothership.io/site", autocomplete: "off" })),
    select("since", "Started", SINCE, filters.since),
    h("div.filter-buttons", {},
      h("button.primary", { type: "submit" }, "Apply filters"),
      h("button.quiet", { type: "button", onclick: () => navigate(home) }, "Clear")),
    pipelines);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) p.set(k, String(v).trim());
    if (filters.limit) p.set("limit", filters.limit);
    navigate(`${home}?${p}`);
  });
  const body = h("tbody");
  const table = h("table.runs", {},
    h("caption.visually-hidden", {}, `${title}, newest first`),
    h("thead", {}, h("tr", {}, ["Status", "Name", kinds === "taskruns" ? "Task" : "Pipeline", "Labels", "Started", "Duration"].map((c) => h("th", { scope: "col" }, c)))),
    body);
  const pager = h("nav.pager", { "aria-label": "Pages" });
  const message = h("div");
  main.replaceChildren(h("h1", {}, title), form, message, table, pager);

  api.resources("pipelines").then((r) => pipelines.replaceChildren(...r.items.map((p) => h("option", { value: p.name })))).catch(() => {});

  const states = new Map();
  let timer = 0;
  let stopped = false;
  const pageUrl = (list) => {
    const p = new URLSearchParams(params);
    if (list.length) p.set("cursor", list.join("|"));
    else p.delete("cursor");
    const s = p.toString();
    return s ? `${home}?${s}` : home;
  };

  async function refresh(first) {
    try {
      const page = await api.runs(kinds, query(filters, cursor));
      if (stopped) return;
      message.replaceChildren();
      const changes = [];
      body.replaceChildren(...page.items.map((r) => {
        const state = stateOf(r.status, r.reason, r.phase);
        if (!first && states.has(r.name) && states.get(r.name) !== state) changes.push(`${r.name}: ${state}`);
        states.set(r.name, state);
        const task = r.labels?.["tekton.dev/pipelineTask"];
        const link = r.pipelineRun ? `/ui/pipelineruns/${q(r.pipelineRun)}?task=${q(task || "")}` : `/ui/${kinds}/${q(r.name)}`;
        const row = h("tr", { tabindex: 0, dataset: { run: r.name, state }, "aria-label": `${r.name}, ${state}`,
          onkeydown: (ev) => { if (ev.key === "Enter" && ev.target === row) navigate(link); },
          onclick: (ev) => { if (!ev.target.closest("a")) navigate(link); } },
        h("td", {}, badge(state, state !== r.reason && r.reason && !["Running", "Succeeded"].includes(r.reason) ? r.reason : "")),
        h("td", {}, h("a", { href: link, "data-link": true, tabindex: -1 }, r.name)),
        h("td", {}, r.pipelineRun
          ? h("a", { href: link, "data-link": true, tabindex: -1 }, `${task} of ${r.pipelineRun}`)
          : r.pipeline ? h("a", { href: `${home}?pipeline=${q(r.pipeline)}`, "data-link": true, tabindex: -1 }, r.pipeline) : "—"),
        h("td.labels", {}, Object.entries(r.labels || {}).map(([k, v]) => h("code.label", {}, `${k}=${v}`))),
        h("td", {}, timeElement(r.startTime || r.creationTimestamp)),
        h("td", {}, duration(between(r.startTime, r.completionTime))));
        return row;
      }));
      if (!page.items.length) message.replaceChildren(h("p.empty", {}, "No runs match these filters."));
      if (changes.length) announce(changes.join("; "));
      if (first) {
        pager.replaceChildren(
          h("a.button", { href: pageUrl([]), "data-link": true, "aria-disabled": cursors.length ? null : "true", hidden: !cursors.length }, "« First page"),
          h("a.button", { href: pageUrl(cursors.slice(0, -1)), "data-link": true, rel: "prev", hidden: !cursors.length }, "← Previous"),
          h("span.muted", {}, `Page ${cursors.length + 1}`),
          page.nextCursor ? h("a.button", { href: pageUrl([...cursors, page.nextCursor]), "data-link": true, rel: "next" }, "Next →") : "");
      }
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
    if (!stopped) timer = setTimeout(() => refresh(false), POLL_MS);
  }
  refresh(true);
  return () => { stopped = true; clearTimeout(timer); };
}
