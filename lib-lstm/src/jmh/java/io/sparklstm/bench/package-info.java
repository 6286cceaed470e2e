/**
 * Kernel benchmarks (JMH), compiled only under the Maven profile {@code bench}: the LSTM stack's
 * forward and forward+backward over a grid of shapes ({@link io.sparklstm.bench.LstmBench}), the
 * single-thread SGEMM peak through {@link io.sparklstm.blas.Gemm} ({@link io.sparklstm.bench.GemmBench}),
 * and the machine/kernel description the report records ({@link io.sparklstm.bench.BenchInfo}).
 * {@code bin/bench-kernels} builds and runs them next to the PyTorch script
 * {@code lib-lstm/src/test/python/bench_lstm_torch.py} and writes the side-by-side table.
 */
package io.sparklstm.bench;
