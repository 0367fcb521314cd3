package io.kopeck.i18n;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Every text the bot says, in every language it speaks (SPEC §20): the built-in Russian and English
 * sets from the jar, overridden key by key by {@code <TEXTS_DIR>/<lang>.properties} (UTF-8), and any
 * other language a file there adds (a missing key falls back to English, then Russian). The name
 * "Kopeck" in the texts is {@code BOT_NAME}. A file is checked before it is used: a key the bot does
 * not have, or a text whose placeholders differ from the built-in one's, is a {@link Problem}.
 */
public final class TextBook {
  /** The languages the jar speaks; Russian is the default (SPEC §1). */
  static final List<String> BUILT_IN = List.of("ru", "en");
  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");
  private static final Pattern NAME = Pattern.compile("\\bKopeck\\b");

  /** A text file's key the bot cannot use: unknown, or with other placeholders than the built-in text. */
  public record Problem(Path file, String key, String problem) {
    @Override
    public String toString() {
      return file + ": " + key + ": " + problem;
    }
  }

  private final Map<String, Map<String, String>> languages;

  private TextBook(Map<String, Map<String, String>> languages) {
    this.languages = languages;
  }

  /** The jar's texts as they are. */
  public static TextBook builtIn() {
    Map<String, Map<String, String>> languages = new LinkedHashMap<>();
    for (String language : BUILT_IN) {
      languages.put(language, builtIn(language));
    }
    return new TextBook(languages);
  }

  /**
   * The jar's texts with the files of {@code dir} laid over them (a missing directory: none) and
   * "Kopeck" named {@code botName}; {@code extraCommands} are commands whose {@code cmd.<name>} a file
   * may add (product commands in BOT_COMMANDS). Throws {@link IllegalArgumentException} naming the first
   * {@link Problem}.
   */
  public static TextBook load(Path dir, String botName, Set<String> extraCommands) {
    List<Problem> problems = check(dir, extraCommands);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.get(0).toString());
    }
    Map<String, Map<String, String>> files = files(dir);
    Map<String, String> ru = builtIn("ru");
    Map<String, String> en = builtIn("en");
    Map<String, Map<String, String>> languages = new LinkedHashMap<>();
    languages.put("ru", named(merge(ru, files.get("ru")), botName));
    languages.put("en", named(merge(en, files.get("en")), botName));
    files.forEach((language, texts) -> {
      if (!BUILT_IN.contains(language)) {
        // Another language: its own texts, then English, then Russian for a key neither has.
        languages.put(language, named(merge(merge(ru, en), texts), botName));
      }
    });
    return new TextBook(languages);
  }

  /** Every problem of the files in {@code dir}: unknown keys and placeholder mismatches, in file and key order. */
  public static List<Problem> check(Path dir, Set<String> extraCommands) {
    Map<String, String> reference = builtIn("ru");
    Map<String, String> english = builtIn("en");
    List<Problem> problems = new ArrayList<>();
    for (Path file : textFiles(dir)) {
      Map<String, String> texts = read(file);
      for (Map.Entry<String, String> entry : new TreeMap<>(texts).entrySet()) {
        String key = entry.getKey();
        if (key.startsWith("cmd.") && extraCommands.contains(key.substring(4)) && !reference.containsKey(key)) {
          continue; // a product command's menu description: no built-in text to compare with
        }
        if (!reference.containsKey(key)) {
          problems.add(new Problem(file, key, "not a key of the bot's texts (kopeck texts export en lists them)"));
          continue;
        }
        Set<Integer> expected = Placeholders.of(english.getOrDefault(key, reference.get(key)));
        Set<Integer> found;
        try {
          found = Placeholders.of(entry.getValue());
        } catch (IllegalArgumentException e) {
          problems.add(new Problem(file, key, e.getMessage()));
          continue;
        }
        if (!found.equals(expected)) {
          problems.add(new Problem(file, key, "placeholders " + Placeholders.show(expected) + " expected, "
              + Placeholders.show(found) + " found"));
        }
      }
    }
    return problems;
  }

  /** The built-in texts of {@code language} (ru or en), sorted by key, as {@code kopeck texts export} prints them. */
  public static Map<String, String> export(String language) {
    return new TreeMap<>(builtIn(BUILT_IN.contains(language) ? language : "en"));
  }

  /** The languages this book speaks: ru, en, then those the files added. */
  public List<String> languages() {
    return List.copyOf(languages.keySet());
  }

  /** The texts of {@code language} (one this book speaks). */
  Map<String, String> texts(String language) {
    return languages.get(language);
  }

  /**
   * The language of a Telegram {@code language_code} (or a user's choice): one of the book's by its
   * primary subtag ("uk-UA" → "uk" when a uk file exists), English for any "en…", else Russian.
   */
  String languageOf(String code) {
    String primary = code == null ? "" : code.toLowerCase(Locale.ROOT).split("[-_]", 2)[0];
    if (languages.containsKey(primary)) {
      return primary;
    }
    return primary.startsWith("en") ? "en" : "ru";
  }

  private static Map<String, String> merge(Map<String, String> base, Map<String, String> over) {
    Map<String, String> merged = new LinkedHashMap<>(base);
    if (over != null) {
      merged.putAll(over);
    }
    return merged;
  }

  private static Map<String, String> named(Map<String, String> texts, String botName) {
    if (botName == null || botName.isBlank() || botName.equals("Kopeck")) {
      return Collections.unmodifiableMap(texts);
    }
    String replacement = java.util.regex.Matcher.quoteReplacement(botName);
    Map<String, String> named = new LinkedHashMap<>();
    texts.forEach((key, text) -> named.put(key, NAME.matcher(text).replaceAll(replacement)));
    return Collections.unmodifiableMap(named);
  }

  private static Map<String, Map<String, String>> files(Path dir) {
    Map<String, Map<String, String>> files = new LinkedHashMap<>();
    for (Path file : textFiles(dir)) {
      files.put(languageOfFile(file), read(file));
    }
    return files;
  }

  /** The {@code <lang>.properties} files of {@code dir}, by name; none when it does not exist. */
  static List<Path> textFiles(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    Set<Path> found = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.properties")) {
      for (Path entry : entries) {
        if (!LANGUAGE.matcher(languageOfFile(entry)).matches()) {
          throw new IllegalArgumentException(entry + ": a texts file is named <language>.properties, "
              + "the language being 2 or 3 letters (uk.properties)");
        }
        found.add(entry);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(found);
  }

  private static String languageOfFile(Path file) {
    String name = file.getFileName().toString();
    return name.substring(0, name.length() - ".properties".length()).toLowerCase(Locale.ROOT);
  }

  private static Map<String, String> builtIn(String language) {
    try (InputStream in = TextBook.class.getResourceAsStream("/i18n/messages_" + language + ".properties")) {
      if (in == null) {
        throw new IllegalStateException("the jar has no texts for " + language);
      }
      return load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> read(Path file) {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(file + " cannot be read as UTF-8 properties: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> load(Reader in) throws IOException {
    Properties properties = new Properties();
    properties.load(in);
    Map<String, String> texts = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(key -> texts.put(key, properties.getProperty(key)));
    return texts;
  }
}
