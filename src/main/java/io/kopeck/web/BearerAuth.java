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
 * {@link #tolerant} also takes the key as the whole {@code Authorization} value or in
 * {@code X-API-Key}, as existing Runner clients send it (SPEC §14).
 */
public final class BearerAuth {
  private final List<byte[]> digests;
  private final boolean tolerant;

  public BearerAuth(List<String> keys) {
    this(keys, false);
  }

  private BearerAuth(List<String> keys, boolean tolerant) {
    this.digests = keys.stream().filter(k -> !k.isEmpty()).map(BearerAuth::digest).toList();
    this.tolerant = tolerant;
  }

  /** Bearer, a bare {@code Authorization: <key>}, or {@code X-API-Key: <key>}. */
  public static BearerAuth tolerant(List<String> keys) {
    return new BearerAuth(keys, true);
  }

  /** The matching key's index (a stable, non-secret label for rate limits), or empty. */
  public Optional<Integer> authenticate(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return match(authorizationHeader.substring(7).trim());
  }

  /** The key a request presents: Bearer always; with {@link #tolerant}, the other two forms too. */
  private Optional<Integer> authenticate(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    if (!tolerant || (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7))) {
      return authenticate(authorization);
    }
    String key = authorization != null ? authorization.trim() : ctx.request().getHeader("X-API-Key");
    return key == null || key.isEmpty() ? Optional.empty() : match(key.trim());
  }

  private Optional<Integer> match(String key) {
    byte[] presented = digest(key);
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
    Optional<Integer> key = authenticate(ctx);
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
