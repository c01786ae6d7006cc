// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What the pure core may never import: SDKs, stores, queues and Node I/O. */
const forbiddenInDomain = [
  { group: ['@slack/*', 'botbuilder', 'botbuilder-*', 'bullmq', 'ioredis', 'pino', 'prom-client'], message: 'src/domain is pure: no SDKs, stores, queues or loggers.' },
  { group: ['node:*', 'fs', 'fs/*', 'http', 'https', 'net', 'child_process', 'os', 'process', 'path', 'dgram', 'tls', 'worker_threads'], message: 'src/domain is pure: no Node I/O.' },
  { group: ['**/adapters/*', '**/adapters/**', '**/app/*', '**/app/**', '**/config', '**/config.js', '**/main', '**/main.js'], message: 'src/domain depends on nothing outside itself.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'config.ts is the only reader of process.env.' }],
    },
  },
  {
    // Microsoft has announced the Bot Framework SDK's retirement: moving to the Agents SDK must touch one folder.
    files: ['src/**/*.ts'],
    ignores: ['src/domain/**', 'src/adapters/teams/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['botbuilder', 'botbuilder-*', 'botframework-*'], message: 'botbuilder stays inside src/adapters/teams/.' }] }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInDomain }],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/domain reads no environment.' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Time comes into the domain as a value.' },
        { object: 'process', property: 'env', message: 'config.ts is the only reader of process.env.' }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time comes into the domain as a value.' },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
    },
  },
  { files: ['eslint.config.js', 'vitest.config.ts'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
