package io.armsr.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.armsr.format.TrainingState.AdamState;
import io.armsr.model.StateDict;
import io.armsr.model.WeightTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with PyTorch's update rule (as in {@code torch.optim.Adam} 1.7, the version of the official
 * release; ARM.md 2.3: betas (0.9, 0.99), eps 1e-8, no weight decay, no amsgrad), written on
 * NDArrays so that its moments are ours to save and restore for an exact resume. Per parameter p
 * with gradient g, at step t (1-based):
 *
 * <pre>
 * m  = beta1 * m + (1 - beta1) * g
 * v  = beta2 * v + (1 - beta2) * g * g
 * p -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * The scalars are computed in double, as in Python, and enter the float32 tensor ops as float32, as
 * PyTorch's CPU kernels cast them. Parameters whose slice a width does not use get g = 0 but still
 * move while their moments are non-zero: ordinary Adam, as in the official training.
 *
 * <p>The moments live on a manager of their own, created outside any {@link NDScope}
 * (docs/ENGINE.md: a scope would close optimizer state); {@link #step} may run inside a scope.
 */
final class Adam implements AutoCloseable {
  static final double BETA1 = 0.9;
  static final double BETA2 = 0.99;
  static final double EPS = 1e-8;

  private final Map<String, NDArray> parameters;
  private final NDManager manager;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private final double beta1;
  private final double beta2;
  private final double eps;
  private long step;

  /** Fresh optimizer: zero moments, step 0. */
  Adam(Map<String, NDArray> parameters, NDManager parent) {
    this(parameters, parent, null);
  }

  /**
   * An optimizer restored from a checkpoint's state, or a fresh one if {@code state} is null.
   *
   * @throws IllegalArgumentException if the state's tensors do not match the parameters
   */
  Adam(Map<String, NDArray> parameters, NDManager parent, AdamState state) {
    this.parameters = parameters;
    this.manager = parent.newSubManager();
    this.beta1 = state == null ? BETA1 : state.beta1();
    this.beta2 = state == null ? BETA2 : state.beta2();
    this.eps = state == null ? EPS : state.eps();
    this.step = state == null ? 0 : state.step();
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      Shape shape = e.getValue().getShape();
      expAvg.put(e.getKey(), moment(state == null ? null : state.expAvg(), e.getKey(), shape));
      expAvgSq.put(e.getKey(), moment(state == null ? null : state.expAvgSq(), e.getKey(), shape));
    }
  }

  private NDArray moment(StateDict saved, String key, Shape shape) {
    NDArray a;
    if (saved == null) {
      a = manager.zeros(shape);
    } else {
      WeightTensor t = saved.get(key);
      if (!new Shape(t.shape()).equals(shape)) {
        throw new IllegalArgumentException(
            "Adam moment '" + key + "' has shape " + t.shapeString() + ", parameter " + shape);
      }
      a = manager.create(t.data(), shape);
    }
    NDScope.unregister(a);
    return a;
  }

  /** Steps taken so far (PyTorch's {@code state['step']}). */
  long step() {
    return step;
  }

  /**
   * One update of every parameter from its gradient, then the gradients are zeroed (DJL's collector
   * does not zero them; they accumulate across backward passes).
   */
  void step(double lr) {
    step++;
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2 = 1 - Math.pow(beta2, step);
    float stepSize = (float) (lr / biasCorrection1);
    float sqrtBc2 = (float) Math.sqrt(biasCorrection2);
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
        NDArray p = e.getValue();
        NDArray g = p.getGradient();
        NDArray m = expAvg.get(e.getKey());
        NDArray v = expAvgSq.get(e.getKey());
        // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
        // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        v.muli((float) beta2).addi(g.mul((float) (1 - beta2)).mul(g));
        // denom = (exp_avg_sq.sqrt() / sqrt(bias_correction2)).add_(eps)
        NDArray denom = v.sqrt().div(sqrtBc2).add((float) eps);
        // p.addcdiv_(exp_avg, denom, value=-step_size): (value * m) / denom
        p.addi(m.mul(-stepSize).div(denom));
        g.muli(0f);
      }
    }
  }

  /** A copy of the state, for a checkpoint. */
  AdamState state() {
    return new AdamState(step, beta1, beta2, eps, copy(expAvg), copy(expAvgSq));
  }

  private static StateDict copy(Map<String, NDArray> arrays) {
    Map<String, WeightTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      out.put(
          e.getKey(),
          new WeightTensor(e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
    }
    return new StateDict(out);
  }

  @Override
  public void close() {
    manager.close();
  }
}
