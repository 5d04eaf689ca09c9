#!/usr/bin/env bash
# Interop check: Cloudflare's official Python and TypeScript SDKs (pinned in
# interop/python/requirements.txt and interop/ts/package-lock.json) against a
# freshly started cf-bindings emulator. Exits non-zero when either SDK sees the
# emulator answer differently from what it expects.
#
# Needs the Rust toolchain, Python 3 with venv, and node with npm; on Debian,
# python3-venv and nodejs/npm are installed with apt-get when missing (as root, or
# with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target_dir=${CARGO_TARGET_DIR:-$root/target}
work=$target_dir/interop
mkdir -p "$work"

# The SDKs and the emulator read these; the check must not depend on the caller's.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(CLOUDFLARE_|CF_EMULATOR_)' || true)

say() { printf -- '--- interop: %s\n' "$*"; }

apt_install() {
    command -v apt-get >/dev/null || { echo "interop: cannot install $* (no apt-get)" >&2; return 1; }
    local sudo=
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "interop: cannot install $* (not root, and no sudo): run as root, or install python3-venv nodejs npm" >&2
            return 1
        }
        sudo=sudo
    fi
    say "installing Debian packages: $*"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# Python SDK in a venv, rebuilt when the pinned requirements change.
venv=$work/venv
req=interop/python/requirements.txt
if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
    say "creating the Python venv ($venv)"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        apt_install python3-venv
        python3 -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv -r "$req"
    cp "$req" "$venv/requirements.txt"
fi

# TypeScript SDK, exactly as locked.
if ! command -v node >/dev/null; then
    apt_install nodejs npm
elif ! command -v npm >/dev/null; then
    apt_install npm
fi
say "npm ci (interop/ts, node $(node --version))"
(cd interop/ts && npm ci --no-audit --no-fund --loglevel=error)

say "building the emulator"
cargo build --quiet -p cf-bindings-emulator
emulator=$target_dir/debug/cf-bindings-emulator

out=$work/emulator.out
log=$work/emulator.log
: >"$out"
"$emulator" --listen 127.0.0.1:0 --provisioning-delay 0 \
    --token emulator-token --email demo@example.com --api-key emulator-key \
    >"$out" 2>"$log" &
emulator_pid=$!
stop_emulator() {
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The emulator prints its base URL once it listens.
base_url=
for _ in $(seq 1 100); do
    base_url=$(head -n 1 "$out")
    [ -n "$base_url" ] && break
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        echo "interop: the emulator exited before it was ready:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$base_url" ]; then
    echo "interop: the emulator was not ready after 10 s" >&2
    exit 1
fi
say "emulator at $base_url"
export CF_INTEROP_BASE_URL=$base_url

status=0
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" interop/python/interop.py || status=1
node interop/ts/interop.mjs || status=1
if [ "$status" -ne 0 ]; then
    echo "interop: FAILED: an official SDK disagrees with the emulator (see FAIL lines above; emulator log: $log)" >&2
fi
exit "$status"
