package io.sparklstm.model;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.Dropout;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.lstm.LstmStack;
import io.sparklstm.lstm.LstmState;
import io.sparklstm.lstm.LstmTape;
import io.sparklstm.lstm.PackedShape;
import java.util.Arrays;

/**
 * PyTorch's {@code SequenceModel}: an {@code nn.LSTM} named {@code lstm} and an optional
 * {@code nn.Linear} named {@code head}, on the top layer's final state ({@code last}: h_n of the
 * top layer, directions concatenated [forward | backward]) or on every step ({@code every-step}).
 * Without a head, the loss reads that LSTM output directly.
 *
 * <p>The model holds no parameters: they are a flat buffer in {@link #layout()} order passed to
 * every call, so one model serves any number of parameter copies (one per Spark task). Mutable
 * scratch lives in a {@link Workspace}, one per thread, reused across batches.
 *
 * <p>Training can use truncated BPTT: the batch is cut into chunks of {@code k} steps; each chunk
 * starts from the previous chunk's final state (carried forward, not differentiated), and gradients
 * of all chunks are summed. Losses are normalised by the whole batch's count, so with {@code k >= T}
 * this is exactly full BPTT.
 */
public final class SequenceModel {
  private final ModelConfig config;
  private final ParameterLayout layout;
  private final LstmStack stack;
  private final LinearHead head;

  public SequenceModel(ModelConfig config, Kernels kernels) {
    this.config = config;
    this.layout = ParameterLayout.of(config);
    this.stack = new LstmStack(config.lstm(), layout.lstm(), kernels);
    this.head = config.hasHead()
        ? new LinearHead(kernels.gemm(), config.lstm().outputSize(), config.head().outputSize(), layout.headWeight(),
            layout.headBias())
        : null;
  }

  public SequenceModel(ModelConfig config) {
    this(config, Kernels.best());
  }

  public ModelConfig config() {
    return config;
  }

  public ParameterLayout layout() {
    return layout;
  }

  /** Width of a prediction row: the head's out_features, or D*H_out without a head. */
  public int predictionSize() {
    return config.predictionSize();
  }

  /** The head mode; {@code last} when there is no head. */
  public HeadMode mode() {
    return config.mode();
  }

  /** Scratch for one thread. */
  public Workspace newWorkspace() {
    return new Workspace(config.lstm());
  }

  /**
   * Mean loss of the batch, and its gradient written into {@code grads} (overwritten; same layout as
   * params). {@code tbptt} is the chunk length for truncated BPTT (0 = full BPTT). Dropout masks
   * come from {@code dropoutSeed} (and the chunk index), so a batch trains identically every time.
   */
  public double lossAndGradient(float[] params, float[] grads, SequenceBatch batch, LossType loss, int tbptt,
                                long dropoutSeed, Workspace ws) {
    checkLabels(batch, loss);
    Arrays.fill(grads, 0f);
    PackedShape shape = batch.shape();
    int steps = shape.steps();
    int chunk = tbptt > 0 ? Math.min(tbptt, steps) : steps;
    long count = labelCount(batch, loss);
    LstmState carry = null;
    double total = 0;
    for (int start = 0, index = 0; start < steps; start += chunk, index++) {
      int end = Math.min(steps, start + chunk);
      PackedShape part = chunk == steps ? shape : chunkShape(shape, start, end);
      float[] x = chunk == steps ? batch.features()
          : Arrays.copyOfRange(batch.features(), shape.stepOffset(start) * batch.inputSize(),
              shape.stepOffset(end) * batch.inputSize());
      stack.forward(params, part, x, carry, true, Dropout.seeded(dropoutSeed * 1_000_003L + index), ws.tape);
      ChunkGradient g = mode() == HeadMode.EVERY_STEP
          ? everyStepLoss(params, grads, batch, loss, count, shape.stepOffset(start), part, ws)
          : lastLoss(params, grads, batch, loss, count, shape, start, end, ws);
      total += g.loss;
      if (g.needsBackward) {
        stack.backward(params, grads, ws.tape, g.dOutput, g.dFinal, null, null);
      }
      if (end < steps) {
        carry = ws.carry(ws.tape.finalState());
      }
    }
    return total;
  }

  /** What a chunk's head and loss hand to the LSTM's backward pass. */
  private record ChunkGradient(double loss, boolean needsBackward, float[] dOutput, LstmState dFinal) {}

  /** Head and loss on every valid step of the chunk; packed rows from {@code rowOffset}. */
  private ChunkGradient everyStepLoss(float[] params, float[] grads, SequenceBatch batch, LossType loss, long count,
                                      int rowOffset, PackedShape part, Workspace ws) {
    int rows = part.rows();
    double l = headLoss(params, grads, ws.tape.output(), rows, batch, loss, rowOffset, count, ws);
    return new ChunkGradient(l, rows > 0, ws.dz, null);
  }

  /** Head and loss on the sequences whose last step is in [start, end). */
  private ChunkGradient lastLoss(float[] params, float[] grads, SequenceBatch batch, LossType loss, long count,
                                 PackedShape shape, int start, int end, Workspace ws) {
    // sorted longest first, so the rows ending in this chunk are a contiguous range [lo, hi)
    int lo = shape.batchSizeOrZero(end);
    int hi = shape.batchSizeOrZero(start);
    if (hi <= lo) {
      return new ChunkGradient(0, false, null, null);
    }
    float[] z = ws.z = grow(ws.z, (hi - lo) * config.lstm().outputSize());
    gatherTopLayer(ws.tape.finalState().h(), z, lo, hi, shape.batch());
    double l = headLoss(params, grads, z, hi - lo, batch, loss, lo, count, ws);
    LstmState dFin = ws.zeroDFinal(shape.batch());
    scatterTopLayer(ws.dz, dFin.h(), lo, hi, shape.batch());
    return new ChunkGradient(l, true, null, dFin);
  }

  /**
   * The head on z (rows, D*H_out), the loss against label rows from {@code labelRow}, and the head's
   * backward: accumulates head gradients and leaves dLoss/dz in {@code ws.dz}. Returns the loss part.
   */
  private double headLoss(float[] params, float[] grads, float[] z, int rows, SequenceBatch batch, LossType loss,
                          int labelRow, long count, Workspace ws) {
    int width = config.lstm().outputSize();
    int p = predictionSize();
    float[] pred = predictRows(params, z, rows, ws);
    float[] dPred = ws.dPred = grow(ws.dPred, rows * p);
    double l = applyLoss(loss, dPred, pred, batch, labelRow, rows, p, count);
    if (head == null) {
      ws.dz = dPred;
    } else {
      ws.dz = grow(ws.dz, rows * width);
      head.backward(params, grads, ws.dz, dPred, z, 0, width, rows);
    }
    return l;
  }

  /** Predictions of z's rows: the head's output, or z itself without a head. */
  private float[] predictRows(float[] params, float[] z, int rows, Workspace ws) {
    if (head == null) {
      return z;
    }
    float[] y = ws.pred = grow(ws.pred, rows * head.outputSize());
    head.forward(params, y, z, 0, config.lstm().outputSize(), rows);
    return y;
  }

  private static double applyLoss(LossType loss, float[] dPred, float[] pred, SequenceBatch batch, int labelRow,
                                  int rows, int width, long count) {
    if (loss == LossType.MSE) {
      return Losses.mse(dPred, pred, batch.targets(), labelRow * width, rows, width, count);
    }
    return Losses.crossEntropy(dPred, pred, batch.classes(), labelRow, rows, width, count);
  }

  /** z (rows, D*H_out) = [h_n forward | h_n backward] of the top layer, sorted rows [lo, hi). */
  private void gatherTopLayer(float[] h, float[] z, int lo, int hi, int batch) {
    LstmConfig c = config.lstm();
    int d = c.directions();
    int hOut = c.outputHiddenSize();
    for (int dir = 0; dir < d; dir++) {
      int row = (c.numLayers() - 1) * d + dir;
      for (int b = lo; b < hi; b++) {
        System.arraycopy(h, (row * batch + b) * hOut, z, (b - lo) * d * hOut + dir * hOut, hOut);
      }
    }
  }

  /** Inverse of {@link #gatherTopLayer}: writes dz rows into the top layer's rows of dh. */
  private void scatterTopLayer(float[] dz, float[] dh, int lo, int hi, int batch) {
    LstmConfig c = config.lstm();
    int d = c.directions();
    int hOut = c.outputHiddenSize();
    for (int dir = 0; dir < d; dir++) {
      int row = (c.numLayers() - 1) * d + dir;
      for (int b = lo; b < hi; b++) {
        System.arraycopy(dz, (b - lo) * d * hOut + dir * hOut, dh, (row * batch + b) * hOut, hOut);
      }
    }
  }

  /** Lengths of steps [start, end) of each row, clamped at 0: still sorted longest first. */
  private static PackedShape chunkShape(PackedShape shape, int start, int end) {
    int[] len = new int[shape.batch()];
    for (int b = 0; b < len.length; b++) {
      len[b] = Math.max(0, Math.min(shape.length(b), end) - start);
    }
    return PackedShape.ofSortedLengths(len);
  }

  private long labelCount(SequenceBatch batch, LossType loss) {
    long rows = mode() == HeadMode.EVERY_STEP ? batch.shape().rows() : batch.size();
    return loss == LossType.MSE ? rows * predictionSize() : rows;
  }

  private void checkLabels(SequenceBatch batch, LossType loss) {
    if (batch.inputSize() != config.lstm().inputSize()) {
      throw new IllegalArgumentException("batch has " + batch.inputSize() + " features per step, the model "
          + config.lstm().inputSize());
    }
    if (loss == LossType.MSE) {
      if (batch.targets() == null || batch.targetWidth() != predictionSize()) {
        throw new IllegalArgumentException("MSE needs float targets of width " + predictionSize()
            + " per " + (mode() == HeadMode.LAST ? "sequence" : "step"));
      }
    } else {
      if (batch.classes() == null) {
        throw new IllegalArgumentException("cross-entropy needs an integer class per "
            + (mode() == HeadMode.LAST ? "sequence" : "step"));
      }
      for (int c : batch.classes()) {
        if (c < 0 || c >= predictionSize()) {
          throw new IllegalArgumentException("class " + c + " is out of range [0, " + predictionSize() + ")");
        }
      }
    }
    long expected = (long) (mode() == HeadMode.EVERY_STEP ? batch.shape().rows() : batch.size());
    long given = loss == LossType.MSE ? batch.targets().length / Math.max(1, batch.targetWidth())
        : batch.classes().length;
    if (given != expected) {
      throw new IllegalArgumentException("head mode " + mode().configName() + " needs " + expected
          + " labels for this batch, got " + given);
    }
  }

  /**
   * Inference on a batch from {@code init} (sorted row order; null = zeros), dropout off. Results
   * stay in the workspace until its next use: {@link Workspace#output()}, {@link Workspace#finalState()},
   * and the returned predictions: (B, out) for {@code last}, (N, out) packed for {@code every-step}.
   */
  public float[] predict(float[] params, SequenceBatch batch, LstmState init, Workspace ws) {
    PackedShape shape = batch.shape();
    stack.infer(params, shape, batch.features(), init, ws.tape);
    int width = config.lstm().outputSize();
    if (mode() == HeadMode.EVERY_STEP) {
      float[] out = ws.tape.output();
      return head == null ? Arrays.copyOf(out, shape.rows() * width)
          : Arrays.copyOf(predictRows(params, out, shape.rows(), ws), shape.rows() * head.outputSize());
    }
    float[] z = ws.z = grow(ws.z, shape.batch() * width);
    gatherTopLayer(ws.tape.finalState().h(), z, 0, shape.batch(), shape.batch());
    return head == null ? Arrays.copyOf(z, shape.batch() * width)
        : Arrays.copyOf(predictRows(params, z, shape.batch(), ws), shape.batch() * head.outputSize());
  }

  private static float[] grow(float[] a, int size) {
    return a != null && a.length >= size ? a : new float[size];
  }

  /** Per-thread scratch: the LSTM tape and the head's buffers, grown as needed and reused. */
  public static final class Workspace {
    private final LstmConfig config;
    final LstmTape tape;
    float[] z;
    float[] dz;
    float[] pred;
    float[] dPred;
    private LstmState dFinal;
    private LstmState carry;

    Workspace(LstmConfig config) {
      this.config = config;
      this.tape = new LstmTape(config);
    }

    /** Top-layer output of the last call: (N, D*H_out) packed. */
    public float[] output() {
      return tape.output();
    }

    /** h_n, c_n of the last call, sorted row order. */
    public LstmState finalState() {
      return tape.finalState();
    }

    LstmState zeroDFinal(int batch) {
      if (dFinal == null || dFinal.batch() != batch) {
        dFinal = LstmState.zeros(config, batch);
      } else {
        Arrays.fill(dFinal.h(), 0f);
        Arrays.fill(dFinal.c(), 0f);
      }
      return dFinal;
    }

    /** A copy of {@code state} that the next forward pass cannot overwrite. */
    LstmState carry(LstmState state) {
      if (carry == null || carry.batch() != state.batch()) {
        carry = LstmState.zeros(config, state.batch());
      }
      System.arraycopy(state.h(), 0, carry.h(), 0, state.h().length);
      System.arraycopy(state.c(), 0, carry.c(), 0, state.c().length);
      return carry;
    }
  }
}
