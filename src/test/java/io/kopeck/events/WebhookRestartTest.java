package io.kopeck.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeReceiver;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestDatabase;
import io.kopeck.testsupport.TestKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The event outbox survives its process (SPEC §21): an effect committed while the receiver cannot be
 * reached, the process stopped before any delivery succeeded, a new process on the same database
 * delivers the event — once, with the id it was given when the effect happened.
 */
class WebhookRestartTest {
  @Test
  @DisplayName("A restart between the effect and its delivery loses no event")
  void restartLosesNoEvent() throws IOException {
    int port = freePort();
    String url = "http://127.0.0.1:" + port + "/kopeck-events";
    Map<String, String> settings = Map.of("WEBHOOK_URL", url, "WEBHOOK_SIGNING_SECRET", WebhooksTest.SIGNING_SECRET,
        "RUNNER_API_KEYS", TestKeys.RUNNER, "ADMIN_API_KEY", TestKeys.ADMIN, "PAYMENT_PROVIDERS", "mock");
    try (TestDatabase db = TestDatabase.createEmpty()) {
      long user = 820_000_001L;
      String eventId;
      Application first = TestApp.start(db, settings);
      try (Http http = new Http(first.httpPort())) {
        Ledgers.seedUser(first.pool(), user, "0");
        Http.Response link = http.postJson("/api/v1/users/" + user + "/payment-links", TestKeys.RUNNER,
            "{\"amount\": \"300\"}");
        assertThat(link.status()).as(link.body()).isEqualTo(201);
        MockPaymentForms.pay(http, link.json().getString("url"));
        // Tried once (nothing listens), not delivered: then the process goes away.
        Eventually.equals(() -> Ledgers.count(first.pool(),
            "SELECT count(*) FROM webhook_events WHERE type = 'payment.succeeded' AND attempts >= 1"), 1, 20);
        eventId = Http.await(first.pool().query("SELECT id FROM webhook_events WHERE type = 'payment.succeeded'")
            .execute()).iterator().next().getString("id");
      } finally {
        first.stop();
      }
      try (FakeReceiver receiver = new FakeReceiver(WebhooksTest.SIGNING_SECRET, port)) {
        // The first try's backoff (1 min) is still running: a clock a few minutes on makes it due now.
        Application second = TestApp.start(db, settings, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5)));
        try {
          Eventually.equals(() -> receiver.of("payment.succeeded").size(), 1, 20);
          assertThat(receiver.of("payment.succeeded").get(0).eventId()).isEqualTo(eventId);
          assertThat(receiver.of("payment.succeeded").get(0).signatureValid()).isTrue();
          Ledgers.assertConsistent(second.services().verifier());
        } finally {
          second.stop();
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
