// ESLint (flat config): typescript-eslint's type-checked recommendations over src/, test/ and
// scripts/, and the architecture's layers over src/ (scripts/lint/layers.mjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/lint/layers.mjs';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', 'bench/results/', 'node_modules/', 'test/fixtures/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // harden matches control characters on purpose: terminal escapes in logs, the characters
      // JSON forbids in strings, what XML 1.0 cannot carry.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
      },
    },
  },
  {
    files: ['bin/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly', exports: 'writable' },
    },
  },
  {
    // Tests read JSON output and stand in for async APIs with plain functions: `any` from
    // JSON.parse and an async stub without await are their everyday tools, not mistakes.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { harden: layers },
    rules: {
      'harden/layers': 'error',
      // harden never prints from its code: output goes through the Io the CLI is given.
      'no-console': 'error',
    },
  },
);
