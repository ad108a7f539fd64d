#!/usr/bin/env bash
# Runs every fuzz target under fuzz/ for SECONDS each (default 60), one after the other,
# keeping what each finds: new inputs go to fuzz/corpus/<target>/ (kept between runs, not
# committed), the committed seeds in fuzz/seeds/<target>/ are read too, and a crash leaves
# its input in fuzz/artifacts/<target>/ (turn it into a regression test). Prints one line
# per target: seconds, runs, corpus size, and whether it found anything.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). libFuzzer's instrumentation needs unstable
# rustc flags; on the stable toolchain RUSTC_BOOTSTRAP=1 allows them, as set here.
set -uo pipefail

secs=${1:-60}
shift || true
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build || exit 2

# Readers get inputs big enough to cross the 64 KiB prefix the format detection reads.
max_len() {
    case $1 in
        *_reader | pipeline_build) echo 131072 ;;
        response_parse) echo 8192 ;;
        *) echo 512 ;;
    esac
}

failed=0
mkdir -p logs
printf '%-18s %8s %12s %8s  %s\n' target seconds runs corpus result
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "seeds/$t"
    start=$(date +%s)
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: memory past 2 GB is a bomb.
    cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"logs/$t.log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
    size=$(find "corpus/$t" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        result=ok
    else
        result="FOUND (exit $rc): see fuzz/logs/$t.log and fuzz/artifacts/$t/"
        failed=1
    fi
    printf '%-18s %8s %12s %8s  %s\n' "$t" "$took" "${runs:-?}" "$size" "$result"
done
exit $failed
