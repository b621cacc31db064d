// The log viewer of one step (one container of one TaskRun). Built for big logs: pages of chunks
// are fetched by afterId only while the reader is near the end of what is loaded (or following),
// and only the lines in view are in the DOM (fixed line height, a spacer gives the scrollbar its
// length), so a 50 MB log costs its strings in memory, not 600,000 elements. While the run is not
// finished it keeps polling after the last id: that is how live lines arrive.
// Keys (when focus is not in a text field): / search, n / N next / previous match, e next error,
// f follow on/off.

import { api } from "./api.js";
import { renderAnsi, stripAnsi } from "./ansi.js";
import { h, announce } from "./util.js";

const LINE_HEIGHT = 18;
// A page is at most PAGE_LINES lines (the server stops adding chunks there), whatever the chunk sizes.
const PAGE_CHUNKS = 1000;
const PAGE_LINES = 2000;
const AHEAD_LINES = 2000;
const POLL_MS = 500;
const ERRORS = "(?i)(error|fail|fatal|panic|exception)";

export class LogViewer {
  constructor({ kinds, run, taskRun, container, live }) {
    Object.assign(this, { kinds, run, taskRun, container });
    this.lines = [];
    this.numbers = [];
    this.chunks = []; // {firstLine, count, start, attempt}: maps the server's line numbers to rows
    this.afterId = 0;
    this.done = false;
    this.following = live;
    this.matches = [];
    this.matchAt = -1;
    this.errors = null;
    this.current = -1;
    this.target = -1;
    this.abort = new AbortController();
    this.build();
    this.onKey = (ev) => this.key(ev);
    document.addEventListener("keydown", this.onKey);
    this.pump();
  }

  build() {
    const id = `log-${Math.random().toString(36).slice(2, 8)}`;
    this.search = h("input", { type: "search", id: `${id}-q`, placeholder: "Search this step (/)", "aria-label": "Search the log",
      onkeydown: (ev) => { if (ev.key === "Enter") { ev.preventDefault(); this.find(ev.shiftKey ? -1 : 1); } } });
    this.regex = h("input", { type: "checkbox", id: `${id}-re` });
    this.count = h("span.muted.count", { "aria-live": "polite" });
    this.followButton = h("button", { type: "button", "aria-pressed": String(this.following), onclick: () => this.setFollow(!this.following), title: "Follow new lines (f)" }, "Follow");
    this.status = h("span.muted.log-status");
    const toolbar = h("div.log-toolbar", { role: "toolbar", "aria-label": "Log tools" },
      this.search,
      h("label.inline", {}, this.regex, " regex"),
      h("button", { type: "button", onclick: () => this.find(-1), title: "Previous match (N)" }, "↑ Prev"),
      h("button", { type: "button", onclick: () => this.find(1), title: "Next match (n)" }, "↓ Next"),
      h("button", { type: "button", onclick: () => this.nextError(), title: "Next error (e)" }, "⚠ Next error"),
      this.followButton,
      h("a.button", { href: api.logDownload(this.kinds, this.run, this), download: "" }, "⤓ Download"),
      this.count, this.status);
    this.spacer = h("div.log-spacer");
    this.window = h("div.log-window");
    this.viewport = h("div.log-viewport", { tabindex: 0, role: "log", "aria-label": `Log of ${this.container}`, "aria-live": "off" }, this.spacer, this.window);
    this.viewport.addEventListener("scroll", () => this.schedule());
    this.viewport.addEventListener("wheel", (ev) => { if (ev.deltaY < 0 && this.following) this.setFollow(false); }, { passive: true });
    this.element = h("section.log", { "aria-label": "Log", dataset: { container: this.container } }, toolbar, this.viewport);
  }

  dispose() {
    this.abort.abort();
    document.removeEventListener("keydown", this.onKey);
  }

  key(ev) {
    if (!this.element.isConnected) return this.dispose();
    if (ev.ctrlKey || ev.metaKey || ev.altKey || document.querySelector("dialog[open]")) return;
    const typing = ev.target.closest?.("input, textarea, select");
    if (typing) {
      if (ev.key === "Escape" && ev.target === this.search) this.viewport.focus();
      return;
    }
    const actions = { "/": () => this.search.focus(), n: () => this.find(1), N: () => this.find(-1), e: () => this.nextError(), f: () => this.setFollow(!this.following) };
    if (actions[ev.key]) {
      ev.preventDefault();
      actions[ev.key]();
    }
  }

  setFollow(on) {
    this.following = on;
    this.followButton.setAttribute("aria-pressed", String(on));
    announce(on ? "Following the log" : "Stopped following the log");
    if (on) {
      this.scrollToEnd();
      this.pump();
    }
  }

  wanted() {
    if (this.done) return false;
    if (this.following || this.target >= 0) return true;
    const lastVisible = (this.viewport.scrollTop + this.viewport.clientHeight) / LINE_HEIGHT;
    return this.lines.length - lastVisible < AHEAD_LINES;
  }

  // A jump (search match, error) far ahead loads up to its line in one request, not page by page.
  pageLines() {
    return this.target >= 0 ? Math.max(PAGE_LINES, this.target - this.lines.length + PAGE_LINES) : PAGE_LINES;
  }

  async pump() {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.wanted() && !this.abort.signal.aborted) {
        const page = await api.logPage(this.kinds, this.run, { taskRun: this.taskRun, container: this.container, afterId: this.afterId, limit: PAGE_CHUNKS, maxLines: this.pageLines() }, this.abort.signal);
        this.append(page.chunks);
        this.afterId = page.nextAfterId;
        if (page.finished) {
          this.done = true;
        } else if (!page.chunks.length) {
          this.status.textContent = "⟳ live";
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      }
      if (this.done) this.status.textContent = this.lines.length ? `${this.lines.length.toLocaleString()} lines` : "no output";
    } catch (e) {
      if (e.name !== "AbortError") this.status.textContent = `⚠ ${e.message}`;
    } finally {
      this.pumping = false;
    }
  }

  append(chunks) {
    if (!chunks.length) return;
    for (const c of chunks) {
      const prev = this.chunks[this.chunks.length - 1];
      if (prev && prev.attempt !== c.attempt) {
        this.lines.push(`\x1b[1m── attempt ${c.attempt + 1} ──\x1b[0m`);
        this.numbers.push("");
      }
      this.chunks.push({ firstLine: c.firstLine, count: c.lines.length, start: this.lines.length, attempt: c.attempt });
      c.lines.forEach((line, i) => { this.lines.push(line); this.numbers.push(c.firstLine + i + 1); });
    }
    this.spacer.style.height = `${this.lines.length * LINE_HEIGHT}px`;
    if (this.target >= 0) this.resolveTarget();
    if (this.following) this.scrollToEnd();
    this.schedule();
  }

  scrollToEnd() {
    this.viewport.scrollTop = this.viewport.scrollHeight;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
      if (!this.pumping && this.wanted()) this.pump();
    });
  }

  render() {
    const top = this.viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / LINE_HEIGHT) - 20);
    const last = Math.min(this.lines.length, Math.ceil((top + this.viewport.clientHeight) / LINE_HEIGHT) + 20);
    const matched = new Set(this.matches.map((m) => this.rowOf(m.line)));
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = h("div.log-line", { dataset: { row: i } });
      if (matched.has(i)) row.classList.add("match");
      if (i === this.current) row.classList.add("current");
      row.append(h("span.ln", { "aria-hidden": "true" }, this.numbers[i]));
      const text = h("span.lt");
      renderAnsi(this.lines[i], text);
      row.append(text);
      rows.push(row);
    }
    this.window.style.transform = `translateY(${first * LINE_HEIGHT}px)`;
    this.window.replaceChildren(...rows);
  }

  /** The row of the server's 0-based line number in this container's log (latest attempt), or -1. */
  rowOf(line) {
    for (let k = this.chunks.length - 1; k >= 0; k--) {
      const c = this.chunks[k];
      if (line >= c.firstLine && line < c.firstLine + c.count) return c.start + line - c.firstLine;
    }
    return -1;
  }

  async find(direction) {
    const text = this.search.value;
    if (!text) { this.search.focus(); return; }
    const key = `${this.regex.checked}:${text}`;
    if (this.searched !== key) {
      this.searched = key;
      try {
        const result = await api.logSearch(this.kinds, this.run, { taskRun: this.taskRun, container: this.container, text, regex: this.regex.checked });
        this.matches = result.matches;
        this.matchAt = -1;
        this.truncated = result.truncated;
      } catch (e) {
        this.searched = null;
        this.count.textContent = `⚠ ${e.message}`;
        return;
      }
    }
    if (!this.matches.length) {
      this.count.textContent = "no matches";
      announce(`No matches for ${text}`);
      this.schedule();
      return;
    }
    this.matchAt = (this.matchAt + direction + this.matches.length) % this.matches.length;
    this.count.textContent = `${this.matchAt + 1} of ${this.matches.length}${this.truncated ? "+" : ""}`;
    this.jump(this.matches[this.matchAt].line);
  }

  async nextError() {
    if (!this.errors) {
      // One search for presses in quick succession; a live step's errors are searched again later.
      this.errors = api.logSearch(this.kinds, this.run, { taskRun: this.taskRun, container: this.container, text: ERRORS, regex: true }).then((r) => r.matches);
      if (!this.done) setTimeout(() => { this.errors = null; }, 2000);
    }
    let errors;
    try {
      errors = await this.errors;
    } catch (e) {
      this.errors = null;
      this.count.textContent = `⚠ ${e.message}`;
      return;
    }
    if (!errors.length) {
      this.count.textContent = "no errors found";
      announce("No errors found in this log");
      return;
    }
    const currentLine = this.current >= 0 ? this.numbers[this.current] - 1 : -1;
    const next = errors.find((m) => m.line > currentLine) || errors[0];
    this.count.textContent = `error ${errors.indexOf(next) + 1} of ${errors.length}`;
    this.jump(next.line);
  }

  jump(line) {
    this.setFollow(false);
    this.target = line;
    this.resolveTarget();
    if (this.target >= 0) this.pump();
  }

  resolveTarget() {
    const row = this.rowOf(this.target);
    if (row < 0) {
      if (this.done) this.target = -1;
      return;
    }
    this.target = -1;
    this.current = row;
    this.viewport.scrollTop = Math.max(0, row * LINE_HEIGHT - this.viewport.clientHeight / 2);
    announce(`Line ${this.numbers[row]}: ${stripAnsi(this.lines[row]).slice(0, 120)}`);
    this.schedule();
  }
}
