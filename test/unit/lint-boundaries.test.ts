// The lint boundaries hold where they matter: a probe file that runs a program or reads host facts outside
// the modules allowed to, or a command reaching into the library's internals, fails `eslint`.
import {ESLint} from 'eslint'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {REPO} from '../helpers/cli.js'

const eslint = new ESLint({cwd: REPO})

/** The rules a probe file at `path` breaks. */
async function broken(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {filePath: `${REPO}/${path}`})
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

const PROBES: Array<[string, string, RegExp | undefined]> = [
  ['commands/probe.ts', "import {execa} from 'execa'\nvoid execa", /Run programs through src\/exec\/run\.ts/],
  ['commands/probe.ts', "import {spawn} from 'child_process'\nvoid spawn", /src\/exec\/run\.ts/],
  ['commands/probe.ts', "import {run} from '../src/exec/run.js'\nvoid run", /entry points only/],
  ['commands/probe.ts', "import si from 'systeminformation'\nvoid si", /Host facts come from src\/host/],
  ['src/check/probe.ts', "import {spawn} from 'child_process'\nvoid spawn", /src\/exec\/run\.ts/],
  ['src/check/probe.ts', "import {execFile} from 'node:child_process'\nvoid execFile", /src\/exec\/run\.ts/],
  ['src/host/probe.ts', "import {execa} from 'execa'\nvoid execa", /src\/exec\/run\.ts/],
  ['src/check/probe.ts', "import si from 'systeminformation'\nvoid si", /Host facts/],
  // allowed: the runner runs programs, host facts read the host
  ['src/exec/probe.ts', "import {execa} from 'execa'\nvoid execa", undefined],
  ['src/host/probe.ts', "import si from 'systeminformation'\nvoid si", undefined],
]

for (const [path, code, expected] of PROBES) {
  test(`${path}: ${code.split('\n')[0]} ${expected ? 'fails lint' : 'lints clean'}`, async () => {
    const messages = await broken(path, code)
    if (!expected) assert.equal(messages, [])
    else
      assert.ok(
        messages.some((m) => expected.test(m)),
        messages.join('\n') || 'lints clean',
      )
  })
}

test.run()
