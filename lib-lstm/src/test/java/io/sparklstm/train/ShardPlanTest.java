package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** DESIGN.md section 7's shard assignment: boundaries, the position-to-shard map, the permutation. */
class ShardPlanTest {

  /** floor(w * N / W) computed without overflow. */
  static long floorShare(long w, long n, long workers) {
    return BigInteger.valueOf(w).multiply(BigInteger.valueOf(n)).divide(BigInteger.valueOf(workers)).longValueExact();
  }

  @Test
  void shardBoundariesAreFloorOfWTimesNOverW() {
    for (long n = 0; n <= 60; n++) {
      for (int workers = 1; workers <= 13; workers++) {
        checkBoundaries(n, workers);
      }
    }
    for (long n : new long[] {1_000, 1L << 31, 1_000_000_007L, 123_456_789_012_345L}) {
      for (int workers : new int[] {1, 2, 3, 7, 64, 1000}) {
        checkBoundaries(n, workers);
      }
    }
  }

  private static void checkBoundaries(long n, int workers) {
    ShardPlan plan = new ShardPlan(n, workers, false, 0);
    long total = 0;
    for (int w = 0; w < workers; w++) {
      String where = "shard " + w + " of " + workers + ", N=" + n;
      assertEquals(floorShare(w, n, workers), plan.shardStart(w), "start of " + where);
      assertEquals(floorShare(w + 1, n, workers), plan.shardEnd(w), "end of " + where);
      long size = plan.shardSize(w);
      assertTrue(size == n / workers || size == n / workers + 1, "shard sizes differ by at most one");
      total += size;
    }
    assertEquals(0, plan.shardStart(0));
    assertEquals(n, plan.shardEnd(workers - 1));
    assertEquals(n, total);
  }

  @Test
  void shardOfPositionAgreesWithTheBoundaries() {
    for (long n = 1; n <= 60; n++) {
      for (int workers = 1; workers <= 13; workers++) {
        ShardPlan plan = new ShardPlan(n, workers, false, 0);
        for (long p = 0; p < n; p++) {
          int w = plan.shardOfPosition(p);
          assertTrue(plan.shardStart(w) <= p && p < plan.shardEnd(w),
              "position " + p + " of N=" + n + ", W=" + workers + " placed in shard " + w + " = ["
                  + plan.shardStart(w) + ", " + plan.shardEnd(w) + ")");
        }
      }
    }
    // large N: positions around every boundary
    for (long n : new long[] {1L << 31, 1_000_000_007L, 123_456_789_012_345L}) {
      for (int workers : new int[] {2, 3, 7, 1000}) {
        ShardPlan plan = new ShardPlan(n, workers, false, 0);
        for (int w = 0; w < workers; w++) {
          for (long p : new long[] {plan.shardStart(w), plan.shardEnd(w) - 1}) {
            assertEquals(w, plan.shardOfPosition(p), "N=" + n + ", W=" + workers + ", position " + p);
          }
        }
      }
    }
  }

  @Test
  void fewerRowsThanWorkersLeavesSomeShardsEmpty() {
    ShardPlan plan = new ShardPlan(3, 8, true, 1);
    long empty = LongStream.range(0, 8).filter(w -> plan.shardSize((int) w) == 0).count();
    assertEquals(5, empty);
    for (long row = 0; row < 3; row++) {
      int w = plan.shardOfPosition(plan.position(row, 0));
      assertEquals(1, plan.shardSize(w), "a row lands in a non-empty shard");
    }
    ShardPlan none = new ShardPlan(0, 4, true, 1);
    for (int w = 0; w < 4; w++) {
      assertEquals(0, none.shardSize(w));
    }
  }

  @Test
  void shuffledPositionsAreAPermutationForManySizes() {
    long[] sizes = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 1000, 1023, 1024,
        1025, 4095, 4096, 4097, 65_536, 100_003};
    for (long n : sizes) {
      for (int epoch = 0; epoch < 3; epoch++) {
        ShardPlan plan = new ShardPlan(n, 3, true, 42 + n);
        boolean[] seen = new boolean[(int) n];
        for (long row = 0; row < n; row++) {
          long p = plan.position(row, epoch);
          assertTrue(p >= 0 && p < n, "N=" + n + ": position " + p + " out of range");
          assertFalse(seen[(int) p], "N=" + n + ", epoch " + epoch + ": position " + p + " taken twice");
          seen[(int) p] = true;
        }
      }
    }
  }

  @Test
  void permutationDependsOnSeedAndEpochOnly() {
    long n = 200;
    long[] a = positions(new ShardPlan(n, 4, true, 7), 0);
    assertArrayEqualsLong(a, positions(new ShardPlan(n, 4, true, 7), 0), "same seed and epoch: same order");
    assertArrayEqualsLong(a, positions(new ShardPlan(n, 9, true, 7), 0), "the order does not depend on W");
    assertFalse(Arrays.equals(a, positions(new ShardPlan(n, 4, true, 7), 1)), "another epoch: another order");
    assertFalse(Arrays.equals(a, positions(new ShardPlan(n, 4, true, 8), 0)), "another seed: another order");
    long[] identity = LongStream.range(0, n).toArray();
    assertFalse(Arrays.equals(a, identity), "shuffled");
    // not merely a rotation or a reflection of the input order
    long fixedPoints = LongStream.range(0, n).filter(i -> a[(int) i] == i).count();
    assertTrue(fixedPoints < 10, fixedPoints + " fixed points of 200");
  }

  @Test
  void withoutShuffleThePositionIsTheRow() {
    for (int epoch = 0; epoch < 3; epoch++) {
      assertArrayEqualsLong(LongStream.range(0, 50).toArray(), positions(new ShardPlan(50, 4, false, 99), epoch),
          "identity in epoch " + epoch);
    }
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new ShardPlan(-1, 2, false, 0));
    assertThrows(IllegalArgumentException.class, () -> new ShardPlan(10, 0, false, 0));
    assertThrows(IllegalArgumentException.class, () -> new ShardPlan(Long.MAX_VALUE / 2, 2, false, 0));
    ShardPlan plan = new ShardPlan(10, 2, true, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.position(10, 0));
    assertTrue(e.getMessage().contains("row 10 out of range [0, 10)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> plan.position(-1, 0));
  }

  private static long[] positions(ShardPlan plan, int epoch) {
    return LongStream.range(0, plan.rows()).map(r -> plan.position(r, epoch)).toArray();
  }

  private static void assertArrayEqualsLong(long[] expected, long[] actual, String what) {
    assertTrue(Arrays.equals(expected, actual), what);
  }
}
