// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importBoundaries from './lint/import-boundaries.js';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.cache/**', 'dashboards/build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
