package io.kopeck.common;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * JSON as money needs it: numbers are read as exact {@link BigDecimal}s (never through binary floating point),
 * NaN and Infinity are not JSON, trailing garbage is an error, and decimals are written plain.
 */
public final class StrictJson {
  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();

  private static final Pattern DECIMAL_TEXT = Pattern.compile("-?\\d{1,30}(\\.\\d{1,30})?");

  private StrictJson() {
  }

  /** Parses one JSON object; throws {@link IllegalArgumentException} with a short reason. */
  public static ObjectNode readObject(String text) {
    return readObject(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses one JSON object from UTF-8 bytes, without decoding them to a String first. */
  public static ObjectNode readObject(byte[] utf8) {
    JsonNode node;
    try {
      node = utf8.length == 0 ? null : MAPPER.readTree(utf8);
    } catch (IOException e) {
      String reason = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
      throw new IllegalArgumentException("malformed JSON: " + reason);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    String problem = problemInTree(node);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return (ObjectNode) node;
  }

  /**
   * The first problem of any value in a JSON tree, field names included: strings judged as free text
   * ({@link CleanText}), numbers by {@link Decimals}' bounds. The floor for every JSON body, before any
   * field is read. Null when clean.
   */
  private static String problemInTree(JsonNode node) {
    if (node.isTextual()) {
      return prefixed("a string ", CleanText.problemInText(node.textValue()));
    }
    if (node.isBigDecimal() || node.isBigInteger()) {
      return prefixed("a number ", Decimals.problem(node.decimalValue()));
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String problem = prefixed("a string ", CleanText.problemInText(field.getKey()));
        if (problem == null) {
          problem = problemInTree(field.getValue());
        }
        if (problem != null) {
          return problem;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        String problem = problemInTree(item);
        if (problem != null) {
          return problem;
        }
      }
    }
    return null;
  }

  private static String prefixed(String prefix, String problem) {
    return problem == null ? null : prefix + problem;
  }

  /**
   * A decimal given as a JSON number or as a decimal string ("15.45"), within {@link Decimals}' bounds
   * (a zero as plain 0); null when the field is absent or null. Throws {@link IllegalArgumentException}
   * "{field} …" for anything else.
   */
  public static BigDecimal decimal(JsonNode parent, String field) {
    return decimal(parent, field, field);
  }

  /** As {@link #decimal(JsonNode, String)}, naming the value {@code label} in errors ("node_costs.x"). */
  public static BigDecimal decimal(JsonNode parent, String field, String label) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      return Decimals.bounded(label, node.decimalValue());
    }
    if (node.isTextual() && DECIMAL_TEXT.matcher(node.textValue()).matches()) {
      return Decimals.bounded(label, new BigDecimal(node.textValue()));
    }
    throw new IllegalArgumentException(label + " must be a number or a decimal string");
  }


  /** A JSON array of objects (e.g. a configuration file), read with the same exact numbers. */
  public static java.util.List<ObjectNode> readObjects(java.io.InputStream in) throws IOException {
    JsonNode root = MAPPER.readTree(in);
    java.util.List<ObjectNode> objects = new java.util.ArrayList<>();
    if (root == null || !root.isArray()) {
      throw new IOException("expected a JSON array");
    }
    for (JsonNode node : root) {
      if (!node.isObject()) {
        throw new IOException("expected an array of objects");
      }
      objects.add((ObjectNode) node);
    }
    return objects;
  }

  public static ObjectNode newObject() {
    return MAPPER.createObjectNode();
  }

  /** Compact JSON text with plain decimals, for jsonb columns. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
