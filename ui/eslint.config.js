// ESLint (flat config): typescript-eslint's recommended rules, React's rules of hooks, and
// i18next/no-literal-string so no user-visible text lives outside the catalogs in src/locales.
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
            ],
          },
        },
      ],
    },
  },
);
