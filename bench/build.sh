#!/usr/bin/env bash
# The README's first command as a new user runs it, for several revisions side by side:
# a clean clone, then `cargo run --release --locked --timings -- demo` with a cold target
# folder. Reports the whole command's wall time, the build's wall and CPU time (from
# cargo's --timings), and the size of the binary. Usage:
#   bench/build.sh [REV...]       default: HEAD and HEAD~1
#   FRESH_CARGO_HOME=1 bench/build.sh ...   also download every crate (an empty
#                                 CARGO_HOME per revision), as on a fresh machine
# Revisions are built one after the other, never at the same time: run it on an idle
# machine (a cold build uses every core). Work files go to target/bench/build (BENCH_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${BENCH_DIR:-target/bench}/build
mkdir -p "$W"
W=$(cd "$W" && pwd)
[ $# -eq 0 ] && set -- HEAD HEAD~1
row() { printf '| %-12s | %9s | %9s | %9s | %9s | %s\n' "$@"; }

echo "assure cold builds — $(date -u +%F), $(nproc) cores, $(uname -m), $(rustc --version)"
echo
row "revision" "command s" "build s" "build CPU" "binary MB" "notes"
row "---" "---" "---" "---" "---" "---"
for rev in "$@"; do
  id=$(git rev-parse --short "$rev")
  dir=$W/$id
  rm -rf "$dir" && git clone -q --no-local "$PWD" "$dir/src" && git -C "$dir/src" checkout -q "$id"
  env=()
  if [ "${FRESH_CARGO_HOME:-0}" = 1 ]; then env+=("CARGO_HOME=$dir/cargo-home"); fi
  t0=$(date +%s.%N)
  # shellcheck disable=SC2016 # expanded by the inner shell
  (cd "$dir/src" && env "${env[@]}" /usr/bin/time -f "%U %S" -o "$dir/cpu" \
    cargo run --release --locked --timings -- demo "$dir/demo" >"$dir/log" 2>&1) \
    || { echo "$rev: failed, see $dir/log" >&2; exit 1; }
  t1=$(date +%s.%N)
  total=$(echo "$t1 - $t0" | bc -l)
  # "Finished `release` profile [...] target(s) in 3m 41s" → seconds
  build=$(grep -o 'Finished .* in [0-9m .]*s' "$dir/log" | sed 's/.* in //' |
    awk '{s=0; for (i=1;i<=NF;i++) { if ($i ~ /m$/) s+=60*substr($i,1,length($i)-1); else s+=substr($i,1,length($i)-1) } print s}')
  cpu=$(awk '{print $1 + $2}' "$dir/cpu")
  bin=$(find "$dir/src/target/release" -maxdepth 1 -name assure -type f -printf '%s\n')
  row "$id" "$(printf %.0f "$total")" "$(printf %.0f "$build")" "$(printf %.0f "$cpu")" \
    "$(echo "scale=1; $bin / 1048576" | bc)" "$(git log -1 --format=%s "$id" | cut -c1-50)"
done
echo
echo "command s: the whole \`cargo run --release -- demo\` (build and demo); build CPU: user +"
echo "system seconds of the command; the timings are in */src/target/cargo-timings/."
