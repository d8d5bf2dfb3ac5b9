// Validates Kubernetes objects against the schemas of the kubernetes-models packages (Kubernetes,
// KEDA, Prometheus Operator, Strimzi), strictly: an unknown field is an error, as it is for
// `kubectl apply` (server-side field validation "Strict").
//
// Usage: node validate.mjs FILE.json   (a JSON array of objects; `-` reads standard input)
// Prints one line per error ("Kind/name: path: message") and exits 1 when there is any, else prints
// "N objects valid" and exits 0.
//
// Why the proxy: the packages ship their schemas compiled to ajv validators without
// additionalProperties:false, so they catch wrong types, enums and missing required fields but not
// a misspelt field. We therefore watch which properties the validator reads on each object: an
// object whose schema lists properties gets each of them looked up; a map (labels, annotations) is
// enumerated; a free-form object (x-kubernetes-preserve-unknown-fields, e.g. KafkaTopic
// spec.config) is not looked into. A field the validator never looked up on an object whose schema
// lists properties is unknown to that schema. See docs/decisions/017-k8s-manifest-validation.md.
import { readFileSync } from "node:fs";

const PACKAGES = [
  [/^(v1|[a-z0-9.]*\.k8s\.io\/.+|apps\/v1|batch\/v1|policy\/v1|autoscaling\/v[12])$/, "kubernetes-models"],
  [/^keda\.sh\//, "@kubernetes-models/keda"],
  [/^monitoring\.coreos\.com\//, "@kubernetes-models/prometheus-operator"],
  [/^kafka\.strimzi\.io\//, "@kubernetes-models/strimzi-kafka-operator"],
];

async function modelClass(apiVersion, kind) {
  const entry = PACKAGES.find(([re]) => re.test(apiVersion));
  if (!entry || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return null;
  }
  try {
    const mod = await import(`${entry[1]}/${apiVersion}/${kind}`);
    return mod[kind] ?? null;
  } catch (e) {
    if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || e.code === "ERR_MODULE_NOT_FOUND") {
      return null;
    }
    throw e;
  }
}

/** Wraps data so that every property read and every enumeration is recorded per object. */
function watched(root) {
  const reads = new WeakMap(); // object -> Set of property names looked up
  const enumerated = new WeakSet();
  const proxies = new WeakMap();
  const wrap = (value) => {
    if (value === null || typeof value !== "object") {
      return value;
    }
    let p = proxies.get(value);
    if (!p) {
      reads.set(value, new Set());
      p = new Proxy(value, {
        get(target, key, receiver) {
          if (typeof key === "string") reads.get(target).add(key);
          return wrap(Reflect.get(target, key, receiver));
        },
        has(target, key) {
          if (typeof key === "string") reads.get(target).add(key);
          return Reflect.has(target, key);
        },
        ownKeys(target) {
          enumerated.add(target);
          return Reflect.ownKeys(target);
        },
      });
      proxies.set(value, p);
    }
    return p;
  };
  return { proxy: wrap(root), reads, enumerated };
}

function unknownFields(value, path, reads, enumerated, out) {
  if (value === null || typeof value !== "object") {
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, `${path}[${i}]`, reads, enumerated, out));
    return;
  }
  const looked = reads.get(value);
  const checked = looked && looked.size > 0 && !enumerated.has(value);
  for (const [key, v] of Object.entries(value)) {
    const child = path ? `${path}.${key}` : key;
    if (checked && !looked.has(key)) {
      out.push(`${child}: unknown field "${key}"`);
    } else {
      unknownFields(v, child, reads, enumerated, out);
    }
  }
}

export async function validateObject(obj) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    return ["not an object"];
  }
  const cls = await modelClass(String(obj.apiVersion), String(obj.kind));
  if (!cls) {
    return [`unknown kind: apiVersion ${obj.apiVersion}, kind ${obj.kind} has no schema here`];
  }
  const errors = [];
  const { proxy, reads, enumerated } = watched(obj);
  try {
    cls.prototype.validate.call(proxy);
  } catch (e) {
    const details = e.errors ?? e.details;
    if (Array.isArray(details)) {
      for (const d of details) {
        const where = (d.instancePath || "").replace(/^\//, "").replaceAll("/", ".");
        errors.push(`${where || "(object)"}: ${d.message ?? d.keyword} ${d.params ? JSON.stringify(d.params) : ""}`.trim());
      }
    } else {
      errors.push(String(e.message ?? e));
    }
  }
  unknownFields(obj, "", reads, enumerated, errors);
  return errors;
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node validate.mjs FILE.json (a JSON array of Kubernetes objects; - for stdin)");
    process.exit(2);
  }
  const objects = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8"));
  let bad = 0;
  for (const obj of objects) {
    const name = `${obj?.kind}/${obj?.metadata?.name}`;
    for (const err of await validateObject(obj)) {
      console.log(`${name}: ${err}`);
      bad++;
    }
  }
  if (bad > 0) {
    process.exit(1);
  }
  console.log(`${objects.length} objects valid`);
}

await main();
