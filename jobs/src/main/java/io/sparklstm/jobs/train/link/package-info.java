/**
 * Direct rounds' transport (docs/CLUSTER.md): the driver's {@link io.sparklstm.jobs.train.link.RoundHub}
 * and each training task's {@link io.sparklstm.jobs.train.link.RoundLink}, over plain TCP with
 * length-prefixed frames, authenticated both ways with HMAC-SHA256 over a per-epoch secret.
 */
package io.sparklstm.jobs.train.link;
