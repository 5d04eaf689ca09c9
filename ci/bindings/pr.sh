#!/usr/bin/env bash
# On a pull request that changes the bindings file: plans it (plan.sh) and posts
# the plan as one comment on the pull request, which every push updates; when the
# file cannot be planned, the comment says so instead, so that no reviewer reads an
# old plan. The saved plan stays in $CF_BINDINGS_OUT/plan.json for the workflow to
# upload, for bindings-apply to apply once the pull request is merged.
#
# Environment: as plan.sh, and PR_NUMBER, GH_REPO (owner/name), GH_TOKEN
# (pull-requests: write); optional HEAD_SHA and RUN_URL (shown under the plan),
# COMMENT_AUTHOR (default github-actions[bot]: the author of the comment to update).
# Exit status: plan.sh's, once the comment is posted; or gh's when it fails.
set -euo pipefail
set +x
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"

require BINDINGS_FILE PR_NUMBER GH_REPO
mask_account
out="${CF_BINDINGS_OUT:-cf-bindings-out}"
mkdir -p "$out"
comment="$out/comment.md"

status=0
bash "$here/plan.sh" || status=$?
if ((status == 0)); then
    marker="$(head -n 1 "$out/plan.md")"
    { cat "$out/plan.md"; footer; } >"$comment"
else
    marker="$(marker_of "$BINDINGS_FILE")"
    {
        echo "$marker"
        echo "### No plan: cf-bindings failed (exit ${status})"
        echo
        echo "The file could not be planned, so there is no plan to review and nothing to apply on merge: the workflow's log says why."
        footer
    } >"$comment"
fi
upsert_pr_comment "$PR_NUMBER" "$marker" "$comment"
exit "$status"
