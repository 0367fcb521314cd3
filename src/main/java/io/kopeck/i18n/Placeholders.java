package io.kopeck.i18n;

import java.text.MessageFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The arguments a MessageFormat text uses ({@code {0}}, {@code {1}} …), quoted parts left out. */
final class Placeholders {
  private Placeholders() {
  }

  /** The argument indices of {@code pattern}; throws {@link IllegalArgumentException} when it is not a text. */
  static Set<Integer> of(String pattern) {
    try {
      new MessageFormat(pattern);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a MessageFormat text (" + e.getMessage()
          + "; a literal apostrophe is written '')", e);
    }
    Set<Integer> indices = new TreeSet<>();
    boolean quoted = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\'') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '\'') {
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == '{' && !quoted) {
        int end = i + 1;
        while (end < pattern.length() && Character.isDigit(pattern.charAt(end))) {
          end++;
        }
        indices.add(Integer.parseInt(pattern.substring(i + 1, end)));
        i = skipArgument(pattern, i);
      }
    }
    return indices;
  }

  /** The index of the brace that closes the argument opened at {@code open} (formats may nest braces). */
  private static int skipArgument(String pattern, int open) {
    int depth = 0;
    for (int i = open; i < pattern.length(); i++) {
      if (pattern.charAt(i) == '{') {
        depth++;
      } else if (pattern.charAt(i) == '}' && --depth == 0) {
        return i;
      }
    }
    return pattern.length();
  }

  static String show(Set<Integer> indices) {
    return indices.isEmpty() ? "none" : indices.stream().map(i -> "{" + i + "}").collect(Collectors.joining(" "));
  }
}
