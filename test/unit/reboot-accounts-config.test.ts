// Tests of the account merge (image system users + machine local users, machine passwords) and of
// /etc/nextroot/nextroot.conf parsing.
import {test} from 'uvu'
import * as assert from 'uvu/assert'

import {DEFAULT_CONFIG, parseConfig} from '../../src/config.js'
import {NextrootError} from '../../src/errors.js'
import {mergeAccounts} from '../../src/reboot/merge-users.js'

const IMAGE = {
  passwd: [
    'root:x:0:0:root:/root:/bin/bash',
    'messagebus:x:100:101::/nonexistent:/usr/sbin/nologin',
    'polkitd:x:990:990:User for polkitd:/:/usr/sbin/nologin',
  ].join('\n'),
  group: ['root:x:0:', 'sudo:x:27:', 'messagebus:x:101:', 'polkitd:x:990:'].join('\n'),
  shadow: ['root:*:20000:0:99999:7:::', 'messagebus:!:20000::::::', 'polkitd:!*:20000::::::'].join('\n'),
  gshadow: ['root:*::', 'sudo:*::', 'messagebus:!::', 'polkitd:!::'].join('\n'),
}

const MACHINE = {
  passwd: [
    'root:x:0:0:root:/root:/bin/zsh',
    'messagebus:x:100:101::/nonexistent:/usr/sbin/nologin',
    'postgres:x:105:110:PostgreSQL:/var/lib/postgresql:/bin/bash',
    'alice:x:1000:1000:Alice:/home/alice:/bin/bash',
  ].join('\n'),
  group: ['root:x:0:', 'sudo:x:27:alice', 'messagebus:x:101:', 'postgres:x:110:', 'alice:x:1000:'].join('\n'),
  shadow: [
    'root:$y$rootpw:20100:0:99999:7:::',
    'messagebus:!:20000::::::',
    'postgres:*:20100::::::',
    'alice:$y$alicepw:20100:0:99999:7:::',
  ].join('\n'),
  gshadow: ['root:*::', 'sudo:*::alice', 'messagebus:!::', 'postgres:!::', 'alice:!::'].join('\n'),
}

const lines = (text: string | undefined) => (text ?? '').trim().split('\n')

test('accounts: the image keeps its system users, the machine its local users, package users and passwords', () => {
  const {files, fromMachine, conflicts} = mergeAccounts(IMAGE, MACHINE)
  assert.equal(lines(files.passwd), [
    'root:x:0:0:root:/root:/bin/bash',
    'messagebus:x:100:101::/nonexistent:/usr/sbin/nologin',
    'polkitd:x:990:990:User for polkitd:/:/usr/sbin/nologin',
    'postgres:x:105:110:PostgreSQL:/var/lib/postgresql:/bin/bash',
    'alice:x:1000:1000:Alice:/home/alice:/bin/bash',
  ])
  assert.equal(lines(files.group), [
    'root:x:0:',
    'sudo:x:27:alice',
    'messagebus:x:101:',
    'polkitd:x:990:',
    'postgres:x:110:',
    'alice:x:1000:',
  ])
  assert.equal(lines(files.shadow), [
    'root:$y$rootpw:20100:0:99999:7:::',
    'messagebus:!:20000::::::',
    'polkitd:!*:20000::::::',
    'postgres:*:20100::::::',
    'alice:$y$alicepw:20100:0:99999:7:::',
  ])
  assert.equal(lines(files.gshadow)[1], 'sudo:*::alice')
  assert.equal(fromMachine, ['postgres', 'alice'])
  assert.equal(conflicts, [])
})

test("accounts: a local user the image also defines is the machine's; an id clash is reported, both kept", () => {
  const image = {...IMAGE, passwd: IMAGE.passwd + '\nadmin:x:1000:1000:Image admin:/home/admin:/bin/sh'}
  const machine = {...MACHINE, passwd: MACHINE.passwd.replace('alice:x:1000', 'alice:x:1001')}
  const withAdmin = {
    ...machine,
    passwd: machine.passwd + '\nadmin:x:1000:1000:Admin here:/home/admin:/bin/bash',
  }
  assert.ok(
    lines(mergeAccounts(image, withAdmin).files.passwd).includes(
      'admin:x:1000:1000:Admin here:/home/admin:/bin/bash',
    ),
  )
  const clash = mergeAccounts(image, {...MACHINE})
  assert.equal(clash.conflicts, ['alice has id 1000, which the new root gives admin'])
  assert.ok(lines(clash.files.passwd).includes('alice:x:1000:1000:Alice:/home/alice:/bin/bash'))
})

test('config: defaults without a file; keys override; comments and quotes', () => {
  assert.equal(parseConfig(''), DEFAULT_CONFIG)
  const config = parseConfig(
    '# nextroot\nCARRY_DIRS=/var /srv/data  # shared\nCARRY_FILES="/etc/machine-id /etc/ssh/ssh_host_*"\nMERGE_USERS=no\nHEALTH_TIMEOUT=60\nON_UNHEALTHY=stay\nRESTART_NEVER="mydb.service legacy-*"\nRESTART_ALLOW=networking.service\nRESTART_USER_TIMEOUT=5\n',
  )
  assert.equal(config, {
    carryDirs: ['/var', '/srv/data'],
    carryFiles: ['/etc/machine-id', '/etc/ssh/ssh_host_*'],
    mergeUsers: false,
    healthTimeoutS: 60,
    onUnhealthy: 'stay',
    restartNever: ['mydb.service', 'legacy-*'],
    restartAllow: ['networking.service'],
    userTimeoutS: 5,
  })
  assert.equal(parseConfig('CARRY_FILES=\n').carryFiles, [], 'an empty list carries nothing')
})

test('config: unknown keys, bad values and relative paths are NR_BAD_CONFIG with the line', () => {
  for (const [text, pattern] of [
    ['CARRY_DIR=/var', /line 1: unknown key CARRY_DIR/],
    ['\nON_UNHEALTHY=panic', /line 2: ON_UNHEALTHY is reboot or stay/],
    ['HEALTH_TIMEOUT=5m', /HEALTH_TIMEOUT is a number of seconds/],
    ['CARRY_DIRS=var', /'var' is not an absolute path/],
    ['CARRY_DIRS=/var/../etc', /not an absolute path without '\.\.'/],
    ['just words', /expected KEY=VALUE/],
  ] as const) {
    try {
      parseConfig(text)
      assert.unreachable(text)
    } catch (error) {
      assert.instance(error, NextrootError)
      assert.is((error as NextrootError).code, 'NR_BAD_CONFIG')
      assert.match((error as Error).message, pattern)
    }
  }
})

test.run()
