package io.kopeck.web;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code GET /legal/offer} and {@code GET /legal/privacy} (SPEC §14): the operator's own pages from
 * {@code conf/legal/offer.html} and {@code conf/legal/privacy.html} (the bundled samples when those
 * files are absent), read once at start; or a redirect to LEGAL_OFFER_URL / LEGAL_PRIVACY_URL when set.
 */
public final class LegalPages implements HttpRoutes {
  /** The two pages, each either its HTML or the address it lives at. */
  public record Pages(String offerHtml, String offerUrl, String privacyHtml, String privacyUrl) {
  }

  private final Pages pages;

  public LegalPages(Pages pages) {
    this.pages = pages;
  }

  /** Reads the pages (blocking: call at start-up, before the event loops serve). */
  public static Pages load(String offerUrl, String privacyUrl) {
    return new Pages(offerUrl.isEmpty() ? read("offer") : null, offerUrl, privacyUrl.isEmpty() ? read("privacy") : null,
        privacyUrl);
  }

  /** Where the bot links to: the configured address, else this service's own page under {@code baseUrl}. */
  public static String link(String configured, String baseUrl, String page) {
    return configured.isEmpty() ? baseUrl + "/legal/" + page : configured;
  }

  @Override
  public void mount(Router router) {
    router.get("/legal/offer").handler(ctx -> serve(ctx, pages.offerHtml(), pages.offerUrl()));
    router.get("/legal/privacy").handler(ctx -> serve(ctx, pages.privacyHtml(), pages.privacyUrl()));
  }

  private static void serve(RoutingContext ctx, String html, String url) {
    if (html == null) {
      ctx.response().setStatusCode(302).putHeader("Location", url).end();
      return;
    }
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "max-age=300")
        .end(html);
  }

  private static String read(String page) {
    Path local = Path.of("conf", "legal", page + ".html");
    try {
      if (Files.isRegularFile(local)) {
        return Files.readString(local, StandardCharsets.UTF_8);
      }
      try (InputStream bundled = LegalPages.class.getResourceAsStream("/conf/legal/" + page + ".html")) {
        if (bundled == null) {
          throw new IOException("conf/legal/" + page + ".html not found");
        }
        return new String(bundled.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
