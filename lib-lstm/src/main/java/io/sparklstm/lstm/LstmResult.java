package io.sparklstm.lstm;

import io.sparklstm.tensor.Tensor;
import java.util.Arrays;

/**
 * What {@link Lstm#forward} returns: {@code output, (h_n, c_n)} in the caller's layout and row order,
 * and {@link #backward} for gradients (as {@code torch.autograd.grad} would give).
 */
public final class LstmResult {
  private final Lstm module;
  private final LstmStack stack;
  private final LstmTape tape;
  private final Lstm.InputShape in;
  private final int[] order;
  private final Tensor output;
  private final Tensor hN;
  private final Tensor cN;

  LstmResult(Lstm module, LstmStack stack, LstmTape tape, Lstm.InputShape in, int[] order) {
    this.module = module;
    this.stack = stack;
    this.tape = tape;
    this.in = in;
    this.order = order;
    LstmConfig c = module.config();
    PackedShape shape = tape.shape();
    this.output = Tensor.of(Packing.unpack(tape.output(), in.batchFirst, in.steps, c.outputSize(), shape, order),
        in.outputShape(c.outputSize()));
    LstmState fin = tape.finalState();
    this.hN = Tensor.of(Packing.unsortRows(fin.h, c.stateRows(), c.outputHiddenSize(), order),
        in.stateShape(c.stateRows(), c.outputHiddenSize()));
    this.cN = Tensor.of(Packing.unsortRows(fin.c, c.stateRows(), c.hiddenSize(), order),
        in.stateShape(c.stateRows(), c.hiddenSize()));
  }

  /** (T, B, D*H_out), (B, T, D*H_out) with batch_first, or (T, D*H_out) unbatched. */
  public Tensor output() {
    return output;
  }

  /** (L*D, B, H_out), or (L*D, H_out) unbatched. */
  public Tensor hN() {
    return hN;
  }

  /** (L*D, B, H), or (L*D, H) unbatched. */
  public Tensor cN() {
    return cN;
  }

  /**
   * Backpropagates dLoss/d(output, h_n, c_n) (each may be null for zero; same shapes as the outputs;
   * output gradients past a row's length are ignored) through the whole forward pass.
   */
  public LstmGradients backward(Tensor dOutput, Tensor dhN, Tensor dcN) {
    LstmConfig c = module.config();
    PackedShape shape = tape.shape();
    float[] dy = null;
    if (dOutput != null) {
      requireShape("dOutput", dOutput, output);
      dy = Packing.pack(dOutput.data(), in.batchFirst, in.steps, c.outputSize(), shape, order);
    }
    LstmState dFin = null;
    if (dhN != null || dcN != null) {
      float[] h = dhN == null ? new float[hN.numel()] : requireShape("dh_n", dhN, hN).data();
      float[] cc = dcN == null ? new float[cN.numel()] : requireShape("dc_n", dcN, cN).data();
      dFin = LstmState.wrap(c, in.batch, Packing.sortRows(h, c.stateRows(), c.outputHiddenSize(), order),
          Packing.sortRows(cc, c.stateRows(), c.hiddenSize(), order));
    }
    float[] grads = new float[module.layout().size()];
    float[] dx = new float[shape.rows() * c.inputSize()];
    LstmState dInit = LstmState.zeros(c, in.batch);
    stack.backward(module.parameters(), grads, tape, dy, dFin, dx, dInit);
    Tensor dInput = Tensor.of(Packing.unpack(dx, in.batchFirst, in.steps, c.inputSize(), shape, order),
        in.outputShape(c.inputSize()));
    Tensor dh0 = Tensor.of(Packing.unsortRows(dInit.h, c.stateRows(), c.outputHiddenSize(), order),
        in.stateShape(c.stateRows(), c.outputHiddenSize()));
    Tensor dc0 = Tensor.of(Packing.unsortRows(dInit.c, c.stateRows(), c.hiddenSize(), order),
        in.stateShape(c.stateRows(), c.hiddenSize()));
    return new LstmGradients(module.layout(), grads, dInput, dh0, dc0);
  }

  private static Tensor requireShape(String name, Tensor given, Tensor like) {
    if (!Arrays.equals(given.shape(), like.shape())) {
      throw new IllegalArgumentException(name + " must have shape " + Arrays.toString(like.shape())
          + ", got " + Arrays.toString(given.shape()));
    }
    return given;
  }
}
