#!/usr/bin/env bash
# Screenshots of the report site, for looking at layout by eye.
#
# Builds the demo repository (`assure demo`), renders its site (and the public one), and
# writes PNGs of the dashboard, an assessment page (plain and filtered), the action items
# and the public catalog at laptop and phone width with headless Chromium. Prints the
# folder it wrote.
#
#   scripts/screenshots.sh [OUT_DIR]       default: a new folder under /tmp
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d /tmp/assure-screenshots.XXXXXX)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

chromium="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$chromium" ]; then
  echo "screenshots.sh: no chromium on PATH (apt-get install chromium)" >&2
  exit 2
fi

cargo build --release --quiet
assure="$PWD/target/release/assure"
work="$(mktemp -d /tmp/assure-screenshots-work.XXXXXX)"
trap 'rm -rf "$work"' EXIT

"$assure" demo "$work/demo" >/dev/null
"$assure" -C "$work/demo" report site --quiet -o "$work/site" >/dev/null
"$assure" -C "$work/demo" report site --quiet --public -o "$work/public" >/dev/null

profile="$work/profile"
shot() { # shot NAME WIDTH HEIGHT URL
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --disable-background-networking --disable-component-update --disable-sync \
    --no-first-run --user-data-dir="$profile" --virtual-time-budget=2000 \
    --window-size="$2,$3" --screenshot="$out/$1.png" "$4" >/dev/null 2>&1
  echo "  $out/$1.png"
}

page="file://$work/site/assessments/default-group--office-365--gdpr.html"
echo "Screenshots in $out:"
shot dashboard            1280  900 "file://$work/site/index.html"
shot dashboard-archived   1280 3000 "file://$work/site/index.html#archived"
shot dashboard-phone       390  844 "file://$work/site/index.html"
shot assessment           1280  900 "$page"
shot assessment-full      1280 2400 "$page"
shot assessment-filtered  1280 1400 "$page#status=planned,implemented&assigned=dave@contoso.com"
shot assessment-control   1280 1800 "$page#control=6.10.1.2"
shot assessment-empty     1280  900 "$page#status=not-in-scope&result=failed-high-risk"
shot assessment-phone      390  844 "$page"
shot assessment-phone-control 390 2400 "$page#control=6.10.1.2"
shot actions              1280 1400 "file://$work/site/actions.html"
shot actions-phone         390 1600 "file://$work/site/actions.html"
shot public               1280  900 "file://$work/public/index.html"
shot public-template      1280 1400 "file://$work/public/templates/office-365--gdpr.html"
shot public-phone          390  844 "file://$work/public/templates/office-365--gdpr.html"
echo "$out"
