package io.sparklstm.jobs.train;

import io.sparklstm.train.LabeledSequence;
import io.sparklstm.train.RoundSchedule;
import io.sparklstm.train.ShardPlan;
import io.sparklstm.train.TrainingSetup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple2;

/**
 * The training rows placed once into blocks (docs/DATA_LAYOUT.md) and cached for the whole run:
 * Spark partition p is global block p, a {@link RowBlock}, kept serialized in memory while storage
 * memory lasts and on local disk beyond (read back whole, sequentially). Each round gets an RDD
 * over exactly the blocks of its groups, one partition per shard with work ({@link ShardCoalescer}).
 */
final class BlockStore {
  private static final Logger LOG = LoggerFactory.getLogger(BlockStore.class);
  final ShardPlan plan;
  /** The longest training sequence, in steps. */
  final long maxSteps;
  /** Time {@link #build} took: decoding, placing and caching the rows. */
  final long placementNanos;
  private final JavaRDD<RowBlock> blocks;
  private int orderEpoch = -1;
  private long[][] order; // per shard: epoch orderEpoch's block order

  private BlockStore(ShardPlan plan, long maxSteps, long placementNanos, JavaRDD<RowBlock> blocks) {
    this.plan = plan;
    this.maxSteps = maxSteps;
    this.placementNanos = placementNanos;
    this.blocks = blocks;
  }

  /** One round's view: partition i is shard {@code shards[i]}, training its batches [from[i], to[i]). */
  record Round(JavaRDD<RowBlock> blocks, int[] shards, long[] from, long[] to) {}

  /**
   * Places every row into its block (one Spark shuffle, once per run; the rows are decoded, and
   * checked, on its map side), packs the blocks and caches them. The shuffle does not sort: a block's rows are put in home order by their home position
   * (a sort-based shuffle spent a third of the placement estimating the sizes of the rows it buffered).
   */
  static BlockStore build(JavaSparkContext sc, JavaRDD<LabeledSequence> rows, long rowCount, TrainingSetup setup) {
    long t0 = System.nanoTime();
    sc.setJobDescription("spark-lstm train: placing rows into the blocks of " + setup.workers() + " shards");
    ShardPlan plan = setup.plan(rowCount);
    JavaRDD<RowBlock> blocks = rows
        .mapToPair(r -> new Tuple2<>(plan.home(r.index()), r))
        .partitionBy(new BlockPartitioner(plan))
        .mapPartitionsWithIndex((block, it) -> List.of(inHomeOrder(plan, block, it)).iterator(), true)
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    int inputSize = setup.model().lstm().inputSize();
    long[] placed = blocks.map(b -> new long[] {b.size(), b.maxSteps(inputSize)})
        .fold(new long[] {0, 0}, (a, b) -> new long[] {a[0] + b[0], Math.max(a[1], b[1])});
    sc.setJobDescription(null);
    if (placed[0] != rowCount) {
      throw new IllegalStateException("placed " + placed[0] + " rows into blocks, expected " + rowCount);
    }
    long[] cached = cachedBytes(sc, blocks);
    BlockStore store = new BlockStore(plan, placed[1], System.nanoTime() - t0, blocks);
    LOG.info("training data: {} rows in {} blocks of up to {} rows, groups of {} blocks, placed in {} s; cached {} "
        + "MiB in memory, {} MiB on disk{}", rowCount, plan.totalBlocks(), plan.blockRows(), plan.groupBlocks(),
        String.format("%.1f", store.placementNanos / 1e9), cached[0] >> 20, cached[1] >> 20,
        cached[1] > 0 ? " (more than storage memory holds: rounds read their blocks from disk)" : "");
    return store;
  }

  /** Global block {@code block}'s rows, keyed by home position, packed in home order. */
  private static RowBlock inHomeOrder(ShardPlan plan, int block, Iterator<Tuple2<Long, LabeledSequence>> rows) {
    long first = plan.blockFirstHome(block);
    LabeledSequence[] slots = new LabeledSequence[Math.toIntExact(plan.blockSize(block))];
    while (rows.hasNext()) {
      Tuple2<Long, LabeledSequence> r = rows.next();
      int slot = Math.toIntExact(r._1() - first);
      if (slots[slot] != null) {
        throw new IllegalStateException("home position " + r._1() + " placed twice into block " + block);
      }
      slots[slot] = r._2();
    }
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] == null) {
        throw new IllegalStateException("block " + block + " has no row at home position " + (first + i));
      }
    }
    return RowBlock.of(Arrays.asList(slots));
  }

  /** Mini-batches of each shard in an epoch. */
  long batches(int shard, int batchSize) {
    return (plan.shardSize(shard) + batchSize - 1) / batchSize;
  }

  /** The blocks that round {@code round} of epoch {@code epoch} reads, grouped by shard. */
  Round round(int epoch, int round, RoundSchedule schedule, int batchSize) {
    List<Integer> shards = new ArrayList<>();
    List<int[]> parents = new ArrayList<>();
    List<long[]> ranges = new ArrayList<>();
    long groupRows = plan.blockRows() * plan.groupBlocks();
    for (int w = 0; w < plan.workers(); w++) {
      long from = schedule.firstBatch(round);
      long to = schedule.endBatch(round, batches(w, batchSize));
      if (from >= to) {
        continue;
      }
      long rowFrom = from * batchSize;
      long rowTo = Math.min(plan.shardSize(w), to * batchSize);
      long slotFrom = rowFrom / groupRows * plan.groupBlocks();
      long slotTo = Math.min(plan.blocks(w), ((rowTo - 1) / groupRows + 1) * plan.groupBlocks());
      long[] order = epochBlocks(w, epoch);
      int[] ids = new int[(int) (slotTo - slotFrom)];
      for (long j = slotFrom; j < slotTo; j++) {
        ids[(int) (j - slotFrom)] = (int) plan.globalBlock(w, order[(int) j]);
      }
      shards.add(w);
      parents.add(ids);
      ranges.add(new long[] {from, to});
    }
    int n = shards.size();
    RDD<RowBlock> picked = blocks.rdd().coalesce(Math.max(1, n), false,
        Option.apply(new ShardCoalescer(parents.toArray(new int[0][]))), null);
    long[] from = new long[n];
    long[] to = new long[n];
    for (int i = 0; i < n; i++) {
      from[i] = ranges.get(i)[0];
      to[i] = ranges.get(i)[1];
    }
    return new Round(picked.toJavaRDD(), shards.stream().mapToInt(Integer::intValue).toArray(), from, to);
  }

  private long[] epochBlocks(int shard, int epoch) {
    if (orderEpoch != epoch) {
      order = new long[plan.workers()][];
      orderEpoch = epoch;
    }
    if (order[shard] == null) {
      order[shard] = plan.epochBlocks(shard, epoch);
    }
    return order[shard];
  }

  /** Bytes of the cached blocks {in memory, on disk}, as Spark's block managers report them. */
  long[] cachedBytes(JavaSparkContext sc) {
    return cachedBytes(sc, blocks);
  }

  private static long[] cachedBytes(JavaSparkContext sc, JavaRDD<RowBlock> blocks) {
    for (RDDInfo info : sc.sc().getRDDStorageInfo()) {
      if (info.id() == blocks.id()) {
        return new long[] {info.memSize(), info.diskSize()};
      }
    }
    return new long[] {0, 0};
  }

  /** Removes the cached blocks, waiting for it ({@link CachedRdds#release}). */
  void release() {
    CachedRdds.release(blocks, "training blocks");
  }
}
