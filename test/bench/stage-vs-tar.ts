// Benchmark: `nextroot stage` against GNU tar extracting the same root archive onto the same file system,
// runs alternated, plain and gzip. Prints wall time, throughput, peak RSS and the ratio nextroot/tar.
// Usage: npm run bench [-- --runs N] (root; builds or reuses the Debian trixie root archives of images/).
import {execa} from 'execa'
import {mkdir, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function bench(archive: string, label: string): Promise<string> {
  const size = (await stat(archive)).size
  const tarOut = join(work, 'tar-out')
  const state = join(work, 'state')
  const nextroot = join(work, 'nextroot')
  const tar: Sample[] = []
  const ours: Sample[] = []
  const unstage = () =>
    execa('node', [join(repo, 'bin/run.js'), 'unstage', '--state-dir', state, '--nextroot', nextroot])
  const extractWithTar = [
    'tar',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--numeric-owner',
    '-xpf',
    archive,
    '-C',
    tarOut,
  ]
  // Each tool starts right after one tree of the same size was deleted (the other tool's; before the first
  // run, an untimed tar extraction's): on ext4 without a journal, allocating an inode skips those freed in the
  // last minute, which costs seconds for 14k entries, so deleting both trees just before one tool (as this
  // bench once did) penalised that tool alone.
  await fresh(tarOut)
  await execa(extractWithTar[0], extractWithTar.slice(1))
  for (let run = 0; run < runs; run++) {
    await unstage()
    await fresh(tarOut)
    await execa('sync')
    tar.push(await timed(extractWithTar))
    await rm(tarOut, {recursive: true, force: true})
    await execa('sync')
    ours.push(
      await timed([
        'node',
        join(repo, 'bin/run.js'),
        'stage',
        archive,
        '--state-dir',
        state,
        '--nextroot',
        nextroot,
        '--log-level',
        'quiet',
      ]),
    )
    console.error(`  ${label} run ${run + 1}: tar ${tar.at(-1)?.seconds}s, nextroot ${ours.at(-1)?.seconds}s`)
  }

  await unstage()
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
  const results = [
    await bench(join(images, 'rootB.tar'), 'plain tar'),
    await bench(join(images, 'rootB.tar.gz'), 'gzip'),
  ]
  console.log(results.join('\n'))
  await rm(work, {recursive: true, force: true})
}

await main()
