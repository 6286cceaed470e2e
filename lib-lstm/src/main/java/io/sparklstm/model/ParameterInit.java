package io.sparklstm.model;

import io.sparklstm.lstm.LstmConfig;
import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation, from a seed.
 *
 * <p>{@code nn.LSTM.reset_parameters}: every LSTM tensor {@code U(-1/sqrt(H), 1/sqrt(H))}.
 * {@code nn.Linear}: weight {@code kaiming_uniform_(a=sqrt(5))}, which is {@code U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in))}, and bias {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}. The distributions are
 * PyTorch's; the random stream is Java's (a SplittableRandom per tensor, seeded from the seed and
 * the tensor's name), so the same seed always gives the same parameters.
 */
public final class ParameterInit {
  private ParameterInit() {}

  /** A new parameter buffer for {@code layout}, filled as PyTorch would (different random stream). */
  public static float[] initialize(ModelConfig config, ParameterLayout layout, long seed) {
    float[] params = new float[layout.size()];
    LstmConfig lstm = config.lstm();
    float lstmBound = (float) (1.0 / Math.sqrt(lstm.hiddenSize()));
    float headBound = (float) (1.0 / Math.sqrt(lstm.outputSize()));
    for (ParameterLayout.Entry e : layout.entries()) {
      float bound = e.name().startsWith("head.") ? headBound : lstmBound;
      SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * e.name().hashCode()));
      for (int i = 0; i < e.size(); i++) {
        params[e.offset() + i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
    }
    return params;
  }
}
