#!/usr/bin/env node
// Build step: bundles the compiled commands with execa and systeminformation into one module, because
// node start-up is most of a short command's time and loading ~400 small files costs seconds on a slow guest.
// @oclif/core stays external (it loads plugins and help dynamically), and so does tar-stream (src/tar/pax-bytes.ts
// patches the copy in node_modules). Worker threads (src/**/*-worker.ts) start from files of their own, which
// the bundled code looks for beside itself (src/worker-entry.ts); they import nothing but Node's modules.
import {copyFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {build} from 'esbuild'

const entry = fileURLToPath(import.meta.resolve('../dist/commands/index.js'))

await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@oclif/core', 'tar-stream'],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: {
    js: "import {createRequire as nextrootRequire} from 'node:module'; const require = nextrootRequire(import.meta.url);",
  },
  logLevel: 'warning',
})

for (const worker of ['tar/tree-worker.js', 'stage/slot-hash-worker.js', 'stage/file-hash-worker.js']) {
  await copyFile(
    fileURLToPath(import.meta.resolve(`../dist/src/${worker}`)),
    join(dirname(entry), basename(worker)),
  )
}
