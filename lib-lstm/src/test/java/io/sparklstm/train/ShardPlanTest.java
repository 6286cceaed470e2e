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
    ShardPlan plan = new ShardPlan(n, workers, false, 0, 4, 2);
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
        ShardPlan plan = new ShardPlan(n, workers, false, 0, 4, 2);
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
        ShardPlan plan = new ShardPlan(n, workers, false, 0, 4, 2);
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
    ShardPlan plan = new ShardPlan(3, 8, true, 1, 4, 2);
    long empty = LongStream.range(0, 8).filter(w -> plan.shardSize((int) w) == 0).count();
    assertEquals(5, empty);
    for (long row = 0; row < 3; row++) {
      int w = plan.shardOfPosition(plan.position(row, 0));
      assertEquals(1, plan.shardSize(w), "a row lands in a non-empty shard");
    }
    ShardPlan none = new ShardPlan(0, 4, true, 1, 4, 2);
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
        ShardPlan plan = new ShardPlan(n, 3, true, 42 + n, 4, 2);
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
  void permutationDependsOnSeedAndEpoch() {
    long n = 200;
    long[] a = positions(new ShardPlan(n, 4, true, 7, 8, 2), 0);
    assertArrayEqualsLong(a, positions(new ShardPlan(n, 4, true, 7, 8, 2), 0), "same seed and epoch: same order");
    assertFalse(Arrays.equals(a, positions(new ShardPlan(n, 4, true, 7, 8, 2), 1)), "another epoch: another order");
    assertFalse(Arrays.equals(a, positions(new ShardPlan(n, 4, true, 8, 8, 2), 0)), "another seed: another order");
    long[] identity = LongStream.range(0, n).toArray();
    assertFalse(Arrays.equals(a, identity), "shuffled");
    long fixedPoints = LongStream.range(0, n).filter(i -> a[(int) i] == i).count();
    assertTrue(fixedPoints < 10, fixedPoints + " fixed points of 200");
  }

  /**
   * The epoch order re-computed from its definition (docs/DATA_LAYOUT.md): rows stay in the shard of
   * their home position; the shard's rows in home order, cut into blocks of R, are laid out in the
   * order {@link ShardPlan#epochBlocks} gives (a short last block last); group g of G consecutive
   * blocks holds exactly the rows of those home blocks, in some order.
   */
  @Test
  void anEpochIsBlocksPermutedThenRowsPermutedWithinGroups() {
    for (long n : new long[] {1, 7, 64, 100, 1000, 1237}) {
      for (int workers : new int[] {1, 3, 5}) {
        for (long blockRows : new long[] {1, 4, 25}) {
          for (int group : new int[] {1, 2, 4}) {
            ShardPlan plan = new ShardPlan(n, workers, true, n + workers, blockRows, group);
            for (int epoch = 0; epoch < 3; epoch++) {
              checkEpoch(plan, epoch, "N=" + n + " W=" + workers + " R=" + blockRows + " G=" + group
                  + " epoch " + epoch);
            }
          }
        }
      }
    }
  }

  private static void checkEpoch(ShardPlan plan, int epoch, String where) {
    int n = (int) plan.rows();
    long r = plan.blockRows();
    long[] rowAt = new long[n]; // epoch position -> row
    long[] rowAtHome = new long[n];
    java.util.Arrays.fill(rowAt, -1);
    for (int row = 0; row < n; row++) {
      long p = plan.position(row, epoch);
      long h = plan.home(row);
      assertTrue(rowAt[(int) p] < 0, where + ": position " + p + " taken twice");
      rowAt[(int) p] = row;
      rowAtHome[(int) h] = row;
      int w = plan.shardOfPosition(h);
      assertEquals(w, plan.shardOfPosition(p), where + ": row " + row + " left its shard");
      assertEquals(plan.globalBlock(w, (h - plan.shardStart(w)) / r), plan.blockOf(row), where + ": block of " + row);
    }
    for (int w = 0; w < plan.workers(); w++) {
      long start = plan.shardStart(w);
      long size = plan.shardSize(w);
      long[] order = plan.epochBlocks(w, epoch);
      assertEquals(plan.blocks(w), order.length, where);
      if (size % r != 0) {
        assertEquals(order.length - 1, order[order.length - 1], where + ": the short block stays last");
      }
      for (int g = 0; g * plan.groupBlocks() < order.length; g++) {
        java.util.Set<Long> expected = new java.util.HashSet<>();
        long slotsFrom = (long) g * plan.groupBlocks();
        long slotsTo = Math.min(order.length, slotsFrom + plan.groupBlocks());
        for (long j = slotsFrom; j < slotsTo; j++) {
          long b = order[(int) j];
          for (long o = b * r; o < Math.min(size, (b + 1) * r); o++) {
            expected.add(rowAtHome[(int) (start + o)]);
          }
        }
        java.util.Set<Long> actual = new java.util.HashSet<>();
        for (long o = slotsFrom * r; o < Math.min(size, slotsTo * r); o++) {
          actual.add(rowAt[(int) (start + o)]);
        }
        assertEquals(expected, actual, where + ", shard " + w + ", group " + g);
      }
    }
  }

  /** Each global block covers the home positions [blockFirstHome, + blockSize), the blocks tiling [0, N) in order. */
  @Test
  void blocksTileTheHomePositions() {
    for (long n : new long[] {1, 7, 100, 1237}) {
      for (int workers : new int[] {1, 3, 5}) {
        for (long blockRows : new long[] {1, 4, 25}) {
          ShardPlan plan = new ShardPlan(n, workers, true, 3, blockRows, 2);
          String where = "N=" + n + " W=" + workers + " R=" + blockRows;
          long next = 0;
          for (long b = 0; b < plan.totalBlocks(); b++) {
            assertEquals(next, plan.blockFirstHome(b), where + ": block " + b);
            assertTrue(plan.blockSize(b) >= 1 && plan.blockSize(b) <= blockRows, where + ": block " + b);
            for (long h = next; h < next + plan.blockSize(b); h++) {
              assertEquals(b, plan.blockOfHome(h), where + ": home " + h);
            }
            next += plan.blockSize(b);
          }
          assertEquals(n, next, where);
        }
      }
    }
  }

  @Test
  void placementIsFixedAcrossEpochs() {
    ShardPlan plan = new ShardPlan(500, 3, true, 5, 16, 4);
    for (long row = 0; row < 500; row++) {
      int w = plan.shardOfPosition(plan.home(row));
      for (int epoch = 0; epoch < 4; epoch++) {
        assertEquals(w, plan.shardOfPosition(plan.position(row, epoch)), "row " + row + ", epoch " + epoch);
      }
    }
  }

  @Test
  void withoutShuffleThePositionIsTheRow() {
    for (int epoch = 0; epoch < 3; epoch++) {
      assertArrayEqualsLong(LongStream.range(0, 50).toArray(), positions(new ShardPlan(50, 4, false, 99, 4, 2), epoch),
          "identity in epoch " + epoch);
    }
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new ShardPlan(-1, 2, false, 0, 4, 2));
    assertThrows(IllegalArgumentException.class, () -> new ShardPlan(10, 0, false, 0, 4, 2));
    assertThrows(IllegalArgumentException.class, () -> new ShardPlan(Long.MAX_VALUE / 2, 2, false, 0, 4, 2));
    assertThrows(IllegalArgumentException.class, () -> new ShardPlan(10, 2, false, 0, 0, 2));
    assertThrows(IllegalArgumentException.class, () -> new ShardPlan(10, 2, false, 0, 4, 0));
    ShardPlan plan = new ShardPlan(10, 2, true, 0, 4, 2);
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
