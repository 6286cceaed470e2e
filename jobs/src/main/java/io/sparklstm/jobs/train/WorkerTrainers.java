package io.sparklstm.jobs.train;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.train.Trainer;
import io.sparklstm.train.TrainingSetup;

/**
 * One {@link Trainer} per executor thread, kept across rounds and epochs, so a task's workspace
 * (the LSTM tape, gradient buffer) is allocated once and not per round. Kept for one setup at a time.
 */
final class WorkerTrainers {
  private static TrainingSetup current;
  private static ThreadLocal<Trainer> trainers;

  private WorkerTrainers() {}

  static synchronized Trainer forSetup(TrainingSetup setup) {
    if (!setup.equals(current)) {
      current = setup;
      trainers = ThreadLocal.withInitial(() -> setup.newTrainer(Kernels.best()));
    }
    return trainers.get();
  }
}
