#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`: clang, ASan + UBSan) and runs each one on a working
# copy of its seed corpus: the committed text seeds in tests/fuzz/corpus/NAME, plus for image_decode the
# synthetic images tests/fuzz/make-image-seeds.sh generates (no images are committed). Stops at the first
# crash and leaves the input in build/fuzz/crashes/. Prints, per target, how long it ran, how many inputs and the coverage.
#   exploring (make fuzz):      FUZZ_SECONDS each (default 60), random seed, the corpus in
#                               build/fuzz/corpus grows from run to run (the committed seeds stay small);
#   repeatable (make test, CI): FUZZ_RUNS inputs each from FUZZ_SEED on a fresh copy of the seeds, so a
#                               CI run tries the same inputs every time and a red run reproduces locally.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}
seed=${FUZZ_SEED:-0}
jobs=${JOBS:-$(nproc)}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"

mkdir -p build/fuzz/crashes
status=0
for name in image_decode json_request multipart; do
    binary=build/fuzz/tests/fuzz/${name}_fuzzer
    log=build/fuzz/$name.log
    if [[ -n $runs ]]; then
        work=build/fuzz/repeatable-corpus/$name
        rm -rf "$work"
        limits=(-runs="$runs" -seed="$seed")
    else
        work=build/fuzz/corpus/$name
        limits=(-max_total_time="$seconds")
    fi
    mkdir -p "$work"
    cp -n tests/fuzz/corpus/$name/* "$work"/ 2>/dev/null || true
    if [[ $name == image_decode ]]; then
        tests/fuzz/make-image-seeds.sh build/fuzz/image-seeds
        cp -n build/fuzz/image-seeds/* "$work"/
    fi
    start=$(date +%s%N)
    if OMP_NUM_THREADS=1 "$binary" "${limits[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build/fuzz/crashes/$name-" "$work" >"$log" 2>&1; then
        result="no crash"
    else
        result="FAILED (see $log and build/fuzz/crashes/)"
        status=1
    fi
    ms=$((($(date +%s%N) - start) / 1000000))
    executed=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    printf '%-14s %4d.%d s  %9s inputs  cov %5s  %s\n' "$name" $((ms / 1000)) $((ms % 1000 / 100)) "$executed" "$cov" "$result"
    if [[ $status != 0 ]]; then tail -40 "$log"; break; fi
done
exit $status
