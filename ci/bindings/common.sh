# Shared by the bindings workflows' scripts (sourced, not run): checks of the
# environment, the masking of the account id, and the one comment a workflow keeps
# on a pull request. Nothing here prints a secret: the scripts never run with
# `set -x`, and the account id is masked in the workflow's log before any command
# could print it.

# Fails, naming them, when any of the variables named is unset or empty.
require() {
    local name missing=()
    for name in "$@"; do
        if [[ -z ${!name:-} ]]; then
            missing+=("$name")
        fi
    done
    if ((${#missing[@]} > 0)); then
        echo "error: ${missing[*]} not set: see \"Review in pull requests\" in cf-bindings's docs/bindings-as-code.md" >&2
        exit 2
    fi
}

# In a GitHub Actions job, has the log mask the account id from here on (the
# token, a secret, is masked by GitHub already; the id may come from a variable).
mask_account() {
    if [[ ${GITHUB_ACTIONS:-} == true && -n ${CLOUDFLARE_ACCOUNT_ID:-} ]]; then
        echo "::add-mask::${CLOUDFLARE_ACCOUNT_ID}"
    fi
}

# The first line of the Markdown plan of a file: the hidden marker by which a
# comment or an issue is found again. Its form is cf-bindings's (`plan --output
# markdown`); this is used only when there is no plan to read it from.
marker_of() {
    printf '<!-- cf-bindings plan: %s -->\n' "$1"
}

# `<sub>Commit abc1234 · [workflow run](URL)</sub>`, as far as they are known.
footer() {
    local text=""
    if [[ -n ${HEAD_SHA:-} ]]; then
        text="Commit ${HEAD_SHA:0:12}"
    fi
    if [[ -n ${RUN_URL:-} ]]; then
        text="${text:+${text} · }[workflow run](${RUN_URL})"
    fi
    if [[ -n $text ]]; then
        printf '\n<sub>%s</sub>\n' "$text"
    fi
}

# upsert_pr_comment PR MARKER BODY_FILE: updates the comment on pull request PR
# that COMMENT_AUTHOR (this workflow's bot) wrote starting with MARKER, or posts
# BODY_FILE as a new one. One comment per bindings file, however many pushes.
upsert_pr_comment() {
    local pr=$1 marker=$2 body=$3 id
    id="$(gh api --paginate "repos/${GH_REPO}/issues/${pr}/comments" |
        jq -rn --arg marker "$marker" --arg author "${COMMENT_AUTHOR:-github-actions[bot]}" \
            'first(inputs[] | select(.user.login == $author and (.body | startswith($marker))) | .id) // empty')"
    if [[ -n $id ]]; then
        gh api --method PATCH "repos/${GH_REPO}/issues/comments/${id}" -F "body=@${body}" >/dev/null
        echo "updated the plan's comment on pull request #${pr}"
    else
        gh pr comment "$pr" --body-file "$body"
    fi
}
