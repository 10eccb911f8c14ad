// Decides which digest the source must have (--sha256, or a SHA256SUMS list whose detached OpenPGP signature
// gpgv checks first, as systemd-sysupdate does) and compares it with what was actually read.
import {readFile} from 'node:fs/promises'
import {basename, resolve} from 'node:path'

import {NextrootError} from '../errors.js'
import {run} from '../exec/run.js'
import type {VerificationMethod} from '../state/record.js'

export interface VerifyOptions {
  sha256?: string
  checksums?: string
  signature?: string
  keyring?: string
}

export interface Expectation {
  method: VerificationMethod
  sha256?: string
}

const HEX64 = /^[0-9a-f]{64}$/

/** Finds the digest of `name` in SHA256SUMS text ("HEX  name" or "HEX *name"). */
export function digestFromChecksums(text: string, name: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim())
    if (match && (match[2] === name || basename(match[2]) === name)) return match[1].toLowerCase()
  }

  return undefined
}

async function checkSignature(checksums: string, signature: string, keyring: string): Promise<void> {
  try {
    // gpgv looks for a keyring named without a slash in ~/.gnupg, not in the working directory
    await run('gpgv', ['--keyring', resolve(keyring), signature, checksums])
  } catch (error) {
    if (error instanceof NextrootError && error.code === 'NR_MISSING_TOOL') throw error
    throw new NextrootError(
      'NR_SIGNATURE_INVALID',
      `The signature ${signature} does not verify ${checksums} with keyring ${keyring}.`,
      {
        hints: [
          'Check that the keyring holds the publisher key and that neither file was altered.',
          'gpgv reads binary keyrings only: convert an armored (.asc) key with gpg --dearmor.',
        ],
        details: {gpgv: error instanceof NextrootError ? error.details.stderr : String(error)},
        cause: error,
      },
    )
  }
}

/** What digest the source must have; throws before anything is read when the inputs are inconsistent. */
export async function resolveExpectation(options: VerifyOptions, sourceName: string): Promise<Expectation> {
  if (options.sha256) {
    const sha256 = options.sha256.toLowerCase()
    if (!HEX64.test(sha256)) {
      throw new NextrootError('NR_USAGE', `--sha256 must be 64 hexadecimal digits, got '${options.sha256}'.`)
    }

    return {method: 'sha256', sha256}
  }

  if (!options.checksums) return {method: 'none'}
  if (options.signature) await checkSignature(options.checksums, options.signature, options.keyring as string)
  const sha256 = digestFromChecksums(await readFile(options.checksums, 'utf8'), sourceName)
  if (!sha256) {
    throw new NextrootError(
      'NR_CHECKSUM_NOT_LISTED',
      `${options.checksums} has no SHA-256 entry for '${sourceName}'.`,
      {
        hints: ['Use the checksum list published with this image, or pass --sha256.'],
      },
    )
  }

  return {method: options.signature ? 'signed-checksums' : 'checksums', sha256}
}

/** Throws NR_DIGEST_MISMATCH unless `actual` is what the expectation asks for. */
export function assertDigest(expectation: Expectation, actual: string, source: string): void {
  if (expectation.sha256 && expectation.sha256 !== actual) {
    throw new NextrootError(
      'NR_DIGEST_MISMATCH',
      `The SHA-256 of ${source} is ${actual}, expected ${expectation.sha256}.`,
      {
        hints: ['The image is corrupt or not the one published; download it again. Nothing was staged.'],
        details: {expected: expectation.sha256, actual},
      },
    )
  }
}
