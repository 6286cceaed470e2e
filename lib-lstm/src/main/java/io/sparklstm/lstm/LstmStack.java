package io.sparklstm.lstm;

/**
 * The LSTM engine on packed batches: L layers of D directions, dropout between layers only
 * (training only), forward and BPTT backward. Parameters are passed in as a flat buffer addressed by
 * an {@link LstmLayout}, so the same stack serves any number of parameter copies.
 *
 * <p>A bidirectional layer runs both directions on the same input and writes the output's last
 * dimension as {@code [forward | backward]}; the next layer reads both halves.
 */
public final class LstmStack {
  private final LstmConfig config;
  private final LstmLayer[] layers; // [layer * D + direction]

  public LstmStack(LstmConfig config, LstmLayout layout, Kernels kernels) {
    this.config = config;
    int d = config.directions();
    this.layers = new LstmLayer[config.numLayers() * d];
    for (int l = 0; l < config.numLayers(); l++) {
      for (int dir = 0; dir < d; dir++) {
        layers[l * d + dir] = new LstmLayer(kernels, config, layout.slot(l, dir), l, dir);
      }
    }
  }

  public LstmConfig config() {
    return config;
  }

  /**
   * Runs every layer. x (N, I) packed, rows sorted longest first; init (h_0, c_0) in the same row
   * order, or null for zeros. Results stay in the tape ({@link LstmTape#output()},
   * {@link LstmTape#finalState()}). Dropout is applied when training, p &gt; 0 and L &gt; 1.
   */
  public void forward(float[] params, PackedShape shape, float[] x, LstmState init, boolean training,
                      Dropout dropout, LstmTape tape) {
    tape.prepare(shape, true);
    tape.input = x;
    int n = shape.rows();
    int d = config.directions();
    int width = config.outputSize();
    float[] layerInput = x;
    for (int l = 0; l < config.numLayers(); l++) {
      tape.dropoutApplied[l] = false;
      if (l > 0) {
        layerInput = tape.layerOutput[l - 1];
        if (training && config.dropout() > 0) {
          float[] mask = tape.dropoutBuffers(l, n);
          dropout.fillMask(l, config.dropout(), mask, n * width);
          float[] dropped = tape.droppedInput[l];
          for (int i = 0; i < n * width; i++) {
            dropped[i] = layerInput[i] * mask[i];
          }
          layerInput = dropped;
          tape.dropoutApplied[l] = true;
        }
      }
      for (int dir = 0; dir < d; dir++) {
        layers[l * d + dir].forward(params, shape, layerInput, tape.layerOutput[l],
            tape.directions[l * d + dir], tape, init, tape.finalState);
      }
    }
  }

  /**
   * Inference: {@link #forward} with {@code training = false} (no dropout), keeping no tape, so
   * {@link #backward} cannot follow; a fraction of the memory (see {@link LstmLayer#forwardInference};
   * the layers' outputs alternate between two buffers).
   * Results stay in the tape as after {@link #forward}.
   */
  public void infer(float[] params, PackedShape shape, float[] x, LstmState init, LstmTape tape) {
    tape.prepare(shape, false);
    tape.input = x;
    int d = config.directions();
    float[] layerInput = x;
    for (int l = 0; l < config.numLayers(); l++) {
      tape.dropoutApplied[l] = false;
      if (l > 0) {
        layerInput = tape.layerOutput[LstmTape.inferenceBuffer(l - 1)];
      }
      float[] layerOutput = tape.layerOutput[LstmTape.inferenceBuffer(l)];
      for (int dir = 0; dir < d; dir++) {
        layers[l * d + dir].forwardInference(params, shape, layerInput, layerOutput, tape, init,
            tape.finalState);
      }
    }
  }

  /**
   * BPTT through the last {@link #forward} recorded in {@code tape} (which must have been a training
   * forward). dOutput (N, D*H_out): dLoss/d(top output), or null. dFin: dLoss/d(h_n, c_n), or null.
   * Accumulates into {@code grads}; writes dLoss/dx (N, I) into dInput and dLoss/d(h_0, c_0) into
   * dInit when they are not null.
   */
  public void backward(float[] params, float[] grads, LstmTape tape, float[] dOutput, LstmState dFin,
                       float[] dInput, LstmState dInit) {
    if (!tape.recorded) {
      throw new IllegalStateException("backward needs forward(), not infer(), before it");
    }
    PackedShape shape = tape.shape;
    tape.prepareBackward();
    int n = shape.rows();
    int d = config.directions();
    int width = config.outputSize();
    float[] dy = dOutput != null ? dOutput : zeros(tape.dLayerA, n * width, tape);
    for (int l = config.numLayers() - 1; l >= 0; l--) {
      float[] dx;
      if (l > 0) {
        dx = dy == tape.dLayerA ? tape.dLayerB : tape.dLayerA;
        java.util.Arrays.fill(dx, 0, n * width, 0f);
      } else {
        dx = dInput;
        if (dx != null) {
          java.util.Arrays.fill(dx, 0, n * config.inputSize(), 0f);
        }
      }
      float[] x = l == 0 ? tape.input : (tape.dropoutApplied[l] ? tape.droppedInput[l] : tape.layerOutput[l - 1]);
      for (int dir = 0; dir < d; dir++) {
        layers[l * d + dir].backward(params, grads, shape, x, tape.layerOutput[l], dy,
            tape.directions[l * d + dir], tape, dFin, dx, dInit);
      }
      if (l > 0 && tape.dropoutApplied[l]) {
        float[] mask = tape.mask[l];
        for (int i = 0; i < n * width; i++) {
          dx[i] *= mask[i];
        }
      }
      dy = dx;
    }
  }

  private float[] zeros(float[] buffer, int size, LstmTape tape) {
    if (buffer.length < size) {
      buffer = new float[size];
      tape.dLayerA = buffer;
    }
    java.util.Arrays.fill(buffer, 0, size, 0f);
    return buffer;
  }
}
