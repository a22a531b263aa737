# shellcheck shell=bash
# Sourced by the benchmarks that reuse bench/run's helpers (bench/recurring/run,
# bench/slots/run). `import_fns NAME...` defines each function NAME exactly as
# bench/run defines it, read from that file, so every benchmark starts, stops,
# drives and reads servers the same way. Needs BENCH (the bench/ directory)
# and die(); the helpers themselves may need BIN, log() and EPH_LO (see
# bench/run).
import_fns() {
  local f src
  [ -f "$BENCH/run" ] || die "bench/run is missing"
  for f in "$@"; do
    src=$(awk -v n="$f" '
      !p && index($0, n "() {") == 1 { p = 1; print; if ($0 ~ /}[[:space:]]*$/ && $0 !~ /{[[:space:]]*(#.*)?$/) exit; next }
      p { print } p && /^}/ { exit }' "$BENCH/run")
    [ -n "$src" ] || die "bench/run no longer defines $f(); $(basename "$(dirname "$0")")/$(basename "$0") must be adapted"
    eval "$src"
    declare -F "$f" >/dev/null || die "could not load $f() from bench/run"
  done
}
