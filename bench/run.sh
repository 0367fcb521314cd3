#!/usr/bin/env bash
# The track_cost benchmark (see docs/benchmarks.md). One command: bench/run.sh
#  1. a fresh database on the local PostgreSQL, the service started on it, USERS users seeded;
#  2. warm-up, then request/response from CONNECTIONS connections, NDJSON over STREAMS streams,
#     and an open-loop fixed rate at half the request/response maximum (10 % duplicates in all);
#  3. `kopeck ledger verify`, and charged rows in the database = charged answers received;
#  4. pgbench -b simple-update on the same server for the same duration (best of 16 and 64 clients);
#  5. the same service with batching disabled (BILLING_BATCH_MAX_SIZE=1, and BILLING_LANES=4 so that
#     four single-charge transactions run at once, as in the records before lanes defaulted to 2),
#     request/response.
# Env: DURATION (15), WARMUP (20), CONNECTIONS (256), STREAMS (4), USERS (10000), PORT, PGHOST…
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-20}"
CONNECTIONS="${CONNECTIONS:-256}"
STREAMS="${STREAMS:-4}"
trap stop_service EXIT
: > "$RESULTS/service.log"

check_counts() { # db total-line
  local charged errors rows
  charged=$(field "$2" charged); errors=$(field "$2" errors)
  rows=$(sql_value "$1" "SELECT count(*) FROM usage_charges WHERE status = 'charged'")
  echo "charged answers received: $charged; charged rows in the database: $rows; errors: $errors"
  [ "$charged" = "$rows" ] && [ "$errors" = 0 ] || { echo "MISMATCH: lost or doubled charges" >&2; exit 1; }
}

echo "== building"; build
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, PostgreSQL $(sql_value postgres 'SHOW server_version'), $(java -version 2>&1 | head -n 1)"

DB=kopeck_bench
fresh_db "$DB"; start_service "$DB"; seed_users "$DB"
echo "== ${WARMUP}s warm-up; then ${DURATION}s each: request/response ($CONNECTIONS connections), NDJSON ($STREAMS streams), fixed rate at half the request/response maximum"
OUT=$(load warmup,rr,stream,rate --warmup "$WARMUP" --duration "$DURATION" --connections "$CONNECTIONS" \
      --streams "$STREAMS" --window 1000 --prefix main)
echo "$OUT"
RR=$(sed -n 1p <<< "$OUT"); ST=$(sed -n 2p <<< "$OUT"); RATE=$(sed -n 3p <<< "$OUT"); TOTAL=$(sed -n 4p <<< "$OUT")
curl -s "http://127.0.0.1:$PORT/metrics" > "$RESULTS/metrics-after-bench.txt"
echo "== /metrics after the run (kopeck_*; all of it in bench/results/metrics-after-bench.txt)"
grep -E '^kopeck_(charges_total|tokens_charged_total|charge_batch_size_(count|sum)|charge_latency_seconds_(count|max))' \
  "$RESULTS/metrics-after-bench.txt" || true
stop_service
echo "== ledger verify"
ledger_verify "$DB"
check_counts "$DB" "$TOTAL"

echo "== pgbench -b simple-update, ${DURATION}s"
fresh_db kopeck_pgbench
pgbench -q -i -s 10 kopeck_pgbench > /dev/null 2>&1
PGB=0
for c in 16 64; do
  TPS=$(pgbench -b simple-update -c "$c" -j 2 -T "$DURATION" kopeck_pgbench 2> /dev/null | awk '/^tps/ {print int($3)}')
  echo "pgbench $c clients: $TPS tps"
  [ "$TPS" -gt "$PGB" ] && PGB=$TPS
done

echo "== batching disabled (BILLING_BATCH_MAX_SIZE=1, BILLING_LANES=4): ${WARMUP}s warm-up, ${DURATION}s request/response"
UDB=kopeck_bench_unbatched
fresh_db "$UDB"; start_service "$UDB" BILLING_BATCH_MAX_SIZE=1 BILLING_LANES=4; seed_users "$UDB"
UOUT=$(load warmup,rr --warmup "$WARMUP" --duration "$DURATION" --connections "$CONNECTIONS" --streams "$STREAMS" \
       --window 1000 --prefix unbatched)
echo "$UOUT"
UNB=$(sed -n 1p <<< "$UOUT")
stop_service
ledger_verify "$UDB"
check_counts "$UDB" "$(sed -n 2p <<< "$UOUT")"

python3 - "$RR" "$ST" "$RATE" "$UNB" "$PGB" <<'PY'
import json, sys
rr, st, rate, unb = (json.loads(a) for a in sys.argv[1:5]); pgb = int(sys.argv[5])
print("\n| mode | events/s | debits/s | p50 ms | p95 ms | p99 ms | service CPU µs/event (of it JIT) "
      "| PostgreSQL CPU µs/event | load generator CPU µs/event |"
      "\n|---|---|---|---|---|---|---|---|---|")
for name, r in (("request/response", rr), ("NDJSON streams", st), ("fixed rate, half the r/r maximum", rate),
                ("request/response, batching disabled", unb)):
    print(f"| {name} | {r['events_per_s']:,} | {r['charged_per_s']:,} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
          f"| {r.get('service_cpu_us')} ({r.get('service_jit_cpu_us')}) | {r.get('postgres_cpu_us')} "
          f"| {r.get('generator_cpu_us')} |")
print(f"\npgbench simple-update (best of 16 and 64 clients): {pgb:,} tps")
print(f"request/response debits/s ÷ pgbench tps: {rr['charged_per_s'] / pgb:.2f}")
print(f"NDJSON debits/s ÷ pgbench tps: {st['charged_per_s'] / pgb:.2f}")
print(f"batched ÷ unbatched (request/response debits/s): {rr['charged_per_s'] / max(1, unb['charged_per_s']):.2f}")
PY
