# Shared helpers of the benchmark scripts (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
PORT="${PORT:-18080}"
KEY="bench-key-0123456789"
USERS="${USERS:-10000}"
FIRST_USER=1000000
RESULTS="$ROOT/bench/results"
mkdir -p "$RESULTS"

# KOPECK_JAR: benchmark another build of the service (e.g. the previous commit's, for a before/after);
# by default the tree's own, built first.
KOPECK_JAR="${KOPECK_JAR:-}"
build() {
  [ -n "$KOPECK_JAR" ] || (cd "$ROOT" && mvn -q -B package -DskipTests)
  (cd "$ROOT/bench" && mvn -q -B package)
}

service_jar() {
  echo "${KOPECK_JAR:-$ROOT/target/kopeck.jar}"
}

fresh_db() { # name
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
}

# The service's JVM flags as the Docker image starts it (Dockerfile ENTRYPOINT), heap fixed for
# repeatable runs. SERVICE_JVM_FLAGS="" (empty) measures the JVM's own default (tiered compilation).
SERVICE_JVM_FLAGS="${SERVICE_JVM_FLAGS--XX:-TieredCompilation}"
SERVICE_PID=""
start_service() { # db [extra env assignments...]
  local db="$1"; shift
  local flags
  read -r -a flags <<< "$SERVICE_JVM_FLAGS"
  # Every load connection comes from 127.0.0.1: the per-address cap (256 by default) would close the
  # generator's 257th connection.
  env DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$db" HTTP_PORT="$PORT" RUNNER_API_KEYS="$KEY" \
      LOG_LEVEL=WARN DB_POOL_SIZE="${DB_POOL_SIZE:-16}" HTTP_MAX_CONNECTIONS_PER_IP=100000 "$@" \
      java -Xms512m -Xmx1g "${flags[@]}" -jar "$(service_jar)" serve >> "$RESULTS/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/ready" > /dev/null && return 0
    sleep 0.5
  done
  echo "service did not become ready; see $RESULTS/service.log" >&2
  return 1
}

stop_service() {
  if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2> /dev/null; then
    kill -TERM "$SERVICE_PID"
    wait "$SERVICE_PID" || true
  fi
  SERVICE_PID=""
}

# Low-balance tiers armed, as a paid top-up leaves them (else the first timer run re-arms all N at once).
seed_users() { # db — N users with 1,000,000 tokens each, credited through a ledger row
  psql -q -d "$1" -v ON_ERROR_STOP=1 <<SQL
INSERT INTO users (id, token_balance, balance_seq, low_balance_tier)
  SELECT g, 1000000, 1, NULL FROM generate_series($FIRST_USER, $FIRST_USER + $USERS - 1) g;
INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, idempotency_key, description)
  SELECT g, 1, 'topup', 1000000, 1000000, 'bench-seed', 'benchmark seed'
  FROM generate_series($FIRST_USER, $FIRST_USER + $USERS - 1) g;
ANALYZE;
SQL
}

load() { # mode args... (with the service's pid, CPU per event of it and of PostgreSQL is measured)
  java -Xmx512m -jar "$ROOT/bench/target/kopeck-bench.jar" "$@" --port "$PORT" --key "$KEY" \
      --first-user "$FIRST_USER" --users "$USERS" --service-pid "${SERVICE_PID:-0}" --clk-tck "$(getconf CLK_TCK)"
}

ledger_verify() { # db — and how long the whole-ledger check took
  local started=$SECONDS
  DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$1" LOG_LEVEL=WARN java -jar "$(service_jar)" ledger verify
  echo "ledger verify took $((SECONDS - started)) s"
}

field() { # json name
  python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}

sql_value() { # db sql
  psql -qtA -d "$1" -c "$2"
}
