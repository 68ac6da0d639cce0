#!/usr/bin/env bash
# Documented check of the HTML waterfall page (`agent-otel view FILE --html OUT.html`): open it in
# headless Chromium, save a screenshot (look at it: before a release, after changing cli/html.py or
# cli/waterfall.html) and check that its script drew the span rows.
#
#   scripts/screenshot-html.sh [PAGE.html] [OUT.png] [WIDTHxHEIGHT]
#
# Without PAGE.html it runs `agent-otel demo --no-view --html` into a temporary directory first.
# Needs Chromium (Debian: apt-get install -y chromium). The page loads no network resources, so the
# browser runs with networking features off. CHROMIUM=/path/to/binary overrides the browser.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"
[ -x "$python" ] || python="python3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

page="${1:-}"
out="${2:-agent-otel-html.png}"
size="${3:-1400x900}"

if [ -z "$page" ]; then
  page="$work/demo.html"
  (cd "$work" && "$python" -m agent_otel.cli.main demo --no-view --out "$work/demo.jsonl" --html "$page") \
    >"$work/demo.log" 2>&1 || { cat "$work/demo.log" >&2; exit 1; }
fi
[ -f "$page" ] || { echo "no such page: $page" >&2; exit 2; }

browser="${CHROMIUM:-}"
if [ -z "$browser" ]; then
  for candidate in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$candidate" >/dev/null 2>&1; then browser="$(command -v "$candidate")"; break; fi
  done
fi
[ -n "$browser" ] || { echo "Chromium not found (Debian: apt-get install -y chromium)" >&2; exit 2; }

flags=(--headless --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile"
       --window-size="${size/x/,}")
# Chromium refuses to run as root without --no-sandbox (containers, CI).
if [ "$(id -u)" = "0" ]; then flags+=(--no-sandbox); fi
url="file://$(realpath "$page")"

"$browser" "${flags[@]}" --screenshot="$(realpath -m "$out")" "$url" >"$work/chromium.log" 2>&1 || {
  cat "$work/chromium.log" >&2; exit 1; }
[ -s "$out" ] || { echo "no screenshot written" >&2; cat "$work/chromium.log" >&2; exit 1; }

# The page's script must have drawn the waterfall: count the span rows in the rendered DOM.
rows="$("$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null | grep -o 'class="row' | wc -l)"
if [ "$rows" -eq 0 ]; then echo "the page rendered no span rows (JavaScript error?)" >&2; exit 1; fi
echo "$out ($rows span rows rendered)"
