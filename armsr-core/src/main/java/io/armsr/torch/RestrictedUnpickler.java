package io.armsr.torch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Unpickles the {@code data.pkl} of a PyTorch archive with a closed list of globals (ARM.md 7,
 * ENGINE "Reading the official .pth/.state files").
 *
 * <p>razorvine's own {@link Unpickler#registerConstructor} fills a JVM-wide table and turns any
 * unknown global into a harmless {@code ClassDict}; neither is what a file reader wants. This
 * subclass resolves {@code GLOBAL}/{@code STACK_GLOBAL} itself against {@link #GLOBALS}, so an
 * unknown name such as {@code os.system} stops the read with its name, nothing is registered
 * globally, and no Python or Java code named by the file is ever looked up, let alone run.
 *
 * <p>The object graph uses: {@link Map} for dicts ({@link LinkedHashMap} for {@code OrderedDict}),
 * {@link List} for lists, {@code Object[]} for tuples, {@link String}, {@link Boolean}, {@link
 * Integer}/{@link Long}/{@link java.math.BigInteger}, {@link Double}, {@code byte[]}, {@code null},
 * {@link StoredTensor} for torch tensors and {@link NumpyArray} for numpy arrays.
 */
final class RestrictedUnpickler extends Unpickler {
  /** Not in razorvine's {@link Opcodes}: protocol 5 {@code BYTEARRAY8}. */
  private static final short BYTEARRAY8 = 0x96;

  /** Torch's legacy storage classes, which name a tensor's dtype in its persistent id. */
  private static final Set<String> STORAGE_TYPES =
      Set.of(
          "FloatStorage",
          "DoubleStorage",
          "HalfStorage",
          "BFloat16Storage",
          "LongStorage",
          "IntStorage",
          "ShortStorage",
          "CharStorage",
          "ByteStorage",
          "BoolStorage");

  /**
   * Opcodes one pickle may execute, which bounds the objects it can build. The official {@code
   * .state} files need a few tens of thousands; a million small objects already cost some 100 MB.
   */
  static final int MAX_OPCODES = 1_000_000;

  /**
   * Containers nested in containers, counted from the root. A state dict is 2 deep and an ARM
   * {@code .state} (optimizer state included) under 10; a hostile file nesting 100,000 tuples would
   * otherwise overflow the stack of any code that walks the graph.
   */
  static final int MAX_DEPTH = 64;

  /** The text line of a protocol-0 {@code INT}/{@code LONG}, or a {@code GLOBAL} name. */
  private static final int MAX_LINE = 256;

  private final Path file;
  private final Map<String, IObjectConstructor> globals;
  private int opcodes;

  private RestrictedUnpickler(Path file) {
    this.file = file;
    this.globals = globals();
  }

  /**
   * Parses a whole pickle held in memory.
   *
   * @param file the archive, named in error messages
   * @param pickle the bytes of {@code data.pkl}
   * @throws CheckpointFormatException for anything that is not a pickle of the supported subset
   */
  static Object load(Path file, byte[] pickle) {
    RestrictedUnpickler u = new RestrictedUnpickler(file);
    try {
      return u.replaceArrays(u.load(new ByteArrayInputStream(pickle)));
    } catch (StackOverflowError e) {
      // Not expected (nothing here recurses on the file's structure), but never a stack trace.
      throw new CheckpointFormatException(file, "data.pkl nests too deeply to be read");
    } catch (IOException | RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof CheckpointFormatException c) {
          throw c;
        }
      }
      throw new CheckpointFormatException(
          file,
          "data.pkl is not a pickle of a state dict ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + ")",
          e);
    } finally {
      u.close();
    }
  }

  @Override
  protected Object dispatch(short key) throws IOException {
    if (++opcodes > MAX_OPCODES) {
      throw fail(
          "data.pkl holds more than "
              + MAX_OPCODES
              + " pickle operations; a state dict or ARM .state needs far fewer");
    }
    switch (key) {
      case Opcodes.INT:
      case Opcodes.LONG:
        // razorvine parses these decimal lines with BigInteger, quadratic in their length.
        requireLine(32);
        return super.dispatch(key);
      case Opcodes.SETITEM:
        {
          Object value = stack.pop();
          Object k = stack.pop();
          if (!(stack.peek() instanceof Map<?, ?> target)) {
            throw fail("SETITEM on " + describe(stack.peek()) + ", not a dict");
          }
          @SuppressWarnings("unchecked")
          Map<Object, Object> t = (Map<Object, Object>) target;
          t.put(hashable(k), value);
          return NO_RETURN_VALUE;
        }
      case Opcodes.ADDITEMS:
        {
          List<Object> items = stack.pop_all_since_marker();
          if (!(stack.peek() instanceof Set<?> target)) {
            throw fail("ADDITEMS on " + describe(stack.peek()) + ", not a set");
          }
          @SuppressWarnings("unchecked")
          Set<Object> t = (Set<Object>) target;
          for (Object o : items) {
            t.add(hashable(o));
          }
          return NO_RETURN_VALUE;
        }
      case Opcodes.FROZENSET:
        {
          Set<Object> set = new HashSet<>();
          for (Object o : stack.pop_all_since_marker()) {
            set.add(hashable(o));
          }
          stack.add(set);
          return NO_RETURN_VALUE;
        }
      case Opcodes.GLOBAL:
        {
          requireLine(MAX_LINE);
          String module = PickleUtils.readline(input);
          String name = PickleUtils.readline(input);
          stack.add(resolve(module, name));
          return NO_RETURN_VALUE;
        }
      case Opcodes.STACK_GLOBAL:
        {
          Object name = stack.pop();
          Object module = stack.pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw fail("STACK_GLOBAL with a non-string name");
          }
          stack.add(resolve(m, n));
          return NO_RETURN_VALUE;
        }
      case Opcodes.EMPTY_DICT:
        // razorvine makes a HashMap and fills it through another HashMap: key order, which is a
        // state dict's layer order, would be lost. Python dicts keep insertion order; so do these.
        stack.add(new LinkedHashMap<Object, Object>());
        return NO_RETURN_VALUE;
      case Opcodes.DICT:
        {
          Map<Object, Object> d = new LinkedHashMap<>();
          putPairs(d, stack.pop_all_since_marker());
          stack.add(d);
          return NO_RETURN_VALUE;
        }
      case Opcodes.SETITEMS:
        {
          List<Object> items = stack.pop_all_since_marker();
          if (!(stack.peek() instanceof Map<?, ?> target)) {
            throw fail("SETITEMS on " + describe(stack.peek()) + ", not a dict");
          }
          @SuppressWarnings("unchecked")
          Map<Object, Object> t = (Map<Object, Object>) target;
          putPairs(t, items);
          return NO_RETURN_VALUE;
        }
      case Opcodes.INST:
        // INST names a class inline and calls it; torch never writes it (protocol 2).
        throw fail("pickle opcode INST is not supported");
      case Opcodes.BINSTRING:
      case Opcodes.BINUNICODE:
      case Opcodes.BINBYTES:
      case Opcodes.LONG4:
        requireAvailable(4);
        return super.dispatch(key);
      case Opcodes.BINUNICODE8:
      case Opcodes.BINBYTES8:
      case BYTEARRAY8:
        requireAvailable(8);
        return super.dispatch(key);
      default:
        return super.dispatch(key);
    }
  }

  private void putPairs(Map<Object, Object> target, List<Object> items) {
    if (items.size() % 2 != 0) {
      throw fail("dict items are not key/value pairs");
    }
    for (int i = 0; i < items.size(); i += 2) {
      target.put(hashable(items.get(i)), items.get(i + 1));
    }
  }

  /**
   * A dict key or set member. Python refuses lists, dicts and sets there (they are unhashable), so
   * no pickle Python wrote holds one; Java would hash them by content, and a list that contains
   * itself would recurse until the stack overflows. Tuples are arrays here, hashed by identity.
   */
  private Object hashable(Object key) {
    if (key instanceof List<?> || key instanceof Map<?, ?> || key instanceof Set<?>) {
      throw fail(
          "a "
              + (key instanceof List<?> ? "list" : key instanceof Map<?, ?> ? "dict" : "set")
              + " is used as a dict key or set member, which Python never pickles (unhashable)");
    }
    return key;
  }

  /** Checks that a text line (an opcode's argument) ends within {@code max} bytes. */
  private void requireLine(int max) throws IOException {
    input.mark(max + 1);
    try {
      for (int i = 0; i <= max; i++) {
        int b = input.read();
        if (b == '\n') {
          return;
        }
        if (b < 0) {
          throw fail("data.pkl is truncated (in a text line)");
        }
      }
      throw fail("data.pkl holds a text line longer than " + max + " bytes");
    } finally {
      input.reset();
    }
  }

  /**
   * razorvine allocates a length-prefixed string before reading it, so a corrupt length in a
   * truncated file would ask for gigabytes; check the length against what is left first.
   */
  private void requireAvailable(int lengthBytes) throws IOException {
    input.mark(lengthBytes);
    byte[] len = PickleUtils.readbytes(input, lengthBytes);
    long n =
        lengthBytes == 4
            ? PickleUtils.bytes_to_integer(len) & 0xFFFFFFFFL
            : PickleUtils.bytes_to_long(len, 0);
    int left = input.available();
    input.reset();
    if (n < 0 || n > left) {
      throw fail("data.pkl is truncated (a string of " + n + " bytes, " + left + " left)");
    }
  }

  /** {@code BINPERSID}: torch's {@code ('storage', storage_type, key, location, numel)}. */
  @Override
  protected Object persistentLoad(Object pid) {
    if (!(pid instanceof Object[] t)
        || t.length != 5
        || !"storage".equals(t[0])
        || !(t[1] instanceof StorageType type)
        || !(t[2] instanceof String key)) {
      throw fail("unexpected persistent id " + describe(pid) + " (expected a torch storage)");
    }
    long numel = toLong(t[4], "storage numel");
    if (numel < 0) {
      throw fail("storage " + key + " has a negative size " + numel);
    }
    return new StorageRef(type.name(), key, numel);
  }

  private IObjectConstructor resolve(String module, String name) {
    IObjectConstructor c = globals.get(module + "." + name);
    if (c == null) {
      throw fail(
          "pickle names the global '"
              + module
              + "."
              + name
              + "', which a state dict or ARM .state file never holds; refusing to load it");
    }
    return c;
  }

  private Map<String, IObjectConstructor> globals() {
    Map<String, IObjectConstructor> g = new HashMap<>();
    g.put("collections.OrderedDict", this::orderedDict);
    g.put("torch._utils._rebuild_tensor_v2", this::rebuildTensor);
    // A saved nn.Parameter (not in a state_dict, which holds detached tensors) wraps a tensor.
    g.put("torch._utils._rebuild_parameter", args -> arg(args, 0, "_rebuild_parameter"));
    // A storage class and numpy.ndarray appear as values (in a persistent id, as _reconstruct's
    // first argument), never called, so GLOBAL pushes them as themselves.
    for (String s : STORAGE_TYPES) {
      g.put("torch." + s, new StorageType(s));
    }
    // numpy >= 2 pickles _reconstruct under numpy._core, older numpy (the official files) under
    // numpy.core.
    g.put("numpy.core.multiarray._reconstruct", this::reconstruct);
    g.put("numpy._core.multiarray._reconstruct", this::reconstruct);
    g.put("numpy.ndarray", NDARRAY);
    g.put("numpy.dtype", this::dtype);
    g.put("_codecs.encode", this::codecsEncode);
    return Collections.unmodifiableMap(g);
  }

  private Object orderedDict(Object[] args) {
    PickledDict d = new PickledDict();
    // OrderedDict.__reduce__ gives no arguments; an explicit list of pairs is also legal.
    if (args.length == 1 && args[0] instanceof List<?> pairs) {
      for (Object p : pairs) {
        if (!(p instanceof Object[] kv) || kv.length != 2) {
          if (!(p instanceof List<?> l) || l.size() != 2) {
            throw fail("OrderedDict item is not a pair: " + describe(p));
          }
          d.put(hashable(l.get(0)), l.get(1));
        } else {
          d.put(hashable(kv[0]), kv[1]);
        }
      }
    } else if (args.length != 0) {
      throw fail("OrderedDict called with " + args.length + " arguments");
    }
    return d;
  }

  /**
   * {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
   * backward_hooks[, metadata])}: only the first four matter for the values.
   */
  private Object rebuildTensor(Object[] args) {
    if (args.length < 4 || !(args[0] instanceof StorageRef s)) {
      throw fail("_rebuild_tensor_v2 called with " + describe(args));
    }
    long offset = toLong(args[1], "storage offset");
    long[] size = toLongs(args[2], "size");
    long[] stride = toLongs(args[3], "stride");
    if (size.length != stride.length) {
      throw fail(
          "tensor in storage "
              + s.key()
              + " has "
              + size.length
              + " sizes but "
              + stride.length
              + " strides");
    }
    return new StoredTensor(s.type(), s.key(), s.numel(), offset, size, stride);
  }

  /** {@code _reconstruct(numpy.ndarray, (0,), b'b')}: an empty array that BUILD fills. */
  private Object reconstruct(Object[] args) {
    if (args.length < 1 || args[0] != NDARRAY) {
      throw fail("numpy _reconstruct of something other than numpy.ndarray");
    }
    return new ArrayState();
  }

  /** {@code numpy.dtype('f8', False, True)}; BUILD then sets the byte order. */
  private Object dtype(Object[] args) {
    if (args.length < 1 || !(args[0] instanceof String code)) {
      throw fail("numpy.dtype called with " + describe(args));
    }
    return new DtypeState(code);
  }

  /**
   * {@code _codecs.encode(text, 'latin1')}: protocol 2 has no bytes opcode, so Python 3 writes
   * bytes as their latin-1 decoding and this call turns them back.
   */
  private Object codecsEncode(Object[] args) {
    if (args.length < 1 || !(args[0] instanceof String text)) {
      throw fail("_codecs.encode called with " + describe(args));
    }
    String encoding = args.length > 1 && args[1] instanceof String e ? e : "utf-8";
    String norm = encoding.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    if (!norm.equals("latin1") && !norm.equals("latin-1") && !norm.equals("iso-8859-1")) {
      throw fail("_codecs.encode with encoding '" + encoding + "' is not supported");
    }
    byte[] out = new byte[text.length()];
    for (int i = 0; i < out.length; i++) {
      char c = text.charAt(i);
      if (c > 0xFF) {
        throw fail("_codecs.encode: character U+" + Integer.toHexString(c) + " is not latin-1");
      }
      out[i] = (byte) c;
    }
    return out;
  }

  private CheckpointFormatException fail(String problem) {
    return new CheckpointFormatException(file, problem);
  }

  private long toLong(Object o, String what) {
    if (o instanceof Integer || o instanceof Long) {
      return ((Number) o).longValue();
    }
    throw fail(what + " is not an integer: " + describe(o));
  }

  private long[] toLongs(Object o, String what) {
    if (!(o instanceof Object[] t)) {
      throw fail(what + " is not a tuple: " + describe(o));
    }
    long[] out = new long[t.length];
    for (int i = 0; i < t.length; i++) {
      out[i] = toLong(t[i], what);
    }
    return out;
  }

  private Object arg(Object[] args, int i, String call) {
    if (args.length <= i) {
      throw fail(call + " called with " + args.length + " arguments");
    }
    return args[i];
  }

  static String describe(Object o) {
    return describe(o, 3);
  }

  /** Tuples are shown {@code levels} deep at most: the message stays short, the stack shallow. */
  private static String describe(Object o, int levels) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Object[] t) {
      if (levels == 0) {
        return "(...)";
      }
      StringBuilder b = new StringBuilder("(");
      for (int i = 0; i < t.length && i < 6; i++) {
        b.append(i == 0 ? "" : ", ").append(describe(t[i], levels - 1));
      }
      return b.append(t.length > 6 ? ", ...)" : ")").toString();
    }
    if (o instanceof String s) {
      return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
    if (o instanceof BigInteger big && big.bitLength() > 64) {
      // BigInteger.toString is quadratic in the length; a pickle may hold megabytes of digits.
      return "an integer of " + big.bitLength() + " bits";
    }
    if (o instanceof Number || o instanceof Boolean) {
      return o.toString();
    }
    return o.getClass().getSimpleName();
  }

  /**
   * numpy's BUILD leaves the {@link ArrayState} on the stack, so the graph holds it rather than the
   * finished array; swap each for its {@link NumpyArray}. The walk is breadth first and iterative,
   * visits each container once (a container may hold itself), and refuses a graph nested more than
   * {@link #MAX_DEPTH} deep, so that no later reader of the graph can recurse without bound.
   */
  private Object replaceArrays(Object root) {
    Map<Object, Integer> depth = new IdentityHashMap<>();
    Deque<Object> todo = new ArrayDeque<>();
    if (root != null) {
      depth.put(root, 0);
      todo.add(root);
    }
    while (!todo.isEmpty()) {
      Object o = todo.poll();
      int level = depth.get(o);
      Deque<Object> children = new ArrayDeque<>();
      if (o instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> mm = (Map<Object, Object>) m;
        for (Map.Entry<Object, Object> e : mm.entrySet()) {
          children.add(e.getKey());
          if (e.getValue() instanceof ArrayState a) {
            e.setValue(a.array());
          } else {
            children.add(e.getValue());
          }
        }
      } else if (o instanceof List<?> l) {
        @SuppressWarnings("unchecked")
        List<Object> ll = (List<Object>) l;
        for (int i = 0; i < ll.size(); i++) {
          if (ll.get(i) instanceof ArrayState a) {
            ll.set(i, a.array());
          } else {
            children.add(ll.get(i));
          }
        }
      } else if (o instanceof Object[] t) {
        for (int i = 0; i < t.length; i++) {
          if (t[i] instanceof ArrayState a) {
            t[i] = a.array();
          } else {
            children.add(t[i]);
          }
        }
      } else if (o instanceof Set<?> set) {
        children.addAll(set);
      }
      for (Object c : children) {
        boolean container =
            c instanceof Map<?, ?>
                || c instanceof List<?>
                || c instanceof Object[]
                || c instanceof Set<?>;
        if (container && !depth.containsKey(c)) {
          if (level + 1 > MAX_DEPTH) {
            throw fail(
                "data.pkl nests containers more than "
                    + MAX_DEPTH
                    + " deep; a state dict or ARM .state is a few levels deep");
          }
          depth.put(c, level + 1);
          todo.add(c);
        }
      }
    }
    return root instanceof ArrayState a ? a.array() : root;
  }

  /** {@code numpy.ndarray}, only ever an argument of {@code _reconstruct}. */
  private static final IObjectConstructor NDARRAY =
      args -> {
        throw new PickleException("numpy.ndarray is not called directly in supported files");
      };

  /** {@code torch.FloatStorage} and its kin: named in persistent ids, not called. */
  private record StorageType(String name) implements IObjectConstructor {
    @Override
    public Object construct(Object[] args) {
      throw new PickleException("torch." + name + " is not called in supported files");
    }
  }

  private record StorageRef(String type, String key, long numel) {}

  /**
   * An {@code OrderedDict}. BUILD hands it the instance attributes (a state dict's {@code
   * _metadata}, the module versions), which the weights do not need.
   */
  public static final class PickledDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    /** BUILD finds this by the exact class of the state: dicts here are LinkedHashMaps. */
    public void __setstate__(LinkedHashMap<?, ?> attributes) {
      // Attributes of the dict object, not items: nothing to keep.
    }
  }

  /** A numpy dtype between its REDUCE and its BUILD. */
  public static final class DtypeState {
    private final String code;
    private char byteOrder = '|';

    DtypeState(String code) {
      this.code = code;
    }

    /** {@code (version, byteorder, subarray, names, fields, elsize, alignment, flags)}. */
    public void __setstate__(Object[] state) {
      if (state.length >= 2 && state[1] instanceof String s && s.length() == 1) {
        byteOrder = s.charAt(0);
      }
    }

    /**
     * Bytes per element of this dtype as numpy spells it ({@code f8}, {@code i4}, {@code U10} ...),
     * or -1 for one whose raw data is not a plain array of fixed-size elements (objects, dates).
     */
    int itemSize() {
      if (code.length() < 2 || code.length() > 6 || !code.substring(1).matches("[0-9]+")) {
        return -1;
      }
      int digits = Integer.parseInt(code.substring(1));
      return switch (code.charAt(0)) {
        case 'b', 'i', 'u', 'f', 'c', 'S', 'V' -> digits;
        case 'U' -> 4 * digits;
        default -> -1;
      };
    }

    String spelling() {
      // A one-byte type has no order ('|'); numpy's '=' means the writer's native order, which
      // was little-endian on every machine torch supports.
      char order = byteOrder == '=' ? '<' : byteOrder;
      return order + code;
    }
  }

  /** A numpy array between {@code _reconstruct} and its BUILD. */
  public final class ArrayState {
    private NumpyArray array;

    /** {@code (version, shape, dtype, is_fortran, rawdata)}; version 1 has all five. */
    public void __setstate__(Object[] state) {
      if (state.length != 5 || !(state[2] instanceof DtypeState dtype)) {
        throw fail("numpy array state " + describe(state) + " is not (version, shape, dtype, ...)");
      }
      long[] shape = toLongs(state[1], "numpy shape");
      byte[] raw;
      if (state[4] instanceof byte[] b) {
        raw = b;
      } else if (state[4] instanceof String s) {
        raw = s.getBytes(StandardCharsets.ISO_8859_1);
      } else {
        throw fail("numpy array of dtype " + dtype.spelling() + " holds objects, not raw data");
      }
      // The shape is only a claim: it must match the bytes that are there before anything is
      // done in proportion to it (a 474-byte file may declare 65536 x 65536 elements).
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw fail("numpy array has a negative dimension in its shape " + Arrays.toString(shape));
        }
        n = d == 0 || n == 0 ? 0 : n <= Long.MAX_VALUE / d ? n * d : -1;
        if (n < 0) {
          throw fail("numpy array of shape " + Arrays.toString(shape) + " has too many elements");
        }
      }
      int itemSize = dtype.itemSize();
      if (itemSize >= 0 && (n > raw.length || n * itemSize != raw.length)) {
        throw fail(
            "numpy array of shape "
                + Arrays.toString(shape)
                + " and dtype "
                + dtype.spelling()
                + " needs "
                + (n > raw.length ? "more than " + raw.length : n * itemSize)
                + " bytes, holds "
                + raw.length);
      }
      if (Boolean.TRUE.equals(state[3]) && n > 1) {
        if (itemSize < 0) {
          throw fail("numpy array of dtype " + dtype.spelling() + " in Fortran order: unsupported");
        }
        if (itemSize > 0) {
          raw = fortranToC(raw, shape, (int) n, itemSize);
        }
      }
      array = new NumpyArray(shape, dtype.spelling(), raw);
    }

    NumpyArray array() {
      if (array == null) {
        throw fail("numpy array without its state");
      }
      return array;
    }

    /**
     * Reorders {@code n} elements of {@code size} bytes from Fortran (column-major) to C order. The
     * caller has checked {@code raw.length == n * size}, so every index below fits an int.
     */
    private static byte[] fortranToC(byte[] raw, long[] shape, int n, int size) {
      byte[] out = new byte[raw.length];
      int[] idx = new int[shape.length];
      for (int c = 0; c < n; c++) {
        // Element c in C order sits at sum(idx[k] * prod(shape[<k])) in Fortran order.
        long f = 0;
        long step = 1;
        for (int k = 0; k < shape.length; k++) {
          f += idx[k] * step;
          step *= shape[k];
        }
        System.arraycopy(raw, (int) f * size, out, c * size, size);
        for (int k = shape.length - 1; k >= 0 && ++idx[k] == shape[k]; k--) {
          idx[k] = 0;
        }
      }
      return out;
    }
  }
}
