package io.sparklstm.lstm;

import io.sparklstm.tensor.Tensor;
import java.util.Arrays;

/**
 * Gradients from {@link LstmResult#backward}: every parameter (flat, in the module's layout), the
 * input (in its own layout, zero past each row's length), h_0 and c_0.
 */
public final class LstmGradients {
  private final LstmLayout layout;
  private final float[] parameters;
  private final Tensor input;
  private final Tensor h0;
  private final Tensor c0;

  LstmGradients(LstmLayout layout, float[] parameters, Tensor input, Tensor h0, Tensor c0) {
    this.layout = layout;
    this.parameters = parameters;
    this.input = input;
    this.h0 = h0;
    this.c0 = c0;
  }

  /** All parameter gradients, flat, in the module's layout. */
  public float[] parameters() {
    return parameters;
  }

  /** The gradient of the parameter called {@code name}, e.g. {@code weight_ih_l0}. */
  public Tensor parameter(String name) {
    LstmLayout.Entry e = layout.find(name);
    if (e == null) {
      throw new IllegalArgumentException("no parameter called " + name);
    }
    return Tensor.of(Arrays.copyOfRange(parameters, e.offset(), e.offset() + e.size()), e.shape());
  }

  public Tensor input() {
    return input;
  }

  public Tensor h0() {
    return h0;
  }

  public Tensor c0() {
    return c0;
  }
}
