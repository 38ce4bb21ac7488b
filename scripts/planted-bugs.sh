#!/usr/bin/env bash
# The planted-bug catalogue (Tests/PlantedBugs/*/): each directory holds a realistic driver bug as
# a patch (bug.patch), the boxless command that must catch it (command, with $TRACES, $BUG), a
# pattern its output must contain when it does (expect, grep -E), an optional fault plan
# (plan.yaml) and what the bug is (about).
#
# For every bug: the command must pass with the correct drivers, and fail — naming the expected
# finding or check — with the patch applied. The patches are applied to a copy of the tree in
# WORKDIR (default .build-planted/), built incrementally there; the checkout is never touched.
#
#   scripts/planted-bugs.sh [WORKDIR] [BUG...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mkdir -p "${1:-$repo/.build-planted}" && cd "${1:-$repo/.build-planted}" && pwd)
shift || true
src=$work/src
export TRACES=${TRACES:-$(cd "$repo/.." && pwd)/shared/traces/tcpdump}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

rsync -a --delete --exclude '.build*' --exclude .git --exclude Examples "$repo/" "$src/"
cd "$src"

build() {
  if ! swift build --product boxless -j "$jobs" >"$work/build.log" 2>&1; then
    tail -40 "$work/build.log"; echo "planted-bugs: build failed ($1)"; exit 1
  fi
}

# run BUG-DIR → exit status of the command; its output in $work/out.txt
run() {
  local d=$1
  BUG=$d; export BUG
  local cmd; cmd=$(cat "$d/command")
  set +e
  eval ".build/debug/boxless $cmd --json" >"$work/out.txt" 2>&1
  local rc=$?
  set -e
  return $rc
}

bugs=("$@")
if [ ${#bugs[@]} -eq 0 ]; then for d in "$src"/Tests/PlantedBugs/*/; do bugs+=("$(basename "$d")"); done; fi

build "correct drivers"
fail=0
for b in "${bugs[@]}"; do
  d=$src/Tests/PlantedBugs/$b
  if ! run "$d"; then
    echo "FAIL  $b: the correct drivers do not pass: $(head -c 400 "$work/out.txt")"; fail=1
  fi
done

caught=0
for b in "${bugs[@]}"; do
  d=$src/Tests/PlantedBugs/$b
  # patch, not git apply: inside a git checkout git apply ignores paths outside the current directory.
  if ! patch -s -p1 --batch --forward <"$d/bug.patch"; then echo "FAIL  $b: the patch does not apply"; fail=1; continue; fi
  build "$b"
  if run "$d"; then
    echo "FAIL  $b: not caught (the command passed with the bug)"; fail=1
  elif grep -Eq "$(cat "$d/expect")" "$work/out.txt"; then
    echo "ok    $b: caught ($(grep -Eo "$(cat "$d/expect")" "$work/out.txt" | head -1))"; caught=$((caught + 1))
  else
    echo "FAIL  $b: failed, but without '$(cat "$d/expect")': $(head -c 400 "$work/out.txt")"; fail=1
  fi
  patch -s -p1 --batch -R <"$d/bug.patch"
done
echo "planted-bugs: $caught of ${#bugs[@]} caught; the correct drivers pass every command: $([ $fail = 0 ] && echo yes || echo no)"
exit $fail
