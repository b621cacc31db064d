// States shown the same way everywhere: an icon AND a word (readable without colour), and a
// class for the colour. Run summaries, run objects and graph nodes all map to these few states.

const STATES = {
  Succeeded: { icon: "✓", cls: "ok" },
  // A rerun from the failure took the task over from the earlier run instead of running it.
  Reused: { icon: "↺", cls: "reuse" },
  Failed: { icon: "✗", cls: "bad" },
  FailureIgnored: { icon: "✗", cls: "warn", label: "Failure ignored" },
  Running: { icon: "⟳", cls: "run" },
  Pending: { icon: "…", cls: "wait" },
  Queued: { icon: "…", cls: "wait" },
  Skipped: { icon: "⊘", cls: "skip" },
  Cancelled: { icon: "⊘", cls: "cancel" },
  TimedOut: { icon: "✗", cls: "bad", label: "Timed out" },
  // A site's drift (Argo CD's sync status).
  InSync: { icon: "✓", cls: "ok", label: "In sync" },
  OutOfSync: { icon: "≠", cls: "bad", label: "Out of sync" },
  Unknown: { icon: "?", cls: "warn" },
  // A deploy whose run was deleted before it ended.
  Lost: { icon: "✗", cls: "bad" },
  // A rollout and its sites.
  WaitingForWindow: { icon: "◷", cls: "wait", label: "Waiting for window" },
  WaitingForApproval: { icon: "⚑", cls: "warn", label: "Waiting for approval" },
  Deploying: { icon: "⟳", cls: "run" },
  Baking: { icon: "⟳", cls: "run" },
  Halted: { icon: "■", cls: "bad" },
  Paused: { icon: "❚❚", cls: "cancel" },
  Aborted: { icon: "⊘", cls: "cancel" },
  SucceededWithFailures: { icon: "✓", cls: "warn", label: "Succeeded with failures" },
};

/** The state of a Succeeded condition ({status, reason}) and the run's phase, when known. */
export function stateOf(status, reason, phase) {
  reason = reason || "";
  if (status === "True") return "Succeeded";
  if (status === "False") {
    if (/Cancel|Stopped/.test(reason)) return "Cancelled";
    if (/Timeout/.test(reason)) return "TimedOut";
    if (reason === "FailureIgnored") return "FailureIgnored";
    return "Failed";
  }
  if (phase === "Queued" || reason === "Queued") return "Queued";
  if (phase === "Pending" || /Pending/.test(reason)) return "Pending";
  return "Running";
}

/** The state of a run object (PipelineRun or TaskRun). */
export function runState(run) {
  const c = run?.status?.conditions?.[0];
  return stateOf(c?.status, c?.reason);
}

export function stateInfo(state) {
  const s = STATES[state] || STATES.Pending;
  return { icon: s.icon, cls: s.cls, label: s.label || state };
}

/** A badge element: icon (hidden from screen readers, the word says it) + word. */
export function badge(state, extra) {
  const info = stateInfo(state);
  const span = document.createElement("span");
  span.className = `state state-${info.cls}`;
  span.dataset.state = state;
  const icon = document.createElement("span");
  icon.className = "state-icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = info.icon;
  span.append(icon, ` ${info.label}${extra ? ` (${extra})` : ""}`);
  return span;
}

export function isFinished(state) {
  return !["Running", "Pending", "Queued"].includes(state);
}
