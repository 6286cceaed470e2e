package io.sparklstm.jobs.export;

import io.sparklstm.io.Json;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.train.LabeledSequence;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training rows as one safetensors file of padded tensors (N rows, T = the longest row's steps):
 *
 * <pre>
 *   features  F32 [N, T, I]     zero past each row's length
 *   lengths   I64 [N]           each row's steps
 *   label     F32 [N, out]      head last, mse
 *             F32 [N, T, out]   head every-step, mse (zero past the length)
 *             I64 [N]           head last, cross-entropy (the class)
 *             I64 [N, T]        head every-step, cross-entropy (-100 past the length: PyTorch's ignore_index)
 * </pre>
 *
 * <p>Row n is input row n (the index {@code train} gives it). Written as a stream: the header first
 * (N and T are known beforehand), then the features row by row; the lengths and labels go to
 * temporary files meanwhile and are appended at the end. Memory stays at one row's worth whatever N.
 */
final class SequenceTensors {
  /** Metadata key of the file version (checked by readers such as the benchmark's PyTorch script). */
  static final String VERSION_KEY = "spark-lstm.dataset-version";
  static final String VERSION = "1";
  /** Padding of every-step cross-entropy labels past a row's length: nn.CrossEntropyLoss's ignore_index. */
  static final long IGNORE_CLASS = -100;

  /** The tensors' shapes and the label's kind. */
  record Layout(long rows, int steps, int inputSize, HeadMode mode, LossType loss, int outputSize) {
    long featureBytes() {
      return 4L * rows * steps * inputSize;
    }

    long lengthBytes() {
      return 8L * rows;
    }

    /** Bytes of one row's label. */
    int labelRowBytes() {
      if (loss == LossType.MSE) {
        return 4 * (mode == HeadMode.LAST ? outputSize : steps * outputSize);
      }
      return 8 * (mode == HeadMode.LAST ? 1 : steps);
    }

    long[] labelShape() {
      if (loss == LossType.MSE) {
        return mode == HeadMode.LAST ? new long[] {rows, outputSize} : new long[] {rows, steps, outputSize};
      }
      return mode == HeadMode.LAST ? new long[] {rows} : new long[] {rows, steps};
    }

    /** The header: metadata, then features, lengths and label, in that order in the data. */
    byte[] header(Map<String, String> metadata) {
      Map<String, Object> h = new LinkedHashMap<>();
      Map<String, String> meta = new LinkedHashMap<>(metadata);
      meta.put(VERSION_KEY, VERSION);
      h.put("__metadata__", meta);
      long f = featureBytes();
      long l = f + lengthBytes();
      long end = l + rows * (long) labelRowBytes();
      h.put("features", entry("F32", new long[] {rows, steps, inputSize}, 0, f));
      h.put("lengths", entry("I64", new long[] {rows}, f, l));
      h.put("label", entry(loss == LossType.MSE ? "F32" : "I64", labelShape(), l, end));
      byte[] json = Json.write(h).getBytes(StandardCharsets.UTF_8);
      int padded = (json.length + 7) / 8 * 8;
      ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
      out.putLong(padded).put(json);
      while (out.hasRemaining()) {
        out.put((byte) ' ');
      }
      return out.array();
    }

    private static Map<String, Object> entry(String dtype, long[] shape, long begin, long end) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("dtype", dtype);
      e.put("shape", Arrays.stream(shape).boxed().toList());
      e.put("data_offsets", List.of(begin, end));
      return e;
    }
  }

  private SequenceTensors() {}

  /**
   * Writes {@code rows} (in index order 0, 1, ..., exactly {@code layout.rows()} of them) to
   * {@code out}; {@code tmpDir} holds the two temporary files while it runs.
   */
  static void write(OutputStream out, Layout layout, Iterator<LabeledSequence> rows, Map<String, String> metadata,
                    Path tmpDir) throws IOException {
    Path lengthFile = Files.createTempFile(tmpDir, "spark-lstm-export-lengths", ".bin");
    Path labelFile = Files.createTempFile(tmpDir, "spark-lstm-export-label", ".bin");
    try {
      OutputStream data = new BufferedOutputStream(out, 1 << 20);
      data.write(layout.header(metadata));
      ByteBuffer features = ByteBuffer.allocate(4 * layout.steps() * layout.inputSize()).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer label = ByteBuffer.allocate(layout.labelRowBytes()).order(ByteOrder.LITTLE_ENDIAN);
      try (OutputStream lengths = new BufferedOutputStream(Files.newOutputStream(lengthFile), 1 << 16);
           OutputStream labels = new BufferedOutputStream(Files.newOutputStream(labelFile), 1 << 16)) {
        long n = 0;
        while (rows.hasNext()) {
          LabeledSequence r = rows.next();
          if (r.index() != n || n >= layout.rows()) {
            throw new IllegalStateException("export: expected row " + n + " of " + layout.rows() + ", got row "
                + r.index());
          }
          int steps = r.features().length / layout.inputSize();
          features.clear();
          features.asFloatBuffer().put(r.features());
          Arrays.fill(features.array(), 4 * r.features().length, features.capacity(), (byte) 0);
          data.write(features.array());
          length.clear();
          lengths.write(length.putLong(0, steps).array());
          labels.write(labelRow(r, steps, layout, label));
          n++;
        }
        if (n != layout.rows()) {
          throw new IllegalStateException("export: expected " + layout.rows() + " rows, got " + n);
        }
      }
      append(lengthFile, data);
      append(labelFile, data);
      data.flush();
    } finally {
      Files.deleteIfExists(lengthFile);
      Files.deleteIfExists(labelFile);
    }
  }

  private static byte[] labelRow(LabeledSequence r, int steps, Layout layout, ByteBuffer buf) {
    buf.clear();
    Arrays.fill(buf.array(), (byte) 0);
    if (layout.loss() == LossType.MSE) {
      buf.asFloatBuffer().put(r.targets()); // (out) or (steps, out); zeros after
    } else {
      int width = layout.mode() == HeadMode.LAST ? 1 : layout.steps();
      for (int t = 0; t < width; t++) {
        buf.putLong(8 * t, t < r.classes().length ? r.classes()[t] : IGNORE_CLASS);
      }
    }
    return buf.array();
  }

  private static void append(Path file, OutputStream out) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      in.transferTo(out);
    }
  }
}
