package io.armsr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.TorchResize;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What the three supernets share: the full parameter tensors by official key (ARM.md 7), the
 * width-prefix views of them, the bicubic branch (subnet 0) and the bookkeeping of native memory.
 *
 * <p>The width is only an argument of {@link #forward}. Each subclass says, per key, which prefix
 * {@code W[:out, :in]} a width reads ({@link #prepare}); the forward pass then asks a {@link
 * Weights} view for tensors by key. Two views exist:
 *
 * <ul>
 *   <li>pre-sliced: contiguous copies of every prepared tensor, made once per width at construction
 *       (the fast inference path);
 *   <li>live: prefix views of the parameter arrays made during the forward pass, so gradients flow
 *       into the full tensors of {@link #parameters()}. It is used whenever any parameter has a
 *       gradient attached (training), and by {@link #forwardFromParameters} always.
 * </ul>
 *
 * <p>Parameters are treated as immutable except while they carry gradients: the pre-sliced copies
 * are never refreshed.
 */
public abstract class AbstractSupernet implements Supernet {
  private final Backbone backbone;
  private final NDManager manager;
  private final Map<String, NDArray> parameters;
  private final Map<Integer, Presliced> presliced = new HashMap<>();
  private final Map<String, Presliced> reducedPrecision = new ConcurrentHashMap<>();
  private Bf16Kernels bf16Kernels;
  private final Map<Long, NDArray> resizeMatrices = new ConcurrentHashMap<>();

  /** Resolves a tensor by official key, already cut (or derived) for the width being run. */
  @FunctionalInterface
  protected interface Weights {
    NDArray get(String key);

    /** The value of the one-element tensor {@code key} (a PReLU slope). */
    default float scalar(String key) {
      return get(key).getFloat();
    }

    /**
     * The convolution {@code layer} ({@link Ops#conv} with its {@code .weight} and {@code .bias})
     * of {@code x}, in this view's precision for that layer.
     *
     * @param x (N, C, H, W) float32
     * @return (N, O, H + 2 pad - k + 1, W + 2 pad - k + 1) float32
     */
    default NDArray conv(NDArray x, String layer, int pad, int groups) {
      return Ops.conv(x, get(layer + ".weight"), get(layer + ".bias"), pad, groups);
    }

    default NDArray conv(NDArray x, String layer, int pad) {
      return conv(x, layer, pad, 1);
    }

    /** True for the pre-sliced inference copies: no gradients, scalars read once. */
    default boolean presliced() {
      return false;
    }

    /**
     * Frees activations that no later op of this pass reads, at once instead of when the pass ends,
     * so that a pass holds a few activations at a time rather than all of them (for CARN-M, about
     * 85 MB per 40x40 window kept to the end, against about 28 MB). Only on the pre-sliced
     * inference path, where no autograd graph needs them; a training pass keeps them for its
     * backward pass. Never the pass's input or a weight.
     */
    default void free(NDArray... spent) {
      if (presliced()) {
        for (NDArray a : spent) {
          a.close();
        }
      }
    }
  }

  /**
   * The pre-sliced copies of one width, with their one-element tensors' values read once, and the
   * bf16 copies of the weights and biases of the convolutions that run in bf16 (none in fp32).
   */
  private record Presliced(
      Map<String, NDArray> arrays,
      Map<String, Float> scalars,
      Map<String, NDArray> bf16,
      Bf16Kernels kernels)
      implements Weights {
    @Override
    public NDArray get(String key) {
      return arrays.get(key);
    }

    @Override
    public NDArray conv(NDArray x, String layer, int pad, int groups) {
      NDArray w = bf16.get(layer + ".weight");
      if (w == null) {
        return Weights.super.conv(x, layer, pad, groups);
      }
      return kernels.conv(x, w, bf16.get(layer + ".bias"), pad, groups);
    }

    @Override
    public float scalar(String key) {
      Float v = scalars.get(key);
      if (v == null) {
        throw new IllegalArgumentException(key + " is not a one-element tensor");
      }
      return v;
    }

    @Override
    public boolean presliced() {
      return true;
    }
  }

  /**
   * Copies the (already validated, see {@link Supernets#create}) tensors into a sub-manager of
   * {@code parent}, then pre-slices them for every width.
   */
  protected AbstractSupernet(Backbone backbone, StateDict weights, NDManager parent) {
    this.backbone = backbone;
    this.manager = parent.newSubManager();
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (String key : Supernets.expectedShapes(backbone).keySet()) {
      WeightTensor t = weights.get(key);
      params.put(key, keep(manager.create(t.data(), new Shape(t.shape()))));
    }
    this.parameters = Collections.unmodifiableMap(params);
  }

  /**
   * Builds the pre-sliced tensors. Called by subclass constructors once their own fields (used by
   * {@link #prepare}) are set.
   */
  protected final void presliceAllWidths() {
    for (int subnet = 1; subnet < Backbone.SUBNETS; subnet++) {
      int width = backbone.width(subnet);
      Map<String, NDArray> cut = new HashMap<>();
      Map<String, Float> scalars = new HashMap<>();
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
          NDArray view = prepare(e.getKey(), e.getValue(), width);
          // A fresh array from the values: contiguous, and independent of the parameter storage.
          Tensor laid =
              inferenceLayout(
                  e.getKey(), new Tensor(view.toFloatArray(), view.getShape().getShape()), width);
          float[] values = laid.values();
          cut.put(e.getKey(), keep(manager.create(values, new Shape(laid.shape()))));
          if (values.length == 1) {
            scalars.put(e.getKey(), values[0]);
          }
        }
      }
      presliced.put(width, new Presliced(Map.copyOf(cut), Map.copyOf(scalars), Map.of(), null));
    }
  }

  /** A tensor's values, row-major, and its shape. */
  protected record Tensor(float[] values, long[] shape) {}

  /**
   * The pre-sliced copy of the prepared tensor {@code key} for width {@code width}, as the
   * inference pass reads it: normally the prepared tensor itself. A subclass may lay a width out
   * differently for speed (CARN-M pads its 13-channel groups to 16), as long as {@link
   * #forwardWidth} on the laid-out tensors gives the same outputs.
   */
  protected Tensor inferenceLayout(String key, Tensor prepared, int width) {
    return prepared;
  }

  @Override
  public final Backbone backbone() {
    return backbone;
  }

  /**
   * The full parameter tensors by official state-dict key, in checkpoint order, shapes as in ARM.md
   * 7. The trainer attaches gradients to these.
   */
  public final Map<String, NDArray> parameters() {
    return parameters;
  }

  /** The manager that owns the parameters and caches; closed by {@link #close()}. */
  protected final NDManager manager() {
    return manager;
  }

  @Override
  public final NDArray forward(NDArray lr, int subnet) {
    return forward(lr, subnet, Precision.FP32);
  }

  /**
   * {@link #forward} with the convolutions of {@link #bf16Layers bf16Layers(precision)} in bf16.
   * Training (gradients attached) is always fp32.
   */
  @Override
  public final NDArray forward(NDArray lr, int subnet, Precision precision) {
    boolean training = parameters.values().stream().anyMatch(NDArray::hasGradient);
    return run(lr, subnet, training ? null : precision, -1);
  }

  /**
   * The names of all convolutions (the keys of their {@code .weight} and {@code .bias} without the
   * suffix), in checkpoint order.
   */
  public final Set<String> convolutions() {
    Set<String> layers = new LinkedHashSet<>();
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      String key = e.getKey();
      if (key.endsWith(".weight") && e.getValue().getShape().dimension() == 4) {
        String layer = key.substring(0, key.length() - ".weight".length());
        if (parameters.containsKey(layer + ".bias")) {
          layers.add(layer);
        }
      }
    }
    return layers;
  }

  /**
   * The convolutions that run in bf16 at {@code precision}: none at fp32, all at bf16, and at auto
   * those of {@link #harmlessBf16Layers} when {@link Precision#cpuHasBf16} (else none), unless the
   * system property {@value Precision#AUTO_LAYERS_PROPERTY} names others by a regular expression:
   * the knob the harmless sets were measured with, on any CPU.
   */
  public final Set<String> bf16Layers(Precision precision) {
    return switch (precision) {
      case FP32 -> Set.of();
      case BF16 -> convolutions();
      case AUTO -> {
        String measured = System.getProperty(Precision.AUTO_LAYERS_PROPERTY);
        if (measured != null) {
          Pattern p = Pattern.compile(measured);
          Set<String> layers = new LinkedHashSet<>();
          for (String layer : convolutions()) {
            if (p.matcher(layer).matches()) {
              layers.add(layer);
            }
          }
          yield layers;
        }
        yield Precision.cpuHasBf16() ? harmlessBf16Layers() : Set.of();
      }
    };
  }

  /**
   * The convolutions whose bf16 rounding was measured to cost under 0.005 dB PSNR on Set14 and
   * BSD100 with this backbone's official weights (docs/BENCHMARKS.md, "Reduced precision"): what
   * {@link Precision#AUTO} runs in bf16. None unless a backbone says otherwise.
   */
  public Set<String> harmlessBf16Layers() {
    return Set.of();
  }

  /**
   * The inference weights of {@code width} at {@code precision}. The layer set is resolved and the
   * bf16 copies are made once, on first use (a lock-free lookup after that, as every forward pass
   * makes it); a precision that runs nothing in bf16 maps to the fp32 copies themselves.
   */
  private Weights inferenceWeights(int width, Precision precision) {
    Presliced fp32 = presliced.get(width);
    if (precision == Precision.FP32) {
      return fp32;
    }
    Presliced known = reducedPrecision.get(width + "/" + precision);
    if (known != null) {
      return known;
    }
    synchronized (reducedPrecision) {
      return reducedPrecision.computeIfAbsent(
          width + "/" + precision,
          k -> {
            Set<String> layers = bf16Layers(precision);
            if (layers.isEmpty()) {
              return fp32;
            }
            if (bf16Kernels == null) {
              bf16Kernels = new Bf16Kernels(manager);
            }
            Map<String, NDArray> bf16 = new HashMap<>();
            for (String layer : layers) {
              for (String key : List.of(layer + ".weight", layer + ".bias")) {
                bf16.put(key, keep(bf16Kernels.toBf16(fp32.get(key))));
              }
            }
            return new Presliced(fp32.arrays(), fp32.scalars(), Map.copyOf(bf16), bf16Kernels);
          });
    }
  }

  /**
   * As {@link #forward}, but always slicing the parameter arrays during the pass (never the
   * pre-sliced copies), so the result is differentiable with respect to {@link #parameters()}.
   */
  public final NDArray forwardFromParameters(NDArray lr, int subnet) {
    return run(lr, subnet, null, -1);
  }

  @Override
  public final boolean hasSubPixelReadOut(int subnet) {
    return endsInPixelShuffle()
        && backbone.width(subnet) > 0
        && parameters.values().stream().noneMatch(NDArray::hasGradient);
  }

  @Override
  public final NDArray forwardSubPixel(NDArray lr, int subnet, int margin) {
    return forwardSubPixel(lr, subnet, margin, Precision.FP32);
  }

  @Override
  public final NDArray forwardSubPixel(NDArray lr, int subnet, int margin, Precision precision) {
    if (!hasSubPixelReadOut(subnet)) {
      throw new UnsupportedOperationException(
          backbone.id() + " subnet " + subnet + " has no sub-pixel read-out");
    }
    Shape s = lr.getShape();
    if (margin < 0 || s.dimension() != 4 || 2L * margin >= Math.min(s.get(2), s.get(3))) {
      throw new IllegalArgumentException("margin " + margin + " leaves nothing of " + s);
    }
    return run(lr, subnet, precision, margin);
  }

  /** True if {@link #forwardWidth} ends in a x4 pixel shuffle that it can leave out. */
  protected boolean endsInPixelShuffle() {
    return false;
  }

  /**
   * @param precision the pre-sliced inference weights at this precision; null: prefix views of the
   *     parameters made during the pass (differentiable, fp32)
   * @param subPixelMargin below 0: the whole output; else {@link #forwardSubPixel}'s read-out with
   *     that margin
   */
  private NDArray run(NDArray lr, int subnet, Precision precision, int subPixelMargin) {
    checkInput(lr);
    int width = backbone.width(subnet);
    NDArray out;
    // Every intermediate is closed with the scope; autograd keeps what it needs natively.
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      if (width == 0) {
        out = bicubic(lr);
      } else {
        Weights weights;
        if (precision != null) {
          weights = inferenceWeights(width, precision);
        } else {
          Map<String, NDArray> memo = new HashMap<>();
          weights = key -> memo.computeIfAbsent(key, k -> prepare(k, parameters.get(k), width));
        }
        out =
            subPixelMargin < 0
                ? forwardWidth(lr, width, weights)
                // (N, 48, h', w') -> (N, h', w', 48): contiguous when libtorch ran channels last.
                : forwardWidthSubPixel(lr, width, weights, subPixelMargin).transpose(0, 2, 3, 1);
      }
      NDScope.unregister(out);
    }
    // Hand the result to the caller's scope (if any) and to the input's manager.
    NDScope.register(out);
    if (out.getManager() != lr.getManager()) {
      out.attach(lr.getManager());
    }
    return out;
  }

  /**
   * The tensor {@code key} as width {@code width} reads it: normally the prefix view {@code
   * full[:out, :in]} (ARM.md 1.1), possibly a tensor derived from it (FSRCNN's tail).
   */
  protected abstract NDArray prepare(String key, NDArray full, int width);

  /**
   * The sub-network of width {@code width}.
   *
   * @param x (N, 3, h, w) RGB in [0, 1]
   * @return (N, 3, 4h, 4w)
   */
  protected abstract NDArray forwardWidth(NDArray x, int width, Weights weights);

  /**
   * {@link #forwardWidth} without its final pixel shuffle, for backbones that {@link
   * #endsInPixelShuffle}, and only for the centre of the input.
   *
   * @param margin LR pixels of context cut from each side
   * @return (N, 48, h - 2 margin, w - 2 margin)
   */
  protected NDArray forwardWidthSubPixel(NDArray x, int width, Weights weights, int margin) {
    throw new UnsupportedOperationException(backbone.id() + " does not end in a pixel shuffle");
  }

  /**
   * Subnet 0: torch bicubic x4 (ARM.md 1, 9.3) as {@code A_h X A_w^T} per channel.
   *
   * @param x (N, C, h, w)
   * @return (N, C, 4h, 4w)
   */
  protected final NDArray bicubic(NDArray x) {
    return resize(x, false);
  }

  /** {@code F.interpolate(x, 4, 'bilinear', align_corners=False)} (ARM.md 1.4, 9.2). */
  protected final NDArray bilinear(NDArray x) {
    return resize(x, true);
  }

  private NDArray resize(NDArray x, boolean linear) {
    Shape s = x.getShape();
    NDArray ah = resizeMatrix((int) s.get(2), linear, false); // (4h, h)
    NDArray awT = resizeMatrix((int) s.get(3), linear, true); // (w, 4w)
    // (N, C, h, w) x (w, 4w) -> (N, C, h, 4w); (4h, h) broadcast over N, C -> (N, C, 4h, 4w).
    return ah.matMul(x.matMul(awT));
  }

  private NDArray resizeMatrix(int size, boolean linear, boolean transposed) {
    long key = ((long) size << 2) | (linear ? 2 : 0) | (transposed ? 1 : 0);
    return resizeMatrices.computeIfAbsent(
        key,
        k -> {
          int scale = Backbone.SCALE;
          float[] m =
              linear
                  ? TorchResize.bilinearMatrix(size, scale)
                  : TorchResize.bicubicMatrix(size, scale);
          if (transposed) {
            float[] t = new float[m.length];
            for (int r = 0; r < size * scale; r++) {
              for (int c = 0; c < size; c++) {
                t[c * size * scale + r] = m[r * size + c];
              }
            }
            return keep(manager.create(t, new Shape(size, (long) size * scale)));
          }
          return keep(manager.create(m, new Shape((long) size * scale, size)));
        });
  }

  /** Removes a long-lived array from whatever scope is open, so only {@link #close} frees it. */
  protected static NDArray keep(NDArray a) {
    NDScope.unregister(a);
    return a;
  }

  private static void checkInput(NDArray lr) {
    Shape s = lr.getShape();
    if (s.dimension() != 4 || s.get(1) != 3) {
      throw new IllegalArgumentException("input must be (N, 3, h, w), got " + s);
    }
    if (lr.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("input must be float32, got " + lr.getDataType());
    }
  }

  @Override
  public void close() {
    synchronized (reducedPrecision) {
      if (bf16Kernels != null) {
        bf16Kernels.close();
      }
    }
    manager.close();
  }
}
