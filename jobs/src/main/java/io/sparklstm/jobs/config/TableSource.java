package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;
import java.util.Map;

/** A table to read: {@code <key>.{path, format, options, filter}}. */
public final class TableSource {
  private final String key;
  private final String path;
  private final String format;
  private final Map<String, String> options;
  private final String filter;

  TableSource(ConfigReader r, String key) {
    this.key = key;
    this.path = emptyToNull(r.optString(key + ".path"));
    this.format = nonEmpty(r, key + ".format");
    this.options = r.map(key + ".options");
    this.filter = r.isNull(key + ".filter") ? "" : r.string(key + ".filter").trim();
  }

  /** The config key of this table, e.g. {@code window.input}, for messages. */
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

  public boolean hasPath() {
    return path != null;
  }

  /** A Spark SQL source name: parquet, json, orc, csv, ... */
  public String format() {
    return format;
  }

  /** Reader options passed to Spark. */
  public Map<String, String> options() {
    return options;
  }

  /** A Spark SQL condition applied after reading; "" = none. */
  public String filter() {
    return filter;
  }

  static String emptyToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static String nonEmpty(ConfigReader r, String key) {
    String s = r.string(key).trim();
    if (s.isEmpty()) {
      throw new UserError(key + " must not be empty");
    }
    return s;
  }
}
