// A PipelineRun's page (DAG, task panel with logs, YAML, events, cancel and rerun) and a
// standalone TaskRun's page (the same panel). The server pushes the run's changes (GET …/watch):
// its summary and the graph nodes that changed, so a viewer of a 10,000-task run neither polls nor
// reloads the whole run object for each change; the object is fetched again only when the open
// task changed or the run ended. Should the stream drop, the page polls slowly until it is back.
// Logs stream through the viewer's own paging.

import { api, q, ApiError, canI, watch } from "./api.js";
import { badge, runState, stateOf, isFinished } from "./state.js";
import { drawDag } from "./dag.js";
import { LogViewer } from "./logs.js";
import { toYaml } from "./yaml.js";
import { h, duration, between, timeElement, announce, confirmDialog, errorBox } from "./util.js";

/** Polling while the pushed stream is down (it reconnects meanwhile). */
const POLL_MS = 10000;
/** Pause before opening a dropped stream again. */
const RECONNECT_MS = 2000;

function kv(pairs) {
  return h("dl.meta", {}, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function valueText(v) {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function table(caption, columns, rows, empty) {
  if (!rows.length) return h("p.muted", {}, empty);
  return h("table.compact", {}, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
}

function stepState(s) {
  if (s.terminated) return s.terminated.exitCode === 0 ? "Succeeded" : "Failed";
  if (s.running) return "Running";
  if (s.terminationReason === "Skipped" || s.waiting?.reason === "Skipped") return "Skipped";
  return "Pending";
}

/**
 * Substitutes what the page knows in a pipeline task's param value: the run's params (else the
 * pipeline's defaults) and results of finished tasks. Anything else stays as written.
 */
function resolver(run) {
  const spec = run.status?.pipelineSpec || {};
  const values = new Map((spec.params || []).filter((p) => p.default !== undefined).map((p) => [p.name, p.default]));
  for (const p of run.spec?.params || []) values.set(p.name, p.value);
  const results = new Map();
  for (const tr of Object.values(run.status?.taskRuns || {})) {
    for (const r of tr.status?.results || []) results.set(`${tr.pipelineTaskName}.${r.name}`, r.value);
  }
  const one = (text) => text.replace(/\$\((params\.([\w.-]+)|tasks\.([\w-]+)\.results\.([\w.-]+))\)/g, (all, _, param, task, result) => {
    const v = param ? values.get(param) : results.get(`${task}.${result}`);
    return v === undefined ? all : valueText(v);
  });
  const walk = (v) => (typeof v === "string" ? one(v) : Array.isArray(v) ? v.map(walk) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v);
  return walk;
}

/** Steps of a TaskRun: from its status when it has started, else from the spec it will run. */
function stepsOf(status, taskSpec) {
  if (status?.steps?.length) return status.steps.map((s) => ({ ...s, container: s.container || `step-${s.name}` }));
  return (taskSpec?.steps || []).map((s) => ({ name: s.name, container: `step-${s.name}`, waiting: { reason: "Pending" } }));
}

/** The step to show when the reader has not picked one: the running one, else the last that ran. */
function defaultStep(steps) {
  return (steps.find((s) => s.running) || [...steps].reverse().find((s) => s.terminated) || steps[0])?.container;
}

/**
 * The TaskRun panel: params, workspaces, results, steps (exit codes), retries, and the step's log.
 * `ctx` keeps the log viewer between redraws so polling does not restart it.
 */
function taskPanel(ctx, info) {
  const { title, state, taskRun, status, pipelineTask, kinds, runName, skip, finished, reusedFrom } = info;
  const steps = stepsOf(status, info.taskSpec);
  const panel = h("section.panel", { "aria-labelledby": "panel-title", id: "task-panel" });
  const close = info.onClose ? h("button.quiet.close", { type: "button", dataset: { focusKey: "close" }, onclick: info.onClose, "aria-label": "Close task panel" }, "✕") : "";
  panel.append(h("header.panel-head", {}, h("h2", { id: "panel-title", tabindex: -1 }, title, " ", badge(state)), close));
  panel.append(kv([
    ["TaskRun", taskRun ? h("code", {}, taskRun) : "not created"],
    ["Reused from", reusedFrom ? h("a", { href: `/ui/pipelineruns/${encodeURIComponent(reusedFrom.pipelineRun)}`, "data-link": true }, reusedFrom.pipelineRun) : ""],
    ["Pod", status?.podName],
    ["Started", timeElement(status?.startTime)],
    ["Duration", status?.startTime ? duration(between(status.startTime, status.completionTime)) : ""],
    ["Reason", status?.conditions?.[0]?.reason],
    ["Message", status?.conditions?.[0]?.message],
    ["Skipped", skip ? `${skip.reason}${skip.whenExpressions ? ` (when: ${skip.whenExpressions.map((w) => `${w.input} ${w.operator} ${JSON.stringify(w.values)}`).join(" and ")})` : ""}` : ""],
    ["Attempts", status?.retriesStatus ? String(status.retriesStatus.length + 1) : ""],
  ]));
  const params = pipelineTask?.params || info.params || [];
  const resolve = info.resolve || ((v) => v);
  panel.append(h("h3", {}, "Params"), table("Params", ["Name", "Value", "Resolved"], params.map((p) => {
    const written = valueText(p.value);
    const resolved = valueText(resolve(p.value));
    return [h("code", {}, p.name), h("code", {}, written), resolved === written ? "—" : h("code", {}, resolved)];
  }), "No params."));
  const workspaces = pipelineTask?.workspaces || info.workspaces || [];
  panel.append(h("h3", {}, "Workspaces"), table("Workspaces", ["Name", "Bound to"], workspaces.map((w) => [h("code", {}, w.name), h("code", {}, w.workspace || w.subPath || Object.keys(w).filter((k) => k !== "name").join(", ") || "—")]), "No workspaces."));
  const results = status?.results || [];
  panel.append(h("h3", {}, "Results"), table("Results", ["Name", "Value"], results.map((r) => [h("code", {}, r.name), h("code", {}, valueText(r.value))]), "No results."));

  const pick = ctx.step && steps.some((s) => s.container === ctx.step) ? ctx.step : defaultStep(steps);
  panel.append(h("h3", {}, "Steps"), table("Steps", ["Step", "State", "Exit code", "Duration", "Log"], steps.map((s) => {
    const t = s.terminated;
    const selected = s.container === pick;
    return [h("code", {}, s.name), badge(stepState(s)), t ? h("span", { dataset: { exit: t.exitCode } }, String(t.exitCode)) : "—",
      t?.startedAt ? duration(between(t.startedAt, t.finishedAt)) : s.running ? duration(between(s.running.startedAt)) : "",
      h("button", { type: "button", "aria-pressed": String(selected), dataset: { focusKey: `step:${s.container}` }, onclick: () => { ctx.step = s.container; ctx.redraw(); } }, selected ? "Showing" : "Show log")];
  }), "No steps yet."));

  if (status?.retriesStatus?.length) {
    panel.append(h("h3", {}, "Retries"), table("Earlier attempts", ["Attempt", "State", "Started", "Steps (exit codes)"], status.retriesStatus.map((r, i) => {
      const c = r.conditions?.[0];
      return [String(i + 1), badge(stateOf(c?.status, c?.reason), c?.reason), timeElement(r.startTime),
        (r.steps || []).map((s) => `${s.name}: ${s.terminated?.exitCode ?? "—"}`).join(", ")];
    }), ""));
  }

  // The log keeps its element (and so its scroll position and loaded pages) across redraws.
  const key = `${taskRun}|${pick}`;
  if (!taskRun || !pick) {
    disposeViewer(ctx);
  } else if (ctx.viewerKey !== key) {
    disposeViewer(ctx);
    // A reused task did not run here: its log is the earlier run's, which has ended.
    ctx.viewer = reusedFrom
      ? new LogViewer({ kinds, run: reusedFrom.pipelineRun, taskRun: reusedFrom.taskRuns[0], container: pick, live: false })
      : new LogViewer({ kinds, run: runName, taskRun, container: pick, live: !finished });
    ctx.viewerKey = key;
    ctx.logSlot = h("section.log-slot", { "aria-labelledby": "log-title" }, h("h3", { id: "log-title" }, `Log: ${pick.replace(/^step-/, "")}`), ctx.viewer.element);
  }
  return ctx.logSlot ? [panel, ctx.logSlot] : [panel];
}

function disposeViewer(ctx) {
  ctx.viewer?.dispose();
  ctx.viewer = null;
  ctx.viewerKey = null;
  ctx.logSlot = null;
}

/** Redraws the panel's facts; the log slot is moved only when it changes. */
function place(box, [panel, logSlot]) {
  const focusKey = document.activeElement?.dataset?.focusKey;
  const old = box.querySelector(":scope > section.panel");
  if (old) old.replaceWith(panel); else box.prepend(panel);
  for (const child of [...box.children]) if (child !== panel && child !== logSlot) child.remove();
  if (logSlot && logSlot.parentElement !== box) box.append(logSlot);
  if (focusKey) box.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
}

async function cancelRun(kinds, name, refresh) {
  const options = kinds === "pipelineruns"
    ? [["Cancelled", "Cancel now: stop running tasks, skip finally tasks"], ["CancelledRunFinally", "Cancel, then run the finally tasks"], ["StoppedRunFinally", "Stop: let running tasks finish, start no new ones, run finally tasks"]]
    : [["Cancelled", "Cancel now"]];
  const form = await confirmDialog({
    title: `Cancel ${name}?`,
    body: h("fieldset", {}, h("legend", {}, "How"), options.map(([v, text], i) =>
      h("label.radio", {}, h("input", { type: "radio", name: "status", value: v, checked: i === 0 }), ` ${text}`))),
    ok: "Cancel run",
  });
  if (!form) return;
  try {
    await api.cancel(kinds, name, form.get("status"));
    announce(`Cancel requested for ${name}`);
    refresh();
  } catch (e) {
    announce(`Cancel failed: ${e.message}`);
    alertError(e);
  }
}

async function rerunRun(kinds, name, navigate) {
  const ok = await confirmDialog({ title: `Rerun ${name}?`, body: h("p", {}, "Starts a new run with the same spec and the same frozen Task and Pipeline definitions."), ok: "Rerun" });
  if (!ok) return;
  try {
    const copy = await api.rerun(kinds, name);
    announce(`Started ${copy.metadata.name}`);
    navigate(`/ui/${kinds}/${q(copy.metadata.name)}`);
  } catch (e) {
    alertError(e);
  }
}

function alertError(e) {
  const main = document.getElementById("main");
  main.querySelector(".action-error")?.remove();
  const box = errorBox(e);
  box.classList.add("action-error");
  main.prepend(box);
}

function tabs(current, base) {
  const views = [["", "Graph"], ["yaml", "YAML"], ["events", "Events"]];
  return h("nav.tabs", { "aria-label": "Run views" }, views.map(([v, text]) =>
    h("a", { href: v ? `${base}?view=${v}` : base, "data-link": true, "aria-current": current === v ? "page" : null }, text)));
}

function yamlView(run, specTitle, spec) {
  return h("div.yaml-view", {},
    h("section", { "aria-labelledby": "yaml-run" }, h("h2", { id: "yaml-run" }, "Run"), h("pre.yaml", { tabindex: 0 }, h("code", {}, toYaml(run)))),
    spec ? h("section", { "aria-labelledby": "yaml-spec" }, h("h2", { id: "yaml-spec" }, specTitle), h("pre.yaml", { tabindex: 0 }, h("code", {}, toYaml(spec)))) : "");
}

async function eventsView(kinds, name) {
  const events = await api.events(kinds, name);
  return table("Events", ["Time", "Type", "Reason", "Message"], events.items.map((e) => [timeElement(e.time), e.type, e.reason, e.message]), "No events.");
}

/** Shared frame of both run pages: header, actions, tabs and a polling loop. */
function runFrame(main, { kinds, name, navigate, params, renderBody }) {
  const view = params.get("view") || "";
  const base = `/ui/${kinds}/${q(name)}`;
  const heading = h("h1", { tabindex: -1 }, name, " ");
  const meta = h("div");
  const cancel = h("button.danger", { type: "button", onclick: () => cancelRun(kinds, name, () => tick(true)) }, "⊘ Cancel…");
  const rerun = h("button", { type: "button", onclick: () => rerunRun(kinds, name, navigate) }, "↻ Rerun…");
  const body = h("div.run-body");
  main.replaceChildren(
    h("p.crumbs", {}, h("a", { href: "/", "data-link": true }, "PipelineRuns"), " / ", kinds === "taskruns" ? "TaskRuns / " : "", name),
    h("div.run-head", {}, heading, h("div.actions", {}, cancel, rerun)), meta, tabs(view, base), body);
  // Buttons the caller may not use are hidden (the API would refuse them anyway).
  const kind = kinds === "taskruns" ? "TaskRun" : "PipelineRun";
  canI([{ action: "cancel", resource: "runs", run: name, kind }, { action: "rerun", resource: "runs", run: name, kind }]).then(([mayCancel, mayRerun]) => {
    cancel.hidden = !mayCancel;
    rerun.hidden = !mayRerun;
  });
  let stopped = false;
  let timer = 0;
  let lastState = null;
  let fetched = null; // the run object as last fetched
  let summary = null; // the run's summary as last pushed: newer than `fetched` between fetches
  const stream = new AbortController();
  const ctx = { redraw: () => tick(true), graph: null, streaming: false };

  /** The fetched run object with the pushed summary laid over it (state, reason, message, times, results). */
  function current() {
    if (!summary || !fetched) return fetched;
    const status = { ...(fetched.status || {}) };
    const c = status.conditions?.[0] || {};
    status.conditions = [{ ...c, status: summary.status, reason: summary.reason, message: summary.message ?? c.message }];
    if (summary.startTime) status.startTime = summary.startTime;
    if (summary.completionTime) status.completionTime = summary.completionTime;
    if (summary.results) status.results = summary.results;
    return { ...fetched, status };
  }

  // The run object's fetch under way: a redraw that needs some copy of the object (none fetched
  // yet) waits for it instead of asking again; one that asks for a fresh copy fetches anew.
  let fetching = null;
  async function fetchRunObject(fresh) {
    if (!fresh && fetching) return fetching;
    const request = api.run(kinds, name);
    fetching = request;
    try {
      return await request;
    } finally {
      if (fetching === request) fetching = null;
    }
  }

  async function tick(once, fetchRun = true) {
    clearTimeout(timer);
    let finished = false;
    try {
      if (fetchRun || !fetched) fetched = await fetchRunObject(fetchRun);
      if (stopped) return;
      const run = current();
      const state = runState(run);
      finished = isFinished(state);
      if (lastState && lastState !== state) announce(`${name}: ${state}`);
      lastState = state;
      heading.replaceChildren(name, " ", badge(state));
      cancel.disabled = finished;
      const c = run.status?.conditions?.[0];
      meta.replaceChildren(kv([
        ["Pipeline", run.spec?.pipelineRef?.name ? h("a", { href: `/?pipeline=${q(run.spec.pipelineRef.name)}`, "data-link": true }, run.spec.pipelineRef.name) : ""],
        ["Task", run.spec?.taskRef?.name],
        ["Reason", c?.reason],
        ["Message", c?.message],
        ["Started", timeElement(run.status?.startTime)],
        ["Duration", run.status?.startTime ? duration(between(run.status.startTime, run.status.completionTime)) : ""],
        ["Labels", Object.keys(run.metadata?.labels || {}).length ? Object.entries(run.metadata.labels).map(([k, v]) => h("code.label", {}, `${k}=${v}`)) : ""],
        ["Results", (run.status?.results || []).length ? run.status.results.map((r) => h("code.label", {}, `${r.name}=${valueText(r.value)}`)) : ""],
      ]));
      if (view === "yaml") {
        if (!body.firstChild || once) body.replaceChildren(yamlView(run, kinds === "pipelineruns" ? "Pipeline spec" : "Task spec", run.status?.pipelineSpec || run.status?.taskSpec || run.spec?.pipelineSpec || run.spec?.taskSpec));
      } else if (view === "events") {
        body.replaceChildren(await eventsView(kinds, name));
      } else {
        await renderBody(body, run, ctx, finished);
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        body.replaceChildren(errorBox(`${name} was not found.`));
        return;
      }
      body.prepend(errorBox(e));
    }
    // Once finished there is nothing more to poll for, and while changes are pushed nothing to
    // poll at all. Overlapping ticks (a redraw during a poll) collapse into one timer.
    if (!stopped && !finished && !ctx.streaming) {
      clearTimeout(timer);
      timer = setTimeout(() => tick(false), POLL_MS);
    }
  }

  // Pushed changes arriving together make one redraw; it fetches the run object only when asked to.
  let pending = null;
  function pushed(fetchRun) {
    if (pending) {
      pending.fetchRun ||= fetchRun;
      return;
    }
    pending = { fetchRun };
    setTimeout(() => {
      const p = pending;
      pending = null;
      if (!stopped) tick(false, p.fetchRun);
    }, 50);
  }

  async function follow() {
    while (!stopped) {
      try {
        const ended = await watch(kinds, name, (event, data) => {
          ctx.streaming = true;
          clearTimeout(timer);
          const task = new URLSearchParams(location.search).get("task");
          if (event === "graph") {
            ctx.graph = data;
            pushed(false);
          } else if (event === "tasks" && ctx.graph) {
            const changed = new Map(data.nodes.map((n) => [n.name, n]));
            ctx.graph = { ...ctx.graph, nodes: ctx.graph.nodes.map((n) => changed.get(n.name) || n), criticalPath: data.criticalPath };
            // The open task's panel reads its TaskRun from the run object: fetched only when that task changed.
            pushed(changed.has(task));
          } else if (event === "run") {
            summary = { ...summary, ...data };
            pushed(kinds === "taskruns");
          } else if (event === "end") {
            summary = { ...summary, ...data };
            pushed(true);
          }
        }, stream.signal);
        if (ended) return;
      } catch (e) {
        if (stopped || (e instanceof ApiError && e.status === 404)) return;
      }
      if (stopped) return;
      // The stream dropped: poll (slowly) until it is back.
      ctx.streaming = false;
      tick(false);
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  tick(false);
  follow();
  return () => { stopped = true; stream.abort(); clearTimeout(timer); ctx.viewer?.dispose(); };
}

export function pipelineRunPage(main, { name, navigate, params }) {
  const selected = () => new URLSearchParams(location.search).get("task");
  const select = (task) => {
    const p = new URLSearchParams(location.search);
    if (task) p.set("task", task); else p.delete("task");
    history.replaceState(null, "", `${location.pathname}${p.size ? `?${p}` : ""}`);
  };
  const dagBox = h("div.dag-box", {});
  const skippedBox = h("div");
  const panelBox = h("div");
  let laidOut = false;
  return runFrame(main, {
    kinds: "pipelineruns", name, navigate, params,
    renderBody: async (body, run, ctx, finished) => {
      if (!laidOut) {
        body.replaceChildren(
          h("section", { "aria-labelledby": "dag-title" }, h("h2", { id: "dag-title" }, "Tasks"),
            h("p.legend.muted", {}, "Solid edge: runAfter · dashed edge: uses a result · thick outline: critical path · Tab to a task, Enter to open it"), dagBox),
          skippedBox, panelBox);
        laidOut = true;
      }
      // Pushed by the run's stream; fetched only while the stream is down.
      const graph = ctx.streaming && ctx.graph ? ctx.graph : (ctx.graph = await api.graph(name));
      const open = (n) => { select(n.name); ctx.step = null; ctx.redraw(); requestAnimationFrame(() => document.getElementById("panel-title")?.focus()); };
      drawDag(dagBox, graph, { selected: selected(), onSelect: open });
      // From the graph, which is pushed: the run object may be older (see current()).
      const skipped = graph.nodes.filter((n) => n.state === "Skipped")
        .map((n) => (run.status?.skippedTasks || []).find((s) => s.name === n.name) || { name: n.name, reason: n.skipReason || n.reason });
      skippedBox.replaceChildren(skipped.length ? h("section", { "aria-labelledby": "skipped-title" }, h("h2", { id: "skipped-title" }, "Skipped tasks"),
        h("ul.skipped", {}, skipped.map((s) => h("li", {}, badge("Skipped"), " ", h("code", {}, s.name), `: ${s.reason}`)))) : "");
      const task = selected();
      const node = graph.nodes.find((n) => n.name === task);
      if (!node) {
        disposeViewer(ctx);
        panelBox.replaceChildren(h("p.muted.hint", {}, "Select a task in the graph to see its params, results, steps and logs."));
        return;
      }
      const spec = run.status?.pipelineSpec || {};
      const pipelineTask = [...(spec.tasks || []), ...(spec.finally || [])].find((t) => t.name === node.name);
      const taskRuns = run.status?.taskRuns || {};
      const trName = node.taskRun;
      const status = trName ? taskRuns[trName]?.status : null;
      place(panelBox, taskPanel(ctx, {
        title: node.name + (node.finally ? " (finally)" : ""), state: node.state, taskRun: trName, status, pipelineTask,
        taskSpec: pipelineTask?.taskSpec, kinds: "pipelineruns", runName: name, finished: finished || isFinished(node.state),
        skip: skipped.find((s) => s.name === node.name), resolve: resolver(run), reusedFrom: node.reusedFrom,
        onClose: () => { select(null); ctx.redraw(); },
      }));
    },
  });
}

export function taskRunPage(main, { name, navigate, params }) {
  return runFrame(main, {
    kinds: "taskruns", name, navigate, params,
    renderBody: async (body, run, ctx, finished) => {
      place(body, taskPanel(ctx, {
        title: "Steps and logs", state: runState(run), taskRun: name, status: run.status, params: run.spec?.params, workspaces: run.spec?.workspaces,
        taskSpec: run.status?.taskSpec || run.spec?.taskSpec, kinds: "taskruns", runName: name, finished,
      }));
    },
  });
}
