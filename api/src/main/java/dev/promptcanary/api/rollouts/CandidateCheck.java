package dev.promptcanary.api.rollouts;

import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.api.errors.ApiException;

/** What a rollout and an eval both check first: the prompt exists and has the candidate version. */
public final class CandidateCheck {
  private CandidateCheck() {}

  /**
   * The routing state of {@code prompt}: a 404 naming {@code prompt} when there is no such prompt,
   * a 422 naming {@code candidateVersion} when it has no version {@code candidate}.
   */
  public static RoutingState routingOf(
      RoutingDao routing, PromptDao prompts, String prompt, int candidate) {
    RoutingState current =
        routing
            .find(prompt)
            .orElseThrow(() -> ApiException.notFound("prompt", "no prompt named '" + prompt + "'"));
    if (!prompts.versionExists(prompt, candidate)) {
      throw ApiException.invalid(
          "candidateVersion", "prompt '" + prompt + "' has no version " + candidate);
    }
    return current;
  }
}
