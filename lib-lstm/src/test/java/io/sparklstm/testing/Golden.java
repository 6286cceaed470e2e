package io.sparklstm.testing;

import io.sparklstm.io.Json;
import io.sparklstm.io.ModelFileException;
import io.sparklstm.io.SafeTensors;
import io.sparklstm.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A golden fixture written by a script in lib-lstm/src/test/python: named tensors and metadata. */
public final class Golden {
  private final SafeTensors file;

  private Golden(SafeTensors file) {
    this.file = file;
  }

  /** The fixture directory {@code golden/<group>} under the test resources. */
  public static Path dir(String group) {
    return Paths.get("src", "test", "resources", "golden", group);
  }

  /** Every fixture file of a group, sorted by name. */
  public static List<Path> cases(String group) {
    try (Stream<Path> s = Files.list(dir(group))) {
      return s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Golden load(Path path) {
    try {
      return new Golden(SafeTensors.read(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean has(String name) {
    return file.entries().containsKey(name);
  }

  public Tensor tensor(String name) {
    try {
      return Tensor.of(file.floats(name), file.entries().get(name).intShape());
    } catch (ModelFileException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Tensor tensorOrNull(String name) {
    return has(name) ? tensor(name) : null;
  }

  /** A float tensor holding integers (lengths, class labels), as ints. */
  public int[] ints(String name) {
    float[] f = tensor(name).data();
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = Math.round(f[i]);
    }
    return out;
  }

  public String meta(String key) {
    return file.metadata().get(key);
  }

  /** A metadata entry holding a JSON object. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> metaJson(String key) {
    return (Map<String, Object>) Json.parse(meta(key));
  }

  public Map<String, SafeTensors.Entry> entries() {
    return file.entries();
  }

  @Override
  public String toString() {
    return file.source();
  }
}
