/**
 * {@code torch.nn.LSTM}: {@link io.sparklstm.lstm.Lstm} (the module: arguments, shapes, forward,
 * backward, parameters by their state_dict names) on the engine underneath it, a stack of layers
 * ({@link io.sparklstm.lstm.LstmStack}) that scan a cell ({@link io.sparklstm.lstm.LstmCell}) over
 * packed batches, with the kernels they compute with ({@link io.sparklstm.lstm.Kernels}).
 *
 * <p>The LSTM's parameters are one flat buffer laid out by {@link io.sparklstm.lstm.LstmLayout}
 * (names, shapes, offsets) and initialised by {@link io.sparklstm.lstm.LstmInit}. The package stands
 * on {@code blas} and {@code tensor} only and knows nothing of the sequence model built on it
 * ({@code model}, which adds a head after these tensors), nor of {@code train} or {@code io};
 * {@code PackageLayersTest} keeps it so.
 */
package io.sparklstm.lstm;
