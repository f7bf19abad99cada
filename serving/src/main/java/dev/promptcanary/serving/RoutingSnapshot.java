package dev.promptcanary.serving;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Every prompt's routing at one moment, sorted by prompt, with an ETag that is a hash of what
 * decides a resolve: two nodes serving the same routing give the same ETag, and any change that
 * could move a unit (versions, weight, owner, salt, fence) gives another.
 */
public record RoutingSnapshot(String etag, List<RoutedPrompt> prompts) {
  public RoutingSnapshot {
    prompts = prompts == null ? List.of() : List.copyOf(prompts);
  }

  public static RoutingSnapshot of(Collection<RoutedPrompt> routed) {
    List<RoutedPrompt> prompts =
        routed.stream().sorted(Comparator.comparing(RoutedPrompt::prompt)).toList();
    return new RoutingSnapshot(etagOf(prompts), prompts);
  }

  private static String etagOf(List<RoutedPrompt> prompts) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (RoutedPrompt p : prompts) {
        String line =
            String.join(
                    "\u0000",
                    p.prompt(),
                    Integer.toString(p.stableVersion()),
                    String.valueOf(p.stableContentHash()),
                    String.valueOf(p.canaryVersion()),
                    String.valueOf(p.canaryContentHash()),
                    Integer.toString(p.canaryWeightBp()),
                    String.valueOf(p.rolloutId()),
                    p.salt(),
                    Long.toString(p.fenceSeq()))
                + "\n";
        sha256.update(line.getBytes(StandardCharsets.UTF_8));
      }
      return "r-" + HexFormat.of().formatHex(sha256.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
