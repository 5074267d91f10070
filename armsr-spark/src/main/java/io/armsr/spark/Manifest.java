package io.armsr.spark;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The manifest table: one row per image of the input, written as Parquet (for tools) and JSON lines
 * (for people) under the manifest folder.
 *
 * <table>
 *   <caption>Columns</caption>
 *   <tr><td>input, output</td><td>the image's path and its output's (Hadoop paths)</td></tr>
 *   <tr><td>status</td><td>{@code done}, {@code skipped} (its output existed) or {@code
 *       failed}</td></tr>
 *   <tr><td>lrWidth, lrHeight, srWidth, srHeight</td><td>the input's size and the output's (null
 *       unless done)</td></tr>
 *   <tr><td>patches</td><td>patches per subnet, bicubic first</td></tr>
 *   <tr><td>flopsShare</td><td>the image's cost as a share of running every patch at full
 *       width</td></tr>
 *   <tr><td>predictedPsnr</td><td>the table's predicted PSNR of the routing (dB)</td></tr>
 *   <tr><td>mode</td><td>the routing ({@code k4.0}, {@code budget0.5}, {@code
 *       corpus-budget0.5}, ...)</td></tr>
 *   <tr><td>millis</td><td>the image's time on its executor: decoding, upscaling, encoding,
 *       writing</td></tr>
 *   <tr><td>error</td><td>why it failed, one line (null otherwise)</td></tr>
 *   <tr><td>exitCode</td><td>the command line's exit code for this image: 0, 3 (bad input), 5
 *       (output not written), 1 (internal)</td></tr>
 *   <tr><td>warnings</td><td>what the output format could not hold (alpha, 16 bits)</td></tr>
 * </table>
 */
record Manifest(
    String input,
    String output,
    String status,
    Integer lrWidth,
    Integer lrHeight,
    Integer srWidth,
    Integer srHeight,
    int[] patches,
    Double flopsShare,
    Double predictedPsnr,
    String mode,
    long millis,
    String error,
    int exitCode,
    List<String> warnings) {

  static final String DONE = "done";
  static final String SKIPPED = "skipped";
  static final String FAILED = "failed";

  static final StructType SCHEMA =
      new StructType()
          .add("input", DataTypes.StringType, false)
          .add("output", DataTypes.StringType, false)
          .add("status", DataTypes.StringType, false)
          .add("lrWidth", DataTypes.IntegerType, true)
          .add("lrHeight", DataTypes.IntegerType, true)
          .add("srWidth", DataTypes.IntegerType, true)
          .add("srHeight", DataTypes.IntegerType, true)
          .add("patches", DataTypes.createArrayType(DataTypes.IntegerType, false), true)
          .add("flopsShare", DataTypes.DoubleType, true)
          .add("predictedPsnr", DataTypes.DoubleType, true)
          .add("mode", DataTypes.StringType, false)
          .add("millis", DataTypes.LongType, false)
          .add("error", DataTypes.StringType, true)
          .add("exitCode", DataTypes.IntegerType, false)
          .add("warnings", DataTypes.createArrayType(DataTypes.StringType, false), false);

  static Manifest skipped(String input, String output, String mode) {
    return new Manifest(
        input, output, SKIPPED, null, null, null, null, null, null, null, mode, 0, null, 0,
        List.of());
  }

  static Manifest failed(
      String input, String output, String mode, long millis, String error, int exitCode) {
    return new Manifest(
        input, output, FAILED, null, null, null, null, null, null, null, mode, millis, error,
        exitCode, List.of());
  }

  Row toRow() {
    return RowFactory.create(
        input,
        output,
        status,
        lrWidth,
        lrHeight,
        srWidth,
        srHeight,
        patches == null ? null : seq(Arrays.stream(patches).boxed().toList()),
        flopsShare,
        predictedPsnr,
        mode,
        millis,
        error,
        exitCode,
        seq(warnings));
  }

  /** A Spark row's array value (a Scala sequence). */
  private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
    return scala.jdk.javaapi.CollectionConverters.asScala(list).toList();
  }
}
