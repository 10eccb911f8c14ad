// Lint rules: typescript-eslint's recommended set, plus the project's boundaries (which module may do what).
// Each group of files gets its whole list of banned imports in one place: a later block for the same rule
// replaces an earlier one instead of adding to it, so the lists are composed here, never spread over blocks.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const RUN_PROGRAMS = ['execa', 'child_process', 'node:child_process'].map((name) => ({
  name,
  message: 'Run programs through src/exec/run.ts.',
}))
const HOST_FACTS = [{name: 'systeminformation', message: 'Host facts come from src/host/.'}]
const COMMAND_INTERNALS = [
  {
    group: ['../src/tar/*', '../src/exec/*', '../src/host/*'],
    message: 'Commands call src/ entry points only.',
  },
]

const banned = (paths, patterns = []) => ({
  'no-restricted-imports': ['error', {paths, patterns}],
})

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'test/fixtures/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {process: 'readonly', console: 'readonly', Buffer: 'readonly', NodeJS: 'readonly'},
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_'}],
      'no-empty': ['error', {allowEmptyCatch: false}],
    },
  },
  // Side effects stay at the edges: programs run only in src/exec, host facts come only from src/host.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/exec/**', 'src/host/**'],
    rules: banned([...RUN_PROGRAMS, ...HOST_FACTS]),
  },
  {files: ['src/host/**/*.ts'], rules: banned(RUN_PROGRAMS)},
  {files: ['src/exec/**/*.ts'], rules: banned(HOST_FACTS)},
  // Commands stay thin: the library's entry points and the CLI helpers, never its internals or side effects.
  {files: ['commands/**/*.ts'], rules: banned([...RUN_PROGRAMS, ...HOST_FACTS], COMMAND_INTERNALS)},
)
