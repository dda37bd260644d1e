#!/usr/bin/env bash
# The project's test command (README, .ci/run). Installs what the tests need
# (LibreOffice, to recalculate the formulas the product writes; chromium,
# playwright-core and xmllint for the web interface) and runs
# everything: formatting, vet, unit, property and end-to-end tests, and short
# fuzzing runs of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== dependencies"
# LibreOffice recalculates the formulas the product writes (xlsxio tests).
if ! command -v soffice >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq --no-install-recommends libreoffice-calc >/dev/null
fi
export AUDITOR_REQUIRE_LIBREOFFICE=1
# poppler-utils reads the PDF verbale back (pdftotext) and renders its pages
# to PNG (pdftoppm) in the verbale, cmd and server tests.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq --no-install-recommends poppler-utils >/dev/null
fi
export AUDITOR_REQUIRE_POPPLER=1
# The web interface's tests: Debian's chromium, driven by npm playwright-core
# (web/e2e; it never downloads a browser), and xmllint (libxml2-utils), which
# validates the Office add-in manifest against Microsoft's schemas. npm ci in
# web/e2e also brings TypeScript and @types/office-js: go test ./web
# type-checks the task pane's Office.js calls with them (typecheck.mjs).
web_packages=()
[ -x /usr/bin/chromium ] || web_packages+=(chromium)
command -v xmllint >/dev/null 2>&1 || web_packages+=(libxml2-utils)
command -v npm >/dev/null 2>&1 || web_packages+=(nodejs npm)
if [ ${#web_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq --no-install-recommends "${web_packages[@]}" >/dev/null
fi
(cd web/e2e && npm ci --no-audit --no-fund --loglevel=error)
export AUDITOR_REQUIRE_BROWSER=1

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
# A lint tool, not a dependency of the product: fetched from the module proxy.
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== go test"
go test -count=1 ./...

echo "== fuzz (short runs; FUZZTIME=${FUZZTIME:=10s})"
for file in $(grep -l '^func Fuzz' $(git ls-files '*_test.go' 2>/dev/null || find . -name '*_test.go')); do
  pkg="./$(dirname "$file")"
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$file" | sed 's/^func //'); do
    go test "$pkg" -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME"
  done
done

echo "== all tests passed"
