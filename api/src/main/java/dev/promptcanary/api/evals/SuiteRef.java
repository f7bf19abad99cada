package dev.promptcanary.api.evals;

import dev.promptcanary.activities.eval.StoredEvalSuite;
import dev.promptcanary.activities.eval.SuiteValidator;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.api.errors.ApiException;

/**
 * A reference to a stored eval suite, as an eval run and a rollout take it: {@code name} for its
 * latest version, {@code name@version} for one.
 */
public final class SuiteRef {
  private SuiteRef() {}

  /** The suite {@code ref} names; a 422 naming {@code field} when it is malformed or not stored. */
  public static StoredEvalSuite resolve(EvalDao evals, String field, String ref) {
    int at = ref.lastIndexOf('@');
    String name = at > 0 ? ref.substring(0, at) : ref;
    if (!SuiteValidator.validName(name)) {
      throw ApiException.invalid(
          field,
          field + " must be a suite name or name@version; the name " + SuiteValidator.NAME_RULE);
    }
    if (at < 0) {
      return evals
          .findLatestSuite(name)
          .orElseThrow(() -> ApiException.invalid(field, "no eval suite named '" + name + "'"));
    }
    int version;
    try {
      version = Integer.parseInt(ref.substring(at + 1));
    } catch (NumberFormatException e) {
      version = 0;
    }
    if (version < 1) {
      throw ApiException.invalid(
          field, field + "'s version after '@' must be a positive integer, was '" + ref + "'");
    }
    int number = version;
    return evals
        .findSuite(name, number)
        .orElseThrow(
            () ->
                ApiException.invalid(field, "eval suite '" + name + "' has no version " + number));
  }
}
