package io.kopeck.testsupport;

/** The keys and secrets test services run with (each at least 16 characters, as start-up demands). */
public final class TestKeys {
  public static final String RUNNER = "runner-key-0123456789";
  public static final String ADMIN = "admin-key-0123456789";
  public static final String WEBHOOK_SECRET = "hook-s3cret-0123456789";

  private TestKeys() {
  }
}
