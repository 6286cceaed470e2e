/** Reading tables from any Spark SQL source and writing them atomically (temporary path, then rename). */
package io.sparklstm.jobs.io;
