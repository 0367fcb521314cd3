package io.kopeck.botapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Runner's output as Telegram HTML (SPEC §18): what is rendered, what is escaped, where messages split. */
class TelegramTextTest {

  @Test
  @DisplayName("Markdown becomes Telegram's tags; raw HTML (an HTML block of its own), quotes and ampersands are escaped")
  void markdown() {
    List<String> html = TelegramText.markdown("""
        # Title
        **bold** _it_ ~~gone~~ `x < y` [site](https://example.com/?a=1&b="2") [bad](javascript:alert(1))
        <script>alert(1)</script> & "quotes"

        - one
        - two
          1. nested

        > quoted

        ```python
        print("<hi>")
        ```""");

    assertThat(html).hasSize(1);
    assertThat(html.get(0)).isEqualTo("""
        <b>Title</b>

        <b>bold</b> <i>it</i> <s>gone</s> <code>x &lt; y</code> <a href="https://example.com/?a=1&amp;b=&quot;2&quot;">site</a> bad

        &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;

        • one
        • two
          1. nested

        <blockquote>quoted</blockquote>

        <pre><code class="language-python">print(&quot;&lt;hi&gt;&quot;)</code></pre>""");
  }

  @Test
  @DisplayName("messages split between paragraphs at 4,096 characters; one longer paragraph goes as plain text split between lines")
  void splitting() {
    String paragraph = "word ".repeat(300).strip();           // 1,499 characters
    List<String> three = TelegramText.markdown(String.join("\n\n", List.of(paragraph, paragraph, paragraph, paragraph)));
    assertThat(three).hasSize(2);
    assertThat(three).allMatch(m -> m.length() <= TelegramText.MAX_MESSAGE);
    assertThat(three.get(0)).isEqualTo(paragraph + "\n\n" + paragraph);

    String lines = ("**line** with & <tags>\n").repeat(400);  // one paragraph of ~9,600 characters
    List<String> long1 = TelegramText.markdown(lines);
    assertThat(long1).hasSizeGreaterThan(2).allMatch(m -> m.length() <= TelegramText.MAX_MESSAGE);
    // Its text, escaped, without the markup: a tag can no longer be cut in two.
    assertThat(long1.get(0)).startsWith("line with &amp; &lt;tags&gt;\nline with").doesNotContain("<b>");

    String unbroken = "&".repeat(5000);
    List<String> pieces = TelegramText.plain(unbroken);
    assertThat(pieces).allMatch(m -> m.length() <= TelegramText.MAX_MESSAGE);
    assertThat(pieces).allMatch(m -> m.matches("(&amp;)+"));
    assertThat(String.join("", pieces)).isEqualTo("&amp;".repeat(5000));
  }

  @Test
  @DisplayName("plain text is escaped whole, paragraphs kept; nothing blank is sent")
  void plain() {
    assertThat(TelegramText.plain("a <b>\n\n\n  \n\nc & d")).containsExactly("a &lt;b&gt;\n\nc &amp; d");
    assertThat(TelegramText.plain("  ")).isEmpty();
    assertThat(TelegramText.markdown("")).isEmpty();
  }
}
