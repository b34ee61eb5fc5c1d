import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import eslintConfigPrettier from 'eslint-config-prettier/flat';
import checkFile from 'eslint-plugin-check-file';

/**
 * What a file is for, said by its name: `<concept>.ts`, or `<concept>.<role>.ts` with a role from this list (and
 * kebab-case throughout). The doors add theirs: bot commands and transports, HTTP middleware, CLI entry points;
 * `messages` is a message catalogue (a room's errors and warnings in both locales).
 */
const roles =
  'module|service|repository|worker|job|stage|routes|schema|errors|types|command|transport|middleware|cli|messages';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config reads the environment.' },
      ],
    },
  },
  {
    // Time comes from the injected Clock (src/util/clock.ts), so a test can pin it; durations use monotonicMs.
    files: ['src/**/*.ts', 'plugins/**/*.ts'],
    ignores: ['src/util/clock.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Read the time from the injected Clock (src/util/clock.ts), not the wall clock.',
        },
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'Read the time from the injected Clock, or monotonicMs() for a duration (src/util/clock.ts).',
        },
      ],
    },
  },
  {
    files: ['src/config/**', 'test/**', 'scripts/**', 'bench/**'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.ts', 'plugins/**/*.ts'],
    plugins: { 'check-file': checkFile },
    rules: {
      'check-file/filename-naming-convention': [
        'error',
        { '**/*.ts': `+([a-z0-9])*(-+([a-z0-9]))?(.@(${roles}))` },
        { ignoreMiddleExtensions: false },
      ],
    },
  },
  // Layout is Prettier's (npm run format); no lint rule argues with it.
  eslintConfigPrettier,
);
