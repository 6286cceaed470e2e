package io.sparklstm.train;

/**
 * Keyed bijections of [0, n) without a table: a 4-round Feistel network over the next power of
 * four at or above n, cycle-walked (a value that lands at n or beyond is permuted again until it
 * falls inside). O(1) memory, so a permutation of billions of rows costs nothing to hold.
 */
public final class Feistel {
  private Feistel() {}

  /** The image of {@code x} (in [0, n)) under the permutation of [0, n) keyed by {@code key}. */
  public static long permute(long x, long n, long key) {
    if (n <= 1) {
      return x;
    }
    int halfBits = 1;
    while ((1L << (2 * halfBits)) < n) {
      halfBits++;
    }
    long mask = (1L << halfBits) - 1;
    long k = mix(key);
    do {
      long left = x >>> halfBits;
      long right = x & mask;
      for (int round = 0; round < 4; round++) {
        long f = mix(right ^ (k + round * 0xD1B54A32D192ED03L)) & mask;
        long next = left ^ f;
        left = right;
        right = next;
      }
      x = (left << halfBits) | right;
    } while (x >= n);
    return x;
  }

  /** SplitMix64's finaliser: a good 64-bit mixing function, also used to derive keys. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
