package io.sparklstm.lstm;

/** The LSTM's nonlinearities in float32, evaluated in double and rounded once. */
final class Activations {
  private Activations() {}

  static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-x)));
  }

  static float tanh(float x) {
    return (float) Math.tanh(x);
  }
}
