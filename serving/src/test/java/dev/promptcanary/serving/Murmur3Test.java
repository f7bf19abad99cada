package dev.promptcanary.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hand-written hash equals Guava's murmur3_32_fixed over UTF-8 (what the server hashed with
 * before this module, and what {@code sdk-vectors/bucketing.json} was generated with) on random
 * strings, unpaired surrogates included.
 */
class Murmur3Test {
  @Test
  void theHashEqualsGuavasMurmur3OverUtf8OnRandomStrings() {
    Random random = new Random(15);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(40);
      for (int j = 0; j < length; j++) {
        switch (random.nextInt(5)) {
          case 0 -> s.append((char) random.nextInt(0x80));
          case 1 -> s.append((char) (0x80 + random.nextInt(0x780)));
          case 2 -> s.append((char) (0x800 + random.nextInt(0xD000 - 0x800)));
          case 3 -> s.appendCodePoint(0x10000 + random.nextInt(0x100000));
          default -> s.append((char) (0xD800 + random.nextInt(0x800))); // a lone surrogate
        }
      }
      String text = s.toString();
      int seed = random.nextInt();
      assertThat(Murmur3.hashUtf8(seed, text))
          .as("seed %d, %s", seed, text.codePoints().boxed().toList())
          .isEqualTo(
              Hashing.murmur3_32_fixed(seed).hashString(text, StandardCharsets.UTF_8).asInt());
    }
  }
}
