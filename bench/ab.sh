#!/usr/bin/env bash
# Before/after on this machine's noisy CPU: alternates two service jars (or one jar under two sets of
# settings) ROUNDS times on fresh databases, same warm-up and duration as run.sh, one line per mode.
#   bench/ab.sh <before.jar> <after.jar>
#   env: ROUNDS (3), DURATION (15), WARMUP (20), CONNECTIONS (256),
#        MODES (warmup,rr; add ",rate" for the open loop at half the request/response maximum),
#        BEFORE_ENV / AFTER_ENV (service settings of each side, e.g. "BILLING_LANES_PARALLEL_AT=1")
source "$(dirname "$0")/lib.sh"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-20}"
CONNECTIONS="${CONNECTIONS:-256}"
MODES="${MODES:-warmup,rr}"
trap stop_service EXIT
(cd "$ROOT/bench" && mvn -q -B package)
for round in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    KOPECK_JAR="$([ "$side" = before ] && echo "$1" || echo "$2")"
    read -r -a settings <<< "$([ "$side" = before ] && echo "${BEFORE_ENV:-}" || echo "${AFTER_ENV:-}")"
    fresh_db kopeck_ab; start_service kopeck_ab "${settings[@]}"; seed_users kopeck_ab
    OUT=$(load "$MODES" --warmup "$WARMUP" --duration "$DURATION" --connections "$CONNECTIONS" --streams 4 \
          --window 1000 --prefix "ab$round$side")
    stop_service
    python3 - "$round" "$side" "$OUT" <<'PY'
import json, sys
for line in sys.argv[3].splitlines():
    r = json.loads(line)
    if r["mode"] != "total":
        print(f"round {sys.argv[1]} {sys.argv[2]:6} {r['mode']:6}: {r['charged_per_s']:,} debits/s, p50 {r['p50_ms']} ms, "
              f"p99 {r['p99_ms']} ms, service {r['service_cpu_us']} µs/event (JIT {r['service_jit_cpu_us']}), "
              f"PostgreSQL {r['postgres_cpu_us']} µs/event, generator {r['generator_cpu_us']} µs/event")
PY
  done
done
