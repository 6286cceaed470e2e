package io.sparklstm.train;

/**
 * Which rows each data shard trains in an epoch, and in which order, as DESIGN.md section 7 and
 * docs/DATA_LAYOUT.md define it; computable anywhere (driver, executor, or a plain-Java re-run)
 * from (N, W, shuffle, seed, R, G) alone.
 *
 * <p>Without shuffling a row's position is its input index. With shuffling:
 * <ol>
 *   <li>Placement, once for the run: row r gets the home position {@code h = F(r)}, F a permutation
 *       of [0, N) keyed by the seed. Shard w holds the home positions
 *       {@code [floor(w*N/W), floor((w+1)*N/W))}; its rows are cut, in home order, into blocks of R
 *       rows (the last block may be smaller).</li>
 *   <li>Epoch e: the shard's full blocks are put in the order of a permutation keyed by
 *       (seed, e, w); a short last block stays last. The rows, so ordered, are cut into groups of G
 *       consecutive blocks, and the rows of group g are permuted by a permutation keyed by
 *       (seed, e, w, g). The result is the shard's epoch order; a row's position is the shard's start
 *       plus its offset in that order.</li>
 * </ol>
 * So a row never leaves its shard, an epoch's group holds the rows of G home blocks, and a round
 * that trains one group reads exactly those blocks. Permutations are {@link Feistel} networks.
 */
public final class ShardPlan implements java.io.Serializable {
  private static final long serialVersionUID = 2L;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private final long rows;
  private final int workers;
  private final boolean shuffle;
  private final long seed;
  private final long blockRows;
  private final int groupBlocks;
  private final long[] firstBlock; // [W + 1]: global index of shard w's first block

  /**
   * @param blockRows   R: rows per block (the unit that is cached and read)
   * @param groupBlocks G: consecutive blocks of an epoch whose rows are permuted together
   */
  public ShardPlan(long rows, int workers, boolean shuffle, long seed, long blockRows, int groupBlocks) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    if (rows > Long.MAX_VALUE / (workers + 1L)) {
      throw new IllegalArgumentException(rows + " rows with " + workers + " workers is out of range");
    }
    if (blockRows < 1 || groupBlocks < 1) {
      throw new IllegalArgumentException("blocks of " + blockRows + " rows in groups of " + groupBlocks
          + ": both must be >= 1");
    }
    this.rows = rows;
    this.workers = workers;
    this.shuffle = shuffle;
    this.seed = seed;
    this.blockRows = blockRows;
    this.groupBlocks = groupBlocks;
    this.firstBlock = new long[workers + 1];
    for (int w = 0; w < workers; w++) {
      firstBlock[w + 1] = firstBlock[w] + blocks(w);
    }
  }

  public long rows() {
    return rows;
  }

  public int workers() {
    return workers;
  }

  /** R: rows per block. */
  public long blockRows() {
    return blockRows;
  }

  /** G: blocks per group. */
  public int groupBlocks() {
    return groupBlocks;
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

  /** Blocks of shard w: ceil(size / R). */
  public long blocks(int shard) {
    return (shardSize(shard) + blockRows - 1) / blockRows;
  }

  /** Blocks of all shards. */
  public long totalBlocks() {
    return firstBlock[workers];
  }

  /** Global index (over all shards, shard by shard) of shard w's block b. */
  public long globalBlock(int shard, long block) {
    return firstBlock[shard] + block;
  }

  /** The shard that holds the row at {@code position} (a home or an epoch position: the same shard). */
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

  /** Home position of input row {@code row}: where it is placed once for the whole run. */
  public long home(long row) {
    checkRow(row);
    return shuffle ? Feistel.permute(row, rows, seed * GOLDEN - 1) : row;
  }

  /** Global index of the block that holds input row {@code row}. */
  public long blockOf(long row) {
    return blockOfHome(home(row));
  }

  /** Global index of the block that holds home position {@code home}. */
  public long blockOfHome(long home) {
    int w = shardOfPosition(home);
    return globalBlock(w, (home - shardStart(w)) / blockRows);
  }

  /** The shard that holds global block {@code block}. */
  public int shardOfBlock(long block) {
    if (block < 0 || block >= totalBlocks()) {
      throw new IllegalArgumentException("block " + block + " out of range [0, " + totalBlocks() + ")");
    }
    int w = 0;
    while (firstBlock[w + 1] <= block) {
      w++;
    }
    return w;
  }

  /** Home position of global block {@code block}'s first row. */
  public long blockFirstHome(long block) {
    int w = shardOfBlock(block);
    return shardStart(w) + (block - firstBlock[w]) * blockRows;
  }

  /** Rows of global block {@code block}: R, or fewer for a shard's last block. */
  public long blockSize(long block) {
    int w = shardOfBlock(block);
    return Math.min(blockRows, shardEnd(w) - blockFirstHome(block));
  }

  /** Position of input row {@code row} in epoch {@code epoch}'s order. */
  public long position(long row, int epoch) {
    long h = home(row);
    if (!shuffle) {
      return h;
    }
    int w = shardOfPosition(h);
    long start = shardStart(w);
    long size = shardSize(w);
    long offset = h - start;
    long block = offset / blockRows;
    long full = size / blockRows;
    long slot = block < full ? Feistel.permute(block, full, blockKey(epoch, w)) : block;
    long ordered = slot * blockRows + offset % blockRows;
    long groupRows = blockRows * groupBlocks;
    long group = ordered / groupRows;
    long groupStart = group * groupRows;
    long groupSize = Math.min(size, groupStart + groupRows) - groupStart;
    return start + groupStart + Feistel.permute(ordered - groupStart, groupSize, groupKey(epoch, w, group));
  }

  /**
   * Shard w's blocks in epoch {@code epoch}'s order: element j is the (shard-local) home block that
   * fills the epoch's j-th block slot. O(blocks) time and memory, for the driver.
   */
  public long[] epochBlocks(int shard, int epoch) {
    long[] out = new long[Math.toIntExact(blocks(shard))];
    long full = shardSize(shard) / blockRows;
    for (long b = 0; b < out.length; b++) {
      long slot = shuffle && b < full ? Feistel.permute(b, full, blockKey(epoch, shard)) : b;
      out[(int) slot] = b;
    }
    return out;
  }

  private long blockKey(int epoch, int shard) {
    return Feistel.mix(seed * GOLDEN + epoch) + shard * 0xC2B2AE3D27D4EB4FL;
  }

  private long groupKey(int epoch, int shard, long group) {
    return Feistel.mix(blockKey(epoch, shard)) + (group + 1) * 0x165667B19E3779F9L;
  }

  private void checkRow(long row) {
    if (row < 0 || row >= rows) {
      throw new IllegalArgumentException("row " + row + " out of range [0, " + rows + ")");
    }
  }
}
