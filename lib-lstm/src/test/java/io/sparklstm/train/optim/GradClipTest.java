package io.sparklstm.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** clip_grad_norm_ rules that the golden fixtures do not reach: non-finite norms, validation. */
class GradClipTest {
  // lstm.weight_ih_l0 (8,1), weight_hh_l0 (8,2), bias_ih_l0 (8), bias_hh_l0 (8), head.weight (1,2), head.bias (1)
  static final ParameterLayout LAYOUT =
      ParameterLayout.of(new ModelConfig(LstmConfig.of(1, 2), new HeadConfig(1, HeadMode.LAST)));

  private static float[] grads(float value) {
    float[] g = new float[LAYOUT.size()];
    Arrays.fill(g, value);
    return g;
  }

  @Test
  void normOfPerTensorNorms() {
    float[] g = new float[LAYOUT.size()];
    g[LAYOUT.find("lstm.weight_hh_l0").offset() + 3] = 3;
    g[LAYOUT.find("head.bias").offset()] = 4;
    assertEquals(5f, GradClip.totalNorm(g, LAYOUT));
    float norm = GradClip.clipGradNorm(g, LAYOUT, 1.0);
    assertEquals(5f, norm);
    float coef = 1f / (5f + 1e-6f);
    assertEquals(3 * coef, g[LAYOUT.find("lstm.weight_hh_l0").offset() + 3]);
    assertEquals(4 * coef, g[LAYOUT.find("head.bias").offset()]);
  }

  @Test
  void belowMaxNormLeavesGradientsAsTheyAre() {
    float[] g = grads(0.01f);
    float norm = GradClip.clipGradNorm(g, LAYOUT, 10);
    assertEquals((float) Math.sqrt(LAYOUT.size() * 1e-4), norm, 1e-7);
    assertArrayEquals(grads(0.01f), g);
  }

  @Test
  void infiniteNormZeroesFiniteGradients() {
    float[] g = grads(0.5f);
    int at = LAYOUT.find("lstm.bias_hh_l0").offset() + 2;
    g[at] = 3e19f; // its square overflows float32, as in PyTorch
    assertEquals(Float.POSITIVE_INFINITY, GradClip.clipGradNorm(g, LAYOUT, 1));
    assertArrayEquals(grads(0f), g);

    g = grads(0.5f);
    g[at] = Float.NEGATIVE_INFINITY;
    assertEquals(Float.POSITIVE_INFINITY, GradClip.clipGradNorm(g, LAYOUT, 1));
    assertTrue(Float.isNaN(g[at])); // inf * 0
    g[at] = 0;
    assertArrayEquals(grads(0f), g);
  }

  @Test
  void nanNormMakesEveryGradientNaN() {
    float[] g = grads(0.5f);
    g[LAYOUT.find("head.weight").offset()] = Float.NaN;
    assertTrue(Float.isNaN(GradClip.clipGradNorm(g, LAYOUT, 1)));
    for (float x : g) {
      assertTrue(Float.isNaN(x));
    }
  }

  @Test
  void tinyGradientsUnderflowLikeFloat32() {
    float[] g = grads(1e-25f); // squares below the smallest float: PyTorch's float32 norm is 0
    assertEquals(0f, GradClip.totalNorm(g, LAYOUT));
  }

  @Test
  void validation() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GradClip.clipGradNorm(grads(1), LAYOUT, bad));
      assertTrue(e.getMessage().contains("max norm"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> GradClip.totalNorm(new float[3], LAYOUT));
  }
}
