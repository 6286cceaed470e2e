package io.sparklstm.train.optim;

import java.io.Serializable;
import java.util.List;

/**
 * An update rule and its hyperparameters: immutable and validated on construction, so one instance
 * is shared by every worker. What changes from step to step lives in a separate
 * {@link OptimizerState}.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li><b>init</b>: {@code state = optimizer.init(layout.size())}: step 0, every buffer zero, as a
 *       fresh {@code torch.optim} optimizer.</li>
 *   <li><b>step</b>: after the gradients of a mini-batch are computed (and clipped, see
 *       {@link GradClip}), {@code optimizer.step(params, grads, state)} updates the parameters and
 *       the state in place, as {@code optimizer.step()} does.</li>
 *   <li><b>copy</b>: {@code state.copy()} gives an independent state, e.g. one per worker; states
 *       may be replaced between steps by their weighted mean
 *       ({@link OptimizerState#weightedMean}).</li>
 * </ol>
 * Parameters, gradients and every state buffer share one {@code ParameterLayout}.
 */
public interface Optimizer extends Serializable {

  /** The type name used in configs: {@code sgd}, {@code adam} or {@code adamw}. */
  String type();

  /** The learning rate, γ (PyTorch's {@code lr}). */
  double learningRate();

  /**
   * The same rule with learning rate {@code lr}, as a scheduler setting {@code group['lr']} does;
   * {@code this} when it is already {@code lr}, so an unchanged rate changes nothing.
   */
  Optimizer withLearningRate(double lr);

  /** The state buffers, in order, under PyTorch's state names (e.g. {@code exp_avg, exp_avg_sq}). */
  List<String> bufferNames();

  /** The number of per-parameter state buffers. */
  default int bufferCount() {
    return bufferNames().size();
  }

  /** A fresh state for {@code parameterCount} parameters: step 0, every buffer zero. */
  default OptimizerState init(int parameterCount) {
    return OptimizerState.zeros(parameterCount, bufferCount());
  }

  /**
   * One update: {@code params} and {@code state} change in place; {@code grads} is only read. All
   * three are addressed by the same ParameterLayout; the step count goes up by one.
   */
  void step(float[] params, float[] grads, OptimizerState state);
}
