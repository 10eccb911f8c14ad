// Where the harness finds the repository and keeps its runs (outside the repo, like the image cache).
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const workDir = process.env.NEXTROOT_E2E_DIR ?? '/var/tmp/nextroot-e2e'
export const runsDir = path.join(workDir, 'runs')
