package io.sparklstm.train;

/**
 * Which rows each data shard trains in an epoch, as DESIGN.md section 7 defines it, computable
 * anywhere (driver, executor, or a plain-Java re-run) from (N, W, shuffle, seed) alone.
 *
 * <p>Every row has a position in the epoch's order: its input index, or with shuffling its image
 * under a permutation of [0, N) seeded by (seed, epoch). Shard w of W holds positions
 * {@code [floor(w*N/W), floor((w+1)*N/W))} and trains them in position order, cut into mini-batches.
 * The permutation is a keyed Feistel network with cycle walking: a bijection that needs no table,
 * so executors can place their own rows.
 */
public final class ShardPlan implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final long rows;
  private final int workers;
  private final boolean shuffle;
  private final long seed;

  public ShardPlan(long rows, int workers, boolean shuffle, long seed) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    if (rows > Long.MAX_VALUE / (workers + 1L)) {
      throw new IllegalArgumentException(rows + " rows with " + workers + " workers is out of range");
    }
    this.rows = rows;
    this.workers = workers;
    this.shuffle = shuffle;
    this.seed = seed;
  }

  public long rows() {
    return rows;
  }

  public int workers() {
    return workers;
  }

  /** First position of shard w: floor(w * N / W). */
  public long shardStart(int shard) {
    return shard * rows / workers;
  }

  /** One past the last position of shard w. */
  public long shardEnd(int shard) {
    return shardStart(shard + 1);
  }

  /** Number of rows in shard w. */
  public long shardSize(int shard) {
    return shardEnd(shard) - shardStart(shard);
  }

  /** The shard that trains the row at {@code position}. */
  public int shardOfPosition(long position) {
    // the largest w with floor(w*N/W) <= p; the estimate below is off by at most one
    int w = (int) Math.min(workers - 1, (position * workers + workers - 1) / Math.max(1, rows));
    while (w > 0 && shardStart(w) > position) {
      w--;
    }
    while (w + 1 < workers && shardStart(w + 1) <= position) {
      w++;
    }
    return w;
  }

  /** Position of input row {@code row} in epoch {@code epoch}'s order. */
  public long position(long row, int epoch) {
    if (row < 0 || row >= rows) {
      throw new IllegalArgumentException("row " + row + " out of range [0, " + rows + ")");
    }
    return shuffle ? permute(row, epoch) : row;
  }

  /** A bijection of [0, N): a 4-round Feistel network over the next power of four, cycle-walked. */
  private long permute(long row, int epoch) {
    int halfBits = 1;
    while ((1L << (2 * halfBits)) < rows) {
      halfBits++;
    }
    long mask = (1L << halfBits) - 1;
    long key = mix(seed * 0x9E3779B97F4A7C15L + epoch);
    long x = row;
    do {
      long left = x >>> halfBits;
      long right = x & mask;
      for (int round = 0; round < 4; round++) {
        long f = mix(right ^ (key + round * 0xD1B54A32D192ED03L)) & mask;
        long next = left ^ f;
        left = right;
        right = next;
      }
      x = (left << halfBits) | right;
    } while (x >= rows);
    return x;
  }

  /** SplitMix64's finaliser: a good 64-bit mixing function. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
