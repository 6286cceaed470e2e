package io.sparklstm.lstm;

import io.sparklstm.blas.Gemm;

/**
 * One direction of one layer: scans {@link LstmCell} over time, forward or reversed, on packed rows.
 *
 * <p>The input projection {@code x W_ih^T + b_ih + b_hh} is one GEMM over all N packed rows before
 * the scan; each step adds {@code h_prev W_hh^T} for its active rows. The training forward keeps each
 * row's {@code [x | 1 | h_prev]} side by side, so that the backward pass, after scanning the other
 * way, gets W_ih's, the biases' and W_hh's gradients from one GEMM over all steps.
 *
 * <p>Packed rows: step t holds the rows still running, a prefix of the batch (rows sorted longest
 * first). Forward direction: a row's state at step t comes from step t-1, or from the initial state
 * at t = 0; its final state is at its own last step. Reverse direction: a row starts at its own last
 * step from the initial state and ends at t = 0.
 */
final class LstmLayer {
  private final Gemm gemm;
  private final LstmCell cell;
  private final LstmLayout.Slot w;
  private final int inputSize;   // I of this layer
  private final int hidden;      // H
  private final int hOut;        // H_out
  private final int proj;        // P (0 = none)
  private final int ldIn;        // I + 1 + H_out: row stride of the step inputs [x | 1 | h_prev]
  private final int hCol;        // I + 1: column of h_prev in the step inputs
  private final int ldy;         // D * H_out: row stride of the layer output
  private final int yCol;        // first column of this direction in the layer output
  private final int stateRow;    // layer * D + direction
  private final boolean reverse;

  LstmLayer(Kernels kernels, LstmConfig c, LstmLayout.Slot w, int layer, int direction) {
    this.gemm = kernels.gemm();
    this.cell = kernels.cell();
    this.w = w;
    this.inputSize = c.layerInputSize(layer);
    this.hidden = c.hiddenSize();
    this.hOut = c.outputHiddenSize();
    this.proj = c.projSize();
    this.hCol = inputSize + 1;
    this.ldIn = hCol + hOut;
    this.ldy = c.outputSize();
    this.yCol = direction * hOut;
    this.stateRow = layer * c.directions() + direction;
    this.reverse = direction == 1;
  }

  /** Step index of the s-th step processed. */
  private int step(PackedShape shape, int s) {
    return reverse ? shape.steps() - 1 - s : s;
  }

  /** The step a row's state comes from (t-1 forward, t+1 reverse). */
  private int previousStep(int t) {
    return reverse ? t + 1 : t - 1;
  }

  /**
   * x (N, I) packed; writes this direction's columns of y (N, D*H_out) and its rows of {@code fin}.
   * init may be null (zeros). Records into {@code tape}; {@code scratch} lends a buffer for the weights.
   */
  void forward(float[] params, PackedShape shape, float[] x, float[] y, LstmTape.DirectionTape tape,
               LstmTape scratch, LstmState init, LstmState fin) {
    int g4 = 4 * hidden;
    float[] gates = tape.gates;
    float[] in = tape.stepInputs;
    project(params, biasedInputWeights(params, scratch), x, 0, shape.rows(), in, ldIn, gates); // all steps at once

    for (int s = 0; s < shape.steps(); s++) {
      int t = step(shape, s);
      int rows = shape.batchSize(t);
      int off = shape.stepOffset(t);
      int prev = previousStep(t);
      int carried = Math.min(rows, shape.batchSizeOrZero(prev));
      // h_prev, c_prev for rows [0, rows): carried from the previous step, the rest from the initial state
      if (carried > 0) {
        int prevOff = shape.stepOffset(prev);
        for (int r = 0; r < carried; r++) {
          System.arraycopy(y, (prevOff + r) * ldy + yCol, in, (off + r) * ldIn + hCol, hOut);
        }
        System.arraycopy(tape.c, prevOff * hidden, tape.cPrev, off * hidden, carried * hidden);
      }
      startFromInitialState(init, carried, rows, in, off, tape.cPrev);
      // gates += h_prev W_hh^T
      gemm.gemmNT(rows, g4, hOut, in, off * ldIn + hCol, ldIn, params, w.weightHh(), hOut,
          1f, gates, off * g4, g4);
      if (proj > 0) {
        cell.forward(tape.hh, off * hidden, hidden, tape.c, tape.tanhC, off * hidden,
            gates, off * g4, tape.cPrev, off * hidden, rows, hidden);
        // h = hh W_hr^T
        gemm.gemmNT(rows, proj, hidden, tape.hh, off * hidden, hidden, params, w.weightHr(), hidden,
            0f, y, off * ldy + yCol, ldy);
      } else {
        cell.forward(y, off * ldy + yCol, ldy, tape.c, tape.tanhC, off * hidden,
            gates, off * g4, tape.cPrev, off * hidden, rows, hidden);
      }
      keepFinalStates(shape, t, y, tape.c, off * hidden, fin);
    }
    keepEmptyRows(shape, init, fin);
  }

  /** [W_ih | b_ih + b_hh], (4H, I+1), in the tape's scratch; null when the layer has no biases. */
  private float[] biasedInputWeights(float[] params, LstmTape scratch) {
    if (w.biasIh() < 0) {
      return null;
    }
    int g4 = 4 * hidden;
    float[] wb = scratch.biasedInputWeights(g4 * hCol);
    for (int q = 0; q < g4; q++) {
      System.arraycopy(params, w.weightIh() + q * inputSize, wb, q * hCol, inputSize);
      wb[q * hCol + inputSize] = params[w.biasIh() + q] + params[w.biasHh() + q];
    }
    return wb;
  }

  /**
   * The input projection of packed rows [first, first + n): in[r] = [x_r | 1 | ...] (row stride ld),
   * then gates[0, n) = [x | 1] [W_ih | b_ih + b_hh]^T, one GEMM (the biases ride along as the column
   * of ones; wb from {@link #biasedInputWeights}, null: no biases).
   */
  private void project(float[] params, float[] wb, float[] x, int first, int n, float[] in, int ld, float[] gates) {
    if (n == 0) {
      return;
    }
    for (int r = 0; r < n; r++) {
      System.arraycopy(x, (first + r) * inputSize, in, r * ld, inputSize);
      in[r * ld + inputSize] = 1f;
    }
    int g4 = 4 * hidden;
    if (wb == null) {
      gemm.gemmNT(n, g4, inputSize, in, 0, ld, params, w.weightIh(), inputSize, 0f, gates, 0, g4);
    } else {
      gemm.gemmNT(n, g4, hCol, in, 0, ld, wb, 0, hCol, 0f, gates, 0, g4);
    }
  }

  /** h_prev (into the step inputs at row off + r) and c_prev of rows [from, to) from the initial state (null: zeros). */
  private void startFromInitialState(LstmState init, int from, int to, float[] in, int off, float[] cPrev) {
    int hFrom = init == null ? 0 : init.hOffset(stateRow);
    for (int r = from; r < to; r++) {
      int dst = (off + r) * ldIn + hCol;
      if (init == null) {
        java.util.Arrays.fill(in, dst, dst + hOut, 0f);
      } else {
        System.arraycopy(init.h, hFrom + r * hOut, in, dst, hOut);
      }
    }
    if (init == null) {
      java.util.Arrays.fill(cPrev, (off + from) * hidden, (off + to) * hidden, 0f);
    } else {
      System.arraycopy(init.c, init.cOffset(stateRow) + from * hidden, cPrev, (off + from) * hidden, (to - from) * hidden);
    }
  }

  /** Rows [first, rows) of step t end there: their sequence has no step after t in this direction. */
  private int firstRowEndingAt(PackedShape shape, int t, int rows) {
    return reverse ? (t == 0 ? 0 : rows) : shape.batchSizeOrZero(t + 1);
  }

  /** h_n, c_n of the rows that end at step t: h from y, c from {@code c} (row r at cOff + r * H). */
  private void keepFinalStates(PackedShape shape, int t, float[] y, float[] c, int cOff, LstmState fin) {
    int rows = shape.batchSize(t);
    int off = shape.stepOffset(t);
    for (int r = firstRowEndingAt(shape, t, rows); r < rows; r++) {
      System.arraycopy(y, (off + r) * ldy + yCol, fin.h, fin.hOffset(stateRow) + r * hOut, hOut);
      System.arraycopy(c, cOff + r * hidden, fin.c, fin.cOffset(stateRow) + r * hidden, hidden);
    }
  }

  /** Rows of length 0 keep their initial state. */
  private void keepEmptyRows(PackedShape shape, LstmState init, LstmState fin) {
    int empty = shape.nonEmptyRows();
    if (empty < shape.batch()) {
      fin.copyRowsFrom(init, stateRow, empty, shape.batch());
    }
  }

  /** Rows of input projection computed at once by {@link #forwardInference} (a chunk of steps). */
  static final int INFERENCE_CHUNK_ROWS = 512;

  /** Steps per input-projection chunk of {@link #forwardInference} for batch size b. */
  static int inferenceChunkSteps(int b) {
    return Math.max(1, INFERENCE_CHUNK_ROWS / Math.max(1, b));
  }

  /**
   * {@link #forward} without a tape, for inference: the same operations (the GEMMs cut into other
   * row ranges), keeping only what the next step needs. Gates are projected a chunk of steps at a time
   * into {@code s.gates} (from [x | 1] in {@code s.inputs}); h_prev is read from y where the previous step wrote it; c_prev and c
   * alternate between two (B, H) buffers. Memory per direction: (chunk rows, 4H + I + 1) + 3 (B, H) floats
   * instead of about 8H floats per packed row.
   */
  void forwardInference(float[] params, PackedShape shape, float[] x, float[] y, LstmTape scratch,
                        LstmState init, LstmState fin) {
    LstmTape.InferenceScratch s = scratch.inference;
    float[] wb = biasedInputWeights(params, scratch);
    int g4 = 4 * hidden;
    int steps = shape.steps();
    int chunk = inferenceChunkSteps(shape.batch());
    int hOff0 = init == null ? 0 : init.hOffset(stateRow);
    int cOff0 = init == null ? 0 : init.cOffset(stateRow);
    float[] cPrev = s.cA;
    float[] c = s.cB;
    int chunkFirstRow = 0;
    for (int step = 0; step < steps; step++) {
      int t = step(shape, step);
      int rows = shape.batchSize(t);
      int off = shape.stepOffset(t);
      if (step % chunk == 0) {
        // gates of the next `chunk` steps: packed rows [first, end) are contiguous in either direction
        int last = step(shape, Math.min(steps, step + chunk) - 1);
        int first = shape.stepOffset(Math.min(t, last));
        int end = shape.stepOffset(Math.max(t, last)) + shape.batchSize(Math.max(t, last));
        project(params, wb, x, first, end - first, s.inputs, hCol, s.gates);
        chunkFirstRow = first;
      }
      int gOff = (off - chunkFirstRow) * g4;
      int prev = previousStep(t);
      int carried = Math.min(rows, shape.batchSizeOrZero(prev));
      // gates += h_prev W_hh^T: carried rows straight from y, the others from the initial state (zeros: nothing)
      if (carried > 0) {
        gemm.gemmNT(carried, g4, hOut, y, shape.stepOffset(prev) * ldy + yCol, ldy, params, w.weightHh(), hOut,
            1f, s.gates, gOff, g4);
      }
      if (carried < rows) {
        int len = rows - carried;
        if (init == null) {
          java.util.Arrays.fill(cPrev, carried * hidden, rows * hidden, 0f);
        } else {
          gemm.gemmNT(len, g4, hOut, init.h, hOff0 + carried * hOut, hOut, params, w.weightHh(), hOut,
              1f, s.gates, gOff + carried * g4, g4);
          System.arraycopy(init.c, cOff0 + carried * hidden, cPrev, carried * hidden, len * hidden);
        }
      }
      if (proj > 0) {
        cell.forward(s.hh, 0, hidden, c, s.tanhC, 0, s.gates, gOff, cPrev, 0, rows, hidden);
        gemm.gemmNT(rows, proj, hidden, s.hh, 0, hidden, params, w.weightHr(), hidden, 0f, y, off * ldy + yCol, ldy);
      } else {
        cell.forward(y, off * ldy + yCol, ldy, c, s.tanhC, 0, s.gates, gOff, cPrev, 0, rows, hidden);
      }
      keepFinalStates(shape, t, y, c, 0, fin);
      float[] swap = cPrev;
      cPrev = c;
      c = swap;
    }
    keepEmptyRows(shape, init, fin);
  }

  /**
   * Inverts {@link #forward}. dy (N, D*H_out): dLoss/d(output), this direction's columns are read.
   * dFin: dLoss/d(h_n, c_n) or null. Accumulates parameter gradients into {@code grads} (same layout
   * as params) and, when dx is not null, dLoss/dx into dx (N, I). Writes this direction's rows of
   * dInit (dLoss/d(h_0, c_0)) when not null.
   */
  void backward(float[] params, float[] grads, PackedShape shape, float[] x, float[] y, float[] dy,
                LstmTape.DirectionTape tape, LstmTape scratch, LstmState dFin, float[] dx, LstmState dInit) {
    int n = shape.rows();
    int g4 = 4 * hidden;
    float[] dG = scratch.dGates;
    float[] dhCarry = scratch.dhCarry; // dLoss/dh_prev of the step processed last, (B, H_out)
    float[] dcCarry = scratch.dcCarry; // dLoss/dc_prev, (B, H)
    float[] dhTot = scratch.dhTotal;   // dLoss/dh of every step, (N, P), when projecting

    for (int s = shape.steps() - 1; s >= 0; s--) {
      int t = step(shape, s);
      int rows = shape.batchSize(t);
      int off = shape.stepOffset(t);
      // rows whose final state is this step start from dLoss/d(h_n, c_n)
      int endFrom = firstRowEndingAt(shape, t, rows);
      if (endFrom < rows) {
        seedCarry(dFin, dhCarry, dcCarry, endFrom, rows);
      }
      if (proj > 0) {
        // dh = dy + dh_carry, kept for dW_hr; dhh = dh W_hr   (rows, P) x (P, H)
        int dhOff = off * hOut;
        for (int r = 0; r < rows; r++) {
          int src = (off + r) * ldy + yCol;
          int dst = dhOff + r * hOut;
          for (int j = 0; j < hOut; j++) {
            dhTot[dst + j] = dy[src + j] + dhCarry[r * hOut + j];
          }
        }
        gemm.gemm(false, false, rows, hidden, proj, 1f, dhTot, dhOff, proj, params, w.weightHr(), hidden,
            0f, scratch.dhBeforeProj, 0, hidden);
        cell.backward(dG, off * g4, dcCarry, 0, scratch.dhBeforeProj, 0, hidden, null,
            tape.gates, off * g4, tape.tanhC, off * hidden, tape.cPrev, off * hidden, rows, hidden);
      } else { // the cell adds dy and dh_carry
        cell.backward(dG, off * g4, dcCarry, 0, dy, off * ldy + yCol, ldy, dhCarry,
            tape.gates, off * g4, tape.tanhC, off * hidden, tape.cPrev, off * hidden, rows, hidden);
      }
      // dh_prev = dgates W_hh   (rows, 4H) x (4H, H_out)
      gemm.gemm(false, false, rows, hOut, g4, 1f, dG, off * g4, g4, params, w.weightHh(), hOut,
          0f, dhCarry, 0, hOut);
      // rows whose h_prev was the initial state hand their gradient to dInit
      int initFrom = reverse ? shape.batchSizeOrZero(t + 1) : (t == 0 ? 0 : rows);
      if (dInit != null && initFrom < rows) {
        System.arraycopy(dhCarry, initFrom * hOut, dInit.h, dInit.hOffset(stateRow) + initFrom * hOut,
            (rows - initFrom) * hOut);
        System.arraycopy(dcCarry, initFrom * hidden, dInit.c, dInit.cOffset(stateRow) + initFrom * hidden,
            (rows - initFrom) * hidden);
      }
    }
    int empty = shape.nonEmptyRows();
    if (dInit != null && empty < shape.batch()) {
      dInit.copyRowsFrom(dFin, stateRow, empty, shape.batch());
    }
    if (n == 0) {
      return;
    }
    // [dW_ih | db | dW_hh] = dgates^T [x | 1 | h_prev]: one GEMM over all steps, (4H, I+1+H_out)
    float[] dW = scratch.weightGrads(g4 * ldIn);
    gemm.gemm(true, false, g4, ldIn, n, 1f, dG, 0, g4, tape.stepInputs, 0, ldIn, 0f, dW, 0, ldIn);
    addWeightGrads(dW, grads);
    if (proj > 0) {
      gemm.gemm(true, false, proj, hidden, n, 1f, dhTot, 0, proj, tape.hh, 0, hidden, 1f, grads, w.weightHr(), hidden);
    }
    if (dx != null) {
      gemm.gemm(false, false, n, inputSize, g4, 1f, dG, 0, g4, params, w.weightIh(), inputSize, 1f, dx, 0, inputSize);
    }
  }

  /** grads += dW, (4H, I+1+H_out) row by row: W_ih's columns, then b_ih's and b_hh's (the same), then W_hh's. */
  private void addWeightGrads(float[] dW, float[] grads) {
    int g4 = 4 * hidden;
    for (int q = 0; q < g4; q++) {
      int row = q * ldIn;
      int ih = w.weightIh() + q * inputSize;
      for (int j = 0; j < inputSize; j++) {
        grads[ih + j] += dW[row + j];
      }
      if (w.biasIh() >= 0) {
        grads[w.biasIh() + q] += dW[row + inputSize];
        grads[w.biasHh() + q] += dW[row + inputSize];
      }
      int hh = w.weightHh() + q * hOut;
      for (int j = 0; j < hOut; j++) {
        grads[hh + j] += dW[row + hCol + j];
      }
    }
  }

  private void seedCarry(LstmState dFin, float[] dhCarry, float[] dcCarry, int from, int to) {
    if (dFin == null) {
      java.util.Arrays.fill(dhCarry, from * hOut, to * hOut, 0f);
      java.util.Arrays.fill(dcCarry, from * hidden, to * hidden, 0f);
    } else {
      System.arraycopy(dFin.h, dFin.hOffset(stateRow) + from * hOut, dhCarry, from * hOut, (to - from) * hOut);
      System.arraycopy(dFin.c, dFin.cOffset(stateRow) + from * hidden, dcCarry, from * hidden, (to - from) * hidden);
    }
  }
}
