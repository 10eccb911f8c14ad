// Benchmark: `nextroot stage` against GNU tar extracting the same root archive onto the same file system,
// runs alternated, plain and gzip. Prints wall time, throughput, peak RSS and the ratio nextroot/tar.
// Usage: npm run bench [-- --runs N] (root; builds or reuses the Debian trixie root archives of images/).
import {execa} from 'execa'
import {mkdir, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {median} from './stats.js'

const repo = new URL('../..', import.meta.url).pathname
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3
const work = process.env.NEXTROOT_BENCH_DIR ?? '/var/tmp/nextroot-bench'

interface Sample {
  seconds: number
  maxRssKiB: number
}

/** Runs a command under GNU time (wall seconds and peak RSS of the command and its children). */
async function timed(command: string[], options: {input?: string} = {}): Promise<Sample> {
  const report = join(work, 'time.txt')
  await execa('/usr/bin/time', ['-f', '%e %M', '-o', report, ...command], {
    stdout: 'ignore',
    stderr: 'inherit',
    ...options,
  })
  const [seconds, rss] = (await execa('cat', [report])).stdout.trim().split(' ')
  return {seconds: Number(seconds), maxRssKiB: Number(rss)}
}

async function fresh(dir: string): Promise<void> {
  await rm(dir, {recursive: true, force: true})
  await mkdir(dir, {recursive: true})
}

/** Removes every tree a bench made; only once all runs are over (see `bench`). */
const cleanups: Array<() => Promise<unknown>> = []

/**
 * Every run extracts into its own directory (tar) or state directory (nextroot) and nothing is deleted until
 * all runs are over: on ext4 without a journal, allocating an inode skips every inode freed in the last minute,
 * which costs seconds after a 14k-entry tree was deleted, and the tool that happened to follow the deletions
 * measured that instead of itself. Costs about 7 trees (4.5 GB for the trixie root) per archive.
 */
async function bench(archive: string, label: string): Promise<string> {
  const size = (await stat(archive)).size
  const tar: Sample[] = []
  const ours: Sample[] = []
  const tarInto = (dir: string) => [
    'tar',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--numeric-owner',
    '-xpf',
    archive,
    '-C',
    dir,
  ]
  const warmUp = join(work, `${label}-warm-up`)
  await fresh(warmUp)
  cleanups.push(() => rm(warmUp, {recursive: true, force: true}))
  await execa('tar', tarInto(warmUp).slice(1)) // the archive in the page cache for both tools' first run
  for (let run = 0; run < runs; run++) {
    const tarOut = join(work, `${label}-tar-${run}`)
    await fresh(tarOut)
    cleanups.push(() => rm(tarOut, {recursive: true, force: true}))
    await execa('sync')
    tar.push(await timed(tarInto(tarOut)))
    const paths = [
      '--state-dir',
      join(work, `${label}-state-${run}`),
      '--nextroot',
      join(work, `${label}-nr-${run}`),
    ]
    cleanups.push(() => execa('node', [join(repo, 'bin/run.js'), 'unstage', ...paths]))
    await execa('sync')
    ours.push(
      await timed(['node', join(repo, 'bin/run.js'), 'stage', archive, ...paths, '--log-level', 'quiet']),
    )
    console.error(`  ${label} run ${run + 1}: tar ${tar.at(-1)?.seconds}s, nextroot ${ours.at(-1)?.seconds}s`)
  }

  const t = median(tar.map((s) => s.seconds))
  const n = median(ours.map((s) => s.seconds))
  const mib = size / 1024 / 1024
  const spread = (samples: Sample[]) =>
    `${Math.min(...samples.map((s) => s.seconds))}-${Math.max(...samples.map((s) => s.seconds))}`
  return [
    `${label} (${mib.toFixed(0)} MiB, median of ${runs}, alternating):`,
    `  GNU tar   ${t.toFixed(2)} s (${spread(tar)})  ${(mib / t).toFixed(0)} MiB/s  peak RSS ${(Math.max(...tar.map((s) => s.maxRssKiB)) / 1024).toFixed(0)} MiB`,
    `  nextroot  ${n.toFixed(2)} s (${spread(ours)})  ${(mib / n).toFixed(0)} MiB/s  peak RSS ${(Math.max(...ours.map((s) => s.maxRssKiB)) / 1024).toFixed(0)} MiB`,
    `  ratio nextroot/tar = ${(n / t).toFixed(2)}x (target <= 1.25x)`,
  ].join('\n')
}

async function main(): Promise<void> {
  await execa('bash', [join(repo, 'test/bench/deps.sh')], {stdio: 'inherit'})
  const images = (await execa('bash', [join(repo, 'images/build.sh')], {stderr: 'inherit'})).stdout
    .trim()
    .split('\n')
    .at(-1) as string
  await execa('npm', ['run', '--silent', 'build'], {cwd: repo, stdio: 'inherit'})
  await mkdir(work, {recursive: true})
  const entries = (await execa('bash', ['-c', `tar -tf ${join(images, 'rootB.tar')} | wc -l`])).stdout.trim()
  console.log(`root archive: Debian trixie (images/), ${entries} entries; work dir ${work}`)
  try {
    const results = [
      await bench(join(images, 'rootB.tar'), 'plain'),
      await bench(join(images, 'rootB.tar.gz'), 'gzip'),
    ]
    console.log(results.join('\n'))
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(error))
    await rm(work, {recursive: true, force: true})
  }
}

await main()
