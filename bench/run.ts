/**
 * `npm run bench`: runs every `bench/*.bench.ts` in name order and prints its figures.
 * Each bench module exports `title` and `run(): Promise<void>`; figures are printed, never asserted.
 */
import * as fs from 'fs';
import * as path from 'path';

// Figures only: keep the handlers' own INFO logs and the SDK's Node 20 notice out of the report.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
  for (const file of files) {
    const mod = await import(path.join(__dirname, file));
    console.log(`\n=== ${mod.title ?? file} (${file})`);
    await mod.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
