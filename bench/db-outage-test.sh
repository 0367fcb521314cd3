#!/usr/bin/env bash
# Database outage under load (SPEC §11): NDJSON streams run, the local PostgreSQL is stopped for
# OUTAGE seconds and started again, the service is not touched. Then every sent event is sent
# again with the same id (what a client does with 503 / "unavailable" answers). Checks: /ready
# turned 503 within 5 s of the stop and 200 within 10 s of the start; every event charged exactly
# once; the ledger verifies clean. Stops and starts this machine's PostgreSQL cluster: run it alone.
# Usage: bench/db-outage-test.sh  (env: OUTAGE (10), STOP_AFTER (8), USERS, PORT)
source "$(dirname "$0")/lib.sh"
OUTAGE="${OUTAGE:-10}"
STOP_AFTER="${STOP_AFTER:-8}"
CLUSTER_VERSION="$(ls /etc/postgresql | head -n 1)"
pg() { pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" main "$@"; }
cleanup() {
  pg_isready -q -h "$PGHOST" || pg start || true
  [ -n "${MONITOR:-}" ] && kill "$MONITOR" 2> /dev/null || true
  stop_service
}
trap cleanup EXIT
: > "$RESULTS/service.log"
SENT="$RESULTS/outage-sent.ndjson"; ACKED="$RESULTS/outage-acked.txt"; REPLAYED="$RESULTS/outage-replayed.txt"
READY="$RESULTS/outage-ready.txt"

build
DB=kopeck_outage
fresh_db "$DB"; start_service "$DB"; seed_users "$DB"

# /ready every 200 ms: "<unix time> <status>"
(while true; do
  echo "$(date +%s.%N) $(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$PORT/ready")"
  sleep 0.2
done) > "$READY" &
MONITOR=$!

echo "== streaming; PostgreSQL stopped after ${STOP_AFTER}s for ${OUTAGE}s"
load stream --streams 2 --window 500 --duration $((STOP_AFTER + OUTAGE + 15)) --prefix outage \
    --sent-log "$SENT" --ack-log "$ACKED" > "$RESULTS/outage-stream.json" &
GENERATOR=$!
sleep "$STOP_AFTER"
STOPPED_AT=$(date +%s.%N)
pg stop -m fast
echo "PostgreSQL stopped"
sleep "$OUTAGE"
STARTED_AT=$(date +%s.%N)
pg start
echo "PostgreSQL started again ($(python3 -c "import time; print(round(time.time() - $STARTED_AT, 1))") s to start)"
wait "$GENERATOR" || true
kill "$MONITOR"; MONITOR=""
cat "$RESULTS/outage-stream.json"

echo "== every sent event again, same ids"
load replay --file "$SENT" --window 1000 --ack-log "$REPLAYED" > "$RESULTS/outage-replay.json"
cat "$RESULTS/outage-replay.json"

echo "== checks"
python3 - "$SENT" "$ACKED" "$REPLAYED" "$READY" "$STOPPED_AT" "$STARTED_AT" \
    "$(sql_value "$DB" "SELECT count(*) || ' ' || count(DISTINCT event_id) || ' ' || count(*) FILTER (WHERE status = 'charged') FROM usage_charges WHERE event_id LIKE 'outage-%'")" <<'PY'
import json, sys
sent_file, acked_file, replayed_file, ready_file, stopped, started, db = sys.argv[1:8]
stopped, started = float(stopped), float(started)
rows, distinct, charged = map(int, db.split())
unique = {json.loads(l)["event_id"] for l in open(sent_file) if l.strip()}
acked = dict(line.split() for line in open(acked_file))
replayed = dict(line.split() for line in open(replayed_file))
ready = [(float(t), code) for t, code in (line.split() for line in open(ready_file) if len(line.split()) == 2)]
first_down = next((t for t, c in ready if t >= stopped and c != "200"), None)
back_up = next((t for t, c in ready if t >= started and c == "200"), None)
during = [c for t, c in ready if first_down and first_down <= t < started]
statuses = {}
for s in acked.values():
    statuses[s] = statuses.get(s, 0) + 1
print(f"events sent: {len(unique)}; stream answers: {statuses}")
print(f"/ready: not 200 {first_down - stopped:.1f} s after the stop ({sorted(set(during))} meanwhile), "
      f"200 again {back_up - started:.1f} s after the start command" if first_down and back_up
      else "/ready never changed")
lost = [e for e, s in acked.items() if s in ("charged", "duplicate") and replayed.get(e) != "duplicate"]
retried = sum(1 for e, s in acked.items() if s not in ("charged", "duplicate") and replayed.get(e) == "charged")
bad = [e for e, s in replayed.items() if s not in ("charged", "duplicate")]
print(f"replay: {sum(1 for s in replayed.values() if s == 'duplicate')} duplicate, "
      f"{sum(1 for s in replayed.values() if s == 'charged')} newly charged ({retried} of them answered "
      f"unavailable before), {len(bad)} other")
print(f"usage rows: {rows} ({distinct} distinct, {charged} charged)")
ok = (first_down is not None and first_down - stopped <= 5 and back_up is not None and back_up - started <= 10
      and not lost and not bad and rows == distinct == charged == len(unique))
print("every event charged exactly once:", rows == distinct == charged == len(unique), "| acknowledged kept:", not lost)
sys.exit(0 if ok else 1)
PY
ledger_verify "$DB"
echo "DB OUTAGE TEST PASSED"
