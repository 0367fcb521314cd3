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
  @DisplayName("the PostgreSQL error is found when wrapped")
  void wrapped() {
    assertThat(BatchFailures.causedByContent(new CompletionException(pg("22P02")))).isTrue();
  }
}
