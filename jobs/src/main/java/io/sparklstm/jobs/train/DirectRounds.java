package io.sparklstm.jobs.train;

import io.sparklstm.jobs.train.link.LinkBroken;
import io.sparklstm.jobs.train.link.RoundHub;
import io.sparklstm.jobs.train.link.RoundLink;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.train.DivergenceException;
import io.sparklstm.train.RoundSchedule;
import io.sparklstm.train.ShardPlan;
import io.sparklstm.train.Trainer;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerState;
import io.sparklstm.train.rules.RoundStart;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * One attempt at an epoch in direct rounds: one Spark job whose task i is shard i with its whole epoch
 * of batches ({@link BlockStore#round} over the whole epoch); the tasks connect to this driver's
 * {@link RoundHub}, and per round each receives its start state, trains its next k mini-batches with
 * one {@link Trainer} and sends its state back; the driver averages them as the job path does
 * ({@link SliceMean#of}, shard order), so both give the same bits. A shard with no batches left in a
 * round sits it out, as in the job path; a task ends after its last round.
 *
 * <p>If a link breaks (a task failed or was lost), {@link Broken} is thrown: the caller closes this,
 * which closes the hub (every task still waiting sees the end and returns quietly), and restarts the
 * epoch. When the job itself fails (a task failed more than Spark retries), its error is thrown
 * unchanged, as the job path's {@code collect} throws it; a shard whose training diverged sends the
 * {@link DivergenceException}, which the driver throws at once (a retry would diverge again).
 */
final class DirectRounds implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectRounds.class);
  /** Longest wait for a connection or a round's reply before the epoch attempt is given up. */
  private static final long TIMEOUT_MILLIS = 30 * 60 * 1000L;
  /** How long a task retries a refused connection: the hub listens before the job starts, so refused = gone. */
  private static final long CONNECT_RETRY_MILLIS = 2000;
  private final JavaSparkContext sc;
  private final TrainingSetup setup;
  private final BlockStore store;
  private final RoundSchedule schedule;
  private final int epoch;
  private final boolean keepShardStates;
  private final LongAccumulator read;
  private final int attempt;
  private final long[] batches; // per shard
  private RoundHub hub;
  private JavaFutureAction<List<Boolean>> job;

  /** An epoch's attempt that breaks; the epoch is restarted from its start. */
  static final class Broken extends RuntimeException {
    Broken(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** @param attempt this epoch's attempt, from 1 (tasks see it: {@link FaultInjection#maybeFailMidEpoch}) */
  DirectRounds(JavaSparkContext sc, TrainingSetup setup, BlockStore store, RoundSchedule schedule, int epoch,
               boolean keepShardStates, LongAccumulator read, int attempt) {
    this.sc = sc;
    this.setup = setup;
    this.store = store;
    this.schedule = schedule;
    this.epoch = epoch;
    this.keepShardStates = keepShardStates;
    this.read = read;
    this.attempt = attempt;
    this.batches = new long[setup.workers()];
    for (int w = 0; w < batches.length; w++) {
      batches[w] = store.batches(w, setup.batchSize());
    }
  }

  /** Round {@code round}: sends the starts, gathers the shards' states in shard order, averages them. */
  SparkAveragingLoop.RoundOutcome round(RoundStart begin, int round) {
    int[] active = active(round);
    try {
      if (hub == null) {
        open(active);
      }
      TrainingState state = begin.state();
      byte[] same = begin.shards() == null ? RoundMessages.start(state, begin.learningRate()) : null;
      for (int w : active) {
        hub.send(w, same != null ? same : RoundMessages.start(new TrainingState(state.parameters(),
            begin.shards()[w]), begin.learningRate()));
      }
      byte[][] replies = hub.gather(active, this::alive);
      List<StateSlice> states = new ArrayList<>(active.length);
      Map<Integer, OptimizerState> trained = new HashMap<>();
      int parameterCount = state.parameters().length;
      for (int i = 0; i < replies.length; i++) {
        StateSlice s = RoundMessages.result(replies[i], active[i]);
        states.add(s);
        if (keepShardStates) {
          trained.put(s.shard(), SparkAveragingLoop.optimizerOf(s, parameterCount));
        }
      }
      return SparkAveragingLoop.assemble(List.of(new Tuple2<>(0, SliceMean.of(states))), states.get(0).values().length,
          parameterCount, state.optimizer().bufferCount(), trained);
    } catch (IOException e) {
      throw new Broken("epoch " + (epoch + 1) + ", round " + (round + 1) + ": " + e.getMessage(), e);
    }
  }

  /** After the last round: waits for the tasks to end (their accumulators count then). */
  void finish() {
    await(job);
  }

  /** Closes the hub and waits (up to a minute, then cancels) for the job; returns its failure, if any. */
  Throwable abort() {
    close();
    if (job == null) {
      return null;
    }
    try {
      job.get(60, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      job.cancel(true);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  @Override
  public void close() {
    if (hub != null) {
      hub.close();
    }
  }

  /** Shards with batches in round {@code round}, ascending. */
  private int[] active(int round) {
    return java.util.stream.IntStream.range(0, batches.length)
        .filter(w -> schedule.firstBatch(round) < schedule.endBatch(round, batches[w])).toArray();
  }

  private void open(int[] shards) throws IOException {
    String host = sc.getConf().get("spark.driver.host", InetAddress.getLocalHost().getHostAddress());
    boolean encrypt = encrypted(sc);
    hub = new RoundHub(sc.getConf().get("spark.driver.bindAddress", host), batches.length, TIMEOUT_MILLIS, encrypt);
    BlockStore.Round work = store.round(epoch, 0, RoundSchedule.WHOLE_EPOCH, setup.batchSize());
    int port = hub.port();
    byte[] secret = hub.secret();
    int[] shardOf = work.shards();
    long[] end = work.to();
    TrainingSetup setup = this.setup;
    ShardPlan plan = store.plan;
    RoundSchedule schedule = this.schedule;
    int epoch = this.epoch;
    LongAccumulator read = this.read;
    sc.setLocalProperty(FaultInjection.EPOCH_ATTEMPT, Integer.toString(attempt));
    sc.setJobDescription("spark-lstm train: epoch " + (epoch + 1) + ", all its rounds (train.round-exchange: direct"
        + (attempt > 1 ? ", attempt " + attempt : "") + ")");
    job = work.blocks().mapPartitionsWithIndex((i, blocks) -> {
      RoundLink link;
      try {
        link = RoundLink.connect(host, port, secret, shardOf[i], CONNECT_RETRY_MILLIS, encrypt);
      } catch (IOException e) {
        LoggerFactory.getLogger(DirectRounds.class).warn("direct rounds: {}", e.getMessage());
        return List.of(false).iterator();
      }
      try {
        RoundReader reader = new RoundReader(blocks, plan, setup, epoch, shardOf[i], 0, end[i]);
        trainRounds(link, reader, setup, schedule, epoch, shardOf[i], end[i]);
        read.add(reader.bytesRead());
        return List.of(true).iterator();
      } catch (IOException e) { // the driver closed the hub: it restarts the epoch or gave up
        return List.of(false).iterator();
      } catch (RuntimeException | Error e) { // the driver names it when it restarts the epoch; Spark counts it
        tellDriver(link, e);
        throw e;
      } finally {
        link.close();
      }
    }, true).collectAsync();
    hub.accept(shards, this::alive);
  }

  /** Whether frames are encrypted: as Spark's own traffic is, with {@code spark.network.crypto.enabled}. */
  static boolean encrypted(JavaSparkContext sc) {
    return sc.getConf().getBoolean("spark.network.crypto.enabled", false);
  }

  /** The task's loop: per round of its shard, receive the start, train k batches, send the state. */
  private static void trainRounds(RoundLink link, RoundReader reader, TrainingSetup setup, RoundSchedule schedule,
                                  int epoch, int shard, long batches) throws IOException {
    Trainer trainer = WorkerTrainers.forSetup(setup);
    int rounds = schedule.rounds(batches);
    for (int r = 0; r < rounds; r++) {
      RoundMessages.Start start = RoundMessages.start(link.receive());
      FaultInjection.maybeCorrupt(start.state().parameters(), epoch, r, shard);
      FaultInjection.maybeFailMidEpoch(r, "direct rounds, round " + (r + 1) + " of shard " + (shard + 1));
      long t0 = System.nanoTime();
      long from = schedule.firstBatch(r);
      long count = schedule.endBatch(r, batches) - from;
      Trainer.ShardResult result;
      try {
        result = trainer.trainBatches(start.state(), () -> take(reader, count), setup.seed(), epoch, r, shard, from,
            start.learningRate());
      } catch (DivergenceException e) { // the driver stops with it; this task ends quietly
        link.send(RoundMessages.diverged(e));
        return;
      }
      link.send(RoundMessages.result(result, System.nanoTime() - t0));
    }
  }

  /** Sends the driver a task's failure, if the link still works (the socket closes right after). */
  private static void tellDriver(RoundLink link, Throwable e) {
    try {
      link.send(RoundMessages.failed(e));
    } catch (IOException | RuntimeException ignored) {
      // the link is gone too: the driver sees the connection end
    }
  }

  /** The next {@code n} batches of {@code all}. */
  private static Iterator<SequenceBatch> take(Iterator<SequenceBatch> all, long n) {
    return new Iterator<>() {
      private long left = n;

      @Override
      public boolean hasNext() {
        return left > 0 && all.hasNext();
      }

      @Override
      public SequenceBatch next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        left--;
        return all.next();
      }
    };
  }

  /** Throws the job's failure once it failed; a link error once it ended while rounds still wait. */
  private void alive() throws IOException {
    if (job != null && job.isDone()) {
      await(job);
      throw new LinkBroken("the training job ended while the driver still waited for its shards (a task could not"
          + " reach the driver's round hub?)");
    }
  }

  private static void await(JavaFutureAction<List<Boolean>> job) {
    try {
      job.get();
    } catch (ExecutionException e) {
      throw sneaky(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the training job", e);
    }
  }

  /** Rethrows Spark's job failure as it is (a checked SparkException, as Scala's collect throws it). */
  @SuppressWarnings("unchecked")
  static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
    throw (E) e;
  }
}
