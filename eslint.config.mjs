// Lint: typescript-eslint's type-aware rules (no floating promises), and import boundaries that
// say what each folder may touch: src-shared is pure, only the desktop shell imports electron,
// the renderer reaches the CAS through its HTTP API only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const bareBuiltins = ['fs', 'path', 'crypto', 'os', 'http', 'https', 'net', 'child_process', 'stream', 'events', 'url', 'util', 'zlib'];
const builtinPaths = (message) => bareBuiltins.map((name) => ({ name, message }));

// src-main, bottom to top: the base floors (db, crypto, kernel, http), the domains, then app/ (the
// composition root), which only cli/ and electron/ import.
const baseFolders = ['db', 'crypto', 'kernel', 'http'];
const domainFolders = ['access', 'accounts', 'admin-auth', 'api-keys', 'audit', 'auth-backends', 'backups', 'channels', 'config-transfer', 'dash', 'devices', 'hls', 'keys', 'logos', 'packages', 'playlists', 'settings', 'watermarks'];
const noElectron = { group: ['electron'], message: 'Only src-main/electron may import electron.' };
const noRenderer = { group: ['**/src-renderer/**'], message: 'The CAS does not import the renderer.' };
const noApp = { regex: '^(\\.\\./)+app/', message: 'app/ is the composition root: only cli/ and electron/ import it.' };
const noDomain = { regex: `^(\\.\\./)+(${domainFolders.join('|')})/`, message: 'db/, crypto/, kernel/ and http/ sit below the domains and import none of them.' };

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-artifacts/**', 'bin/**', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('src-shared is pure: it runs in Node, the browser and the renderer.'),
          patterns: [
            { group: ['node:*'], message: 'src-shared is pure: it runs in Node, the browser and the renderer.' },
            { group: ['electron', 'react', 'react-dom'], message: 'src-shared is pure.' },
            { group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared imports nothing from the layers above it.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**', 'src-main/cli/**', 'src-main/app/**', ...baseFolders.map((f) => `src-main/${f}/**`)],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noRenderer, noApp] }] },
  },
  {
    // The floors below the domains: they import each other and src-shared, never a domain or the app.
    files: baseFolders.map((f) => `src-main/${f}/**/*.ts`),
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noRenderer, noApp, noDomain] }] },
  },
  {
    files: ['src-main/cli/**/*.ts', 'src-main/app/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noRenderer] }] },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinPaths('The renderer runs in the browser.'),
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in the browser.' },
            { group: ['electron'], message: 'The renderer reaches the desktop shell through the preload bridge only.' },
            { group: ['**/src-main/**'], message: 'The renderer talks to the CAS over its admin HTTP API only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.{ts,tsx}', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
