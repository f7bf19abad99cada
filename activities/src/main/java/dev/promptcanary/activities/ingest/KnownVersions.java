package dev.promptcanary.activities.ingest;

import dev.promptcanary.activities.store.PromptDao;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers "does this prompt version exist?" for ingest without a query per item. Versions are never
 * deleted, so a version once seen is remembered for good; an unknown one is asked of the database
 * every time, because it may have been created since.
 */
public final class KnownVersions {
  private record Key(String prompt, int version) {}

  private final PromptDao prompts;
  private final Set<Key> known = ConcurrentHashMap.newKeySet();

  public KnownVersions(PromptDao prompts) {
    this.prompts = prompts;
  }

  public boolean exists(String prompt, int version) {
    Key key = new Key(prompt, version);
    if (known.contains(key)) {
      return true;
    }
    boolean exists = prompts.versionExists(prompt, version);
    if (exists) {
      known.add(key);
    }
    return exists;
  }
}
