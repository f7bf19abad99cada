package dev.promptcanary.serving;

/**
 * MurmurHash3 x86_32 over the UTF-8 bytes of a string, encoded on the fly so a resolve allocates no
 * byte array. It equals Guava's {@code murmur3_32_fixed().hashString(s, UTF_8).asInt()}, which the
 * server hashed with before this module, on every string (an unpaired surrogate is encoded as
 * {@code '?'}, as {@link String#getBytes} does): {@code Murmur3Test} checks that, and {@code
 * sdk-vectors/bucketing.json} holds the buckets every SDK must reproduce. Hand-written because this
 * module, which the SDK ships, depends on nothing.
 */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  public static int hashUtf8(int seed, String text) {
    int h1 = seed;
    int buffer = 0; // up to 3 pending bytes, little-endian
    int pending = 0;
    int length = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      int bytes;
      int encoded;
      if (c < 0x80) {
        encoded = c;
        bytes = 1;
      } else if (c < 0x800) {
        encoded = (0xc0 | (c >>> 6)) | ((0x80 | (c & 0x3f)) << 8);
        bytes = 2;
      } else if (Character.isSurrogate(c)) {
        char low = i + 1 < n ? text.charAt(i + 1) : 0;
        if (Character.isHighSurrogate(c) && Character.isLowSurrogate(low)) {
          int cp = Character.toCodePoint(c, low);
          i++;
          encoded =
              (0xf0 | (cp >>> 18))
                  | ((0x80 | ((cp >>> 12) & 0x3f)) << 8)
                  | ((0x80 | ((cp >>> 6) & 0x3f)) << 16)
                  | ((0x80 | (cp & 0x3f)) << 24);
          bytes = 4;
        } else {
          encoded = '?';
          bytes = 1;
        }
      } else {
        encoded =
            (0xe0 | (c >>> 12)) | ((0x80 | ((c >>> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
        bytes = 3;
      }
      length += bytes;
      for (int b = 0; b < bytes; b++) {
        buffer |= ((encoded >>> (8 * b)) & 0xff) << (8 * pending);
        pending++;
        if (pending == 4) {
          h1 = mixH1(h1, mixK1(buffer));
          buffer = 0;
          pending = 0;
        }
      }
    }
    if (pending > 0) {
      h1 ^= mixK1(buffer);
    }
    return fmix(h1 ^ length);
  }

  private static int mixK1(int k1) {
    k1 *= C1;
    k1 = Integer.rotateLeft(k1, 15);
    return k1 * C2;
  }

  private static int mixH1(int h1, int k1) {
    h1 ^= k1;
    h1 = Integer.rotateLeft(h1, 13);
    return h1 * 5 + 0xe6546b64;
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
