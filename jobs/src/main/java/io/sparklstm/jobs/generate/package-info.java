/** The {@code generate} command: synthetic, seeded forecasting data of any size. */
package io.sparklstm.jobs.generate;
