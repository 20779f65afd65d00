#!/usr/bin/env node
// Makes solc-js look like the native solc CLI for the two calls the toolchain makes:
//   --version            -> "Version: <long version>" (py-solc-x, ape-solidity and forge parse it)
//   --standard-json      -> compile the JSON on stdin, resolving imports against
//                           --base-path, --include-path and --allow-paths like native solc.
// Native solc is not on PyPI or Debian and its downloads are unreachable here; solc-js is on npm.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require(path.join(__dirname, "..", "node_modules", "solc"));

const args = process.argv.slice(2);

if (args.includes("--version") || args.includes("-v")) {
  process.stdout.write("solc, the solidity compiler commandline interface\n");
  process.stdout.write(`Version: ${solc.version().replace(".Emscripten.clang", ".Linux.g++")}\n`);
  process.exit(0);
}

if (!args.includes("--standard-json")) {
  process.stderr.write("solc-adapter: only --version and --standard-json are supported\n");
  process.exit(2);
}

const roots = [];
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  if (flag === "--base-path" || flag === "--include-path" || flag === "--allow-paths") {
    const value = args[++i] || "";
    for (const p of value.split(",")) if (p) roots.push(path.resolve(p));
  } else if (flag.startsWith("--base-path=") || flag.startsWith("--include-path=") || flag.startsWith("--allow-paths=")) {
    for (const p of flag.split("=")[1].split(",")) if (p) roots.push(path.resolve(p));
  }
}
roots.push(process.cwd());

function findImport(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : roots.map((root) => path.join(root, importPath));
  for (const candidate of candidates) {
    try {
      return { contents: fs.readFileSync(candidate, "utf8") };
    } catch (_) {
      // try the next root
    }
  }
  return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
}

let input = "";
// A file argument after --standard-json is also accepted, as native solc does.
const fileArg = args.find((a, i) => i > 0 && args[i - 1] === "--standard-json" && !a.startsWith("-"));
if (fileArg) {
  input = fs.readFileSync(fileArg, "utf8");
  process.stdout.write(solc.compile(input, { import: findImport }));
} else {
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (input += chunk));
  process.stdin.on("end", () => process.stdout.write(solc.compile(input, { import: findImport })));
}
