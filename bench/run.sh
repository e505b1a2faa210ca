#!/usr/bin/env bash
# Benchmarks of DESIGN.md §10 (issue 6), side by side in one run, printed as a table of
# medians. Usage: bench/run.sh [--quick] [--no-peers]
#   --quick     fewer runs and a smaller largest size (for trying the script)
#   --no-peers  skip check-jsonschema and trestle (which need PyPI)
# Work files go to target/bench (BENCH_DIR to change). Nothing here needs the network but
# the peers' pip install.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0; PEERS=1
for a in "$@"; do case "$a" in --quick) QUICK=1 ;; --no-peers) PEERS=0 ;; esac; done
RUNS=5; [ $QUICK = 1 ] && RUNS=3
W=${BENCH_DIR:-target/bench}; mkdir -p "$W"
# The release build with symbols (Cargo.toml's `profiling` profile): the same code as
# `--release`, and a profiler run on it names functions.
cargo build --profile profiling --quiet --bin assure --example parse_floor
A=$PWD/target/profiling/assure
FLOOR=$PWD/target/profiling/examples/parse_floor
REF=../shared/reference/nist-oscal-content/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json

# shellcheck source=bench/lib.sh
source bench/lib.sh
row() { printf '| %-44s | %10s | %12s | %s\n' "$1" "$2" "$3" "$4"; }

gen() { # name groups assessments controls [commits]
  [ -f "$W/$1/assure.yaml" ] || "$A" generate "$W/$1" --groups "$2" --assessments "$3" --controls "$4" --commits "${5:-0}" >/dev/null
}
LARGE_GROUPS=50; [ $QUICK = 1 ] && LARGE_GROUPS=10
gen small 1 2 500
gen medium 3 20 1000
gen large "$LARGE_GROUPS" 20 500 1

echo "assure benchmarks — $(date -u +%F), $(nproc) cores, $(uname -m); medians of $RUNS runs ($((2 * RUNS - 1)) for validate and its floors)"
echo
row "what" "seconds" "peak RSS MiB" "notes"
row "---" "---" "---" "---"
for size in small medium large; do
  recs=$(( $(grep -c '^  C' "$W"/$size/groups/*/*.yaml | grep -v group.yaml | awk -F: '{s+=$2} END {print s}') ))
  mb=$(du -sm "$W/$size/groups" | cut -f1)
  # validate and its floors in turn, round after round
  mapfile -t res < <(measure_in_turn "$A validate -C $W/$size" "$FLOOR $W/$size --read-only" \
    "$FLOOR $W/$size --events" "$FLOOR $W/$size")
  read -r t m <<<"${res[0]}"; v=$t
  eval "V_$size=$t; RSS_$size=$((m/1024)); MB_$size=$mb"
  row "validate $size ($recs records, ${mb} MB)" "$t" "$((m/1024))" "$(echo "$recs / $t" | bc) records/s, $(echo "$mb / $t" | bc) MB/s"
  read -r t m <<<"${res[1]}"
  row "  floor: read the bytes" "$t" "$((m/1024))" ""
  read -r t m <<<"${res[2]}"; eval "E_$size=$t"
  row "  floor: parse (saphyr-parser events alone)" "$t" "$((m/1024))" "validate is $(echo "scale=2; $v / $t" | bc)×"
  read -r t m <<<"${res[3]}"; eval "T_$size=$t"
  row "  floor: parse into assure's spanned tree" "$t" "$((m/1024))" "validate is $(echo "scale=2; $v / $t" | bc)×"
done
for c in "sync --check" "status" ; do
  read -r t m < <(measure "$A" $c -C "$W/medium")
  row "$c (medium)" "$t" "$((m/1024))" ""
done
read -r t m < <(measure "$A" report site --quiet -C "$W/medium" -o "$PWD/$W/site")
row "report site (medium)" "$t" "$((m/1024))" ""
read -r t m < <(measure "$A" report excel --all -C "$W/medium" -o "$PWD/$W/xlsx")
row "report excel --all (medium)" "$t" "$((m/1024))" ""
# Issue 22: the whole-repository commands at the large size, against validate's figures.
for c in "sync --check" "status" ; do
  read -r t m < <(measure "$A" $c -C "$W/large")
  row "$c (large)" "$t" "$((m/1024))" "$(echo "scale=1; $t / $V_large" | bc)× validate's time, $(echo "scale=1; $m / 1024 / $RSS_large" | bc)× its memory (target ≤ 2×)"
done
read -r t m < <(measure "$A" report site --quiet -C "$W/large" -o "$PWD/$W/site-large")
row "report site (large)" "$t" "$((m/1024))" "$(du -sm "$W/site-large" | cut -f1) MB in $(find "$W/site-large" -type f | wc -l) files (target ≤ 5 s, 256 MiB, 300 MB)"
read -r t m < <(measure "$A" report excel --all -C "$W/large" -o "$PWD/$W/xlsx-large")
row "report excel --all (large)" "$t" "$((m/1024))" "$(du -sm "$W/xlsx-large" | cut -f1) MB (target ≤ 8 s, 256 MiB)"
prepare_whole "$W/large" "$W/large-whole"
read -r t m < <(measure "$A" diff HEAD~1..HEAD -C "$W/large-whole")
row "diff of a whole-repository change (large)" "$t" "$((m/1024))" "$(echo "scale=1; $t / $V_large" | bc)× validate's time, $(echo "scale=1; $m / 1024 / $RSS_large" | bc)× its memory (target ≤ 2×)"

# A one-file change in the large repository.
if [ ! -f "$W/large/.git/assure-bench-changed" ]; then
  f=$(ls "$W"/large/groups/group-000/*.yaml | grep -v group.yaml | head -1)
  # A field outside the sync fields, so the change stays in one file.
  sed -i '0,/notes: Follow up by end of quarter./s//notes: Follow up next week./' "$f"
  git -C "$W/large" -c user.email=admin@example.com -c user.name=Admin commit -qam "one change"
  touch "$W/large/.git/assure-bench-changed"
fi
read -r t m < <(measure "$A" diff HEAD~1..HEAD -C "$W/large"); DIFF=$t
row "diff of a one-file change (large)" "$t" "$((m/1024))" ""
read -r t m < <(measure "$A" validate --base HEAD~1 -C "$W/large"); VBASE=$t
row "validate --base, one-file change (large)" "$t" "$((m/1024))" "checks the group the change touches"
ctl=$(grep -m1 -o '^  C0-[0-9]*' "$W/large/groups/group-000/svc-0--gen-cert-0.yaml" | tr -d ' ')
read -r t m < <(measure "$A" control set group-000/svc-0--gen-cert-0 "$ctl" --implementation "By the platform team." \
  --as admin@example.com --dry-run -C "$W/large"); EDIT=$t
row "control set --dry-run, one control (large)" "$t" "$((m/1024))" "reads, syncs and checks the control's group"

COMMITS=10000; [ $QUICK = 1 ] && COMMITS=1000
gen history 1 2 50 "$COMMITS"
ctl=$(grep -m1 -o '^  C0-[0-9]*' "$W/history/groups/group-000/svc-0--gen-cert-0.yaml" | tr -d ' ')
read -r t m < <(measure "$A" log group-000/svc-0--gen-cert-0 "$ctl" -C "$W/history")
row "log of one control ($COMMITS commits)" "$t" "$((m/1024))" "target ≤ 1 s"
gen tested 1 2 50 "$COMMITS"; prepare_tested "$W/tested"
read -r t m < <(measure "$A" validate --base HEAD~1 -C "$W/tested")
row "validate --base, tester_is_not_implementer ($COMMITS commits)" "$t" "$((m/1024))" "reads the tester's commits of the file"

read -r t m < <(measure "$A" catalog import-oscal "$REF" -o "$PWD/$W/nist.yaml"); IMPORT=$t
row "catalog import-oscal (NIST 800-53 r5)" "$t" "$((m/1024))" ""

if [ $PEERS = 1 ]; then
  V=$W/venv
  [ -x "$V/bin/check-jsonschema" ] || { python3 -m venv "$V" && "$V/bin/pip" install -q check-jsonschema ruamel.yaml.clib compliance-trestle; }
  # check-jsonschema parses with ruamel.yaml's C parser when ruamel.yaml.clib is there.
  "$V/bin/python" -c 'from ruamel.yaml import YAML; assert "CParser" in str(YAML(typ="safe").Parser)'
  PEER=("$V/bin/check-jsonschema" --schemafile schemas/assessment.schema.json)
  for size in small medium; do
    read -r t m < <(measure "${PEER[@]}" $(ls "$W"/$size/groups/*/*.yaml | grep -v group.yaml))
    v=$(eval echo "\$V_$size")
    row "peer: check-jsonschema ($size, schema only)" "$t" "$((m/1024))" "assure validate is $(echo "scale=1; $t / $v" | bc)× faster"
  done
  sample=$(ls "$W"/large/groups/*/*.yaml | grep -v group.yaml | awk 'NR % 10 == 1')
  read -r t m < <(measure "${PEER[@]}" $sample)
  PEER_LARGE=$(echo "$t * 10" | bc)
  row "peer: check-jsonschema (large: 1 file in 10, × 10)" "$PEER_LARGE" "$((m/1024))" "assure validate is $(echo "scale=1; $PEER_LARGE / $V_large" | bc)× faster"
  T=$W/trestle; rm -rf "$T"; mkdir -p "$T"; (cd "$T" && "$PWD/../venv/bin/trestle" init >/dev/null 2>&1 || true)
  read -r t m < <(measure sh -c "cd '$T' && rm -rf catalogs/nist && '$PWD/$V/bin/trestle' import -f '$PWD/$REF' -o nist")
  TRESTLE=$t
  row "peer: trestle import (NIST 800-53 r5)" "$t" "$((m/1024))" "assure import-oscal is $(echo "scale=1; $t / $IMPORT" | bc)× faster"
fi

echo
echo "Targets (issue 6):"
echo "- validate, large: $V_large s; $(echo "scale=2; $V_large / $E_large" | bc)× the saphyr-parser floor, $(echo "scale=2; $V_large / $T_large" | bc)× the spanned-tree floor (target ≤ 1.5×)"
echo "- validate, large: peak $RSS_large MiB for $MB_large MB of YAML (target: below)"
[ -n "${PEER_LARGE:-}" ] && echo "- validate, large: $(echo "scale=1; $PEER_LARGE / $V_large" | bc)× faster than check-jsonschema (target ≥ 20×)"
echo "- diff: $DIFF s, validate --base: $VBASE s on a one-file change (target < 0.2 s); editing one control: $EDIT s"
[ -n "${TRESTLE:-}" ] && echo "- import-oscal: $(echo "scale=1; $TRESTLE / $IMPORT" | bc)× faster than trestle import (target ≥ 10×)"
true
