// The PipelineRun's DAG as SVG. Layout is computed here: longest-path layering over the edges
// (a task sits one layer right of its deepest parent), then within each layer tasks are ordered
// by the barycentre of their parents' positions, two sweeps, which keeps edges short and mostly
// uncrossed for pipelines of the sizes people draw. Finally tasks have no edges: they get their
// own lane below the DAG.

import { stateInfo } from "./state.js";
import { duration } from "./util.js";

const NS = "http://www.w3.org/2000/svg";
const W = 188, H = 58, GAP_X = 64, GAP_Y = 22, PAD = 16, LANE_GAP = 44;

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

/** Layers and positions: {pos: Map(name → {x, y}), width, height} for the DAG tasks. */
export function layout(nodes, edges) {
  const names = nodes.map((n) => n.name);
  const parents = new Map(names.map((n) => [n, []]));
  for (const e of edges) if (parents.has(e.to) && parents.has(e.from)) parents.get(e.to).push(e.from);
  const layer = new Map();
  const depth = (n, seen = new Set()) => {
    if (layer.has(n)) return layer.get(n);
    if (seen.has(n)) return 0; // A cycle cannot be scheduled; draw it anyway rather than hang.
    seen.add(n);
    const d = Math.max(-1, ...parents.get(n).map((p) => depth(p, seen))) + 1;
    layer.set(n, d);
    return d;
  };
  names.forEach((n) => depth(n));
  const layers = [];
  for (const n of names) (layers[layer.get(n)] ||= []).push(n);
  const index = new Map();
  layers.forEach((l) => l.forEach((n, i) => index.set(n, i)));
  for (let sweep = 0; sweep < 2; sweep++) {
    for (const l of layers.slice(1)) {
      const bary = (n) => {
        const ps = parents.get(n);
        return ps.length ? ps.reduce((s, p) => s + index.get(p), 0) / ps.length : index.get(n);
      };
      const keyed = l.map((n) => [n, bary(n)]);
      keyed.sort((a, b) => a[1] - b[1]);
      keyed.forEach(([n], i) => { l[i] = n; index.set(n, i); });
    }
  }
  const rows = Math.max(1, ...layers.map((l) => l.length));
  const pos = new Map();
  layers.forEach((l, x) => {
    const offset = ((rows - l.length) * (H + GAP_Y)) / 2;
    l.forEach((n, y) => pos.set(n, { x: PAD + x * (W + GAP_X), y: PAD + offset + y * (H + GAP_Y) }));
  });
  return { pos, width: PAD * 2 + Math.max(1, layers.length) * (W + GAP_X) - GAP_X, height: PAD * 2 + rows * (H + GAP_Y) - GAP_Y };
}

function nodeDuration(n) {
  if (n.state === "Skipped" || n.state === "Pending" || n.state === "Reused") return "";
  // A running task's start is known once its first attempt is recorded.
  if (n.state === "Running" && !n.startTime) return "";
  return duration(n.durationSeconds);
}

function label(n) {
  const info = stateInfo(n.state);
  const parts = [`${n.name}${n.finally ? " (finally)" : ""}: ${info.label}`];
  if (n.skipReason) parts.push(`skipped because ${n.skipReason}`);
  if (n.reusedFrom) parts.push(`reused from ${n.reusedFrom.pipelineRun}, not run again`);
  const d = nodeDuration(n);
  if (d) parts.push(d);
  if (n.attempts > 1) parts.push(`${n.attempts} attempts`);
  return parts.join(", ");
}

/**
 * Draws the graph into `container` and calls onSelect(node) on click or Enter/Space. Keeps the
 * focused node focused across redraws (the page redraws on every poll).
 */
export function drawDag(container, graph, { selected, onSelect }) {
  const focused = document.activeElement?.closest?.("[data-node]")?.dataset.node;
  const dag = graph.nodes.filter((n) => !n.finally);
  const fin = graph.nodes.filter((n) => n.finally);
  const { pos, width, height } = layout(dag, graph.edges);
  const critical = new Set(graph.criticalPath || []);
  const criticalEdges = new Set();
  (graph.criticalPath || []).forEach((n, i, a) => { if (i > 0) criticalEdges.add(`${a[i - 1]}→${n}`); });

  const finY = height + LANE_GAP;
  fin.forEach((n, i) => pos.set(n.name, { x: PAD + i * (W + GAP_X), y: finY }));
  const totalW = Math.max(width, PAD * 2 + fin.length * (W + GAP_X) - GAP_X);
  const totalH = fin.length ? finY + H + PAD : height;

  const root = svg("svg", {
    class: "dag", viewBox: `0 0 ${totalW} ${totalH}`, width: totalW, height: totalH,
    role: "group", "aria-label": "Pipeline tasks: use Tab to move between tasks, Enter to open one",
  });
  root.append(svg("defs", {},
    svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" },
      svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }))));

  const edgeLayer = svg("g", { class: "edges", "aria-hidden": "true" });
  for (const e of graph.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
    const cls = ["edge", `edge-${e.kind}`, criticalEdges.has(`${e.from}→${e.to}`) ? "critical" : ""].join(" ").trim();
    edgeLayer.append(svg("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: cls, "marker-end": "url(#arrow)", "data-edge": `${e.from}->${e.to}` },
      svg("title", {}, `${e.from} → ${e.to} (${e.kind === "result" ? "uses a result" : "runAfter"})`)));
  }
  root.append(edgeLayer);

  if (fin.length) {
    root.append(svg("line", { x1: PAD / 2, x2: totalW - PAD / 2, y1: finY - LANE_GAP / 2, y2: finY - LANE_GAP / 2, class: "lane-rule" }));
    const t = svg("text", { x: PAD, y: finY - LANE_GAP / 2 - 6, class: "lane-label" });
    t.textContent = "finally";
    root.append(t);
  }

  const nodeLayer = svg("g", { class: "nodes" });
  for (const n of graph.nodes) {
    const p = pos.get(n.name);
    const info = stateInfo(n.state);
    const g = svg("g", {
      class: ["node", `state-${info.cls}`, critical.has(n.name) ? "critical" : "", selected === n.name ? "selected" : ""].join(" ").trim(),
      transform: `translate(${p.x},${p.y})`, tabindex: 0, role: "button", "aria-label": label(n),
      "aria-pressed": selected === n.name ? "true" : "false",
      "data-node": n.name, "data-state": n.state,
    });
    g.append(svg("title", {}, label(n) + (n.message ? `\n${n.message}` : "")));
    g.append(svg("rect", { width: W, height: H, rx: 8, class: "node-box" }));
    const name = svg("text", { x: 12, y: 22, class: "node-name" });
    name.textContent = n.name.length > 22 ? n.name.slice(0, 21) + "…" : n.name;
    const status = svg("text", { x: 12, y: 44, class: "node-state" });
    const extra = n.state === "Skipped" && n.skipReason ? ` · ${n.skipReason}` : n.attempts > 1 ? ` · ${n.attempts} tries` : "";
    // The box fits about 25 characters; the full reason is in the title and the aria-label.
    const text = `${info.icon} ${info.label}${extra}`;
    status.textContent = text.length > 25 ? `${text.slice(0, 24)}…` : text;
    const dur = svg("text", { x: W - 10, y: 22, class: "node-duration", "text-anchor": "end" });
    dur.textContent = nodeDuration(n);
    g.append(name, status, dur);
    const open = () => onSelect(n);
    g.addEventListener("click", open);
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(); }
    });
    nodeLayer.append(g);
  }
  root.append(nodeLayer);
  container.replaceChildren(root);
  if (focused) root.querySelector(`[data-node="${CSS.escape(focused)}"]`)?.focus();
}
