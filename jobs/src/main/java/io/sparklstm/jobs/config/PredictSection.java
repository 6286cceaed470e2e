package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code predict.*}: applying a model to a table of sequences. */
public final class PredictSection {
  /** The columns predict can add. */
  public static final List<String> COLUMNS = List.of("prediction", "output", "h_n", "c_n");

  private final String model;
  private final TableSource input;
  private final TableSink output;
  private final List<String> columns;
  private final List<String> keepColumns;
  private final String h0Column;
  private final String c0Column;
  private final int batchSize;

  PredictSection(ConfigReader r) {
    this.model = TableSource.emptyToNull(r.optString("predict.model"));
    this.input = new TableSource(r, "predict.input");
    this.output = new TableSink(r, "predict.output");
    this.columns = r.optStrings("predict.columns");
    if (columns == null || columns.isEmpty()) {
      throw new UserError("predict.columns must list at least one of " + COLUMNS);
    }
    checkNames("predict.columns", columns, COLUMNS);
    this.keepColumns = r.optStrings("predict.keep-columns");
    if (keepColumns != null) {
      checkNames("predict.keep-columns", keepColumns, null);
    }
    this.h0Column = TableSource.emptyToNull(r.optString("predict.initial-state.h0-column"));
    this.c0Column = TableSource.emptyToNull(r.optString("predict.initial-state.c0-column"));
    this.batchSize = r.intAtLeast("predict.batch-size", 1);
  }

  /** Each name once, and (when {@code allowed} is not null) one of {@code allowed}. */
  private static void checkNames(String key, List<String> names, List<String> allowed) {
    Set<String> seen = new HashSet<>();
    for (String c : names) {
      if (allowed != null && !allowed.contains(c)) {
        throw new UserError(key + ": unknown column \"" + c + "\"; expected any of " + allowed);
      }
      if (!seen.add(c)) {
        throw new UserError(key + ": \"" + c + "\" is listed twice");
      }
    }
  }

  /** {@code predict.model}: the .safetensors to apply; required for predict. */
  public String model() {
    if (model == null) {
      throw UserError.missing("predict.model");
    }
    return model;
  }

  public TableSource input() {
    return input;
  }

  public TableSink output() {
    return output;
  }

  /** Output columns, a non-empty subset of {@link #COLUMNS} in the configured order. */
  public List<String> columns() {
    return columns;
  }

  /** {@code predict.keep-columns}: the input columns to copy to the output; empty = all of them. */
  public Optional<List<String>> keepColumns() {
    return Optional.ofNullable(keepColumns);
  }

  /** Column with per-row h_0 ([L*D][H_out]), if set. */
  public Optional<String> h0Column() {
    return Optional.ofNullable(h0Column);
  }

  /** Column with per-row c_0 ([L*D][H]), if set. */
  public Optional<String> c0Column() {
    return Optional.ofNullable(c0Column);
  }

  public int batchSize() {
    return batchSize;
  }
}
