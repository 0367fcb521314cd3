package io.kopeck.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.kopeck.web.OpenApiRoute;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Every answer of {@code /api/v1} and {@code /admin/api/v1} that a test's {@link Http} client receives is
 * checked against the service's OpenAPI document (SPEC §21) by a JSON Schema validator (the OpenAPI 3.1
 * dialect): an operation the document does not describe, a status it does not list, or a body its
 * schema refuses fails the test that received it.
 */
public final class OpenApiCheck {
  private static final String DOCUMENT_URI = "https://kopeck.local/api/openapi.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode DOCUMENT = read(OpenApiRoute.document());
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
      builder -> builder.schemas(Map.of(DOCUMENT_URI, OpenApiRoute.document())));
  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private OpenApiCheck() {
  }

  /** Whether {@code path} is one the document must describe. */
  public static boolean covers(String path) {
    return path.startsWith("/api/v1/") || path.startsWith("/admin/api/v1/");
  }

  /** What is wrong with this answer by the document; empty when it conforms. */
  public static List<String> problems(String method, String pathAndQuery, int status, String contentType, String body) {
    String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
    String template = template(path);
    String verb = method.toLowerCase(Locale.ROOT);
    if (template == null || !DOCUMENT.path("paths").path(template).has(verb)) {
      // An unknown path answers 404 (or 405 for another method): an error, which every path documents alike.
      return status == 404 || status == 405 ? errorProblems(status, contentType, body)
          : List.of(method + " " + path + " is not in the OpenAPI document");
    }
    JsonNode responses = DOCUMENT.path("paths").path(template).path(verb).path("responses");
    String code = Integer.toString(status);
    String pointer;
    if (responses.has(code)) {
      pointer = "/paths/" + escape(template) + "/" + verb + "/responses/" + code;
    } else if (status >= 400 && responses.has("default")) {
      return errorProblems(status, contentType, body);
    } else {
      return List.of(method + " " + template + " answered " + status + ", which the document does not list");
    }
    String media = contentType == null ? "" : contentType.split(";")[0].trim();
    JsonNode content = responses.path(code).path("content");
    if (!content.has(media)) {
      return content.isEmpty() && body.isEmpty() ? List.of()
          : List.of(method + " " + template + " " + status + " answered " + media + ", not in the document");
    }
    Schema schema = schema(pointer + "/content/" + escape(media) + "/schema");
    return validate(schema, media, body, method + " " + template + " " + status);
  }

  private static List<String> errorProblems(int status, String contentType, String body) {
    if (status >= 500 && status != 503) {
      return List.of("answered " + status + ": the service never answers 5xx to a client's input");
    }
    return validate(schema("/components/responses/Error/content/application~1json/schema"), "application/json", body,
        "error " + status);
  }

  private static List<String> validate(Schema schema, String media, String body, String what) {
    List<String> found = new ArrayList<>();
    List<String> documents = media.equals("application/x-ndjson")
        ? body.lines().filter(line -> !line.isBlank()).toList() : List.of(body);
    for (String document : documents) {
      for (Error error : schema.validate(document, InputFormat.JSON)) {
        found.add(what + ": " + error.toString() + " in " + shorten(document));
      }
    }
    return found;
  }

  private static Schema schema(String pointer) {
    return SCHEMAS.computeIfAbsent(pointer, p -> REGISTRY.getSchema(SchemaLocation.of(DOCUMENT_URI + "#" + p)));
  }

  /** The document's path template that {@code path} matches, or null. */
  static String template(String path) {
    Iterator<String> names = DOCUMENT.path("paths").fieldNames();
    while (names.hasNext()) {
      String template = names.next();
      String regex = Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
      if (path.matches(regex)) {
        return template;
      }
    }
    return null;
  }

  private static String escape(String pointerPart) {
    return pointerPart.replace("~", "~0").replace("/", "~1");
  }

  private static String shorten(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }

  private static JsonNode read(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
