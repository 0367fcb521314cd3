package io.kopeck.common;

/** A future failed with a {@link Refusal}: an answer, not an error (no stack trace is taken). */
public final class Refused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Refusal refusal;

  public Refused(Refusal refusal, String message) {
    super(message, null, false, false);
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }

  /** Whether {@code failure} is this particular refusal (for callers that handle one case). */
  public static boolean is(Throwable failure, Refusal refusal) {
    return failure instanceof Refused refused && refused.refusal == refusal;
  }
}
