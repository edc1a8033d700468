/**
 * Reading a cloud assembly (`cdk.out`): manifest.json → each stack's template, environment and construct
 * metadata (from the manifest or the stack's additional metadata file), the validation report and the
 * feature-flag report. A bare template file is read as one stack. Only `fs` and JSON: no CDK imports.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, CfnTemplate, compare } from './template';

/** One construct-metadata entry of the assembly (`aws:cdk:acknowledged-rules`, `aws:cdk:warning`, …). */
export interface MetadataEntry {
  readonly path: string;
  readonly type: string;
  readonly data: unknown;
}

/** One finding the validation report still lists (not acknowledged). */
export interface OpenFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description: string;
}

/** One stack of an assembly, with what the report needs about it. */
export interface StackArtifact {
  /** The artifact id in manifest.json (usually the stack name). */
  readonly id: string;
  /** The stack's display name (`Stage/Stack` in nested assemblies). */
  readonly displayName: string;
  readonly template: CfnTemplate;
  /** Target account and region, when the stack has a concrete environment. */
  readonly account?: string;
  readonly region?: string;
  /** Construct metadata of the stack (sorted by path, then type). */
  readonly metadata: readonly MetadataEntry[];
}

/** What the report reads from a cloud assembly. */
export interface Assembly {
  readonly stacks: readonly StackArtifact[];
  /** Findings of validation plugins that were not acknowledged (validation-report.json). */
  readonly openFindings: readonly OpenFinding[];
  /** Feature flags as the app set them (`userValue`), from the feature-flag report. */
  readonly featureFlags: Readonly<Record<string, unknown>>;
}

/** An input that cannot be read: the CLI reports it and exits 1. */
export class AssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyError';
  }
}

/** Reads the cloud assembly in `dir` (a `cdk.out` folder), including nested assemblies (stages). */
export function readAssembly(dir: string): Assembly {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new AssemblyError(
      `${dir} is not a cloud assembly: it has no manifest.json (run \`cdk synth\` first, or pass --app <cdk.out folder>)`,
    );
  }
  const stacks: StackArtifact[] = [];
  const flags: Record<string, unknown> = {};
  collect(dir, '', stacks, flags);
  if (stacks.length === 0) throw new AssemblyError(`${dir}/manifest.json lists no CloudFormation stack`);
  stacks.sort((a, b) => compare(a.displayName, b.displayName));
  return { stacks, openFindings: readValidationReport(dir), featureFlags: flags };
}

/**
 * Reads the base of a comparison: a cloud assembly folder, or one template file (`*.template.json`, or any
 * JSON with `Resources`).
 */
export function readBase(file: string): Assembly {
  if (!fs.existsSync(file)) throw new AssemblyError(`--base ${file} does not exist`);
  if (fs.statSync(file).isDirectory()) return readAssembly(file);
  const template = readJson(file) as CfnTemplate;
  if (typeof template !== 'object' || template === null || typeof template.Resources !== 'object') {
    throw new AssemblyError(`--base ${file} is neither a cloud assembly folder nor a CloudFormation template`);
  }
  const id = path.basename(file).replace(/\.template\.json$|\.json$/, '');
  return { stacks: [{ id, displayName: id, template, metadata: [] }], openFindings: [], featureFlags: {} };
}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: Record<string, unknown>;
  readonly metadata?: Record<string, { type: string; data?: unknown }[]>;
  readonly additionalMetadataFile?: string;
}

function collect(dir: string, prefix: string, stacks: StackArtifact[], flags: Record<string, unknown>): void {
  const manifest = readJson(path.join(dir, 'manifest.json')) as { artifacts?: Record<string, ManifestArtifact> };
  const artifacts = manifest.artifacts ?? {};
  for (const id of Object.keys(artifacts).sort()) {
    const a = artifacts[id];
    if (a.type === 'aws:cloudformation:stack') {
      stacks.push(readStack(dir, id, a, prefix));
    } else if (a.type === 'cdk:cloud-assembly' && typeof a.properties?.directoryName === 'string') {
      const nested = path.join(dir, a.properties.directoryName);
      if (fs.existsSync(path.join(nested, 'manifest.json'))) collect(nested, `${a.displayName ?? id}/`, stacks, flags);
    } else if (a.type === 'cdk:feature-flag-report') {
      const reported = (a.properties?.flags ?? {}) as Record<string, { userValue?: unknown }>;
      for (const name of Object.keys(reported)) {
        if (reported[name].userValue !== undefined) flags[name] = reported[name].userValue;
      }
    }
  }
}

function readStack(dir: string, id: string, a: ManifestArtifact, prefix: string): StackArtifact {
  const templateFile = a.properties?.templateFile;
  if (typeof templateFile !== 'string')
    throw new AssemblyError(`stack ${id} in ${dir}/manifest.json has no templateFile`);
  const template = readJson(path.join(dir, templateFile)) as CfnTemplate;
  const env = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(a.environment ?? '');
  const byPath: Record<string, { type: string; data?: unknown }[]> = { ...(a.metadata ?? {}) };
  if (a.additionalMetadataFile && fs.existsSync(path.join(dir, a.additionalMetadataFile))) {
    Object.assign(byPath, readJson(path.join(dir, a.additionalMetadataFile)));
  }
  const metadata: MetadataEntry[] = [];
  for (const p of Object.keys(byPath).sort()) {
    for (const e of byPath[p] ?? []) {
      // Creation stacks and telemetry hold absolute paths and call sites: not part of what is deployed.
      if (e.type === 'aws:cdk:creationStack' || e.type.startsWith('aws:cdk:analytics')) continue;
      metadata.push({ path: p, type: e.type, data: e.data });
    }
  }
  return {
    id,
    displayName: `${prefix}${a.displayName ?? id}`,
    template: withConstructPaths(template, metadata),
    ...(env ? { account: env[1], region: env[2] } : {}),
    metadata,
  };
}

/**
 * The template with each resource's construct path in `aws:cdk:path` metadata: `cdk synth` writes it, an
 * app synthesized without the CLI (tests, `app.synth()`) does not, but the metadata file's
 * `aws:cdk:logicalId` entries map logical ids to paths either way. The template read is a copy.
 */
function withConstructPaths(template: CfnTemplate, metadata: readonly MetadataEntry[]): CfnTemplate {
  const paths = new Map<string, string>();
  for (const m of metadata)
    if (m.type === 'aws:cdk:logicalId' && typeof m.data === 'string') paths.set(m.data, m.path.replace(/^\//, ''));
  const resources = template.Resources ?? {};
  if (!paths.size || Object.values(resources).every((r) => typeof r.Metadata?.['aws:cdk:path'] === 'string'))
    return template;
  const copy: Record<string, CfnResource> = {};
  for (const [id, r] of Object.entries(resources)) {
    const p = paths.get(id);
    copy[id] =
      typeof r.Metadata?.['aws:cdk:path'] === 'string' || !p
        ? r
        : { ...r, Metadata: { ...r.Metadata, 'aws:cdk:path': p } };
  }
  return { ...template, Resources: copy };
}

function readValidationReport(dir: string): OpenFinding[] {
  const file = path.join(dir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = readJson(file) as {
    pluginReports?: {
      pluginName?: string;
      summary?: { pluginName?: string };
      violations?: {
        ruleName?: string;
        severity?: string;
        description?: string;
        violatingConstructs?: { constructPath?: string }[];
      }[];
    }[];
  };
  const findings: OpenFinding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    const name = plugin.pluginName ?? plugin.summary?.pluginName ?? 'unknown plugin';
    for (const v of plugin.violations ?? []) {
      for (const c of v.violatingConstructs ?? [{}]) {
        findings.push({
          plugin: name,
          rule: v.ruleName ?? '',
          severity: v.severity ?? 'error',
          path: c.constructPath ?? '',
          description: v.description ?? '',
        });
      }
    }
  }
  return findings.sort((a, b) => compare(`${a.plugin} ${a.rule} ${a.path}`, `${b.plugin} ${b.rule} ${b.path}`));
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AssemblyError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AssemblyError(`${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
