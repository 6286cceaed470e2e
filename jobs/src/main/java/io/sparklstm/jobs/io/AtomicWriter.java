package io.sparklstm.jobs.io;

import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.config.TableSink;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkClassNotFoundException;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a table so that nothing half-written is left behind: Spark writes to a hidden sibling
 * {@code .<name>.tmp-<uuid>}, which is renamed to the target with the Hadoop FileSystem API when the
 * write succeeded, and deleted when it failed. With mode overwrite the old target is deleted just
 * before the rename. On object stores (s3a) rename is a copy: still no partial output, but slower.
 * The files and directories get their {@link OutputPermissions} before the rename.
 */
public final class AtomicWriter {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicWriter.class);

  private AtomicWriter() {
  }

  /** Fails early when the target exists and the mode is error, or its directory cannot be written. */
  public static void checkTarget(SparkSession spark, TableSink sink) {
    try {
      Path target = new Path(sink.path());
      FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (sink.mode() == TableSink.Mode.ERROR && fs.exists(target)) {
        throw exists(sink);
      }
      target = fs.makeQualified(target);
      WritableCheck.requireWritable(spark.sparkContext().hadoopConfiguration(), sink.key() + ".path",
          target.getParent());
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError(sink.key() + ".path: cannot use " + sink.path() + ": "
          + FileSystemErrors.describe(sink.path(), e), e);
    }
  }

  /** Writes {@code df} to {@code sink}, all or nothing, its files getting {@code permissions}. */
  public static void write(SparkSession spark, Dataset<Row> df, TableSink sink, OutputPermissions permissions)
      throws IOException {
    checkTarget(spark, sink);
    Path target = new Path(sink.path());
    FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
    target = fs.makeQualified(target);
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
    boolean done = false;
    try {
      List<Path> created = permissions.directoriesToCreate(fs, target);
      df.write().format(sink.format()).options(sink.options()).mode(SaveMode.ErrorIfExists).save(tmp.toString());
      permissions.applyToTable(fs, tmp);
      if (fs.exists(target)) {
        if (sink.mode() != TableSink.Mode.OVERWRITE) {
          throw exists(sink);
        }
        if (!fs.delete(target, true)) {
          throw new IOException("could not delete " + target);
        }
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("could not rename " + tmp + " to " + target);
      }
      permissions.applyToDirectories(fs, created);
      done = true;
    } catch (Exception e) {
      // Spark (Scala) throws AnalysisException, a checked type, without declaring it. It and an
      // unknown format (e.g. csv cannot hold arrays, a misspelt format) are the user's to fix.
      if (e instanceof AnalysisException || e instanceof SparkClassNotFoundException) {
        throw new UserError(sink.key() + ": " + Tables.firstLine(e.getMessage()), e);
      }
      if (e instanceof IOException io) {
        throw io;
      }
      throw Tables.rethrow(e);
    } finally {
      if (!done) {
        awaitTasks(spark);
        deleteQuietly(fs, tmp);
      }
    }
  }

  private static UserError exists(TableSink sink) {
    return new UserError(sink.key() + ".path: " + sink.path() + " already exists (set "
        + sink.key() + ".mode=overwrite to replace it)");
  }

  /**
   * After a failed job Spark kills its other tasks asynchronously; a task still running could write
   * into the temporary path after it is deleted. Wait (at most 30 s) until no stage is active.
   */
  private static void awaitTasks(SparkSession spark) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (spark.sparkContext().statusTracker().getActiveStageIds().length > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void deleteQuietly(FileSystem fs, Path tmp) {
    try {
      fs.delete(tmp, true);
    } catch (IOException e) {
      LOG.warn("could not delete the temporary output {}: {}", tmp, e.getMessage());
    }
  }
}
