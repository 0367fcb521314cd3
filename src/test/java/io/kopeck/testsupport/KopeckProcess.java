package io.kopeck.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code kopeck <args>} as its own JVM process, as an operator would, with the given environment. */
public final class KopeckProcess {
  /** How the command ended: its exit code and everything it printed. */
  public record Run(int exitCode, String output) {
  }

  private KopeckProcess() {
  }

  public static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Process process = builder(env, args).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), output);
  }

  /** As {@link #run}, keeping only standard output (what `kopeck … | jq` would read); standard error is dropped. */
  public static Run standardOutput(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Process process = builder(env, args).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), output);
  }

  /** Starts {@code kopeck <args>} in the background, its output going to {@code log}; stop it yourself. */
  public static Process start(Map<String, String> env, Path log, String... args) throws IOException {
    return builder(env, args).redirectOutput(log.toFile()).start();
  }

  private static ProcessBuilder builder(Map<String, String> env, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "io.kopeck.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("DATABASE_URL") || k.startsWith("LOG_"));
    builder.environment().putAll(env);
    return builder;
  }
}
