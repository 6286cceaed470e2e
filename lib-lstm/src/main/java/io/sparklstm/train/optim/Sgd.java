package io.sparklstm.train.optim;

import java.util.List;

/**
 * {@code torch.optim.SGD} of PyTorch 1.13 (its single-tensor CPU code), over flat float buffers.
 *
 * <pre>
 * input: γ (lr), λ (weight decay), μ (momentum), τ (dampening), nesterov
 * g_t ← ∇f(θ_{t-1})
 * if λ ≠ 0:      g_t ← g_t + λ θ_{t-1}
 * if μ ≠ 0:
 *   if t > 1:    b_t ← μ b_{t-1} + (1 − τ) g_t
 *   else:        b_t ← g_t                          (first step: a copy, no dampening)
 *   if nesterov: g_t ← g_t + μ b_t
 *   else:        g_t ← b_t
 * θ_t ← θ_{t-1} − γ g_t
 * </pre>
 * State: {@code momentum_buffer} when μ ≠ 0, else nothing but the step count. "First step" means a
 * state whose step count is 0. Float32 rounding as PyTorch's CPU kernels: {@code x.add(y, alpha=a)}
 * is one fused multiply-add {@code fma(y, (float) a, x)}, {@code mul_(a)} is a float product.
 *
 * @param learningRate γ, &gt;= 0; PyTorch has no default
 * @param momentum     μ, &gt;= 0 (default 0)
 * @param dampening    τ (default 0)
 * @param nesterov     Nesterov momentum; needs μ &gt; 0 and τ = 0 (default false)
 * @param weightDecay  λ, L2 penalty added to the gradient, &gt;= 0 (default 0)
 */
public record Sgd(double learningRate, double momentum, double dampening, boolean nesterov, double weightDecay)
    implements Optimizer {
  public static final double DEFAULT_MOMENTUM = 0;
  public static final double DEFAULT_DAMPENING = 0;
  public static final boolean DEFAULT_NESTEROV = false;
  public static final double DEFAULT_WEIGHT_DECAY = 0;

  public Sgd {
    String type = "sgd";
    OptimizerConfig.atLeastZero(type, "learning-rate", learningRate);
    OptimizerConfig.atLeastZero(type, "momentum", momentum);
    OptimizerConfig.finite(type, "dampening", dampening);
    OptimizerConfig.atLeastZero(type, "weight-decay", weightDecay);
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException("sgd: nesterov requires momentum > 0 and dampening = 0, got momentum "
          + momentum + " and dampening " + dampening);
    }
  }

  /** Plain SGD with learning rate {@code learningRate} and every other hyperparameter at its default. */
  public static Sgd of(double learningRate) {
    return new Sgd(learningRate, DEFAULT_MOMENTUM, DEFAULT_DAMPENING, DEFAULT_NESTEROV, DEFAULT_WEIGHT_DECAY);
  }

  @Override
  public Sgd withLearningRate(double lr) {
    return lr == learningRate ? this : new Sgd(lr, momentum, dampening, nesterov, weightDecay);
  }

  @Override
  public String type() {
    return "sgd";
  }

  @Override
  public List<String> bufferNames() {
    return momentum != 0 ? List.of("momentum_buffer") : List.of();
  }

  @Override
  public void step(float[] params, float[] grads, OptimizerState state) {
    state.checkFits(this, params, grads);
    float negLr = (float) -learningRate;
    float decay = (float) weightDecay;
    float mu = (float) momentum;
    float keep = (float) (1 - dampening);
    boolean first = state.step() == 0;
    float[] buf = state.buffers(); // momentum_buffer at offset 0, when there is one
    for (int i = 0; i < params.length; i++) {
      float g = grads[i];
      if (weightDecay != 0) {
        g = Math.fma(params[i], decay, g); // d_p = d_p.add(param, alpha=weight_decay)
      }
      if (momentum != 0) {
        // buf = clone(d_p) on the first step, else buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
        float b = first ? g : Math.fma(g, keep, buf[i] * mu);
        buf[i] = b;
        g = nesterov ? Math.fma(b, mu, g) : b; // d_p = d_p.add(buf, alpha=momentum) or d_p = buf
      }
      params[i] = Math.fma(g, negLr, params[i]); // param.add_(d_p, alpha=-lr)
    }
    state.setStep(state.step() + 1);
  }
}
