#!/usr/bin/env bash
# npm run review [-- <mcp-ops review flags>]: synthesizes the default app into a temporary cloud assembly
# and prints its review report (Markdown). With --app <dir> it reviews that assembly (e.g. ./cdk.out) instead.
# Synthesis writes only to the temporary folder; warnings go to standard error, the report to standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  if [[ $arg == --app || $arg == --app=* ]]; then exec npx tsx cli/mcp-ops.ts review "$@"; fi
done
out=$(mktemp -d "${TMPDIR:-/tmp}/mcp-ops-review.XXXXXX")
trap 'rm -rf "$out"' EXIT
npx cdk synth --quiet --output "$out" >&2
npx tsx cli/mcp-ops.ts review --app "$out" "$@"
