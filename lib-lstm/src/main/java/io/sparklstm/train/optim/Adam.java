package io.sparklstm.train.optim;

import java.util.List;

/**
 * {@code torch.optim.Adam} and, with {@code decoupled}, {@code torch.optim.AdamW} of PyTorch 1.13
 * (their single-tensor CPU code), over flat float buffers.
 *
 * <pre>
 * input: γ (lr), β1, β2 (betas), ε (eps), λ (weight decay), amsgrad, decoupled (AdamW)
 * t ← t + 1                                      (a double: fractional after averaging)
 * g_t ← ∇f(θ_{t-1})
 * if decoupled:  θ_{t-1} ← θ_{t-1} (1 − γλ)     (AdamW)
 * elif λ ≠ 0:    g_t ← g_t + λ θ_{t-1}          (Adam: L2 penalty)
 * m_t ← β1 m_{t-1} + (1 − β1) g_t
 * v_t ← β2 v_{t-1} + (1 − β2) g_t²
 * if amsgrad:    v_t^max ← max(v_{t-1}^max, v_t), and v_t^max replaces v_t below
 * denom ← sqrt(v_t) / sqrt(1 − β2^t) + ε
 * θ_t ← θ_{t-1} − (γ / (1 − β1^t)) m_t / denom
 * </pre>
 * State: {@code exp_avg} (m), {@code exp_avg_sq} (v) and, with amsgrad, {@code max_exp_avg_sq}.
 *
 * <p>Float32 rounding as PyTorch's: the bias corrections, the step size {@code γ / (1 − β1^t)},
 * {@code sqrt(1 − β2^t)} and {@code 1 − γλ} are Python doubles, rounded to float where they meet a
 * tensor; then, in float, {@code exp_avg.mul_(β1).add_(g, alpha=1−β1)} is
 * {@code fma(g, 1−β1, m·β1)}, {@code exp_avg_sq.mul_(β2).addcmul_(g, g, value=1−β2)} is
 * {@code fma((1−β2)·g, g, v·β2)}, {@code denom = (v.sqrt() / bc2_sqrt).add_(ε)} and
 * {@code param.addcdiv_(m, denom, value=−step_size)} is {@code θ + (−step_size·m) / denom}.
 *
 * @param learningRate γ, &gt;= 0 (default 1e-3)
 * @param beta1        β1, in [0, 1) (default 0.9)
 * @param beta2        β2, in [0, 1) (default 0.999)
 * @param epsilon      ε, &gt;= 0 (default 1e-8)
 * @param weightDecay  λ, &gt;= 0 (default 0 for Adam, 1e-2 for AdamW)
 * @param amsgrad      use the running maximum of v (default false)
 * @param decoupled    AdamW's decoupled weight decay instead of Adam's L2 penalty
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
                   boolean amsgrad, boolean decoupled) implements Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 1e-3;
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPSILON = 1e-8;
  public static final double DEFAULT_WEIGHT_DECAY = 0;
  public static final double DEFAULT_ADAMW_WEIGHT_DECAY = 1e-2;
  public static final boolean DEFAULT_AMSGRAD = false;

  public Adam {
    String type = decoupled ? "adamw" : "adam";
    OptimizerConfig.atLeastZero(type, "learning-rate", learningRate);
    OptimizerConfig.unitInterval(type, "beta1", beta1);
    OptimizerConfig.unitInterval(type, "beta2", beta2);
    OptimizerConfig.atLeastZero(type, "epsilon", epsilon);
    OptimizerConfig.atLeastZero(type, "weight-decay", weightDecay);
  }

  /** {@code torch.optim.Adam(params)}: every hyperparameter at its default. */
  public static Adam adam() {
    return new Adam(DEFAULT_LEARNING_RATE, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, DEFAULT_WEIGHT_DECAY,
        DEFAULT_AMSGRAD, false);
  }

  /** {@code torch.optim.AdamW(params)}: every hyperparameter at its default (weight decay 1e-2). */
  public static Adam adamW() {
    return new Adam(DEFAULT_LEARNING_RATE, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, DEFAULT_ADAMW_WEIGHT_DECAY,
        DEFAULT_AMSGRAD, true);
  }

  @Override
  public Adam withLearningRate(double lr) {
    return lr == learningRate ? this : new Adam(lr, beta1, beta2, epsilon, weightDecay, amsgrad, decoupled);
  }

  @Override
  public String type() {
    return decoupled ? "adamw" : "adam";
  }

  @Override
  public List<String> bufferNames() {
    return amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq");
  }

  @Override
  public void step(float[] params, float[] grads, OptimizerState state) {
    state.checkFits(this, params, grads);
    // Python scalars, in double
    double t = state.step() + 1;
    double biasCorrection1 = 1 - Math.pow(beta1, t);
    double biasCorrection2 = 1 - Math.pow(beta2, t);
    double stepSize = learningRate / biasCorrection1;
    // ... rounded to float where they meet a float32 tensor
    float negStepSize = (float) -stepSize;
    float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float oneMinusB1 = (float) (1 - beta1);
    float oneMinusB2 = (float) (1 - beta2);
    float eps = (float) epsilon;
    float decay = (float) weightDecay;
    float shrink = (float) (1 - learningRate * weightDecay);

    int n = params.length;
    float[] s = state.buffers(); // exp_avg [0, n), exp_avg_sq [n, 2n), max_exp_avg_sq [2n, 3n)
    for (int i = 0; i < n; i++) {
      float p = params[i];
      float g = grads[i];
      if (decoupled) {
        p = p * shrink; // param.mul_(1 - lr * weight_decay)
      } else if (weightDecay != 0) {
        g = Math.fma(p, decay, g); // grad = grad.add(param, alpha=weight_decay)
      }
      float m = Math.fma(g, oneMinusB1, s[i] * b1); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
      float v = Math.fma(oneMinusB2 * g, g, s[n + i] * b2); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
      s[i] = m;
      s[n + i] = v;
      if (amsgrad) {
        v = Math.max(s[2 * n + i], v); // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        s[2 * n + i] = v;
      }
      float denom = (float) Math.sqrt(v) / bc2Sqrt + eps; // (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
      params[i] = p + negStepSize * m / denom; // param.addcdiv_(exp_avg, denom, value=-step_size)
    }
    state.setStep(t);
  }
}
