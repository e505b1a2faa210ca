#!/usr/bin/env bash
# Builds the starting corpora in fuzz/corpus/ from the project's own YAML files
# (tests/fixtures, example-repo, the built-in catalog) and the inputs that found bugs
# (fuzz/regressions/). Run from anywhere; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")"
root=..
max=16384  # files above this are left out: the targets run with -max_len=16384

# The selector byte of load_file and validate_repo: assure_fuzz::KINDS order.
kind_of() {
  case "$1" in
    */assure.yaml) echo 0 ;;
    */groups/*/group.yaml) echo 1 ;;
    */groups/*/*.yaml) echo 2 ;;
    */catalog/services.yaml) echo 3 ;;
    */catalog/certifications/*.yaml) echo 4 ;;
    */catalog/templates/*.yaml) echo 5 ;;
    */catalog/mappings/*.yaml) echo 6 ;;
    *) echo 2 ;;
  esac
}

mkdir -p corpus/load_file corpus/validate_repo corpus/rewrite
n=0
while IFS= read -r -d '' f; do
  [ "$(stat -c %s "$f")" -le "$max" ] || continue
  n=$((n + 1))
  k=$(kind_of "$f")
  { printf "\\x$(printf %02x "$k")"; cat "$f"; } > "corpus/load_file/seed-$n"
  cp "corpus/load_file/seed-$n" "corpus/validate_repo/seed-$n"
  # validate_repo with the selector's high bit: the file on disk, as `assure validate`.
  { printf "\\x$(printf %02x $((k + 128)))"; cat "$f"; } > "corpus/validate_repo/disk-$n"
  # rewrite: the text, a NUL, then control bytes picking the operation, place and value.
  for c in 00 01 02 03; do
    { cat "$f"; printf '\0'; printf "\\x$c"; head -c 24 /dev/zero | tr '\0' "\\$(printf %03o $((n * 7 % 251 + 1)))"; } \
      > "corpus/rewrite/seed-$n-$c"
  done
done < <(find "$root/tests/fixtures" "$root/example-repo" "$root/catalog" -name '*.yaml' -print0 | sort -z)

# Inputs that found bugs (each target's own folder; validate_repo reads load_file's).
for t in load_file validate_repo rewrite; do
  src=regressions/$t
  [ "$t" = validate_repo ] && src=regressions/load_file
  if [ -d "$src" ]; then cp "$src"/* "corpus/$t/"; fi
done
echo "seeded $n files into corpus/{load_file,validate_repo,rewrite}"
