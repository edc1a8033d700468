/**
 * GitHub Actions OIDC subjects and the CDK bootstrap role names a CI identity may assume. Pure: no CDK
 * imports.
 *
 * GitHub's token carries `sub` = `repo:<owner>/<repo>:ref:refs/heads/<branch>` for a job on a branch,
 * `repo:<owner>/<repo>:environment:<name>` for a job that references an environment (the environment form
 * replaces the branch form), and `repo:<owner>/<repo>:pull_request` for pull-request events; `aud` is
 * `sts.amazonaws.com` for aws-actions/configure-aws-credentials:
 * https://docs.github.com/en/actions/reference/security/oidc,
 * https://docs.github.com/en/actions/how-tos/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
 * IAM recommends that every role trusting GitHub's provider evaluates `token.actions.githubusercontent.com:sub`
 * (same page).
 */
import { checkPattern, checkThat } from '../internal/validate';

/** The issuer of GitHub Actions tokens (the IAM OIDC provider's URL). */
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
/** The issuer host, which prefixes the token's condition keys (`token.actions.githubusercontent.com:sub`). */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials requests. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';
/** The CDK bootstrap stack's default qualifier. */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** The bootstrap roles `cdk deploy` and `cdk diff` assume (the CloudFormation execution role is passed, not assumed). */
export const DEPLOY_BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;
/** `cdk diff --method template` reads the deployed template with the lookup role alone. */
export const DIFF_BOOTSTRAP_ROLES = ['lookup'] as const;

const OWNER = 'McpCiIdentity';
// GitHub owners: letters, digits and single hyphens; repositories: letters, digits, '.', '_' and '-'.
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
// A branch or environment: no whitespace, no characters that have a meaning in the subject (':'), no leading '/'.
const REF_NAME = /^(?!\/)[^\s:]{1,255}$/;

export interface SubjectsInput {
  readonly repository: string;
  readonly branches?: readonly string[];
  readonly environments?: readonly string[];
}

/** The `sub` values the deploy role trusts: one per branch (patterns allowed, e.g. `release/*`) and environment. */
export function deploySubjects(input: SubjectsInput): string[] {
  checkRepository(input.repository);
  const branches = input.branches ?? [];
  const environments = input.environments ?? [];
  checkThat(
    OWNER,
    branches.length + environments.length > 0,
    `give branches or environments (or both) that may deploy; with neither, every workflow of ${input.repository} could`,
  );
  for (const b of branches) checkName('branches', b);
  for (const e of environments) checkName('environments', e);
  return [
    ...branches.map((b) => `repo:${input.repository}:ref:refs/heads/${b}`),
    ...environments.map((e) => `repo:${input.repository}:environment:${e}`),
  ];
}

/** The `sub` of pull-request workflows of the repository. */
export function pullRequestSubject(repository: string): string {
  checkRepository(repository);
  return `repo:${repository}:pull_request`;
}

/** `cdk-<qualifier>-<kind>-role-<account>-<region>`, the name the bootstrap template gives each role. */
export function bootstrapRoleName(qualifier: string, kind: string, account: string, region: string): string {
  return `cdk-${qualifier}-${kind}-role-${account}-${region}`;
}

/** The bootstrap qualifier: up to 10 letters, digits, '-' or '_' (as `cdk bootstrap --qualifier` accepts). */
export function checkQualifier(qualifier: string): void {
  checkPattern(OWNER, 'bootstrapQualifier', qualifier, /^[A-Za-z0-9_-]{1,10}$/, 'up to 10 letters, digits, "-" or "_"');
}

function checkRepository(repository: string): void {
  checkPattern(OWNER, 'repository', repository, REPOSITORY, 'a GitHub repository as "owner/name"');
}

function checkName(prop: string, name: string): void {
  checkPattern(OWNER, prop, name, REF_NAME, 'a name without spaces or ":" (patterns such as "release/*" are allowed)');
  checkThat(
    OWNER,
    !/^\*+$/.test(name),
    `${prop} ${JSON.stringify(name)} would trust every ${prop === 'branches' ? 'branch' : 'environment'}; name them, or use a pattern such as "release/*"`,
  );
}
