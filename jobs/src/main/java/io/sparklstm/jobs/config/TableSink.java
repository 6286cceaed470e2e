package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;
import java.util.Map;

/** A table to write: {@code <key>.{path, format, mode, options}}. */
public final class TableSink {
  /** What to do when the output path exists. */
  public enum Mode { ERROR, OVERWRITE }

  private final String key;
  private final String path;
  private final String format;
  private final Mode mode;
  private final Map<String, String> options;

  TableSink(ConfigReader r, String key) {
    this.key = key;
    this.path = TableSource.emptyToNull(r.optString(key + ".path"));
    this.format = TableSource.nonEmpty(r, key + ".format");
    this.mode = Mode.valueOf(r.oneOf(key + ".mode", "error", "overwrite").toUpperCase());
    this.options = r.map(key + ".options");
  }

  /** The config key of this table, e.g. {@code window.output}, for messages. */
  public String key() {
    return key;
  }

  /** The path; throws "missing required key" when not set. */
  public String path() {
    if (path == null) {
      throw UserError.missing(key + ".path");
    }
    return path;
  }

  /** A Spark SQL source name: parquet, json, orc, ... */
  public String format() {
    return format;
  }

  public Mode mode() {
    return mode;
  }

  /** Writer options passed to Spark. */
  public Map<String, String> options() {
    return options;
  }
}
