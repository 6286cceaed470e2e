package io.sparklstm.jobs.train;

import io.sparklstm.train.ShardPlan;
import org.apache.spark.Partitioner;

/** Spark partition p = global block p of the plan: routes a row, keyed by its home position, to its block. */
final class BlockPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;
  private final ShardPlan plan;

  BlockPartitioner(ShardPlan plan) {
    this.plan = plan;
  }

  @Override
  public int numPartitions() {
    return Math.toIntExact(plan.totalBlocks());
  }

  @Override
  public int getPartition(Object home) {
    return (int) plan.blockOfHome((Long) home);
  }

  @Override
  public boolean equals(Object o) {
    return o == this;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
