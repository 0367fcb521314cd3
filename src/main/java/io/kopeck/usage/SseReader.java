package io.kopeck.usage;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a {@code text/event-stream} as it arrives, chunk by chunk (the W3C event-stream format):
 * {@code id:}, {@code event:}, {@code data:} (several lines joined by a newline) and {@code retry:}
 * fields, comments (lines starting with a colon), and a blank line that ends an event. A line may
 * span chunks and end in LF, CRLF or CR. A line longer than {@code maxLine} bytes is refused, and so is
 * an event whose data (its data lines together) grows beyond that.
 */
final class SseReader {
  /** One event: its id (null when the stream gives none), its name ("message" by default), its data. */
  record Event(String id, String name, String data) {
  }

  private final int maxLine;
  private final StringBuilder line = new StringBuilder();
  private final StringBuilder data = new StringBuilder();
  private byte[] pending = new byte[0];
  private boolean dataSeen;
  private String id;
  private String name;
  private Long retryMillis;
  private boolean lastWasCr;

  SseReader(int maxLine) {
    this.maxLine = maxLine;
  }

  /** The events completed by this chunk, in order. */
  List<Event> feed(Buffer chunk) {
    List<Event> events = new ArrayList<>();
    byte[] bytes = concat(pending, chunk.getBytes());
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '\n' && lastWasCr) {
        lastWasCr = false;
        start = i + 1;
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        line.append(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        Event event = endOfLine();
        if (event != null) {
          events.add(event);
        }
        start = i + 1;
      }
    }
    pending = Arrays.copyOfRange(bytes, start, bytes.length);
    if (pending.length + line.length() > maxLine) {
      throw new IllegalArgumentException("an event-stream line is longer than " + maxLine + " bytes");
    }
    return events;
  }

  /** The server's reconnection hint ({@code retry:}), if it sent one. */
  Long retryMillis() {
    return retryMillis;
  }

  private Event endOfLine() {
    String text = line.toString();
    line.setLength(0);
    if (text.isEmpty()) {
      return dispatch();
    }
    if (text.startsWith(":")) {
      return null;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (dataSeen) {
          data.append('\n');
        }
        data.append(value);
        dataSeen = true;
        if (data.length() > maxLine) {
          throw new IllegalArgumentException("an event's data is longer than " + maxLine + " characters");
        }
      }
      case "id" -> id = value.indexOf('\0') >= 0 ? id : value;
      case "event" -> name = value;
      case "retry" -> {
        if (value.matches("\\d{1,9}")) {
          retryMillis = Long.parseLong(value);
        }
      }
      default -> {
        // unknown fields are ignored, as the format says
      }
    }
    return null;
  }

  private Event dispatch() {
    Event event = dataSeen ? new Event(id, name == null ? "message" : name, data.toString()) : null;
    data.setLength(0);
    dataSeen = false;
    name = null;
    return event;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
