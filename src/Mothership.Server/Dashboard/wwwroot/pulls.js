// Pull requests: the CI bot's job results grouped by repository and pull request, newest first;
// for each its head commit and the latest result of every job on it (Prow's states shown as the
// run states they are), with links to the runs. Read from /api/v1/jobresults, which outlives
// the pruning of runs; refreshed every 5 s. Above them, the flaky jobs of the last weeks
// (/api/v1/flakes: required jobs that failed and then passed on the same commit).

import { api } from "./api.js";
import { h, timeElement, errorBox, every5s } from "./util.js";
import { badge } from "./state.js";

// Prow's job states (JobStates in Mothership.Ci) as the dashboard's run states.
const JOB_STATES = { triggered: "Queued", pending: "Running", success: "Succeeded", failure: "Failed", aborted: "Cancelled", error: "Failed" };

export function pullsPage(main, { params }) {
  const body = h("div", {}, h("p.muted", {}, "Loading…"));
  main.replaceChildren(h("h1", {}, "Pull requests"), body);
  const repository = params.get("repository") || "";
  return every5s((signal) => Promise.all([api.jobResults(repository, signal), api.flakes(repository, signal)]).then(([r, f]) => {
    const pulls = group(r.items.filter((i) => i.pull !== null && i.pull !== undefined));
    if (!pulls.length) {
      body.replaceChildren(h("p.empty", {}, "No pull request has run a job yet. Jobs start from GitHub's webhooks (README: Jobs from GitHub)."));
      return;
    }
    body.replaceChildren(...(f.weeks.length ? [flakeSection(f.weeks)] : []), ...pulls.map(pullSection));
  }).catch((e) => {
    if (e.name === "AbortError") throw e;
    body.replaceChildren(errorBox(e));
  }));
}

/** Results (newest first) as pull requests, each with its newest commit's latest result per job. */
function group(items) {
  const pulls = new Map();
  for (const item of items) {
    const key = `${item.repository}#${item.pull}`;
    if (!pulls.has(key)) pulls.set(key, { repository: item.repository, pull: item.pull, sha: item.sha, updatedAt: item.updatedAt, jobs: new Map() });
    const pr = pulls.get(key);
    if (item.sha === pr.sha && !pr.jobs.has(item.job)) pr.jobs.set(item.job, item);
  }
  return [...pulls.values()];
}

function pullSection(pr) {
  const id = `pr-${pr.repository}-${pr.pull}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const rows = [...pr.jobs.values()].sort((a, b) => a.job.localeCompare(b.job)).map((j) =>
    h("tr", { dataset: { job: j.job } },
      h("th", { scope: "row" }, h("a", { href: `/ui/${j.runKind.toLowerCase()}s/${encodeURIComponent(j.runName)}`, "data-link": true }, j.job)),
      h("td", {}, badge(JOB_STATES[j.state] || "Pending", j.state === "aborted" ? "aborted" : j.state === "error" ? "error" : "")),
      h("td", {}, j.context ? h("code", {}, j.context) : "—"),
      h("td", {}, j.optional ? "optional" : "required"),
      h("td", {}, timeElement(j.updatedAt))));
  return h("section.pull", { "aria-labelledby": id, dataset: { pull: `${pr.repository}#${pr.pull}` } },
    h("h2", { id }, `${pr.repository} #${pr.pull}`, " ", h("code.muted", { title: pr.sha }, pr.sha.slice(0, 7))),
    h("table.pulls", {},
      h("caption.visually-hidden", {}, `Jobs of ${pr.repository} #${pr.pull} at ${pr.sha}`),
      h("thead", {}, h("tr", {}, ["Job", "State", "Context", "Required", "Updated"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows)));
}

/** Flaky jobs per week, the most flaky first within a week (newest week first, as the API orders them). */
function flakeSection(weeks) {
  const rows = weeks.map((w) =>
    h("tr", { dataset: { flake: `${w.repository}/${w.job}/${w.week}` } },
      h("th", { scope: "row" }, w.job),
      h("td", {}, w.repository),
      h("td", {}, w.week),
      h("td.num", {}, String(w.count))));
  return h("section.flakes", { "aria-labelledby": "flaky-jobs" },
    h("h2", { id: "flaky-jobs" }, "Flaky jobs"),
    h("p.muted", {}, "Required jobs that failed and then passed on the same commit, counted once per commit."),
    h("table.pulls", {},
      h("thead", {}, h("tr", {}, ["Job", "Repository", "Week", "Commits"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows)));
}
