# Base images are build arguments: the official ones by default; deploy/verify-image.sh builds
# with local Debian images instead (no registry needed). Any JDK 17+ (the build brings its own Maven
# through ./mvnw), and any JRE 17+ on a Debian/Ubuntu base, will do.
ARG BUILD_IMAGE=eclipse-temurin:17-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

# --- build stage -------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
LABEL kopeck.stage=build
WORKDIR /src
# The wrapper and the pom alone first: Maven itself, every dependency and every plugin the package
# build runs (with their own dependencies) are fetched in this layer, by packaging an empty project.
# A code change does not touch it, so a rebuild needs no network (the next RUN is offline: -o).
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline \
 && mkdir -p src/main/java \
 && ./mvnw -B -q package dependency:copy-dependencies -DskipTests -DincludeScope=runtime \
 && rm -rf src target
COPY src src
COPY migrations migrations
COPY conf conf
# The image's platform (set by buildx; amd64 otherwise): its embedded PostgreSQL binaries only.
ARG TARGETARCH=amd64
RUN ./mvnw -B -q -o package dependency:copy-dependencies -DskipTests -DincludeScope=runtime \
      -DoutputDirectory=target/lib \
 && case "$TARGETARCH" in arm64) keep=linux-arm64v8 ;; *) keep=linux-amd64 ;; esac \
 && find target/lib -name 'embedded-postgres-binaries-*.jar' ! -name "embedded-postgres-binaries-$keep-[0-9]*" \
      -print -delete \
 && mv target/original-kopeck.jar target/kopeck-app.jar

# --- runtime stage: JRE only, non-root, code read-only ------------------------------------------
FROM ${RUNTIME_IMAGE}
LABEL kopeck.stage=runtime
RUN (command -v curl > /dev/null || (apt-get update \
      && apt-get install -y --no-install-recommends curl \
      && rm -rf /var/lib/apt/lists/*)) \
 && groupadd --system kopeck \
 && useradd --system --gid kopeck --home-dir /app --shell /usr/sbin/nologin kopeck \
 && mkdir -p /app/data \
 && chown kopeck:kopeck /app/data
WORKDIR /app
# Layers from the least to the most often changed: the dependencies (tens of MB, rebuilt only when the
# pom changes), the default configuration, then Kopeck's own classes (a few MB: what a code change
# ships). All owned by root: the runtime user reads the code and cannot change it.
COPY --from=build /src/target/lib /app/lib
COPY conf /app/conf
COPY --from=build /src/target/kopeck-app.jar /app/kopeck.jar
# SHUTDOWN_TIMEOUT_SECONDS=8: the drain fits `docker stop`'s default 10 s grace; give a longer one with
# `docker run --stop-timeout` (compose: stop_grace_period) when raising it.
ENV LOG_FORMAT=json \
    HTTP_PORT=8080 \
    EMBEDDED_DB_DIR=/app/data/postgres \
    SHUTDOWN_TIMEOUT_SECONDS=8
USER kopeck
EXPOSE 8080
# Probed every 3 s, so Docker calls it healthy within 3 s of /ready (which answers 2–6 s after start).
HEALTHCHECK --interval=3s --timeout=2s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${HTTP_PORT:-8080}/ready" > /dev/null || exit 1
# exec form: java is PID 1 and receives SIGTERM directly, so the graceful shutdown runs.
# -XX:-TieredCompilation: on the small (2-core) machines Kopeck targets, the JIT's threads took a
# third of the service's CPU for minutes under load with tiered compilation; C2 alone took half as
# much and gave 30 % more charges/s in the first minutes (docs/benchmarks.md). On a large machine,
# the JVM's default may do better.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:-TieredCompilation", \
            "-cp", "/app/kopeck.jar:/app/lib/*", "io.kopeck.Main"]
CMD ["serve"]
