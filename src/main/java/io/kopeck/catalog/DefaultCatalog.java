package io.kopeck.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The tariffs a new installation starts with: ./conf/tariffs.json, else the copy in the jar. */
public final class DefaultCatalog {
  private DefaultCatalog() {
  }

  public static List<ObjectNode> load() {
    try (InputStream in = open()) {
      return StrictJson.readObjects(in);
    } catch (IOException e) {
      throw new IllegalStateException("conf/tariffs.json is not a JSON array of tariff objects: " + e.getMessage(), e);
    }
  }

  private static InputStream open() throws IOException {
    Path local = Path.of("conf", "tariffs.json");
    if (Files.isRegularFile(local)) {
      return Files.newInputStream(local);
    }
    InputStream bundled = DefaultCatalog.class.getResourceAsStream("/conf/tariffs.json");
    if (bundled == null) {
      throw new UncheckedIOException(new IOException("conf/tariffs.json not found"));
    }
    return bundled;
  }
}
