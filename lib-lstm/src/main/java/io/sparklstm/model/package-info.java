/**
 * The sequence model: an {@code nn.LSTM} named {@code lstm} and an optional {@code nn.Linear} named
 * {@code head} ({@link io.sparklstm.model.SequenceModel}), its losses, and its parameters:
 * {@link io.sparklstm.model.ParameterLayout} puts the LSTM's tensors (an
 * {@link io.sparklstm.lstm.LstmLayout} with prefix {@code lstm.}) first and the head's after them,
 * and {@link io.sparklstm.model.ParameterInit} initialises both as PyTorch does. It stands on
 * {@code lstm}, {@code blas} and {@code tensor}; {@code train} and {@code io} stand on it.
 */
package io.sparklstm.model;
