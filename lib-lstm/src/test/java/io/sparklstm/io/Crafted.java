package io.sparklstm.io;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterInit;
import io.sparklstm.model.ParameterLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

/** Builds valid and deliberately broken model files for the tests: raw bytes, header edits. */
final class Crafted {
  private Crafted() {}

  /** A small model with a head: LSTM(3, 4, num_layers=2, bidirectional=True) + Linear(8, 2). */
  static final ModelConfig SMALL = new ModelConfig(LstmConfig.of(3, 4).withNumLayers(2).withBidirectional(true),
      new HeadConfig(2, HeadMode.LAST));

  static float[] params(ModelConfig config, long seed) {
    return ParameterInit.initialize(config, ParameterLayout.of(config), seed);
  }

  /** A valid file of {@link #SMALL}. */
  static byte[] small() {
    return ModelFile.toBytes(SMALL, params(SMALL, 7), null);
  }

  /** The header length stored in the first 8 bytes. */
  static long headerLength(byte[] file) {
    return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  /** A copy with the first 8 bytes set to {@code n}. */
  static byte[] withHeaderLength(byte[] file, long n) {
    byte[] out = file.clone();
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
    return out;
  }

  static String header(byte[] file) {
    return new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8);
  }

  static byte[] data(byte[] file) {
    return Arrays.copyOfRange(file, 8 + (int) headerLength(file), file.length);
  }

  /** A file from a header text (stored as is, unpadded) and data bytes. */
  static byte[] raw(String header, byte[] data) {
    return raw(header.getBytes(StandardCharsets.UTF_8), data);
  }

  static byte[] raw(byte[] header, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header).put(data);
    return b.array();
  }

  /** The file with its header parsed, edited by {@code edit}, and written back (data unchanged). */
  @SuppressWarnings("unchecked")
  static byte[] editHeader(byte[] file, Consumer<Map<String, Object>> edit) {
    Map<String, Object> header = (Map<String, Object>) Json.parse(header(file));
    edit.accept(header);
    return raw(Json.write(header), data(file));
  }

  /** The header entry of tensor {@code name}, to edit in place. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> entry(Map<String, Object> header, String name) {
    return (Map<String, Object>) header.get(name);
  }

  /** The __metadata__ object, to edit in place. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> metadata(Map<String, Object> header) {
    return (Map<String, Object>) header.get("__metadata__");
  }
}
