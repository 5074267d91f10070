/**
 * Pure-Java image layer, the bottom of the pipeline (ARM.md 4.1, 5): 8-bit RGB images ({@link
 * io.armsr.image.Rgb8Image}, interleaved HWC) and planar float images ({@link
 * io.armsr.image.PlanarImage}, CHW), OpenCV's fixed-point gray ({@link io.armsr.image.Gray}), the
 * patch edge score ({@link io.armsr.image.EdgeScore}), MATLAB's bicubic resize ({@link
 * io.armsr.image.MatlabResize}) and the PSNR/SSIM metrics ({@link io.armsr.image.ImageMetrics}).
 *
 * <p>It depends on nothing else in armsr; the LUT builder and the evaluator build on it.
 */
package io.armsr.image;
