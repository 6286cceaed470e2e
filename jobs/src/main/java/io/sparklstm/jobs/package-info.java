/**
 * The Spark applications: {@link io.sparklstm.jobs.Main} parses the command line and config and calls
 * a {@link io.sparklstm.jobs.Command}'s {@code run(spark, config)}. Below {@code main} code throws;
 * {@code main} maps a {@link io.sparklstm.jobs.UserError} to a one-line error and exit code 2.
 */
package io.sparklstm.jobs;
