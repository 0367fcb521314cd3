package io.kopeck.cli;

import io.kopeck.config.KopeckConfig;
import io.kopeck.i18n.TextBook;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kopeck texts export <lang>} and {@code kopeck texts check} (SPEC §20): the built-in texts as a
 * properties file to start an owner's file from, and the owner's files in TEXTS_DIR checked the way
 * the service checks them when it starts.
 */
@Command(name = "texts", description = "The bot's texts and the owner's files that change them (docs/embedding.md).",
    subcommands = {TextsCommand.Export.class, TextsCommand.Check.class})
public final class TextsCommand implements Runnable {
  @Override
  public void run() {
    System.out.println("Usage: kopeck texts export <lang> | kopeck texts check");
  }

  @Command(name = "export", description = "Print the built-in texts (ru or en; another language gets English) "
      + "as UTF-8 properties.")
  static final class Export implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LANG", defaultValue = "en") String language;

    @Override
    public Integer call() {
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      out.println("# Kopeck's built-in texts (" + language + "): copy the keys you change into "
          + "<TEXTS_DIR>/" + language + ".properties.");
      out.println("# Placeholders are java.text.MessageFormat ({0}, {1} …); a literal apostrophe is ''.");
      for (Map.Entry<String, String> text : TextBook.export(language).entrySet()) {
        out.println(text.getKey() + "=" + escape(text.getValue()));
      }
      return 0;
    }
  }

  @Command(name = "check", description = "Check the files in TEXTS_DIR: unknown keys and placeholder mismatches "
      + "(exit 2 when there are any).")
  static final class Check implements Callable<Integer> {
    @Override
    public Integer call() {
      KopeckConfig config = KopeckConfig.load(System.getenv());
      List<TextBook.Problem> problems = TextBook.check(config.textsDir(), Set.copyOf(config.botCommands()));
      problems.forEach(problem -> System.out.println(problem));
      System.out.println(problems.isEmpty() ? "texts ok: " + config.textsDir() : problems.size() + " problem(s)");
      return problems.isEmpty() ? 0 : 2;
    }
  }

  /** A value as a properties line writes it: newlines and tabs escaped, the rest as UTF-8. */
  private static String escape(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        case '\r' -> out.append("\\r");
        default -> out.append(i == 0 && (c == ' ' || c == '#' || c == '!') ? "\\" + c : String.valueOf(c));
      }
    }
    return out.toString();
  }
}
