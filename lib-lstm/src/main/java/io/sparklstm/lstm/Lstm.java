package io.sparklstm.lstm;

import io.sparklstm.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.LSTM} in Java: the same arguments, shapes, layouts, parameter names and results.
 *
 * <pre>
 * Lstm lstm = Lstm.create(LstmConfig.of(10, 20), 42);      // nn.LSTM(10, 20)
 * LstmResult r = lstm.forward(Tensor.zeros(5, 3, 10));     // input (T=5, B=3, I=10)
 * r.output();  // (5, 3, 20)     r.hN();  // (1, 3, 20)     r.cN();  // (1, 3, 20)
 * </pre>
 *
 * <p>Shapes (D = 2 if bidirectional, H_out = proj_size or hidden_size):
 * input (T, B, I), or (B, T, I) with batch_first, or (T, I) unbatched; h_0 (L*D, B, H_out) and c_0
 * (L*D, B, H), or (L*D, H_out)/(L*D, H) unbatched; output (T, B, D*H_out) with the last dimension
 * {@code [forward | backward]}; h_n, c_n like h_0, c_0, row {@code layer * D + direction}.
 * Per-row lengths give PyTorch's packed-sequence semantics: h_n/c_n at each row's own last step
 * (first step for the reverse direction), output zero past each row's length.
 *
 * <p>Parameters live in one flat buffer named as {@code nn.LSTM.state_dict()} ({@code weight_ih_l0}, ...).
 * A module is not thread-safe (it reuses one workspace); use one per thread.
 */
public final class Lstm {
  private final LstmConfig config;
  private final LstmLayout layout;
  private final float[] params;
  private final LstmStack stack;

  private Lstm(LstmConfig config, float[] params, Kernels kernels) {
    this.config = config;
    this.layout = LstmLayout.of(config, "");
    if (params.length != layout.size()) {
      throw new IllegalArgumentException("an LSTM with " + config + " has " + layout.size()
          + " parameters, got " + params.length);
    }
    this.params = params;
    this.stack = new LstmStack(config, layout, kernels);
  }

  /** A new LSTM initialised as PyTorch does ({@code U(-1/sqrt(H), 1/sqrt(H))}), from {@code seed}. */
  public static Lstm create(LstmConfig config, long seed) {
    LstmLayout layout = LstmLayout.of(config, "");
    float[] params = new float[layout.size()];
    LstmInit.initialize(params, layout, seed);
    return new Lstm(config, params, Kernels.best());
  }

  /** An LSTM over the given parameter buffer (not copied), laid out as {@link #layout()}. */
  public static Lstm withParameters(LstmConfig config, float[] params) {
    return new Lstm(config, params, Kernels.best());
  }

  /** The same, computing with chosen kernels (tests compare implementations). */
  public static Lstm withParameters(LstmConfig config, float[] params, Kernels kernels) {
    return new Lstm(config, params, kernels);
  }

  public LstmConfig config() {
    return config;
  }

  /** Names, shapes and offsets of {@link #parameters()}: PyTorch's state_dict names without prefix. */
  public LstmLayout layout() {
    return layout;
  }

  /** The flat parameter buffer (shared). */
  public float[] parameters() {
    return params;
  }

  /** A copy of the parameter called {@code name} (e.g. {@code weight_hh_l1_reverse}). */
  public Tensor parameter(String name) {
    LstmLayout.Entry e = entry(name);
    return Tensor.of(Arrays.copyOfRange(params, e.offset(), e.offset() + e.size()), e.shape());
  }

  /** Sets the parameter called {@code name}; the shape must match. */
  public void setParameter(String name, Tensor value) {
    LstmLayout.Entry e = entry(name);
    if (!Arrays.equals(e.shape(), value.shape())) {
      throw new IllegalArgumentException(name + " has shape " + Arrays.toString(e.shape()) + ", got "
          + Arrays.toString(value.shape()));
    }
    System.arraycopy(value.data(), 0, params, e.offset(), e.size());
  }

  private LstmLayout.Entry entry(String name) {
    LstmLayout.Entry e = layout.find(name);
    if (e == null) {
      throw new IllegalArgumentException("no parameter called " + name + "; this LSTM has "
          + layout.entries().stream().map(LstmLayout.Entry::name).toList());
    }
    return e;
  }

  /** {@code lstm(input)}: zero initial state, every row the full length. */
  public LstmResult forward(Tensor input) {
    return forward(input, null, null, null, false, null);
  }

  /** {@code lstm(input, (h_0, c_0))}. */
  public LstmResult forward(Tensor input, Tensor h0, Tensor c0) {
    return forward(input, null, h0, c0, false, null);
  }

  /**
   * The general form. {@code lengths} (B values in [1, T], any order) gives each row its own length
   * as {@code pack_padded_sequence(input, lengths, enforce_sorted=False)} would, or null for all T.
   * h0/c0 may both be null (zeros). With {@code training}, dropout between layers uses {@code dropout}
   * (a seeded or fixed mask source); otherwise dropout is off, as in {@code eval()} mode.
   */
  public LstmResult forward(Tensor input, int[] lengths, Tensor h0, Tensor c0, boolean training,
                            Dropout dropout) {
    InputShape in = InputShape.of(config, input);
    int[] rowLengths = lengths == null ? filled(in.batch, in.steps) : checkLengths(lengths, in);
    int[] order = Packing.sortOrder(rowLengths);
    PackedShape shape = PackedShape.ofSortedLengths(Packing.sortedLengths(rowLengths, order));
    float[] x = Packing.pack(input.data(), in.batchFirst, in.steps, config.inputSize(), shape, order);
    LstmState init = initialState(h0, c0, in, order);
    if (training && config.dropout() > 0 && config.numLayers() > 1 && dropout == null) {
      throw new IllegalArgumentException("training with dropout > 0 needs a Dropout mask source");
    }
    LstmTape tape = new LstmTape(config);
    stack.forward(params, shape, x, init, training, dropout, tape);
    return new LstmResult(this, stack, tape, in, order);
  }

  private static int[] filled(int n, int value) {
    int[] a = new int[n];
    Arrays.fill(a, value);
    return a;
  }

  private static int[] checkLengths(int[] lengths, InputShape in) {
    if (lengths.length != in.batch) {
      throw new IllegalArgumentException("expected " + in.batch + " lengths (one per sequence), got "
          + lengths.length);
    }
    for (int b = 0; b < lengths.length; b++) {
      if (lengths[b] < 1 || lengths[b] > in.steps) {
        throw new IllegalArgumentException("length of sequence " + b + " must be in [1, " + in.steps
            + "], got " + lengths[b]);
      }
    }
    return lengths.clone();
  }

  private LstmState initialState(Tensor h0, Tensor c0, InputShape in, int[] order) {
    if (h0 == null && c0 == null) {
      return null;
    }
    if (h0 == null || c0 == null) {
      throw new IllegalArgumentException("give both h_0 and c_0, or neither");
    }
    int rows = config.stateRows();
    int[] hShape = in.stateShape(rows, config.outputHiddenSize());
    int[] cShape = in.stateShape(rows, config.hiddenSize());
    if (!Arrays.equals(h0.shape(), hShape)) {
      throw new IllegalArgumentException("Expected hidden[0] size " + Arrays.toString(hShape) + ", got "
          + Arrays.toString(h0.shape()));
    }
    if (!Arrays.equals(c0.shape(), cShape)) {
      throw new IllegalArgumentException("Expected hidden[1] size " + Arrays.toString(cShape) + ", got "
          + Arrays.toString(c0.shape()));
    }
    return LstmState.wrap(config, in.batch,
        Packing.sortRows(h0.data(), rows, config.outputHiddenSize(), order),
        Packing.sortRows(c0.data(), rows, config.hiddenSize(), order));
  }

  /** How the caller's input is laid out: batched or not, batch-first or not, T and B. */
  static final class InputShape {
    final boolean unbatched;
    final boolean batchFirst;
    final int steps;
    final int batch;

    private InputShape(boolean unbatched, boolean batchFirst, int steps, int batch) {
      this.unbatched = unbatched;
      this.batchFirst = batchFirst;
      this.steps = steps;
      this.batch = batch;
    }

    static InputShape of(LstmConfig config, Tensor input) {
      int[] s = input.shape();
      if (s.length != 2 && s.length != 3) {
        throw new IllegalArgumentException("LSTM: Expected input to be 2-D (T, I) or 3-D ("
            + (config.batchFirst() ? "B, T, I" : "T, B, I") + "), got " + s.length + "-D shape "
            + Arrays.toString(s));
      }
      if (s[s.length - 1] != config.inputSize()) {
        throw new IllegalArgumentException("input.size(-1) must be equal to input_size. Expected "
            + config.inputSize() + ", got " + s[s.length - 1]);
      }
      if (s.length == 2) {
        return new InputShape(true, false, s[0], 1);
      }
      boolean bf = config.batchFirst();
      return new InputShape(false, bf, bf ? s[1] : s[0], bf ? s[0] : s[1]);
    }

    int[] stateShape(int rows, int size) {
      return unbatched ? new int[] {rows, size} : new int[] {rows, batch, size};
    }

    int[] outputShape(int size) {
      if (unbatched) {
        return new int[] {steps, size};
      }
      return batchFirst ? new int[] {batch, steps, size} : new int[] {steps, batch, size};
    }
  }
}
