// ANSI SGR colours in log lines → spans with classes (styles.css colours them). Foreground
// 30–37 and 90–97, bold (1), resets (0, 39); every other escape sequence is dropped.

const ESCAPE = /\x1b\[([0-9;]*)([A-Za-z])|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

/** Appends the line to `parent` as text nodes and spans; returns plain text (for searching). */
export function renderAnsi(line, parent) {
  let fg = null;
  let bold = false;
  let last = 0;
  let plain = "";
  const flush = (text) => {
    if (!text) return;
    plain += text;
    if (fg === null && !bold) {
      parent.append(text);
      return;
    }
    const span = document.createElement("span");
    span.className = [fg !== null ? `ansi-${fg}` : "", bold ? "ansi-bold" : ""].join(" ").trim();
    span.textContent = text;
    parent.append(span);
  };
  for (const m of line.matchAll(ESCAPE)) {
    flush(line.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] !== "m") continue;
    for (const code of (m[1] || "0").split(";").map(Number)) {
      if (code === 0) { fg = null; bold = false; }
      else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) fg = null;
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) fg = code;
    }
  }
  flush(line.slice(last));
  return plain;
}

/** The line without escape sequences. */
export function stripAnsi(line) {
  return line.replace(ESCAPE, "");
}
