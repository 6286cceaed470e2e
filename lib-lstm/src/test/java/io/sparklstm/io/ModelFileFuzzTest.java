package io.sparklstm.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparklstm.model.HeadMode;
import io.sparklstm.testing.Golden;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thousands of damaged model files, from a fixed seed: random truncations, bit flips and byte
 * overwrites in header and data, edge-value header lengths, and JSON edits of offsets, shapes,
 * dtypes, names and metadata. Each must load or fail with ModelFileException: any other Throwable,
 * a hang (a per-case timeout) or a parse allocating far more than the file's size fails the test,
 * naming the seed and the case so it can be replayed.
 */
class ModelFileFuzzTest {
  static final long SEED = 20_240_601L;
  static final int CASES = 5000;
  static final long TIMEOUT_MS = 5_000;
  /** A parse may allocate at most this much (the files are a few kB); more means a declared size was trusted. */
  static final long MAX_ALLOCATED_BYTES = 32L << 20;

  static final long[] EDGE_LONGS = {0, 1, 4, 7, 8, -1, -8, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE,
      1L << 31, 1L << 32, (1L << 53) + 1, 999_999_999_999_999_999L, 100_000_000L, 100_000_001L};

  static ExecutorService worker;
  static List<byte[]> bases;

  @BeforeAll
  static void setUp() throws Exception {
    worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "model-file-fuzz");
      t.setDaemon(true); // a hung parse must not keep the JVM alive
      return t;
    });
    byte[] small = Crafted.small();
    bases = List.of(
        small,
        Crafted.editHeader(small, h -> h.remove("__metadata__")),                 // shapes only
        Files.readAllBytes(Golden.dir("modelfile").resolve("seq_meta.model.safetensors")),
        Files.readAllBytes(Golden.dir("modelfile").resolve("bare_lstm.model.safetensors")),
        Files.readAllBytes(Golden.dir("modelfile").resolve("seq_format_only.model.safetensors")));
  }

  @AfterAll
  static void tearDown() {
    worker.shutdownNow();
  }

  @Test
  void everyDamagedFileLoadsOrFailsCleanly() throws Exception {
    int loaded = 0;
    long start = System.nanoTime();
    for (int i = 0; i < CASES; i++) {
      Random r = new Random(SEED * 1_000_003L + i); // each case replayable alone
      StringBuilder how = new StringBuilder();
      byte[] file = mutate(bases.get(r.nextInt(bases.size())), r, how);
      if (parse(file, i, how.toString())) {
        loaded++;
      }
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println("ModelFileFuzzTest: " + CASES + " cases (seed " + SEED + "): " + loaded + " loaded, "
        + (CASES - loaded) + " rejected with ModelFileException, in " + ms + " ms");
    assertTrue(CASES - loaded > CASES / 2, "most damaged files are rejected");
  }

  /** True if the file loads; false if it fails with ModelFileException; the test fails otherwise. */
  private static boolean parse(byte[] file, int i, String how) throws InterruptedException {
    String what = "seed " + SEED + " case " + i + " (" + how + ")";
    Future<Long> f = worker.submit(() -> {
      long before = allocatedBytes();
      try {
        ModelFile.fromBytes(file, "fuzz.safetensors", HeadMode.LAST);
        return allocatedBytes() - before;
      } catch (ModelFileException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("fuzz.safetensors: ")) {
          throw new AssertionError("message does not start with the file name: " + e.getMessage());
        }
        return -1 - (allocatedBytes() - before); // negative: rejected
      }
    });
    long result;
    try {
      result = f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      fail(what + ": no answer in " + TIMEOUT_MS + " ms (a hang?)");
      return false;
    } catch (ExecutionException e) {
      StringWriter trace = new StringWriter();
      e.getCause().printStackTrace(new PrintWriter(trace));
      fail(what + ": threw " + trace);
      return false;
    }
    long allocated = result >= 0 ? result : -1 - result;
    if (allocated > MAX_ALLOCATED_BYTES) {
      fail(what + ": allocated " + allocated + " bytes for a " + file.length + "-byte file");
    }
    return result >= 0;
  }

  private static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
      return t.getCurrentThreadAllocatedBytes();
    }
    return 0; // not HotSpot: no allocation check
  }

  // ---- mutations ------------------------------------------------------------------------------

  static byte[] mutate(byte[] base, Random r, StringBuilder how) {
    byte[] file = base;
    int steps = 1 + r.nextInt(3);
    for (int s = 0; s < steps; s++) {
      int kind = r.nextInt(10);
      file = switch (kind) {
        case 0 -> truncate(file, r, how);
        case 1, 2 -> flipBits(file, r, how);
        case 3 -> overwriteBytes(file, r, how);
        case 4 -> headerLength(file, r, how);
        case 5 -> append(file, r, how);
        default -> editJson(file, r, how);
      };
      how.append("; ");
    }
    return file;
  }

  static byte[] truncate(byte[] file, Random r, StringBuilder how) {
    int n = r.nextInt(file.length + 1);
    how.append("truncate to ").append(n);
    return Arrays.copyOf(file, n);
  }

  /** Bit flips, half of them in the first 8 + header bytes. */
  static byte[] flipBits(byte[] file, Random r, StringBuilder how) {
    if (file.length == 0) {
      return file;
    }
    byte[] out = file.clone();
    int flips = 1 + r.nextInt(8);
    how.append("flip bits at");
    for (int k = 0; k < flips; k++) {
      int at = r.nextBoolean() ? r.nextInt(Math.min(out.length, 8 + headerSpan(out))) : r.nextInt(out.length);
      int bit = r.nextInt(8);
      out[at] ^= (byte) (1 << bit);
      how.append(' ').append(at).append('.').append(bit);
    }
    return out;
  }

  static byte[] overwriteBytes(byte[] file, Random r, StringBuilder how) {
    if (file.length == 0) {
      return file;
    }
    byte[] special = "{}[]\":,-0123456789e.\\ \u0000".getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = file.clone();
    int n = 1 + r.nextInt(6);
    how.append("overwrite bytes at");
    for (int k = 0; k < n; k++) {
      int at = r.nextBoolean() ? r.nextInt(Math.min(out.length, 8 + headerSpan(out))) : r.nextInt(out.length);
      out[at] = r.nextBoolean() ? special[r.nextInt(special.length)] : (byte) r.nextInt(256);
      how.append(' ').append(at);
    }
    return out;
  }

  static byte[] headerLength(byte[] file, Random r, StringBuilder how) {
    if (file.length < 8) {
      return file;
    }
    long current = Crafted.headerLength(file);
    long[] choices = {0, 7, file.length, file.length - 8, Long.MAX_VALUE, -1, -8, current + 1, current - 1,
        current + 8, r.nextLong(), r.nextInt(file.length)};
    long n = choices[r.nextInt(choices.length)];
    how.append("header length ").append(Long.toUnsignedString(n));
    return Crafted.withHeaderLength(file, n);
  }

  static byte[] append(byte[] file, Random r, StringBuilder how) {
    byte[] extra = new byte[1 + r.nextInt(16)];
    r.nextBytes(extra);
    how.append("append ").append(extra.length).append(" bytes");
    byte[] out = Arrays.copyOf(file, file.length + extra.length);
    System.arraycopy(extra, 0, out, file.length, extra.length);
    return out;
  }

  /** The header length if it is plausible, else the whole file. */
  private static int headerSpan(byte[] file) {
    if (file.length < 8) {
      return 0;
    }
    long n = Crafted.headerLength(file);
    return n >= 0 && n <= file.length - 8 ? (int) n : file.length - 8;
  }

  /** A JSON-level edit of the header (when it still parses), the data kept or resized. */
  @SuppressWarnings("unchecked")
  static byte[] editJson(byte[] file, Random r, StringBuilder how) {
    Map<String, Object> header;
    try {
      long n = Crafted.headerLength(file);
      header = (Map<String, Object>) Json.parse(new String(file, 8, (int) n, StandardCharsets.UTF_8));
    } catch (RuntimeException e) { // already too broken for JSON edits: flip a bit instead
      return flipBits(file, r, how);
    }
    byte[] data = Crafted.data(file);
    List<String> names = new ArrayList<>(header.keySet());
    names.remove("__metadata__");
    String name = names.isEmpty() ? "x" : names.get(r.nextInt(names.size()));
    Object entryValue = header.get(name);
    Map<String, Object> entry = entryValue instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m)
        : new LinkedHashMap<>();
    switch (r.nextInt(9)) {
      case 0 -> {
        List<Object> offsets = List.of(someLong(r, data.length), someLong(r, data.length));
        entry.put("data_offsets", offsets);
        how.append(name).append(".data_offsets = ").append(offsets);
      }
      case 1 -> {
        Object shape = someShape(r);
        entry.put("shape", shape);
        how.append(name).append(".shape = ").append(shape);
      }
      case 2 -> {
        Object[] dtypes = {"F32", "F64", "F16", "BF16", "I64", "BOOL", "U8", "F33", "", null, 3L, List.of()};
        Object dtype = dtypes[r.nextInt(dtypes.length)];
        entry.put("dtype", dtype);
        how.append(name).append(".dtype = ").append(dtype);
      }
      case 3 -> {
        header.remove(name);
        how.append("remove ").append(name);
      }
      case 4 -> {
        String[] names2 = {"weight_ih_l0", "lstm.weight_ih_l99999999", "lstm.weight_hh_l1_reverse", "head.weight",
            "head.bias", "", "lstm.weight_hr_l0", "lstm.bias_ih_l7"};
        String to = names2[r.nextInt(names2.length)];
        header.remove(name);
        header.put(to, entry);
        how.append("rename ").append(name).append(" to ").append(to);
      }
      case 5, 6 -> editMetadata(header, r, how);
      case 7 -> {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("dtype", "F32");
        extra.put("shape", someShape(r));
        extra.put("data_offsets", List.of(someLong(r, data.length), someLong(r, data.length)));
        header.put("lstm.extra", extra);
        how.append("add tensor ").append(extra);
      }
      default -> {
        // a structural oddity inside the JSON text itself
        String[] junk = {"[".repeat(5000), "{\"a\":".repeat(200), "\"\\ud800\"", "1e99999", "-", "nul"};
        String j = junk[r.nextInt(junk.length)];
        header.put(name, "JUNK");
        how.append(name).append(" = junk ").append(j.length() > 12 ? j.substring(0, 12) + "..." : j);
        return Crafted.raw(Json.write(header).replace("\"JUNK\"", j), data);
      }
    }
    if (header.containsKey(name) && entryValue instanceof Map) {
      header.put(name, entry);
    }
    return Crafted.raw(Json.write(header), data);
  }

  @SuppressWarnings("unchecked")
  static void editMetadata(Map<String, Object> header, Random r, StringBuilder how) {
    Object m = header.get("__metadata__");
    Map<String, Object> meta = m instanceof Map<?, ?> mm ? new LinkedHashMap<>((Map<String, Object>) mm)
        : new LinkedHashMap<>();
    switch (r.nextInt(5)) {
      case 0 -> {
        String[] versions = {"0", "1", "2", "-1", "", "1e3", "9999999999", "01"};
        String v = versions[r.nextInt(versions.length)];
        meta.put("spark-lstm.format-version", v);
        how.append("version = ").append(v);
      }
      case 1 -> {
        Object[] formats = {"pt", "tf", "", 1L};
        Object f = formats[r.nextInt(formats.length)];
        meta.put("format", f);
        how.append("format = ").append(f);
      }
      case 2 -> {
        header.put("__metadata__", r.nextBoolean() ? List.of() : "x");
        how.append("__metadata__ not an object");
        return;
      }
      default -> {
        String config = meta.get("spark-lstm.config") instanceof String s ? s : ConfigJson.write(Crafted.SMALL);
        String edited = editConfig(config, r);
        meta.put("spark-lstm.config", edited);
        how.append("config = ").append(edited);
      }
    }
    header.put("__metadata__", meta);
  }

  /** The config JSON with one number, key or value replaced, or one character dropped. */
  static String editConfig(String config, Random r) {
    String[] numbers = {"0", "-1", "1", "2", "3", "4", "5", "1000000", "2147483647", "2147483648",
        "99999999999999999999", "0.5", "1.5", "true", "null", "\"3\"", "[]", "{}"};
    switch (r.nextInt(4)) {
      case 0, 1 -> { // replace one number or literal
        List<int[]> spans = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?|true|false|null").matcher(config);
        while (m.find()) {
          spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
          return config;
        }
        int[] s = spans.get(r.nextInt(spans.size()));
        return config.substring(0, s[0]) + numbers[r.nextInt(numbers.length)] + config.substring(s[1]);
      }
      case 2 -> { // drop a character
        int at = r.nextInt(config.length());
        return config.substring(0, at) + config.substring(at + 1);
      }
      default -> { // rename a key
        String[] keys = {"input_size", "hidden_size", "num_layers", "bias", "proj_size", "out_features", "mode"};
        String k = keys[r.nextInt(keys.length)];
        return config.replace("\"" + k + "\"", "\"" + k + "x\"");
      }
    }
  }

  static long someLong(Random r, int dataLength) {
    return switch (r.nextInt(4)) {
      case 0 -> EDGE_LONGS[r.nextInt(EDGE_LONGS.length)];
      case 1 -> dataLength + r.nextInt(17) - 8;
      case 2 -> 4L * r.nextInt(dataLength / 4 + 2);
      default -> r.nextInt(dataLength + 1);
    };
  }

  static Object someShape(Random r) {
    long big = Integer.MAX_VALUE;
    List<Object> many = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      many.add(1L);
    }
    Object[] shapes = {List.of(), List.of(0L), List.of(-1L), List.of(big, big, big), List.of(1L << 40), many,
        List.of("a"), List.of(1.5), List.of(big, big), List.of(4L, 4L), List.of(16L, 3L), List.of(3L, 16L),
        List.of(24L), List.of(8L), "16", List.of((long) r.nextInt(40), (long) r.nextInt(40))};
    return shapes[r.nextInt(shapes.length)];
  }
}
