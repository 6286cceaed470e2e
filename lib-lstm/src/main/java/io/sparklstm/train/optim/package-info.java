/**
 * PyTorch 1.13's optimizers over flat float buffers: {@link io.sparklstm.train.optim.Sgd},
 * {@link io.sparklstm.train.optim.Adam} (also AdamW), gradient clipping by global norm
 * ({@link io.sparklstm.train.optim.GradClip}), and their configuration
 * ({@link io.sparklstm.train.optim.OptimizerConfig}).
 *
 * <p>An {@link io.sparklstm.train.optim.Optimizer} is an immutable, validated set of
 * hyperparameters; its {@link io.sparklstm.train.optim.OptimizerState} (a step count and every
 * per-parameter buffer in one float array) is separate, so the Spark driver can average it across
 * workers. Parameters, gradients and every state buffer are addressed by one
 * {@link io.sparklstm.model.ParameterLayout}. The updates reproduce the float32 rounding of
 * PyTorch's single-tensor (non-foreach) CPU code; docs/OPTIMIZERS.md has the rules.
 */
package io.sparklstm.train.optim;
