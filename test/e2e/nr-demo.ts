// Builds the nr-demo test package on the host, once per version (gcc, dpkg-deb): a shared library, a server
// linked to it, four system services and a user service, so a guest can upgrade it in place with dpkg or apt.
import {execa} from 'execa'
import {chmod, copyFile, mkdir, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {repoRoot} from './paths.js'

const SOURCES = path.join(repoRoot, 'test/e2e/nr-demo')
const SYSTEM_UNITS = ['nr-demo.service', 'nr-never.service', 'nr-reload.service', 'nr-marked.service']
const USER_UNITS = ['nr-demo-user.service']
const LIBDIR = 'usr/lib/x86_64-linux-gnu'

function control(version: string): string {
  return [
    'Package: nr-demo',
    `Version: ${version}`,
    'Architecture: amd64',
    'Maintainer: nextroot tests <tests@nextroot.invalid>',
    'Description: nextroot test package: a library and the services that map it',
    '',
  ].join('\n')
}

/** Like most packages left to a restart tool: reload systemd's view, restart nothing. */
const POSTINST = '#!/bin/sh\nset -e\nldconfig\nsystemctl daemon-reload || true\n'

async function buildVersion(version: string, out: string): Promise<string> {
  const tree = path.join(out, `tree-${version}`)
  await rm(tree, {recursive: true, force: true})
  for (const dir of ['DEBIAN', LIBDIR, 'usr/bin', 'usr/lib/systemd/system', 'usr/lib/systemd/user'])
    await mkdir(path.join(tree, dir), {recursive: true})
  const lib = path.join(tree, LIBDIR, 'libnrdemo.so.1')
  const define = `-DNR_DEMO_VERSION="${version}"`
  await execa('gcc', [
    '-shared',
    '-fPIC',
    '-Wl,-soname,libnrdemo.so.1',
    define,
    '-o',
    lib,
    `${SOURCES}/libnrdemo.c`,
  ])
  const server = path.join(tree, 'usr/bin/nr-demo-server')
  await execa('gcc', ['-O2', '-o', server, `${SOURCES}/server.c`, lib])
  for (const unit of SYSTEM_UNITS)
    await copyFile(path.join(SOURCES, unit), path.join(tree, 'usr/lib/systemd/system', unit))
  for (const unit of USER_UNITS)
    await copyFile(path.join(SOURCES, unit), path.join(tree, 'usr/lib/systemd/user', unit))
  await writeFile(path.join(tree, 'DEBIAN/control'), control(version))
  await writeFile(path.join(tree, 'DEBIAN/postinst'), POSTINST)
  await chmod(path.join(tree, 'DEBIAN/postinst'), 0o755)
  const deb = path.join(out, `nr-demo_${version}_amd64.deb`)
  await execa('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, deb])
  await rm(tree, {recursive: true})
  return deb
}

/** The .deb of each version, in `out` (guest path: /e2e/pkgs/nr-demo_VERSION_amd64.deb). */
export async function buildNrDemo(out: string, versions: string[]): Promise<string[]> {
  await mkdir(out, {recursive: true})
  return Promise.all(versions.map((v) => buildVersion(v, out)))
}

/** Shell: wait (at most 60 s) until `uid`'s manager runs and listens on its private socket. */
const waitForUser = (uid: number) =>
  `for i in $(seq 60); do systemctl is-active -q user@${uid}.service && test -S /run/user/${uid}/systemd/private && break; sleep 1; done; test -S /run/user/${uid}/systemd/private`

/** Shell: `systemctl --user ARGS` as `user` (uid 1000: alice). */
export const asAlice = (args: string) =>
  `setpriv --reuid=1000 --regid=1000 --init-groups env XDG_RUNTIME_DIR=/run/user/1000 HOME=/home/alice systemctl --user ${args}`

/**
 * Guest steps: nr-demo 1.0 installed; nr-demo, nr-never (RESTART_NEVER) and nr-reload running; alice (1000,
 * lingering) runs nr-demo-user; bob (1001) lingers with nothing running.
 */
export const NR_DEMO_SETUP = [
  'dpkg -i /e2e/pkgs/nr-demo_1.0_amd64.deb && useradd -m -u 1000 alice && useradd -m -u 1001 bob && mkdir -p /etc/nextroot && echo RESTART_NEVER=nr-never.service > /etc/nextroot/nextroot.conf',
  `systemctl start nr-demo nr-never nr-reload && loginctl enable-linger alice bob && ${waitForUser(1000)} && ${waitForUser(1001)} && ${asAlice('enable --now nr-demo-user.service')}`,
]

/** Shell: what each nr-demo server answers ("nr-demo VERSION pid PID"), one line per port. */
export const ANSWERS =
  'for port in 7001 7002 7003; do echo "$port $(busybox nc 127.0.0.1 $port < /dev/null)"; done'

/** "7001 nr-demo 2.0 pid 412" lines as {port: {version, pid}}. */
export function parseAnswers(text: string): Record<string, {version: string; pid: number}> {
  const answers: Record<string, {version: string; pid: number}> = {}
  for (const match of text.matchAll(/^(\d+) nr-demo (\S+) pid (\d+)$/gm))
    answers[match[1]] = {version: match[2], pid: Number(match[3])}
  return answers
}
