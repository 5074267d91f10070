package io.armsr.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes pickle opcodes by hand, for files no honest writer would produce (hostile-input tests):
 * each method appends one opcode or a small idiom torch and numpy use, and returns this writer.
 * Integers are always {@code LONG1}, so any long (2^62, -1) can be written.
 */
public final class PickleWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Starts a protocol-2 pickle, as torch.save writes. */
  public PickleWriter() {
    op(0x80).op(2);
  }

  /** Appends one raw byte (an opcode without argument). */
  public PickleWriter op(int opcode) {
    out.write(opcode);
    return this;
  }

  public PickleWriter mark() {
    return op('(');
  }

  public PickleWriter emptyDict() {
    return op('}');
  }

  public PickleWriter emptyList() {
    return op(']');
  }

  public PickleWriter emptyTuple() {
    return op(')');
  }

  public PickleWriter tuple() {
    return op('t');
  }

  public PickleWriter list() {
    return op('l');
  }

  public PickleWriter append() {
    return op('a');
  }

  public PickleWriter setItem() {
    return op('s');
  }

  public PickleWriter setItems() {
    return op('u');
  }

  public PickleWriter reduce() {
    return op('R');
  }

  public PickleWriter build() {
    return op('b');
  }

  public PickleWriter persistentId() {
    return op('Q');
  }

  public PickleWriter dup() {
    return op('2');
  }

  public PickleWriter newFalse() {
    return op(0x89);
  }

  public PickleWriter newTrue() {
    return op(0x88);
  }

  public PickleWriter none() {
    return op('N');
  }

  /** {@code BINPUT i}: memoises the top of the stack. */
  public PickleWriter put(int i) {
    return op('q').op(i);
  }

  /** {@code BINGET i}: pushes a memoised object again. */
  public PickleWriter get(int i) {
    return op('h').op(i);
  }

  public PickleWriter stop() {
    return op('.');
  }

  /** {@code BINUNICODE}: a str. */
  public PickleWriter str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X');
    int32(b.length);
    out.writeBytes(b);
    return this;
  }

  /** {@code SHORT_BINBYTES}: bytes of at most 255. */
  public PickleWriter bytes(byte[] b) {
    op('C').op(b.length);
    out.writeBytes(b);
    return this;
  }

  /** {@code LONG1}: any long, little-endian two's complement in 8 bytes. */
  public PickleWriter integer(long v) {
    op(0x8a).op(8);
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)) & 0xFF);
    }
    return this;
  }

  /** A tuple of integers ({@code MARK ints TUPLE}). */
  public PickleWriter ints(long... values) {
    mark();
    for (long v : values) {
      integer(v);
    }
    return tuple();
  }

  /** {@code GLOBAL module\nname\n}. */
  public PickleWriter global(String module, String name) {
    op('c');
    out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  /**
   * A torch tensor: {@code _rebuild_tensor_v2(persid('storage', FloatStorage, key, 'cpu', numel),
   * offset, size, stride, False, OrderedDict())}, as torch.save writes it.
   */
  public PickleWriter tensor(String key, long numel, long offset, long[] size, long[] stride) {
    global("torch._utils", "_rebuild_tensor_v2").mark();
    mark().str("storage").global("torch", "FloatStorage").str(key).str("cpu").integer(numel);
    tuple().persistentId();
    integer(offset).ints(size).ints(stride).newFalse();
    global("collections", "OrderedDict").emptyTuple().reduce();
    return tuple().reduce();
  }

  /**
   * A numpy array as numpy pickles it: {@code _reconstruct(ndarray, (0,), b'b')} then BUILD with
   * {@code (1, shape, dtype(code), fortran, raw)}.
   */
  public PickleWriter numpyArray(long[] shape, String code, boolean fortran, byte[] raw) {
    global("numpy.core.multiarray", "_reconstruct");
    global("numpy", "ndarray").ints(0).bytes(new byte[] {'b'}).op(0x87).reduce();
    mark().integer(1).ints(shape);
    global("numpy", "dtype").str(code).newFalse().newTrue().op(0x87).reduce();
    mark().integer(3).str("<").none().none().none().integer(-1).integer(-1).integer(0).tuple();
    build();
    (fortran ? newTrue() : newFalse()).bytes(raw).tuple();
    return build();
  }

  /** The pickle so far. */
  public byte[] toBytes() {
    return out.toByteArray();
  }

  private void int32(int v) {
    for (int i = 0; i < 4; i++) {
      out.write((v >>> (8 * i)) & 0xFF);
    }
  }
}
