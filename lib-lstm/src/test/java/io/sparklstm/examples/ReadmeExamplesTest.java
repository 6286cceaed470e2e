package io.sparklstm.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.lstm.Lstm;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.lstm.LstmResult;
import io.sparklstm.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The README's examples, runnable: {@code torch.nn.LSTM}'s classic example and the layout of a
 * bidirectional, two-layer LSTM's outputs. The same in plain PyTorch:
 *
 * <pre>{@code
 * import torch
 * from torch import nn
 *
 * rnn = nn.LSTM(10, 20)                       # input_size=10, hidden_size=20
 * input = torch.randn(5, 3, 10)               # (T=5, B=3, I=10)
 * output, (h_n, c_n) = rnn(input)             # zero initial state
 * output.shape, h_n.shape, c_n.shape          # (5, 3, 20), (1, 3, 20), (1, 3, 20)
 *
 * rnn = nn.LSTM(10, 20, num_layers=2, bidirectional=True)
 * output, (h_n, c_n) = rnn(input)             # (5, 3, 40), (4, 3, 20), (4, 3, 20)
 * out = output.view(5, 3, 2, 20)              # (T, B, D, H): [..., 0, :] forward, [..., 1, :] backward
 * h = h_n.view(2, 2, 3, 20)                   # (L, D, B, H)
 * torch.equal(out[4, b, 0], h[1, 0, b])       # forward direction ends at the last step
 * torch.equal(out[0, b, 1], h[1, 1, b])       # backward direction ends at the first step
 * }</pre>
 */
class ReadmeExamplesTest {

  /** Random numbers for the examples' input, as torch.randn gives. */
  static Tensor randn(Random random, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.numel(); i++) {
      t.data()[i] = (float) random.nextGaussian();
    }
    return t;
  }

  @Test
  void classicExample() {
    Lstm rnn = Lstm.create(LstmConfig.of(10, 20), 42);        // nn.LSTM(10, 20), initialised from seed 42
    Tensor input = randn(new Random(0), 5, 3, 10);            // (T=5, B=3, I=10)
    LstmResult r = rnn.forward(input);                        // output, (h_n, c_n) = rnn(input)

    assertArrayEquals(new int[] {5, 3, 20}, r.output().shape());
    assertArrayEquals(new int[] {1, 3, 20}, r.hN().shape());
    assertArrayEquals(new int[] {1, 3, 20}, r.cN().shape());

    // with an initial state: rnn(input, (h_0, c_0)), h_0 and c_0 of shape (L*D, B, H) = (1, 3, 20)
    Tensor h0 = randn(new Random(1), 1, 3, 20);
    Tensor c0 = randn(new Random(2), 1, 3, 20);
    LstmResult r2 = rnn.forward(input, h0, c0);
    assertArrayEquals(new int[] {5, 3, 20}, r2.output().shape());

    // the parameters have PyTorch's names and shapes
    assertArrayEquals(new int[] {80, 10}, rnn.parameter("weight_ih_l0").shape()); // (4H, I), gates i, f, g, o
    assertArrayEquals(new int[] {80, 20}, rnn.parameter("weight_hh_l0").shape()); // (4H, H)
    assertArrayEquals(new int[] {80}, rnn.parameter("bias_ih_l0").shape());
  }

  @Test
  void bidirectionalTwoLayerOutputLayout() {
    int steps = 5;
    int batch = 3;
    int hidden = 20;
    int layers = 2;
    Lstm rnn = Lstm.create(LstmConfig.of(10, hidden).withNumLayers(layers).withBidirectional(true), 42);
    LstmResult r = rnn.forward(randn(new Random(0), steps, batch, 10));

    assertArrayEquals(new int[] {steps, batch, 2 * hidden}, r.output().shape()); // last dim: [forward | backward]
    assertArrayEquals(new int[] {layers * 2, batch, hidden}, r.hN().shape());   // row = layer * 2 + direction

    Tensor out = r.output().view(steps, batch, 2, hidden);  // (T, B, D, H)
    Tensor h = r.hN().view(layers, 2, batch, hidden);       // (L, D, B, H)
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < hidden; j++) {
        // the forward direction's final state is its output at the last step ...
        assertEquals(h.get(layers - 1, 0, b, j), out.get(steps - 1, b, 0, j), 0f);
        // ... and the backward direction's is its output at the first step
        assertEquals(h.get(layers - 1, 1, b, j), out.get(0, b, 1, j), 0f);
      }
    }
  }
}
