package io.armsr.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A supernet's parameters by their PyTorch state-dict key ({@code head_conv.0.weight}, ...), in
 * file order. Keys follow the official release (ARM.md 7) so that official checkpoints and the
 * project's own files share one naming.
 */
public final class StateDict {
  private final Map<String, WeightTensor> tensors;

  public StateDict(Map<String, WeightTensor> tensors) {
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  public Map<String, WeightTensor> tensors() {
    return tensors;
  }

  public Set<String> keys() {
    return tensors.keySet();
  }

  public boolean contains(String key) {
    return tensors.containsKey(key);
  }

  /** Returns the tensor named {@code key}, or throws naming the missing key. */
  public WeightTensor get(String key) {
    WeightTensor t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException("missing tensor '" + key + "'");
    }
    return t;
  }

  public long totalElements() {
    return tensors.values().stream().mapToLong(WeightTensor::numel).sum();
  }
}
