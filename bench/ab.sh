#!/usr/bin/env bash
# Before/after on this machine's noisy CPU: request/response alone, alternating two service jars
# ROUNDS times on fresh databases (same warm-up and duration as run.sh), one line per run.
#   bench/ab.sh <before.jar> <after.jar>      env: ROUNDS (3), DURATION (15), WARMUP (20), CONNECTIONS (256)
source "$(dirname "$0")/lib.sh"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-20}"
CONNECTIONS="${CONNECTIONS:-256}"
trap stop_service EXIT
(cd "$ROOT/bench" && mvn -q -B package)
for round in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    KOPECK_JAR="$([ "$side" = before ] && echo "$1" || echo "$2")"
    fresh_db kopeck_ab; start_service kopeck_ab; seed_users kopeck_ab
    OUT=$(load warmup,rr --warmup "$WARMUP" --duration "$DURATION" --connections "$CONNECTIONS" --streams 4 \
          --window 1000 --prefix "ab$round$side")
    stop_service
    python3 - "$round" "$side" "$(sed -n 1p <<< "$OUT")" <<'PY'
import json, sys
r = json.loads(sys.argv[3])
print(f"round {sys.argv[1]} {sys.argv[2]:6}: {r['charged_per_s']:,} debits/s, p99 {r['p99_ms']} ms, "
      f"service {r['service_cpu_us']} µs/event, PostgreSQL {r['postgres_cpu_us']} µs/event")
PY
  done
done
