#!/usr/bin/env bash
# Rebuild the committed GOV.UK Frontend assets in static/govuk/.
#
# Usage: tools/govuk-frontend/build.sh   (from anywhere)
#
# Needs Node >= 20.19 and npm, and only at build time. The output in
# static/govuk/ is committed so the app and CI never need Node.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(cd "$HERE/../.." && pwd)/static/govuk"
cd "$HERE"

# Install the exact pinned versions (package-lock.json) if we have a lockfile.
if [[ -f package-lock.json ]]; then
  npm ci --ignore-scripts --no-audit --no-fund
else
  npm install --ignore-scripts --no-audit --no-fund
fi

PKG="node_modules/govuk-frontend/dist/govuk"
pkg_version() { node -p "JSON.parse(require('fs').readFileSync('node_modules/$1/package.json', 'utf8')).version"; }
VERSION="$(pkg_version govuk-frontend)"
SASS_VERSION="$(pkg_version sass)"

# Compile CSS into a temp file first so a failed build never leaves a half-written output.
TMP_CSS="$(mktemp)"
trap 'rm -f "$TMP_CSS"' EXIT
npx --no-install sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps app.scss "$TMP_CSS"

# Safety checks: no GDS Transport font in the output.
if grep -qiE 'GDS Transport|@font-face|\.woff2?' "$TMP_CSS"; then
  echo "ERROR: compiled CSS still references GDS Transport / @font-face / woff files" >&2
  exit 1
fi

# Fresh output directory (only static/govuk is touched).
rm -rf "$OUT"
mkdir -p "$OUT"

cp "$TMP_CSS" "$OUT/govuk-frontend.min.css"
chmod 644 "$OUT/govuk-frontend.min.css"
cp "$PKG/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js"
cp -R "$PKG/assets" "$OUT/assets"
rm -rf "$OUT/assets/fonts"

cat > "$OUT/init.js" <<'JS'
// Initialise all GOV.UK Frontend components.
// Load with: <script type="module" src="/static/govuk/init.js"></script>
import { initAll } from "./govuk-frontend.min.js";

initAll();
JS

cat > "$OUT/js-enabled.js" <<'JS'
// Equivalent of GOV.UK Frontend's inline <body> snippet, as an external file
// so no inline script / CSP nonce is needed. Include it as the first element
// in <body>: <script src="/static/govuk/js-enabled.js"></script>
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
JS

# Every url(...) in the CSS must point at a file we ship.
missing=0
while IFS= read -r url; do
  case "$url" in
    /static/govuk/*)
      f="$OUT/${url#/static/govuk/}"
      if [[ ! -f "$f" ]]; then echo "ERROR: CSS references missing file $url" >&2; missing=1; fi
      ;;
    data:*) ;;
    *) echo "ERROR: unexpected CSS url($url)" >&2; missing=1 ;;
  esac
done < <(grep -oE 'url\([^)]*\)' "$OUT/govuk-frontend.min.css" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | sort -u)
[[ $missing -eq 0 ]] || exit 1

cat > "$OUT/VERSION.txt" <<TXT
govuk-frontend ${VERSION}
sass ${SASS_VERSION}
built $(date -u +%Y-%m-%d)
font: Arial (GDS Transport removed; no fonts/ directory)
assets path: /static/govuk/assets/
source: tools/govuk-frontend/ (run tools/govuk-frontend/build.sh to rebuild)
TXT

echo "Built GOV.UK Frontend ${VERSION} into ${OUT}"
