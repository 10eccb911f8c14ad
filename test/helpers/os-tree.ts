// Minimal valid OS trees (os-release + a real init for this machine) and archives and images made from them.
import {copyFile, chmod, mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {execa} from 'execa'

export interface OsTreeOptions {
  /** os-release text; false leaves it out. */
  osRelease?: string | false
  /** The init: 'host' copies /bin/true (an ELF for this machine), a Buffer is written as is, false omits it. */
  init?: 'host' | Buffer | false
  /** Kernel versions to create usr/lib/modules/VERSION for. */
  modules?: string[]
  /** Extra files: relative path -> content. */
  files?: Record<string, string | Buffer>
}

export const DEFAULT_OS_RELEASE = 'ID=testos\nNAME="Test OS"\nVERSION_ID=42\nIMAGE_VERSION=42.1\n'

/** Writes a small root tree under `root` (created if missing). */
export async function makeOsTree(root: string, options: OsTreeOptions = {}): Promise<void> {
  await mkdir(join(root, 'etc'), {recursive: true})
  await mkdir(join(root, 'usr/lib/systemd'), {recursive: true})
  const osRelease = options.osRelease ?? DEFAULT_OS_RELEASE
  if (osRelease !== false) await writeFile(join(root, 'etc/os-release'), osRelease)
  const init = options.init ?? 'host'
  if (init === 'host') await copyFile('/bin/true', join(root, 'usr/lib/systemd/systemd'))
  else if (init) await writeFile(join(root, 'usr/lib/systemd/systemd'), init)
  if (init) await chmod(join(root, 'usr/lib/systemd/systemd'), 0o755)
  for (const version of options.modules ?? []) {
    await mkdir(join(root, 'usr/lib/modules', version, 'kernel'), {recursive: true})
  }

  for (const [path, content] of Object.entries(options.files ?? {})) {
    await mkdir(join(root, path, '..'), {recursive: true})
    await writeFile(join(root, path), content)
  }
}

/** An ELF header for another machine (default 183 = AArch64), enough for the architecture check. */
export function foreignElf(machine = 183): Buffer {
  const header = Buffer.alloc(64)
  header.writeUInt32BE(0x7f454c46, 0)
  header[4] = 2 // 64-bit
  header[5] = 1 // little endian
  header[6] = 1
  header.writeUInt16LE(2, 16) // ET_EXEC
  header.writeUInt16LE(machine, 18)
  return header
}

export type TarCompression = 'none' | 'gzip' | 'zstd' | 'xz'

const COMPRESS_FLAG: Record<TarCompression, string[]> = {
  none: [],
  gzip: ['--gzip'],
  zstd: ['--zstd'],
  xz: ['--xz'],
}

/** GNU tar flags that keep every attribute a root needs. */
export const FIDELITY_FLAGS = ['--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner']

/** Archives the contents of `dir` with GNU tar (member names './...'). */
export async function tarTree(
  dir: string,
  archive: string,
  compression: TarCompression = 'none',
  extra: string[] = [],
): Promise<void> {
  await execa('tar', [
    ...FIDELITY_FLAGS,
    ...COMPRESS_FLAG[compression],
    ...extra,
    '-cpf',
    archive,
    '-C',
    dir,
    '.',
  ])
}

export type ImageType = 'ext4' | 'erofs' | 'squashfs'

/** Builds a file-system image holding the contents of `dir`. */
export async function makeImage(dir: string, image: string, type: ImageType): Promise<void> {
  if (type === 'ext4') {
    await execa('mkfs.ext4', ['-q', '-F', '-d', dir, image, '8M'])
  } else if (type === 'erofs') {
    await execa('mkfs.erofs', ['--quiet', image, dir])
  } else {
    await execa('mksquashfs', [dir, image, '-quiet', '-no-progress', '-noappend'])
  }
}
