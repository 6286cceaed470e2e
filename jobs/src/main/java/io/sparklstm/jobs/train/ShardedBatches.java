package io.sparklstm.jobs.train;

import io.sparklstm.model.SequenceBatch;
import io.sparklstm.train.LabeledSequence;
import io.sparklstm.train.ShardPlan;
import io.sparklstm.train.TrainingSetup;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * An epoch's training data as Spark sees it: partition w is shard w, holding that shard's
 * mini-batches in training order, already sorted and packed ({@link SequenceBatch}) and cached, so
 * rounds only iterate over ready batches.
 */
final class ShardedBatches {
  final JavaRDD<SequenceBatch> batches;
  final long[] batchesPerShard;

  private ShardedBatches(JavaRDD<SequenceBatch> batches, long[] batchesPerShard) {
    this.batches = batches;
    this.batchesPerShard = batchesPerShard;
  }

  /** Places rows by their epoch position (DESIGN.md section 7), cuts batches, caches them and counts them. */
  static ShardedBatches build(JavaRDD<LabeledSequence> rows, long rowCount, TrainingSetup setup, int epoch) {
    ShardPlan plan = setup.plan(rowCount);
    JavaRDD<SequenceBatch> batches = rows
        .mapToPair(r -> new Tuple2<>(plan.position(r.index(), epoch), r))
        .repartitionAndSortWithinPartitions(new ShardPartitioner(plan))
        .mapPartitions(it -> new BatchIterator(it, setup), true)
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<Long> counts = batches.mapPartitions(it -> {
      long n = 0;
      while (it.hasNext()) {
        it.next();
        n++;
      }
      return List.of(n).iterator();
    }).collect();
    long[] perShard = new long[counts.size()];
    for (int w = 0; w < perShard.length; w++) {
      perShard[w] = counts.get(w);
    }
    return new ShardedBatches(batches, perShard);
  }

  long maxBatches() {
    long max = 0;
    for (long n : batchesPerShard) {
      max = Math.max(max, n);
    }
    return max;
  }

  void release() {
    batches.unpersist(false);
  }

  /** Groups consecutive rows of a shard into mini-batches of {@code batchSize}. */
  private static final class BatchIterator implements Iterator<SequenceBatch> {
    private final Iterator<Tuple2<Long, LabeledSequence>> rows;
    private final TrainingSetup setup;

    BatchIterator(Iterator<Tuple2<Long, LabeledSequence>> rows, TrainingSetup setup) {
      this.rows = rows;
      this.setup = setup;
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public SequenceBatch next() {
      if (!rows.hasNext()) {
        throw new NoSuchElementException();
      }
      List<LabeledSequence> part = new ArrayList<>(setup.batchSize());
      while (rows.hasNext() && part.size() < setup.batchSize()) {
        part.add(rows.next()._2());
      }
      return LabeledSequence.batches(part, setup.batchSize(), setup.model(), setup.loss())[0];
    }
  }
}
