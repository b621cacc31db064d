// Rollouts: the server's rollouts, newest first (GET /api/v1/rollouts), and a rollout's page
// (GET /api/v1/rollouts/NAME): its sites as a wave × region grid — each site's state as a colour,
// an icon and a word, its attempt and a link to its deploy run (and bake check) — the gates (the
// waiting one with the roles that may open it and an Approve button), the change window, Pause /
// Resume / Abort, Retry on a failed site, and the events as a timeline. Buttons the caller may not
// use are hidden (POST /api/v1/auth/can-i on rollouts ENVIRONMENT/*); refreshed every 5 s.

import { api, ApiError, canI } from "./api.js";
import { h, timeElement, errorBox, announce, confirmDialog, shortRevision as short, runLink, every5s } from "./util.js";
import { badge } from "./state.js";

const rolloutLink = (name) => h("a", { href: `/ui/rollouts/${encodeURIComponent(name)}`, "data-link": true }, name);

export function rolloutsPage(main, ctx) {
  return ctx.name ? rolloutPage(main, ctx.name) : listPage(main);
}

function listPage(main) {
  const body = h("div", {}, h("p.muted", {}, "Loading…"));
  main.replaceChildren(h("h1", {}, "Rollouts"), body);
  return every5s((signal) => api.rollouts(signal).then((r) => {
    if (!r.items.length) {
      body.replaceChildren(h("p.empty", {}, "No rollouts yet (start one with mship rollout start ENVIRONMENT; README: Rollouts on the server)."));
      return;
    }
    body.replaceChildren(h("table.rollouts", {},
      h("caption.visually-hidden", {}, "Rollouts, newest first"),
      h("thead", {}, h("tr", {}, ["Rollout", "Environment", "Revision", "Status", "Sites", "Started", "By"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, r.items.map((x) => h("tr", { dataset: { rollout: x.name } },
        h("td", {}, rolloutLink(x.name)),
        h("td", {}, x.environment),
        h("td", {}, h("code", { title: x.revision }, short(x.revision))),
        h("td", {}, badge(x.status), x.reason ? h("div.muted", {}, x.reason) : ""),
        h("td.num", {}, `${x.succeeded}/${x.sites} succeeded`, x.failed ? h("div.error-text", {}, `${x.failed} failed`) : ""),
        h("td", {}, timeElement(x.createdAt)),
        h("td", {}, x.actor))))));
  }).catch((e) => {
    if (e.name === "AbortError") throw e;
    body.replaceChildren(errorBox(e));
  }));
}

function rolloutPage(main, name) {
  const head = h("div", {}, h("p.muted", {}, "Loading…"));
  // An action's refusal stays until the next action (the refresh does not wipe it).
  const notice = h("div.notice", {});
  const actions = h("div.actions", {});
  const gates = h("section.panel", { "aria-labelledby": "gates-title" });
  const grid = h("section.panel", { "aria-labelledby": "grid-title" });
  const timeline = h("section.panel", { "aria-labelledby": "timeline-title" });
  const title = h("h1", {}, name);
  main.replaceChildren(
    h("p.crumbs", {}, h("a", { href: "/ui/rollouts", "data-link": true }, "Rollouts"), " / ", name),
    h("div.run-head", {}, title, actions), notice, head, gates, grid, timeline);
  // What the caller may do is asked once per page, for the rollout's environment.
  let may = null;
  let busy = false;
  const load = (signal) => api.rollout(name, signal).then(async (r) => {
    may ??= await permissions(r.environment);
    if (busy) return;
    const reload = () => load(signal);
    title.replaceChildren(name, " ", badge(r.status));
    actions.replaceChildren(...controlButtons(r, may, reload));
    head.replaceChildren(h("dl.meta", {},
      h("dt", {}, "Environment"), h("dd", {}, r.environment),
      h("dt", {}, "Revision"), h("dd", {}, h("code", { title: r.revision }, short(r.revision))),
      h("dt", {}, "Status"), h("dd", {}, badge(r.status), r.reason ? ` ${r.reason}` : ""),
      h("dt", {}, "Started"), h("dd", {}, timeElement(r.createdAt), ` by ${r.actor}`),
      h("dt", {}, "Change window"), h("dd", { "data-window": r.window.open ? "open" : "closed" }, r.window.open
        ? "open"
        : ["closed", r.window.nextOpening ? [" until ", timeElement(r.window.nextOpening)] : ""]),
      h("dt", {}, "Sites"), h("dd", {}, `${r.succeeded}/${r.sites.length} succeeded`, r.failed ? `, ${r.failed} failed` : "")));
    gates.replaceChildren(...gateSection(name, r, may, reload));
    grid.replaceChildren(h("h2", { id: "grid-title" }, "Sites by wave and region"), siteGrid(name, r, may, reload));
    timeline.replaceChildren(h("h2", { id: "timeline-title" }, "Timeline"), events(r.events));
  }).catch((e) => {
    if (e.name === "AbortError") throw e;
    head.replaceChildren(e instanceof ApiError && e.status === 404 ? h("p.empty", {}, `No rollout ${name}.`) : errorBox(e));
  });

  // A button's action: runs it, announces the answer, reloads; a refusal shows above the details.
  const act = async (button, what, call, reload) => {
    busy = true;
    button.disabled = true;
    notice.replaceChildren();
    try {
      const r = await call();
      announce(`${what}: rollout ${name} ${r?.status || "done"}`);
    } catch (e) {
      notice.replaceChildren(errorBox(e));
    } finally {
      busy = false;
      button.disabled = false;
    }
    await reload();
  };

  function controlButtons(r, may, reload) {
    if (!r.active) return [];
    const pause = h("button", { type: "button", hidden: !may.cancel || r.status === "Paused",
      onclick: () => act(pause, "Paused", () => api.rolloutAct(name, "pause"), reload) }, "Pause");
    const resume = h("button.primary", { type: "button", hidden: !may.create || r.status !== "Paused",
      onclick: () => act(resume, "Resumed", () => api.rolloutAct(name, "resume"), reload) }, "Resume");
    const abort = h("button.danger", { type: "button", hidden: !may.cancel,
      onclick: async () => {
        const ok = await confirmDialog({ title: `Abort rollout ${name}?`, body: h("p", {}, "Sites not started yet are skipped; deploys already running finish."), ok: "Abort" });
        if (ok) await act(abort, "Aborted", () => api.rolloutAct(name, "abort"), reload);
      } }, "Abort");
    return [pause, resume, abort];
  }

  function gateSection(rolloutName, r, may, reload) {
    const head = h("h2", { id: "gates-title" }, "Gates");
    if (!r.gates.length) return [head, h("p.muted", {}, "No approval gates: the waves follow one another.")];
    return [head, h("ul.gates", {}, r.gates.map((g) => {
      const approve = h("button.primary", { type: "button", hidden: !may.approve || !g.waiting || !r.active,
        onclick: () => act(approve, `Approved ${g.gate}`, () => api.rolloutAct(rolloutName, "approve", { gate: g.gate }), reload) }, "Approve");
      return h("li.gate", { dataset: { gate: g.gate, waiting: g.waiting ? "true" : "false" } },
        h("strong", {}, g.wave), " ",
        g.approvedBy ? [badge("Succeeded", "approved"), ` by ${g.approvedBy} `, timeElement(g.approvedAt)]
          : g.waiting ? badge("WaitingForApproval") : h("span.muted", {}, "not reached"),
        h("div.gate-roles", {}, g.approvedBy ? "Approvers: " : "Who can open it: one of ", g.roles.map((role) => h("code.label", {}, role))),
        approve);
    }))];
  }

  function siteGrid(rolloutName, r, may, reload) {
    const waves = r.waves.map((w) => w.name);
    const regions = [...new Set(r.sites.map((s) => s.region || "—"))].sort();
    const cell = (wave, region) => r.sites.filter((s) => s.wave === wave && (s.region || "—") === region).map((s) => {
      const retry = s.state === "Failed" && r.active !== false
        ? h("button", { type: "button", hidden: !may.rerun,
          onclick: () => act(retry, `Retry of ${s.site}`, () => api.rolloutAct(rolloutName, "retry", { site: s.site }), reload) }, "Retry")
        : "";
      return h("div.site-card", { dataset: { site: s.site, state: s.state } },
        h("a.site-name", { href: `/ui/sites/${encodeURIComponent(s.site)}`, "data-link": true }, s.site),
        h("div", {}, badge(s.state), s.attempt > 1 ? h("span.muted", {}, ` attempt ${s.attempt}`) : ""),
        s.message ? h("div.muted", {}, s.message) : "",
        s.run ? h("div", {}, runLink(s.run, "Deploy run")) : "",
        s.check ? h("div", {}, runLink(s.check, "Bake check")) : "",
        retry);
    });
    return h("table.sites.rollout-grid", {},
      h("caption.visually-hidden", {}, `Sites of rollout ${rolloutName} by wave and region`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Wave"), regions.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, waves.map((wave) => h("tr", { dataset: { wave } },
        h("th", { scope: "row" }, wave),
        regions.map((region) => h("td", {}, cell(wave, region)))))));
  }

  return every5s(load);
}

/** What the caller may do on ENVIRONMENT/*: approve, cancel (pause, abort), create (resume), rerun (retry). */
async function permissions(environment) {
  const object = `${environment}/*`;
  const actions = ["approve", "cancel", "create", "rerun"];
  const answers = await canI(actions.map((action) => ({ action, resource: "rollouts", object })));
  return Object.fromEntries(actions.map((a, i) => [a, answers[i]]));
}

function events(items) {
  if (!items.length) return h("p.empty", {}, "No events yet.");
  return h("ol.timeline", {}, [...items].reverse().map((e) => h("li", { dataset: { seq: e.seq } },
    timeElement(e.at), " ",
    e.site ? h("strong", {}, e.site) : h("span.muted", {}, "rollout"), " ",
    e.from || e.to ? [e.from ? badge(e.from) : h("span.muted", {}, "—"), " → ", e.to ? badge(e.to) : ""] : "", " ",
    h("code", {}, e.reason),
    e.message ? h("span.muted", {}, ` ${e.message}`) : "",
    e.actor ? ` by ${e.actor}` : "")));
}
