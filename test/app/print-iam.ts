/**
 * Prints the default app's roles with their complete action lists, in the form of test/app/iam-pins.ts:
 * `npx tsx test/app/print-iam.ts > test/app/iam-pins.ts` after a deliberate permission change (review the diff).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildDefaultApp } from '../../lib/app/build';
import { testApp } from '../support/app';
import { rolePermissions } from '../support/iam';

const app = testApp({ 'aws:cdk:bundling-stacks': [] });
const stack = buildDefaultApp(app);
Object.assign(console, { log: () => undefined, error: () => undefined, warn: () => undefined });
let dir: string;
try {
  dir = app.synth().directory;
} catch {
  dir = app.outdir;
}
const template = JSON.parse(fs.readFileSync(path.join(dir, stack.templateFile), 'utf8'));
process.stdout.write(
  [
    '/**',
    ' * Every role of the default app with its complete action lists, pinned (test/app/iam.test.ts). Regenerate with',
    ' * `npx tsx test/app/print-iam.ts > test/app/iam-pins.ts` after a deliberate change, and review the diff.',
    ' */',
    "import type { RolePermissions } from '../support/iam';",
    '',
    `export const DEFAULT_APP_ROLES: Record<string, RolePermissions> = ${JSON.stringify(rolePermissions(template), null, 2)};`,
    '',
  ].join('\n'),
);
