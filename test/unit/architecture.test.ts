// The shape rules of the brief, checked on the source itself: every arrow between src/ domains points one
// way (no import cycles, type imports included), base modules import no domain, and files and functions stay
// small enough to read at once.
import {readFileSync, readdirSync} from 'node:fs'
import {dirname, join, normalize, relative} from 'node:path'

import ts from 'typescript'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {REPO} from '../helpers/cli.js'

const MAX_FILE_LINES = 300
const MAX_FUNCTION_LINES = 60

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir), {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile() && /\.ts$/.test(entry.name))
    .map((entry) => relative(REPO, join(entry.parentPath, entry.name)))
    .filter((path) => !path.includes('fixtures/'))
}

/** src/X/... is domain X; a file directly in src/ is the base every domain may use. */
function domainOf(path: string): string {
  const parts = path.split('/')
  return parts.length === 2 ? 'base' : parts[1]
}

function relativeImports(path: string): string[] {
  const text = readFileSync(join(REPO, path), 'utf8')
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.\.?\/[^']+)'/g)].map((m) => m[1])
  return specs.map((spec) => normalize(join(dirname(path), spec)).replace(/\.js$/, '.ts'))
}

/** Domain -> the domains it imports. index.ts, the library's entry, imports everything and is left out. */
function domainGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>()
  for (const file of sourceFiles('src').filter((f) => f !== 'src/index.ts')) {
    const from = domainOf(file)
    for (const target of relativeImports(file)) {
      const to = domainOf(target)
      if (to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to))
    }
  }

  return graph
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const done = new Set<string>()
  const visit = (node: string, path: string[]): string[] | undefined => {
    if (path.includes(node)) return [...path.slice(path.indexOf(node)), node]
    if (done.has(node)) return undefined
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...path, node])
      if (cycle) return cycle
    }

    done.add(node)
    return undefined
  }

  for (const node of graph.keys()) {
    const cycle = visit(node, [])
    if (cycle) return cycle
  }

  return undefined
}

test('no import cycle between src/ domains', () => {
  const cycle = findCycle(domainGraph())
  assert.is(cycle, undefined, `cycle: ${cycle?.join(' -> ')}`)
})

test('base modules (directly in src/) import no domain', () => {
  const base = sourceFiles('src').filter((f) => domainOf(f) === 'base' && f !== 'src/index.ts')
  const wrong = base.flatMap((file) =>
    relativeImports(file)
      .filter((target) => domainOf(target) !== 'base')
      .map((target) => `${file} -> ${target}`),
  )
  assert.equal(wrong, [])
})

test(`no source or test file over ${MAX_FILE_LINES} lines`, () => {
  const long = ['src', 'commands', 'test']
    .flatMap(sourceFiles)
    .map((file) => [file, readFileSync(join(REPO, file), 'utf8').trimEnd().split('\n').length] as const)
    .filter(([, lines]) => lines > MAX_FILE_LINES)
    .map(([file, lines]) => `${file}: ${lines}`)
  assert.equal(long, [])
})

function longFunctions(file: string): string[] {
  const text = readFileSync(join(REPO, file), 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const found: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      if (end - start + 1 > MAX_FUNCTION_LINES) found.push(`${file}:${start + 1} (${end - start + 1} lines)`)
    }

    ts.forEachChild(node, visit)
  }

  visit(source)
  return found
}

test(`no function in src/ or commands/ over ${MAX_FUNCTION_LINES} lines`, () => {
  assert.equal(['src', 'commands'].flatMap(sourceFiles).flatMap(longFunctions), [])
})

test('every module starts with a one-line comment saying why it exists', () => {
  const bare = ['src', 'commands'].flatMap(sourceFiles).filter((file) => {
    const first = readFileSync(join(REPO, file), 'utf8').split('\n')[0]
    return !/^\/\/ \S/.test(first)
  })
  assert.equal(bare, [])
})

test.run()
