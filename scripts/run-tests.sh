#!/usr/bin/env bash
# Runs every test: a clang-format check of every C++ file, the Release build's test binaries through
# CTest, then the unit and contract tests again under AddressSanitizer + UBSan, then each libFuzzer target
# on a fixed sequence of inputs (scripts/run-fuzz.sh: FUZZ_RUNS inputs from FUZZ_SEED, so that CI is
# repeatable; `make fuzz` explores with random seeds), then the web page's end-to-end tests in Chromium
# (scripts/run-e2e.sh), then the CompreFace clients' suite (tests/compat/: the CompreFace JavaScript SDK and a
# replay of Double Take's requests, each against a server the suite starts). Prints CTest's summary lines;
# exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

# A throw-away ClickHouse server (scripts/clickhouse-test-server.sh) for the ClickHouse contract and
# two-replica tests, and a one-node Ceph with radosgw (scripts/ceph-test-server.sh, ~3 s to start) for the
# S3 photo store's tests; both stopped on exit. Without one, its tests report as skipped, loudly.
clickhouse_state=$(mktemp -d "${TMPDIR:-/tmp}/faceid-clickhouse-XXXXXX")
ceph_state=$(mktemp -d "${TMPDIR:-/tmp}/faceid-ceph-XXXXXX")
trap 'scripts/clickhouse-test-server.sh stop "$clickhouse_state"; scripts/ceph-test-server.sh stop "$ceph_state"' EXIT
if line=$(scripts/clickhouse-test-server.sh start "$clickhouse_state"); then
    export "${line?}"
    echo "== ClickHouse test server at $FACEID_TEST_CLICKHOUSE_URL"
else
    echo "!!! No ClickHouse test server: the ClickHouse tests will be SKIPPED !!!"
fi
if line=$(scripts/ceph-test-server.sh start "$ceph_state"); then
    export "${line?}" FACEID_TEST_CEPH_STATE="$ceph_state"
    echo "== S3 test server (Ceph radosgw) at ${FACEID_TEST_S3%%,*}"
else
    echo "!!! No S3 test server: the S3 tests will be SKIPPED !!!"
fi

echo "== Formatting (clang-format, the repository's .clang-format)"
if ! git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run -Werror 2>build/clang-format.log; then
    head -40 build/clang-format.log
    echo "Some files are not clang-formatted: run 'make format' and commit." >&2
    exit 1
fi

echo "== Release tests"
ctest --preset release

echo "== Unit and contract tests under AddressSanitizer + UBSan"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan

echo "== Fuzz targets, ${FUZZ_RUNS:-150000} inputs each from seed ${FUZZ_SEED:-1} (libFuzzer, clang, ASan + UBSan)"
FUZZ_RUNS=${FUZZ_RUNS:-150000} FUZZ_SEED=${FUZZ_SEED:-1} JOBS=$jobs scripts/run-fuzz.sh

echo "== End-to-end tests of the web page (Chromium, real server)"
scripts/run-e2e.sh

echo "== CompreFace clients: its JavaScript SDK and Double Take's requests against a real server (API keys on)"
node --test --test-concurrency=1 tests/compat/
