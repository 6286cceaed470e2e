package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code window.*}: cutting a long time-series table into forecasting windows. */
public final class WindowSection {
  private final TableSource input;
  private final TableSink output;
  private final String seriesColumn;
  private final String timeColumn;
  private final List<String> valueColumns;
  private final List<String> targetColumns;
  private final Integer length;
  private final int horizon;
  private final int stride;
  private final int partitions;

  WindowSection(ConfigReader r) {
    this.input = new TableSource(r, "window.input");
    this.output = new TableSink(r, "window.output");
    this.seriesColumn = TableSource.emptyToNull(r.optString("window.series-column"));
    this.timeColumn = TableSource.emptyToNull(r.optString("window.time-column"));
    this.valueColumns = r.optStrings("window.value-columns");
    if (valueColumns != null) {
      checkNames("window.value-columns", valueColumns);
      if (valueColumns.isEmpty()) {
        throw new UserError("window.value-columns must name at least one column");
      }
    }
    List<String> targets = r.optStrings("window.target-columns");
    this.targetColumns = targets == null ? List.of() : targets;
    checkNames("window.target-columns", targetColumns);
    this.length = r.optIntAtLeast("window.length", 1);
    this.horizon = r.intAtLeast("window.horizon", 1);
    this.stride = r.intAtLeast("window.stride", 1);
    this.partitions = r.intAtLeast("window.partitions", 0);
  }

  private static void checkNames(String key, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (n.isBlank()) {
        throw new UserError(key + ": column names must not be empty");
      }
      if (!seen.add(n)) {
        throw new UserError(key + ": column \"" + n + "\" is listed twice");
      }
    }
  }

  public TableSource input() {
    return input;
  }

  public TableSink output() {
    return output;
  }

  /** The series id column, or empty when the table is one series. */
  public Optional<String> seriesColumn() {
    return Optional.ofNullable(seriesColumn);
  }

  /** The column ordering each series; required. */
  public String timeColumn() {
    if (timeColumn == null) {
      throw UserError.missing("window.time-column");
    }
    return timeColumn;
  }

  /** The per-step feature columns, in order; required. */
  public List<String> valueColumns() {
    if (valueColumns == null) {
      throw UserError.missing("window.value-columns");
    }
    return valueColumns;
  }

  /** The columns to forecast: {@code window.target-columns}, or the value columns when that is empty. */
  public List<String> targetColumns() {
    return targetColumns.isEmpty() ? valueColumns() : targetColumns;
  }

  /** Steps per window; required. */
  public int length() {
    if (length == null) {
      throw UserError.missing("window.length");
    }
    return length;
  }

  public int horizon() {
    return horizon;
  }

  public int stride() {
    return stride;
  }

  /** Partitions of the by-series shuffle; 0 = Spark's choice. */
  public int partitions() {
    return partitions;
  }
}
