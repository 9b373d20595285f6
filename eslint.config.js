import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import folderOrder from './eslint/folder-order.js';

export default tseslint.config(
  { ignores: ['**/dist/', 'node_modules/', 'coverage/', 'sample-app/data/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: false,
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
      },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The library's module graph stays acyclic: a cycle lets one file see another half-loaded.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    languageOptions: { parser: tseslint.parser },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // Folders import only from the folders before them (eslint/folder-order.js), specs aside.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    plugins: { local: folderOrder },
    rules: { 'local/folder-order': 'error' },
  },
  {
    files: ['**/*.js', 'scripts/**/*.mjs', 'eslint/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  { files: ['scripts/**/*.mjs'], rules: { 'no-console': 'off' } },
);
