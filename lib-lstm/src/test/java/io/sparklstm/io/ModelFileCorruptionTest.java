package io.sparklstm.io;

import static io.sparklstm.io.Crafted.editHeader;
import static io.sparklstm.io.Crafted.entry;
import static io.sparklstm.io.Crafted.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One broken file per case; each must fail with a ModelFileException whose message names the file
 * and states the exact cause. The base file is {@link Crafted#SMALL}: LSTM(3, 4, num_layers=2,
 * bidirectional=True) + head Linear(8, 2); tensors in state_dict order, head.bias last (8 bytes).
 */
class ModelFileCorruptionTest {
  static final String SOURCE = "model.safetensors";

  static ModelFileException fails(byte[] file, String... fragments) {
    return failsWith(() -> ModelFile.fromBytes(file, SOURCE, HeadMode.LAST), fragments);
  }

  static ModelFileException failsWith(Load load, String... fragments) {
    ModelFileException e = assertThrows(ModelFileException.class, load::run);
    String message = e.getMessage();
    assertTrue(message.startsWith(SOURCE + ": ") || message.contains(" in " + SOURCE), message);
    for (String f : fragments) {
      assertTrue(message.contains(f), "expected \"" + f + "\" in: " + message);
    }
    return e;
  }

  interface Load {
    void run() throws Exception;
  }

  static final byte[] GOOD = Crafted.small();
  static final long HEADER = Crafted.headerLength(GOOD);
  static final int DATA = GOOD.length - 8 - (int) HEADER;

  // ---- the container --------------------------------------------------------------------------

  @Test
  void truncatedFile() {
    fails(Arrays.copyOf(GOOD, 0), "0 bytes is shorter than the 8-byte header length");
    fails(Arrays.copyOf(GOOD, 5), "5 bytes is shorter than the 8-byte header length");
    int inHeader = 8 + (int) HEADER / 2;
    fails(Arrays.copyOf(GOOD, inHeader), "truncated", "header length " + HEADER + " but only "
        + (inHeader - 8) + " bytes follow it");
    fails(Arrays.copyOf(GOOD, 8 + (int) HEADER), "truncated: tensor \"lstm.weight_ih_l0\" ends at byte 192",
        "the data has 0 bytes");
    fails(Arrays.copyOf(GOOD, 8 + (int) HEADER + 100), "truncated: tensor \"lstm.weight_ih_l0\" ends at byte 192",
        "the data has 100 bytes");
    fails(Arrays.copyOf(GOOD, GOOD.length - 1), "truncated: tensor \"head.bias\" ends at byte " + DATA,
        "the data has " + (DATA - 1) + " bytes");
  }

  @Test
  void headerLengthLargerThanTheFile() {
    fails(Crafted.withHeaderLength(GOOD, GOOD.length), "header length " + GOOD.length + " but only "
        + (GOOD.length - 8) + " bytes follow it");
  }

  @Test
  void headerLengthOverTheLimit() {
    fails(Crafted.withHeaderLength(GOOD, 100_000_001L), "header length 100000001 is over the 100000000-byte limit");
    fails(Crafted.withHeaderLength(GOOD, Long.MAX_VALUE), "header length 9223372036854775807 is over the");
  }

  @Test
  void headerLengthWithTheTopBitSet() {
    fails(Crafted.withHeaderLength(GOOD, -1), "header length 18446744073709551615 has the top bit set");
    fails(Crafted.withHeaderLength(GOOD, -8), "header length 18446744073709551608 has the top bit set");
    fails(Crafted.withHeaderLength(GOOD, Long.MIN_VALUE), "has the top bit set");
  }

  @Test
  void headerLengthTooSmall() {
    fails(Crafted.withHeaderLength(GOOD, 0), "header length 0 is too small for a JSON object");
    fails(Crafted.withHeaderLength(GOOD, 7), "header is not valid JSON");
  }

  @Test
  void malformedJson() {
    fails(Crafted.raw("{\"a\": ", new byte[0]), "header is not valid JSON: invalid JSON at character 6");
    fails(Crafted.raw("{\"a\": {}} x", new byte[0]), "header is not valid JSON", "unexpected text after the JSON value");
    fails(Crafted.raw("{\"a\": 1e999}", new byte[0]), "header is not valid JSON", "number out of range");
    fails(Crafted.raw("{\"a\": 1, \"a\": 2}", new byte[0]), "header is not valid JSON", "duplicate key \"a\"");
    fails(Crafted.raw("[".repeat(100_000), new byte[0]), "header is not valid JSON", "nested deeper than 64");
  }

  @Test
  void headerNotUtf8() {
    fails(Crafted.raw(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, new byte[0]),
        "header is not UTF-8 text");
  }

  @Test
  void headerNotAnObject() {
    fails(Crafted.raw("[1, 2]", new byte[0]), "header must be a JSON object, is a list");
    fails(Crafted.raw("\"text\"", new byte[0]), "header must be a JSON object, is \"text\"");
    fails(editHeader(GOOD, h -> h.put("lstm.weight_ih_l0", List.of(1))),
        "tensor \"lstm.weight_ih_l0\" must be an object with dtype, shape and data_offsets");
    fails(editHeader(GOOD, h -> h.put("__metadata__", List.of())), "__metadata__ must be an object of strings");
    fails(editHeader(GOOD, h -> metadata(h).put("format", 1L)), "__metadata__ value \"format\" must be a string");
  }

  @Test
  void unknownDtype() {
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("dtype", "F33")),
        "tensor \"lstm.bias_ih_l0\" has an unknown dtype \"F33\"");
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("dtype", 4L)),
        "tensor \"lstm.bias_ih_l0\" needs a dtype string, has 4");
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").remove("dtype")),
        "tensor \"lstm.bias_ih_l0\" needs a dtype string, has null");
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("offsets", List.of())),
        "tensor \"lstm.bias_ih_l0\" has an unknown field \"offsets\"");
  }

  @Test
  void wrongDtypeForAModelTensor() {
    // lstm.bias_ih_l0 is 16 floats = 64 bytes; as F64 the same bytes are 8 values
    fails(editHeader(GOOD, h -> {
      entry(h, "lstm.bias_ih_l0").put("dtype", "F64");
      entry(h, "lstm.bias_ih_l0").put("shape", List.of(8L));
    }), "tensor \"lstm.bias_ih_l0\" has dtype F64, expected F32", "model.float()");
  }

  @Test
  void offsetsOutOfRange() {
    fails(editHeader(GOOD, h -> entry(h, "head.bias").put("data_offsets", List.of(-8L, 0L))),
        "tensor \"head.bias\" has data_offsets [-8, 0] that do not form a range");
    fails(editHeader(GOOD, h -> entry(h, "head.bias").put("data_offsets", List.of(8L, 0L))),
        "tensor \"head.bias\" has data_offsets [8, 0] that do not form a range");
    fails(editHeader(GOOD, h -> {
      entry(h, "head.bias").put("shape", List.of(4L));
      entry(h, "head.bias").put("data_offsets", List.of((long) DATA - 8, (long) DATA + 8));
    }), "truncated: tensor \"head.bias\" ends at byte " + (DATA + 8) + " of the data but the data has " + DATA);
    long far = 999_999_999_999_999_992L;
    fails(editHeader(GOOD, h -> entry(h, "head.bias").put("data_offsets", List.of(far - 8, far))),
        "truncated: tensor \"head.bias\" ends at byte 999999999999999992 of the data but the data has " + DATA);
    fails(editHeader(GOOD, h -> entry(h, "head.bias").put("data_offsets", List.of(0L, Long.MAX_VALUE))),
        "tensor \"head.bias\" data_offsets must be a list of integers, has 9.223372036854776E18 (too large: at most 18 digits)");
    fails(editHeader(GOOD, h -> entry(h, "head.bias").put("data_offsets", List.of(0L))),
        "tensor \"head.bias\" data_offsets must have 2 entries, has 1");
  }

  @Test
  void overlappingOffsets() {
    // weight_hh_l0 (16x4 floats) starts 4 bytes early: inside weight_ih_l0
    fails(editHeader(GOOD, h -> {
      Map<String, Object> e = entry(h, "lstm.weight_hh_l0");
      List<?> o = (List<?>) e.get("data_offsets");
      e.put("data_offsets", List.of((Long) o.get(0) - 4, (Long) o.get(1) - 4));
    }), "tensor \"lstm.weight_hh_l0\" (data_offsets [188, 444]) overlaps tensor \"lstm.weight_ih_l0\" (data_offsets [0, 192])");
  }

  @Test
  void aHole() {
    byte[] shifted = editHeader(GOOD, h -> entry(h, "head.bias").put("data_offsets", List.of((long) DATA - 4, (long) DATA + 4)));
    fails(Arrays.copyOf(shifted, shifted.length + 4), "bytes " + (DATA - 8) + " to " + (DATA - 4)
        + " of the data belong to no tensor (a hole before \"head.bias\")");
  }

  @Test
  void trailingBytes() {
    fails(Arrays.copyOf(GOOD, GOOD.length + 3), "3 trailing bytes after the last tensor belong to no tensor");
  }

  @Test
  void shapeAndOffsetsDisagree() {
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("shape", List.of(15L))),
        "tensor \"lstm.bias_ih_l0\" has shape [15] of F32 (60 bytes) but data_offsets span 64 bytes");
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("shape", List.of(4L, -4L))),
        "tensor \"lstm.bias_ih_l0\" has a negative dimension -4 in its shape");
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("shape", "16")),
        "tensor \"lstm.bias_ih_l0\" shape must be a list of integers, is \"16\"");
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("shape", List.of(16.5))),
        "tensor \"lstm.bias_ih_l0\" shape must be a list of integers, has 16.5");
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("shape", List.of(1L << 40))),
        "tensor \"lstm.bias_ih_l0\" has a dimension of 1099511627776, more than 2^31-1");
    List<Long> many = new ArrayList<>();
    for (int i = 0; i < 65; i++) {
      many.add(1L);
    }
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("shape", many)),
        "tensor \"lstm.bias_ih_l0\" shape has 65 entries; at most 64 are allowed");
  }

  @Test
  void shapeProductOverflows() {
    long big = Integer.MAX_VALUE;
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("shape", List.of(big, big, big))),
        "tensor \"lstm.bias_ih_l0\" has a shape whose size overflows 64 bits");
    // fits 64 bits as elements, but not once multiplied by the 4 bytes of F32
    fails(editHeader(GOOD, h -> entry(h, "lstm.bias_ih_l0").put("shape", List.of(big, big, 2L))),
        "tensor \"lstm.bias_ih_l0\" has a shape whose size overflows 64 bits");
  }

  // ---- the model ------------------------------------------------------------------------------

  @Test
  void missingTensor() {
    byte[] noBias = editHeader(GOOD, h -> h.remove("head.bias"));
    fails(Arrays.copyOf(noBias, noBias.length - 8), "missing tensor \"head.bias\" (shape [2])",
        "LSTM(3, 4, num_layers=2, bidirectional=True) + head Linear(8, 2, mode last) (from its spark-lstm.config metadata) needs it");
    // a misspelt name: the message shows it
    byte[] renamed = editHeader(GOOD, h -> h.put("head.bais", h.remove("head.bias")));
    fails(renamed, "missing tensor \"head.bias\"", "the file has tensors the model does not: \"head.bais\"");
  }

  @Test
  void unexpectedTensor() {
    byte[] extra = editHeader(GOOD, h -> h.put("lstm.extra", Map.of("dtype", "F32", "shape", List.of(1L),
        "data_offsets", List.of((long) DATA, (long) DATA + 4))));
    fails(Arrays.copyOf(extra, extra.length + 4), "unexpected tensor \"lstm.extra\"", "has no such parameter");
  }

  @Test
  void shapeDisagreesWithTheConfig() {
    fails(editHeader(GOOD, h -> metadata(h).put("spark-lstm.config",
            ((String) metadata(h).get("spark-lstm.config")).replace("\"hidden_size\":4", "\"hidden_size\":5"))),
        "tensor \"lstm.weight_ih_l0\" has shape [16, 3] but the model LSTM(3, 5, num_layers=2, bidirectional=True)",
        "(from its spark-lstm.config metadata) needs [20, 3]");
    fails(editHeader(GOOD, h -> metadata(h).put("spark-lstm.config",
            ((String) metadata(h).get("spark-lstm.config")).replace("\"num_layers\":2", "\"num_layers\":1"))),
        "unexpected tensor \"lstm.weight_ih_l1\"");
    fails(editHeader(GOOD, h -> metadata(h).put("spark-lstm.config",
            ((String) metadata(h).get("spark-lstm.config")).replace("\"num_layers\":2", "\"num_layers\":1000000"))),
        "LSTM(3, 4, num_layers=1000000, bidirectional=True)", "needs more tensors than the file's 18");
  }

  @Test
  void badConfigJson() {
    String good = (String) metadata(headerOf(GOOD)).get("spark-lstm.config");
    String where = "metadata \"spark-lstm.config\"";
    failsConfig("{\"lstm\": ", where + " is not valid JSON: invalid JSON at character 9");
    failsConfig("[]", where + " must be a JSON object with \"lstm\" and \"head\"");
    failsConfig("{\"head\": null}", where + ": \"lstm\" must be an object of nn.LSTM arguments, is missing");
    failsConfig(good.replace("\"hidden_size\":4", "\"hidden_size\":\"4\""), where + ": lstm.hidden_size must be an integer, got \"4\"");
    failsConfig(good.replace("\"hidden_size\":4", "\"hidden_size\":4.5"), where + ": lstm.hidden_size must be an integer, got 4.5");
    failsConfig(good.replace("\"hidden_size\":4", "\"hidden_size\":0"), where + ": lstm: hidden_size must be > 0, got 0");
    failsConfig(good.replace("\"hidden_size\":4", "\"hidden_size\":4294967296"), where + ": lstm.hidden_size 4294967296 is out of range");
    failsConfig(good.replace("\"hidden_size\":4", "\"hidden_size\":1000000000"), where + ": lstm.hidden_size 1000000000 is too large");
    failsConfig(good.replace("\"input_size\":3,", ""), where + ": lstm.input_size is missing");
    failsConfig(good.replace("\"bias\":true", "\"bias\":1"), where + ": lstm.bias must be true or false, got 1");
    failsConfig(good.replace("\"dropout\":0", "\"dropout\":1.5"), where + ": lstm: dropout must be a number in [0, 1], got 1.5");
    failsConfig(good.replace("\"dropout\":0", "\"dropout\":\"no\""), where + ": lstm.dropout must be a number, got \"no\"");
    failsConfig(good.replace("\"proj_size\":0", "\"proj_size\":4"), where + ": lstm: proj_size has to be smaller than hidden_size");
    failsConfig(good.replace("\"proj_size\":0", "\"proj_size\":0,\"num_directions\":2"),
        where + ": lstm has an unknown key \"num_directions\"");
    failsConfig(good.replace("\"mode\":\"last\"", "\"mode\":\"first\""), where + ": head.mode must be \"last\" or \"every-step\", got \"first\"");
    failsConfig(good.replace("\"out_features\":2", "\"out_features\":0"), where + ": head.out_features must be > 0, got 0");
    failsConfig(good.replace("{\"out_features\":2,\"mode\":\"last\"}", "[2]"), where + ": \"head\" must be an object or null, is \"[...]\"");
  }

  private void failsConfig(String config, String fragment) {
    fails(editHeader(GOOD, h -> metadata(h).put("spark-lstm.config", config)), fragment);
  }

  @Test
  void unsupportedFormatVersion() {
    fails(editHeader(GOOD, h -> metadata(h).put("spark-lstm.format-version", "2")),
        "model file format version 2 is newer than this spark-lstm reads (version 1)");
    fails(editHeader(GOOD, h -> metadata(h).put("spark-lstm.format-version", "1.0")),
        "metadata \"spark-lstm.format-version\" must be a positive integer, got \"1.0\"");
    fails(editHeader(GOOD, h -> metadata(h).put("spark-lstm.format-version", "99999999999999999999")),
        "must be a positive integer");
    fails(editHeader(GOOD, h -> metadata(h).put("format", "tf")), "metadata \"format\" is \"tf\"; expected \"pt\"");
  }

  @Test
  void shapesThatNoLstmHas() {
    // without metadata the architecture comes from the shapes, and bad shapes are named
    byte[] plain = editHeader(GOOD, h -> h.remove("__metadata__"));
    fails(editHeader(plain, h -> h.put("other", h.remove("lstm.weight_ih_l0"))),
        "missing tensor \"lstm.weight_ih_l0\" (or \"weight_ih_l0\" of a bare nn.LSTM state_dict)");
    fails(editHeader(plain, h -> entry(h, "lstm.weight_hh_l0").put("shape", List.of(2L, 32L))),
        "model.safetensors: tensor \"lstm.weight_hh_l0\" has 2 rows; an nn.LSTM has 4*hidden_size rows there, one"
        + " block per gate i, f, g, o (the file has no spark-lstm.config metadata, so the architecture comes from"
        + " the tensor shapes)");
    fails(editHeader(plain, h -> entry(h, "lstm.weight_hh_l0").put("shape", List.of(64L))),
        "tensor \"lstm.weight_hh_l0\" has shape [64]; expected a matrix");
    fails(editHeader(plain, h -> entry(h, "lstm.weight_hh_l0").put("shape", List.of(16L, 4L, 1L))),
        "tensor \"lstm.weight_hh_l0\" has shape [16, 4, 1]; expected a matrix");
    fails(editHeader(plain, h -> h.put("lstm.weight_ih_l123456789", Map.of("dtype", "F32", "shape", List.of(0L),
        "data_offsets", List.of(0L, 0L)))), "tensor names go up to layer 123456789 but the file has only 19 tensors");
  }

  @Test
  void configDisagreesKeyByKey() {
    ModelConfig config = new ModelConfig(LstmConfig.of(3, 64).withNumLayers(2).withBidirectional(true),
        new HeadConfig(2, HeadMode.EVERY_STEP));
    ModelFileException e = failsWith(() -> ModelFile.fromBytes(GOOD, SOURCE, config),
        "model.lstm.hidden-size is 64 in the config but 4 in model.safetensors",
        "model.head.mode is every-step in the config but last in model.safetensors");
    assertEquals(2, e.getMessage().split("; ").length, e.getMessage());

    failsWith(() -> ModelFile.fromBytes(GOOD, SOURCE, Map.of("model.head.output-size", 0), HeadMode.LAST),
        "model.head.output-size is 0 in the config but 2 in model.safetensors");
    failsWith(() -> ModelFile.fromBytes(GOOD, SOURCE, Map.of("model.lstm.dropout", 0.5), HeadMode.LAST),
        "model.lstm.dropout is 0.5 in the config but 0.0 in model.safetensors");
    failsWith(() -> ModelFile.fromBytes(GOOD, SOURCE, Map.of("model.lstm.bias", false), HeadMode.LAST),
        "model.lstm.bias is false in the config but true in model.safetensors");
    // agreeing settings load
    assertEquals(Crafted.SMALL, assertLoads(Map.of("model.lstm.hidden-size", 4, "model.lstm.num-layers", 2L,
        "model.head.mode", "last")));
  }

  @Test
  void settingsFillWhatShapesCannotTell() throws Exception {
    byte[] plain = editHeader(GOOD, h -> h.remove("__metadata__"));
    LoadedModel m = ModelFile.fromBytes(plain, SOURCE,
        Map.of("model.lstm.batch-first", true, "model.lstm.dropout", 0.5, "model.head.mode", "every-step"), HeadMode.LAST);
    assertEquals(new ModelConfig(LstmConfig.of(3, 4).withNumLayers(2).withBidirectional(true).withBatchFirst(true)
        .withDropout(0.5), new HeadConfig(2, HeadMode.EVERY_STEP)), m.config());
    assertEquals(Map.of(), m.metadata());
    assertEquals(Crafted.SMALL, ModelFile.fromBytes(plain, SOURCE, Crafted.SMALL).config());
  }

  @Test
  void badSettingsAreTheCallersError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelFile.fromBytes(GOOD, SOURCE, Map.of("model.lstm.hiden-size", 4), HeadMode.LAST));
    assertTrue(e.getMessage().contains("unknown model setting \"model.lstm.hiden-size\""), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ModelFile.fromBytes(GOOD, SOURCE, Map.of("model.lstm.bias", "yes"), HeadMode.LAST));
    assertTrue(e.getMessage().contains("model.lstm.bias has a value of the wrong type: yes"), e.getMessage());
  }

  @Test
  void namesThePathWhenReadFromDisk(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("bad.safetensors");
    Files.write(path, Arrays.copyOf(GOOD, 4));
    ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(path, HeadMode.LAST));
    assertEquals(path + ": not a safetensors file: 4 bytes is shorter than the 8-byte header length", e.getMessage());
    e = assertThrows(ModelFileException.class, () -> ModelFile.load(dir.resolve("absent.safetensors"), HeadMode.LAST));
    assertTrue(e.getMessage().endsWith("absent.safetensors: no such file"), e.getMessage());
  }

  private static ModelConfig assertLoads(Map<String, Object> given) {
    try {
      return ModelFile.fromBytes(GOOD, SOURCE, given, HeadMode.EVERY_STEP).config();
    } catch (ModelFileException e) {
      throw new AssertionError(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> headerOf(byte[] file) {
    return (Map<String, Object>) Json.parse(new String(file, 8, (int) Crafted.headerLength(file), StandardCharsets.UTF_8));
  }
}
