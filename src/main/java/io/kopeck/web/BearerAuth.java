package io.kopeck.web;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * {@code Authorization: Bearer <key>} against a set of configured keys. Keys are compared as
 * SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken says nothing about how
 * much of a key matched, or about its length. With no keys configured, nobody gets in.
 */
public final class BearerAuth {
  private final List<byte[]> digests;

  public BearerAuth(List<String> keys) {
    this.digests = keys.stream().filter(k -> !k.isEmpty()).map(BearerAuth::digest).toList();
  }

  /** The matching key's index (a stable, non-secret label for rate limits), or empty. */
  public Optional<Integer> authenticate(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] presented = digest(authorizationHeader.substring(7).trim());
    Integer match = null;
    for (int i = 0; i < digests.size(); i++) {
      if (MessageDigest.isEqual(digests.get(i), presented) && match == null) {
        match = i;
      }
    }
    return Optional.ofNullable(match);
  }

  /** A route handler that lets authenticated requests through and fails the rest with 401. */
  public void handle(RoutingContext ctx) {
    Optional<Integer> key = authenticate(ctx.request().getHeader("Authorization"));
    if (key.isEmpty()) {
      ctx.fail(ApiException.unauthorized());
      return;
    }
    ctx.put("auth.key", key.get());
    ctx.next();
  }

  /** One digest per thread: looking the algorithm up on every request showed in the profile. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  });

  private static byte[] digest(String key) {
    return SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8));
  }
}
