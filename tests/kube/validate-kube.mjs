// SPDX-License-Identifier: LGPL-2.1-or-later
// Validates Kubernetes YAML files offline against the API schemas that the
// npm package kubernetes-models ships (installed by .ci/install-deps into
// $KUBE_SCHEMA_DIR). Every document must have an apiVersion and kind the
// package knows and pass its validate(). Prints one line per document and
// "N passed, N failed"; exits 1 if any document failed.
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
