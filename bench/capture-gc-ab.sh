#!/bin/sh
# The proxy's capture A/B for garbage collection, one build against another, alternating runs: each run
# starts the bench's app and one Wireplay proxy (its role, from bench/proxy.bench.ts) with --trace-gc,
# pinned (proxy on CPU 0, app and wrk on CPU 1), warms it for 1 s (a 64 MiB store fills in ~32 requests
# of 1 MiB), then counts over 4 s of wrk: requests, the proxy's CPU per request (/proc utime+stime) and
# its mark-compacts and scavenges. A steady-state count, apart from the idle-time collections a long
# multi-target run adds (bench/proxy.bench.ts --gc).
#
#   sh bench/capture-gc-ab.sh NEW_DIR BASE_DIR [ROLE] [PATH] [CONNECTIONS] [RUNS]
#   (ROLE: wireplay (capture on), wireplay-bytes-only, wireplay-no-capture; PATH: big or small)
set -u
NEW=$1 BASE=$2 ROLE=${3:-wireplay} URLPATH=${4:-big} CONNS=${5:-10} RUNS=${6:-2}
TMP=$(mktemp -d)
one() {
  dir=$1 label=$2
  rm -f "$TMP/app.out" "$TMP/proxy.out"
  (cd "$dir" && exec taskset -c 1 node --import tsx bench/proxy.bench.ts --role app > "$TMP/app.out") &
  app=$!
  for i in $(seq 100); do grep -q PORT "$TMP/app.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$TMP/app.out")
  (cd "$dir" && exec taskset -c 0 node --trace-gc --import tsx bench/proxy.bench.ts --role "$ROLE" --target "http://127.0.0.1:$port" > "$TMP/proxy.out") &
  proxy=$!
  for i in $(seq 200); do grep -q '^PORT' "$TMP/proxy.out" 2>/dev/null && break; sleep 0.1; done
  pport=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$TMP/proxy.out")
  taskset -c 1 wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:$pport/$URLPATH" > /dev/null
  mc0=$(grep -c Mark-Compact "$TMP/proxy.out"); sc0=$(grep -c Scavenge "$TMP/proxy.out")
  t0=$(awk '{print $14+$15}' /proc/$proxy/stat)
  req=$(taskset -c 1 wrk -t1 -c"$CONNS" -d4s "http://127.0.0.1:$pport/$URLPATH" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
  t1=$(awk '{print $14+$15}' /proc/$proxy/stat)
  sleep 0.2
  mc1=$(grep -c Mark-Compact "$TMP/proxy.out"); sc1=$(grep -c Scavenge "$TMP/proxy.out")
  echo "$label $ROLE /$URLPATH c=$CONNS: $req requests, CPU $(( (t1 - t0) * 10000 / req )) µs/request, $((mc1 - mc0)) mark-compacts ($(( (mc1 - mc0) * 10000 / req )) per 10,000 requests), $((sc1 - sc0)) scavenges"
  [ -n "${KEEP_TRACE:-}" ] && cp "$TMP/proxy.out" "$TMP/$label-$r.trace"
  kill $proxy $app 2>/dev/null
  wait $proxy $app 2>/dev/null
}
for r in $(seq "$RUNS"); do
  one "$NEW" new
  one "$BASE" base
done
[ -n "${KEEP_TRACE:-}" ] && echo "traces in $TMP" || rm -rf "$TMP"
