package io.sparklstm.lstm;

/**
 * The (h, c) pair of every layer and direction for a batch, as PyTorch's {@code (h_n, c_n)}:
 * {@code h} is (L*D, B, H_out) and {@code c} is (L*D, B, H), flat row-major, state row
 * {@code layer * D + direction}. Also used for gradients with respect to those states.
 */
public final class LstmState {
  final float[] h;
  final float[] c;
  final int batch;
  final int outputHidden;
  final int hidden;

  private LstmState(float[] h, float[] c, int batch, int outputHidden, int hidden) {
    this.h = h;
    this.c = c;
    this.batch = batch;
    this.outputHidden = outputHidden;
    this.hidden = hidden;
  }

  /** Zeros for {@code batch} sequences. */
  public static LstmState zeros(LstmConfig config, int batch) {
    int rows = config.stateRows();
    return new LstmState(new float[rows * batch * config.outputHiddenSize()],
        new float[rows * batch * config.hiddenSize()], batch, config.outputHiddenSize(), config.hiddenSize());
  }

  /** Wraps h (L*D, B, H_out) and c (L*D, B, H) without copying. */
  public static LstmState wrap(LstmConfig config, int batch, float[] h, float[] c) {
    int rows = config.stateRows();
    int hSize = rows * batch * config.outputHiddenSize();
    int cSize = rows * batch * config.hiddenSize();
    if (h.length != hSize) {
      throw new IllegalArgumentException("h has " + h.length + " elements, expected (L*D=" + rows + ", B="
          + batch + ", H_out=" + config.outputHiddenSize() + ") = " + hSize);
    }
    if (c.length != cSize) {
      throw new IllegalArgumentException("c has " + c.length + " elements, expected (L*D=" + rows + ", B="
          + batch + ", H=" + config.hiddenSize() + ") = " + cSize);
    }
    return new LstmState(h, c, batch, config.outputHiddenSize(), config.hiddenSize());
  }

  /** h: (L*D, B, H_out), shared. */
  public float[] h() {
    return h;
  }

  /** c: (L*D, B, H), shared. */
  public float[] c() {
    return c;
  }

  /** B. */
  public int batch() {
    return batch;
  }

  /** Offset of state row {@code row} in {@link #h()}. */
  int hOffset(int row) {
    return row * batch * outputHidden;
  }

  /** Offset of state row {@code row} in {@link #c()}. */
  int cOffset(int row) {
    return row * batch * hidden;
  }

  /** Copies rows {@code [from, to)} of state row {@code row} from {@code src}, or zeros them when src is null. */
  void copyRowsFrom(LstmState src, int row, int from, int to) {
    int hOff = hOffset(row);
    int cOff = cOffset(row);
    if (src == null) {
      java.util.Arrays.fill(h, hOff + from * outputHidden, hOff + to * outputHidden, 0f);
      java.util.Arrays.fill(c, cOff + from * hidden, cOff + to * hidden, 0f);
    } else {
      System.arraycopy(src.h, hOff + from * outputHidden, h, hOff + from * outputHidden, (to - from) * outputHidden);
      System.arraycopy(src.c, cOff + from * hidden, c, cOff + from * hidden, (to - from) * hidden);
    }
  }
}
