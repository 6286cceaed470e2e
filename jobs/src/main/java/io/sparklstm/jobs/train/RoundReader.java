package io.sparklstm.jobs.train;

import io.sparklstm.model.SequenceBatch;
import io.sparklstm.train.LabeledSequence;
import io.sparklstm.train.ShardPlan;
import io.sparklstm.train.TrainingSetup;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A shard's mini-batches [from, to) of an epoch, from the blocks of the groups that hold them
 * (docs/DATA_LAYOUT.md), one group at a time: the group's G blocks are read, its rows put in epoch
 * order ({@link ShardPlan#position}), those inside the range kept and cut into mini-batches. Memory:
 * one group's rows and batches, whatever the shard's size.
 */
final class RoundReader implements Iterator<SequenceBatch> {
  private final Iterator<RowBlock> blocks;
  private final ShardPlan plan;
  private final TrainingSetup setup;
  private final int epoch;
  private final long rowFrom; // shard offsets, in epoch order
  private final long rowTo;
  private final long shardStart;
  private final ArrayDeque<SequenceBatch> ready = new ArrayDeque<>();
  private long bytesRead;

  /** @param blocks the groups' blocks in epoch slot order, starting at a group's first block */
  RoundReader(Iterator<RowBlock> blocks, ShardPlan plan, TrainingSetup setup, int epoch, int shard, long from,
              long to) {
    this.blocks = blocks;
    this.plan = plan;
    this.setup = setup;
    this.epoch = epoch;
    this.rowFrom = from * setup.batchSize();
    this.rowTo = Math.min(plan.shardSize(shard), to * setup.batchSize());
    this.shardStart = plan.shardStart(shard);
  }

  /** Payload bytes of the blocks read so far. */
  long bytesRead() {
    return bytesRead;
  }

  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && blocks.hasNext()) {
      readGroup();
    }
    return !ready.isEmpty();
  }

  @Override
  public SequenceBatch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  private void readGroup() {
    List<RowBlock> group = new ArrayList<>(plan.groupBlocks());
    int rows = 0;
    while (group.size() < plan.groupBlocks() && blocks.hasNext()) {
      RowBlock b = blocks.next();
      group.add(b);
      rows += b.size();
      bytesRead += b.payloadBytes();
    }
    // the group's rows inside [rowFrom, rowTo) fill a contiguous run of epoch offsets: place them by offset
    long[] offsets = new long[rows];
    int[] blockOf = new int[rows];
    int[] rowOf = new int[rows];
    int n = 0;
    long lo = Long.MAX_VALUE;
    for (int g = 0; g < group.size(); g++) {
      RowBlock b = group.get(g);
      for (int i = 0; i < b.size(); i++) {
        long offset = plan.position(b.index()[i], epoch) - shardStart;
        if (offset >= rowFrom && offset < rowTo) {
          offsets[n] = offset;
          blockOf[n] = g;
          rowOf[n] = i;
          lo = Math.min(lo, offset);
          n++;
        }
      }
    }
    LabeledSequence[] ordered = new LabeledSequence[n];
    for (int j = 0; j < n; j++) {
      ordered[(int) (offsets[j] - lo)] = group.get(blockOf[j]).row(rowOf[j]);
    }
    SequenceBatch[] batches = LabeledSequence.batches(Arrays.asList(ordered), setup.batchSize(), setup.model(),
        setup.loss());
    ready.addAll(Arrays.asList(batches));
  }
}
