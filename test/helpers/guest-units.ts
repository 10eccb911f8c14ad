// The unit files of the test guest's root A (real Debian trixie units), unpacked from the image cache's
// rootA.tar into a directory of their own: /etc/systemd and /usr/lib/systemd only, in about a second.
import {execa} from 'execa'
import {mkdir, rm} from 'node:fs/promises'
import {join} from 'node:path'

export async function guestUnitTree(imagesDir: string, into: string): Promise<string> {
  await rm(into, {recursive: true, force: true})
  await mkdir(into, {recursive: true})
  const members = ['./etc/systemd/*', './usr/lib/systemd/*']
  await execa('tar', ['-xf', join(imagesDir, 'rootA.tar'), '-C', into, '--wildcards', ...members])
  return into
}
