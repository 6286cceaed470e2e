package io.sparklstm.train;

import static io.sparklstm.train.WeightedMeanTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparklstm.train.optim.OptimizerState;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The driver's averaging step: state flattening, and the sequence-weighted mean of shard results. */
class ParameterAveragingTest {

  static TrainingState randomState(SplittableRandom r, int params, int buffers, double step) {
    float[] p = WeightedMeanTest.random(r, params);
    float[] b = WeightedMeanTest.random(r, params * buffers);
    return new TrainingState(p, new OptimizerState(step, params, b));
  }

  @Test
  void flattenAndUnflattenRoundTrip() {
    SplittableRandom r = new SplittableRandom(1);
    for (int buffers = 0; buffers <= 3; buffers++) {
      TrainingState s = randomState(r, 37, buffers, 4.5);
      s.parameters()[3] = -0f;
      float[] flat = ParameterAveraging.flatten(s);
      assertEquals(37 * (1 + buffers), flat.length);
      TrainingState back = ParameterAveraging.unflatten(flat, 37, buffers, 4.5);
      assertBits(s.parameters(), back.parameters(), "parameters");
      assertBits(s.optimizer().buffers(), back.optimizer().buffers(), "buffers");
      assertEquals(4.5, back.optimizer().step(), 0.0);
      assertEquals(buffers, back.optimizer().bufferCount());
    }
    assertThrows(IllegalArgumentException.class, () -> ParameterAveraging.unflatten(new float[10], 3, 2, 0));
  }

  @Test
  void oneShardResultIsReturnedBitForBit() {
    TrainingState s = randomState(new SplittableRandom(2), 50, 2, 7);
    s.parameters()[0] = -0f;
    s.optimizer().buffers()[1] = -0f;
    ParameterAveraging.Averaged avg = ParameterAveraging.average(List.of(new Trainer.ShardResult(3, s, 17, 4.25)));
    assertBits(s.parameters(), avg.state().parameters(), "parameters");
    assertBits(s.optimizer().buffers(), avg.state().optimizer().buffers(), "optimizer buffers");
    assertEquals(7.0, avg.state().optimizer().step(), 0.0);
    assertEquals(17, avg.sequences());
    assertEquals(4.25, avg.lossSum(), 0.0);
  }

  @Test
  void severalShardsAreTheirSequenceWeightedMean() {
    SplittableRandom r = new SplittableRandom(3);
    TrainingState a = randomState(r, 20, 2, 4);
    TrainingState b = randomState(r, 20, 2, 3);
    TrainingState c = randomState(r, 20, 2, 4);
    ParameterAveraging.Averaged avg = ParameterAveraging.average(List.of(
        new Trainer.ShardResult(0, a, 12, 1.5), new Trainer.ShardResult(1, b, 9, 2.0),
        new Trainer.ShardResult(4, c, 12, 0.5)));
    double[] w = {12, 9, 12};
    float[] expected = new float[60];
    WeightedMean.of(new float[][] {ParameterAveraging.flatten(a), ParameterAveraging.flatten(b),
        ParameterAveraging.flatten(c)}, w, 0, 60, expected, 0);
    assertBits(expected, ParameterAveraging.flatten(avg.state()), "parameters and buffers");
    assertEquals((12 * 4 + 9 * 3 + 12 * 4) / 33.0, avg.state().optimizer().step(), 1e-15);
    assertEquals(33, avg.sequences());
    assertEquals(4.0, avg.lossSum(), 0.0);
  }

  @Test
  void resultsMustBeInShardOrder() {
    SplittableRandom r = new SplittableRandom(4);
    TrainingState a = randomState(r, 5, 1, 1);
    assertThrows(IllegalArgumentException.class, () -> ParameterAveraging.average(List.of(
        new Trainer.ShardResult(2, a, 1, 0), new Trainer.ShardResult(1, a, 1, 0))));
    assertThrows(IllegalArgumentException.class, () -> ParameterAveraging.average(List.of(
        new Trainer.ShardResult(1, a, 1, 0), new Trainer.ShardResult(1, a, 1, 0))));
  }
}
