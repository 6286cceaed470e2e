package io.sparklstm.jobs.train;

import io.sparklstm.train.WeightedMean;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The averaged slice of a round: the element-wise sequence-weighted mean of the shards' slices in
 * shard order (so the bits do not depend on the order Spark delivers them), with the round's totals
 * and mean step count, and the slowest and the total training time of its shards.
 */
record SliceMean(float[] values, long sequences, double lossSum, double step, int shards, long slowestNanos,
                 long totalNanos) implements Serializable {

  static SliceMean of(Iterable<StateSlice> slices) {
    List<StateSlice> list = new ArrayList<>();
    slices.forEach(list::add);
    list.sort(Comparator.comparingInt(StateSlice::shard));
    int n = list.size();
    float[][] xs = new float[n][];
    double[] weights = new double[n];
    double[] steps = new double[n];
    long sequences = 0;
    double lossSum = 0;
    long slowest = 0;
    long total = 0;
    for (int j = 0; j < n; j++) {
      StateSlice s = list.get(j);
      xs[j] = s.values();
      weights[j] = s.sequences();
      steps[j] = s.step();
      sequences += s.sequences();
      lossSum += s.lossSum();
      slowest = Math.max(slowest, s.nanos());
      total += s.nanos();
    }
    float[] mean = new float[xs[0].length];
    WeightedMean.of(xs, weights, 0, mean.length, mean, 0);
    return new SliceMean(mean, sequences, lossSum, WeightedMean.of(steps, weights), n, slowest, total);
  }
}
