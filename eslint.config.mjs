// Lint: typescript-eslint's type-aware rules (no floating promises), and import boundaries that
// say what each folder may touch: src-shared is pure, only the desktop shell imports electron,
// the renderer reaches the CAS through its HTTP API only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const bareBuiltins = ['fs', 'path', 'crypto', 'os', 'http', 'https', 'net', 'child_process', 'stream', 'events', 'url', 'util', 'zlib'];
const builtinPaths = (message) => bareBuiltins.map((name) => ({ name, message }));

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
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron'], message: 'Only src-main/electron may import electron.' }, { group: ['**/src-renderer/**'], message: 'The CAS does not import the renderer.' }] },
      ],
    },
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
