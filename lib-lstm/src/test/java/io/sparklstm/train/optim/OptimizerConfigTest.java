package io.sparklstm.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.io.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** PyTorch's per-type defaults, and validation errors that name the hyperparameter. */
class OptimizerConfigTest {

  private static OptimizerConfig config(String json) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse(json);
    return OptimizerConfig.fromMap(m);
  }

  /** Asserts that building fails with a message containing every one of {@code words}. */
  private static void fails(Executable build, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "message \"" + e.getMessage() + "\" should mention " + w);
    }
  }

  private static void fails(String json, String... words) {
    fails(() -> config(json).build(), words);
  }

  @Test
  void pytorchDefaultsPerType() {
    assertEquals(new Adam(1e-3, 0.9, 0.999, 1e-8, 0, false, false), OptimizerConfig.of("adam").build());
    assertEquals(new Adam(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, true), OptimizerConfig.of("adamw").build());
    assertEquals(Adam.adam(), OptimizerConfig.of("adam").build());
    assertEquals(Adam.adamW(), OptimizerConfig.of("adamw").build());
    assertEquals(new Sgd(0.1, 0, 0, false, 0), config("{\"type\": \"sgd\", \"learning-rate\": 0.1}").build());
    assertEquals(Sgd.of(0.1), config("{\"type\": \"sgd\", \"learning-rate\": 0.1}").build());
  }

  @Test
  void givenValuesOverrideDefaults() {
    assertEquals(new Sgd(0.05, 0.9, 0, true, 1e-4), config("{\"type\": \"sgd\", \"learning-rate\": 0.05, "
        + "\"momentum\": 0.9, \"nesterov\": true, \"weight-decay\": 1e-4, \"dampening\": null}").build());
    assertEquals(new Adam(0.01, 0.8, 0.99, 1e-6, 0.1, true, true), config("{\"type\": \"adamw\", "
        + "\"learning-rate\": 0.01, \"beta1\": 0.8, \"beta2\": 0.99, \"epsilon\": 1e-6, \"weight-decay\": 0.1, "
        + "\"amsgrad\": true}").build());
    assertEquals(new Adam(1e-3, 0.9, 0.999, 1e-8, 0.5, false, false),
        new OptimizerConfig("adam", null, null, null, null, null, null, null, 0.5, null).build());
  }

  @Test
  void typesAndBufferNames() {
    Optimizer sgd = config("{\"type\": \"sgd\", \"learning-rate\": 0.1}").build();
    Optimizer momentum = config("{\"type\": \"sgd\", \"learning-rate\": 0.1, \"momentum\": 0.5}").build();
    assertEquals("sgd", sgd.type());
    assertEquals(List.of(), sgd.bufferNames());
    assertEquals(List.of("momentum_buffer"), momentum.bufferNames());
    assertEquals("adam", Adam.adam().type());
    assertEquals("adamw", Adam.adamW().type());
    assertEquals(List.of("exp_avg", "exp_avg_sq"), Adam.adam().bufferNames());
    assertEquals(List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
        config("{\"type\": \"adamw\", \"amsgrad\": true}").build().bufferNames());
    assertEquals(0, sgd.init(7).buffers().length);
    assertEquals(21, config("{\"type\": \"adam\", \"amsgrad\": true}").build().init(7).buffers().length);
  }

  @Test
  void typeErrors() {
    fails(() -> OptimizerConfig.of("rmsprop").build(), "sgd, adam or adamw", "rmsprop");
    fails(() -> OptimizerConfig.of(null).build(), "type");
    fails(() -> config("{\"learning-rate\": 0.1}"), "type");
    fails(() -> config("{\"type\": \"adam\", \"lr\": 0.1}"), "unknown", "\"lr\"");
    fails(() -> config("{\"type\": \"adam\", \"beta1\": \"high\"}"), "beta1", "number");
    fails(() -> config("{\"type\": \"sgd\", \"nesterov\": 1}"), "nesterov", "true or false");
  }

  @Test
  void sgdValidation() {
    fails("{\"type\": \"sgd\"}", "sgd", "learning-rate", "no default");
    fails("{\"type\": \"sgd\", \"learning-rate\": -0.1}", "learning-rate", ">= 0", "-0.1");
    fails("{\"type\": \"sgd\", \"learning-rate\": 0.1, \"momentum\": -0.9}", "momentum", ">= 0");
    fails("{\"type\": \"sgd\", \"learning-rate\": 0.1, \"weight-decay\": -1}", "weight-decay", ">= 0");
    fails("{\"type\": \"sgd\", \"learning-rate\": 0.1, \"nesterov\": true}", "nesterov", "momentum > 0");
    fails("{\"type\": \"sgd\", \"learning-rate\": 0.1, \"nesterov\": true, \"momentum\": 0.9, \"dampening\": 0.1}",
        "nesterov", "dampening = 0");
    fails(() -> new Sgd(Double.NaN, 0, 0, false, 0), "learning-rate", "finite");
    fails(() -> new Sgd(0.1, 0, Double.POSITIVE_INFINITY, false, 0), "dampening", "finite");
    fails("{\"type\": \"sgd\", \"learning-rate\": 0.1, \"beta1\": 0.9}", "beta1", "does not apply");
    fails("{\"type\": \"sgd\", \"learning-rate\": 0.1, \"amsgrad\": false}", "amsgrad", "does not apply");
    fails("{\"type\": \"sgd\", \"learning-rate\": 0.1, \"epsilon\": 1e-8}", "epsilon", "does not apply");
    // PyTorch accepts any dampening, and lr = 0
    new Sgd(0, 0.9, 1.5, false, 0);
  }

  @Test
  void adamValidation() {
    for (String type : List.of("adam", "adamw")) {
      String t = "{\"type\": \"" + type + "\", ";
      fails(t + "\"learning-rate\": -1}", type, "learning-rate", ">= 0");
      fails(t + "\"beta1\": 1.0}", type, "beta1", "[0, 1)");
      fails(t + "\"beta1\": -0.1}", "beta1", "[0, 1)");
      fails(t + "\"beta2\": 1.5}", "beta2", "[0, 1)");
      fails(t + "\"epsilon\": -1e-8}", "epsilon", ">= 0");
      fails(t + "\"weight-decay\": -0.01}", "weight-decay", ">= 0");
      fails(t + "\"momentum\": 0.9}", "momentum", "does not apply", "sgd");
      fails(t + "\"dampening\": 0}", "dampening", "does not apply");
      fails(t + "\"nesterov\": false}", "nesterov", "does not apply");
    }
    fails(() -> new Adam(1e-3, Double.NaN, 0.999, 1e-8, 0, false, false), "beta1", "finite");
    fails(() -> new Adam(1e-3, 0.9, 0.999, Double.POSITIVE_INFINITY, 0, false, false), "epsilon", "finite");
    // the edges PyTorch accepts
    new Adam(0, 0, 0, 0, 0, false, false);
  }

  @Test
  void fromMapTakesAnyNumber() {
    Map<String, Object> m = new HashMap<>();
    m.put("type", "sgd");
    m.put("learning-rate", 1); // an Integer, as HOCON gives "learning-rate = 1"
    m.put("momentum", 0.5f);
    assertEquals(new Sgd(1, 0.5, 0, false, 0), OptimizerConfig.fromMap(m).build());
  }
}
