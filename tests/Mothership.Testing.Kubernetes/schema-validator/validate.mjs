// Checks Kubernetes objects against Kubernetes' published OpenAPI schemas, through the validators
// that kubernetes-models generates from them. Started once per test process by
// KubernetesSchemaValidator.cs and kept running: one JSON request a line on stdin,
//   {"id": 1, "kind": "Pod", "object": {...}}
// one JSON answer a line on stdout, in the order asked,
//   {"id": 1, "violations": [{"field": "spec.containers[0].name", "reason": "FieldValueRequired", "message": "Required value"}]}
// or {"id": 1, "error": "..."} for a request it cannot check. It ends when stdin closes.
import { createInterface } from "node:readline";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Event } from "kubernetes-models/v1/Event";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";

// The kinds the fake API server serves (core/v1 and apps/v1 Deployment). A model fills in
// apiVersion and kind when the body leaves them out, as the API server does from the request's path.
const models = { ConfigMap, Deployment, Event, PersistentVolumeClaim, Pod, Secret, Service, ServiceAccount };

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

// A JSON pointer (/spec/containers/0/name) as the API server names a field (spec.containers[0].name):
// list indexes and map keys that are not plain words in brackets.
function fieldPath(root, pointer) {
  let path = "";
  let node = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    path = child(path, key, Array.isArray(node));
    node = node == null ? undefined : node[key];
  }
  return path;
}

function child(path, key, index) {
  if (index || !identifier.test(key)) return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

function valueAt(root, pointer) {
  let node = root;
  for (const raw of pointer.split("/").slice(1)) {
    node = node == null ? undefined : node[raw.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

function show(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

// Formats as a reader knows them; the schemas' names otherwise.
const formats = {
  byte: "base64 string",
  "date-time": "RFC 3339 date-time",
  quantity: "quantity (such as 500m or 1Gi)",
};

// What a failed branch of a oneOf (int-or-string, quantity) asked for.
function wanted(e) {
  return e.keyword === "type" ? `of type ${e.params.type}` : e.keyword === "format" ? `a ${formats[e.params.format] ?? e.params.format}` : e.message;
}

// ajv's errors in the API server's words (k8s.io/apimachinery/pkg/util/validation/field): one per
// field, the branches of a oneOf folded into the oneOf's own.
function violations(root, errors) {
  const alternatives = new Map();
  for (const e of errors) {
    if (e.keyword === "oneOf" || e.keyword === "anyOf") alternatives.set(e.instancePath, []);
  }
  for (const e of errors) {
    if (e.keyword !== "oneOf" && e.keyword !== "anyOf" && alternatives.has(e.instancePath)) {
      alternatives.get(e.instancePath).push(wanted(e));
    }
  }

  const seen = new Set();
  const out = [];
  for (const e of errors) {
    const oneOf = e.keyword === "oneOf" || e.keyword === "anyOf";
    if (!oneOf && alternatives.has(e.instancePath)) continue;
    const field = fieldPath(root, e.instancePath);
    const value = show(valueAt(root, e.instancePath));
    let v;
    if (e.keyword === "required") {
      v = { field: child(field, e.params.missingProperty, false), reason: "FieldValueRequired", message: "Required value" };
    } else if (e.keyword === "enum") {
      const supported = e.params.allowedValues.map((a) => JSON.stringify(a)).join(", ");
      v = { field, reason: "FieldValueNotSupported", message: `Unsupported value: ${value}: supported values: ${supported}` };
    } else if (e.keyword === "type") {
      v = { field, reason: "FieldValueTypeInvalid", message: `Invalid value: ${value}: must be of type ${e.params.type}` };
    } else if (oneOf) {
      v = { field, reason: "FieldValueInvalid", message: `Invalid value: ${value}: must be ${[...new Set(alternatives.get(e.instancePath))].join(" or ")}` };
    } else if (e.keyword === "format") {
      v = { field, reason: "FieldValueInvalid", message: `Invalid value: ${value}: must be a ${formats[e.params.format] ?? e.params.format}` };
    } else {
      v = { field, reason: "FieldValueInvalid", message: `Invalid value: ${value}: ${e.message ?? e.keyword}` };
    }
    const key = `${v.field}\n${v.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

function check(kind, object) {
  const Model = models[kind];
  if (!Model) throw new Error(`no schema for kind ${kind}: the validator knows ${Object.keys(models).join(", ")}`);
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    return [{ field: "", reason: "FieldValueTypeInvalid", message: `Invalid value: ${show(object)}: must be of type object` }];
  }
  const model = new Model(object);
  try {
    model.validate();
    return [];
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return violations(model.toJSON(), e.errors);
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  let id = null;
  let answer;
  try {
    const request = JSON.parse(line);
    id = request.id ?? null;
    answer = { id, violations: check(request.kind, request.object) };
  } catch (e) {
    answer = { id, error: String(e?.message ?? e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
lines.on("close", () => process.exit(0));
