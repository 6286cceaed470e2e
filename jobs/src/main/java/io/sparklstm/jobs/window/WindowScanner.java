package io.sparklstm.jobs.window;

import io.sparklstm.jobs.UserError;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Streams the windows of rows sorted by (series, time): keeps a ring of the last
 * {@code length + horizon} steps, so memory does not grow with the length of a series.
 *
 * <p>Input rows: {@code [series,] time, v0 .. v(K-1)} (doubles, null allowed). Position p counts
 * the rows of a series from 0; a window starts at every p that is a multiple of {@code stride}, has
 * features at p .. p+length-1 and targets at p+length .. p+length+horizon-1. It is dropped (and
 * counted) when a feature value of its first part or a target value of its second part is null/NaN.
 * Output rows: {@code [series,] time of the first target step, features [length][F], label}.
 */
final class WindowScanner implements Iterator<Row> {
  private final Iterator<Row> in;
  private final WindowSpec spec;
  private final WindowCounts counts;
  private final int span;
  private final Object[] times;
  private final double[][] values;
  private final boolean[] featureBad;
  private final boolean[] targetBad;

  private boolean started;
  private Object series;
  private Object previousTime;
  private long position;
  private Row next;

  WindowScanner(Iterator<Row> in, WindowSpec spec, WindowCounts counts) {
    this.in = in;
    this.spec = spec;
    this.counts = counts;
    this.span = spec.length + spec.horizon;
    this.times = new Object[span];
    this.values = new double[span][spec.numValues];
    this.featureBad = new boolean[span];
    this.targetBad = new boolean[span];
  }

  @Override
  public boolean hasNext() {
    while (next == null && in.hasNext()) {
      next = accept(in.next());
    }
    return next != null;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Row r = next;
    next = null;
    return r;
  }

  /** Adds one step; returns the window that ends at it, or null. */
  private Row accept(Row row) {
    int c = spec.hasSeries ? 1 : 0;
    Object s = spec.hasSeries ? row.get(0) : null;
    Object t = row.get(c);
    if (t == null || (spec.hasSeries && s == null)) {
      counts.skippedRows.add(1);
      return null;
    }
    if (!started || !Objects.equals(s, series)) {
      started = true;
      series = s;
      position = 0;
    } else if (Objects.equals(t, previousTime)) {
      throw new UserError("window.time-column: time " + t + " appears twice"
          + (spec.hasSeries ? " in series " + s : "") + "; times must be unique within a series");
    }
    previousTime = t;

    int slot = (int) (position % span);
    times[slot] = t;
    double[] v = values[slot];
    for (int k = 0; k < spec.numValues; k++) {
      v[k] = row.isNullAt(c + 1 + k) ? Double.NaN : row.getDouble(c + 1 + k);
    }
    featureBad[slot] = anyNaN(v, spec.featureIndex);
    targetBad[slot] = anyNaN(v, spec.targetIndex);
    position++;

    long start = position - span;
    if (start < 0 || start % spec.stride != 0) {
      return null;
    }
    return emit(start);
  }

  private Row emit(long start) {
    for (int i = 0; i < spec.length; i++) {
      if (featureBad[slot(start + i)]) {
        counts.dropped.add(1);
        return null;
      }
    }
    for (int h = 0; h < spec.horizon; h++) {
      if (targetBad[slot(start + spec.length + h)]) {
        counts.dropped.add(1);
        return null;
      }
    }
    int nf = spec.featureIndex.length;
    float[][] features = new float[spec.length][nf];
    for (int i = 0; i < spec.length; i++) {
      double[] v = values[slot(start + i)];
      for (int f = 0; f < nf; f++) {
        features[i][f] = (float) v[spec.featureIndex[f]];
      }
    }
    int nt = spec.targetIndex.length;
    float[] label = new float[spec.horizon * nt];
    for (int h = 0; h < spec.horizon; h++) {
      double[] v = values[slot(start + spec.length + h)];
      for (int j = 0; j < nt; j++) {
        label[h * nt + j] = (float) v[spec.targetIndex[j]];
      }
    }
    Object time = times[slot(start + spec.length)];
    Object labelValue = spec.scalarLabel() ? (Object) label[0] : label;
    counts.written.add(1);
    return spec.hasSeries ? RowFactory.create(series, time, features, labelValue)
        : RowFactory.create(time, features, labelValue);
  }

  private int slot(long position) {
    return (int) (position % span);
  }

  private static boolean anyNaN(double[] v, int[] index) {
    for (int i : index) {
      if (Double.isNaN(v[i])) {
        return true;
      }
    }
    return false;
  }
}
