#!/usr/bin/env bash
# Reproduces web/static/vendor/ from the pinned npm package (run it after
# changing the version; the result is committed so that `go build` needs no
# npm). Only what the pages use is copied:
#   - css/bootstrap-italia.min.css   the design system's stylesheet;
#   - svg/sprites.svg                its icon sprite;
#   - fonts/*.woff2                  Titillium Web and Roboto Mono, with their
#                                    licences (static/fonts.css declares them);
#   - LICENSE.
# The JavaScript bundle is not used: the page needs none of its widgets, and
# its font loader injects an inline <style>, which the server's CSP forbids.
set -euo pipefail
cd "$(dirname "$0")"

version=2.18.3
integrity=sha512-dz4kNtcAYJF4OsWABT9m3CAT3NH5y6OzGG+v/VUGH1LjumIUmlP3GaQ+aHgtv5Vw3B5dS0jbHZiHGSfdu+DffA==

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "bootstrap-italia@$version" --json >pack.json 2>/dev/null)
got=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[0].integrity)' "$tmp/pack.json")
if [ "$got" != "$integrity" ]; then
  echo "bootstrap-italia@$version: integrity $got, expected $integrity" >&2
  exit 1
fi
tar -xzf "$tmp/bootstrap-italia-$version.tgz" -C "$tmp"
src=$tmp/package

dst=static/vendor/bootstrap-italia
rm -rf "$dst"
mkdir -p "$dst/css" "$dst/svg" "$dst/fonts/Titillium_Web" "$dst/fonts/Roboto_Mono"
cp "$src/LICENSE" "$dst/LICENSE"
cp "$src/dist/css/bootstrap-italia.min.css" "$dst/css/"
cp "$src/dist/svg/sprites.svg" "$dst/svg/"
for w in 300 regular 600 700; do
  cp "$src/dist/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-$w.woff2" "$dst/fonts/Titillium_Web/"
done
cp "$src/dist/fonts/Titillium_Web/OFL.txt" "$dst/fonts/Titillium_Web/"
for w in regular 700; do
  cp "$src/dist/fonts/Roboto_Mono/roboto-mono-v13-latin-ext_latin-$w.woff2" "$dst/fonts/Roboto_Mono/"
done
cp "$src/dist/fonts/Roboto_Mono/LICENSE.txt" "$dst/fonts/Roboto_Mono/"
# The source map is not shipped: drop the reference to it. The video
# player's icon font is inlined as a data: URI, which the CSP (font-src
# 'self') refuses; the pages have no video player, so its @font-face goes.
sed -i 's#/\*\# sourceMappingURL=bootstrap-italia.min.css.map \*/##' "$dst/css/bootstrap-italia.min.css"
perl -0pi -e 's/\@font-face\{font-family:VideoJS;[^}]*\}//g' "$dst/css/bootstrap-italia.min.css"
if grep -q 'url(data:application/font' "$dst/css/bootstrap-italia.min.css"; then
  echo "bootstrap-italia.min.css still has an inline font" >&2
  exit 1
fi
echo "bootstrap-italia@$version" >"$dst/VERSION"
echo "vendored bootstrap-italia@$version into $dst"
