package io.kopeck.payment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.common.Cidr;
import io.kopeck.testsupport.FakeYooKassa;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** YOOKASSA_ALLOWED_IPS: a notification from elsewhere is refused before its body is read. */
class YooKassaAllowListTest {
  private static final FakeYooKassa yooKassa = new FakeYooKassa();
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(settings());

  static Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>(yooKassa.settings());
    settings.put("PAYMENT_PROVIDERS", "yookassa");
    settings.put("YOOKASSA_ALLOWED_IPS", "185.71.76.0/27, 77.75.156.11, 2a02:5180::/32");
    return settings;
  }

  @AfterAll
  static void stop() {
    yooKassa.close();
  }

  @Test
  @DisplayName("a notification from an address outside the list: 403, nothing read or written")
  void outsider() {
    long audit = Ledgers.count(service.pool(), "SELECT count(*) FROM audit_log");
    Http.Response answer = service.http().post("/payments/yookassa/notify", null, "application/json",
        "{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"x\"}}");
    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.json().getString("error")).isEqualTo("forbidden_source");
    assertThat(Ledgers.count(service.pool(), "SELECT count(*) FROM audit_log")).isEqualTo(audit);
  }

  private static int notify(Http http, String forwardedFor) {
    return Http.await(http.sendWithHeader("/payments/yookassa/notify", "X-Forwarded-For", forwardedFor,
        "{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"unknown\"}}")).status();
  }

  @Test
  @DisplayName("SPEC §17: X-Forwarded-For is believed only from TRUSTED_PROXIES, read from the right: the allow-list "
      + "sees the client the proxy names, never an address the client wrote further left")
  void behindTrustedProxy() {
    assertThat(notify(service.http(), "185.71.76.5")).as("no trusted proxy: the header is ignored").isEqualTo(403);
    Map<String, String> proxied = new HashMap<>(settings());
    proxied.put("TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8");
    io.kopeck.app.Application app = io.kopeck.testsupport.TestApp.start(service.db(), proxied);
    try (Http http = new Http(app.httpPort())) {
      assertThat(notify(http, "185.71.76.5")).as("allowed client via the proxy").isEqualTo(404);
      assertThat(notify(http, "185.71.76.5, 10.1.2.3")).as("through two trusted proxies").isEqualTo(404);
      assertThat(notify(http, "185.71.76.5, 9.9.9.9")).as("a forged left entry").isEqualTo(403);
      assertThat(notify(http, "9.9.9.9")).isEqualTo(403);
    } finally {
      app.stop();
    }
  }

  @Test
  @DisplayName("CIDR matching: IPv4 and IPv6 networks, single addresses, nothing else")
  void cidr() {
    var list = Cidr.parseList("185.71.76.0/27, 77.75.156.11, 2a02:5180::/32");
    assertThat(list.stream().anyMatch(c -> c.contains("185.71.76.31"))).isTrue();
    assertThat(list.stream().anyMatch(c -> c.contains("185.71.76.32"))).isFalse();
    assertThat(list.stream().anyMatch(c -> c.contains("77.75.156.11"))).isTrue();
    assertThat(list.stream().anyMatch(c -> c.contains("77.75.156.12"))).isFalse();
    assertThat(list.stream().anyMatch(c -> c.contains("2a02:5180:0:1::5"))).isTrue();
    assertThat(list.stream().anyMatch(c -> c.contains("2a03::1"))).isFalse();
    assertThat(list.stream().anyMatch(c -> c.contains("localhost"))).isFalse();
    for (String bad : new String[] {"example.com", "10.0.0.0/33", "1.2.3.4/x", "::1/129"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cidr.parse(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
