package io.sparklstm.lstm;

/**
 * Everything a forward pass keeps for its backward pass, plus the backward pass's scratch space.
 *
 * <p>All buffers are packed (N rows, see {@link PackedShape}). A tape is allocated once and reused:
 * buffers only grow, so a task that trains many batches of similar size allocates nothing per batch.
 * A tape is not thread-safe; use one per thread.
 */
public final class LstmTape {
  /** What one layer-direction keeps: activated gates (N,4H), c, tanh(c), c_prev (N,H), the step inputs
   *  [x | 1 | h_prev] (N, I+1+H_out), and h before projection (N,H) when proj_size &gt; 0. */
  static final class DirectionTape {
    float[] gates = new float[0];
    float[] c = new float[0];
    float[] tanhC = new float[0];
    float[] cPrev = new float[0];
    /** Row r: x_r, 1, h_prev_r: what dgates multiplies for every weight and bias gradient in one GEMM. */
    float[] stepInputs = new float[0];
    float[] hh = new float[0];
  }

  /** What an inference forward ({@link LstmLayer#forwardInference}) needs besides the layer outputs. */
  static final class InferenceScratch {
    float[] gates = new float[0];  // (chunk rows, 4H)
    float[] inputs = new float[0]; // [x | 1] of the chunk's rows, (chunk rows, I+1)
    float[] cA = new float[0];     // c_prev / c, alternating, (B, H)
    float[] cB = new float[0];
    float[] tanhC = new float[0];  // (B, H)
    float[] hh = new float[0];     // h before projection, (B, H), when proj_size > 0
  }

  final LstmConfig config;
  PackedShape shape;
  /** True when the last forward recorded what backward needs (a training forward). */
  boolean recorded;
  final InferenceScratch inference = new InferenceScratch();
  /** Output of each layer, (N, D*H_out). */
  final float[][] layerOutput;
  /** Input of each layer l &gt; 0 after dropout, (N, D*H_out); unused without dropout. */
  final float[][] droppedInput;
  /** Dropout scale per element (0 or 1/(1-p)) for the input of layer l &gt; 0. */
  final float[][] mask;
  final boolean[] dropoutApplied;
  final DirectionTape[] directions;
  /** Final states, sorted row order. */
  LstmState finalState;
  /** The forward input of layer 0 (the caller's array), (N, I). */
  float[] input;

  // Backward scratch.
  float[] dGates = new float[0];
  float[] dLayerA = new float[0];
  float[] dLayerB = new float[0];
  float[] dhTotal = new float[0];
  float[] dhCarry = new float[0];
  float[] dcCarry = new float[0];
  float[] dhBeforeProj = new float[0];
  private float[] weightGrads = new float[0];
  private float[] biasedInputWeights = new float[0];

  public LstmTape(LstmConfig config) {
    this.config = config;
    int layers = config.numLayers();
    this.layerOutput = new float[layers][0];
    this.droppedInput = new float[layers][0];
    this.mask = new float[layers][0];
    this.dropoutApplied = new boolean[layers];
    this.directions = new DirectionTape[layers * config.directions()];
    for (int i = 0; i < directions.length; i++) {
      directions[i] = new DirectionTape();
    }
  }

  /** Bytes a tape needs for N packed rows and B sequences: for memory estimates before training. */
  public static long bytesFor(LstmConfig c, long rows, long batch, boolean training) {
    long h = c.hiddenSize();
    long hOut = c.outputHiddenSize();
    long out = c.outputSize();
    long layers = c.numLayers();
    if (!training) { // two layer outputs, one chunk of gates and inputs, a few (B, H) buffers
      long chunkRows = Math.min(rows, (long) LstmLayer.inferenceChunkSteps((int) Math.min(batch, Integer.MAX_VALUE)) * batch);
      return 4 * (Math.min(2, layers) * rows * out + chunkRows * (4 * h + Math.max(c.inputSize(), out) + 1)
          + batch * h * (c.projSize() > 0 ? 4 : 3));
    }
    long perDirection = rows * (4 * h + 3 * h + hOut + (c.projSize() > 0 ? h : 0));
    long floats = layers * c.directions() * perDirection + layers * rows * out;
    for (int l = 0; l < layers; l++) { // the step inputs' x and ones columns
      floats += c.directions() * rows * (c.layerInputSize(l) + 1L);
    }
    if (c.dropout() > 0 && layers > 1) {
      floats += 2 * (layers - 1) * rows * out;
    }
    floats += rows * 4 * h + (layers > 1 ? 2 * rows * out : 0)  // backward scratch
        + (c.projSize() > 0 ? rows * hOut : 0) + batch * (hOut + 2 * h);
    return 4 * floats;
  }

  /** Grows the buffers to hold {@code shape}: everything backward needs when {@code training}. */
  void prepare(PackedShape shape, boolean training) {
    this.shape = shape;
    this.recorded = training;
    int n = shape.rows();
    int b = shape.batch();
    int h = config.hiddenSize();
    int hOut = config.outputHiddenSize();
    int out = config.outputSize();
    for (int l = 0; l < (training ? layerOutput.length : Math.min(2, layerOutput.length)); l++) {
      layerOutput[l] = grow(layerOutput[l], n * out);
    }
    if (finalState == null || finalState.batch() != b) {
      finalState = LstmState.zeros(config, b);
    }
    if (!training) {
      int chunkRows = Math.min(n, LstmLayer.inferenceChunkSteps(b) * b);
      inference.gates = grow(inference.gates, chunkRows * 4 * h);
      inference.inputs = grow(inference.inputs, chunkRows * (Math.max(config.inputSize(), out) + 1));
      inference.cA = grow(inference.cA, b * h);
      inference.cB = grow(inference.cB, b * h);
      inference.tanhC = grow(inference.tanhC, b * h);
      if (config.projSize() > 0) {
        inference.hh = grow(inference.hh, b * h);
      }
      return;
    }
    for (int i = 0; i < directions.length; i++) {
      DirectionTape d = directions[i];
      int layer = i / config.directions();
      d.gates = grow(d.gates, n * 4 * h);
      d.c = grow(d.c, n * h);
      d.tanhC = grow(d.tanhC, n * h);
      d.cPrev = grow(d.cPrev, n * h);
      d.stepInputs = grow(d.stepInputs, n * (config.layerInputSize(layer) + 1 + hOut));
      if (config.projSize() > 0) {
        d.hh = grow(d.hh, n * h);
      }
    }
  }

  /** Grows the backward scratch for the shape of the last forward. */
  void prepareBackward() {
    int n = shape.rows();
    int b = shape.batch();
    int h = config.hiddenSize();
    int hOut = config.outputHiddenSize();
    int out = config.outputSize();
    dGates = grow(dGates, n * 4 * h);
    if (config.numLayers() > 1) {
      dLayerA = grow(dLayerA, n * out);
      dLayerB = grow(dLayerB, n * out);
    }
    if (config.projSize() > 0) {
      dhTotal = grow(dhTotal, n * hOut);
    }
    dhCarry = grow(dhCarry, b * hOut);
    dcCarry = grow(dcCarry, b * h);
    if (config.projSize() > 0) {
      dhBeforeProj = grow(dhBeforeProj, b * h);
    }
  }

  /** Scratch for one direction's weight and bias gradients before they are added to the gradients. */
  float[] weightGrads(int size) {
    weightGrads = grow(weightGrads, size);
    return weightGrads;
  }

  /** Scratch for one direction's [W_ih | b_ih + b_hh] during a forward pass, (4H, I+1). */
  float[] biasedInputWeights(int size) {
    biasedInputWeights = grow(biasedInputWeights, size);
    return biasedInputWeights;
  }

  float[] dropoutBuffers(int layer, int n) {
    int size = n * config.outputSize();
    droppedInput[layer] = grow(droppedInput[layer], size);
    mask[layer] = grow(mask[layer], size);
    return mask[layer];
  }

  private static float[] grow(float[] a, int size) {
    return a.length >= size ? a : new float[size];
  }

  /** The shape of the last forward pass. */
  public PackedShape shape() {
    return shape;
  }

  /** The top layer's output of the last forward pass: (N, D*H_out) packed. Shared, valid until the next forward. */
  public float[] output() {
    return layerOutput[recorded ? layerOutput.length - 1 : inferenceBuffer(layerOutput.length - 1)];
  }

  /** Where an inference pass puts layer l's output: two buffers, alternating (layer l reads l - 1's). */
  static int inferenceBuffer(int layer) {
    return layer % 2;
  }

  /** h_n and c_n of the last forward pass, sorted row order. Shared, valid until the next forward. */
  public LstmState finalState() {
    return finalState;
  }
}
