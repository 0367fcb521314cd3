# Base images are build arguments: the official ones by default; deploy/verify-image.sh builds
# with local Debian images instead (no registry needed). Any JDK 17+ with Maven, and any JRE 17+
# on a Debian/Ubuntu base, will do.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

# --- build stage: Maven + JDK, dependencies cached in their own layer ---
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY migrations migrations
COPY conf conf
RUN mvn -B -q package -DskipTests

# --- runtime stage: JRE only, non-root ---
FROM ${RUNTIME_IMAGE}
RUN (command -v curl > /dev/null || (apt-get update \
      && apt-get install -y --no-install-recommends curl \
      && rm -rf /var/lib/apt/lists/*)) \
 && groupadd --system kopeck \
 && useradd --system --gid kopeck --home-dir /app --shell /usr/sbin/nologin kopeck \
 && mkdir -p /app/data \
 && chown -R kopeck:kopeck /app
WORKDIR /app
COPY --from=build --chown=kopeck:kopeck /src/target/kopeck.jar /app/kopeck.jar
COPY --chown=kopeck:kopeck conf /app/conf
ENV LOG_FORMAT=json \
    HTTP_PORT=8080 \
    EMBEDDED_DB_DIR=/app/data/postgres
USER kopeck
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${HTTP_PORT:-8080}/ready" > /dev/null || exit 1
# exec form: java is PID 1 and receives SIGTERM directly, so the graceful shutdown runs.
# -XX:-TieredCompilation: on the small (2-core) machines Kopeck targets, the JIT's threads took a
# third of the service's CPU for minutes under load with tiered compilation; C2 alone took half as
# much and gave 30 % more charges/s in the first minutes (docs/benchmarks.md). On a large machine,
# the JVM's default may do better.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:-TieredCompilation", \
            "-jar", "/app/kopeck.jar"]
CMD ["serve"]
