package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;

/** {@code generate.*}: the synthetic dataset. */
public final class GenerateSection {
  /** {@code generate.kind}: a long time-series table, or ready-made training windows. */
  public enum Kind { SERIES, WINDOWS }

  private final Kind kind;
  private final long count;
  private final int length;
  private final int minLength;
  private final int features;
  private final int horizon;
  private final int targets;
  private final double noise;
  private final long seed;
  private final int partitions;
  private final TableSink output;

  GenerateSection(ConfigReader r) {
    this.kind = Kind.valueOf(r.oneOf("generate.kind", "series", "windows").toUpperCase());
    this.count = r.longAtLeast("generate.count", 1);
    this.length = r.intAtLeast("generate.length", 1);
    this.minLength = r.intAtLeast("generate.min-length", 0);
    if (minLength > length) {
      throw new UserError("generate.min-length must be <= generate.length (" + length + "), got " + minLength);
    }
    this.features = r.intAtLeast("generate.features", 1);
    this.horizon = r.intAtLeast("generate.horizon", 1);
    this.targets = r.intAtLeast("generate.targets", 1);
    if (targets > features) {
      throw new UserError("generate.targets must be <= generate.features (" + features + "), got " + targets);
    }
    this.noise = r.numberIn("generate.noise", 0, Double.POSITIVE_INFINITY, false);
    this.seed = r.longAtLeast("generate.seed", Long.MIN_VALUE);
    this.partitions = r.intAtLeast("generate.partitions", 0);
    this.output = new TableSink(r, "generate.output");
  }

  public Kind kind() {
    return kind;
  }

  /** Number of series (kind = series) or sequences (kind = windows). */
  public long count() {
    return count;
  }

  /** Steps per series or sequence; the maximum when {@link #minLength()} > 0. */
  public int length() {
    return length;
  }

  /** When > 0, each row's length is drawn from [minLength, length]; 0 = fixed length. */
  public int minLength() {
    return minLength;
  }

  /** Value columns, or I. */
  public int features() {
    return features;
  }

  public int horizon() {
    return horizon;
  }

  public int targets() {
    return targets;
  }

  public double noise() {
    return noise;
  }

  public long seed() {
    return seed;
  }

  /** Spark partitions; 0 = the default parallelism. */
  public int partitions() {
    return partitions;
  }

  public TableSink output() {
    return output;
  }
}
