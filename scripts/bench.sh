#!/usr/bin/env bash
# Whole clean builds of generated corpora, with time, memory, output size, the I/O floor,
# per-stage timings and (when Hugo is installed) the same articles built by Hugo.
# The I/O floor of a generator is the time `cp -r` takes to copy its finished output into a
# fresh folder; each build is also given as a multiple of its own floor.
#
#   scripts/bench.sh                 # 1000, 10000 and 100000 articles
#   scripts/bench.sh 1000 10000      # chosen sizes
#   SIZES="500 2000" RUNS=5 scripts/bench.sh
#
# Environment: SIZES (default "1000 10000 100000"), RUNS (runs per size up to 10,000 articles;
# default 3; larger sizes run once), SEED (default 1), BENCH_DIR (default
# /dev/shm/sitrep-bench; corpora are kept there between runs, outputs are deleted),
# KEEP_OUTPUT=1 keeps the last output of each size, NO_HUGO=1 skips Hugo, SERVE_MAX (default
# 10000) is the largest size at which `serve`'s edit-to-page latency is measured.
# Every build writes into a fresh folder: rebuilding over an old output in a loop measures the
# file system's deletion debt, not sitrep.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${*:-${SIZES:-1000 10000 100000}}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
BENCH_DIR=${BENCH_DIR:-/dev/shm/sitrep-bench}
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release

if [[ ! -x /usr/bin/time ]]; then
    echo "bench.sh: /usr/bin/time is missing; install it with: apt-get install -y time" >&2
    exit 2
fi

echo "# building release binaries (target: $TARGET)" >&2
cargo build --release --quiet --bin sitrep --example gen_corpus --example stage_times --example serve_latency

HUGO=""
if [[ -z "${NO_HUGO:-}" ]] && command -v hugo >/dev/null; then
    HUGO=$(command -v hugo)
fi

mkdir -p "$BENCH_DIR"

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# ratio A B : A / B to one decimal, or n/a when B is zero (a floor too short for `time` to see).
ratio() { if [[ $(echo "$2 > 0" | bc -l) == 1 ]]; then printf '%.1f' "$(echo "$1 / $2" | bc -l)"; else echo n/a; fi; }

# time_cmd OUTFILE CMD... : wall, user, sys (s) and max RSS (KiB) into OUTFILE.
time_cmd() {
    local out=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$out" "$@"
}

summary=()
for n in $SIZES; do
    corpus=$BENCH_DIR/corpus-$n-s$SEED
    if [[ ! -f $corpus/.complete ]]; then
        rm -rf "$corpus" "$BENCH_DIR/hugo-src-$n-s$SEED"
        echo "# generating $n articles into $corpus" >&2
        hugo_arg=()
        [[ -n $HUGO ]] && hugo_arg=(--hugo "$BENCH_DIR/hugo-src-$n-s$SEED")
        "$BIN/examples/gen_corpus" --n "$n" --seed "$SEED" --out "$corpus" "${hugo_arg[@]}"
        touch "$corpus/.complete"
    fi
    if [[ -n $HUGO && ! -d $BENCH_DIR/hugo-src-$n-s$SEED ]]; then
        "$BIN/examples/gen_corpus" --n "$n" --seed "$SEED" --out "$corpus" --hugo "$BENCH_DIR/hugo-src-$n-s$SEED"
    fi
    runs=$RUNS
    ((n > 10000)) && runs=1

    walls=() cpus=() rsss=() floors=() hugos=() hfloors=()
    pages=0 bytes=0
    for ((i = 1; i <= runs; i++)); do
        out=$BENCH_DIR/out-$n-$i-$$
        copy=$BENCH_DIR/copy-$n-$i-$$
        rm -rf "$out" "$copy"
        sync
        time_cmd "$BENCH_DIR/time.txt" "$BIN/sitrep" build --root "$corpus" --output "$out" 2>"$BENCH_DIR/build-$n.log" || {
            echo "bench.sh: build of $n articles failed; see $BENCH_DIR/build-$n.log" >&2
            exit 1
        }
        read -r wall user sys rss <"$BENCH_DIR/time.txt"
        walls+=("$wall")
        cpus+=("$(echo "$user + $sys" | bc -l)")
        rsss+=("$rss")
        pages=$(find "$out" -type f | wc -l)
        bytes=$(du -sb --apparent-size "$out" | cut -f1)
        time_cmd "$BENCH_DIR/time.txt" cp -r "$out" "$copy"
        read -r fwall _ <"$BENCH_DIR/time.txt"
        floors+=("$fwall")
        rm -rf "$copy"
        if [[ -n ${KEEP_OUTPUT:-} && $i == "$runs" ]]; then
            rm -rf "$BENCH_DIR/out-$n"
            mv "$out" "$BENCH_DIR/out-$n"
        else
            rm -rf "$out"
        fi
        if [[ -n $HUGO ]]; then
            hout=$BENCH_DIR/hugo-out-$n-$i-$$
            rm -rf "$hout"
            time_cmd "$BENCH_DIR/time.txt" "$HUGO" --quiet --source "$BENCH_DIR/hugo-src-$n-s$SEED" --destination "$hout" >/dev/null
            read -r hwall _ <"$BENCH_DIR/time.txt"
            hugos+=("$hwall")
            hpages=$(find "$hout" -type f | wc -l)
            hbytes=$(du -sb --apparent-size "$hout" | cut -f1)
            hcopy=$BENCH_DIR/hugo-copy-$n-$i-$$
            rm -rf "$hcopy"
            time_cmd "$BENCH_DIR/time.txt" cp -r "$hout" "$hcopy"
            read -r hfwall _ <"$BENCH_DIR/time.txt"
            hfloors+=("$hfwall")
            rm -rf "$hout" "$hcopy"
        fi
        echo "# $n articles, run $i: wall ${wall}s cpu $(echo "$user + $sys" | bc -l)s rss $((rss / 1024))MiB, cp ${fwall}s${hugos:+, hugo ${hugos[-1]}s}" >&2
    done
    wall=$(printf '%s\n' "${walls[@]}" | median)
    cpu=$(printf '%s\n' "${cpus[@]}" | median)
    rss=$(printf '%s\n' "${rsss[@]}" | median)
    floor=$(printf '%s\n' "${floors[@]}" | median)

    echo
    echo "== $n articles ($runs run(s); medians) =="
    printf '  wall          %8.2f s\n' "$wall"
    printf '  cpu (u+s)     %8.2f s\n' "$cpu"
    printf '  peak RSS      %8.0f MiB\n' "$(echo "$rss / 1024" | bc -l)"
    printf '  pages         %8d\n' "$pages"
    printf '  bytes         %8.1f MiB\n' "$(echo "$bytes / 1048576" | bc -l)"
    printf '  I/O floor     %8.2f s   (cp -r of the output)\n' "$floor"
    printf '  wall/floor    %8s\n' "$(ratio "$wall" "$floor")"
    echo "  stages (one run, examples/stage_times: seconds, peak RSS MiB so far):"
    sout=$BENCH_DIR/stages-$n-$$
    "$BIN/examples/stage_times" --root "$corpus" --output "$sout" | sed 's/^/    /'
    rm -rf "$sout"
    if ((n <= ${SERVE_MAX:-10000})); then
        # On a copy: the measurement edits an article (and restores it, but a copy is never
        # left edited by an interrupted run).
        scopy=$BENCH_DIR/serve-$n-$$
        rm -rf "$scopy"
        cp -r "$corpus" "$scopy"
        echo "  serve: one article edited, until the page shows it (examples/serve_latency, ms):"
        "$BIN/examples/serve_latency" --root "$scopy" --edits 10 | sed 's/^/    /'
        rm -rf "$scopy"
    fi
    ratio=""
    if [[ -n $HUGO ]]; then
        hugo_wall=$(printf '%s\n' "${hugos[@]}" | median)
        ratio=$(echo "$wall / $hugo_wall" | bc -l)
        hugo_floor=$(printf '%s\n' "${hfloors[@]}" | median)
        printf '  hugo          %8.2f s   (%d pages, %.1f MiB)\n' "$hugo_wall" "$hpages" "$(echo "$hbytes / 1048576" | bc -l)"
        printf '  hugo floor    %8.2f s   (cp -r of its output; hugo wall/floor %s)\n' "$hugo_floor" \
            "$(ratio "$hugo_wall" "$hugo_floor")"
        printf '  sitrep/hugo   %8.2f\n' "$ratio"
    else
        echo "  hugo          not installed (apt-get install -y hugo); no comparison"
    fi
    summary+=("$(printf '%7d %8.2f %8.2f %8.0f %8d %9.1f %8.2f %7s %8s %7s' "$n" "$wall" "$cpu" \
        "$(echo "$rss / 1024" | bc -l)" "$pages" "$(echo "$bytes / 1048576" | bc -l)" "$floor" "$(ratio "$wall" "$floor")" \
        "${hugo_wall:-n/a}" "$(if [[ -n $ratio ]]; then printf '%.2f' "$ratio"; else echo n/a; fi)")")
done

echo
echo "articles   wall_s    cpu_s  rss_MiB    pages  out_MiB   floor_s x_floor   hugo_s  ratio"
printf '%s\n' "${summary[@]}"
