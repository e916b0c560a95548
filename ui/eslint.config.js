// ESLint (flat config): typescript-eslint's recommended rules, React's rules of hooks, and
// i18next/no-literal-string so no user-visible text lives outside the catalogs in src/locales, and
// no import of the shell's packages outside src/api/.
import js from '@eslint/js';
import i18next from 'eslint-plugin-i18next';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist', 'node_modules'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  reactHooks.configs.flat['recommended-latest'] ?? reactHooks.configs.flat.recommended,
  {
    files: ['src/**/*.{ts,tsx}', 'tests/**/*.{ts,tsx}', '*.config.ts', '*.config.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    // Only ui/src/api/ talks to the shell (ARCHITECTURE.md): views and hooks import from there.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/api/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@tauri-apps/*'], message: 'Use ui/src/api/ instead.', allowTypeImports: true }] },
      ],
    },
  },
  {
    // JSX text and JSX attributes in the app's code must come from the catalogs (`t('…')`).
    files: ['src/**/*.tsx'],
    plugins: { i18next },
    rules: {
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'jsx-only',
          'jsx-attributes': {
            exclude: [
              'className',
              'type',
              'id',
              'key',
              'role',
              'name',
              'autoComplete',
              'inputMode',
              'list',
              'lang',
              'value',
              'aria-labelledby',
              'aria-controls',
              'aria-hidden',
              'aria-current',
              'data-.*',
              'testId',
            ],
          },
        },
      ],
    },
  },
);
