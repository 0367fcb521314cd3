#!/usr/bin/env bash
# Kopeck on Citus, end to end (SPEC §16): a fresh database on every node of the cluster that
# CITUS_URL's coordinator knows, `kopeck migrate` (which distributes the schema), two service
# instances, then deploy/citus/flows.py — purchases, credit grants, payment links and signed events out,
# promo codes and trials, 10,000 charges with 10 %
# repeats in request and stream mode, renewals and notices for 200 subscriptions, Runner task streams,
# a refund — then `kopeck ledger verify`
# and no 0A000 ("cannot push down", "could not run distributed query") in any log.
#
#   CITUS_URL=postgres://postgres@127.0.0.1:9700/kopeck deploy/citus/test.sh
#
# Then the shard of four users is moved back and forth between two workers CITUS_MOVES times (10)
# while 16 senders charge them: every charge once, and the batches that failed meanwhile are counted.
#
# With CITUS_NEW_WORKER=host:port (a running Citus node not yet in the cluster; cluster.sh starts
# one with CITUS_SPARE_PORTS) the test then adds that worker and runs citus_rebalance_start() while
# charges flow, and checks them like the others. The node joins only the test's database.
#
# The nodes' PostgreSQL logs are read too (CITUS_NODE_LOGS, a glob; cluster.sh's by default): the
# lines the test's run added are kept under $LOGS, and any ERROR, FATAL or PANIC in them — a
# duplicate key, a deadlock, a statement Citus refused — fails the test.
#
# CITUS_URL names a database on the coordinator where the workers are registered (cluster.sh makes
# one); the test creates kopeck_citus_test next to it on every node (dropped first if present).
# Needs psql, python3, curl, a JDK and target/kopeck.jar (mvn -DskipTests package).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${CITUS_URL:?set CITUS_URL to a database on the Citus coordinator, e.g. postgres://postgres@127.0.0.1:9700/kopeck}"
TEST_DB="${TEST_DB:-kopeck_citus_test}"
LOGS="${LOGS:-$ROOT/deploy/citus/logs}"
PORTS=(18301 18302)
CONVERT_USERS="${CONVERT_USERS:-2000}"   # users (and ledger rows) of the database that `citus distribute` converts
WEBHOOK_PORT=18398                     # flows.py receives the signed events here
WEBHOOK_SIGNING_SECRET=citus-signing-secret-0123456789-0123456789
RUNNER_KEY="citus-runner-key-0123456789"
ADMIN_KEY="citus-admin-key-0123456789"
WEBHOOK_SECRET="citus-webhook-secret-0123456789"
RUNNER_PORT=18399                      # flows.py serves the Runner's task streams (SSE) here
RUNNER_STREAM_KEY="citus-stream-key-0123456789"
CITUS_NODE_LOGS="${CITUS_NODE_LOGS:-${CITUS_DIR:-/tmp/kopeck-citus}/node-*.log}"
CITUS_MOVES="${CITUS_MOVES:-10}"
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log "$LOGS"/*.offset
# Where each node's log ends now: only what this run adds is read at the end.
for node_log in $CITUS_NODE_LOGS; do
  [ -f "$node_log" ] && wc -c < "$node_log" > "$LOGS/$(basename "$node_log").offset"
done

base="${CITUS_URL%/*}"                # postgres://user@host:port
TEST_URL="$base/$TEST_DB"
coordinator_host="$(psql "$CITUS_URL" -qAt -c "SELECT inet_server_addr()")"
coordinator_port="$(psql "$CITUS_URL" -qAt -c "SELECT inet_server_port()")"
user="$(psql "$CITUS_URL" -qAt -c "SELECT current_user")"

nodes="$(psql "$CITUS_URL" -qAt -F ' ' -c "SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0")"
[ -n "$nodes" ] || { echo "no workers registered in $CITUS_URL" >&2; exit 2; }

each_node() { # command, run with $host and $port set for the coordinator and every worker
  for node in "$coordinator_host $coordinator_port" $(echo "$nodes" | tr ' ' ':'); do
    host="${node%%[ :]*}"; port="${node##*[ :]}"
    "$@"
  done
}
create_database() { # db
  psql "postgres://$user@$host:$port/postgres" -q -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
    -c "CREATE DATABASE $1" 2> /dev/null
}
create_extension() { # db
  psql "postgres://$user@$host:$port/$1" -q -c "CREATE EXTENSION citus"
}
register_nodes() { # db url
  psql "$1" -qAt -c "SELECT citus_set_coordinator_host('$coordinator_host', $coordinator_port)" > /dev/null
  echo "$nodes" | while read -r host port; do
    psql "$1" -qAt -c "SELECT citus_add_node('$host', $port)" > /dev/null
  done
}

echo "== fresh database $TEST_DB on the coordinator and every worker"
each_node create_database "$TEST_DB"
each_node create_extension "$TEST_DB"
register_nodes "$TEST_URL"

echo "== kopeck migrate (distributes the schema)"
DATABASE_URL="$TEST_URL" LOG_LEVEL=WARN java -jar "$ROOT/target/kopeck.jar" migrate | tee "$LOGS/migrate.log"
psql "$TEST_URL" -qAt -c "SELECT logicalrelid || ' ' || CASE partmethod WHEN 'h' THEN 'distributed' ELSE 'reference' END
                          FROM pg_dist_partition ORDER BY 1" | paste -sd, | sed 's/,/, /g'

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
}
trap cleanup EXIT

echo "== two instances on ports ${PORTS[*]}"
for port in "${PORTS[@]}"; do
  env DATABASE_URL="$TEST_URL" HTTP_PORT="$port" RUNNER_API_KEYS="$RUNNER_KEY" ADMIN_API_KEY="$ADMIN_KEY" \
    DEV_CONSOLE=true TELEGRAM_WEBHOOK_SECRET="$WEBHOOK_SECRET" ADMIN_CHAT_IDS=1000 PAYMENT_PROVIDERS=mock,stars \
    MOCK_PASSWORD_1=citus-mock-password-1 MOCK_PASSWORD_2=citus-mock-password-2 \
    PUBLIC_BASE_URL="http://127.0.0.1:$port" TIMER_INTERVAL_SECONDS=1 SUBSCRIPTION_NOTIFY_DAYS=3,1 \
    RUNNER_BASE_URL="http://127.0.0.1:$RUNNER_PORT" RUNNER_STREAM_KEY="$RUNNER_STREAM_KEY" \
    WEBHOOK_URL="http://127.0.0.1:$WEBHOOK_PORT/events" WEBHOOK_SIGNING_SECRET="$WEBHOOK_SIGNING_SECRET" \
    LOG_LEVEL=INFO ACCESS_LOG=false DB_POOL_SIZE=8 \
    java -Xmx512m -jar "$ROOT/target/kopeck.jar" serve > "$LOGS/instance-$port.log" 2>&1 &
  PIDS+=($!)
done
for port in "${PORTS[@]}"; do
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" > /dev/null && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$port/ready" > /dev/null || { echo "instance $port not ready; see $LOGS" >&2; exit 1; }
done

echo "== flows"
INSTANCES="http://127.0.0.1:${PORTS[0]} http://127.0.0.1:${PORTS[1]}" CITUS_DB_URL="$TEST_URL" \
  RUNNER_KEY="$RUNNER_KEY" ADMIN_KEY="$ADMIN_KEY" WEBHOOK_SECRET="$WEBHOOK_SECRET" \
  RUNNER_PORT="$RUNNER_PORT" RUNNER_STREAM_KEY="$RUNNER_STREAM_KEY" \
  WEBHOOK_PORT="$WEBHOOK_PORT" WEBHOOK_SIGNING_SECRET="$WEBHOOK_SIGNING_SECRET" \
  python3 "$ROOT/deploy/citus/flows.py"

if [ "$CITUS_MOVES" -gt 0 ]; then
  echo "== shard moves: one shard moved $CITUS_MOVES times while its users are charged"
  FLOWS=shard-moves MOVES="$CITUS_MOVES" INSTANCES="http://127.0.0.1:${PORTS[0]} http://127.0.0.1:${PORTS[1]}" \
    CITUS_DB_URL="$TEST_URL" RUNNER_KEY="$RUNNER_KEY" ADMIN_KEY="$ADMIN_KEY" WEBHOOK_SECRET="$WEBHOOK_SECRET" \
    python3 "$ROOT/deploy/citus/flows.py"
fi

if [ -n "${CITUS_NEW_WORKER:-}" ]; then
  echo "== scale-out: $CITUS_NEW_WORKER added and the shards rebalanced while charges flow"
  host="${CITUS_NEW_WORKER%:*}"; port="${CITUS_NEW_WORKER#*:}"
  create_database "$TEST_DB"
  create_extension "$TEST_DB"
  FLOWS=scale-out NEW_WORKER="$CITUS_NEW_WORKER" INSTANCES="http://127.0.0.1:${PORTS[0]} http://127.0.0.1:${PORTS[1]}" \
    CITUS_DB_URL="$TEST_URL" RUNNER_KEY="$RUNNER_KEY" ADMIN_KEY="$ADMIN_KEY" WEBHOOK_SECRET="$WEBHOOK_SECRET" \
    python3 "$ROOT/deploy/citus/flows.py"
fi

cleanup
PIDS=()

echo "== kopeck ledger verify"
DATABASE_URL="$TEST_URL" LOG_LEVEL=WARN java -jar "$ROOT/target/kopeck.jar" ledger verify | tee "$LOGS/verify.log"

echo "== kopeck citus distribute: a single-node database with data, converted in place"
CONVERT_DB="${TEST_DB}_convert"
each_node create_database "$CONVERT_DB"
CONVERT_URL="$base/$CONVERT_DB"
DATABASE_URL="$CONVERT_URL" LOG_LEVEL=WARN java -jar "$ROOT/target/kopeck.jar" migrate > /dev/null
psql "$CONVERT_URL" -q -v ON_ERROR_STOP=1 -v users="$CONVERT_USERS" <<'SQL'
INSERT INTO tariffs (slug, name, price, tokens, period_unit, period_value, subscription_fee)
  VALUES ('basic', 'Basic', 199, 200, 'month', 1, 150);
INSERT INTO users (id, token_balance, balance_seq) SELECT g, 100, 1 FROM generate_series(1, :users) g;
INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, idempotency_key, description)
  SELECT g, 1, 'topup', 100, 100, 'seed', 'seed' FROM generate_series(1, :users) g;
INSERT INTO invoices (user_id, tariff_id, amount, original_amount, tokens, idempotency_key, provider, expires_at)
  SELECT g, (SELECT id FROM tariffs), 199, 199, 200, 'inv-' || g, 'mock', now() + interval '1 day'
  FROM generate_series(1, 200) g;
INSERT INTO notifications (user_id, chat_id, kind, text) SELECT g, g, 'x', 'hello' FROM generate_series(1, 200) g;
SQL
each_node create_extension "$CONVERT_DB"
register_nodes "$CONVERT_URL"
# Its progress lines (every 3 s, on standard error) appear when the move takes longer than that.
DATABASE_URL="$CONVERT_URL" LOG_LEVEL=WARN java -jar "$ROOT/target/kopeck.jar" citus distribute 2>&1 \
  | tee "$LOGS/convert.log"
counts="$(psql "$CONVERT_URL" -qAt -c "SELECT (SELECT count(*) FROM pg_dist_partition) || ' tables in Citus, ' ||
  (SELECT count(*) FROM transactions) || ' ledger rows, ' || (SELECT count(*) FROM invoices) || ' invoices, ' ||
  (SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'transactions'::regclass) || ' workers'")"
echo "$counts"
workers="$(echo "$nodes" | wc -l)"
[ "$counts" = "18 tables in Citus, $CONVERT_USERS ledger rows, 200 invoices, $workers workers" ] || { echo "FAILED: conversion" >&2; exit 1; }
DATABASE_URL="$CONVERT_URL" LOG_LEVEL=WARN java -jar "$ROOT/target/kopeck.jar" ledger verify | tee -a "$LOGS/convert.log"

echo "== logs"
if grep -E "0A000|cannot push down|could not run distributed" "$LOGS"/*.log; then
  echo "FAILED: Citus refused a statement (above)" >&2
  exit 1
fi
# One ERROR is a known Vert.x race, not ours (eclipse-vertx/vertx-sql-client#1567): a pool waiter whose
# 10 s acquire timeout fires just as it is handed a connection; it keeps the connection and the
# timer's late failure is logged as unhandled. Counted and shown, not failed on; any other ERROR fails.
if ! python3 - "$LOGS"/instance-*.log <<'PY'
import sys
known, other = 0, []
for path in sys.argv[1:]:
    lines = open(path, errors="replace").read().splitlines()
    for i, line in enumerate(lines):
        if " ERROR " not in line:
            continue
        trace = "\n".join(lines[i + 1:i + 4])
        if "Unhandled exception" in line and "Promise already completed" in trace and "SqlConnectionPool" in trace:
            known += 1
        else:
            other.append(line)
for line in other + [f"{known} known Vert.x pool-timeout race(s) (vertx-sql-client#1567)"] * bool(known):
    print(line)
sys.exit(1 if other else 0)
PY
then
  echo "FAILED: errors in the instances' logs (above)" >&2
  exit 1
fi
echo "no 0A000 and no unexpected ERROR line in $(ls "$LOGS"/*.log | wc -l) logs"

echo "== the nodes' PostgreSQL logs"
read_node_logs=0
for offset in "$LOGS"/*.offset; do
  [ -f "$offset" ] || continue
  node_log="$(dirname "$(echo $CITUS_NODE_LOGS | cut -d' ' -f1)")/$(basename "$offset" .offset)"
  tail -c +"$(( $(cat "$offset") + 1 ))" "$node_log" > "$LOGS/postgres-$(basename "$node_log")"
  read_node_logs=$((read_node_logs + 1))
done
[ "$read_node_logs" -gt 0 ] || { echo "FAILED: no node log found at $CITUS_NODE_LOGS (set CITUS_NODE_LOGS)" >&2; exit 1; }
# Expected: a move stops its replication workers; and the test's own fresh databases (DROP DATABASE …
# WITH (FORCE), then CREATE) end the sessions still open on them, leave a background worker starting on
# a database that is gone, and let the coordinator's deadlock detector reach a worker database before
# CREATE EXTENSION citus ran in it.
if grep -hE " (ERROR|FATAL|PANIC): " "$LOGS"/postgres-*.log | grep -vE "terminating (logical replication worker|connection) due to administrator command|FATAL:  database [0-9]+ does not exist|function dump_local_wait_edges\(\) does not exist"; then
  echo "FAILED: the nodes' logs have errors (above): a duplicate key or a deadlock means two writers met" >&2
  exit 1
fi
echo "no ERROR, FATAL or PANIC in $read_node_logs node logs ($(cat "$LOGS"/postgres-*.log | wc -l) lines)"
echo "citus test: ok"
