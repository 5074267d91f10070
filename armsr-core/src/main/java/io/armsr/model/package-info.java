/**
 * The three ARM backbones as slimmable x4 supernets on DJL's PyTorch engine (ARM.md 1).
 *
 * <p>{@link io.armsr.model.Supernets} validates official-layout weights ({@link
 * io.armsr.model.StateDict}, keys and shapes of ARM.md 7) and builds {@link io.armsr.model.Fsrcnn},
 * {@link io.armsr.model.Carn} or {@link io.armsr.model.SrResNet}. A sub-network is chosen per call
 * of {@link io.armsr.model.Supernet#forward}: subnet 0 is the parameter-free torch bicubic, subnets
 * 1..3 read the prefix slices {@code W[:out, :in]} of one parameter set. The forward passes are
 * plain functional NDArray ops, so training can reuse them by attaching gradients to {@link
 * io.armsr.model.AbstractSupernet#parameters()}.
 */
package io.armsr.model;
