package io.sparklstm.model;

import io.sparklstm.lstm.LstmConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names, shapes and offsets of every parameter in one flat float buffer.
 *
 * <p>The same layout addresses the parameters, their gradients and every optimizer state buffer.
 * Order and names are those of PyTorch's {@code state_dict()}: for each layer, for each direction,
 * {@code weight_ih, weight_hh, bias_ih, bias_hh, weight_hr} (suffix {@code _reverse} for the
 * backward direction), then {@code head.weight, head.bias}.
 */
public final class ParameterLayout {

  /** One named tensor in the buffer. */
  public record Entry(String name, int[] shape, int offset, int size) {}

  /** Offsets of one layer-direction's weights; -1 where a tensor is absent (no bias, no projection). */
  public record LstmSlot(int weightIh, int weightHh, int biasIh, int biasHh, int weightHr) {}

  private final List<Entry> entries;
  private final Map<String, Entry> byName;
  private final LstmSlot[] slots; // [layer * D + direction]
  private final int headWeight;
  private final int headBias;
  private final int size;

  private ParameterLayout(List<Entry> entries, LstmSlot[] slots, int headWeight, int headBias) {
    this.entries = Collections.unmodifiableList(entries);
    this.byName = new LinkedHashMap<>();
    int total = 0;
    for (Entry e : entries) {
      byName.put(e.name(), e);
      total = Math.max(total, e.offset() + e.size());
    }
    this.slots = slots;
    this.headWeight = headWeight;
    this.headBias = headBias;
    this.size = total;
  }

  /** The layout of a SequenceModel: {@code lstm.*} then {@code head.*}. */
  public static ParameterLayout of(ModelConfig config) {
    return build(config.lstm(), "lstm.", config.head());
  }

  /** The layout of a bare {@code nn.LSTM} whose state_dict names carry {@code prefix} ("" for none). */
  public static ParameterLayout ofLstm(LstmConfig lstm, String prefix) {
    return build(lstm, prefix, null);
  }

  private static ParameterLayout build(LstmConfig c, String prefix, HeadConfig head) {
    List<Entry> entries = new ArrayList<>();
    int d = c.directions();
    int h = c.hiddenSize();
    int hOut = c.outputHiddenSize();
    LstmSlot[] slots = new LstmSlot[c.numLayers() * d];
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
        slots[layer * d + dir] = new LstmSlot(wIh, wHh, bIh, bHh, wHr);
      }
    }
    int headWeight = -1;
    int headBias = -1;
    if (head != null) {
      headWeight = add(entries, offset, "head.weight", head.outputSize(), c.outputSize());
      headBias = add(entries, offset, "head.bias", head.outputSize());
    }
    return new ParameterLayout(entries, slots, headWeight, headBias);
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
  public LstmSlot lstmSlot(int layer, int dir, int directions) {
    return slots[layer * directions + dir];
  }

  /** Offset of head.weight (out, D*H_out), or -1 without a head. */
  public int headWeight() {
    return headWeight;
  }

  /** Offset of head.bias (out), or -1 without a head. */
  public int headBias() {
    return headBias;
  }

  /** Offset just past the LSTM's tensors (the head, if any, follows). */
  public int lstmSize() {
    return headWeight >= 0 ? headWeight : size;
  }
}
