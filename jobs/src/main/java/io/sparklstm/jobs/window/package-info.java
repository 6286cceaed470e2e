/** The {@code window} command: a long time-series table to one row per forecasting window. */
package io.sparklstm.jobs.window;
