package io.armsr.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.armsr.model.Backbone;
import io.armsr.torch.CheckpointFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The container shared by the project's own files ({@link WeightsFile}, {@link LutFile}), in the
 * manner of llm.c's checkpoints: a magic number, a version, a self-describing JSON header and a raw
 * little-endian payload, closed by a checksum so that a truncated or damaged file is refused rather
 * than half-read.
 *
 * <pre>
 * offset  size  field
 * 0       8     magic: 0x89 'A' 'R' 'M' 'S' 'R' kind '\n' (kind 'W' weights/checkpoint, 'L' LUT)
 * 8       4     format version, u32 LE
 * 12      4     header length H in bytes, u32 LE
 * 16      H     header: UTF-8 JSON object; "payloadBytes" gives the payload length P
 * 16+H    P     payload: float32 or float64 values, little-endian, in the order the header lists
 * 16+H+P  4     CRC-32 of bytes [0, 16+H+P), u32 LE
 * </pre>
 *
 * The leading 0x89 (as in PNG) makes the file non-ASCII so that text tools and transfers in text
 * mode are noticed; it also can never be mistaken for a zip ({@code PK}), which is how {@link
 * ModelFiles} tells official {@code .pth/.state} files apart.
 */
final class ArmsrContainer {
  static final int PREAMBLE = 16;
  static final int MAX_HEADER = 16 << 20;
  static final byte KIND_WEIGHTS = 'W';
  static final byte KIND_LUT = 'L';

  static final ObjectMapper JSON = new ObjectMapper();

  /** A read file: its version, header and payload (positioned at 0, little-endian). */
  record Parsed(int version, ObjectNode header, ByteBuffer payload) {}

  private ArmsrContainer() {}

  static byte[] magic(byte kind) {
    return new byte[] {(byte) 0x89, 'A', 'R', 'M', 'S', 'R', kind, '\n'};
  }

  /** True if {@code head} (at least 8 bytes) starts with the magic of {@code kind}. */
  static boolean hasMagic(byte[] head, byte kind) {
    return head.length >= 8 && Arrays.equals(Arrays.copyOf(head, 8), magic(kind));
  }

  /** The first {@code n} bytes of a file (fewer if it is shorter). */
  static byte[] head(Path file, int n) {
    try (var in = Files.newInputStream(file)) {
      return in.readNBytes(n);
    } catch (NoSuchFileException e) {
      throw new CheckpointFormatException(file, "no such file");
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  /** Serialises one file; {@code payload} must be exactly the bytes the header describes. */
  static byte[] encode(byte kind, int version, ObjectNode header, byte[] payload) {
    header.put("payloadBytes", payload.length);
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise header", e);
    }
    ByteBuffer b =
        ByteBuffer.allocate(PREAMBLE + json.length + payload.length + 4)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.put(magic(kind)).putInt(version).putInt(json.length).put(json).put(payload);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Reads and checks the container: magic of {@code kind}, a version in 1..{@code maxVersion}, a
   * JSON header, the exact length and the checksum.
   *
   * <p>The file is read whole, so its size is checked first against the largest file of its kind
   * ({@code maxPayload} plus the header's limit): a file of gigabytes, or one that grows while it
   * is read, is refused without reading more than that bound plus one byte.
   *
   * @param what the file kind in messages ("armsr weights file")
   * @param maxPayload the largest payload a file of this kind can honestly hold
   */
  static Parsed decode(Path file, byte kind, int maxVersion, String what, long maxPayload) {
    long maxFile = PREAMBLE + MAX_HEADER + maxPayload + 4;
    byte[] all;
    try (var in = Files.newInputStream(file)) {
      long size = Files.size(file);
      if (size > maxFile) {
        throw new CheckpointFormatException(
            file,
            "is "
                + size
                + " bytes, larger than any "
                + what
                + " can be ("
                + maxFile
                + "); refusing to read it");
      }
      all = in.readNBytes((int) maxFile + 1);
    } catch (NoSuchFileException e) {
      throw new CheckpointFormatException(file, "no such file");
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot read: " + e.getMessage(), e);
    }
    if (all.length > maxFile) {
      throw new CheckpointFormatException(
          file, "grew past " + maxFile + " bytes while it was read, more than any " + what);
    }
    if (all.length < 8 || !hasMagic(all, kind)) {
      throw new CheckpointFormatException(file, "bad magic number: not an " + what);
    }
    if (all.length < PREAMBLE) {
      throw new CheckpointFormatException(file, "truncated: " + all.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int version = b.getInt(8);
    if (version < 1 || version > maxVersion) {
      throw new CheckpointFormatException(
          file,
          "format version "
              + Integer.toUnsignedString(version)
              + " is not supported (this armsr reads versions 1.."
              + maxVersion
              + ")");
    }
    long headerLength = Integer.toUnsignedLong(b.getInt(12));
    if (headerLength > MAX_HEADER || PREAMBLE + headerLength > all.length) {
      throw new CheckpointFormatException(
          file, "truncated: header of " + headerLength + " bytes, file has " + all.length);
    }
    ObjectNode header;
    try {
      var node =
          JSON.readTree(
              new String(all, PREAMBLE, (int) headerLength, StandardCharsets.UTF_8).strip());
      if (!(node instanceof ObjectNode o)) {
        throw new CheckpointFormatException(file, "header is not a JSON object");
      }
      header = o;
    } catch (JsonProcessingException e) {
      throw new CheckpointFormatException(
          file, "header is not valid JSON: " + e.getOriginalMessage(), e);
    }
    long payloadBytes = header.path("payloadBytes").asLong(-1);
    if (payloadBytes < 0) {
      throw new CheckpointFormatException(file, "header has no payloadBytes");
    }
    if (payloadBytes > maxPayload) {
      throw new CheckpointFormatException(
          file,
          "header announces a payload of "
              + payloadBytes
              + " bytes, more than any "
              + what
              + " holds ("
              + maxPayload
              + ")");
    }
    long expected = PREAMBLE + headerLength + payloadBytes + 4;
    if (all.length < expected) {
      throw new CheckpointFormatException(
          file, "truncated: " + all.length + " bytes, the header announces " + expected);
    }
    if (all.length > expected) {
      throw new CheckpointFormatException(
          file, (all.length - expected) + " unexpected bytes after the checksum");
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, (int) (expected - 4));
    if ((int) crc.getValue() != b.getInt((int) (expected - 4))) {
      throw new CheckpointFormatException(file, "checksum mismatch: the file is damaged");
    }
    ByteBuffer payload =
        ByteBuffer.wrap(all, (int) (PREAMBLE + headerLength), (int) payloadBytes)
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    return new Parsed(version, header, payload);
  }

  /** A required text field of the header. */
  /**
   * Checks the header's {@code format} name and returns its backbone.
   *
   * @throws CheckpointFormatException if the format differs or the backbone is unknown
   */
  static Backbone backbone(Path file, ObjectNode header, String format) {
    if (!format.equals(header.path("format").asText())) {
      throw new CheckpointFormatException(file, "header format is not '" + format + "'");
    }
    try {
      return Backbone.parse(text(file, header, "backbone"));
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(file, e.getMessage(), e);
    }
  }

  static String text(Path file, ObjectNode node, String field) {
    var v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new CheckpointFormatException(file, "header has no text field '" + field + "'");
    }
    return v.asText();
  }

  /** A required integral field of the header. */
  static long integer(Path file, ObjectNode node, String field) {
    var v = node.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new CheckpointFormatException(file, "header has no integer field '" + field + "'");
    }
    return v.asLong();
  }

  /** A required number field of the header. */
  static double number(Path file, ObjectNode node, String field) {
    var v = node.get(field);
    if (v == null || !v.isNumber()) {
      throw new CheckpointFormatException(file, "header has no number field '" + field + "'");
    }
    return v.asDouble();
  }

  /** A required object field of the header. */
  static ObjectNode object(Path file, ObjectNode node, String field) {
    if (!(node.get(field) instanceof ObjectNode o)) {
      throw new CheckpointFormatException(file, "header has no object '" + field + "'");
    }
    return o;
  }
}
