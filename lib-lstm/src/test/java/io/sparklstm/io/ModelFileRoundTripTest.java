package io.sparklstm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What ModelFile writes, it reads back bit for bit; the same inputs give the same bytes. */
class ModelFileRoundTripTest {
  @TempDir
  Path dir;

  static Stream<ModelConfig> configs() {
    LstmConfig base = LstmConfig.of(3, 5);
    return Stream.of(
        new ModelConfig(base, null),                                                     // no head
        new ModelConfig(base.withBias(false), new HeadConfig(2, HeadMode.LAST)),           // bias off
        new ModelConfig(base.withNumLayers(2).withBidirectional(true), new HeadConfig(3, HeadMode.EVERY_STEP)),
        new ModelConfig(base.withNumLayers(3).withProjSize(2).withDropout(0.3), new HeadConfig(1, HeadMode.LAST)),
        new ModelConfig(base.withBidirectional(true).withProjSize(4).withBatchFirst(true).withBias(false), null),
        new ModelConfig(LstmConfig.of(1, 1), new HeadConfig(1, HeadMode.EVERY_STEP)));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void readsBackBitIdentical(ModelConfig config) throws Exception {
    float[] params = Crafted.params(config, 42);
    params[0] = Float.MIN_VALUE;   // a subnormal, -0 and extremes survive too
    params[params.length - 1] = -0.0f;
    if (params.length > 2) {
      params[1] = Float.MAX_VALUE;
    }
    Path path = dir.resolve("model.safetensors");
    ModelFile.save(path, config, params, Map.of("spark-lstm.provenance", "{\"epochs\": 3}"));

    for (LoadedModel m : List.of(ModelFile.load(path, HeadMode.EVERY_STEP), ModelFile.load(path, config))) {
      assertEquals(config, m.config());
      assertEquals(params.length, m.parameters().length);
      for (int i = 0; i < params.length; i++) {
        assertEquals(Float.floatToRawIntBits(params[i]), Float.floatToRawIntBits(m.parameters()[i]), "parameter " + i);
      }
      assertEquals("pt", m.metadata().get("format"));
      assertEquals("1", m.metadata().get("spark-lstm.format-version"));
      assertEquals("{\"epochs\": 3}", m.metadata().get("spark-lstm.provenance"));
    }
  }

  /** A checkpoint = a model file + optimizer.* tensors + checkpoint metadata: it loads as its model. */
  @Test
  void aCheckpointLoadsAsItsModelAndOnlyACheckpointMayCarryOptimizerTensors() throws Exception {
    ModelConfig config = new ModelConfig(LstmConfig.of(3, 5).withNumLayers(2), new HeadConfig(2, HeadMode.LAST));
    float[] params = Crafted.params(config, 7);
    List<SafeTensors.NamedTensor> tensors = new java.util.ArrayList<>();
    for (ParameterLayout.Entry e : ParameterLayout.of(config).entries()) {
      tensors.add(new SafeTensors.NamedTensor(e.name(), e.shape(),
          Arrays.copyOfRange(params, e.offset(), e.offset() + e.size())));
    }
    tensors.add(new SafeTensors.NamedTensor("optimizer.exp_avg", new int[] {params.length}, new float[params.length]));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(ModelFile.FORMAT_KEY, "pt");
    meta.put(ModelFile.CONFIG_KEY, ModelFile.configJson(config));

    byte[] plain = SafeTensors.toBytes(meta, tensors);
    String m = assertThrows(ModelFileException.class, () -> ModelFile.fromBytes(plain, "m.safetensors", config))
        .getMessage();
    assertTrue(m.startsWith("m.safetensors: unexpected tensor \"optimizer.exp_avg\""), m);

    meta.put(ModelFile.CHECKPOINT_KEY, "{\"version\": 1, \"epochs_done\": 3}");
    byte[] checkpoint = SafeTensors.toBytes(meta, tensors);
    for (LoadedModel loaded : List.of(ModelFile.fromBytes(checkpoint, "epoch-0003.safetensors", config),
        ModelFile.fromBytes(checkpoint, "epoch-0003.safetensors", HeadMode.LAST))) {
      assertEquals(config, loaded.config());
      assertArrayEquals(params, loaded.parameters());
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void sameInputsSameBytes(ModelConfig config) throws Exception {
    float[] params = Crafted.params(config, 1);
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("z", "last");
    extra.put("a", "first");
    Map<String, String> reordered = new TreeMap<>(extra);
    byte[] a = ModelFile.toBytes(config, params, extra);
    byte[] b = ModelFile.toBytes(config, params.clone(), reordered);
    assertArrayEquals(a, b);
    Path p1 = dir.resolve("one.safetensors");
    Path p2 = dir.resolve("two.safetensors");
    ModelFile.save(p1, config, params, extra);
    ModelFile.save(p2, config, params, reordered);
    assertArrayEquals(Files.readAllBytes(p1), Files.readAllBytes(p2));
    assertArrayEquals(a, Files.readAllBytes(p1));
  }

  @Test
  void writesTheDocumentedLayout() throws Exception {
    ModelConfig config = Crafted.SMALL;
    byte[] file = ModelFile.toBytes(config, Crafted.params(config, 3), null);
    String header = Crafted.header(file);
    assertEquals(0, Crafted.headerLength(file) % 8, "header padded to 8 bytes");
    assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\",\"spark-lstm.config\":"
        + "\"{\\\"lstm\\\":{\\\"input_size\\\":3,\\\"hidden_size\\\":4,\\\"num_layers\\\":2,\\\"bias\\\":true,"
        + "\\\"batch_first\\\":false,\\\"dropout\\\":0,\\\"bidirectional\\\":true,\\\"proj_size\\\":0},"
        + "\\\"head\\\":{\\\"out_features\\\":2,\\\"mode\\\":\\\"last\\\"}}\",\"spark-lstm.format-version\":\"1\"}"),
        header);
    SafeTensors st = SafeTensors.parse(file, "x");
    List<String> expected = ParameterLayout.of(config).entries().stream().map(ParameterLayout.Entry::name).toList();
    assertEquals(expected, List.copyOf(st.entries().keySet()), "state_dict order");
    assertEquals("lstm.weight_ih_l0", expected.get(0));
    assertEquals(List.of("head.weight", "head.bias"), expected.subList(expected.size() - 2, expected.size()));
    st.entries().values().forEach(e -> assertEquals("F32", e.dtype()));
    assertArrayEquals(new long[] {16, 3}, st.entries().get("lstm.weight_ih_l0").shape());
    assertArrayEquals(new long[] {16, 8}, st.entries().get("lstm.weight_ih_l1_reverse").shape());
    assertArrayEquals(new long[] {2, 8}, st.entries().get("head.weight").shape());
  }

  @Test
  void dropoutAndNoHeadAreWrittenAsPyTorchReadsThem() {
    ModelConfig config = new ModelConfig(LstmConfig.of(2, 3).withDropout(0.25), null);
    String header = Crafted.header(ModelFile.toBytes(config, Crafted.params(config, 1), null));
    assertTrue(header.contains("\\\"dropout\\\":0.25"), header);
    assertTrue(header.contains("\\\"head\\\":null"), header);
  }

  @Test
  void refusesBadArguments() {
    ModelConfig config = Crafted.SMALL;
    float[] params = Crafted.params(config, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelFile.toBytes(config, Arrays.copyOf(params, params.length - 1), null));
    assertTrue(e.getMessage().contains("has " + params.length + " parameters, got " + (params.length - 1)), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ModelFile.toBytes(config, params, Map.of("spark-lstm.config", "{}")));
    assertTrue(e.getMessage().contains("may not set \"spark-lstm.config\""), e.getMessage());
  }

  @Test
  void atomicSaveLeavesNoTemporaryFiles() throws Exception {
    Path path = dir.resolve("sub").resolve("model.safetensors");
    ModelFile.save(path, Crafted.SMALL, Crafted.params(Crafted.SMALL, 1), null);
    ModelFile.save(path, Crafted.SMALL, Crafted.params(Crafted.SMALL, 2), null); // replaces
    try (Stream<Path> files = Files.list(path.getParent())) {
      assertEquals(List.of(path), files.toList());
    }
    assertArrayEquals(Crafted.params(Crafted.SMALL, 2), ModelFile.load(path, HeadMode.LAST).parameters());
    assertFalse(Files.exists(dir.resolve("model.safetensors")));
  }
}
