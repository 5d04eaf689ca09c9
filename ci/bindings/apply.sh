#!/usr/bin/env bash
# Applies a reviewed plan. On a push to the main branch: the plan that
# bindings-pr saved for the pull request that brought the commit (the newest
# successful run of PLAN_WORKFLOW on the pull request's head), then says on the
# pull request what happened. With PLAN_FILE: that saved plan (bindings-apply's
# manual run, whose plan is in the run's summary).
#
# A stale plan is refused, never planned anew: `cf-bindings apply PLAN` refuses it
# (exit 1) when the bindings file is not the one planned (another pull request
# changed it since) or the live bindings changed since the plan, and changes
# nothing. The pull request is told, with what to do.
#
# Environment: BINDINGS_FILE, GH_REPO, GH_TOKEN (actions: read, pull-requests:
# write), CLOUDFLARE_API_TOKEN (IP Prefixes: Write), CLOUDFLARE_ACCOUNT_ID; and
# either COMMIT_SHA (the pushed commit) with PLAN_WORKFLOW (default
# bindings-pr.yml) and PLAN_ARTIFACT (default bindings-plan), or PLAN_FILE;
# optional WAIT (true: wait until the created bindings are active, at most
# WAIT_TIMEOUT, default 5h, within a GitHub-hosted job's 6 hours), RUN_URL.
# Exit status: cf-bindings apply's (0 applied; 1 stale or not found; see
# `cf-bindings --help`).
set -euo pipefail
set +x
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"

require BINDINGS_FILE GH_REPO
mask_account
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pr=""
# Says on the pull request, if there is one, what became of its plan.
tell() {
    if [[ -n $pr ]]; then
        { echo "$1"; footer; } >"$work/comment.md"
        gh pr comment "$pr" --body-file "$work/comment.md"
    fi
}

if [[ -n ${PLAN_FILE:-} ]]; then
    plan="$PLAN_FILE"
else
    require COMMIT_SHA
    workflow="${PLAN_WORKFLOW:-bindings-pr.yml}"
    gh api "repos/${GH_REPO}/commits/${COMMIT_SHA}/pulls" >"$work/pulls.json"
    pr="$(jq -r '[.[] | select(.merged_at != null)][0].number // empty' "$work/pulls.json")"
    head="$(jq -r '[.[] | select(.merged_at != null)][0].head.sha // empty' "$work/pulls.json")"
    if [[ -z $pr ]]; then
        echo "error: commit ${COMMIT_SHA} came without a merged pull request: no reviewed plan, nothing applied" >&2
        exit 1
    fi
    run="$(gh run list --workflow "$workflow" --commit "$head" --event pull_request --status success --limit 1 --json databaseId |
        jq -r '.[0].databaseId // empty')"
    if [[ -z $run ]]; then
        echo "error: no successful run of ${workflow} on ${head}, the head of pull request #${pr}: no reviewed plan, nothing applied" >&2
        tell "**Not applied**: no plan was saved for the head of this pull request (${head:0:12}), so nothing was applied. Apply the file by hand: run bindings-apply from the Actions tab; it plans anew and shows the plan before it applies."
        exit 1
    fi
    gh run download "$run" --name "${PLAN_ARTIFACT:-bindings-plan}" --dir "$work/plan"
    plan="$work/plan/plan.json"
fi

status=0
if [[ ${WAIT:-false} == true ]]; then
    cf-bindings apply "$plan" --yes --wait --wait-timeout "${WAIT_TIMEOUT:-5h}" || status=$?
else
    cf-bindings apply "$plan" --yes || status=$?
fi
case $status in
0) said="**Applied** the plan reviewed here." ;;
1) said="**Not applied**: the plan reviewed here is stale: ${BINDINGS_FILE} or the live bindings changed since it was planned (another pull request merged first, or a change by hand), and nothing was changed. Run bindings-apply from the Actions tab: it plans anew and shows the plan before it applies." ;;
5) said="**Outcome unknown**: a change may or may not have been made. Check the live bindings (the log names the prefix) before anything else." ;;
*) said="**Not applied, or not all of it** (cf-bindings exit ${status}): the workflow's log says what was done and what was not." ;;
esac
# What was applied stands, and its status is the script's, even if the comment fails.
tell "$said" || echo "warning: could not comment on pull request #${pr}" >&2
exit "$status"
