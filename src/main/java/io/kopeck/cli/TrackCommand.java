package io.kopeck.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.StrictJson;
import io.kopeck.track.Track;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kopeck track list|create|update|deactivate} (SPEC §18): definitions as JSON (a file, or
 * {@code -} for standard input), the same checks and audit as the admin API.
 */
@Command(name = "track", description = "Tracks the bot runs (docs/tracks.md).",
    subcommands = {TrackCommand.ListTracks.class, TrackCommand.Create.class, TrackCommand.Update.class,
        TrackCommand.Deactivate.class})
public final class TrackCommand implements Runnable {
  private static final Actor CLI = new Actor("cli", System.getProperty("user.name"));

  @Override
  public void run() {
    System.out.println("Usage: kopeck track list|create|update|deactivate (--help for options)");
  }

  @Command(name = "list", description = "List every track, active or not.")
  static final class ListTracks implements Callable<Integer> {
    @Override
    public Integer call() {
      try (CliDatabase db = new CliDatabase(Cli.config())) {
        List<Track> tracks = db.run(pool -> db.services().tracks().list());
        System.out.printf("%-16s %-16s %-6s %-10s %-24s %-10s %-6s%n", "SLUG", "COMMAND", "INPUT", "MULTIPLIER",
            "RUNNER PATH", "HOLD", "ACTIVE");
        for (Track t : tracks) {
          System.out.printf("%-16s %-16s %-6s %-10s %-24s %-10s %-6s%n", t.slug(), "/" + t.command(),
              t.input().kind().name().toLowerCase(java.util.Locale.ROOT), t.price().multiplier().toPlainString(),
              t.runner().path(), t.hold().toPlainString(), t.active());
        }
        return 0;
      }
    }
  }

  @Command(name = "create", description = "Add a track from its JSON definition.")
  static final class Create implements Callable<Integer> {
    @Option(names = "--file", required = true, description = "the definition (JSON), or - for standard input")
    String file;

    @Override
    public Integer call() throws IOException {
      ObjectNode json = read(file);
      return print(db -> db.run(pool -> db.services().tracks().create(json, CLI)));
    }
  }

  @Command(name = "update", description = "Change the fields a JSON object gives (objects merged field by field).")
  static final class Update implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SLUG") String slug;
    @Option(names = "--file", required = true, description = "the fields to change (JSON), or - for standard input")
    String file;

    @Override
    public Integer call() throws IOException {
      ObjectNode json = read(file);
      return print(db -> db.run(pool -> db.services().tracks().update(slug, json, CLI)));
    }
  }

  @Command(name = "deactivate", description = "Take a track out of the bot (its runs in progress finish).")
  static final class Deactivate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SLUG") String slug;

    @Override
    public Integer call() {
      return print(db -> db.run(pool -> db.services().tracks().deactivate(slug, CLI)));
    }
  }

  private static ObjectNode read(String file) throws IOException {
    byte[] json = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
    try {
      return StrictJson.readObject(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " is not a JSON object: " + e.getMessage(), e);
    }
  }

  private static Integer print(Function<CliDatabase, Track> change) {
    try (CliDatabase db = new CliDatabase(Cli.config())) {
      System.out.println(change.apply(db).toJson().encodePrettily());
      return 0;
    }
  }
}
