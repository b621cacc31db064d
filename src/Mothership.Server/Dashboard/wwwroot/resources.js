// Pipelines and Tasks: the stored definitions, newest change first, each with its YAML document
// (as applied) behind a disclosure button, and for pipelines a link to their runs.

import { api, q } from "./api.js";
import { h, timeElement, errorBox } from "./util.js";

export function resourcesPage(main, { kinds, params }) {
  const title = kinds === "pipelines" ? "Pipelines" : "Tasks";
  const body = h("div", {}, h("p.muted", {}, "Loading…"));
  main.replaceChildren(h("h1", {}, title), body);
  const open = params.get("name");
  api.resources(kinds).then((r) => {
    if (!r.items.length) {
      body.replaceChildren(h("p.empty", {}, `No ${title.toLowerCase()} applied yet. Apply some with `, h("code", {}, "mship apply -f FILE"), "."));
      return;
    }
    const rows = r.items.map((item) => {
      const id = `doc-${kinds}-${item.name}`.replace(/[^A-Za-z0-9_-]/g, "_");
      const doc = h("tr.doc-row", { id, hidden: open !== item.name },
        h("td", { colspan: 5 }, h("pre.yaml", { tabindex: 0, "aria-label": `YAML of ${item.name}` }, h("code", {}, item.document))));
      const toggle = h("button", { type: "button", "aria-expanded": String(open === item.name), "aria-controls": id,
        onclick: () => {
          const show = doc.hidden;
          doc.hidden = !show;
          toggle.setAttribute("aria-expanded", String(show));
          toggle.textContent = show ? "Hide YAML" : "Show YAML";
        } }, open === item.name ? "Hide YAML" : "Show YAML");
      return [h("tr", { dataset: { name: item.name } },
        h("th", { scope: "row" }, h("code", {}, item.name)),
        h("td", {}, String(item.generation)),
        h("td", {}, timeElement(item.updatedAt || item.createdAt)),
        h("td", {}, kinds === "pipelines" ? h("a", { href: `/?pipeline=${q(item.name)}`, "data-link": true }, "Runs") : "—"),
        h("td", {}, toggle)), doc];
    });
    body.replaceChildren(h("table.resources", {},
      h("caption.visually-hidden", {}, title),
      h("thead", {}, h("tr", {}, ["Name", "Generation", "Updated", "Runs", "Definition"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows)));
  }).catch((e) => body.replaceChildren(errorBox(e)));
  return () => {};
}
