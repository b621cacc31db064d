// Mothership's dashboard, served by `mship server` at `/`.
//
// Why plain ES modules, no framework and no build step: the server already speaks JSON (and
// server-sent events for logs), so the UI is a few hundred lines of DOM code over fetch; a
// framework would add more code than it saves. Without a bundler or npm packages there is no
// Node toolchain in the two-command setup (`./mship server`, `./test`), nothing to download at
// build time, and the files the browser runs are the files in the repository (embedded in the
// server's assembly, served from /assets). Modules: api (REST client), state (icon + word for
// every state), runs / run / resources / pulls / mergepool / sites / rollouts (pages), dag (layout and SVG), logs (virtualised viewer),
// ansi, yaml (JSON → YAML for the YAML views), util (DOM helpers).
//
// Routing is on the path (History API): `/` runs, `/ui/pipelineruns/NAME`, `/ui/taskruns[/NAME]`,
// `/ui/pipelines`, `/ui/tasks`, `/ui/pulls`, `/ui/mergepool`, `/ui/sites[/NAME]`, `/ui/rollouts[/NAME]`; the server answers every /ui/… path with index.html.

import { askToken } from "./api.js";
import { runsPage } from "./runs.js";
import { pipelineRunPage, taskRunPage } from "./run.js";
import { resourcesPage } from "./resources.js";
import { pullsPage } from "./pulls.js";
import { mergePoolPage } from "./mergepool.js";
import { sitesPage } from "./sites.js";
import { rolloutsPage } from "./rollouts.js";
import { h } from "./util.js";

const routes = [
  [/^\/$/, "runs", "PipelineRuns", (main, ctx) => runsPage(main, ctx)],
  [/^\/ui\/?$/, "runs", "PipelineRuns", (main, ctx) => runsPage(main, ctx)],
  [/^\/ui\/pipelineruns\/([^/]+)$/, "runs", "PipelineRun", (main, ctx) => pipelineRunPage(main, ctx)],
  [/^\/ui\/taskruns\/?$/, "taskruns", "TaskRuns", (main, ctx) => runsPage(main, { ...ctx, kinds: "taskruns" })],
  [/^\/ui\/taskruns\/([^/]+)$/, "taskruns", "TaskRun", (main, ctx) => taskRunPage(main, ctx)],
  [/^\/ui\/pipelines$/, "pipelines", "Pipelines", (main, ctx) => resourcesPage(main, { ...ctx, kinds: "pipelines" })],
  [/^\/ui\/tasks$/, "tasks", "Tasks", (main, ctx) => resourcesPage(main, { ...ctx, kinds: "tasks" })],
  [/^\/ui\/pulls$/, "pulls", "Pull requests", (main, ctx) => pullsPage(main, ctx)],
  [/^\/ui\/mergepool$/, "mergepool", "Merge pool", (main) => mergePoolPage(main)],
  [/^\/ui\/sites\/?$/, "sites", "Sites", (main, ctx) => sitesPage(main, ctx)],
  [/^\/ui\/sites\/([^/]+)$/, "sites", "Site", (main, ctx) => sitesPage(main, ctx)],
  [/^\/ui\/rollouts\/?$/, "rollouts", "Rollouts", (main, ctx) => rolloutsPage(main, ctx)],
  [/^\/ui\/rollouts\/([^/]+)$/, "rollouts", "Rollout", (main, ctx) => rolloutsPage(main, ctx)],
];

let leave = null;

function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render(true);
}

function render(moveFocus) {
  leave?.();
  leave = null;
  const main = document.getElementById("main");
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  const route = routes.find(([pattern]) => pattern.test(path));
  for (const a of document.querySelectorAll("[data-nav]")) {
    a.toggleAttribute("aria-current", route?.[1] === a.dataset.nav);
    if (route?.[1] === a.dataset.nav) a.setAttribute("aria-current", "page");
  }
  if (!route) {
    document.title = "Not found · Mothership";
    main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, "No page here. ", h("a", { href: "/", "data-link": true }, "Back to the runs")));
    return;
  }
  const [pattern, , title, page] = route;
  const name = decodeURIComponent(path.match(pattern)[1] || "");
  document.title = `${name || title} · Mothership`;
  leave = page(main, { name, params, navigate });
  // A new page: move focus to its main region so keyboard and screen reader users start there.
  if (moveFocus) main.focus({ preventScroll: true });
}

document.addEventListener("click", (ev) => {
  const a = ev.target.closest("a[data-link]");
  if (!a || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
  ev.preventDefault();
  if (a.getAttribute("href") !== location.pathname + location.search) navigate(a.getAttribute("href"));
});
window.addEventListener("popstate", () => render(true));
document.getElementById("token-button").addEventListener("click", () => askToken());
render(false);
