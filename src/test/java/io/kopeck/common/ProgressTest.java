package io.kopeck.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  @DisplayName("A line every 3 s with done/total, rate and what is left; a closing line; nothing for a short job")
  void lines() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong now = new AtomicLong();
    Progress progress = new Progress("users", 100_000, new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get);
    now.set(SECOND);
    progress.advance(500);
    now.set(4 * SECOND);
    progress.advance(19_500);
    now.set(5 * SECOND);
    progress.advance(5_000);
    now.set(20 * SECOND);
    progress.advance(75_000);
    progress.finish();
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
        "users: 20,000 / 100,000 (20%), 5,000/s, about 16 s left",
        "users: 100,000 / 100,000 (100%), 5,000/s",
        "users: 100,000 / 100,000 (100%), 5,000/s, done in 20.0 s");

    ByteArrayOutputStream quiet = new ByteArrayOutputStream();
    Progress quick = new Progress("users", 10, new PrintStream(quiet, true, StandardCharsets.UTF_8), () -> SECOND);
    quick.advance(10);
    quick.finish();
    assertThat(quiet.size()).isZero();
  }
}
