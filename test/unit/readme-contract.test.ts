// The README's exit-code table is the contract scripts rely on: it must list every error code with its exit code.
import {readFileSync} from 'node:fs'

import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {ERROR_CODES, EXIT} from '../../src/errors.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** exit code -> error codes, as the README's table lists them. */
function documentedTable(): Map<number, string[]> {
  const table = new Map<number, string[]>()
  for (const line of readme.split('\n')) {
    const match = /^\| (\d+) \|[^|]*\|([^|]*)\|$/.exec(line)
    if (match)
      table.set(
        Number(match[1]),
        [...match[2].matchAll(/`(NR_[A-Z_]+)`/g)].map((m) => m[1]),
      )
  }

  return table
}

test('every error code is documented with its exit code', () => {
  const table = documentedTable()
  for (const [code, exit] of Object.entries(ERROR_CODES)) {
    assert.ok(table.get(exit)?.includes(code), `${code} (exit ${exit}) is missing from the README table`)
  }
})

test('the README documents no code the program does not have', () => {
  for (const [exit, codes] of documentedTable()) {
    for (const code of codes)
      assert.is(ERROR_CODES[code as keyof typeof ERROR_CODES], exit, `${code} in row ${exit}`)
  }
})

test('every exit code of the table is documented', () => {
  const documented = documentedTable()
  for (const exit of Object.values(EXIT)) assert.ok(documented.has(exit), `exit ${exit} has no row`)
})

test.run()
