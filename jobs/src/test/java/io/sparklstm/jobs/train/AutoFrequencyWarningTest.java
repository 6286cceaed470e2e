package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.config.TrainSection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The warning when auto picked k = 4 but the rounds will be Spark jobs (docs/SCALING.md). */
class AutoFrequencyWarningTest {
  private static TrainSection train(String... overrides) {
    return JobConfig.load(null, List.of(overrides)).train();
  }

  @Test
  void warnsWhenAutoPickedFourAndRoundsAreJobs() {
    assertEquals(Optional.of("train.averaging-frequency = auto chose 4 for 16 workers, which pays with direct rounds;"
            + " here each round is a Spark job (2 task slots for 16 shards), where train.averaging-frequency = 16"
            + " trains about twice as fast (docs/SCALING.md)"),
        TrainCommand.autoFrequencyWarning(train("train.workers=16"), RoundExchange.AUTO, 2));
    assertTrue(TrainCommand.autoFrequencyWarning(train("train.workers=32"), RoundExchange.JOBS, 64).orElseThrow()
        .contains("(train.round-exchange = jobs)"));
  }

  @Test
  void silentWithDirectRoundsOrAChosenFrequency() {
    assertEquals(Optional.empty(), TrainCommand.autoFrequencyWarning(train("train.workers=16"), RoundExchange.AUTO, 16));
    assertEquals(Optional.empty(), TrainCommand.autoFrequencyWarning(train("train.workers=8"), RoundExchange.AUTO, 2));
    assertEquals(Optional.empty(), TrainCommand.autoFrequencyWarning(
        train("train.workers=16", "train.averaging-frequency=4"), RoundExchange.AUTO, 2));
  }
}
