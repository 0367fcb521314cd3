#!/usr/bin/env bash
# Builds the Docker image without any image registry and proves it runs (SPEC §11, "the image is
# real"): base images are made locally with debootstrap + docker import, the image is built with
# --network host (the build stage reaches Maven Central), then run twice with --network host:
#   1. against the local PostgreSQL (DATABASE_URL), with an NDJSON stream in flight at SIGTERM;
#   2. with its embedded PostgreSQL.
# Checks: healthy by its own HEALTHCHECK, JSON log lines, non-root, the code read-only to it, SIGTERM
# drains the stream and exits 0 within SHUTDOWN_TIMEOUT_SECONDS, the ledger verifies clean afterwards.
# Then a code change is rebuilt with no network at all (--network none: Maven, the dependencies and the
# plugins come from the build cache), and the report gives the image's size and the size of the layer
# such a change rebuilds and ships.
#
# Needs: docker (started here with `dockerd &` if it is not running; apt-get install docker.io),
# debootstrap, psql, curl, jq, a PostgreSQL on 127.0.0.1:5432 that lets user postgres in; run as root
# (debootstrap and chroot). Sends traffic to 127.0.0.1 only.
# Usage: deploy/verify-image.sh   (PORT, PG_URL, SUITE, MIRROR may be set)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18080}
PG_ADMIN_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
BUILD_BASE=kopeck-base/build-jdk:$SUITE
RUNTIME_BASE=kopeck-base/runtime:$SUITE
IMAGE=kopeck:verify
BUILD_CACHE=kopeck:build-cache
DB=kopeck_verify_image
SHUTDOWN_TIMEOUT=20
RUNNER_KEY=verify-image-runner-key-0001
WORK=$(mktemp -d)
started_dockerd=""
containers=()

say() { printf '[verify-image] %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" > /dev/null 2>&1 || true; done
  # Images this run replaced, once no container of the run uses them.
  docker image prune -f --filter label=kopeck.stage > /dev/null 2>&1 || true
  if [ -n "$started_dockerd" ]; then kill "$started_dockerd" 2> /dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

ensure_docker() {
  if docker info > /dev/null 2>&1; then return; fi
  command -v dockerd > /dev/null || fail "no Docker engine (apt-get install docker.io)"
  say "starting dockerd"
  dockerd > "$WORK/dockerd.log" 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 60); do docker info > /dev/null 2>&1 && return; sleep 1; done
  fail "dockerd did not answer within 60 s"
}

# A minimal Debian with the given packages, imported as an image (no registry involved).
make_base() {
  local tag=$1 packages=$2
  if docker image inspect "$tag" > /dev/null 2>&1; then say "base image $tag present"; return; fi
  command -v debootstrap > /dev/null || fail "debootstrap is missing (apt-get install debootstrap)"
  say "debootstrap $SUITE with $packages → $tag"
  local root="$WORK/root-${tag//[:\/]/-}"
  # TMPDIR and other variables of this shell must not leak into the chroot (a TMPDIR that does not exist
  # there breaks update-ca-certificates).
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin debootstrap --variant=minbase --include="$packages" "$SUITE" "$root" \
    "$MIRROR" > "$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
  # Certificate authorities this machine trusts beyond Debian's (a TLS-inspecting proxy, say) are
  # trusted in the image too, so its build stage reaches Maven Central the way this machine does.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$root" update-ca-certificates > "$WORK/ca.log" 2>&1 \
      || { cat "$WORK/ca.log"; fail "update-ca-certificates in $tag"; }
  fi
  if [ -f /etc/ssl/certs/java/cacerts ] && [ -d "$root/etc/ssl/certs/java" ]; then
    cp /etc/ssl/certs/java/cacerts "$root/etc/ssl/certs/java/cacerts"
  fi
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$tag" > /dev/null
  rm -rf "$root"
}

# The build stage is kept under a tag ($BUILD_CACHE), so its layers are the cache of the next build and not
# a dangling image; the one it replaces is removed. $1: the network of the build's RUN steps.
build_image() {
  local network=$1 context=${2:-.} t0=$SECONDS
  say "docker build --network $network (base images $BUILD_BASE, $RUNTIME_BASE)"
  for target in build final; do
    local args=(--network "$network" --build-arg BUILD_IMAGE="$BUILD_BASE" --build-arg RUNTIME_IMAGE="$RUNTIME_BASE")
    if [ "$target" = build ]; then args+=(--target build -t "$BUILD_CACHE"); else args+=(-t "$IMAGE"); fi
    DOCKER_BUILDKIT=0 docker build "${args[@]}" "$context" > "$WORK/build-$target.log" 2>&1 \
      || { tail -40 "$WORK/build-$target.log"; fail "docker build ($target, network $network)"; }
  done
  # The build stage and image this build replaced (both labelled), now untagged.
  docker image prune -f --filter label=kopeck.stage > /dev/null
  say "built $IMAGE in $((SECONDS - t0)) s: image $(mb "$(docker image inspect -f '{{.Size}}' "$IMAGE")"), the" \
    "application layer $(mb "$(app_layer_bytes)")"
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# The size of the layer holding Kopeck's own classes: what a code change rebuilds and ships.
app_layer_bytes() {
  docker history --no-trunc --human=false --format '{{.CreatedBy}}\t{{.Size}}' "$IMAGE" | grep ' in /app/kopeck.jar' \
    | head -1 | awk -F'\t' '{ print $2 }'
}

# Every filesystem layer of the image but the last (Kopeck's own classes).
layers_below_app() {
  docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$IMAGE" | grep . | sed '$d'
}

# A code change, rebuilt with no network: only the last build-stage steps and the application layer change.
rebuild_offline() {
  local below app
  below=$(layers_below_app)
  # The change is made in a copy of the sources (the working tree is left alone).
  mkdir -p "$WORK/context"
  tar -C . --exclude=./target --exclude=./data --exclude=./.git -c . | tar -C "$WORK/context" -x
  echo "// a code change $(date +%s%N)" >> "$WORK/context/src/main/java/io/kopeck/Main.java"
  build_image none "$WORK/context"
  [ "$(layers_below_app)" = "$below" ] || fail "a code change rebuilt more than the application layer"
  app=$(app_layer_bytes)
  say "offline rebuild after a code change: every layer below the application's reused; it ships $(mb "$app")"
  [ "$app" -lt 10000000 ] || fail "the application layer is $(mb "$app"), not a few MB"
}

check_read_only_code() {
  local c=$1
  if docker exec "$c" sh -c 'touch /app/kopeck.jar || touch /app/lib/x' 2> /dev/null; then
    fail "the runtime user can change the code"
  fi
  say "code: read-only to the runtime user; /app/data writable"
}

# Seconds until /ready answers 200 and until Docker reports the container healthy (by the image's own
# HEALTHCHECK): "<ready> <healthy>".
wait_healthy() {
  local c=$1 t0 status ready=""
  t0=$(date +%s.%N)
  while awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { exit !(a - b < 180) }'; do
    if [ -z "$ready" ] && curl -fsS "http://127.0.0.1:$PORT/ready" > /dev/null 2>&1; then
      ready=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
    fi
    status=$(docker inspect -f '{{.State.Health.Status}}' "$c" 2> /dev/null || echo gone)
    case "$status" in
      healthy) echo "${ready:-?} $(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')"; return 0 ;;
      unhealthy|gone) docker logs "$c" 2>&1 | tail -20; fail "container $c is $status" ;;
    esac
    [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || { docker logs "$c" 2>&1 | tail -20; fail "$c exited"; }
    sleep 0.2
  done
  fail "$c not healthy after 180 s"
}

check_json_logs() {
  local c=$1 lines bad
  lines=$(docker logs "$c" 2>&1 | wc -l)
  bad=$(docker logs "$c" 2>&1 | while IFS= read -r line; do jq -e 'has("level") and has("message")' <<< "$line" > /dev/null 2>&1 || echo x; done | wc -l)
  [ "$lines" -gt 0 ] && [ "$bad" -eq 0 ] || { docker logs "$c" 2>&1 | head -5; fail "$bad of $lines log lines are not JSON"; }
  say "logs: $lines lines, all JSON objects with level and message"
}

check_non_root() {
  local c=$1 uid
  uid=$(docker exec "$c" id -u)
  [ "$uid" != 0 ] || fail "the container runs as root"
  say "process user: uid $uid ($(docker exec "$c" id -un))"
}

# SIGTERM while a long NDJSON stream is being charged: the container must answer what it took,
# exit 0 within SHUTDOWN_TIMEOUT_SECONDS, and every answered charge must be committed.
sigterm_during_stream() {
  local c=$1 t0 code elapsed answered rows
  for i in $(seq 1 200000); do
    printf '{"event_id":"img-%d","user_id":%d,"total_cost":"0.01","currency":"RUB"}\n' "$i" $((900001 + i % 20))
  done > "$WORK/events.ndjson"
  curl -sS -N --max-time 120 -H "Authorization: Bearer $RUNNER_KEY" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$WORK/events.ndjson" "http://127.0.0.1:$PORT/api/v1/track-costs" > "$WORK/answers.ndjson" 2> /dev/null &
  local client=$!
  sleep 2
  t0=$(date +%s.%N)
  docker kill --signal TERM "$c" > /dev/null
  docker wait "$c" > "$WORK/exit-code"
  elapsed=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
  wait "$client" || true
  code=$(cat "$WORK/exit-code")
  answered=$(grep -c '"status":"charged"' "$WORK/answers.ndjson" || true)
  rows=$(psql -qtA "$DB_URL" -c "SELECT count(*) FROM usage_charges WHERE event_id LIKE 'img-%'")
  say "SIGTERM with a stream in flight: exit code $code after ${elapsed} s; $answered charges answered, $rows committed"
  [ "$code" = 0 ] || fail "exit code $code"
  awk -v e="$elapsed" -v t="$SHUTDOWN_TIMEOUT" 'BEGIN { exit !(e < t) }' || fail "shutdown took ${elapsed} s"
  [ "$answered" -gt 0 ] && [ "$rows" -ge "$answered" ] || fail "answered charges missing from the database"
}

run_with_local_postgres() {
  psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" > /dev/null
  DB_URL="postgres://postgres@127.0.0.1:5432/$DB"
  local c=kopeck-verify-pg t ready
  containers+=("$c")
  docker run -d --name "$c" --network host -e DATABASE_URL="$DB_URL" -e HTTP_PORT="$PORT" \
    -e RUNNER_API_KEYS="$RUNNER_KEY" -e SHUTDOWN_TIMEOUT_SECONDS="$SHUTDOWN_TIMEOUT" "$IMAGE" > /dev/null
  read -r ready t <<< "$(wait_healthy "$c")"
  say "local PostgreSQL: /ready after $ready s, healthy (Docker) after $t s"
  check_non_root "$c"
  check_read_only_code "$c"
  psql -q "$DB_URL" -c "INSERT INTO users (id, first_name, token_balance, balance_seq)
    SELECT g, 'img', 0, 0 FROM generate_series(900001, 900020) g" > /dev/null
  sigterm_during_stream "$c"
  check_json_logs "$c"
  docker run --rm --network host -e DATABASE_URL="$DB_URL" "$IMAGE" ledger verify > "$WORK/verify.log" 2>&1 \
    || { cat "$WORK/verify.log"; fail "ledger verify"; }
  say "ledger verify: clean"
}

run_with_embedded_postgres() {
  local c=kopeck-verify-embedded t ready
  containers+=("$c")
  docker run -d --name "$c" --network host -e HTTP_PORT="$PORT" "$IMAGE" > /dev/null
  read -r ready t <<< "$(wait_healthy "$c")"
  say "embedded PostgreSQL: /ready after $ready s, healthy (Docker) after $t s"
  check_non_root "$c"
  local t0=$SECONDS
  # Docker's default grace (10 s): the image's drain (SHUTDOWN_TIMEOUT_SECONDS=8) fits in it.
  docker stop "$c" > /dev/null
  say "embedded PostgreSQL: stopped by a plain docker stop in $((SECONDS - t0)) s, exit code $(docker inspect -f '{{.State.ExitCode}}' "$c")"
  [ "$(docker inspect -f '{{.State.ExitCode}}' "$c")" = 0 ] || { docker logs "$c" 2>&1 | tail; fail "non-zero exit"; }
  check_json_logs "$c"
}

ensure_docker
make_base "$BUILD_BASE" "openjdk-17-jdk-headless,curl,unzip,ca-certificates"
make_base "$RUNTIME_BASE" "openjdk-17-jre-headless,curl,ca-certificates"
build_image host
run_with_local_postgres
run_with_embedded_postgres
rebuild_offline
say "all checks passed"
