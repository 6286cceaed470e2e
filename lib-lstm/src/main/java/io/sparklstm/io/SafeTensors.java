package io.sparklstm.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}}),
 * then the raw little-endian tensor bytes, offsets relative to the start of that data.
 *
 * <p>Reading checks everything before any tensor is used: the header length against the file,
 * the JSON, every dtype, shape and offset pair, that offsets stay in the data, that tensors neither
 * overlap nor leave holes, and that the data ends where the last tensor does. Any failure is a
 * {@link ModelFileException} naming the tensor and the cause. Nothing is deserialized but JSON and
 * floats. Only {@code F32} tensors can be read as floats; other dtypes are named in the error.
 */
public final class SafeTensors {
  /** Headers above this size are refused (the reference implementation's limit). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** Shapes with more dimensions than this are refused. */
  public static final int MAX_DIMS = 64;

  /** One tensor's header entry; begin and end are byte offsets into the data section. */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    /** Number of elements (the product of the shape). */
    public long elements() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }

    /** The shape as ints (always fits: checked on load). */
    public int[] intShape() {
      int[] s = new int[shape.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = (int) shape[i];
      }
      return s;
    }
  }

  /** A float32 tensor to write: name, shape and data. */
  public record NamedTensor(String name, int[] shape, float[] data) {}

  private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
      Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
      Map.entry("F8_E4M3", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
      Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
      Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

  private final String source;
  private final Map<String, String> metadata;
  private final Map<String, Entry> entries;
  private final ByteBuffer data;

  private SafeTensors(String source, Map<String, String> metadata, Map<String, Entry> entries, ByteBuffer data) {
    this.source = source;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.entries = Collections.unmodifiableMap(entries);
    this.data = data;
  }

  /** Reads and validates a file. */
  public static SafeTensors read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new ModelFileException(path + ": no such file");
    }
    long size = Files.size(path);
    if (size > Integer.MAX_VALUE - 8) {
      throw new ModelFileException(path + ": " + size + " bytes is larger than the 2 GiB a model file may have");
    }
    try (InputStream in = Files.newInputStream(path)) {
      return parse(in.readNBytes((int) size), path.toString());
    }
  }

  /** Validates a whole file held in memory; {@code source} names it in errors. */
  public static SafeTensors parse(byte[] file, String source) throws ModelFileException {
    if (file.length < 8) {
      throw new ModelFileException(source + ": not a safetensors file: " + file.length
          + " bytes is shorter than the 8-byte header length");
    }
    ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = buf.getLong(0); // an unsigned 64-bit number in the file
    if (headerLength < 0) {
      throw new ModelFileException(source + ": not a safetensors file: header length "
          + Long.toUnsignedString(headerLength) + " has the top bit set (over 2^63)");
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw new ModelFileException(source + ": not a safetensors file: header length " + headerLength
          + " is over the " + MAX_HEADER_BYTES + "-byte limit");
    }
    if (headerLength < 2) {
      throw new ModelFileException(source + ": not a safetensors file: header length " + headerLength
          + " is too small for a JSON object");
    }
    if (8 + headerLength > file.length) {
      throw new ModelFileException(source + ": truncated or not a safetensors file: header length "
          + headerLength + " but only " + (file.length - 8) + " bytes follow it");
    }
    String header = utf8(file, (int) headerLength, source);
    Object parsed;
    try {
      parsed = Json.parse(header);
    } catch (IllegalArgumentException e) { // Json's only failure (NumberFormatException included)
      throw new ModelFileException(source + ": header is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> top)) {
      throw new ModelFileException(source + ": header must be a JSON object, is " + describe(parsed));
    }
    ByteBuffer data = ByteBuffer.wrap(file, 8 + (int) headerLength, file.length - 8 - (int) headerLength)
        .slice().order(ByteOrder.LITTLE_ENDIAN);
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : top.entrySet()) {
      String name = (String) e.getKey();
      if (name.equals("__metadata__")) {
        readMetadata(e.getValue(), metadata, source);
      } else {
        entries.put(name, readEntry(name, e.getValue(), source));
      }
    }
    checkCoverage(entries, data.remaining(), source);
    return new SafeTensors(source, metadata, entries, data);
  }

  private static String utf8(byte[] file, int length, String source) throws ModelFileException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(file, 8, length)).toString();
    } catch (CharacterCodingException e) {
      throw new ModelFileException(source + ": header is not UTF-8 text");
    }
  }

  private static void readMetadata(Object value, Map<String, String> out, String source) throws ModelFileException {
    if (!(value instanceof Map<?, ?> m)) {
      throw new ModelFileException(source + ": __metadata__ must be an object of strings");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new ModelFileException(source + ": __metadata__ value \"" + e.getKey() + "\" must be a string");
      }
      out.put((String) e.getKey(), s);
    }
  }

  private static Entry readEntry(String name, Object value, String source) throws ModelFileException {
    String where = source + ": tensor \"" + name + "\"";
    if (!(value instanceof Map<?, ?> m)) {
      throw new ModelFileException(where + " must be an object with dtype, shape and data_offsets");
    }
    for (Object key : m.keySet()) {
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw new ModelFileException(where + " has an unknown field \"" + key + "\"");
      }
    }
    Object dtypeValue = m.get("dtype");
    if (!(dtypeValue instanceof String dtype)) {
      throw new ModelFileException(where + " needs a dtype string, has " + describe(dtypeValue));
    }
    if (!DTYPE_BYTES.containsKey(dtype)) {
      throw new ModelFileException(where + " has an unknown dtype " + describe(dtype));
    }
    long[] shape = longs(m.get("shape"), where + " shape", -1);
    long[] offsets = longs(m.get("data_offsets"), where + " data_offsets", 2);
    long elements = 1;
    for (long s : shape) {
      if (s < 0) {
        throw new ModelFileException(where + " has a negative dimension " + s + " in its shape");
      }
      if (s > Integer.MAX_VALUE) {
        throw new ModelFileException(where + " has a dimension of " + s + ", more than 2^31-1");
      }
      try {
        elements = Math.multiplyExact(elements, s);
      } catch (ArithmeticException e) {
        throw new ModelFileException(where + " has a shape whose size overflows 64 bits");
      }
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(elements, (long) DTYPE_BYTES.get(dtype));
    } catch (ArithmeticException e) {
      throw new ModelFileException(where + " has a shape whose size overflows 64 bits");
    }
    if (offsets[0] < 0 || offsets[1] < offsets[0]) {
      throw new ModelFileException(where + " has data_offsets [" + offsets[0] + ", " + offsets[1]
          + "] that do not form a range");
    }
    if (offsets[1] - offsets[0] != bytes) {
      throw new ModelFileException(where + " has shape " + Arrays.toString(shape) + " of " + dtype
          + " (" + bytes + " bytes) but data_offsets span " + (offsets[1] - offsets[0]) + " bytes");
    }
    return new Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] longs(Object value, String what, int expectedLength) throws ModelFileException {
    if (!(value instanceof List<?> list)) {
      throw new ModelFileException(what + " must be a list of integers, is " + describe(value));
    }
    if (expectedLength >= 0 && list.size() != expectedLength) {
      throw new ModelFileException(what + " must have " + expectedLength + " entries, has " + list.size());
    }
    if (list.size() > MAX_DIMS) {
      throw new ModelFileException(what + " has " + list.size() + " entries; at most " + MAX_DIMS + " are allowed");
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = list.get(i);
      if (!(v instanceof Long l)) {
        boolean huge = v instanceof Double d && d == Math.rint(d); // Json reads 19+ digit integers as doubles
        throw new ModelFileException(what + " must be a list of integers, has " + describe(v)
            + (huge ? " (too large: at most 18 digits)" : ""));
      }
      out[i] = l;
    }
    return out;
  }

  /** A JSON value for a message, cut short if long. */
  private static String describe(Object value) {
    if (value instanceof Map) {
      return "an object";
    }
    if (value instanceof List) {
      return "a list";
    }
    String s = Json.write(value);
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** Tensors must tile the data section exactly: in offset order, no overlap, no hole, no tail. */
  private static void checkCoverage(Map<String, Entry> entries, long dataBytes, String source)
      throws ModelFileException {
    List<Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort((a, b) -> a.begin() != b.begin() ? Long.compare(a.begin(), b.begin()) : Long.compare(a.end(), b.end()));
    long expected = 0;
    Entry previous = null;
    for (Entry e : sorted) {
      if (e.begin() < expected) {
        throw new ModelFileException(source + ": tensor \"" + e.name() + "\" (data_offsets [" + e.begin() + ", "
            + e.end() + "]) overlaps tensor \"" + previous.name() + "\" (data_offsets [" + previous.begin() + ", "
            + previous.end() + "])");
      }
      if (e.end() > dataBytes) {
        throw new ModelFileException(source + ": truncated: tensor \"" + e.name() + "\" ends at byte " + e.end()
            + " of the data but the data has " + dataBytes + " bytes");
      }
      if (e.begin() > expected) {
        throw new ModelFileException(source + ": bytes " + expected + " to " + e.begin()
            + " of the data belong to no tensor (a hole before \"" + e.name() + "\")");
      }
      expected = e.end();
      previous = e;
    }
    if (expected != dataBytes) {
      throw new ModelFileException(source + ": " + (dataBytes - expected)
          + " trailing bytes after the last tensor belong to no tensor");
    }
  }

  /** The file's name in messages. */
  public String source() {
    return source;
  }

  /** {@code __metadata__}, possibly empty. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Every tensor's header entry, in header order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The float32 data of tensor {@code name}. */
  public float[] floats(String name) throws ModelFileException {
    Entry e = entries.get(name);
    if (e == null) {
      throw new ModelFileException(source + ": has no tensor \"" + name + "\"");
    }
    if (!e.dtype().equals("F32")) {
      throw new ModelFileException(source + ": tensor \"" + name + "\" has dtype " + e.dtype()
          + ", expected F32 (in PyTorch, convert with model.float() before saving)");
    }
    float[] out = new float[(int) e.elements()];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) e.begin()).slice()
        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /** The file's bytes: header padded with spaces to a multiple of 8, then each tensor in order. */
  public static byte[] toBytes(Map<String, String> metadata, List<NamedTensor> tensors) {
    Map<String, Object> header = new LinkedHashMap<>();
    if (metadata != null && !metadata.isEmpty()) {
      header.put("__metadata__", new LinkedHashMap<>(metadata));
    }
    long offset = 0;
    for (NamedTensor t : tensors) {
      long n = 1;
      List<Object> shape = new ArrayList<>();
      for (int s : t.shape()) {
        shape.add((long) s);
        n *= s;
      }
      if (n != t.data().length) {
        throw new IllegalArgumentException("tensor " + t.name() + " has shape " + shape + " but "
            + t.data().length + " values");
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("dtype", "F32");
      e.put("shape", shape);
      e.put("data_offsets", List.of(offset, offset + 4 * n));
      if (header.put(t.name(), e) != null) {
        throw new IllegalArgumentException("two tensors are called " + t.name());
      }
      offset += 4 * n;
    }
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    long total = 8L + padded + offset;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a model of " + total + " bytes is larger than 2 GiB");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (NamedTensor t : tensors) {
      out.asFloatBuffer().put(t.data());
      out.position(out.position() + 4 * t.data().length);
    }
    return out.array();
  }

  /**
   * Writes atomically: to a temporary file beside {@code path}, then renamed over it, so a reader
   * sees the old file or the new one, never half of one.
   */
  public static void write(Path path, Map<String, String> metadata, List<NamedTensor> tensors) throws IOException {
    AtomicFiles.write(path, toBytes(metadata, tensors));
  }
}
