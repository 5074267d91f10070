package io.armsr.model;

import io.armsr.image.TorchResize;
import java.util.HashMap;
import java.util.Map;

/**
 * Plain-loop reference forwards of the three supernets, written from ARM.md 1 independently of the
 * DJL code (no shared helpers except the separately tested {@link TorchResize} matrices). One image
 * at a time, CHW float arrays, double accumulation.
 *
 * <p>Every weight element read is recorded, so tests can poison everything a width does not read
 * and check that the engine forward reads exactly the same prefix.
 */
final class NaiveReference {
  /** A weight tensor that records which elements were read. */
  static final class Param {
    final long[] shape;
    final float[] data;
    final boolean[] used;

    Param(WeightTensor t) {
      this.shape = t.shape();
      this.data = t.data();
      this.used = new boolean[data.length];
    }

    float at(int i) {
      used[i] = true;
      return data[i];
    }

    float at(int a, int b, int c, int d) {
      int i = (int) (((a * shape[1] + b) * shape[2] + c) * shape[3] + d);
      used[i] = true;
      return data[i];
    }
  }

  /** An activation: C x H x W. */
  record T(int c, int h, int w, float[] d) {
    T(int c, int h, int w) {
      this(c, h, w, new float[c * h * w]);
    }

    float get(int ch, int y, int x) {
      return d[(ch * h + y) * w + x];
    }
  }

  final Map<String, Param> params = new HashMap<>();

  NaiveReference(StateDict sd) {
    sd.tensors().forEach((k, v) -> params.put(k, new Param(v)));
  }

  Param p(String key) {
    return params.get(key);
  }

  /** Weights with every element never read replaced by NaN. */
  StateDict poisonUnused() {
    Map<String, WeightTensor> out = new java.util.LinkedHashMap<>();
    params.forEach(
        (k, prm) -> {
          float[] d = prm.data.clone();
          for (int i = 0; i < d.length; i++) {
            if (!prm.used[i]) {
              d[i] = Float.NaN;
            }
          }
          out.put(k, new WeightTensor(prm.shape, d));
        });
    return new StateDict(out);
  }

  // ---------------------------------------------------------------- layers

  /**
   * Conv with the official slicing: {@code out} outputs, {@code inPerGroup} weight columns, {@code
   * groups} groups over the input (output r belongs to group r / (out / groups) and reads input
   * channels group * inPerGroup + c).
   */
  static T conv(T x, Param w, Param b, int out, int inPerGroup, int k, int pad, int groups) {
    T y = new T(out, x.h, x.w);
    int perGroup = out / groups;
    for (int o = 0; o < out; o++) {
      int g = o / perGroup;
      for (int yy = 0; yy < x.h; yy++) {
        for (int xx = 0; xx < x.w; xx++) {
          double s = b.at(o);
          for (int c = 0; c < inPerGroup; c++) {
            int ic = g * inPerGroup + c;
            for (int ky = 0; ky < k; ky++) {
              int sy = yy + ky - pad;
              if (sy < 0 || sy >= x.h) {
                continue;
              }
              for (int kx = 0; kx < k; kx++) {
                int sx = xx + kx - pad;
                if (sx < 0 || sx >= x.w) {
                  continue;
                }
                s += (double) x.get(ic, sy, sx) * w.at(o, c, ky, kx);
              }
            }
          }
          y.d[(o * y.h + yy) * y.w + xx] = (float) s;
        }
      }
    }
    return y;
  }

  static T conv(T x, Param w, Param b, int out, int in, int k, int pad) {
    return conv(x, w, b, out, in, k, pad, 1);
  }

  /**
   * ConvTranspose2d, stride {@code s}, padding {@code p}, output_padding {@code op}, weight (in,
   * out, k, k) read as {@code W[:x.c, :out]}: output row {@code Y = s y - p + ky}.
   */
  static T convTranspose(T x, Param w, Param b, int out, int k, int s, int p, int op) {
    int oh = (x.h - 1) * s - 2 * p + k + op;
    int ow = (x.w - 1) * s - 2 * p + k + op;
    double[] acc = new double[out * oh * ow];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < oh * ow; i++) {
        acc[o * oh * ow + i] = b.at(o);
      }
    }
    for (int i = 0; i < x.c; i++) {
      for (int yy = 0; yy < x.h; yy++) {
        for (int xx = 0; xx < x.w; xx++) {
          float v = x.get(i, yy, xx);
          for (int o = 0; o < out; o++) {
            for (int ky = 0; ky < k; ky++) {
              int oy = s * yy - p + ky;
              if (oy < 0 || oy >= oh) {
                continue;
              }
              for (int kx = 0; kx < k; kx++) {
                int ox = s * xx - p + kx;
                if (ox < 0 || ox >= ow) {
                  continue;
                }
                acc[(o * oh + oy) * ow + ox] += (double) v * w.at(i, o, ky, kx);
              }
            }
          }
        }
      }
    }
    T y = new T(out, oh, ow);
    for (int i = 0; i < acc.length; i++) {
      y.d[i] = (float) acc[i];
    }
    return y;
  }

  static T prelu(T x, Param a) {
    float s = a.at(0);
    T y = new T(x.c, x.h, x.w);
    for (int i = 0; i < x.d.length; i++) {
      float v = x.d[i];
      y.d[i] = v >= 0 ? v : s * v;
    }
    return y;
  }

  static T leaky(T x, float slope) {
    T y = new T(x.c, x.h, x.w);
    for (int i = 0; i < x.d.length; i++) {
      float v = x.d[i];
      y.d[i] = v >= 0 ? v : slope * v;
    }
    return y;
  }

  static T relu(T x) {
    return leaky(x, 0f);
  }

  static T add(T a, T b) {
    T y = new T(a.c, a.h, a.w);
    for (int i = 0; i < a.d.length; i++) {
      y.d[i] = a.d[i] + b.d[i];
    }
    return y;
  }

  static T cat(T a, T b) {
    T y = new T(a.c + b.c, a.h, a.w);
    System.arraycopy(a.d, 0, y.d, 0, a.d.length);
    System.arraycopy(b.d, 0, y.d, a.d.length, b.d.length);
    return y;
  }

  /** out[c, r h + i, r w + j] = in[r^2 c + r i + j, h, w]. */
  static T pixelShuffle(T x, int r) {
    int c = x.c / (r * r);
    T y = new T(c, x.h * r, x.w * r);
    for (int ch = 0; ch < c; ch++) {
      for (int h = 0; h < x.h; h++) {
        for (int w = 0; w < x.w; w++) {
          for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
              y.d[(ch * y.h + r * h + i) * y.w + r * w + j] = x.get(r * r * ch + r * i + j, h, w);
            }
          }
        }
      }
    }
    return y;
  }

  /** Separable resize with 1-D matrices (4h x h) and (4w x w). */
  static T resize(T x, float[] ah, float[] aw, int scale) {
    int oh = x.h * scale;
    int ow = x.w * scale;
    T y = new T(x.c, oh, ow);
    for (int c = 0; c < x.c; c++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          double s = 0;
          for (int yy = 0; yy < x.h; yy++) {
            for (int xx = 0; xx < x.w; xx++) {
              s += (double) ah[oy * x.h + yy] * aw[ox * x.w + xx] * x.get(c, yy, xx);
            }
          }
          y.d[(c * oh + oy) * ow + ox] = (float) s;
        }
      }
    }
    return y;
  }

  // ---------------------------------------------------------------- networks

  /** US-FSRCNN at width w (ARM.md 1.2), with a real transposed convolution. */
  T fsrcnn(T x, int w) {
    T y =
        prelu(
            conv(x, p("head_conv.0.weight"), p("head_conv.0.bias"), w, 3, 5, 2),
            p("head_conv.1.weight"));
    y =
        prelu(
            conv(y, p("body_conv.0.0.weight"), p("body_conv.0.0.bias"), 12, w, 1, 0),
            p("body_conv.0.1.weight"));
    for (int i = 1; i <= 4; i++) {
      y = conv(y, p("body_conv." + i + ".weight"), p("body_conv." + i + ".bias"), 12, 12, 3, 1);
    }
    y = prelu(y, p("body_conv.5.weight"));
    y =
        prelu(
            conv(y, p("body_conv.6.0.weight"), p("body_conv.6.0.bias"), w, 12, 1, 0),
            p("body_conv.6.1.weight"));
    return convTranspose(y, p("tail_conv.weight"), p("tail_conv.bias"), 3, 9, 4, 3, 1);
  }

  /** US-CARN-M at width w (ARM.md 1.3), with both slicing quirks written out. */
  T carn(T x, int w) {
    T y = conv(x, p("sub_mean.weight"), p("sub_mean.bias"), 3, 3, 1, 0);
    y = conv(y, p("entry.weight"), p("entry.bias"), w, 3, 3, 1);
    T c0 = y;
    T b1 = carnBlock(y, "b1.", w);
    T c1 = cat(c0, b1);
    T o1 = relu(conv(c1, p("c1.0.weight"), p("c1.0.bias"), w, 2 * w, 1, 0)); // W[:w, :2w]
    T b2 = carnBlock(o1, "b2.", w);
    T c2 = cat(c1, b2);
    T o2 = relu(conv(c2, p("c2.0.weight"), p("c2.0.bias"), w, 3 * w, 1, 0));
    T b3 = carnBlock(o2, "b3.", w);
    T c3 = cat(c2, b3);
    T o3 = relu(conv(c3, p("c3.0.weight"), p("c3.0.bias"), w, 4 * w, 1, 0));
    // Grouped quirk: W[:4w, :w/4], 4 groups over the w-channel input.
    T u =
        pixelShuffle(
            relu(
                conv(
                    o3,
                    p("upsample.up.body.0.weight"),
                    p("upsample.up.body.0.bias"),
                    4 * w,
                    w / 4,
                    3,
                    1,
                    4)),
            2);
    u =
        pixelShuffle(
            relu(
                conv(
                    u,
                    p("upsample.up.body.3.weight"),
                    p("upsample.up.body.3.bias"),
                    4 * w,
                    w / 4,
                    3,
                    1,
                    4)),
            2);
    y = conv(u, p("exit.weight"), p("exit.bias"), 3, w, 3, 1);
    return conv(y, p("add_mean.weight"), p("add_mean.bias"), 3, 3, 1, 0);
  }

  private T carnBlock(T x, String k, int w) {
    T c0 = x;
    T e1 = eres(x, k, w);
    T c1 = cat(c0, e1);
    T o1 = relu(conv(c1, p(k + "c1.0.weight"), p(k + "c1.0.bias"), w, 2 * w, 1, 0));
    T e2 = eres(o1, k, w);
    T c2 = cat(c1, e2);
    T o2 = relu(conv(c2, p(k + "c2.0.weight"), p(k + "c2.0.bias"), w, 3 * w, 1, 0));
    T e3 = eres(o2, k, w);
    T c3 = cat(c2, e3);
    return relu(conv(c3, p(k + "c3.0.weight"), p(k + "c3.0.bias"), w, 4 * w, 1, 0));
  }

  private T eres(T x, String k, int w) {
    String b = k + "b1.body.";
    T y = relu(conv(x, p(b + "0.weight"), p(b + "0.bias"), w, w / 4, 3, 1, 4));
    y = relu(conv(y, p(b + "2.weight"), p(b + "2.bias"), w, w / 4, 3, 1, 4));
    y = conv(y, p(b + "4.weight"), p(b + "4.bias"), w, w, 1, 0);
    return relu(add(y, x));
  }

  /** US-MSRResNet at width w (ARM.md 1.4). */
  T srresnet(T x, int w) {
    T y = leaky(conv(x, p("conv_first.weight"), p("conv_first.bias"), w, 3, 3, 1), 0.1f);
    for (int i = 0; i < 16; i++) {
      String b = "recon_trunk." + i + ".";
      T r = relu(conv(y, p(b + "conv1.weight"), p(b + "conv1.bias"), w, w, 3, 1));
      y = add(y, conv(r, p(b + "conv2.weight"), p(b + "conv2.bias"), w, w, 3, 1));
    }
    y =
        leaky(
            pixelShuffle(conv(y, p("upconv1.weight"), p("upconv1.bias"), 4 * w, w, 3, 1), 2), 0.1f);
    y =
        leaky(
            pixelShuffle(conv(y, p("upconv2.weight"), p("upconv2.bias"), 4 * w, w, 3, 1), 2), 0.1f);
    y = leaky(conv(y, p("HRconv.weight"), p("HRconv.bias"), w, w, 3, 1), 0.1f);
    y = conv(y, p("conv_last.weight"), p("conv_last.bias"), 3, w, 3, 1);
    T base = resize(x, TorchResize.bilinearMatrix(x.h, 4), TorchResize.bilinearMatrix(x.w, 4), 4);
    return add(y, base);
  }
}
