package io.kopeck.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The console's made-up secrets (its webhook secret, Runner key, stream key, the mock's passwords), kept
 * in a file of the data directory (next to the embedded database) so that a page left open and a payment
 * page opened before a restart still work after it. The file is readable by its owner only; where it
 * cannot be written, the secrets are made up for this process alone, as before.
 */
final class ConsoleSecrets {
  static final String FILE = "console-secrets.properties";

  private final Properties values = new Properties();

  private ConsoleSecrets() {
  }

  /** The secrets kept in {@code file}, every one of {@code names} present (made up and written when missing). */
  static ConsoleSecrets load(Path file, List<String> names, Supplier<String> random) {
    ConsoleSecrets secrets = new ConsoleSecrets();
    if (Files.isRegularFile(file)) {
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        secrets.values.load(reader);
      } catch (IOException e) {
        secrets.values.clear();
      }
    }
    boolean changed = false;
    for (String name : names) {
      if (secrets.values.getProperty(name, "").isBlank()) {
        secrets.values.setProperty(name, random.get());
        changed = true;
      }
    }
    if (changed) {
      secrets.write(file);
    }
    return secrets;
  }

  String get(String name) {
    return values.getProperty(name);
  }

  private void write(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), FILE, ".tmp");
      try {
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system (Windows): its default permissions apply
      }
      try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
        values.store(writer, "Kopeck developer console: secrets made up on the first start, kept across restarts");
      }
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Read-only data directory: this process keeps the values it made up; the next start makes new ones.
    }
  }
}
