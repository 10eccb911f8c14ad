// Verification: --sha256, a SHA256SUMS list and its detached OpenPGP signature (gpgv); a failure stages nothing.
import {createHash, randomBytes} from 'node:crypto'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {execa} from 'execa'
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {stage} from '../../src/stage/stage.js'
import {unstage} from '../../src/stage/unstage.js'
import {type CliResult, runCli} from '../helpers/cli.js'
import {makeImage, makeOsTree, tarTree} from '../helpers/os-tree.js'
import {removeScratch, scratchDir} from '../helpers/scratch.js'
import {
  type TestLocations,
  assertNothingStaged,
  assertStaged,
  entriesOf,
  locationFlags,
  locationsIn,
  readRecordFile,
} from '../helpers/staging.js'
import {codeOf} from '../helpers/error-code.js'

let dir = ''
let archive = ''
let digest = ''
let gnupg = ''
let keyring = ''

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
}

async function gpg(args: string[], home = gnupg) {
  return execa('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
    env: {GNUPGHOME: home},
  })
}

/** A throwaway signing key in its own GNUPGHOME; returns the home. */
async function newKey(name: string): Promise<string> {
  const home = join(dir, `gnupg-${name}`)
  await mkdir(home, {mode: 0o700})
  await gpg(['--quick-gen-key', `${name} <${name}@example.invalid>`, 'ed25519', 'sign', 'never'], home)
  return home
}

test.before(async () => {
  dir = await scratchDir('verify')
  const tree = join(dir, 'os')
  await makeOsTree(tree)
  archive = join(dir, 'os-42.tar.zst')
  await tarTree(tree, archive, 'zstd')
  digest = await sha256Of(archive)
  gnupg = await newKey('publisher')
  keyring = join(dir, 'trusted.gpg')
  await writeFile(
    keyring,
    (await execa('gpg', ['--export'], {env: {GNUPGHOME: gnupg}, encoding: 'buffer'})).stdout,
  )
})

test.after(async () => {
  await removeScratch(dir)
})

async function stagePrevious(locations: TestLocations): Promise<string> {
  const previous = join(dir, 'os-previous')
  await makeOsTree(previous, {osRelease: 'ID=previous\n'})
  const {record} = await stage({source: previous, ...locations})
  return record.id
}

/** A refused run left the previous root staged, visible and recorded, and no trace of the new one. */
async function assertPreviousKept(locations: TestLocations, previousId: string): Promise<void> {
  await assertStaged(locations, 'previous')
  assert.is((await readRecordFile(locations))?.id, previousId)
  assert.equal(await entriesOf(join(locations.stateDir, 'store')), [])
  assert.equal(await entriesOf(join(locations.stateDir, 'mnt')), [])
  await unstage({...locations})
  await assertNothingStaged(locations)
}

function assertError(run: CliResult, code: string, exitCode: number): void {
  assert.is(run.exitCode, exitCode, run.stderr || run.stdout)
  assert.is(run.json?.error?.code, code)
  assert.is(run.json?.error?.exitCode, exitCode)
}

test('--sha256 with the right digest: verified', async () => {
  const locations = locationsIn(dir)
  const {record, warnings} = await stage({source: archive, sha256: digest.toUpperCase(), ...locations})
  assert.ok(record.verified)
  assert.is(record.verification, 'sha256')
  assert.is(record.sha256, digest)
  assert.not.ok(warnings.some((w) => w.startsWith('Not verified')))
  await unstage({...locations})
})

test('--sha256 with a wrong digest: NR_DIGEST_MISMATCH, exit 6, the previous root untouched', async () => {
  const locations = locationsIn(dir)
  const previousId = await stagePrevious(locations)
  const wrong = 'f'.repeat(64)
  const run = await runCli(['stage', archive, '--sha256', wrong, '--json', ...locationFlags(locations)])
  assertError(run, 'NR_DIGEST_MISMATCH', 6)
  assert.equal(run.json?.error?.details, {expected: wrong, actual: digest})
  await assertPreviousKept(locations, previousId)
})

test('--sha256 that is not 64 hex digits is a usage error before anything is read', async () => {
  const locations = locationsIn(dir)
  const run = await runCli(['stage', archive, '--sha256', 'abc', '--json', ...locationFlags(locations)])
  assertError(run, 'NR_USAGE', 2)
  await assertNothingStaged(locations)
})

test('--checksums listing the archive: verified; not listing it: NR_CHECKSUM_NOT_LISTED', async () => {
  const sums = join(dir, 'SHA256SUMS')
  await writeFile(sums, `${'0'.repeat(64)}  other.tar.zst\n${digest} *${basename(archive)}\n`)
  const locations = locationsIn(dir)
  const {record} = await stage({source: archive, checksums: sums, ...locations})
  assert.is(record.verification, 'checksums')
  assert.ok(record.verified)
  await unstage({...locations})

  const unlisted = join(dir, 'SHA256SUMS.unlisted')
  await writeFile(unlisted, `${digest}  os-41.tar.zst\n`)
  const run = await runCli(['stage', archive, '--checksums', unlisted, '--json', ...locationFlags(locations)])
  assertError(run, 'NR_CHECKSUM_NOT_LISTED', 6)
  await assertNothingStaged(locations)
})

test('--checksums listing a different digest: NR_DIGEST_MISMATCH', async () => {
  const sums = join(dir, 'SHA256SUMS.wrong')
  await writeFile(sums, `${'e'.repeat(64)}  ${basename(archive)}\n`)
  const locations = locationsIn(dir)
  const previousId = await stagePrevious(locations)
  assert.is(await codeOf(stage({source: archive, checksums: sums, ...locations})), 'NR_DIGEST_MISMATCH')
  await assertPreviousKept(locations, previousId)
})

test('a SHA256SUMS signed by a trusted key (gpgv): signed-checksums', async () => {
  const sums = join(dir, 'SHA256SUMS.signed')
  await writeFile(sums, `${digest}  ${basename(archive)}\n`)
  await gpg(['--detach-sign', '--output', `${sums}.gpg`, sums])
  const locations = locationsIn(dir)
  const run = await runCli([
    'stage',
    archive,
    '--checksums',
    sums,
    '--signature',
    `${sums}.gpg`,
    '--keyring',
    keyring,
    '--json',
    ...locationFlags(locations),
  ])
  assert.is(run.exitCode, 0, run.stdout)
  assert.is(run.json?.result.record.verification, 'signed-checksums')
  assert.ok(run.json?.result.record.verified)
  await assertStaged(locations, 'testos')
  await unstage({...locations})
})

test('relative paths to the checksums, signature and keyring (gpgv reads a bare keyring name from ~/.gnupg)', async () => {
  const sums = join(dir, 'SHA256SUMS.relative')
  await writeFile(sums, `${digest}  ${basename(archive)}\n`)
  await gpg(['--detach-sign', '--output', `${sums}.gpg`, sums])
  const locations = locationsIn(dir)
  const run = await runCli(
    [
      'stage',
      basename(archive),
      '--checksums',
      basename(sums),
      '--signature',
      `${basename(sums)}.gpg`,
    ].concat(['--keyring', basename(keyring), '--json', ...locationFlags(locations)]),
    {cwd: dir},
  )
  assert.is(run.exitCode, 0, run.stdout)
  assert.is(run.json?.result.record.verification, 'signed-checksums')
  await unstage({...locations})
})

test('a bad signature: NR_SIGNATURE_INVALID (altered list, or signed by an unknown key)', async () => {
  const sums = join(dir, 'SHA256SUMS.altered')
  await writeFile(sums, `${digest}  ${basename(archive)}\n`)
  await gpg(['--detach-sign', '--output', `${sums}.gpg`, sums])
  await writeFile(sums, `${digest}  ${basename(archive)}\n${digest}  extra\n`)
  const locations = locationsIn(dir)
  const previousId = await stagePrevious(locations)
  const args = ['--checksums', sums, '--signature', `${sums}.gpg`, '--keyring', keyring, '--json']
  assertError(
    await runCli(['stage', archive, ...args, ...locationFlags(locations)]),
    'NR_SIGNATURE_INVALID',
    6,
  )

  const stranger = await newKey('stranger')
  const other = join(dir, 'SHA256SUMS.stranger')
  await writeFile(other, `${digest}  ${basename(archive)}\n`)
  await gpg(['--detach-sign', '--output', `${other}.gpg`, other], stranger)
  const unknownKey = stage({
    source: archive,
    checksums: other,
    signature: `${other}.gpg`,
    keyring,
    ...locations,
  })
  assert.is(await codeOf(unknownKey), 'NR_SIGNATURE_INVALID')

  await assertPreviousKept(locations, previousId)
})

test('--signature without --keyring is a usage error (exit 2)', async () => {
  const locations = locationsIn(dir)
  const sums = join(dir, 'SHA256SUMS')
  const run = await runCli([
    'stage',
    archive,
    '--checksums',
    sums,
    '--signature',
    sums,
    ...locationFlags(locations),
  ])
  assert.is(run.exitCode, 2, run.stderr)
  await assertNothingStaged(locations)
})

test('unverified staging: verified false and a warning', async () => {
  const locations = locationsIn(dir)
  const {record, warnings} = await stage({source: archive, ...locations})
  assert.is(record.verified, false)
  assert.is(record.verification, 'none')
  assert.ok(
    warnings.some((w) => w.startsWith('Not verified')),
    warnings.join('\n'),
  )
  await unstage({...locations})
  const run = await runCli(['stage', archive, ...locationFlags(locations)])
  assert.is(run.exitCode, 0, run.stderr)
  assert.match(run.stderr, /warning: Not verified/)
  assert.match(run.stdout, /verified\s+no/)
  await unstage({...locations})
})

test('an image is hashed before it is mounted: right and wrong --sha256', async () => {
  // several read chunks (1 MiB each): the digest must cover all of them, not the first
  const image = join(dir, 'os.erofs')
  await makeOsTree(join(dir, 'os-big'), {files: {'usr/share/random.bin': randomBytes(3 * 1024 * 1024)}})
  await makeImage(join(dir, 'os-big'), image, 'erofs')
  const locations = locationsIn(dir)
  const {record} = await stage({source: image, sha256: await sha256Of(image), ...locations})
  assert.ok(record.verified)
  await unstage({...locations})
  assert.is(await codeOf(stage({source: image, sha256: 'a'.repeat(64), ...locations})), 'NR_DIGEST_MISMATCH')
  await assertNothingStaged(locations)
})

test('standard input with --sha256', async () => {
  const locations = locationsIn(dir)
  const good = await runCli(['stage', '-', '--sha256', digest, '--json', ...locationFlags(locations)], {
    inputFile: archive,
  })
  assert.is(good.exitCode, 0, good.stderr)
  assert.is(good.json?.result.record.verification, 'sha256')
  await unstage({...locations})
  const badDigest = ['stage', '-', '--sha256', '1'.repeat(64), '--json', ...locationFlags(locations)]
  const bad = await runCli(badDigest, {inputFile: archive})
  assertError(bad, 'NR_DIGEST_MISMATCH', 6)
  await assertNothingStaged(locations)
})

test('a directory cannot be verified: NR_USAGE', async () => {
  const locations = locationsIn(dir)
  assert.is(await codeOf(stage({source: join(dir, 'os'), sha256: digest, ...locations})), 'NR_USAGE')
  await assertNothingStaged(locations)
})

test.run()
