#!/usr/bin/env bash
# The C and C++ sources in the style of .clang-format (Debian's clang-format 14).
#   scripts/format.sh          rewrite every tracked source in place
#   scripts/format.sh --check  change nothing; list the files that differ, exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.cc' '*.h' '*.inc')
if [[ "${1:-}" == "--check" ]]; then
  # One clang-format for all the files (on a busy machine, starting one per
  # file takes minutes); one per file only to list those that differ.
  if clang-format --dry-run --Werror "${files[@]}" >/dev/null 2>&1; then
    echo "format: ${#files[@]} files follow .clang-format"
    exit 0
  fi
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if ((${#bad[@]})); then
    echo "format: ${#bad[@]} of ${#files[@]} files differ from .clang-format (run scripts/format.sh):" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files follow .clang-format"
else
  clang-format -i "${files[@]}"
fi
