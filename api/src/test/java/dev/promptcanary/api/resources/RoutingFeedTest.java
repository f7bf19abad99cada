package dev.promptcanary.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.activities.routing.Route;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.routing.RoutingTable;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.serving.RoutingSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The long-polls of {@link RoutingFeed}: answered on a change, not on a reload, and on release. */
class RoutingFeedTest {
  static PromptVersion version(int n) {
    return new PromptVersion(
        "p",
        n,
        "sha256:" + n,
        new PromptContent("s", List.of(), "t", "m", Map.of()),
        List.of(),
        "ana",
        Instant.EPOCH);
  }

  static Route route(long fence, int weightBp) {
    return new Route(
        new RoutingState("p", 1, 2, weightBp, null, fence, Instant.EPOCH), version(1), version(2));
  }

  @Test
  void aWaitingPollIsAnsweredByAChangeButNotByAReloadOfTheSameRow() {
    RoutingTable table = new RoutingTable();
    table.install(route(1, 100));
    RoutingFeed feed = new RoutingFeed(table);
    String before = feed.current().etag();
    List<RoutingSnapshot> answers = new ArrayList<>();
    feed.awaitChange(before, answers::add);

    table.install(route(1, 100)); // a full reload that finds the row as it was
    assertThat(answers).isEmpty();
    assertThat(feed.waiting()).isEqualTo(1);

    table.install(route(2, 0)); // the rollback
    assertThat(answers).hasSize(1);
    assertThat(answers.get(0).etag()).isNotEqualTo(before);
    assertThat(answers.get(0).prompts().get(0).canaryWeightBp()).isZero();
    assertThat(feed.waiting()).isZero();
  }

  @Test
  void aPollHoldingAnOldEtagIsAnsweredAtOnce() {
    RoutingTable table = new RoutingTable();
    table.install(route(1, 100));
    RoutingFeed feed = new RoutingFeed(table);
    List<RoutingSnapshot> answers = new ArrayList<>();
    feed.awaitChange("r-an-older-one", answers::add);
    assertThat(answers).extracting(RoutingSnapshot::etag).containsExactly(feed.current().etag());
    assertThat(feed.waiting()).isZero();
  }

  @Test
  void releaseAnswersEveryWaitingPollWithTheCurrentSnapshot() {
    RoutingTable table = new RoutingTable();
    table.install(route(1, 100));
    RoutingFeed feed = new RoutingFeed(table);
    String etag = feed.current().etag();
    List<RoutingSnapshot> answers = new ArrayList<>();
    feed.awaitChange(etag, answers::add);
    feed.awaitChange(etag, answers::add);
    feed.releaseAll();
    assertThat(answers).extracting(RoutingSnapshot::etag).containsExactly(etag, etag);
    assertThat(feed.waiting()).isZero();
  }
}
