#!/usr/bin/env bash
# The benchmarks of bench/run.sh for two revisions side by side, in one run: each command
# is timed with REV's binary and this work tree's in turn, round after round (so the
# machine getting busier or quieter skews neither), and printed as a table of medians with
# the change. Usage: bench/compare.sh [--quick] REV   (e.g. bench/compare.sh main~3)
# Both binaries are Cargo.toml's `profiling` build (the release build with symbols); REV's
# is built in a temporary git worktree sharing target/, so only assure itself is rebuilt.
# Work files go to target/bench (BENCH_DIR to change); RUNS=N for 2N-1 rounds (default 5).
# Nothing here needs the network.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0; REV=""
for a in "$@"; do case "$a" in --quick) QUICK=1 ;; *) REV=$a ;; esac; done
[ -n "$REV" ] || { echo "usage: bench/compare.sh [--quick] REV" >&2; exit 2; }
RUNS=${RUNS:-5}; [ $QUICK = 1 ] && RUNS=3
W=${BENCH_DIR:-target/bench}; mkdir -p "$W"
# shellcheck source=bench/lib.sh
source bench/lib.sh

# REV's binary: built in a worktree of its own, then copied out (the worktree goes).
BASE_SHA=$(git rev-parse --short "$REV^{commit}")
B=$PWD/$W/assure-$BASE_SHA
if [ ! -x "$B" ]; then
  WT=$(mktemp -d)
  git worktree add -q --detach "$WT" "$REV"
  (cd "$WT" && CARGO_TARGET_DIR="$OLDPWD/target" cargo build --profile profiling --quiet --bin assure)
  cp target/profiling/assure "$B"
  git worktree remove --force "$WT"
fi
cargo build --profile profiling --quiet --bin assure
A=$PWD/target/profiling/assure
REF=../shared/reference/nist-oscal-content/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json

gen() { # name groups assessments controls [commits]
  [ -f "$W/$1/assure.yaml" ] || "$A" generate "$W/$1" --groups "$2" --assessments "$3" --controls "$4" --commits "${5:-0}" >/dev/null
}
LARGE_GROUPS=50; [ $QUICK = 1 ] && LARGE_GROUPS=10
COMMITS=10000; [ $QUICK = 1 ] && COMMITS=1000
gen small 1 2 500
gen medium 3 20 1000
gen large "$LARGE_GROUPS" 20 500 1
gen history 1 2 50 "$COMMITS"
gen tested 1 2 50 "$COMMITS"; prepare_tested "$W/tested"
# A one-file change in the large repository (as bench/run.sh makes it).
if [ ! -f "$W/large/.git/assure-bench-changed" ]; then
  f=$(ls "$W"/large/groups/group-000/*.yaml | grep -v group.yaml | head -1)
  sed -i '0,/notes: Follow up by end of quarter./s//notes: Follow up next week./' "$f"
  git -C "$W/large" -c user.email=admin@example.com -c user.name=Admin commit -qam "one change"
  touch "$W/large/.git/assure-bench-changed"
fi
prepare_whole "$W/large" "$W/large-whole"
ctl=$(grep -m1 -o '^  C0-[0-9]*' "$W/large/groups/group-000/svc-0--gen-cert-0.yaml" | tr -d ' ')
hctl=$(grep -m1 -o '^  C0-[0-9]*' "$W/history/groups/group-000/svc-0--gen-cert-0.yaml" | tr -d ' ')

# what | the command's words after the binary (no word may hold a space)
CASES=(
  "validate small|validate -C $W/small"
  "validate medium|validate -C $W/medium"
  "validate large|validate -C $W/large"
  "sync --check (medium)|sync --check -C $W/medium"
  "status (medium)|status -C $W/medium"
  "report site (medium)|report site --quiet -C $W/medium -o $PWD/$W/site-cmp"
  "report excel --all (medium)|report excel --all -C $W/medium -o $PWD/$W/xlsx-cmp"
  "status (large)|status -C $W/large"
  "sync --check (large)|sync --check -C $W/large"
  "report site (large)|report site --quiet -C $W/large -o $PWD/$W/site-large-cmp"
  "report excel --all (large)|report excel --all -C $W/large -o $PWD/$W/xlsx-large-cmp"
  "diff, whole-repository change (large)|diff HEAD~1..HEAD -C $W/large-whole"
  "diff, one-file change (large)|diff HEAD~1..HEAD -C $W/large"
  "validate --base, one-file change (large)|validate --base HEAD~1 -C $W/large"
  "control set --dry-run (large)|control set group-000/svc-0--gen-cert-0 $ctl --implementation By-the-platform-team. --as admin@example.com --dry-run -C $W/large"
  "log of one control ($COMMITS commits)|log group-000/svc-0--gen-cert-0 $hctl -C $W/history"
  "validate --base, tester rule ($COMMITS commits)|validate --base HEAD~1 -C $W/tested"
)
[ -f "$REF" ] && CASES+=("catalog import-oscal (NIST 800-53 r5)|catalog import-oscal $REF -o $PWD/$W/nist-cmp.yaml")

echo "assure $BASE_SHA ($REV) vs this tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', modified')) — $(date -u +%F), $(nproc) cores, $(uname -m); medians of $((2 * RUNS - 1)) runs in turn"
echo
printf '| %-44s | %8s | %8s | %7s | %s\n' "what" "before s" "after s" "change" "peak RSS MiB before → after"
printf '| %-44s | %8s | %8s | %7s | %s\n' "---" "---" "---" "---" "---"
for c in "${CASES[@]}"; do
  what=${c%%|*}; words=${c#*|}
  mapfile -t res < <(measure_in_turn "$B $words" "$A $words")
  read -r t0 m0 <<<"${res[0]}"; read -r t1 m1 <<<"${res[1]}"
  change=$(echo "scale=1; ($t1 - $t0) * 100 / $t0" | bc)
  printf '| %-44s | %8s | %8s | %6s%% | %s\n' "$what" "$t0" "$t1" "$change" "$((m0 / 1024)) → $((m1 / 1024))"
done
