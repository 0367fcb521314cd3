#!/usr/bin/env bash
# The whole test suite on the newest supported PostgreSQL (README: 15 to 17). CI (.ci/run) runs it on the
# machine's PostgreSQL, the oldest of the range; this runs it on the embedded PostgreSQL 17 the service
# itself starts without DATABASE_URL (no Docker needed; with a Docker engine, unset DOCKER_HOST to use
# Testcontainers' postgres:17-alpine instead).
set -euo pipefail
cd "$(dirname "$0")/.."
unset TEST_DATABASE_URL
export DOCKER_HOST="${DOCKER_HOST_FOR_TESTS:-unix:///nonexistent/docker.sock}"
exec ./mvnw -B test "$@"
