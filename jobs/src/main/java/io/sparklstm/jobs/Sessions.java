package io.sparklstm.jobs;

import io.sparklstm.jobs.config.SparkSection;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the SparkSession of a run.
 *
 * <p>The master: under spark-submit, {@code spark.master} is already a system property (SparkConf
 * reads {@code spark.*} properties), and it is kept. Otherwise (bin/spark-lstm runs Main with plain
 * {@code java}) it is the config's {@code spark.master}, or {@code local[*]}. A local master binds
 * the driver to 127.0.0.1 unless {@code spark.conf} says otherwise.
 */
public interface Sessions {
  /** The JVM option that loads the Vector API, which the LSTM cell's SIMD kernel needs. */
  String VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

  /** Our Kryo serializers (records cannot go through Kryo's default field serializer). */
  String KRYO_REGISTRATOR = "io.sparklstm.jobs.train.KryoRegistration";

  /** Spark's unroll threshold, the chunk size of serialized cached blocks: under half a 1 MiB G1 region. */
  String CACHE_CHUNK = "262144"; // bytes (256 KiB): Spark reads this key as a plain long

  SparkSession start(SparkSection spark, String appName);

  void stop(SparkSession session);

  /** The sessions of a real run. */
  Sessions DEFAULT = new Sessions() {
    @Override
    public SparkSession start(SparkSection spark, String appName) {
      SparkConf conf = sparkConf(spark, new SparkConf(), appName);
      Logger log = LoggerFactory.getLogger(Sessions.class);
      log.info("starting Spark {} (master {})", org.apache.spark.package$.MODULE$.SPARK_VERSION(),
          conf.get("spark.master"));
      if (!conf.get("spark.master").startsWith("local")) {
        log.info("Spark security: {} (docs/SECURITY.md)", SparkSecurity.describe(conf));
      }
      SparkSession session;
      try {
        session = SparkSession.builder().config(conf).getOrCreate();
      } catch (RuntimeException e) {
        throw MasterRegistration.explain(conf.get("spark.master"), e);
      }
      try {
        MasterRegistration.check(session.sparkContext());
      } catch (UserError e) {
        session.stop();
        throw e;
      }
      return session;
    }

    @Override
    public void stop(SparkSession session) {
      session.stop();
    }
  };

  /** The SparkConf for a run, given the one loaded from system properties. */
  static SparkConf sparkConf(SparkSection spark, SparkConf conf, String appName) {
    Logger log = LoggerFactory.getLogger(Sessions.class);
    if (!conf.contains("spark.master")) {
      conf.setMaster(spark.master().orElse("local[*]"));
    } else if (spark.master().isPresent() && !spark.master().get().equals(conf.get("spark.master"))) {
      log.warn("spark.master = {} in the config is ignored: the master given to spark-submit ({}) is used",
          spark.master().get(), conf.get("spark.master"));
    }
    if (!conf.contains("spark.app.name")) {
      conf.setAppName(appName);
    }
    for (Map.Entry<String, String> e : spark.conf().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    // Kryo, with serializers for what we shuffle, cache and broadcast (unless configured otherwise)
    conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    String registrators = conf.get("spark.kryo.registrator", "");
    if (!registrators.contains(KRYO_REGISTRATOR)) {
      conf.set("spark.kryo.registrator", registrators.isEmpty() ? KRYO_REGISTRATOR : registrators + "," + KRYO_REGISTRATOR);
    }
    // Serialized cached blocks are written in chunks of this size, the last one copied to its exact
    // size: with Spark's 1 MiB, every chunk and every stored block of at least 0.5 MiB (a training
    // block at the usual shapes, docs/DATA_LAYOUT.md) is a G1 "humongous" object taking whole 1 MiB
    // regions (heaps under 4 GiB), and a 2 GiB heap ran out at half its storage memory.
    // 256 KiB chunks are under half the smallest region (docs/PERFORMANCE.md).
    conf.setIfMissing("spark.storage.unrollMemoryThreshold", CACHE_CHUNK);
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      // the executor is this JVM: a task that runs out of memory then fails the job, which ends
      // with a one-line error, instead of Spark's handler exiting the JVM (code 52) mid-run
      conf.setIfMissing("spark.executor.killOnFatalError.depth", "0");
    } else {
      // executors run the LSTM cell's SIMD kernel only with this module (the scalar fallback gives
      // the same bits, slower); executors are launched after this conf is read, so adding it works
      String opts = conf.get("spark.executor.extraJavaOptions", "");
      if (!opts.contains("jdk.incubator.vector")) {
        conf.set("spark.executor.extraJavaOptions", (opts + " " + VECTOR_MODULE).trim());
        log.info("added {} to spark.executor.extraJavaOptions (SIMD LSTM cell on executors)", VECTOR_MODULE);
      }
    }
    return conf;
  }
}
