package io.armsr.torch;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as the pickle of a PyTorch archive describes it (ARM.md 7): {@code
 * _rebuild_tensor_v2(storage, offset, size, stride, ...)} over the storage blob {@code
 * data/<storageKey>}. Its values are read only when asked for, through {@link
 * TorchArchive#tensor(StoredTensor, String)}, so that a caller who only needs the LUT of a {@code
 * .state} file never reads the optimizer's moments.
 *
 * @param storageType the storage class named in the pickle, e.g. {@code FloatStorage}
 * @param storageKey the record name under {@code data/}
 * @param storageNumel elements in the whole storage (several tensors may share one)
 * @param offset first element of this tensor in the storage
 * @param size shape, outermost first
 * @param stride step in the storage, in elements, per index of each dimension
 */
public record StoredTensor(
    String storageType,
    String storageKey,
    long storageNumel,
    long offset,
    long[] size,
    long[] stride) {

  public StoredTensor {
    Objects.requireNonNull(storageType, "storageType");
    Objects.requireNonNull(storageKey, "storageKey");
    size = size.clone();
    stride = stride.clone();
    if (size.length != stride.length) {
      throw new IllegalArgumentException(
          "size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride) + " differ");
    }
  }

  @Override
  public long[] size() {
    return size.clone();
  }

  @Override
  public long[] stride() {
    return stride.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredTensor t
        && storageType.equals(t.storageType)
        && storageKey.equals(t.storageKey)
        && storageNumel == t.storageNumel
        && offset == t.offset
        && Arrays.equals(size, t.size)
        && Arrays.equals(stride, t.stride);
  }

  @Override
  public int hashCode() {
    return Objects.hash(storageKey, offset, Arrays.hashCode(size), Arrays.hashCode(stride));
  }

  @Override
  public String toString() {
    return "StoredTensor["
        + storageType
        + " data/"
        + storageKey
        + " "
        + Arrays.toString(size)
        + "]";
  }
}
