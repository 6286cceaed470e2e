package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How an epoch is cut into averaging rounds (DESIGN.md section 7). */
class RoundScheduleTest {

  @Test
  void frequencyZeroIsOneRoundPerEpoch() {
    RoundSchedule s = new RoundSchedule(0);
    assertEquals(0, s.rounds(0), "an epoch without batches has no round");
    for (long max : new long[] {1, 2, 17, 1_000_000}) {
      assertEquals(1, s.rounds(max));
      assertEquals(0, s.firstBatch(0));
      assertEquals(max, s.endBatch(0, max));
      assertEquals(3, s.endBatch(0, 3), "a smaller shard trains all of its batches in the one round");
    }
  }

  @Test
  void everyShardTrainsEachOfItsBatchesInExactlyOneRound() {
    for (int k = 1; k <= 6; k++) {
      RoundSchedule s = new RoundSchedule(k);
      for (long max = 0; max <= 20; max++) {
        int rounds = s.rounds(max);
        assertEquals((max + k - 1) / k, rounds, "ceil(" + max + " / " + k + ")");
        for (long batches = 0; batches <= max; batches++) {
          long next = 0;
          int active = 0;
          for (int r = 0; r < rounds; r++) {
            long from = s.firstBatch(r);
            long to = s.endBatch(r, batches);
            assertEquals((long) r * k, from);
            if (from < to) {
              assertEquals(next, from, "rounds are contiguous");
              assertTrue(to - from <= k, "at most k batches per round");
              assertTrue(to - from == k || to == batches, "only a shard's last round may be short");
              next = to;
              active++;
            }
          }
          assertEquals(batches, next, "k=" + k + ", max=" + max + ": a shard of " + batches + " batches trains all");
          assertEquals((batches + k - 1) / k, active, "rounds a shard of " + batches + " batches takes part in");
        }
      }
    }
  }

  @Test
  void negativeFrequencyIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RoundSchedule(-1));
    assertTrue(e.getMessage().contains("averaging-frequency"), e.getMessage());
  }
}
