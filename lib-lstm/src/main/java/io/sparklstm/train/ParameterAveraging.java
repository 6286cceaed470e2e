package io.sparklstm.train;

import io.sparklstm.train.optim.OptimizerState;
import java.util.List;

/**
 * The driver's step in the averaging loop (DESIGN.md section 7): every shard that trained in a
 * round returns its state; the new state is their sequence-weighted mean, element by element in
 * shard order ({@link WeightedMean}), parameters, optimizer buffers and step count alike.
 *
 * <p>A state is averaged as one flat vector {@code [parameters | optimizer buffers]}, so a
 * distributed reduce can split it into slices; any slicing gives the same bits.
 */
public final class ParameterAveraging {
  private ParameterAveraging() {}

  /** The averaged state and the round's totals. */
  public record Averaged(TrainingState state, long sequences, double lossSum) {}

  /** Averages results given in shard order (shards that did not train are simply absent). */
  public static Averaged average(List<Trainer.ShardResult> results) {
    int n = results.size();
    float[][] vectors = new float[n][];
    double[] weights = new double[n];
    double[] steps = new double[n];
    long sequences = 0;
    double lossSum = 0;
    for (int j = 0; j < n; j++) {
      Trainer.ShardResult r = results.get(j);
      if (j > 0 && r.shard() <= results.get(j - 1).shard()) {
        throw new IllegalArgumentException("shard results must be in increasing shard order");
      }
      vectors[j] = flatten(r.state());
      weights[j] = r.sequences();
      steps[j] = r.state().optimizer().step();
      sequences += r.sequences();
      lossSum += r.lossSum();
    }
    float[] mean = new float[vectors[0].length];
    WeightedMean.of(vectors, weights, 0, mean.length, mean, 0);
    TrainingState first = results.get(0).state();
    return new Averaged(unflatten(mean, first.parameters().length, first.optimizer().bufferCount(),
        WeightedMean.of(steps, weights)), sequences, lossSum);
  }

  /** {@code [parameters | optimizer buffers]} as one new array. */
  public static float[] flatten(TrainingState s) {
    float[] p = s.parameters();
    float[] b = s.optimizer().buffers();
    float[] out = new float[p.length + b.length];
    System.arraycopy(p, 0, out, 0, p.length);
    System.arraycopy(b, 0, out, p.length, b.length);
    return out;
  }

  /** The inverse of {@link #flatten}. */
  public static TrainingState unflatten(float[] vector, int parameterCount, int bufferCount, double step) {
    float[] p = java.util.Arrays.copyOfRange(vector, 0, parameterCount);
    float[] b = java.util.Arrays.copyOfRange(vector, parameterCount, vector.length);
    if (b.length != (long) bufferCount * parameterCount) {
      throw new IllegalArgumentException("a state vector of " + vector.length + " floats does not hold "
          + parameterCount + " parameters and " + bufferCount + " optimizer buffers");
    }
    return new TrainingState(p, new OptimizerState(step, parameterCount, b));
  }
}
