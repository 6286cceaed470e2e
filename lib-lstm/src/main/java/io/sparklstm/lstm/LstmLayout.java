package io.sparklstm.lstm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names, shapes and offsets of an {@code nn.LSTM}'s tensors in one flat float buffer, from offset 0.
 *
 * <p>Order and names are those of {@code nn.LSTM.state_dict()}: for each layer, for each direction,
 * {@code weight_ih, weight_hh, bias_ih, bias_hh, weight_hr} (suffix {@code _reverse} for the
 * backward direction), each name after a prefix ({@code ""} for a bare LSTM, {@code "lstm."} inside
 * a model, whose layout puts its own tensors after these).
 */
public final class LstmLayout {

  /** One named tensor in the buffer. */
  public record Entry(String name, int[] shape, int offset, int size) {}

  /** Offsets of one layer-direction's weights; -1 where a tensor is absent (no bias, no projection). */
  public record Slot(int weightIh, int weightHh, int biasIh, int biasHh, int weightHr) {}

  private final LstmConfig config;
  private final List<Entry> entries;
  private final Map<String, Entry> byName;
  private final Slot[] slots; // [layer * D + direction]
  private final int size;

  private LstmLayout(LstmConfig config, List<Entry> entries, Slot[] slots, int size) {
    this.config = config;
    this.entries = Collections.unmodifiableList(entries);
    this.byName = new LinkedHashMap<>();
    for (Entry e : entries) {
      byName.put(e.name(), e);
    }
    this.slots = slots;
    this.size = size;
  }

  /** The layout of {@code nn.LSTM(config)} whose state_dict names carry {@code prefix}. */
  public static LstmLayout of(LstmConfig c, String prefix) {
    List<Entry> entries = new ArrayList<>();
    int d = c.directions();
    int h = c.hiddenSize();
    int hOut = c.outputHiddenSize();
    Slot[] slots = new Slot[c.numLayers() * d];
    int[] offset = {0};
    for (int layer = 0; layer < c.numLayers(); layer++) {
      for (int dir = 0; dir < d; dir++) {
        String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
        int wIh = add(entries, offset, prefix + "weight_ih" + suffix, 4 * h, c.layerInputSize(layer));
        int wHh = add(entries, offset, prefix + "weight_hh" + suffix, 4 * h, hOut);
        int bIh = -1;
        int bHh = -1;
        if (c.bias()) {
          bIh = add(entries, offset, prefix + "bias_ih" + suffix, 4 * h);
          bHh = add(entries, offset, prefix + "bias_hh" + suffix, 4 * h);
        }
        int wHr = -1;
        if (c.projSize() > 0) {
          wHr = add(entries, offset, prefix + "weight_hr" + suffix, c.projSize(), h);
        }
        slots[layer * d + dir] = new Slot(wIh, wHh, bIh, bHh, wHr);
      }
    }
    return new LstmLayout(c, entries, slots, offset[0]);
  }

  private static int add(List<Entry> entries, int[] offset, String name, int... shape) {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    if (offset[0] + n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("the model has more than 2^31 parameters; it does not fit one array");
    }
    int at = offset[0];
    entries.add(new Entry(name, shape, at, (int) n));
    offset[0] += (int) n;
    return at;
  }

  public LstmConfig config() {
    return config;
  }

  /** Every tensor, in state_dict order. */
  public List<Entry> entries() {
    return entries;
  }

  /** The tensor called {@code name}, or null. */
  public Entry find(String name) {
    return byName.get(name);
  }

  /** Total number of floats. */
  public int size() {
    return size;
  }

  /** Offsets of layer {@code layer}, direction {@code dir} (0 forward, 1 reverse). */
  public Slot slot(int layer, int dir) {
    return slots[layer * config.directions() + dir];
  }
}
