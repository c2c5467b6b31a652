// SPDX-License-Identifier: LGPL-2.1-or-later
// Validates Kubernetes YAML files offline against the API schemas that the
// npm package kubernetes-models ships (installed by .ci/install-deps into
// $KUBE_SCHEMA_DIR). Every document must have an apiVersion and kind the
// package knows, pass its validate(), and have no field the schema does not
// know (as `kubectl --validate=strict` would say; the package's validators
// allow unknown fields, so they are found here: see strictCheck). Prints
// one line per document and "N passed, N failed"; exits 1 if any failed.
// Usage: node validate-kube.mjs FILE.yaml...
import { createRequire } from "node:module";
import { readFileSync, existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

const prefix = process.env.KUBE_SCHEMA_DIR || "/var/cache/ctapp-test/kube-schema";
const modules = `${prefix}/node_modules`;
if (!existsSync(`${modules}/kubernetes-models/package.json`)) {
  console.error(`kubernetes-models is not installed in '${prefix}': run .ci/install-deps`);
  process.exit(2);
}
const YAML = createRequire(`${modules}/`)("yaml");

// "apps/v1" + "Deployment" -> kubernetes-models/apps/v1/Deployment.js
async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z]+$/.test(kind))
    throw new Error("apiVersion and kind must be strings");
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) throw new Error(`bad apiVersion '${apiVersion}'`);
  const file = `${modules}/kubernetes-models/${apiVersion}/${kind}.js`;
  if (!existsSync(file)) throw new Error(`no schema for ${apiVersion} ${kind}`);
  const module = await import(pathToFileURL(file).href);
  return module[kind];
}

// The schema's own validator for apiVersion/kind ("apps/v1" Deployment ->
// _schemas/IoK8sApiAppsV1Deployment.js).
async function schemaValidator(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const title = (word) => word.charAt(0).toUpperCase() + word.slice(1);
  const name = `IoK8sApi${title(group.split(".")[0])}${title(version)}${kind}`;
  const file = `${modules}/kubernetes-models/_schemas/${name}.js`;
  if (!existsSync(file)) throw new Error(`no schema file ${name}.js`);
  return (await import(pathToFileURL(file).href)).validate;
}

// Unknown fields: the compiled validators read every property their schema
// defines (and list the keys of free-form maps such as labels), so each
// object is wrapped in a Proxy that records what the validator reads; an
// own key it never read is a field the schema does not have.
function strictCheck(validate, object) {
  const unknown = [];
  const records = [];
  const wrap = (value, path) => {
    if (value === null || typeof value !== "object") return value;
    const read = new Set();
    const record = { value, path, read, listed: false };
    records.push(record);
    const children = Array.isArray(value) ? value.map((item, i) => wrap(item, `${path}/${i}`))
      : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v, `${path}/${k}`)]));
    return new Proxy(children, {
      get(target, key, receiver) { if (typeof key === "string") read.add(key); return Reflect.get(target, key, receiver); },
      has(target, key) { if (typeof key === "string") read.add(key); return Reflect.has(target, key); },
      ownKeys(target) { record.listed = true; return Reflect.ownKeys(target); },
    });
  };
  validate(wrap(object, ""));
  for (const { value, path, read, listed } of records) {
    if (Array.isArray(value) || listed) continue;
    for (const key of Object.keys(value)) if (!read.has(key)) unknown.push(`${path}/${key}`);
  }
  if (unknown.length) throw new Error(`unknown field(s): ${unknown.join(", ")}`);
}

let passed = 0, failed = 0;
for (const file of process.argv.slice(2)) {
  const documents = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  let index = 0;
  for (const document of documents) {
    index++;
    const where = `${file}#${index}`;
    try {
      if (document.errors.length) throw new Error(document.errors.map((e) => e.message).join("; "));
      const object = document.toJS();
      if (object === null || object === undefined) continue;  // an empty document
      const Model = await modelFor(object.apiVersion, object.kind);
      new Model(object).validate();
      strictCheck(await schemaValidator(object.apiVersion, object.kind), object);
      console.log(`ok ${where} ${object.apiVersion} ${object.kind} ${object.metadata?.name ?? ""}`);
      passed++;
    } catch (error) {
      console.log(`FAIL ${where}: ${error.message}`);
      failed++;
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
