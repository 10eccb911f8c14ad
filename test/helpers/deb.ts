// Builds small .deb packages with dpkg-deb for the offline-update tests: files, a maintainer script, a
// dependency, another architecture, as each test needs.
import {chmod, mkdir, rm, symlink, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {execa} from 'execa'

export interface DebSpec {
  name: string
  version: string
  arch?: string
  depends?: string
  /** Path inside the package -> content (a string) or a symlink ({link}). */
  files?: Record<string, string | {link: string}>
  postinst?: string
}

/** The .deb in `out` (NAME_VERSION_ARCH.deb); its path. */
export async function buildDeb(out: string, spec: DebSpec): Promise<string> {
  const arch = spec.arch ?? 'all'
  const tree = join(out, `.tree-${spec.name}-${spec.version}`)
  await rm(tree, {recursive: true, force: true})
  await mkdir(join(tree, 'DEBIAN'), {recursive: true})
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    `Architecture: ${arch}`,
    'Maintainer: nextroot tests <tests@nextroot.invalid>',
    ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
    `Description: nextroot offline-update test package ${spec.name}`,
    '',
  ]
  await writeFile(join(tree, 'DEBIAN/control'), control.join('\n'))
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    await mkdir(dirname(join(tree, path)), {recursive: true})
    if (typeof content === 'string') await writeFile(join(tree, path), content)
    else await symlink(content.link, join(tree, path))
  }
  if (spec.postinst) {
    await writeFile(join(tree, 'DEBIAN/postinst'), spec.postinst)
    await chmod(join(tree, 'DEBIAN/postinst'), 0o755)
  }
  const deb = join(out, `${spec.name}_${spec.version}_${arch}.deb`)
  await execa('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, deb])
  await rm(tree, {recursive: true})
  return deb
}
