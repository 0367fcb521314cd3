package io.kopeck.botapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.commonmark.ext.gfm.strikethrough.Strikethrough;
import org.commonmark.ext.gfm.strikethrough.StrikethroughExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.CustomNode;
import org.commonmark.node.Emphasis;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Image;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.StrongEmphasis;
import org.commonmark.node.Text;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;

/**
 * Text from elsewhere (the Runner's output, SPEC §18) as Telegram messages in HTML parse mode: Markdown
 * through CommonMark's parser into the few tags Telegram knows (b, i, s, code, pre, a, blockquote),
 * everything else — raw HTML included — escaped; plain text escaped whole. Messages are at most
 * {@link #MAX_MESSAGE} characters and split between paragraphs; a single paragraph longer than that is
 * sent as plain text, split between lines (or, failing that, anywhere), so no tag is ever cut in two.
 */
public final class TelegramText {
  /** Telegram's limit for one message (counted here on the HTML, which is never shorter than what shows). */
  public static final int MAX_MESSAGE = 4096;
  private static final Parser MARKDOWN = Parser.builder().extensions(List.of(StrikethroughExtension.create())).build();
  private static final Set<String> LINK_SCHEMES = Set.of("http", "https", "tg", "mailto");
  private static final Pattern LANGUAGE = Pattern.compile("[A-Za-z0-9_+-]{1,32}");

  private TelegramText() {
  }

  /** Markdown as messages of Telegram HTML. */
  public static List<String> markdown(String markdown) {
    List<String> blocks = new ArrayList<>();
    Node document = MARKDOWN.parse(markdown == null ? "" : markdown);
    for (Node block = document.getFirstChild(); block != null; block = block.getNext()) {
      Renderer renderer = new Renderer();
      block.accept(renderer);
      String html = renderer.out.toString().strip();
      if (html.isEmpty()) {
        continue;
      }
      if (html.length() > MAX_MESSAGE) {
        blocks.addAll(splitPlain(Html.escape(literal(block))));
      } else {
        blocks.add(html);
      }
    }
    return pack(blocks);
  }

  /** Plain text (escaped) as messages, split between paragraphs. */
  public static List<String> plain(String text) {
    List<String> blocks = new ArrayList<>();
    for (String paragraph : (text == null ? "" : text).split("\n\\s*\n")) {
      if (!paragraph.isBlank()) {
        blocks.addAll(splitPlain(Html.escape(paragraph.strip())));
      }
    }
    return pack(blocks);
  }

  /** Blocks joined by blank lines into as few messages as fit. */
  private static List<String> pack(List<String> blocks) {
    List<String> messages = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String block : blocks) {
      if (current.length() > 0 && current.length() + 2 + block.length() > MAX_MESSAGE) {
        messages.add(current.toString());
        current.setLength(0);
      }
      if (current.length() > 0) {
        current.append("\n\n");
      }
      current.append(block);
    }
    if (current.length() > 0) {
      messages.add(current.toString());
    }
    return messages;
  }

  /** Escaped text cut into pieces of at most {@link #MAX_MESSAGE}: between lines when it can, never inside an entity. */
  private static List<String> splitPlain(String escaped) {
    List<String> pieces = new ArrayList<>();
    String rest = escaped;
    while (rest.length() > MAX_MESSAGE) {
      int cut = rest.lastIndexOf('\n', MAX_MESSAGE);
      if (cut <= 0) {
        cut = MAX_MESSAGE;
        int amp = rest.lastIndexOf('&', cut - 1);
        if (amp > cut - 6 && rest.indexOf(';', amp) >= cut) {
          cut = amp; // "&amp;" and friends stay whole
        }
      }
      pieces.add(rest.substring(0, cut).strip());
      rest = rest.substring(cut).strip();
    }
    if (!rest.isEmpty()) {
      pieces.add(rest);
    }
    return pieces;
  }

  /** The text a block shows, without markup. */
  private static String literal(Node block) {
    StringBuilder text = new StringBuilder();
    block.accept(new AbstractVisitor() {
      @Override
      public void visit(Text node) {
        text.append(node.getLiteral());
      }

      @Override
      public void visit(Code node) {
        text.append(node.getLiteral());
      }

      @Override
      public void visit(FencedCodeBlock node) {
        text.append(node.getLiteral());
      }

      @Override
      public void visit(IndentedCodeBlock node) {
        text.append(node.getLiteral());
      }

      @Override
      public void visit(HtmlInline node) {
        text.append(node.getLiteral());
      }

      @Override
      public void visit(HtmlBlock node) {
        text.append(node.getLiteral());
      }

      @Override
      public void visit(SoftLineBreak node) {
        text.append('\n');
      }

      @Override
      public void visit(HardLineBreak node) {
        text.append('\n');
      }

      @Override
      public void visit(Paragraph node) {
        if (text.length() > 0) {
          text.append('\n');
        }
        visitChildren(node);
      }
    });
    return text.toString();
  }

  /** One block's Telegram HTML. */
  private static final class Renderer extends AbstractVisitor {
    private final StringBuilder out = new StringBuilder();
    private String indent = "";

    @Override
    public void visit(Paragraph node) {
      visitChildren(node);
      if (node.getNext() != null && !(node.getParent() instanceof ListItem)) {
        out.append("\n\n");
      }
    }

    @Override
    public void visit(Heading node) {
      wrap("b", node);
      out.append("\n\n");
    }

    @Override
    public void visit(BlockQuote node) {
      out.append("<blockquote>");
      int start = out.length();
      visitChildren(node);
      trimEnd(start);
      out.append("</blockquote>");
    }

    @Override
    public void visit(BulletList node) {
      list(node, false, 1);
    }

    @Override
    public void visit(OrderedList node) {
      Integer start = node.getMarkerStartNumber();
      list(node, true, start == null ? 1 : start);
    }

    private void list(Node list, boolean ordered, int first) {
      int number = first;
      String outer = indent;
      for (Node item = list.getFirstChild(); item != null; item = item.getNext()) {
        out.append(outer).append(ordered ? number++ + ". " : "• ");
        indent = outer + "  ";
        for (Node child = item.getFirstChild(); child != null; child = child.getNext()) {
          if (child != item.getFirstChild()) {
            out.append('\n');
            if (!(child instanceof BulletList || child instanceof OrderedList)) {
              out.append(indent);
            }
          }
          child.accept(this);
          trimEnd(0);
        }
        indent = outer;
        if (item.getNext() != null) {
          out.append('\n');
        }
      }
      if (list.getNext() != null && outer.isEmpty()) {
        out.append("\n\n");
      }
    }

    @Override
    public void visit(FencedCodeBlock node) {
      String info = node.getInfo() == null ? "" : node.getInfo().strip().split("\\s+", 2)[0];
      String code = Html.escape(stripFinalNewline(node.getLiteral()));
      out.append(LANGUAGE.matcher(info).matches()
          ? "<pre><code class=\"language-" + info + "\">" + code + "</code></pre>" : "<pre>" + code + "</pre>");
    }

    @Override
    public void visit(IndentedCodeBlock node) {
      out.append("<pre>").append(Html.escape(stripFinalNewline(node.getLiteral()))).append("</pre>");
    }

    @Override
    public void visit(HtmlBlock node) {
      out.append(Html.escape(stripFinalNewline(node.getLiteral())));
    }

    @Override
    public void visit(ThematicBreak node) {
      out.append("——————");
    }

    @Override
    public void visit(Text node) {
      out.append(Html.escape(node.getLiteral()));
    }

    @Override
    public void visit(Code node) {
      out.append("<code>").append(Html.escape(node.getLiteral())).append("</code>");
    }

    @Override
    public void visit(Emphasis node) {
      wrap("i", node);
    }

    @Override
    public void visit(StrongEmphasis node) {
      wrap("b", node);
    }

    @Override
    public void visit(CustomNode node) {
      if (node instanceof Strikethrough) {
        wrap("s", node);
      } else {
        visitChildren(node);
      }
    }

    @Override
    public void visit(Link node) {
      if (linkable(node.getDestination())) {
        out.append("<a href=\"").append(Html.escape(node.getDestination())).append("\">");
        visitChildren(node);
        out.append("</a>");
      } else {
        visitChildren(node);
      }
    }

    @Override
    public void visit(Image node) {
      String alt = Html.escape(literal(node));
      if (linkable(node.getDestination())) {
        String href = Html.escape(node.getDestination());
        out.append("<a href=\"").append(href).append("\">").append(alt.isEmpty() ? href : alt).append("</a>");
      } else {
        out.append(alt);
      }
    }

    @Override
    public void visit(HtmlInline node) {
      out.append(Html.escape(node.getLiteral()));
    }

    @Override
    public void visit(SoftLineBreak node) {
      out.append('\n').append(indent);
    }

    @Override
    public void visit(HardLineBreak node) {
      out.append('\n').append(indent);
    }

    private void wrap(String tag, Node node) {
      out.append('<').append(tag).append('>');
      visitChildren(node);
      out.append("</").append(tag).append('>');
    }

    private void trimEnd(int floor) {
      while (out.length() > floor && Character.isWhitespace(out.charAt(out.length() - 1))) {
        out.setLength(out.length() - 1);
      }
    }
  }

  private static boolean linkable(String destination) {
    int colon = destination == null ? -1 : destination.indexOf(':');
    return colon > 0 && LINK_SCHEMES.contains(destination.substring(0, colon).toLowerCase(Locale.ROOT));
  }

  private static String stripFinalNewline(String text) {
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }
}
