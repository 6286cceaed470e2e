package io.sparklstm.jobs.train;

import io.sparklstm.jobs.UserError;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.train.LabeledSequence;
import io.sparklstm.train.ParameterAveraging;
import io.sparklstm.train.RoundSchedule;
import io.sparklstm.train.ShardPlan;
import io.sparklstm.train.Trainer;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerState;
import io.sparklstm.train.rules.RoundRules;
import io.sparklstm.train.rules.RoundStart;
import io.sparklstm.train.rules.RunState;
import io.sparklstm.train.rules.TrainingRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The parameter-averaging loop of DESIGN.md section 7 on Spark.
 *
 * <p>Per round: the driver broadcasts the state (parameters and optimizer state, flat floats);
 * every shard (Spark partition) with batches left trains its next k mini-batches from it; then the
 * sequence-weighted mean of the shards' new state vectors {@code [parameters | optimizer buffers]}
 * is taken element by element in shard order. While all shards' states together are small (up to
 * 64 MiB), the driver collects them and averages itself: one Spark stage per round. Above that, each
 * state is cut into slices and slice s of every shard meets in reducer s, so the driver receives one
 * averaged model's worth of floats whatever the number of shards. Both give the same bits. One worker
 * whose rules act on nothing per round trains its epoch in one round ({@link RoundRules#rounds}).
 * With direct rounds ({@code train.round-exchange}, {@link RoundExchange}) an epoch is one Spark job
 * whose tasks exchange states with the driver over TCP ({@link DirectRounds}): the same bits again.
 *
 * <p>Why not {@code treeAggregate}: it merges partial sums in the order tasks finish and shuffle
 * blocks arrive, and float addition depends on order, so models would differ in their last bits
 * from run to run. Summing each element in shard order makes the model a function of the config,
 * data and seed alone: the same with 1 or many executors, after task retries, and equal to
 * {@link io.sparklstm.train.LocalAveragingLoop}.
 */
public final class SparkAveragingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(SparkAveragingLoop.class);
  /** Slices hold about this many floats (1 MiB), and there are never more slices than shards. */
  private static final int SLICE_FLOATS = 1 << 18;
  /**
   * Up to this many bytes of shard states in all, the driver averages: collecting them costs less
   * than the reduce stage's fixed cost (scheduling, shuffle files), about 25 ms a round on local[2].
   */
  private static final long DRIVER_AVERAGE_MAX_BYTES = 64L << 20;

  private final JavaSparkContext sc;
  private final TrainingSetup setup;
  private final JavaRDD<LabeledSequence> rows;
  private final long rowCount;
  private final RoundRules rules;
  private BlockStore store;
  /** Whether this loop placed the blocks (and so releases them): not when they came placed. */
  private boolean ownsStore;
  /** The placement's time, not yet reported by an epoch. */
  private long unreportedPlacement;
  private final DataMetrics data = new DataMetrics();
  private long driverAverageMaxBytes = DRIVER_AVERAGE_MAX_BYTES;
  private RoundExchange exchange = RoundExchange.AUTO;
  /** The last choice's reason, logged when it changes; what the last epoch used, for its metrics line. */
  private String exchangeReason;
  private String exchangeUsed = "jobs";
  private int sliceFloats = SLICE_FLOATS;

  /** Plain averaging ({@link TrainingRules#NEUTRAL}). */
  public SparkAveragingLoop(JavaSparkContext sc, TrainingSetup setup, JavaRDD<LabeledSequence> rows, long rowCount) {
    this(sc, setup, rows, rowCount,
        new RoundRules(TrainingRules.NEUTRAL, setup.workers(), setup.optimizer().learningRate()));
  }

  /**
   * @param rows  the training rows with their input indices, cached by the caller
   * @param rules the driver's rules, whose state this loop advances
   */
  public SparkAveragingLoop(JavaSparkContext sc, TrainingSetup setup, JavaRDD<LabeledSequence> rows, long rowCount,
                            RoundRules rules) {
    this.sc = sc;
    this.setup = setup;
    this.rows = rows;
    this.rowCount = rowCount;
    this.rules = rules;
  }

  /** On rows already placed ({@link BlockStore#build}, whose time is then not any epoch's placement). */
  SparkAveragingLoop(JavaSparkContext sc, TrainingSetup setup, BlockStore placed, RoundRules rules) {
    this(sc, setup, null, placed.plan.rows(), rules);
    this.store = placed;
    this.unreportedPlacement = placed.placementNanos;
  }

  /**
   * One epoch's outcome. Times in nanoseconds: placement = decoding the rows, placing them into their
   * blocks and caching them (once per run: reported by the first epoch a loop runs, also when the
   * blocks came placed and the time was spent before the epoch; docs/DATA_LAYOUT.md), per round, compute
   * = the time the shards' training takes on the task slots (the slowest shard's training, or their
   * total over the slots when there are more shards than slots, as with 2 workers on local[1]) and
   * averaging = the rest of the round's wall time. The learning rates are those of the first and last rounds.
   */
  public record EpochOutcome(TrainingState state, long sequences, double lossSum, int rounds,
                             long computeNanos, long averagingNanos, long placementNanos, double firstLr,
                             double lastLr) {}

  /** {@code train.round-exchange} (default auto). */
  public SparkAveragingLoop roundExchange(RoundExchange mode) {
    this.exchange = mode;
    return this;
  }

  /** For tests: averages on the executors, in slices of {@code floats}, however small the state. */
  SparkAveragingLoop averageOnExecutors(int floats) {
    this.driverAverageMaxBytes = -1;
    this.sliceFloats = floats;
    return this;
  }

  /** Runs epoch {@code epoch} (0-based) of {@code epochs} from {@code start}. */
  public EpochOutcome trainEpoch(TrainingState start, int epoch, int epochs) {
    BlockStore shards = blocks();
    long placement = unreportedPlacement;
    unreportedPlacement = 0;
    RoundSchedule schedule = rules.rounds(setup.schedule());
    long maxBatches = 0;
    int working = 0;
    for (int w = 0; w < setup.workers(); w++) {
      maxBatches = Math.max(maxBatches, shards.batches(w, setup.batchSize()));
      working += shards.batches(w, setup.batchSize()) > 0 ? 1 : 0;
    }
    int rounds = schedule.rounds(maxBatches);
    int length = start.parameters().length + start.optimizer().buffers().length;
    RoundExchange.Choice choice = exchange.choose(sc, working, rounds, onDriver(length));
    if (!choice.reason().equals(exchangeReason)) {
      LOG.info("rounds: {} ({})", choice.direct() ? "direct" : "a Spark job per round", choice.reason());
      exchangeReason = choice.reason();
    }
    exchangeUsed = choice.direct() ? "direct" : "jobs";
    if (!choice.direct()) {
      return rounds(start, epoch, epochs, rounds, placement, shards,
          (begin, round) -> runRound(begin, shards, schedule, epoch, round));
    }
    return directEpoch(start, epoch, epochs, rounds, placement, shards, schedule);
  }

  /**
   * An epoch in direct rounds ({@link DirectRounds}). If its connections break (a task failed or was
   * lost), the epoch restarts from {@code start} with the rules as they were at its start, up to
   * Spark's attempts per task; a failure Spark gave up on is thrown as Spark threw it.
   */
  private EpochOutcome directEpoch(TrainingState start, int epoch, int epochs, int rounds, long placement,
                                   BlockStore shards, RoundSchedule schedule) {
    RunState epochStart = RunState.empty();
    rules.save(epochStart);
    int attempts = maxAttempts();
    for (int attempt = 1; ; attempt++) {
      DirectRounds direct = new DirectRounds(sc, setup, shards, schedule, epoch, rules.needsShardStates(),
          data.readCounter(sc), attempt);
      try {
        EpochOutcome out = rounds(start, epoch, epochs, rounds, placement, shards, direct::round);
        direct.finish();
        return out;
      } catch (DirectRounds.Broken e) {
        Throwable failed = direct.abort();
        if (failed != null) {
          throw DirectRounds.sneaky(failed);
        }
        rules.restore(epochStart, start.parameters().length, start.optimizer().bufferCount());
        if (attempt >= attempts) {
          throw new UserError("direct rounds (train.round-exchange): epoch " + (epoch + 1) + " broke off "
              + attempt + " time(s) (spark.task.maxFailures), last in " + e.getMessage() + "; if the executors cannot"
              + " reach the driver's round port, use train.round-exchange=jobs (docs/CLUSTER.md)", e);
        }
        LOG.warn("direct rounds: {}; restarting the epoch from its start (attempt {} of {})", e.getMessage(),
            attempt + 1, attempts);
      } finally {
        direct.close();
      }
    }
  }

  /** How a round runs: a Spark job, or a direct exchange. */
  @FunctionalInterface
  private interface RoundRunner {
    RoundOutcome run(RoundStart begin, int round);
  }

  private EpochOutcome rounds(TrainingState start, int epoch, int epochs, int rounds, long placement,
                              BlockStore shards, RoundRunner runner) {
    data.readCounter(sc);
    data.startEpoch(rounds);
    TrainingState state = start;
    long sequences = 0;
    double lossSum = 0;
    long compute = 0;
    long averaging = 0;
    int slots = Math.max(1, sc.defaultParallelism());
    double firstLr = rules.learningRate(epoch, 0, Math.max(1, rounds));
    double lastLr = firstLr;
    for (int round = 0; round < rounds; round++) {
      sc.setJobDescription("spark-lstm train: epoch " + (epoch + 1) + "/" + epochs + ", round " + (round + 1)
          + "/" + rounds);
      long t0 = System.nanoTime();
      lastLr = rules.learningRate(epoch, round, rounds);
      RoundStart begin = rules.start(state, lastLr);
      RoundOutcome r = runner.run(begin, round);
      state = rules.finish(state, begin, r.state, r.trained);
      long wall = System.nanoTime() - t0;
      data.round(round, wall);
      sequences += r.sequences;
      lossSum += r.lossSum;
      long training = Math.max(r.slowestShardNanos, r.totalShardNanos / slots);
      compute += training;
      averaging += Math.max(0, wall - training);
    }
    sc.setJobDescription(null);
    data.endEpoch(shards.cachedBytes(sc));
    return new EpochOutcome(state, sequences, lossSum, rounds, compute, averaging, placement, firstLr, lastLr);
  }

  /** Whether a round's states are averaged on the driver (else in slices on the executors). */
  private boolean onDriver(int length) {
    // inner-state keep needs every shard's state on the driver: collected there whatever its size
    return rules.needsShardStates() || (long) setup.workers() * length * Float.BYTES <= driverAverageMaxBytes;
  }

  /** Spark's attempts per task ({@code spark.task.maxFailures}; local[N, F]: F): also a direct epoch's attempts. */
  private int maxAttempts() {
    if (sc.sc().taskScheduler() instanceof org.apache.spark.scheduler.TaskSchedulerImpl t) {
      return Math.max(1, t.maxTaskFailures());
    }
    return Math.max(1, sc.getConf().getInt("spark.task.maxFailures", 4));
  }

  /** The last epoch's data metrics (cache sizes, bytes read, round times) for its metrics line. */
  public java.util.Map<String, Object> dataMetrics() {
    Map<String, Object> m = data.asMap();
    m.put("round_exchange", exchangeUsed);
    return m;
  }

  /**
   * Releases the cached blocks if this loop placed them; blocks that came placed are their owner's to
   * release (released twice, Spark warns once per block: "Asked to remove block ..., which does not exist").
   */
  public void close() {
    if (store != null && ownsStore) {
      store.release();
    }
    store = null;
  }

  /** The blocks, placed and cached in the first epoch this loop runs (docs/DATA_LAYOUT.md). */
  private BlockStore blocks() {
    if (store == null) {
      store = BlockStore.build(sc, rows, rowCount, setup);
      ownsStore = true;
      unreportedPlacement = store.placementNanos;
    }
    return store;
  }

  /** @param trained each shard's optimizer state after the round, when the rules need it (else empty) */
  record RoundOutcome(TrainingState state, long sequences, double lossSum, long slowestShardNanos,
                              long totalShardNanos, Map<Integer, OptimizerState> trained) {}

  private RoundOutcome runRound(RoundStart begin, BlockStore shards, RoundSchedule schedule, int epoch, int round) {
    TrainingState state = begin.state();
    int parameterCount = state.parameters().length;
    int bufferCount = state.optimizer().bufferCount();
    int length = parameterCount + state.optimizer().buffers().length; // of the flat [parameters | buffers]
    boolean onDriver = onDriver(length);
    int slices = onDriver ? 1 : sliceCount(length);
    Broadcast<RoundStart> shared = sc.broadcast(begin);
    TrainingSetup setup = this.setup;
    BlockStore.Round work = shards.round(epoch, round, schedule, setup.batchSize());
    ShardPlan plan = shards.plan;
    LongAccumulator read = data.readCounter(sc);
    int[] shardOf = work.shards();
    long[] firstBatch = work.from();
    long[] endBatch = work.to();
    try {
      JavaRDD<Tuple2<Integer, StateSlice>> pieces = work.blocks().mapPartitionsWithIndex((i, blocks) -> {
        int shard = shardOf[i];
        long from = firstBatch[i];
        FaultInjection.maybeFail("training round " + round);
        long t0 = System.nanoTime();
        Trainer trainer = WorkerTrainers.forSetup(setup);
        TrainingState shardState = shared.value().forShard(shard);
        FaultInjection.maybeCorrupt(shardState.parameters(), epoch, round, shard);
        RoundReader batches = new RoundReader(blocks, plan, setup, epoch, shard, from, endBatch[i]);
        Trainer.ShardResult result = trainer.trainBatches(shardState, () -> batches, setup.seed(), epoch, round,
            shard, from, shared.value().learningRate());
        read.add(batches.bytesRead());
        long nanos = System.nanoTime() - t0;
        return cut(result, slices, nanos).iterator();
      }, true);
      List<Tuple2<Integer, SliceMean>> means;
      Map<Integer, OptimizerState> trained = new HashMap<>();
      if (onDriver) {
        List<StateSlice> states = new ArrayList<>();
        pieces.collect().forEach(t -> states.add(t._2()));
        means = List.of(new Tuple2<>(0, SliceMean.of(states)));
        if (rules.needsShardStates()) {
          states.forEach(s -> trained.put(s.shard(), optimizerOf(s, parameterCount)));
        }
      } else {
        means = pieces
            .mapToPair(t -> t)
            .groupByKey(new HashPartitioner(slices))
            .mapValues(pieceList -> {
              FaultInjection.maybeFail("averaging round " + round);
              return SliceMean.of(pieceList);
            })
            .collect();
      }
      return assemble(means, length, parameterCount, bufferCount, trained);
    } finally {
      shared.destroy();
    }
  }

  private int sliceCount(int length) {
    return (int) Math.max(1, Math.min(setup.workers(), (length + (long) sliceFloats - 1) / sliceFloats));
  }

  /** Cuts a shard's result into slices; slice s covers [s*len/S, (s+1)*len/S) of the flat vector. */
  private static List<Tuple2<Integer, StateSlice>> cut(Trainer.ShardResult r, int slices, long nanos) {
    float[] vector = ParameterAveraging.flatten(r.state());
    List<Tuple2<Integer, StateSlice>> out = new ArrayList<>(slices);
    for (int s = 0; s < slices; s++) {
      int from = (int) ((long) s * vector.length / slices);
      int to = (int) ((long) (s + 1) * vector.length / slices);
      out.add(new Tuple2<>(s, new StateSlice(r.shard(), r.sequences(), r.lossSum(), r.state().optimizer().step(),
          nanos, slices == 1 ? vector : java.util.Arrays.copyOfRange(vector, from, to))));
    }
    return out;
  }

  /** A shard's optimizer state from its whole flat {@code [parameters | buffers]} vector. */
  static OptimizerState optimizerOf(StateSlice s, int parameterCount) {
    float[] v = s.values();
    return new OptimizerState(s.step(), parameterCount, java.util.Arrays.copyOfRange(v, parameterCount, v.length));
  }

  static RoundOutcome assemble(List<Tuple2<Integer, SliceMean>> means, int length, int parameterCount,
                                       int bufferCount, Map<Integer, OptimizerState> trained) {
    float[] vector = new float[length];
    int slices = means.size();
    SliceMean first = null;
    for (Tuple2<Integer, SliceMean> t : means) {
      int s = t._1();
      int from = (int) ((long) s * length / slices);
      System.arraycopy(t._2().values(), 0, vector, from, t._2().values().length);
      if (s == 0) {
        first = t._2();
      }
    }
    TrainingState state = ParameterAveraging.unflatten(vector, parameterCount, bufferCount, first.step());
    return new RoundOutcome(state, first.sequences(), first.lossSum(), first.slowestNanos(), first.totalNanos(),
        trained);
  }
}
