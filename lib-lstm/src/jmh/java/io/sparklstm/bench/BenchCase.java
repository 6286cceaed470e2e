package io.sparklstm.bench;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.lstm.PackedShape;
import java.util.Locale;

/**
 * One grid point, named by an id that the Java and the PyTorch benchmarks both parse:
 * {@code T50_B64_I32_H128_L2[_bi][_P64][_var]}.
 *
 * <p>T steps, B sequences, I input size, H hidden size, L layers; {@code _bi} bidirectional,
 * {@code _Pn} proj_size n, {@code _var} variable lengths: sequence b (sorted longest first) has
 * length {@code T - (b * (T / 2)) / B}, from T down to about T/2.
 *
 * <p>FLOPs (multiply-adds count 2) per sequence of length T', per layer and direction with layer
 * input width I_l: forward {@code 2 * T' * (4H * (I_l + H_out) + H * P)} (the last term only with a
 * projection), which is the issue's {@code 2 * 4H * (I_l + H) * T} without one; backward twice the
 * forward. Pointwise work is not counted.
 */
public record BenchCase(int steps, int batch, int input, int hidden, int layers, boolean bidirectional,
                        int proj, boolean variableLengths) {

  /** Parses an id such as {@code T50_B64_I32_H128_L2_bi}. */
  public static BenchCase parse(String id) {
    int t = -1;
    int b = -1;
    int i = -1;
    int h = -1;
    int l = -1;
    int p = 0;
    boolean bi = false;
    boolean var = false;
    for (String part : id.split("_")) {
      if (part.equals("bi")) {
        bi = true;
      } else if (part.equals("var")) {
        var = true;
      } else if (part.length() > 1 && Character.isDigit(part.charAt(1))) {
        int v = Integer.parseInt(part.substring(1));
        switch (part.charAt(0)) {
          case 'T' -> t = v;
          case 'B' -> b = v;
          case 'I' -> i = v;
          case 'H' -> h = v;
          case 'L' -> l = v;
          case 'P' -> p = v;
          default -> throw new IllegalArgumentException("benchmark case " + id + ": unknown part " + part);
        }
      } else {
        throw new IllegalArgumentException("benchmark case " + id + ": unknown part " + part);
      }
    }
    if (t <= 0 || b <= 0 || i <= 0 || h <= 0 || l <= 0) {
      throw new IllegalArgumentException("benchmark case " + id + " needs T, B, I, H and L, e.g. T50_B64_I32_H128_L1");
    }
    return new BenchCase(t, b, i, h, l, bi, p, var);
  }

  public LstmConfig config() {
    return new LstmConfig(input, hidden, layers, true, false, 0.0, bidirectional, proj);
  }

  /** Sequence lengths, sorted longest first. */
  public int[] lengths() {
    int[] lengths = new int[batch];
    for (int r = 0; r < batch; r++) {
      lengths[r] = variableLengths ? steps - (r * (steps / 2)) / batch : steps;
    }
    return lengths;
  }

  public PackedShape shape() {
    return PackedShape.ofSortedLengths(lengths());
  }

  /** Forward FLOPs of the whole batch (all sequences, their own lengths). */
  public double forwardFlopsPerBatch() {
    LstmConfig c = config();
    long packedRows = 0;
    for (int len : lengths()) {
      packedRows += len;
    }
    double perRow = 0;
    for (int layer = 0; layer < layers; layer++) {
      double perDirection = 2.0 * (4.0 * hidden * (c.layerInputSize(layer) + c.outputHiddenSize()) + (double) hidden * proj);
      perRow += perDirection * c.directions();
    }
    return perRow * packedRows;
  }

  public String id() {
    return String.format(Locale.ROOT, "T%d_B%d_I%d_H%d_L%d%s%s%s", steps, batch, input, hidden, layers,
        bidirectional ? "_bi" : "", proj > 0 ? "_P" + proj : "", variableLengths ? "_var" : "");
  }
}
