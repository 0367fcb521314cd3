package io.kopeck.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * Wraps the encoder of an appender (text or JSON) and passes every encoded line through
 * {@link LogMask}. In logback.xml: {@code <encoder class="io.kopeck.logging.MaskingEncoder"><encoder
 * class="…"/></encoder>}. Runs on the logging thread of the async appenders, never on an event loop.
 */
public final class MaskingEncoder extends EncoderBase<ILoggingEvent> {
  private Encoder<ILoggingEvent> encoder;

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("MaskingEncoder needs a nested <encoder>");
      return;
    }
    if (!encoder.isStarted()) {
      encoder.start();
    }
    super.start();
  }

  @Override
  public void stop() {
    encoder.stop();
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return encoder.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] line = encoder.encode(event);
    String text = new String(line, StandardCharsets.UTF_8);
    String masked = LogMask.mask(text);
    return masked == text || masked.equals(text) ? line : masked.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] footerBytes() {
    return encoder.footerBytes();
  }
}
