// ESLint flat config: typescript-eslint's recommended rules, the CDK rules of @cdklabs/eslint-plugin for
// the construct library, and Prettier for layout (`npm run lint` checks both; `npm run format` rewrites).
const tseslint = require('typescript-eslint');
const cdklabs = require('@cdklabs/eslint-plugin');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'coverage/', '.bench-tmp/', 'service/node_modules/', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { warnOnUnsupportedTypeScriptVersion: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['lib/**/*.ts'],
    plugins: { '@cdklabs': cdklabs },
    rules: {
      '@cdklabs/no-core-construct': 'error',
      '@cdklabs/invalid-cfn-imports': 'error',
      '@cdklabs/no-literal-partition': 'error',
      '@cdklabs/no-invalid-path': 'error',
      '@cdklabs/promiseall-no-unbounded-parallelism': 'error',
      '@cdklabs/no-this-in-static': 'error',
    },
  },
  {
    // Tests and benches read synthesized templates and events, whose shapes are dynamic.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-var-requires': 'off' },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-var-requires': 'off' },
  },
);
