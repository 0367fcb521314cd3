#!/usr/bin/env bash
# Crash test: kill the service in the middle of NDJSON streaming, restart it, resend every event
# that was sent (acknowledged or not), then prove each event is charged exactly once and the
# ledger is consistent. SIGNAL=KILL (default, kill -9) or SIGNAL=TERM (graceful shutdown under
# load: streams are drained for up to SHUTDOWN_TIMEOUT_SECONDS, then the process exits).
# Usage: bench/crash-test.sh  (env: SIGNAL, KILL_AFTER (8), USERS, PORT, PGHOST…)
source "$(dirname "$0")/lib.sh"
KILL_AFTER="${KILL_AFTER:-8}"
SIGNAL="${SIGNAL:-KILL}"
trap stop_service EXIT
: > "$RESULTS/service.log"
SENT="$RESULTS/crash-sent.ndjson"; ACKED="$RESULTS/crash-acked.txt"; REPLAYED="$RESULTS/crash-replayed.txt"

build
DB=kopeck_crash
fresh_db "$DB"; start_service "$DB"; seed_users "$DB"

echo "== streaming; kill -$SIGNAL after ${KILL_AFTER}s"
load stream --streams 2 --window 500 --duration 60 --prefix crash --sent-log "$SENT" --ack-log "$ACKED" \
    > "$RESULTS/crash-stream.json" &
GENERATOR=$!
sleep "$KILL_AFTER"
KILLED_AT=$(date +%s.%N)
kill -"$SIGNAL" "$SERVICE_PID"
wait "$SERVICE_PID" || true
echo "service exited $(python3 -c "import time; print(round(time.time() - $KILLED_AT, 2))") s after SIG$SIGNAL"
SERVICE_PID=""
wait "$GENERATOR" || true
cat "$RESULTS/crash-stream.json"

echo "== restart and replay every sent event"
start_service "$DB"
load replay --file "$SENT" --window 1000 --ack-log "$REPLAYED" > "$RESULTS/crash-replay.json"
stop_service
cat "$RESULTS/crash-replay.json"

echo "== checks"
python3 - "$SENT" "$ACKED" "$REPLAYED" "$(sql_value "$DB" "SELECT count(*) || ' ' || count(DISTINCT event_id) || ' ' || count(*) FILTER (WHERE status = 'charged') FROM usage_charges WHERE event_id LIKE 'crash-%'")" <<'PY'
import json, sys
sent_file, acked_file, replayed_file, db = sys.argv[1:5]
rows, distinct, charged = map(int, db.split())
sent = [json.loads(l)["event_id"] for l in open(sent_file) if l.strip()]
unique = set(sent)
acked = {}
for line in open(acked_file):
    event, status = line.split()
    acked[event] = status
replayed = dict(line.split() for line in open(replayed_file))
acked_ok = {e for e, s in acked.items() if s in ("charged", "duplicate")}
lost = [e for e in acked_ok if replayed.get(e) != "duplicate"]
bad_replay = [e for e, s in replayed.items() if s not in ("charged", "duplicate")]
print(f"lines sent before the crash: {len(sent)} ({len(unique)} unique events)")
print(f"acknowledged before the crash: {len(acked_ok)}; not acknowledged: {len(unique - acked_ok)}")
print(f"replay answers: {sum(1 for s in replayed.values() if s == 'duplicate')} duplicate, "
      f"{sum(1 for s in replayed.values() if s == 'charged')} newly charged, {len(bad_replay)} other")
print(f"usage rows in the database: {rows} ({distinct} distinct events, {charged} charged)")
ok = not lost and not bad_replay and rows == distinct == charged == len(unique)
print("acknowledged events all found committed (answered duplicate on replay):", not lost)
print("every sent event charged exactly once:", rows == distinct == charged == len(unique))
sys.exit(0 if ok else 1)
PY
ledger_verify "$DB"
echo "CRASH TEST PASSED (SIG$SIGNAL)"
