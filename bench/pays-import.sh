#!/usr/bin/env bash
# Imports a generated pays database of USERS users with TX_PER_USER transactions each (default
# 100,000 × 10 = 1,000,000) into a fresh Kopeck database and prints the import's time and the
# process's peak memory. Needs a local PostgreSQL (PGHOST/PGUSER) and the runnable jar
# (./mvnw -q -DskipTests package). Both databases are dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-100000}
TX_PER_USER=${TX_PER_USER:-10}
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
export PGHOST PGUSER
SOURCE=pays_bench_$$
TARGET=kopeck_bench_$$
trap 'dropdb --if-exists "$SOURCE"; dropdb --if-exists "$TARGET"' EXIT
createdb "$SOURCE"
createdb "$TARGET"
psql -q -v ON_ERROR_STOP=1 -d "$SOURCE" -f src/test/resources/pays/schema.sql
echo "generating $USERS users × $TX_PER_USER transactions …"
psql -q -v ON_ERROR_STOP=1 -d "$SOURCE" <<SQL
-- Each user: a paid top-up invoice, its top-up of 1000 tokens, then spends of 0.01–9.99 as doubles;
-- one user in a hundred has a stored balance 1.5 off its history (an opening adjustment to bridge).
INSERT INTO users (id, first_name, token_balance, created_at, updated_at)
SELECT 300000000 + g, 'Польз. <' || g || '>', 0, '2026-01-01', '2026-01-01' FROM generate_series(1, $USERS) g;
INSERT INTO invoices (id, inv_id, user_id, tariff_id, amount, original_amount, tokens, subscription_days, status,
                      idempotency_key, paid_at, expires_at, created_at, updated_at)
SELECT gen_random_uuid(), 1000 + g, 300000000 + g, 'a0000000-0000-4000-8000-000000000001', 1000, 200, 1000, 0, 'paid',
       'bench:' || g, NULL, '2026-01-02', '2026-01-01', '2026-01-01 00:00:01'
FROM generate_series(1, $USERS) g;
INSERT INTO transactions (id, user_id, type, tokens_delta, balance_after, description, invoice_id, created_at)
SELECT gen_random_uuid(), i.user_id, 'topup', 1000, 1000, 'Пополнение', i.id, '2026-01-01 00:00:01'
FROM invoices i WHERE i.inv_id > 1000;
INSERT INTO transactions (id, user_id, type, tokens_delta, balance_after, description, metadata, created_at)
SELECT gen_random_uuid(), 300000000 + g, 'spend', -((g * 7 + n * 13) % 999 + 1) / 100.0, 0, 'Анализ CV',
       '{"task_id": "t"}', '2026-01-01'::timestamp + n * interval '1 minute'
FROM generate_series(1, $USERS) g, generate_series(1, $TX_PER_USER - 1) n;
UPDATE users u SET token_balance = s.total + CASE WHEN u.id % 100 = 0 THEN 1.5 ELSE 0 END
FROM (SELECT user_id, sum(tokens_delta) AS total FROM transactions GROUP BY user_id) s WHERE s.user_id = u.id;
ANALYZE;
SQL
psql -At -d "$SOURCE" -c "SELECT (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM transactions) || ' transactions'"
export DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$TARGET" LOG_LEVEL=WARN
java -jar target/kopeck.jar migrate > /dev/null
/usr/bin/time -f "peak RSS %M KiB, wall %e s, CPU %P" \
  java ${JAVA_OPTS:-} -jar target/kopeck.jar import pays --from "postgres://$PGUSER@$PGHOST:5432/$SOURCE" \
  | grep -v '^  ' 
