package io.kopeck.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseUrlTest {

  @Test
  @DisplayName("a full postgres:// URL yields host, port, database, credentials and sslmode")
  void fullUrl() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://kopeck:s3cr%40t@db.internal:6543/billing?sslmode=verify-full");

    assertThat(url).extracting(DatabaseUrl::host, DatabaseUrl::port, DatabaseUrl::database, DatabaseUrl::user,
        DatabaseUrl::password, DatabaseUrl::sslMode)
        .containsExactly("db.internal", 6543, "billing", "kopeck", "s3cr@t", "verify-full");
  }

  @Test
  @DisplayName("postgresql:// works too; port defaults to 5432, user to postgres, sslmode to disable")
  void defaults() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://localhost/kopeck");

    assertThat(url).extracting(DatabaseUrl::port, DatabaseUrl::user, DatabaseUrl::password, DatabaseUrl::sslMode)
        .containsExactly(5432, "postgres", "", "disable");
  }

  @Test
  @DisplayName("the connect options carry everything, and require means TLS without verification as in libpq")
  void connectOptions() {
    PgConnectOptions options = DatabaseUrl.parse("postgres://u:p@h:1/d?sslmode=require").toConnectOptions();

    assertThat(options.getHost()).isEqualTo("h");
    assertThat(options.getPort()).isEqualTo(1);
    assertThat(options.getDatabase()).isEqualTo("d");
    assertThat(options.getUser()).isEqualTo("u");
    assertThat(options.getPassword()).isEqualTo("p");
    assertThat(options.getSslMode()).isEqualTo(SslMode.REQUIRE);
    assertThat(options.getSslOptions().isTrustAll()).isTrue();
  }

  @Test
  @DisplayName("redacted(), toString() and the JDBC URL never contain the password")
  void passwordNeverPrinted() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://u:topsecret@h:5432/d");

    assertThat(url.redacted()).isEqualTo("postgres://u:****@h:5432/d?sslmode=disable");
    assertThat(url.toString()).doesNotContain("topsecret");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d?sslmode=disable");
  }

  @Test
  @DisplayName("connectionUri() round-trips through parse(), special characters included")
  void roundTrip() {
    DatabaseUrl url = new DatabaseUrl("h", 5433, "d", "us er", "p@ss:w/rd+", "prefer");

    assertThat(DatabaseUrl.parse(url.connectionUri())).isEqualTo(url);
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("malformed URLs are refused with a reason")
  @CsvSource(delimiter = '|', value = {
      "mysql://h/d|must start with postgres:// or postgresql://",
      "postgres:///d|has no host",
      "postgres://h|must name one database, as in postgres://host:5432/kopeck",
      "postgres://h/a/b|must name one database, as in postgres://host:5432/kopeck",
      "postgres://h/d?sslmode=sometimes|has sslmode 'sometimes'",
      "postgres://h d/x|is not a valid URL"})
  void malformed(String text, String reason) {
    assertThatThrownBy(() -> DatabaseUrl.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(reason);
  }
}
