// Where a worker thread's module is, however nextroot runs: compiled, the worker file sits beside the module
// that starts it (and beside the bundled commands, see bin/bundle.js); from the TypeScript sources (tests,
// bin/dev.js), the worker needs tsx's loader registered in its own thread first.
import type {WorkerOptions} from 'node:worker_threads'

/** The Worker constructor's arguments for `<name>.js` (or `.ts`) beside `starter` (an import.meta.url). */
export function workerEntry(starter: string, name: string): [string | URL, WorkerOptions] {
  if (!starter.endsWith('.ts')) return [new URL(`./${name}.js`, starter), {}]
  const source = JSON.stringify(new URL(`./${name}.ts`, starter).href)
  // resolved here: an eval'd worker resolves bare names from the working directory, not from nextroot
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  return [`import(${tsx}).then(({register}) => (register(), import(${source})))`, {eval: true}]
}
