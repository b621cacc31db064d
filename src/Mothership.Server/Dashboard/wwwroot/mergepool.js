// Merge pool: Tide's page for Mothership's merge pool, per repository and branch — the pull
// requests in the pool in merge order, the batch under test, those retested alone on the current
// base, those merged by the last sync, and why every other one waits (its `tide` status). Read
// from /api/v1/mergepool, which is the last sync's outcome; refreshed every 5 s.

import { api } from "./api.js";
import { h, timeElement, errorBox, every5s } from "./util.js";
import { badge } from "./state.js";

// A tide status as the dashboard's states: in the pool passes, waiting is pending, error cannot merge as it stands.
const STATES = { success: "Succeeded", pending: "Pending", error: "Failed", failure: "Failed" };

export function mergePoolPage(main) {
  const body = h("div", {}, h("p.muted", {}, "Loading…"));
  main.replaceChildren(h("h1", {}, "Merge pool"), body);
  return every5s((signal) => api.mergePool(signal).then((r) => {
    if (!r.pools.length) {
      body.replaceChildren(h("p.empty", {}, r.syncedAt
        ? "No open pull request into a branch the merge pool watches."
        : "The merge pool has not synced: it needs a job config with tide queries (README: Merge pool)."));
      return;
    }
    body.replaceChildren(h("p.muted", {}, "Last sync ", timeElement(r.syncedAt)), ...r.pools.map(poolSection));
  }).catch((e) => {
    if (e.name === "AbortError") throw e;
    body.replaceChildren(errorBox(e));
  }));
}

function poolSection(pool) {
  const id = `pool-${pool.repository}-${pool.branch}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const role = (n) => pool.merged.includes(n) ? "merged" : pool.batch.includes(n) ? "in the batch under test"
    : pool.retested.includes(n) ? "retested on the current base" : pool.inPool.includes(n) ? `in the pool (${pool.inPool.indexOf(n) + 1} of ${pool.inPool.length})` : "waiting";
  const rows = pool.pulls.map((p) =>
    h("tr", { dataset: { pull: String(p.number) } },
      h("th", { scope: "row" }, `#${p.number}`),
      h("td", {}, badge(STATES[p.state] || "Pending")),
      h("td", {}, role(p.number)),
      h("td.description", {}, p.description)));
  return h("section.pool", { "aria-labelledby": id, dataset: { pool: `${pool.repository}:${pool.branch}` } },
    h("h2", { id }, `${pool.repository} `, h("code", {}, pool.branch), " ",
      pool.baseSha ? h("code.muted", { title: pool.baseSha }, pool.baseSha.slice(0, 7)) : ""),
    pool.batch.length ? h("p.batch", {}, `Batch under test: ${pool.batch.map((n) => `#${n}`).join(", ")}`) : "",
    h("table.pulls", {},
      h("caption.visually-hidden", {}, `Pull requests into ${pool.repository} ${pool.branch}`),
      h("thead", {}, h("tr", {}, ["Pull request", "Tide", "Where", "Why"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows)));
}
