package io.sparklstm.train;

import io.sparklstm.train.optim.OptimizerState;
import java.io.Serializable;

/**
 * What a training run carries from step to step: the parameters (flat, in the model's
 * ParameterLayout) and the optimizer's state (step count and buffers in the same layout).
 */
public final class TrainingState implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] parameters;
  private final OptimizerState optimizer;

  public TrainingState(float[] parameters, OptimizerState optimizer) {
    if (optimizer.parameterCount() != parameters.length) {
      throw new IllegalArgumentException("optimizer state for " + optimizer.parameterCount()
          + " parameters does not fit " + parameters.length + " parameters");
    }
    this.parameters = parameters;
    this.optimizer = optimizer;
  }

  /** The parameters (shared, updated in place by training). */
  public float[] parameters() {
    return parameters;
  }

  /** The optimizer state (shared, updated in place by training). */
  public OptimizerState optimizer() {
    return optimizer;
  }

  /** An independent copy. */
  public TrainingState copy() {
    return new TrainingState(parameters.clone(), optimizer.copy());
  }
}
