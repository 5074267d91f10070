package io.armsr.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.armsr.imagefile.AtomicFiles;
import io.armsr.lut.BuiltTable;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.torch.CheckpointFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The project's Edge-to-PSNR table file (ARM.md 4.2). Container layout: {@link ArmsrContainer} with
 * kind {@code 'L'}. Header (version 1):
 *
 * <pre>{@code
 * {"format":"armsr-lut", "backbone":"fsrcnn", "widths":[0,16,36,56],
 *  "subnets":4, "bins":30,
 *  "binCounts":[2928,...], "filled":[[false,...],...] (subnets x bins), "patches":22194,
 *  "scoreMin":0.0, "scoreMax":219.6474609375,
 *  "provenance":{"commandLine","weights","weightsSha256","dataFolder","dataImages","created",
 *                "software"},
 *  "payloadBytes":P}
 * }</pre>
 *
 * Payload, float64 little-endian so that values round-trip bit for bit: the bin centres {@code
 * [subnets][bins]}, then the mean PSNR {@code [subnets][bins]} (NaN allowed: an empty bin that was
 * not filled), then the costs {@code [subnets]} (paper FLOPs, ARM.md 3.2, subnet 0 = bicubic).
 *
 * <p>The reader checks magic, version, checksum, the backbone and widths, the shape of every array,
 * and that centres and costs are finite and centres ascend.
 */
public final class LutFile {
  /** Bins per subnet at most: far finer than any table built from a data set. */
  private static final long MAX_BINS = 1 << 16;

  /** The largest table read: float64 centres and means of 4 subnets x 65536 bins, and 4 costs. */
  private static final long MAX_PAYLOAD =
      8L * (2L * Backbone.SUBNETS * MAX_BINS + Backbone.SUBNETS);

  /** The version this class writes; it reads 1..VERSION. */
  public static final int VERSION = 1;

  static final String FORMAT = "armsr-lut";

  /** What a LUT file holds. */
  public record Contents(Backbone backbone, BuiltTable table, LutProvenance provenance) {}

  private LutFile() {}

  /** True if the file starts with this format's magic number. */
  public static boolean sniff(Path file) {
    return ArmsrContainer.hasMagic(ArmsrContainer.head(file, 8), ArmsrContainer.KIND_LUT);
  }

  /** Writes a table atomically. */
  public static void write(Path file, Backbone backbone, BuiltTable table, LutProvenance provenance)
      throws IOException {
    AtomicFiles.write(file, encode(backbone, table, provenance));
  }

  /**
   * The bytes of a LUT file.
   *
   * @throws IllegalArgumentException if the table does not have one row per subnet of the backbone
   */
  public static byte[] encode(Backbone backbone, BuiltTable table, LutProvenance provenance) {
    PsnrTable t = table.table();
    if (t.subnets() != Backbone.SUBNETS) {
      throw new IllegalArgumentException(
          "a LUT needs " + Backbone.SUBNETS + " subnet rows, has " + t.subnets());
    }
    int subnets = t.subnets();
    int bins = t.bins();
    ObjectNode h = ArmsrContainer.JSON.createObjectNode();
    h.put("format", FORMAT);
    h.put("backbone", backbone.id());
    ArrayNode widths = h.putArray("widths");
    Arrays.stream(backbone.widths()).forEach(widths::add);
    h.put("subnets", subnets);
    h.put("bins", bins);
    ArrayNode counts = h.putArray("binCounts");
    Arrays.stream(table.binCounts()).forEach(counts::add);
    ArrayNode filled = h.putArray("filled");
    for (boolean[] row : table.filled()) {
      if (row.length != bins) {
        throw new IllegalArgumentException("filled flags need " + bins + " bins per row");
      }
      ArrayNode r = filled.addArray();
      for (boolean f : row) {
        r.add(f);
      }
    }
    h.put("patches", table.patches());
    h.put("scoreMin", table.scoreMin());
    h.put("scoreMax", table.scoreMax());
    ObjectNode p = h.putObject("provenance");
    p.put("commandLine", provenance.commandLine());
    p.put("weights", provenance.weights());
    p.put("weightsSha256", provenance.weightsSha256());
    p.put("dataFolder", provenance.dataFolder());
    p.put("dataImages", provenance.dataImages());
    p.put("created", provenance.created());
    p.put("software", provenance.software());
    ByteBuffer payload =
        ByteBuffer.allocate(8 * (2 * subnets * bins + subnets)).order(ByteOrder.LITTLE_ENDIAN);
    for (double[][] rows : new double[][][] {t.binCentres(), t.meanPsnr()}) {
      for (double[] row : rows) {
        for (double v : row) {
          payload.putDouble(v);
        }
      }
    }
    for (double c : t.costs()) {
      payload.putDouble(c);
    }
    return ArmsrContainer.encode(ArmsrContainer.KIND_LUT, VERSION, h, payload.array());
  }

  /**
   * Reads and validates a LUT file.
   *
   * @throws CheckpointFormatException naming the file and the first problem found
   */
  public static Contents read(Path file) {
    var parsed =
        ArmsrContainer.decode(
            file, ArmsrContainer.KIND_LUT, VERSION, "armsr LUT file", MAX_PAYLOAD);
    ObjectNode h = parsed.header();
    Backbone backbone = ArmsrContainer.backbone(file, h, FORMAT);
    int[] widths = ints(h.get("widths"));
    if (!Arrays.equals(widths, backbone.widths())) {
      throw new CheckpointFormatException(
          file,
          "widths "
              + Arrays.toString(widths)
              + " do not match backbone "
              + backbone.id()
              + " "
              + Arrays.toString(backbone.widths()));
    }
    long subnets = ArmsrContainer.integer(file, h, "subnets");
    long bins = ArmsrContainer.integer(file, h, "bins");
    if (subnets != Backbone.SUBNETS || bins < 1 || bins > MAX_BINS) {
      throw new CheckpointFormatException(
          file, "table of " + subnets + " subnets x " + bins + " bins is not supported");
    }
    int s = (int) subnets;
    int b = (int) bins;
    ByteBuffer payload = parsed.payload();
    if (payload.remaining() != 8L * (2 * s * b + s)) {
      throw new CheckpointFormatException(
          file,
          "payload holds "
              + payload.remaining()
              + " bytes, "
              + s
              + "x"
              + b
              + " table needs "
              + 8L * (2 * s * b + s));
    }
    double[][] centres = new double[s][b];
    double[][] means = new double[s][b];
    double[] costs = new double[s];
    for (double[][] rows : new double[][][] {centres, means}) {
      for (double[] row : rows) {
        for (int i = 0; i < b; i++) {
          row[i] = payload.getDouble();
        }
      }
    }
    for (int j = 0; j < s; j++) {
      costs[j] = payload.getDouble();
      if (!Double.isFinite(costs[j]) || costs[j] < 0) {
        throw new CheckpointFormatException(file, "cost of subnet " + j + " is " + costs[j]);
      }
      for (int i = 0; i < b; i++) {
        boolean ascending = i == 0 || centres[j][i] > centres[j][i - 1];
        if (!Double.isFinite(centres[j][i]) || !ascending) {
          throw new CheckpointFormatException(
              file,
              "bin centre "
                  + i
                  + " of subnet "
                  + j
                  + " is "
                  + centres[j][i]
                  + (ascending ? "" : ", not ascending"));
        }
      }
    }
    int[] counts = ints(h.get("binCounts"));
    JsonNode filledNode = h.get("filled");
    if (counts.length != b || filledNode == null || filledNode.size() != s) {
      throw new CheckpointFormatException(
          file, "binCounts/filled do not match " + s + " subnets x " + b + " bins");
    }
    boolean[][] filled = new boolean[s][b];
    for (int j = 0; j < s; j++) {
      JsonNode row = filledNode.get(j);
      if (row.size() != b) {
        throw new CheckpointFormatException(
            file, "filled row " + j + " has " + row.size() + " flags, expected " + b);
      }
      for (int i = 0; i < b; i++) {
        filled[j][i] = row.get(i).asBoolean();
      }
    }
    ObjectNode p = ArmsrContainer.object(file, h, "provenance");
    try {
      BuiltTable table =
          new BuiltTable(
              new PsnrTable(centres, means, costs),
              counts,
              filled,
              (int) ArmsrContainer.integer(file, h, "patches"),
              ArmsrContainer.number(file, h, "scoreMin"),
              ArmsrContainer.number(file, h, "scoreMax"));
      LutProvenance provenance =
          new LutProvenance(
              ArmsrContainer.text(file, p, "commandLine"),
              ArmsrContainer.text(file, p, "weights"),
              ArmsrContainer.text(file, p, "weightsSha256"),
              ArmsrContainer.text(file, p, "dataFolder"),
              (int) ArmsrContainer.integer(file, p, "dataImages"),
              ArmsrContainer.text(file, p, "created"),
              ArmsrContainer.text(file, p, "software"));
      return new Contents(backbone, table, provenance);
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(file, e.getMessage(), e);
    }
  }

  private static int[] ints(JsonNode a) {
    if (a == null || !a.isArray()) {
      return new int[0];
    }
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asInt();
    }
    return out;
  }
}
