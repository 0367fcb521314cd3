package io.kopeck.web;

import io.kopeck.common.CleanText;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Looked at before the router sees a request: a path or query string that decodes to a control
 * character or broken text, or does not decode at all, is refused with 400 (SPEC §11), so no path
 * parameter (a promo code, a slug) or query value can carry U+0000 into SQL, and no malformed
 * escape reaches the router (which would answer it with a 500).
 */
public final class RequestHygiene {
  private RequestHygiene() {
  }

  /** True when the request may go on; otherwise it has been answered 400. */
  static boolean admit(HttpServerRequest request) {
    String problem;
    try {
      problem = problem(request);
    } catch (IllegalArgumentException e) {
      problem = "the path or query has a malformed escape";
    }
    if (problem == null) {
      return true;
    }
    request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", "invalid_request").put("message", "Refused: " + problem).encode());
    return false;
  }

  private static String problem(HttpServerRequest request) {
    String path = URLDecoder.decode(request.path().replace("+", "%2B"), StandardCharsets.UTF_8);
    String problem = CleanText.problemInName(path);
    if (problem != null) {
      return "the path " + problem;
    }
    problem = problemInParams(request.params(), false);
    return problem == null ? null : "the query " + problem;
  }

  /**
   * The first problem of any parameter (name or value), or null: as free text, or by the stricter
   * rule for names ({@code asNames}, e.g. a payment callback's fields). For form bodies, which arrive
   * after this class's look at the request.
   */
  public static String problemInParams(MultiMap params, boolean asNames) {
    for (Map.Entry<String, String> param : params) {
      String problem = asNames ? CleanText.problemInName(param.getKey() + param.getValue())
          : CleanText.problemInText(param.getKey() + "=" + param.getValue());
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }
}
