#!/usr/bin/env bash
# Fails when README.md's keyword table differs from what the keyword tables generate.
set -euo pipefail
halod=$1 readme=$2
expected=$("$halod" --keywords)
actual=$(sed -n '/<!-- BEGIN KEYWORDS/,/<!-- END KEYWORDS -->/p' "$readme" | sed '1d;$d')
if [ "$expected" != "$actual" ]; then
  echo "README.md's keyword table is out of date: run scripts/update-readme" >&2
  diff <(echo "$expected") <(echo "$actual") | head -20 >&2
  exit 1
fi
echo "README keyword table is current"
