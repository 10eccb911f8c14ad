// Lint rules: typescript-eslint's recommended set, plus the project's boundaries (which module may do what).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const RUN_PROGRAMS = [
  {name: 'execa', message: 'Run programs through src/exec/run.ts.'},
  {name: 'node:child_process', message: 'Run programs through src/exec/run.ts.'},
]
const HOST_FACTS = {name: 'systeminformation', message: 'Host facts come from src/host/.'}

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
  {
    // Side effects stay at the edges: execa only in the runner, systeminformation only in host facts.
    files: ['src/**/*.ts', 'commands/**/*.ts'],
    ignores: ['src/exec/**'],
    rules: {'no-restricted-imports': ['error', {paths: RUN_PROGRAMS}]},
  },
  {
    files: ['src/**/*.ts', 'commands/**/*.ts'],
    ignores: ['src/host/**', 'src/exec/**'],
    rules: {'no-restricted-imports': ['error', {paths: [...RUN_PROGRAMS, HOST_FACTS]}]},
  },
  {
    // Commands stay thin: they use the library's entry points and the CLI helpers, not its internals.
    files: ['commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../src/tar/*', '../src/exec/*', '../src/host/*'],
              message: 'Commands call src/ entry points only.',
            },
          ],
        },
      ],
    },
  },
)
