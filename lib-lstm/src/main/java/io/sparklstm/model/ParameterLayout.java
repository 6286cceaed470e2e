package io.sparklstm.model;

import io.sparklstm.lstm.LstmLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names, shapes and offsets of every parameter in one flat float buffer.
 *
 * <p>The same layout addresses the parameters, their gradients and every optimizer state buffer.
 * Order and names are those of PyTorch's {@code state_dict()}: the LSTM's tensors as
 * {@link LstmLayout} lays them out with prefix {@code lstm.}, then {@code head.weight, head.bias}.
 */
public final class ParameterLayout {

  /** One named tensor in the buffer. */
  public record Entry(String name, int[] shape, int offset, int size) {}

  private final List<Entry> entries;
  private final Map<String, Entry> byName;
  private final LstmLayout lstm;
  private final int headWeight;
  private final int headBias;
  private final int size;

  private ParameterLayout(List<Entry> entries, LstmLayout lstm, int headWeight, int headBias) {
    this.entries = Collections.unmodifiableList(entries);
    this.byName = new LinkedHashMap<>();
    int total = 0;
    for (Entry e : entries) {
      byName.put(e.name(), e);
      total = Math.max(total, e.offset() + e.size());
    }
    this.lstm = lstm;
    this.headWeight = headWeight;
    this.headBias = headBias;
    this.size = total;
  }

  /** The layout of a SequenceModel: {@code lstm.*} then {@code head.*}. */
  public static ParameterLayout of(ModelConfig config) {
    LstmLayout lstm = LstmLayout.of(config.lstm(), "lstm.");
    List<Entry> entries = new ArrayList<>();
    for (LstmLayout.Entry e : lstm.entries()) {
      entries.add(new Entry(e.name(), e.shape(), e.offset(), e.size()));
    }
    int headWeight = -1;
    int headBias = -1;
    HeadConfig head = config.head();
    if (head != null) {
      int out = head.outputSize();
      int width = config.lstm().outputSize();
      if (lstm.size() + (long) out * width + out > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("the model has more than 2^31 parameters; it does not fit one array");
      }
      headWeight = lstm.size();
      headBias = headWeight + out * width;
      entries.add(new Entry("head.weight", new int[] {out, width}, headWeight, out * width));
      entries.add(new Entry("head.bias", new int[] {out}, headBias, out));
    }
    return new ParameterLayout(entries, lstm, headWeight, headBias);
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

  /** The LSTM's part: the {@code lstm.*} tensors, from offset 0. */
  public LstmLayout lstm() {
    return lstm;
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
    return lstm.size();
  }
}
