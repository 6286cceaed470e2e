package io.sparklstm.jobs.train;

import java.io.Serializable;
import org.apache.spark.Partition;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import scala.Option;

/**
 * Groups chosen partitions of the cached blocks into one partition per shard: output partition i
 * reads parent partitions {@code parents[i]} in that order, and no other. Partitions in no group
 * are not read at all, which is how a round touches only its own blocks. Each group prefers the
 * host that caches its first block.
 */
final class ShardCoalescer implements PartitionCoalescer, Serializable {
  private static final long serialVersionUID = 1L;
  private final int[][] parents;

  ShardCoalescer(int[][] parents) {
    this.parents = parents;
  }

  @Override
  public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
    Partition[] all = parent.partitions();
    PartitionGroup[] groups = new PartitionGroup[parents.length];
    for (int i = 0; i < parents.length; i++) {
      scala.collection.Seq<org.apache.spark.scheduler.TaskLocation> where = parents[i].length == 0
          ? null : parent.context().getPreferredLocs(parent, parents[i][0]);
      Option<String> host = where == null || where.isEmpty() ? Option.empty() : Option.apply(where.head().host());
      groups[i] = new PartitionGroup(host);
      for (int p : parents[i]) {
        groups[i].partitions().addOne(all[p]);
      }
    }
    return groups;
  }
}
