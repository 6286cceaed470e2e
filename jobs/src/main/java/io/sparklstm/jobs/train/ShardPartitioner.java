package io.sparklstm.jobs.train;

import io.sparklstm.train.ShardPlan;
import org.apache.spark.Partitioner;

/** Spark partition w = shard w: routes a row, keyed by its position in the epoch, to its shard. */
final class ShardPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;
  private final ShardPlan plan;

  ShardPartitioner(ShardPlan plan) {
    this.plan = plan;
  }

  @Override
  public int numPartitions() {
    return plan.workers();
  }

  @Override
  public int getPartition(Object position) {
    return plan.shardOfPosition((Long) position);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardPartitioner p && p.plan.workers() == plan.workers() && p.plan.rows() == plan.rows();
  }

  @Override
  public int hashCode() {
    return Long.hashCode(plan.rows()) * 31 + plan.workers();
  }
}
