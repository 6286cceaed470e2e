package io.sparklstm.jobs.train;

import java.io.Serializable;

/**
 * One shard's piece of a round result, as shipped to the reducer of slice {@code [from, to)} of the
 * flat state vector {@code [parameters | optimizer buffers]}.
 *
 * @param shard     the shard that trained it (the reducer sums in shard order)
 * @param sequences sequences trained this round: the averaging weight
 * @param lossSum   sum over its batches of mean loss x batch size
 * @param step      optimizer step count after the round
 * @param nanos     how long the shard trained this round
 * @param values    the slice of the flat state vector
 */
record StateSlice(int shard, long sequences, double lossSum, double step, long nanos, float[] values)
    implements Serializable {}
