package io.armsr.eval;

/**
 * The figures of one image under one routing mode.
 *
 * @param name image name
 * @param psnr the official RGB PSNR (ARM.md 5.5): un-rounded canvas against the HR cropped to the
 *     covered area, 4-px border, 80 dB when identical
 * @param psnrY PSNR of BT.601 Y on the 8-bit output, 4-px border (the usual SR convention)
 * @param ssimY SSIM of Y on the 8-bit output, 4-px border
 * @param flops mean paper FLOPs per patch (ARM.md 3.3)
 * @param classes patches per subnet
 * @param patches number of patches
 * @param psnrReferenceArea the official RGB PSNR over only the area the reference grid covers (the
 *     same pixels as the release scores, so full- and reference-grid results compare like for
 *     like); NaN when the image is smaller than one patch
 */
public record ImageEval(
    String name,
    double psnr,
    double psnrY,
    double ssimY,
    double flops,
    int[] classes,
    int patches,
    double psnrReferenceArea) {}
