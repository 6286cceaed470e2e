package io.sparklstm.io;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The architecture of a state_dict without {@code spark-lstm.config}, read off its tensor names and
 * shapes: num_layers from the highest {@code _l{k}}, bidirectional from {@code _reverse}, bias from
 * {@code bias_ih_l0}, proj_size from {@code weight_hr_l0} (P, H), hidden_size from
 * {@code weight_hh_l0} (4H, H_out), input_size from {@code weight_ih_l0} (4H, I), the head from
 * {@code head.weight} (out, D*H_out). batch_first, dropout and the head's mode cannot be seen in
 * the tensors and come from the caller. Only these few tensors are read here; every other tensor
 * is checked against the result afterwards.
 */
final class ShapeInference {
  private static final Pattern LSTM_NAME =
      Pattern.compile("(?:weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\\d{1,9})(_reverse)?");

  private ShapeInference() {}

  /**
   * The tensor-name prefix of the LSTM: {@code "lstm."} for a SequenceModel, {@code ""} for a bare
   * {@code nn.LSTM().state_dict()}.
   */
  static String lstmPrefix(Map<String, SafeTensors.Entry> entries, String source) throws ModelFileException {
    if (entries.containsKey("lstm.weight_ih_l0")) {
      return "lstm.";
    }
    if (entries.containsKey("weight_ih_l0")) {
      return "";
    }
    throw new ModelFileException(source + ": missing tensor \"lstm.weight_ih_l0\" (or \"weight_ih_l0\" of a bare"
        + " nn.LSTM state_dict): this is not an LSTM model file" + namesHint(entries));
  }

  static ModelConfig infer(Map<String, SafeTensors.Entry> entries, String prefix, boolean batchFirst,
                           double dropout, HeadMode headMode, String source) throws ModelFileException {
    Fail fail = message -> new ModelFileException(source + ": " + message + " (the file has no spark-lstm.config"
        + " metadata, so the architecture comes from the tensor shapes)");
    int layers = 0;
    boolean bidirectional = false;
    for (String name : entries.keySet()) {
      if (!name.startsWith(prefix)) {
        continue;
      }
      Matcher m = LSTM_NAME.matcher(name.substring(prefix.length()));
      if (m.matches()) {
        layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1); // at most 9 digits: fits
        bidirectional |= m.group(2) != null;
      }
    }
    if (layers > entries.size()) { // a name like weight_ih_l99999 with a few tensors: the file is wrong
      throw fail.with("tensor names go up to layer " + (layers - 1) + " but the file has only "
          + entries.size() + " tensors");
    }
    long[] wIh = matrix(entries, prefix + "weight_ih_l0", fail);
    long[] wHh = matrix(entries, prefix + "weight_hh_l0", fail);
    if (wHh[0] % 4 != 0 || wHh[0] == 0) {
      throw fail.with("tensor \"" + prefix + "weight_hh_l0\" has " + wHh[0]
          + " rows; an nn.LSTM has 4*hidden_size rows there, one block per gate i, f, g, o");
    }
    long hidden = wHh[0] / 4;
    boolean bias = entries.containsKey(prefix + "bias_ih_l0") || entries.containsKey(prefix + "bias_hh_l0");
    long proj = 0;
    if (entries.containsKey(prefix + "weight_hr_l0")) {
      proj = matrix(entries, prefix + "weight_hr_l0", fail)[0];
    }
    LstmConfig lstm;
    try {
      lstm = new LstmConfig((int) wIh[1], (int) hidden, layers, bias, batchFirst, dropout, bidirectional, (int) proj);
    } catch (IllegalArgumentException e) { // e.g. an empty weight_ih_l0, or proj_size >= hidden_size
      throw fail.with(e.getMessage());
    }
    if (!prefix.isEmpty() && (entries.containsKey("head.weight") || entries.containsKey("head.bias"))) {
      long out = entries.containsKey("head.weight") ? matrix(entries, "head.weight", fail)[0]
          : entries.get("head.bias").shape().length == 1 ? entries.get("head.bias").shape()[0] : 0;
      if (out <= 0) {
        throw fail.with("cannot read out_features from head.weight or head.bias");
      }
      return new ModelConfig(lstm, new HeadConfig((int) out, headMode));
    }
    return new ModelConfig(lstm, null);
  }

  /** The (rows, columns) of a 2-D tensor that must be there. */
  private static long[] matrix(Map<String, SafeTensors.Entry> entries, String name, Fail fail)
      throws ModelFileException {
    SafeTensors.Entry e = entries.get(name);
    if (e == null) {
      throw fail.with("missing tensor \"" + name + "\"");
    }
    if (e.shape().length != 2) {
      throw fail.with("tensor \"" + name + "\" has shape " + Arrays.toString(e.shape())
          + "; expected a matrix (2 dimensions)");
    }
    return e.shape();
  }

  /** Makes the exception for a message, adding where the architecture came from. */
  private interface Fail {
    ModelFileException with(String message);
  }

  /** ", it has: a, b, c" with the first few tensor names, to show what the file is. */
  static String namesHint(Map<String, SafeTensors.Entry> entries) {
    if (entries.isEmpty()) {
      return "; it has no tensors";
    }
    String names = entries.keySet().stream().limit(5).map(n -> "\"" + n + "\"").reduce((a, b) -> a + ", " + b).get();
    return "; it has " + names + (entries.size() > 5 ? ", ... (" + entries.size() + " tensors)" : "");
  }
}
