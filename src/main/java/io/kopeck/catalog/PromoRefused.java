package io.kopeck.catalog;

import io.kopeck.app.ApiException;
import io.kopeck.i18n.Texts;

/** A purchase or trial refused because of its promo code; {@link #problem()} says which of the seven. */
public final class PromoRefused extends ApiException {
  private static final long serialVersionUID = 1L;

  private final PromoProblem problem;

  PromoRefused(PromoProblem problem, String code) {
    super(400, problem.code(), problem.message(Texts.forLanguage("en"), code, ""));
    this.problem = problem;
  }

  public PromoProblem problem() {
    return problem;
  }
}
