package io.kopeck.telegram;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The 🤮 😐 🤩 buttons under a finished run (SPEC §18), for the outbox message that reports it. */
public final class RatingButtons {
  private static final String[] FACES = {"🤮", "😐", "🤩"};

  private RatingButtons() {
  }

  /** One row of three buttons rating the run {@code ref} 1, 2 or 3. */
  public static JsonArray forRun(long ref) {
    JsonArray row = new JsonArray();
    for (int rating = 1; rating <= FACES.length; rating++) {
      row.add(new JsonObject().put("text", FACES[rating - 1])
          .put("callback_data", CallbackData.of(CallbackData.Action.RATE, ref + "." + rating).encode()));
    }
    return new JsonArray().add(row);
  }
}
