package io.kopeck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which batch failures are the batch's own content (isolate the culprit) and which are the database's moment (retry). */
class BatchFailuresTest {

  private static PgException pg(String sqlState) {
    return new PgException("from PostgreSQL", "ERROR", sqlState, null);
  }

  @Test
  @DisplayName("data, constraint and limit errors are content; a unique key taken meanwhile is not")
  void content() {
    assertThat(BatchFailures.causedByContent(pg("22021"))).as("invalid byte sequence (U+0000)").isTrue();
    assertThat(BatchFailures.causedByContent(pg("22003"))).as("numeric overflow").isTrue();
    assertThat(BatchFailures.causedByContent(pg("23514"))).as("check constraint").isTrue();
    assertThat(BatchFailures.causedByContent(pg("54000"))).as("program limit").isTrue();
    assertThat(BatchFailures.causedByContent(pg("23505"))).as("unique violation: retried, read as duplicate")
        .isFalse();
  }

  @Test
  @DisplayName("lost connections, serialization failures, deadlocks, shutdowns and timeouts are transient")
  void transientFailures() {
    for (String state : new String[] {"08006", "40001", "40P01", "57P01", "57014", "53300"}) {
      assertThat(BatchFailures.causedByContent(pg(state))).as(state).isFalse();
    }
    assertThat(BatchFailures.causedByContent(new VertxException("Connection closed", true))).isFalse();
  }

  @Test
  @DisplayName("anything else is content too: a trigger's error, and an exception thrown while the batch is built")
  void anyOtherFailure() {
    assertThat(BatchFailures.causedByContent(pg("P0001"))).as("raise_exception in a trigger").isTrue();
    assertThat(BatchFailures.causedByContent(pg("42804"))).as("datatype mismatch").isTrue();
    assertThat(BatchFailures.causedByContent(new ArithmeticException("Overflow"))).isTrue();
    assertThat(BatchFailures.causedByContent(new OutOfMemoryError("Java heap space"))).isTrue();
    assertThat(BatchFailures.causedByContent(new IllegalArgumentException("bad value"))).isTrue();
  }

  @Test
  @DisplayName("connections refused, pool timeouts, a shard moving and internal errors stay transient")
  void databaseMoments() {
    assertThat(BatchFailures.causedByContent(new java.net.ConnectException("Connection refused"))).isFalse();
    assertThat(BatchFailures.causedByContent(new io.vertx.core.impl.NoStackTraceTimeoutException("pool"))).isFalse();
    assertThat(BatchFailures.causedByContent(io.vertx.sqlclient.ClosedConnectionException.INSTANCE)).isFalse();
    for (String state : new String[] {"42P01", "XX000", "55P03", "58000", "25P02"}) {
      assertThat(BatchFailures.causedByContent(pg(state))).as(state).isFalse();
    }
  }

  @Test
  @DisplayName("the PostgreSQL error is found when wrapped")
  void wrapped() {
    assertThat(BatchFailures.causedByContent(new CompletionException(pg("22P02")))).isTrue();
  }
}
