// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importBoundaries from './lint/import-boundaries.js';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.cache/**', 'dashboards/build/**', 'packages/sparkplug/src/gen/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    // The few plain-JavaScript files (this config, the lint plugin, scripts/build.mjs, a docs
    // example) are in no tsconfig: no type information to check them with.
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // In-memory twins and the API's fastify plugins, hooks and handlers are async because their
    // contract is (a port's Promise, FastifyPluginAsync): a throw in them must reject, not throw.
    files: ['packages/*/src/in-memory-*.ts', 'services/api/src/app.ts', 'services/api/src/auth/authenticate.ts', 'services/api/src/routes/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // No service imports another; packages/, infra/local and dashboards/ import no service
    // (lint/import-boundaries.js, proven by lint/import-boundaries.test.ts). The test/ workspace
    // (end-to-end tests, benchmarks) and the root's scripts start services and may import them.
    files: ['services/**/*.ts', 'packages/**/*.ts', 'infra/local/**/*.ts', 'dashboards/**/*.ts'],
    plugins: { meterline: importBoundaries },
    rules: { 'meterline/import-boundaries': 'error' },
  },
  {
    // The accounting core stays pure: no I/O, so every figure is reproducible from its inputs.
    files: ['packages/domain/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['node:*', 'fs', 'net', 'http', 'https', 'child_process', 'mqtt', 'kafkajs', '@influxdata/*', 'fastify', 'pino'],
          message: 'packages/domain is pure: no I/O imports.',
        }],
      }],
    },
  },
);
