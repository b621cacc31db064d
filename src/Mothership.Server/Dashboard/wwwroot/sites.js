// Sites: the site repository's sites as an environment × region matrix — each with its deployed
// revision and when, how its last deploy ended, its drift state (Argo CD's sync status: in sync,
// out of sync, unknown) and a link to the run that deployed it — and a site's page with its drift
// details (per service what differs, secrets masked by the server), a "Check now" button and its
// deploy history. Read from /api/v1/sites, /sites/NAME and /sites/NAME/history; refreshed every 5 s.

import { api, ApiError, canI } from "./api.js";
import { h, timeElement, errorBox, announce, shortRevision as short, runLink, every5s } from "./util.js";
import { badge } from "./state.js";

const revisionCode = (revision) => revision ? h("code", { title: revision }, short(revision)) : h("span.muted", {}, "not deployed");

export function sitesPage(main, ctx) {
  return ctx.name ? sitePage(main, ctx.name) : matrixPage(main);
}

function matrixPage(main) {
  const body = h("div", {}, h("p.muted", {}, "Loading…"));
  main.replaceChildren(h("h1", {}, "Sites"), body);
  return every5s((signal) => api.sites(signal).then((r) => {
    if (!r.items.length) {
      body.replaceChildren(h("p.empty", {}, "The site repository has no sites."));
      return;
    }
    body.replaceChildren(matrix(r.items));
  }).catch((e) => {
    if (e.name === "AbortError") throw e;
    body.replaceChildren(e instanceof ApiError && e.status === 404
      ? h("p.empty", {}, "No site repository is configured (Mothership__Cloud__Repository; README: Deploys on the server).")
      : errorBox(e));
  }));
}

function matrix(sites) {
  const environments = [...new Set(sites.map((s) => s.environment || "—"))];
  const regions = [...new Set(sites.map((s) => s.region || "—"))].sort();
  const cell = (env, region) => sites.filter((s) => (s.environment || "—") === env && (s.region || "—") === region).map(siteCard);
  return h("table.sites", {},
    h("caption.visually-hidden", {}, "Sites by environment and region"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Environment"), regions.map((r) => h("th", { scope: "col" }, r)))),
    h("tbody", {}, environments.map((env) => h("tr", {},
      h("th", { scope: "row" }, env),
      regions.map((region) => h("td", {}, cell(env, region)))))));
}

function siteCard(site) {
  return h("div.site-card", { dataset: { site: site.name, drift: site.drift?.state || "" } },
    h("a.site-name", { href: `/ui/sites/${encodeURIComponent(site.name)}`, "data-link": true }, site.name),
    h("div", {}, revisionCode(site.revision), " ", timeElement(site.deployedAt)),
    h("div", {}, site.lastResult ? badge(site.lastResult) : h("span.muted", {}, "no deploy"), " ",
      site.drift ? badge(site.drift.state) : h("span.muted", { dataset: { drift: "none" } }, "drift not checked")),
    site.runningDeploy ? h("div", {}, badge("Running", "deploying"), " ", runLink(site.runningDeploy.run?.name)) : "",
    deploymentLink(site.deploymentPullRequest),
    site.deployRun ? h("div", {}, h("a.button", { href: `/ui/pipelineruns/${encodeURIComponent(site.deployRun)}`, "data-link": true }, "Last deploy run")) : "");
}

// The site's open deployment pull request on GitHub and the revision it proposes (promotion).
function deploymentLink(pr) {
  if (!pr || !/^https?:\/\//.test(pr.url || "")) return "";
  return h("div.deployment-pr", {}, h("a", { href: pr.url, rel: "noopener noreferrer" }, `Deployment PR #${pr.number}`),
    pr.revision ? [" → ", revisionCode(pr.revision)] : "");
}

function sitePage(main, name) {
  const head = h("div", {}, h("p.muted", {}, "Loading…"));
  const drift = h("section.panel", { "aria-labelledby": "drift-title" });
  const history = h("section.panel", { "aria-labelledby": "history-title" });
  main.replaceChildren(
    h("p.crumbs", {}, h("a", { href: "/ui/sites", "data-link": true }, "Sites"), " / ", name),
    h("h1", {}, name), head, drift, history);
  const load = (signal) => Promise.all([api.site(name, signal), api.siteHistory(name, signal)]).then(([site, deploys]) => {
    head.replaceChildren(h("dl.meta", {},
      h("dt", {}, "Environment"), h("dd", {}, site.environment || "—"),
      h("dt", {}, "Region"), h("dd", {}, site.region || "—"),
      h("dt", {}, "Deployed"), h("dd", {}, revisionCode(site.revision), " ", timeElement(site.deployedAt), site.deployedBy ? ` by ${site.deployedBy}` : ""),
      h("dt", {}, "Last result"), h("dd", {}, site.lastResult ? badge(site.lastResult) : "—", " ", timeElement(site.lastFinishedAt)),
      h("dt", {}, "Deploy run"), h("dd", {}, runLink(site.deployRun) || "—"),
      h("dt", {}, "Deployment PR"), h("dd", {}, deploymentLink(site.deploymentPullRequest) || "—")));
    drift.replaceChildren(...driftSection(name, site, () => load(signal)));
    history.replaceChildren(h("h2", { id: "history-title" }, "History"), historyTable(deploys.items));
  }).catch((e) => {
    if (e.name === "AbortError") throw e;
    head.replaceChildren(errorBox(e));
  });
  return every5s(load);
}

function driftSection(name, site, reload) {
  const check = h("button", {
    type: "button",
    disabled: !site.revision,
    onclick: async () => {
      check.disabled = true;
      try {
        const d = await api.checkDrift(name);
        announce(`Drift of ${name}: ${d.state}`);
        await reload();
      } catch (e) {
        check.replaceWith(errorBox(e));
      } finally {
        check.disabled = false;
      }
    },
  }, "Check now");
  canI([{ action: "create", resource: "sites", site: name }]).then(([may]) => { check.hidden = !may; });
  const title = h("h2", { id: "drift-title" }, "Drift ", site.drift ? badge(site.drift.state) : "");
  if (!site.drift) {
    return [title, h("p.muted", {}, site.revision ? "Not checked yet." : "Not deployed: nothing to compare with."), check];
  }
  const d = site.drift;
  const rows = d.services.map((s) => h("tr", { dataset: { service: s.name } },
    h("th", { scope: "row" }, s.name, h("div.muted", {}, `${s.release} in ${s.namespace}`)),
    h("td", {}, badge(s.state)),
    h("td", {}, s.missing ? h("strong", {}, "release missing")
      : s.chartMismatch ? h("span", {}, h("code", {}, s.deployedChart), " → wanted ", h("code", {}, s.desiredChart))
      : h("code", {}, s.deployedChart || s.desiredChart)),
    h("td", {}, s.error ? h("span.error-text", {}, s.error) : "",
      s.differences.length ? h("ul.differences", {}, s.differences.map((x) => h("li", { dataset: { path: x.path } },
        h("code", {}, x.path), ` ${x.kind.toLowerCase()}: `,
        h("code", {}, x.desired ?? "absent"), " → ", h("code", {}, x.deployed ?? "absent")))) : (s.error ? "" : "—"))));
  return [title,
    h("p.muted", {}, "Checked ", timeElement(d.checkedAt), " against ", revisionCode(d.revision), " ", check),
    d.error ? errorBox(d.error) : "",
    h("table.drift", {},
      h("caption.visually-hidden", {}, `Drift of ${name} by service`),
      h("thead", {}, h("tr", {}, ["Service", "State", "Chart", "Differences (wanted → running)"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows))];
}

function historyTable(deploys) {
  if (!deploys.length) return h("p.empty", {}, "No deploys yet.");
  return h("table.history", {},
    h("caption.visually-hidden", {}, "Deploys, newest first"),
    h("thead", {}, h("tr", {}, ["Requested", "Revisions", "Result", "Run", "By"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, deploys.map((d) => h("tr", { dataset: { deploy: d.id } },
      h("td", {}, timeElement(d.requestedAt)),
      h("td", {}, d.fromRevision ? revisionCode(d.fromRevision) : h("span.muted", {}, "nothing"), " → ", revisionCode(d.toRevision),
        d.dryRun ? h("span.muted", {}, " (dry run)") : ""),
      h("td", {}, d.result ? badge(d.result) : badge("Running")),
      h("td", {}, runLink(d.run?.name)),
      h("td", {}, `${d.actor} (${d.source})`)))));
}
