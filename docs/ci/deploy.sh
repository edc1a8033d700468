#!/usr/bin/env bash
# mcp-ops in any CI system, as plain shell (see docs/ci.md; docs/ci/github-actions.yml is the same flow
# for GitHub Actions). Run from the repository root:
#
#   docs/ci/deploy.sh check                 npm ci, tests, synth (cdk-nag runs in the synth)
#   docs/ci/deploy.sh review <base ref>     review report against the base (review.md), and `cdk diff`
#                                           against the deployed stack when AWS credentials are present
#   docs/ci/deploy.sh deploy <environment>  cdk deploy --require-approval never, then mcp-ops verify
#
# The deploy reads CDK_CONTEXT (extra "-c key=value" words, e.g. "-c account=123456789012 -c region=eu-west-1")
# and needs AWS credentials of the environment's deploy role (McpCiIdentity) in the usual AWS_* variables.
# A production deploy needs an approval: your CI's manual gate must set MCP_OPS_APPROVED=production, or,
# on a terminal, you type the environment's name.
set -euo pipefail

usage() {
  sed -n '2,14p' "$0" >&2
  exit 2
}

check() {
  npm ci
  npm test
  npx cdk synth --quiet --output cdk.out
}

review() {
  local base_ref=${1:?review needs the base ref, e.g. origin/main}
  local base_dir
  base_dir=$(mktemp -d "${TMPDIR:-/tmp}/mcp-ops-base.XXXXXX")
  trap 'git worktree remove --force "$base_dir" >/dev/null 2>&1 || true' RETURN
  [ -d cdk.out ] || npx cdk synth --quiet --output cdk.out
  git worktree add --detach "$base_dir" "$base_ref"
  (cd "$base_dir" && npm ci && npx cdk synth --quiet --output "$base_dir/cdk.out")
  npm run --silent mcp-ops -- review --app cdk.out --base "$base_dir/cdk.out" --base-label "$base_ref" --out review.md
  echo "review report: review.md (post it as the pull-request comment)" >&2
  if [ -n "${AWS_ACCESS_KEY_ID:-}${AWS_PROFILE:-}${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ]; then
    npx cdk diff --app cdk.out --method template --no-color 2>&1 | tee cdk-diff.txt
  else
    echo "no AWS credentials: skipping cdk diff against the deployed stack" >&2
  fi
}

deploy() {
  local environment=${1:?deploy needs the environment, e.g. staging or production}
  if [ "$environment" = production ] && [ "${MCP_OPS_APPROVED:-}" != production ]; then
    if [ -t 0 ]; then
      local answer
      read -r -p "Deploy to production? Type 'production' to approve: " answer
      [ "$answer" = production ] || { echo "not approved: nothing deployed" >&2; exit 1; }
    else
      echo "production needs an approval: set MCP_OPS_APPROVED=production in your CI's manual approval step" >&2
      exit 1
    fi
  fi
  # CDK_CONTEXT holds several "-c key=value" words: split on purpose.
  # shellcheck disable=SC2086
  npx cdk deploy --all --require-approval never --outputs-file cdk-outputs.json ${CDK_CONTEXT:-}
  npm run --silent mcp-ops -- verify --outputs cdk-outputs.json
}

case "${1:-}" in
  check) check ;;
  review) review "${2:-}" ;;
  deploy) deploy "${2:-}" ;;
  *) usage ;;
esac
