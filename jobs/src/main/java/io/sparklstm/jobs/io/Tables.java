package io.sparklstm.jobs.io;

import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.config.TableSource;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads a configured table; failures name the config key. */
public final class Tables {
  private Tables() {
  }

  /** Reads {@code source} (format, options, then filter); a missing path or bad format is a UserError. */
  public static Dataset<Row> read(SparkSession spark, TableSource source) {
    String key = source.key();
    String path = source.path();
    if (!hasGlob(path)) {
      try {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(p)) {
          throw new UserError(key + ".path: " + path + " does not exist");
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new UserError(key + ".path: cannot open " + path + ": " + FileSystemErrors.describe(path, e), e);
      }
    }
    Dataset<Row> df;
    try {
      df = spark.read().format(source.format()).options(source.options()).load(path);
    } catch (Exception e) { // Spark may throw the checked AnalysisException undeclared
      if (e instanceof SparkThrowable) {
        throw new UserError(key + ": " + sparkMessage(e), e);
      }
      throw rethrow(e);
    }
    if (!source.filter().isEmpty()) {
      try {
        df = df.filter(source.filter());
      } catch (Exception e) {
        if (e instanceof SparkThrowable) {
          throw new UserError(key + ".filter: " + sparkMessage(e), e);
        }
        throw rethrow(e);
      }
    }
    return df;
  }

  private static boolean hasGlob(String path) {
    return path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0 || path.indexOf('{') >= 0;
  }

  /**
   * The first line of the innermost Spark error that has an error condition, e.g.
   * {@code [FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER] Encountered error while reading file ...}
   * rather than the {@code Job aborted due to stage failure: Task 0 in stage 3.0 failed ...} around it.
   */
  static String sparkMessage(Throwable e) {
    Throwable best = e;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SparkThrowable s && s.getCondition() != null) {
        best = t;
      }
    }
    return firstLine(best.getMessage());
  }

  /** {@code e} as an unchecked exception (wrapped when it is a checked one). */
  static RuntimeException rethrow(Exception e) {
    return e instanceof RuntimeException r ? r : new IllegalStateException(e);
  }

  static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    String s = message.strip();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl).strip();
  }
}
