package io.kopeck.db;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * A PostgreSQL location parsed from {@code postgres://user:password@host:port/db?sslmode=...}.
 * The password is kept out of {@link #toString()} and {@link #redacted()} so it never reaches a log.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, String sslMode) {

  private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  /** Parses a postgres:// or postgresql:// URL; throws IllegalArgumentException with a short reason. */
  public static DatabaseUrl parse(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("postgres") && !scheme.equals("postgresql")) {
      throw new IllegalArgumentException("must start with postgres:// or postgresql://");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("has no host");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty() || database.contains("/")) {
      throw new IllegalArgumentException("must name one database, as in postgres://host:5432/kopeck");
    }
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    return new DatabaseUrl(uri.getHost(), uri.getPort() == -1 ? 5432 : uri.getPort(), database, user, password,
        sslModeOf(uri.getRawQuery()));
  }

  private static String sslModeOf(String rawQuery) {
    String mode = "disable";
    if (rawQuery == null) {
      return mode;
    }
    for (String pair : rawQuery.split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv[0].equals("sslmode")) {
        mode = kv.length > 1 ? decode(kv[1]).toLowerCase(Locale.ROOT) : "";
        if (!SSL_MODES.contains(mode)) {
          throw new IllegalArgumentException("has sslmode '" + mode + "'; use one of " + String.join(", ", SSL_MODES));
        }
      }
    }
    return mode;
  }

  private static String decode(String part) {
    return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  public DatabaseUrl withDatabase(String otherDatabase) {
    return new DatabaseUrl(host, port, otherDatabase, user, password, sslMode);
  }

  public PgConnectOptions toConnectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(host).setPort(port).setDatabase(database).setUser(user).setPassword(password)
        .setSslMode(SslMode.of(sslMode))
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        .addProperty("application_name", "kopeck")
        // Plan every execution for its actual arguments. A cached generic plan made while a table
        // was still empty (a fresh install) would keep sequential-scanning it as it grows into
        // millions of rows; planning our array-driven statements costs well under a millisecond.
        // (The billing batch, where that planning was half of a small batch's cost, switches its
        // key-probe statements to generic plans itself: GroupCommitWriter.)
        .addProperty("plan_cache_mode", "force_custom_plan")
        // On Citus, run a multi-shard statement over the one connection per worker the session keeps,
        // instead of opening up to 16 more per worker and closing them afterwards: every such
        // connection is a new worker backend, and the timers' and the outbox's small cross-shard
        // reads did that many times a second (the workers' CPU went to forking). Harmless elsewhere:
        // without Citus it is an unused placeholder setting.
        .addProperty("citus.max_adaptive_executor_pool_size", "1");
    if (sslMode.equals("require") || sslMode.equals("prefer") || sslMode.equals("allow")) {
      // libpq semantics: these modes encrypt without verifying the server certificate.
      options.setSslOptions(new ClientSSLOptions().setTrustAll(true));
    } else if (sslMode.startsWith("verify")) {
      options.setSslOptions(new ClientSSLOptions().setHostnameVerificationAlgorithm(
          sslMode.equals("verify-full") ? "HTTPS" : ""));
    }
    return options;
  }

  /** JDBC URL for Flyway; the credentials travel separately. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + encode(database) + "?sslmode=" + sslMode;
  }

  /** The full URL, password included: for handing to another process, never for a log. */
  public String connectionUri() {
    String secret = password.isEmpty() ? "" : ":" + encode(password);
    return "postgres://" + encode(user) + secret + "@" + host + ":" + port + "/" + encode(database)
        + "?sslmode=" + sslMode;
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The URL with the password masked, safe to log. */
  public String redacted() {
    String secret = password.isEmpty() ? "" : ":****";
    return "postgres://" + user + secret + "@" + host + ":" + port + "/" + database + "?sslmode=" + sslMode;
  }

  @Override
  public String toString() {
    return redacted();
  }
}
