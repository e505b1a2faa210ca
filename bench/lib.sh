# Shared by bench/run.sh and bench/compare.sh: timing helpers. Expects RUNS and W.
# median of the wall times (s) and max RSS (KiB) of RUNS runs of a command
measure() {
  local times=() rss=0 t0 t1 r
  for _ in $(seq "$RUNS"); do
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$W/.rss" "$@" >/dev/null 2>&1 || true
    r=$(tail -1 "$W/.rss" 2>/dev/null || echo 0)
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
    [ "${r:-0}" -gt "$rss" ] 2>/dev/null && rss=$r
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v rss="$rss" '{a[NR]=$1} END {printf "%.3f %d\n", a[int((NR+1)/2)], rss}'
}
# The same for several commands (each one string of words) run in turn, 2 × RUNS - 1
# rounds, so that the ratios between them are not skewed by the machine getting busier or
# quieter between one command's runs and the next's: one "seconds rss" line per command.
measure_in_turn() {
  local n=$# i k cmd t0 t1 r
  local -a times rss
  for ((k = 0; k < n; k++)); do times[k]=""; rss[k]=0; done
  for _ in $(seq "$((2 * RUNS - 1))"); do
    k=0
    for cmd in "$@"; do
      t0=$(date +%s.%N)
      # shellcheck disable=SC2086 # the command's words
      /usr/bin/time -f "%M" -o "$W/.rss" $cmd >/dev/null 2>&1 || true
      t1=$(date +%s.%N)
      r=$(tail -1 "$W/.rss" 2>/dev/null || echo 0)
      times[k]="${times[k]} $(echo "$t1 - $t0" | bc -l)"
      [ "${r:-0}" -gt "${rss[k]}" ] 2>/dev/null && rss[k]=$r
      k=$((k + 1))
    done
  done
  for ((k = 0; k < n; k++)); do
    echo "${times[k]}" | tr ' ' '\n' | grep . | sort -n |
      awk -v rss="${rss[k]}" '{a[NR]=$1} END {printf "%.3f %d\n", a[int((NR+1)/2)], rss}'
  done
}
# A generated history repository ($1, made by `gen`) with rules.tester_is_not_implementer
# switched on and, in its last commit, a test result recorded by an assessor who wrote
# implementation text in a third of the history: what `validate --base HEAD~1` judges.
# Needs A (the binary).
prepare_tested() {
  local r=$1 c
  [ -f "$r/.git/assure-bench-tested" ] && return
  printf 'rules:\n  tester_is_not_implementer: true\n' >>"$r/assure.yaml"
  git -C "$r" -c user.email=portal@example.com -c user.name=Portal commit -qam "Switch on tester_is_not_implementer"
  c=$(grep -m1 -o '^  C0-[0-9]*' "$r/groups/group-000/svc-0--gen-cert-0.yaml" | tr -d ' ')
  "$A" control test group-000/svc-0--gen-cert-0 "$c" --result passed --date 2026-01-01 \
    --as assessor1@example.com -C "$r" >/dev/null
  git -C "$r" -c user.email=assessor1@example.com -c user.name=Assessor commit -qam "Test $c"
  touch "$r/.git/assure-bench-tested"
}
# A clone ($2) of the large repository ($1) whose last commit changes every assessment
# file (one field outside the sync fields in each): the whole-repository change that
# `diff HEAD~1..HEAD` summarizes.
prepare_whole() {
  local from=$1 r=$2
  [ -f "$r/.git/assure-bench-whole" ] && return
  rm -rf "$r"
  git clone -q "$from" "$r"
  find "$r/groups" -name '*.yaml' ! -name group.yaml -print0 |
    xargs -0 sed -i '0,/notes: Follow up by end of quarter./s//notes: Follow up next week./'
  git -C "$r" -c user.email=admin@example.com -c user.name=Admin commit -qam "every assessment"
  touch "$r/.git/assure-bench-whole"
}
