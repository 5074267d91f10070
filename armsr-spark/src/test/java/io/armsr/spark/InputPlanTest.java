package io.armsr.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Relative paths, output names and clashes, as the folder mode has them. */
class InputPlanTest {

  @Test
  void aGlobsRelativePathsStartBeforeItsFirstWildcard() {
    assertEquals("hdfs://nn/photos", InputPlan.baseOf("hdfs://nn/photos/2024-*/day?"));
    assertEquals("s3a://bucket/in", InputPlan.baseOf("s3a://bucket/in/"));
    assertEquals("/data/in", InputPlan.baseOf("/data/in"));
    assertEquals("/data", InputPlan.baseOf("/data/{a,b}/x"));
    assertEquals("/", InputPlan.baseOf("/*.png"));
  }

  @Test
  void outputsMirrorTheTreeWithTheFolderModesNamesAndLaterClashesFail() {
    String in = "file:/in";
    List<String> inputs =
        List.of(
            in + "/b/photo.webp",
            in + "/a.png",
            in + "/A.bmp",
            in + "/b/c d/x.JPG",
            in + "/b/photo.png");
    InputPlan keep = InputPlan.of(in, "hdfs://nn/out", null, inputs);
    assertEquals("hdfs://nn/out/b/photo.png", keep.outputOf(in + "/b/photo.webp"));
    assertEquals("hdfs://nn/out/b/c d/x.JPG", keep.outputOf(in + "/b/c d/x.JPG"));
    assertEquals("hdfs://nn/out/A.bmp", keep.outputOf(in + "/A.bmp"));
    // b/photo.png sorts before b/photo.webp, which would write the same file: the later fails.
    assertNull(keep.clash(in + "/b/photo.png"));
    assertEquals(
        "output b/photo.png is also the output of b/photo.png", keep.clash(in + "/b/photo.webp"));
    assertNull(keep.clash(in + "/a.png"));

    InputPlan png = InputPlan.of(in, "file:/out", "png", inputs);
    assertEquals("file:/out/b/c d/x.png", png.outputOf(in + "/b/c d/x.JPG"));
    // A.bmp sorts before a.png; as png they differ only in case: one file on some systems.
    assertNull(png.clash(in + "/A.bmp"));
    assertEquals("output a.png is also the output of A.bmp", png.clash(in + "/a.png"));
    assertThrows(IllegalArgumentException.class, () -> png.relative("file:/elsewhere/a.png"));
  }
}
