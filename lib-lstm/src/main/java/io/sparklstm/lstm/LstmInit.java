package io.sparklstm.lstm;

import java.util.SplittableRandom;

/**
 * PyTorch's {@code nn.LSTM.reset_parameters}, from a seed: every tensor
 * {@code U(-1/sqrt(H), 1/sqrt(H))}. The distribution is PyTorch's; the random stream is Java's (a
 * SplittableRandom per tensor, seeded from the seed and the tensor's name), so the same seed always
 * gives the same parameters.
 */
public final class LstmInit {
  private LstmInit() {}

  /** Fills the tensors of {@code layout} in {@code params} (which may hold more tensors after them). */
  public static void initialize(float[] params, LstmLayout layout, long seed) {
    float bound = (float) (1.0 / Math.sqrt(layout.config().hiddenSize()));
    for (LstmLayout.Entry e : layout.entries()) {
      uniform(params, e.offset(), e.size(), e.name(), bound, seed);
    }
  }

  /**
   * Fills {@code params[offset, offset + size)}, the tensor called {@code name}, with
   * {@code U(-bound, bound)} from the tensor's own stream. Other modules' initialisations use it too.
   */
  public static void uniform(float[] params, int offset, int size, String name, float bound, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * name.hashCode()));
    for (int i = 0; i < size; i++) {
      params[offset + i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
  }
}
