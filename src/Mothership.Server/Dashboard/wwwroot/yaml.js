// JSON → YAML for the YAML views: block style, two-space indent, strings quoted only when YAML
// would read them as something else. Enough for run objects; no library needed.

const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./ :=@+,()-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-fA-F]+|\.inf|\.nan)$/i;

function scalar(value) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const s = String(value);
  if (s === "") return '""';
  if (PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(" ") && !s.includes(": ") && !s.includes(" #")) return s;
  return JSON.stringify(s);
}

function key(k) {
  return PLAIN.test(k) && !RESERVED.test(k) && !k.includes(": ") ? k : JSON.stringify(k);
}

function isEmpty(v) {
  return (Array.isArray(v) && v.length === 0) || (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
}

function block(text, pad) {
  // Literal block for multi-line strings (scripts): keeps them readable.
  const indicator = text.endsWith("\n") ? "|" : "|-";
  const body = text.replace(/\n$/, "").split("\n").map((l) => (l ? pad + l : "")).join("\n");
  return `${indicator}\n${body}`;
}

function emit(value, indent, out) {
  const pad = "  ".repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === "object" && !isEmpty(item)) {
        const lines = [];
        emit(item, indent + 1, lines);
        lines[0] = `${pad}- ${lines[0].slice(pad.length + 2)}`;
        out.push(...lines);
      } else {
        out.push(`${pad}- ${inline(item, indent + 1)}`);
      }
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v && typeof v === "object" && !isEmpty(v)) {
      out.push(`${pad}${key(k)}:`);
      emit(v, Array.isArray(v) ? indent : indent + 1, out);
    } else {
      out.push(`${pad}${key(k)}: ${inline(v, indent + 1)}`);
    }
  }
}

function inline(v, indent) {
  if (Array.isArray(v)) return "[]";
  if (v && typeof v === "object") return "{}";
  if (typeof v === "string" && v.includes("\n")) return block(v, "  ".repeat(indent));
  return scalar(v);
}

export function toYaml(value) {
  if (value === null || typeof value !== "object") return scalar(value) + "\n";
  if (isEmpty(value)) return (Array.isArray(value) ? "[]" : "{}") + "\n";
  const out = [];
  emit(value, 0, out);
  return out.join("\n") + "\n";
}
