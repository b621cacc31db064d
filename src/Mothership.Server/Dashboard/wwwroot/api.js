// The REST API of `mship server` (README, "mship server"): JSON over fetch, log streams as pages.
// Mutations carry the bearer token kept in sessionStorage; a 401 asks for it once and retries.
// Every mutation says Content-Type: application/json, even without a body: the server refuses
// changes of any other type, which is what keeps other sites' pages from posting to it.

const TOKEN_KEY = "mothership.token";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Asks for the token in the token dialog; resolves true when one was saved. */
export function askToken(reason) {
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token-input");
  document.getElementById("token-reason").textContent = reason ||
    "This server requires a bearer token for changes. It is kept in this tab only (sessionStorage).";
  input.value = token();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "ok") {
        setToken(input.value.trim());
        resolve(true);
      } else {
        resolve(false);
      }
    }, { once: true });
    dialog.showModal();
    input.focus();
  });
}

async function problem(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch {
    return response.statusText;
  }
}

// Every request says it is the dashboard's (the audit log's source) and carries the token when one
// was given: a server with an access policy may restrict reads too.
function headersOf(extra) {
  const headers = { Accept: "application/json", "X-Mothership-Client": "dashboard", ...extra };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  return headers;
}

export async function getJson(path, signal) {
  const response = await fetch(path, { headers: headersOf({}), signal });
  if (!response.ok) throw new ApiError(response.status, await problem(response));
  return response.json();
}

export async function post(path, body) {
  for (let attempt = 0; ; attempt++) {
    const headers = headersOf({ "Content-Type": "application/json", "X-Mothership-Actor": "dashboard" });
    const response = await fetch(path, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 && attempt === 0 && await askToken(await problem(response))) continue;
    if (!response.ok) throw new ApiError(response.status, await problem(response));
    return response.status === 204 ? null : response.json();
  }
}

export const q = encodeURIComponent;

/**
 * Follows a run's pushed changes (GET …/watch, server-sent events) until the run ends, the stream
 * drops or `signal` aborts, calling `onEvent(name, data)` per event: `run` (its summary), `graph`
 * (the whole graph), `tasks` (the graph nodes that changed), `end`. Read through fetch rather than
 * EventSource, which cannot send the bearer token a server with an access policy may want.
 * Resolves true when the run ended, false when the stream dropped first.
 */
export async function watch(kinds, name, onEvent, signal) {
  const response = await fetch(`/api/v1/${kinds}/${q(name)}/watch`, { headers: headersOf({ Accept: "text/event-stream" }), signal });
  if (!response.ok) throw new ApiError(response.status, await problem(response));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return false;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (!event || data === undefined) continue;
      onEvent(event, JSON.parse(data));
      if (event === "end") return true;
    }
  }
}

/**
 * Which of `questions` ({action, resource, and object, site or run+kind}) the caller may do, in
 * order, from POST /api/v1/auth/can-i; all true when the server enforces no policy or cannot say
 * (the API refuses anyway what is not allowed: hiding a button is a courtesy, not the check).
 */
export async function canI(questions) {
  try {
    const response = await fetch("/api/v1/auth/can-i", {
      method: "POST", headers: headersOf({ "Content-Type": "application/json" }), body: JSON.stringify({ questions }),
    });
    if (!response.ok) return questions.map(() => true);
    return (await response.json()).answers.map((a) => a.allowed);
  } catch {
    return questions.map(() => true);
  }
}

export const api = {
  runs: (kinds, params, signal) => getJson(`/api/v1/${kinds}?${params}`, signal),
  run: (kinds, name, signal) => getJson(`/api/v1/${kinds}/${q(name)}`, signal),
  graph: (name, signal) => getJson(`/api/v1/pipelineruns/${q(name)}/graph`, signal),
  events: (kinds, name, signal) => getJson(`/api/v1/${kinds}/${q(name)}/events`, signal),
  cancel: (kinds, name, status) => post(`/api/v1/${kinds}/${q(name)}/cancel`, { status }),
  rerun: (kinds, name) => post(`/api/v1/${kinds}/${q(name)}/rerun`),
  resources: (kinds, signal) => getJson(`/api/v1/${kinds}`, signal),
  sites: (signal) => getJson("/api/v1/sites", signal),
  site: (name, signal) => getJson(`/api/v1/sites/${q(name)}`, signal),
  siteHistory: (name, signal) => getJson(`/api/v1/sites/${q(name)}/history`, signal),
  checkDrift: (name) => post(`/api/v1/sites/${q(name)}/drift`, {}),
  rollouts: (signal) => getJson("/api/v1/rollouts", signal),
  rollout: (name, signal) => getJson(`/api/v1/rollouts/${q(name)}`, signal),
  rolloutAct: (name, action, body) => post(`/api/v1/rollouts/${q(name)}/${action}`, body || {}),
  mergePool: (signal) => getJson("/api/v1/mergepool", signal),
  flakes: (repository, signal) => getJson(`/api/v1/flakes${repository ? `?repository=${q(repository)}` : ""}`, signal),
  jobResults: (repository, signal) => getJson(`/api/v1/jobresults?limit=500${repository ? `&repository=${q(repository)}` : ""}`, signal),
  logPage: (kinds, name, { taskRun, container, afterId, limit, maxLines }, signal) =>
    getJson(`/api/v1/${kinds}/${q(name)}/logs?format=json&taskRun=${q(taskRun)}&container=${q(container)}&afterId=${afterId}&limit=${limit}&maxLines=${maxLines}`, signal),
  logSearch: (kinds, name, { taskRun, container, text, regex }, signal) =>
    getJson(`/api/v1/${kinds}/${q(name)}/logs/search?taskRun=${q(taskRun)}&container=${q(container)}&q=${q(text)}${regex ? "&regex=true" : ""}`, signal),
  logDownload: (kinds, name, { taskRun, container }) =>
    `/api/v1/${kinds}/${q(name)}/logs?taskRun=${q(taskRun)}&container=${q(container)}&download=true`,
};
