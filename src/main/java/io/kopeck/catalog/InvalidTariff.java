package io.kopeck.catalog;

import io.kopeck.app.ApiException;

/** A tariff create or update that cannot be accepted; the message names the field. */
final class InvalidTariff extends ApiException {
  private static final long serialVersionUID = 1L;

  InvalidTariff(String message) {
    super(400, "invalid_tariff", message);
  }
}
