// The payload of an offline update: the packages of SOURCE (a directory of .deb or .rpm files, or one
// file), copied into the update's own directory while they are hashed (one read), then verified and read
// (name, version, architecture) from the copies, so what is checked is what update mode installs.
import {createHash} from 'node:crypto'
import {createReadStream, createWriteStream} from 'node:fs'
import {open, readdir, stat} from 'node:fs/promises'
import {basename, extname, join, resolve} from 'node:path'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {NextrootError, errnoCode, noSpaceError} from '../errors.js'
import {run} from '../exec/run.js'
import {type VerifyOptions, assertDigest, resolveExpectation} from '../stage/verify.js'
import type {OfflineRecord, PayloadKind, PayloadPackage} from './record.js'

const KIND_OF: Record<string, PayloadKind> = {'.deb': 'deb', '.rpm': 'rpm'}

/** The package files SOURCE names, absolute; one kind only. */
export async function listPackages(source: string): Promise<{kind: PayloadKind; files: string[]}> {
  const path = resolve(source)
  const stats = await stat(path).catch((error: unknown) => {
    if (errnoCode(error) !== 'ENOENT') throw error
    throw new NextrootError('NR_SOURCE_NOT_FOUND', `${source} does not exist.`)
  })
  const files = stats.isDirectory()
    ? (await readdir(path)).filter((name) => KIND_OF[extname(name)]).map((name) => join(path, name))
    : [path]
  const kinds = new Set(files.map((file) => KIND_OF[extname(file)]))
  if (files.length === 0 || kinds.has(undefined as unknown as PayloadKind))
    throw new NextrootError('NR_USAGE', `${source} holds no .deb or .rpm package to install offline.`, {
      hints: ['Give a directory of packages (all .deb or all .rpm), or one package file.'],
    })
  if (kinds.size > 1)
    throw new NextrootError(
      'NR_USAGE',
      `${source} mixes .deb and .rpm packages; one package manager installs them.`,
    )
  return {kind: [...kinds][0], files: files.sort()}
}

/** Copies `from` to `to` (fsynced), returning the SHA-256 of the bytes written. */
async function copyHashed(from: string, to: string): Promise<string> {
  const hash = createHash('sha256')
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      done(null, chunk)
    },
  })
  try {
    await pipeline(createReadStream(from), tap, createWriteStream(to, {mode: 0o644}))
    const handle = await open(to, 'r')
    await handle.sync().finally(() => handle.close())
  } catch (error) {
    if (errnoCode(error) === 'ENOSPC') throw noSpaceError(to, error)
    throw error
  }

  return hash.digest('hex')
}

/** What the package manager says of a package file: name, version, architecture. */
async function inspect(kind: PayloadKind, path: string): Promise<Omit<PayloadPackage, 'file' | 'sha256'>> {
  const [file, ...args] =
    kind === 'deb'
      ? ['dpkg-deb', '--show', '--showformat=${Package}\t${Version}\t${Architecture}', path]
      : ['rpm', '-qp', '--qf', '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}', path]
  try {
    const [name, version, arch] = (await run(file, args)).stdout.trim().split('\t')
    if (!name || !version || !arch) throw new Error(`no name, version and architecture in ${path}`)
    return {name, version, arch}
  } catch (error) {
    if (error instanceof NextrootError && error.code === 'NR_MISSING_TOOL') throw error
    throw new NextrootError('NR_ARCHIVE_CORRUPT', `${basename(path)} is not a readable ${kind} package.`, {
      hints: ['Download it again; nothing was prepared.'],
      cause: error,
    })
  }
}

export interface CopiedPayload {
  packages: PayloadPackage[]
  verification: OfflineRecord['verification']
}

/** Copies, verifies and reads every package into `dir`; throws before anything is published. */
export async function copyPayload(
  kind: PayloadKind,
  files: string[],
  dir: string,
  verify: VerifyOptions,
): Promise<CopiedPayload> {
  if (verify.sha256 && files.length > 1)
    throw new NextrootError(
      'NR_USAGE',
      '--sha256 names one file; for a directory of packages use --checksums.',
    )
  const packages: PayloadPackage[] = []
  let method: OfflineRecord['verification'] = 'none'
  for (const path of files) {
    const name = basename(path)
    const expectation = await resolveExpectation(verify, name)
    method = expectation.method
    const sha256 = await copyHashed(path, join(dir, name))
    assertDigest(expectation, sha256, path)
    packages.push({file: name, sha256, ...(await inspect(kind, join(dir, name)))})
  }

  return {packages, verification: method}
}
