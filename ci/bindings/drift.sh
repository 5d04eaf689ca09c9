#!/usr/bin/env bash
# The scheduled drift check: plans the bindings file; when the live bindings
# differ from it (exit 6: changes to make, or live bindings the file does not
# list), opens one issue titled with the prefixes that drifted, holding the
# Markdown plan, or updates the one already open; when they match again, closes
# it. The issue is found by the plan's hidden marker, its first line.
#
# Environment: BINDINGS_FILE, GH_REPO, GH_TOKEN (issues: write),
# CLOUDFLARE_API_TOKEN (IP Prefixes: Read), CLOUDFLARE_ACCOUNT_ID; optional
# CF_BINDINGS_OUT (default cf-bindings-out), RUN_URL.
# Exit status: 0 once the issue says what the check found (drift included: the
# issue is the alarm); else cf-bindings's or gh's.
set -euo pipefail
set +x
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"

require BINDINGS_FILE GH_REPO
mask_account
out="${CF_BINDINGS_OUT:-cf-bindings-out}"
mkdir -p "$out"

status=0
cf-bindings plan -f "$BINDINGS_FILE" --exit-code --output markdown --out "$out/plan.json" --force >"$out/plan.md" || status=$?
if ((status != 0 && status != 6)); then
    echo "error: the drift check could not run (cf-bindings exit ${status})" >&2
    exit "$status"
fi
marker="$(head -n 1 "$out/plan.md")"
issue="$(gh issue list --state open --limit 1000 --json number,body |
    jq -r --arg marker "$marker" 'first(.[] | select(.body | startswith($marker)) | .number) // empty')"

if ((status == 0)); then
    if [[ -n $issue ]]; then
        gh issue close "$issue" --comment "Back in sync: the live bindings match ${BINDINGS_FILE}.$(footer | tr '\n' ' ')"
    fi
    echo "no drift: the live bindings match ${BINDINGS_FILE}"
    exit 0
fi

prefixes="$(jq -r '[.prefixes[] | select((.steps | length) > 0 or (.unlisted | length) > 0) | .prefix] | join(", ")' "$out/plan.json")"
if [[ $prefixes == *,* ]]; then
    title="Bindings drift: prefixes ${prefixes} (${BINDINGS_FILE})"
else
    title="Bindings drift: prefix ${prefixes} (${BINDINGS_FILE})"
fi
{ cat "$out/plan.md"; footer; } >"$out/issue.md"
if [[ -n $issue ]]; then
    gh issue edit "$issue" --title "$title" --body-file "$out/issue.md"
else
    gh issue create --title "$title" --body-file "$out/issue.md"
fi
echo "drift: the live bindings differ from ${BINDINGS_FILE}"
