#!/usr/bin/env bash
# The project's test command (README, .ci/run). Installs what the tests need
# and runs everything: formatting, vet, unit and property tests, and short
# fuzzing runs of the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 ./...

echo "== fuzz (short runs; FUZZTIME=${FUZZTIME:=10s})"
for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' compute/*_test.go | sed 's/^func //'); do
  go test ./compute -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME"
done

echo "== all tests passed"
