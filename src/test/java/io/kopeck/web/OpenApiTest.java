package io.kopeck.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.OpenApiCheck;
import io.kopeck.testsupport.ServiceExtension;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAPI document (SPEC §21): a valid OpenAPI 3.1 document whose schemas are valid JSON Schema, that
 * describes exactly the operations the code mounts, served at /api/openapi.json. That real answers match
 * it is checked on every API answer every test receives ({@link OpenApiCheck}, through {@link Http}).
 */
class OpenApiTest {
  private static final Pattern ROUTE = Pattern.compile(
      "router\\.(get|post|patch|put|delete)\\(\"(/(?:api|admin/api)/v1/[^\"*]+)\"");

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of());

  @Test
  @DisplayName("The document is valid OpenAPI 3.1 (swagger-parser reports nothing)")
  void validOpenApi() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(OpenApiRoute.document(), null, options);
    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
    assertThat(result.getOpenAPI().getPaths()).isNotEmpty();
  }

  @Test
  @DisplayName("Every schema of the document is valid JSON Schema in the OpenAPI 3.1 dialect")
  void schemasCompile() throws IOException {
    JsonNode document = new ObjectMapper().readTree(OpenApiRoute.document());
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
        builder -> builder.schemas(Map.of("https://kopeck.local/openapi.json", OpenApiRoute.document())));
    Iterator<String> names = document.path("components").path("schemas").fieldNames();
    int compiled = 0;
    while (names.hasNext()) {
      String name = names.next();
      registry.getSchema(SchemaLocation.of("https://kopeck.local/openapi.json#/components/schemas/" + name))
          .initializeValidators();
      compiled++;
    }
    assertThat(compiled).isGreaterThan(30);
  }

  @Test
  @DisplayName("It describes exactly the /api/v1 and /admin/api/v1 operations the code mounts")
  void everyOperation() throws IOException {
    Set<String> mounted = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher route = ROUTE.matcher(Files.readString(file));
        while (route.find()) {
          mounted.add(route.group(1) + " " + route.group(2).replaceAll(":([A-Za-z]+)", "{$1}"));
        }
      }
    }
    JsonNode paths = new ObjectMapper().readTree(OpenApiRoute.document()).path("paths");
    Set<String> documented = new TreeSet<>();
    paths.fieldNames().forEachRemaining(path -> paths.path(path).fieldNames()
        .forEachRemaining(method -> documented.add(method + " " + path)));
    assertThat(documented).isEqualTo(mounted);
    paths.fieldNames().forEachRemaining(path -> paths.path(path).forEach(operation -> {
      assertThat(operation.has("security")).as(path + " states its auth").isTrue();
      assertThat(operation.path("responses").has("default")).as(path + " documents its errors").isTrue();
    }));
  }

  @Test
  @DisplayName("GET /api/openapi.json serves the document without a key")
  void served() {
    Http.Response answer = service.http().get("/api/openapi.json", null);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("Content-Type")).startsWith("application/json");
    assertThat(answer.body()).isEqualTo(OpenApiRoute.document());
  }

  @Test
  @DisplayName("The check bites: an answer out of its schema, an unlisted status and an unknown operation are reported")
  void checkBites() {
    assertThat(OpenApiCheck.problems("GET", "/api/v1/users/5/balance", 200, "application/json",
        "{\"user_id\": 5, \"token_balance\": 1.5}")).isNotEmpty();
    assertThat(OpenApiCheck.problems("POST", "/api/v1/users/5/spend", 201, "application/json", "{}")).isNotEmpty();
    assertThat(OpenApiCheck.problems("DELETE", "/api/v1/users/5/balance", 200, "application/json", "{}")).isNotEmpty();
    assertThat(OpenApiCheck.problems("GET", "/api/v1/users/5/balance", 400, "application/json", "{\"oops\": 1}"))
        .isNotEmpty();
    assertThat(OpenApiCheck.problems("GET", "/api/v1/users/5/balance", 404, "application/json",
        "{\"error\": \"user_not_found\", \"message\": \"No such user\"}")).isEmpty();
  }
}
