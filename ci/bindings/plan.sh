#!/usr/bin/env bash
# Validates and plans the bindings file: the plan as Markdown in $OUT/plan.md (and
# in the job's summary), the saved plan in $OUT/plan.json for `cf-bindings apply`.
#
# Environment: BINDINGS_FILE (its path from the repository's root, where this
# runs), CLOUDFLARE_API_TOKEN (IP Prefixes: Read is enough), CLOUDFLARE_ACCOUNT_ID;
# optional CF_BINDINGS_OUT (default cf-bindings-out).
# Exit status: 0 when planned; else cf-bindings's (2: the file does not validate,
# 3: Cloudflare refused a read, 4: network; see `cf-bindings --help`).
set -euo pipefail
set +x
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"

require BINDINGS_FILE
mask_account
out="${CF_BINDINGS_OUT:-cf-bindings-out}"
mkdir -p "$out"
rm -f "$out/plan.json" "$out/plan.md"

cf-bindings validate -f "$BINDINGS_FILE"
cf-bindings plan -f "$BINDINGS_FILE" --output markdown --out "$out/plan.json" --force >"$out/plan.md"
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    cat "$out/plan.md" >>"$GITHUB_STEP_SUMMARY"
fi
