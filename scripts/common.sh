# Shared by the scripts in this folder; sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

# Progress goes to stderr so scripts/build can print only the .so path on stdout.
say() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Where cargo puts the extension (CARGO_TARGET_DIR is honoured like cargo does,
# relative to the repository root because every script runs cargo from there).
target_dir() {
    local t="${CARGO_TARGET_DIR:-target}"
    case "$t" in /*) ;; *) t="$ROOT/$t" ;; esac
    printf '%s\n' "$t"
}
SO_PATH="$(target_dir)/release/libswoole_rs.so"
