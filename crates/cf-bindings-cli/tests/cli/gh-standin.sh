#!/usr/bin/env bash
# A stand-in for GitHub's `gh`, for the tests of ci/bindings/*.sh: it records each
# call (its arguments, and the body files it is given) and answers from a state
# kept in JSON files under $GH_STANDIN, with the shapes GitHub's API and gh give,
# for the few calls the scripts make. Anything else fails loudly.
#
# State: comments.json (pull-request comments: id, issue, body, user.login),
# issues.json (number, title, body, state, comments), pulls.json (pull requests
# with merge_commit_sha, merged_at, head.sha), runs.json (databaseId, headSha,
# workflowName, event, conclusion), artifacts/RUN/NAME/ (files of an artifact);
# calls.jsonl, one JSON array of arguments per call.
set -euo pipefail

state=${GH_STANDIN:?the stand-in needs GH_STANDIN}
jq -cn '$ARGS.positional' --args -- "$@" >>"$state/calls.jsonl"

fail() {
    echo "gh stand-in: $*" >&2
    exit 1
}

# Replaces a state file with the result of a jq program on it.
update() {
    local file=$1
    shift
    jq "$@" "$state/$file" >"$state/$file.new"
    mv "$state/$file.new" "$state/$file"
}

# The value after flag $1 among the remaining arguments.
flag() {
    local name=$1
    shift
    while (($# > 0)); do
        if [[ $1 == "$name" ]]; then
            echo "${2:-}"
            return 0
        fi
        shift
    done
    return 1
}

case "${1:-} ${2:-}" in
"api "*)
    shift
    method=GET
    path=""
    fields=()
    while (($# > 0)); do
        case $1 in
        --paginate) ;;
        --method) method=$2 && shift ;;
        -F) fields+=("$2") && shift ;;
        -*) fail "api: unknown flag $1" ;;
        *) path=$1 ;;
        esac
        shift
    done
    case "$method $path" in
    "GET repos/${GH_REPO}/issues/"*/comments)
        number=${path#"repos/${GH_REPO}/issues/"}
        number=${number%/comments}
        # Two pages, as --paginate prints them, when there are more than two.
        jq -c --argjson n "$number" '[.[] | select(.issue == $n) | {id, body, user}] | .[:2], .[2:]' "$state/comments.json"
        ;;
    "PATCH repos/${GH_REPO}/issues/comments/"*)
        id=${path##*/}
        [[ ${fields[0]:-} == body=@* ]] || fail "api PATCH: no body=@FILE field"
        body=$(cat "${fields[0]#body=@}")
        jq -e --argjson id "$id" 'any(.[]; .id == $id)' "$state/comments.json" >/dev/null ||
            fail "api PATCH: no comment $id"
        update comments.json --argjson id "$id" --arg body "$body" \
            'map(if .id == $id then .body = $body else . end)'
        jq -c --argjson id "$id" '.[] | select(.id == $id)' "$state/comments.json"
        ;;
    "GET repos/${GH_REPO}/commits/"*/pulls)
        sha=${path#"repos/${GH_REPO}/commits/"}
        sha=${sha%/pulls}
        jq -c --arg sha "$sha" '[.[] | select(.merge_commit_sha == $sha)]' "$state/pulls.json"
        ;;
    *) fail "api: unexpected $method $path" ;;
    esac
    ;;
"pr comment")
    number=$3
    file=$(flag --body-file "$@") || fail "pr comment: no --body-file"
    body=$(cat "$file")
    update comments.json --argjson n "$number" --arg body "$body" \
        '. + [{id: (1000 + length), issue: $n, body: $body, user: {login: "github-actions[bot]"}}]'
    echo "https://github.com/${GH_REPO}/pull/${number}#issuecomment-$((999 + $(jq length "$state/comments.json")))"
    ;;
"run list")
    workflow=$(flag --workflow "$@") || fail "run list: no --workflow"
    commit=$(flag --commit "$@") || fail "run list: no --commit"
    status=$(flag --status "$@") || fail "run list: no --status"
    event=$(flag --event "$@") || fail "run list: no --event"
    flag --json "$@" >/dev/null || fail "run list: no --json"
    jq -c --arg w "$workflow" --arg c "$commit" --arg s "$status" --arg e "$event" \
        '[.[] | select(.workflowName == $w and .headSha == $c and .conclusion == $s and .event == $e)] | sort_by(-.databaseId) | .[:1]' \
        "$state/runs.json"
    ;;
"run download")
    run=$3
    name=$(flag --name "$@") || fail "run download: no --name"
    dir=$(flag --dir "$@") || fail "run download: no --dir"
    [[ -d $state/artifacts/$run/$name ]] || fail "run download: no artifact $name in run $run"
    mkdir -p "$dir"
    cp -R "$state/artifacts/$run/$name/." "$dir"
    ;;
"issue list")
    [[ $(flag --state "$@") == open ]] || fail "issue list: not --state open"
    flag --json "$@" >/dev/null || fail "issue list: no --json"
    jq -c '[.[] | select(.state == "OPEN") | {number, title, body}]' "$state/issues.json"
    ;;
"issue create")
    title=$(flag --title "$@") || fail "issue create: no --title"
    file=$(flag --body-file "$@") || fail "issue create: no --body-file"
    body=$(cat "$file")
    update issues.json --arg title "$title" --arg body "$body" \
        '. + [{number: (length + 1), title: $title, body: $body, state: "OPEN", comments: []}]'
    echo "https://github.com/${GH_REPO}/issues/$(jq length "$state/issues.json")"
    ;;
"issue edit")
    number=$3
    title=$(flag --title "$@") || fail "issue edit: no --title"
    file=$(flag --body-file "$@") || fail "issue edit: no --body-file"
    body=$(cat "$file")
    update issues.json --argjson n "$number" --arg title "$title" --arg body "$body" \
        'map(if .number == $n then .title = $title | .body = $body else . end)'
    echo "https://github.com/${GH_REPO}/issues/${number}"
    ;;
"issue close")
    number=$3
    comment=$(flag --comment "$@") || fail "issue close: no --comment"
    update issues.json --argjson n "$number" --arg comment "$comment" \
        'map(if .number == $n then .state = "CLOSED" | .comments += [$comment] else . end)'
    echo "Closed issue #${number}"
    ;;
*) fail "unexpected call: gh $*" ;;
esac
