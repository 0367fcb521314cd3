package io.kopeck.common;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A JSON array of objects an installation starts with: ./conf/{name}, else the copy in the jar. */
public final class ConfFile {
  private ConfFile() {
  }

  public static List<ObjectNode> objects(String name) {
    try (InputStream in = open(name)) {
      return StrictJson.readObjects(in);
    } catch (IOException e) {
      throw new IllegalStateException("conf/" + name + " is not a JSON array of objects: " + e.getMessage(), e);
    }
  }

  private static InputStream open(String name) throws IOException {
    Path local = Path.of("conf", name);
    if (Files.isRegularFile(local)) {
      return Files.newInputStream(local);
    }
    InputStream bundled = ConfFile.class.getResourceAsStream("/conf/" + name);
    if (bundled == null) {
      throw new UncheckedIOException(new IOException("conf/" + name + " not found"));
    }
    return bundled;
  }
}
