// Lint: the recommended rules of ESLint and typescript-eslint, plus the few that catch real bugs
// in this code (floating promises would swallow errors from VS Code API calls).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use crypto for nonces.' }],
    },
  },
  {
    // The boundary, enforced: the /proc engine and what host and webviews share run without VS Code.
    files: ['src/proc/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'src/proc and shared/ must not depend on VS Code.' }] },
      ],
    },
  },
  {
    // The webviews are browser code: they import from shared/, never from the extension host's src/.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Webviews run in the browser.' }],
          patterns: [
            { group: ['**/src/**', '../src', '../../src'], message: 'Webviews import from shared/, not from src/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
