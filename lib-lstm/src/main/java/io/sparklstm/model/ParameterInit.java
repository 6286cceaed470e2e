package io.sparklstm.model;

import io.sparklstm.lstm.LstmInit;

/**
 * PyTorch's default initialisation, from a seed.
 *
 * <p>The LSTM's tensors as {@code nn.LSTM.reset_parameters} ({@link LstmInit}); {@code nn.Linear}:
 * weight {@code kaiming_uniform_(a=sqrt(5))}, which is {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))},
 * and bias {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}. The distributions are PyTorch's; the random
 * stream is Java's (a SplittableRandom per tensor, seeded from the seed and the tensor's name), so
 * the same seed always gives the same parameters.
 */
public final class ParameterInit {
  private ParameterInit() {}

  /** A new parameter buffer for {@code layout}, filled as PyTorch would (different random stream). */
  public static float[] initialize(ModelConfig config, ParameterLayout layout, long seed) {
    float[] params = new float[layout.size()];
    LstmInit.initialize(params, layout.lstm(), seed);
    float headBound = (float) (1.0 / Math.sqrt(config.lstm().outputSize()));
    for (ParameterLayout.Entry e : layout.entries()) {
      if (e.offset() >= layout.lstmSize()) { // head.weight, head.bias
        LstmInit.uniform(params, e.offset(), e.size(), e.name(), headBound, seed);
      }
    }
    return params;
  }
}
