#!/usr/bin/env bash
# Installs what is needed, builds every preset the tests need, runs every test and
# prints a summary. Exits non-zero when anything failed. Idempotent; quick when warm.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$repo_root"

ensure_packages || { echo "parley: could not install the Debian packages" >&2; exit 1; }
ensure_deb_src || { echo "parley: could not enable apt-get source (for the Dear ImGui and FriBidi sources)" >&2; exit 1; }

declare -a summary=()
failed=0

# ctest starts and stops the tests' PostgreSQL cluster itself (a fixture, stopped after a
# failure too); this stops one an interrupted run left behind (same directory as
# tests/server/CMakeLists.txt names: /tmp/parley-pg-<md5 of the build tree>).
stop_test_clusters() {
  local preset hash
  for preset in native native-asan native-tsan; do
    hash="$(printf '%s' "$repo_root/build/$preset" | md5sum | cut -c1-8)"
    if [ -d "/tmp/parley-pg-$hash" ]; then
      bash "$repo_root/tests/postgres/cluster.sh" stop "/tmp/parley-pg-$hash" || true
    fi
  done
  # Those of the tests that run a cluster of their own (the outage test, the nginx e2e).
  local dir
  for dir in /tmp/parley-pg-own-* /tmp/parley-e2e-pg-*; do
    [ -d "$dir" ] && { bash "$repo_root/tests/postgres/cluster.sh" stop "$dir" || true; }
  done
}
trap stop_test_clusters EXIT

# Runs one named step, records PASS/FAIL and its duration.
step() {
  local name="$1"; shift
  local start=$SECONDS
  echo "==> $name"
  if "$@"; then
    summary+=("PASS  $name ($((SECONDS - start)) s)")
  else
    summary+=("FAIL  $name ($((SECONDS - start)) s)")
    failed=1
    return 1
  fi
}

# npm tooling for the tests (wscat, ws, playwright-core), pinned by the lockfile.
if [ -f tests/package-lock.json ]; then
  if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    step "npm ci (tests/)" npm ci --prefix tests --no-audit --no-fund --loglevel=error
  fi
fi

# fuzz: every libFuzzer harness for PARLEY_FUZZ_SECONDS (default 60) each, two at a time.
for preset in native native-asan native-tsan wasm fuzz; do
  if step "build $preset" build_preset "$preset"; then
    step "test $preset" ctest --preset "$preset"
  fi
done

if [ -x tests/e2e/run.sh ]; then
  step "browser and native end-to-end" tests/e2e/run.sh
fi

echo
echo "parley test summary"
printf '  %s\n' "${summary[@]}"
exit "$failed"
