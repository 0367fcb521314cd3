package io.kopeck.botapi;

/** Escaping for Telegram's HTML parse mode: user-supplied text (names, codes) is shown as text. */
public final class Html {
  private Html() {
  }

  /** User-supplied text shown as code (promo codes): escaped, in {@code <code>}. */
  public static String code(String text) {
    return "<code>" + escape(text) + "</code>";
  }

  public static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
