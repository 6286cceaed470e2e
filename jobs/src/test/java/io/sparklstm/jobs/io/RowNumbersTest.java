package io.sparklstm.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

class RowNumbersTest {
  private static final SparkSession SPARK = TestSpark.session();

  @TempDir
  Path dir;

  @Test
  void numbersRowsAsZipWithIndexDoes() {
    String path = dir.resolve("t").toString();
    SPARK.range(0, 5000, 1, 5).withColumn("v", functions.col("id").multiply(2))
        .write().parquet(path);
    String key = "spark.sql.files.maxPartitionBytes";
    String before = SPARK.conf().get(key);
    SPARK.conf().set(key, "4096"); // several splits per file
    try {
      Dataset<Row> data = SPARK.read().parquet(path).filter("id % 3 != 0");
      List<Tuple2<Row, Long>> expected = data.javaRDD().zipWithIndex().collect();
      List<Tuple2<Row, Long>> actual = RowNumbers.zipWithIndex(data).collect();
      assertTrue(data.javaRDD().getNumPartitions() > 5, "split into several partitions");
      assertEquals(3333, actual.size());
      assertEquals(expected, actual);
      assertEquals(3333, RowNumbers.number(data).count(), "counted from the partition counts, before any row is read");
    } finally {
      SPARK.conf().set(key, before);
    }
  }

  @Test
  void aPartitionThatChangedBetweenReadsFails() {
    List<Row> two = List.of(RowFactory.create(1), RowFactory.create(2));
    List<Long> numbers = new ArrayList<>();
    new RowNumbers.Numbered<>(two.iterator(), 0, 10, 12).forEachRemaining(t -> numbers.add(t._2()));
    assertEquals(List.of(10L, 11L), numbers);

    Iterator<Tuple2<Row, Long>> more = new RowNumbers.Numbered<>(two.iterator(), 3, 10, 11);
    more.next();
    String m = assertThrows(IllegalStateException.class, more::hasNext).getMessage();
    assertEquals("input partition 3 changed between reads (more rows than counted); is the input being rewritten?", m);

    Iterator<Tuple2<Row, Long>> fewer = new RowNumbers.Numbered<>(two.iterator(), 1, 0, 3);
    fewer.next();
    fewer.next();
    assertTrue(assertThrows(IllegalStateException.class, fewer::hasNext).getMessage().contains("(fewer rows than counted)"));
  }
}
