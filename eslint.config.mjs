// Lint: the recommended rules of ESLint and typescript-eslint, plus the few that catch real bugs
// in this code: type-aware floating promises (they would swallow errors from VS Code API calls) and
// exhaustive switches (a new message type or verdict must be handled wherever one is switched on).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { rules: { curly: 'error' } },
  {
    files: ['**/*.ts'],
    languageOptions: {
      // Each file with its own tsconfig (the webviews have theirs, with the DOM library).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // VS Code's API returns Thenables, not Promises: those count too.
      '@typescript-eslint/no-floating-promises': ['error', { checkThenables: true }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use crypto for nonces.' }],
    },
  },
  {
    // The boundary, enforced: the /proc engine, what host and webviews share, and the host's own
    // logic that needs no editor (src/core; every folder of src/debug: its files directly in
    // src/debug are the VS Code side; and a few files beside the code that uses them) run without
    // VS Code, so plain Node tests can load them.
    files: [
      'src/proc/**/*.ts',
      'shared/**/*.ts',
      'src/core/**/*.ts',
      'src/debug/*/**/*.ts',
      'src/recordings/compareRuns.ts',
      'src/recordings/historyCsv.ts',
      'src/recordings/recordingFile.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'This file must run without VS Code (see eslint.config.mjs).' }] },
      ],
    },
  },
  {
    // And without what does: src/core imports only itself, src/proc and shared/.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core must run without VS Code.' }],
          patterns: [
            {
              regex: '^\\.\\./(?!proc(/|$)|\\.\\./shared(/|$))',
              message: 'src/core imports only src/core, src/proc and shared/.',
            },
          ],
        },
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
    // The webview tests drive the views through the fake host: they import webview/dev/, shared/
    // and the test host's browser, never the extension host's src/.
    files: ['test/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The webview tests run in plain Node.' }],
          patterns: [
            {
              regex: '^(\\.\\./)+src(/|$)',
              message: 'The webview tests import from webview/dev/ and shared/, not from src/.',
            },
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
