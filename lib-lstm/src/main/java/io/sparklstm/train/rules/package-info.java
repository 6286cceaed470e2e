/**
 * The driver's rules around the averaging loop (docs/OPTIMIZERS.md): the learning rate of every
 * round ({@link io.sparklstm.train.rules.LrScaling} with the number of workers, times an
 * {@link io.sparklstm.train.rules.LrSchedule} per epoch), the outer rule applied to the averaged
 * update ({@link io.sparklstm.train.rules.OuterRule}: plain averaging, BMUF, DiLoCo), what happens
 * to the workers' optimizer state at a round ({@link io.sparklstm.train.rules.InnerState}), and early
 * stopping. {@link io.sparklstm.train.rules.RoundRules} holds their state on the driver, shared by
 * the local and the Spark loop, and checkpoints it so that a resumed run stays bit-identical.
 */
package io.sparklstm.train.rules;
