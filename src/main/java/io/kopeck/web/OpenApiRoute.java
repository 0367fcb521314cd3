package io.kopeck.web;

import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/openapi.json}: the OpenAPI 3.1 description of every {@code /api/v1} and
 * {@code /admin/api/v1} operation (SPEC §21), served as written in {@code openapi.json}. Open, like the
 * documentation it is: it names no secret and no user.
 */
public final class OpenApiRoute implements HttpRoutes {
  private static final String DOCUMENT = load();

  private static String load() {
    try (InputStream in = OpenApiRoute.class.getResourceAsStream("/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document's text (tests validate answers against it). */
  public static String document() {
    return DOCUMENT;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "public, max-age=300").end(DOCUMENT));
  }
}
