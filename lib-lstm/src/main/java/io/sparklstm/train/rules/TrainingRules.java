package io.sparklstm.train.rules;

import java.io.Serializable;

/** The settings of the driver's rules (this package); {@link #NEUTRAL} trains exactly as plain averaging. */
public record TrainingRules(LrScaling scaling, LrSchedule schedule, OuterRule outer, InnerState inner)
    implements Serializable {
  public static final TrainingRules NEUTRAL =
      new TrainingRules(LrScaling.NONE, LrSchedule.CONSTANT, OuterRule.AVERAGE, InnerState.AVERAGE);
}
