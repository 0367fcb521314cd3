package io.kopeck.usage;

import io.kopeck.ledger.UsageCharge;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One NDJSON stream of track_cost events (SPEC §6.2): a result line per non-blank input line, in
 * input order, each written only after its event's batch committed. Lines are handed to the
 * engine as they arrive, so a long stream is charged while it is still being sent; at most
 * {@link #MAX_OUTSTANDING} lines wait for their answers before the request is paused. A stream
 * that sends no line for STREAM_IDLE_TIMEOUT_SECONDS while Kopeck is ready to read is closed.
 */
final class TrackCostStream {
  private static final int MAX_OUTSTANDING = 4096;
  /** How long the rest of a stopped stream is read and dropped, at most, before its connection closes. */
  private static final long LINGER_MS = 500;

  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final RecordParser lines;
  private final TrackCostParser parser;
  private final ChargeClient engine;
  private final int maxLineBytes;
  private final Vertx vertx;
  private final long idleNanos;
  private long lastLineAt = System.nanoTime();
  private long idleTimer = -1;
  private Future<Void> written = Future.succeededFuture();
  private int lineNumber;
  private int outstanding;
  private boolean paused;
  private boolean broken;
  /** An oversized line stopped the stream: what follows is not charged, the end is the stop's answer. */
  private boolean stopped;

  TrackCostStream(Vertx vertx, HttpServerRequest request, HttpServerResponse response, TrackCostParser parser,
                  ChargeClient engine, int maxLineBytes, int idleSeconds) {
    this.vertx = vertx;
    this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    this.request = request;
    this.response = response;
    this.parser = parser;
    this.engine = engine;
    this.maxLineBytes = maxLineBytes;
    this.lines = RecordParser.newDelimited("\n", request).maxRecordSize(maxLineBytes);
  }

  void start() {
    response.setChunked(true).putHeader("Content-Type", "application/x-ndjson");
    response.closeHandler(v -> {
      broken = true;
      stopIdleTimer();
    });
    lines.handler(this::onLine);
    lines.exceptionHandler(this::onBadStream);
    lines.endHandler(v -> {
      stopIdleTimer();
      written.onComplete(done -> {
        if (!broken && !stopped) {
          response.end();
        }
      });
    });
    idleTimer = vertx.setPeriodic(Math.max(100, TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4), id -> closeIfIdle());
    request.resume();
  }

  /** Silence counts only while Kopeck is ready to read: a paused stream is waiting for us, not idle. */
  private void closeIfIdle() {
    if (paused || response.writeQueueFull()) {
      lastLineAt = System.nanoTime();
    } else if (System.nanoTime() - lastLineAt > idleNanos) {
      stopIdleTimer();
      written.onComplete(done -> request.connection().close());
    }
  }

  private void stopIdleTimer() {
    if (idleTimer != -1) {
      vertx.cancelTimer(idleTimer);
      idleTimer = -1;
    }
  }

  private void onLine(Buffer raw) {
    if (stopped) {
      return;
    }
    lastLineAt = System.nanoTime();
    lineNumber++;
    if (raw.length() > maxLineBytes) {
      // A whole line over the limit in one buffer (the parser's limit fires only while a line is incomplete):
      // the same stop as below, however the bytes happened to arrive.
      stop(lineNumber);
      return;
    }
    String text = raw.toString(StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return;
    }
    int line = lineNumber;
    Future<String> result = charge(text, line);
    outstanding++;
    if (outstanding >= MAX_OUTSTANDING && !paused) {
      paused = true;
      lines.pause();
    }
    written = written.compose(v -> result).map(json -> {
      outstanding--;
      write(json);
      return null;
    });
  }

  private JsonObject tooLong() {
    return ChargeResponses.rejected(null, "line_too_long", "The line exceeds " + maxLineBytes + " bytes");
  }

  private Future<String> charge(String text, int line) {
    UsageCharge charge;
    try {
      charge = parser.parse(text);
    } catch (InvalidEvent e) {
      return Future.succeededFuture(lineText(ChargeResponses.invalid(e.eventId(), e.getMessage()), line));
    }
    return engine.charge(charge)
        .map(result -> ChargeResponses.usage(charge.eventId(), result, line))
        .otherwise(e -> lineText(ChargeResponses.unavailable(charge.eventId()), line));
  }

  private static String lineText(JsonObject answer, int line) {
    return ChargeResponses.withLine(answer, line).encode();
  }

  private void write(String json) {
    if (broken) {
      return;
    }
    response.write(json + "\n");
    if (response.writeQueueFull()) {
      lines.pause();
      response.drainHandler(v -> resumeIfRoom());
    } else {
      resumeIfRoom();
    }
  }

  private void resumeIfRoom() {
    if (paused && outstanding < MAX_OUTSTANDING / 2 && !response.writeQueueFull()) {
      paused = false;
      lines.resume();
    } else if (!paused && !response.writeQueueFull()) {
      lines.resume();
    }
  }

  /** The parser's limit: the line being read ({@code lineNumber + 1}) grew past it before its end. */
  private void onBadStream(Throwable e) {
    stop(lineNumber + 1);
  }

  /**
   * Line {@code line} is longer than the limit: answer what was read so far, then say why the stream stops,
   * and close the connection. What the client still sends is read and dropped until its request ends
   * (at most {@link #LINGER_MS}): closing with unread bytes makes the kernel reset the connection,
   * and a reset can destroy the answer still on its way to the client.
   */
  private void stop(int line) {
    stopped = true;
    stopIdleTimer();
    written.onComplete(done -> {
      if (!response.headWritten()) {
        // Else a keep-alive client may send its next request on this connection as it closes.
        response.putHeader("Connection", "close");
      }
      Future<Void> answered = broken ? Future.succeededFuture() : response.end(tooLong().put("line", line)
          .put("message", "The line exceeds " + maxLineBytes + " bytes; the stream was stopped here").encode() + "\n");
      Promise<Void> drained = Promise.promise();
      if (request.isEnded()) {
        drained.complete();
      } else {
        request.handler(ignored -> { }).endHandler(drained::tryComplete).resume();
        vertx.setTimer(LINGER_MS, id -> drained.tryComplete());
      }
      Future.join(answered, drained.future()).onComplete(v -> request.connection().close());
    });
  }
}
