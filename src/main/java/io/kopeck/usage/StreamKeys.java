package io.kopeck.usage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.CleanText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** How a followed stream names its events (SPEC §17, §18), and how long it waits before reconnecting. */
final class StreamKeys {
  /** A charge key is an event_id: at most {@link TrackCostParser#MAX_EVENT_ID} characters. */
  private static final int MAX_KEY = TrackCostParser.MAX_EVENT_ID;

  private StreamKeys() {
  }

  /**
   * The charge key of a cost event (SPEC §17): {@code run:<run_id>:id:<SSE id>} when the stream has ids;
   * otherwise {@code run:<run_id>:<the event's own event_id, or n>}. An id that would not fit an
   * event_id (128 characters) or is not a clean name is replaced by its SHA-256 (base64url), so a
   * long or odd id is still one key per event and never silently drops the charge.
   */
  static String chargeKey(String runId, String sseId, ObjectNode data, int n) {
    String prefix = "run:" + runId + ":";
    if (sseId != null && !sseId.isEmpty()) {
      String key = prefix + "id:" + sseId;
      return key.length() <= MAX_KEY && CleanText.problemInName(key) == null ? key : prefix + "idh:" + sha256(sseId);
    }
    String own = data.path("event_id").isTextual() || data.path("event_id").isIntegralNumber()
        ? data.path("event_id").asText() : Integer.toString(n);
    String key = prefix + own;
    return key.length() <= MAX_KEY && CleanText.problemInName(key) == null ? key : prefix + "h:" + sha256(own);
  }

  /** A bot-started run's event name: {@code id:<SSE id>} (hashed when long or odd), else {@code n:<position>}. */
  static String eventKey(String sseId, int position) {
    if (sseId == null || sseId.isEmpty()) {
      return "n:" + position;
    }
    String key = "id:" + sseId;
    return key.length() <= 100 && CleanText.problemInName(key) == null ? key : "idh:" + sha256(sseId);
  }

  private static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** Between half and all of {@code delayMs}: instances reconnecting after one outage do not all come back at once. */
  static long withJitter(long delayMs) {
    long half = Math.max(1, delayMs / 2);
    return half + ThreadLocalRandom.current().nextLong(half + 1);
  }
}
