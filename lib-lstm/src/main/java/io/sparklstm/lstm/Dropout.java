package io.sparklstm.lstm;

import java.util.SplittableRandom;

/**
 * Where the dropout masks between layers come from. A mask element is 0 (dropped) or 1/(1-p)
 * (kept and rescaled), as {@code torch.nn.functional.dropout} in training mode.
 */
public interface Dropout {
  /**
   * Fills {@code mask[0, count)} for the input of layer {@code layer} (&gt;= 1), laid out like the
   * packed output of layer {@code layer - 1}: (N, D*H_out).
   */
  void fillMask(int layer, double p, float[] mask, int count);

  /** Bernoulli masks from a seed: the same seed gives the same masks. */
  static Dropout seeded(long seed) {
    return (layer, p, mask, count) -> {
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + layer);
      float keep = p >= 1 ? 0f : (float) (1.0 / (1.0 - p));
      for (int i = 0; i < count; i++) {
        mask[i] = random.nextDouble() < p ? 0f : keep;
      }
    };
  }

  /** Given masks, one per layer (index 0 unused), already packed: for reproducing another run exactly. */
  static Dropout fixed(float[][] packedMasks) {
    return (layer, p, mask, count) -> {
      float[] m = packedMasks[layer];
      if (m.length < count) {
        throw new IllegalArgumentException("dropout mask for layer " + layer + " has " + m.length
            + " elements, " + count + " needed");
      }
      System.arraycopy(m, 0, mask, 0, count);
    };
  }
}
