package io.sparklstm.train;

/**
 * How an epoch splits into averaging rounds: every shard trains its next {@code k} mini-batches per
 * round ({@code k = train.averaging-frequency}, or all of its epoch when 0); the epoch has as many
 * rounds as the busiest shard needs; a shard with nothing left in a round sits it out.
 */
public final class RoundSchedule implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  /** One round per epoch: every shard trains all of its mini-batches ({@code averaging-frequency = 0}). */
  public static final RoundSchedule WHOLE_EPOCH = new RoundSchedule(0);
  private final int frequency;

  /** @param averagingFrequency mini-batches per shard between averages; 0 = once per epoch */
  public RoundSchedule(int averagingFrequency) {
    if (averagingFrequency < 0) {
      throw new IllegalArgumentException("averaging-frequency must be >= 0, got " + averagingFrequency);
    }
    this.frequency = averagingFrequency;
  }

  /** Rounds in an epoch whose largest shard has {@code maxBatches} mini-batches. */
  public int rounds(long maxBatches) {
    if (maxBatches == 0) {
      return 0;
    }
    return frequency == 0 ? 1 : (int) ((maxBatches + frequency - 1) / frequency);
  }

  /** First mini-batch (index in the shard's epoch) trained in {@code round}. */
  public long firstBatch(int round) {
    return frequency == 0 ? 0 : (long) round * frequency;
  }

  /** One past the last mini-batch trained in {@code round} by a shard of {@code batches} mini-batches. */
  public long endBatch(int round, long batches) {
    return frequency == 0 ? batches : Math.min(batches, (long) (round + 1) * frequency);
  }
}
