/**
 * `mcp-ops review [--app <cdk.out>] [--base <cdk.out or template>] [--out <file>] [--stack <name>]`:
 * a pull-request review of what a cloud assembly deploys, as Markdown (see cli/review/report.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliCommand, CliIo, UsageError } from '../command';
import { parseFlags } from '../flags';
import { Assembly, AssemblyError, readAssembly, readBase } from './assembly';
import { CostModel } from './cost';
import { PRICE_TABLE_COST_MODEL } from './price';
import { renderReport } from './report';

/** GitHub rejects issue and pull-request comments longer than this. */
export const COMMENT_LIMIT = 65536;

const HELP = `usage: mcp-ops review [--app <cdk.out folder>] [--base <cdk.out folder or template file>]
                      [--base-label <text>] [--stack <name>] [--out <file>]

Writes a Markdown review of what the cloud assembly deploys, for a pull-request comment: architecture,
exposure and identity, IAM, changes against --base (stateful replacements first), alarms, capacity and
cost, cdk-nag acknowledgements and the pre-production checklist. The same input gives the same bytes.

  --app <dir>          the cloud assembly to review (default: ./cdk.out; \`npm run review\` synthesizes one)
  --base <path>        what is deployed now: a cdk.out folder (e.g. synthesized from main) or a template file
  --base-label <text>  how the report names the base (default: "the base")
  --stack <name>       review only this stack (artifact id or display name)
  --out <file>         write the report to a file instead of standard output
`;

/** The command, with the cost model the report prices capacity with (without one: "not available"). */
export function reviewCommand(costModel?: CostModel): CliCommand {
  return {
    summary: 'Markdown review of a cdk.out for a pull request (diagram, exposure, IAM, diff, alarms, cost, checklist)',
    run: (args, io) => run(args, io, costModel),
  };
}

/** `mcp-ops review`, pricing with the capacity model's price table. */
export const review: CliCommand = reviewCommand(PRICE_TABLE_COST_MODEL);

async function run(args: readonly string[], io: CliIo, costModel: CostModel | undefined): Promise<number> {
  const flags = parseFlags(args, FLAGS, HELP);
  if (flags.help) {
    io.out(HELP);
    return 0;
  }
  let app: Assembly;
  let base: Assembly | undefined;
  try {
    app = readAssembly(flags.app ?? 'cdk.out');
    base = flags.base !== undefined ? readBase(flags.base) : undefined;
  } catch (e) {
    if (e instanceof AssemblyError) {
      io.err(`mcp-ops review: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (flags.stack !== undefined) {
    const only = app.stacks.filter((s) => s.id === flags.stack || s.displayName === flags.stack);
    if (!only.length) {
      throw new UsageError(
        `--stack ${JSON.stringify(flags.stack)} is not in the assembly; its stacks: ${app.stacks.map((s) => s.displayName).join(', ')}`,
      );
    }
    app = { ...app, stacks: only };
  }
  const options = {
    ...(base ? { base, baseLabel: flags['base-label'] ?? (flags.base ? path.basename(flags.base) : 'the base') } : {}),
    ...(costModel ? { costModel } : {}),
  };
  let report = renderReport(app, options);
  // To stdout (the pull-request comment) a report over the comment limit is shortened; --out keeps it whole.
  if (report.length > COMMENT_LIMIT && flags.out === undefined)
    report = renderReport(app, { ...options, compact: true });
  if (report.length > COMMENT_LIMIT) {
    io.err(
      `mcp-ops review: the report has ${report.length} characters; a GitHub comment takes at most ${COMMENT_LIMIT} (post it as a file or a job summary)\n`,
    );
  }
  if (flags.out !== undefined) {
    fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
    fs.writeFileSync(flags.out, report);
  } else {
    io.out(report);
  }
  return 0;
}

const FLAGS = {
  app: { type: 'string' },
  base: { type: 'string' },
  'base-label': { type: 'string' },
  stack: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
