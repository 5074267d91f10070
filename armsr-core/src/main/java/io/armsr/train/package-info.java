/**
 * Training an ARM supernet as the official release does (ARM.md 2).
 *
 * <p>{@link io.armsr.train.TrainingSet} prepares scale-augmented (HR, LR) pairs and cuts random
 * aligned 128/32 patches with the 8 {@link io.armsr.train.Dihedral} variants; {@link
 * io.armsr.train.WidthSampler} draws the width (P ∝ FLOPs²); {@link io.armsr.train.CosineSchedule}
 * gives the learning rate; {@link io.armsr.train.Trainer} runs L1 + Adam steps on the supernet's
 * parameter views and writes checkpoints ({@link io.armsr.format.WeightsFile}) from which a run
 * resumes exactly, because all randomness of iteration i derives from (seed, i).
 */
package io.armsr.train;
