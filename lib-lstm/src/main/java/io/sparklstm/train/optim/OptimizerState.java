package io.sparklstm.train.optim;

import java.io.Serializable;
import io.sparklstm.train.WeightedMean;
import java.util.List;

/**
 * What an optimizer remembers between steps: a step count and k per-parameter buffers, all in one
 * flat float array, so the Spark job can ship it as plain floats and average it across workers.
 *
 * <p>Buffer {@code b} (named {@link Optimizer#bufferNames()}{@code .get(b)}, e.g. {@code exp_avg})
 * occupies {@code buffers()[b*P, (b+1)*P)}, where P is the parameter count ({@code
 * ParameterLayout.size()}); inside it every tensor sits at its ParameterLayout offset, exactly as in
 * the parameter and gradient buffers. So the {@code exp_avg_sq} of {@code lstm.bias_ih_l0} starts at
 * {@code offset(1) + layout.find("lstm.bias_ih_l0").offset()}.
 *
 * <p>The step count is a double: PyTorch counts steps in a float32 tensor ({@code state['step']}),
 * and the sequence-weighted mean of the counts of workers that ran different numbers of mini-batches
 * is fractional. Adam's bias corrections use it as it is; SGD's "first step" is {@code step == 0}.
 *
 * <p>Mutable: {@link Optimizer#step} advances it in place. Not thread-safe.
 */
public final class OptimizerState implements Serializable {
  private static final long serialVersionUID = 1L;

  private double step;
  private final int parameterCount;
  private final float[] buffers;

  /**
   * Wraps {@code buffers} (not copied): {@code buffers.length / parameterCount} buffers of
   * {@code parameterCount} floats each, after {@code step} steps.
   */
  public OptimizerState(double step, int parameterCount, float[] buffers) {
    checkStep(step);
    if (parameterCount < 0) {
      throw new IllegalArgumentException("parameter count must be >= 0, got " + parameterCount);
    }
    if (buffers == null) {
      throw new IllegalArgumentException("optimizer state buffers must not be null");
    }
    if (parameterCount == 0 ? buffers.length != 0 : buffers.length % parameterCount != 0) {
      throw new IllegalArgumentException("optimizer state of " + buffers.length + " floats is not a whole number of "
          + "buffers of " + parameterCount + " parameters");
    }
    this.step = step;
    this.parameterCount = parameterCount;
    this.buffers = buffers;
  }

  /** Step 0 and {@code bufferCount} buffers of zeros: a fresh optimizer's state. */
  public static OptimizerState zeros(int parameterCount, int bufferCount) {
    if (parameterCount < 0 || bufferCount < 0) {
      throw new IllegalArgumentException("parameter and buffer counts must be >= 0, got " + parameterCount
          + " and " + bufferCount);
    }
    long n = (long) parameterCount * bufferCount;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(bufferCount + " optimizer buffers of " + parameterCount
          + " parameters do not fit one array");
    }
    return new OptimizerState(0, parameterCount, new float[(int) n]);
  }

  /** Steps taken so far (fractional after averaging). */
  public double step() {
    return step;
  }

  /** Sets the step count: the optimizers advance it; a resumed or averaged state restores it. */
  public void setStep(double step) {
    checkStep(step);
    this.step = step;
  }

  /** P, the floats per buffer. */
  public int parameterCount() {
    return parameterCount;
  }

  /** k, the number of per-parameter buffers (0 for plain SGD). */
  public int bufferCount() {
    return parameterCount == 0 ? 0 : buffers.length / parameterCount;
  }

  /** Every buffer, back to back (the live array, not a copy). */
  public float[] buffers() {
    return buffers;
  }

  /** Where buffer {@code b} starts in {@link #buffers()}. */
  public int offset(int b) {
    return b * parameterCount;
  }

  /** An independent copy. */
  public OptimizerState copy() {
    return new OptimizerState(step, parameterCount, buffers.clone());
  }

  /**
   * The weighted mean of states of the same shape: every buffer element and the step count become
   * {@code sum(w_i * x_i) / sum(w_i)}, computed in double as {@code x_0 + sum(w_i * (x_i - x_0)) /
   * sum(w_i)} and rounded once to float, so that states that are all equal average to themselves
   * exactly, whatever the weights. A state of weight 0 takes no part. The Spark driver weights each
   * worker by the number of sequences it trained on.
   */
  public static OptimizerState weightedMean(List<OptimizerState> states, double[] weights) {
    if (states.isEmpty() || states.size() != weights.length) {
      throw new IllegalArgumentException("weighted mean needs one weight per state and at least one state, got "
          + states.size() + " states and " + weights.length + " weights");
    }
    OptimizerState first = states.get(0);
    float[][] buffers = new float[states.size()][];
    double[] steps = new double[states.size()];
    for (int j = 0; j < states.size(); j++) {
      OptimizerState s = states.get(j);
      if (s.parameterCount != first.parameterCount || s.buffers.length != first.buffers.length) {
        throw new IllegalArgumentException("cannot average optimizer states of different shapes: state " + j + " has "
            + s.bufferCount() + " buffers of " + s.parameterCount + ", state 0 has " + first.bufferCount() + " of "
            + first.parameterCount);
      }
      buffers[j] = s.buffers;
      steps[j] = s.step;
    }
    float[] out = new float[first.buffers.length];
    WeightedMean.of(buffers, weights, 0, out.length, out, 0);
    return new OptimizerState(WeightedMean.of(steps, weights), first.parameterCount, out);
  }

  /** Checks that params, grads and this state belong together: once per step, before the loop. */
  void checkFits(Optimizer optimizer, float[] params, float[] grads) {
    if (params.length != parameterCount || grads.length != parameterCount) {
      throw new IllegalArgumentException(optimizer.type() + " step: params has " + params.length + " floats and grads "
          + grads.length + ", but the optimizer state was made for " + parameterCount
          + " parameters (state of another model?)");
    }
    if (bufferCount() != optimizer.bufferCount() && parameterCount > 0) {
      throw new IllegalArgumentException(optimizer.type() + " step: the state has " + bufferCount()
          + " buffers, this optimizer keeps " + optimizer.bufferCount() + " " + optimizer.bufferNames()
          + " (state of another optimizer configuration?)");
    }
  }

  private static void checkStep(double step) {
    if (!(step >= 0 && Double.isFinite(step))) {
      throw new IllegalArgumentException("optimizer step count must be finite and >= 0, got " + step);
    }
  }

  @Override
  public String toString() {
    return "OptimizerState(step=" + step + ", " + bufferCount() + " buffers of " + parameterCount + ")";
  }
}
