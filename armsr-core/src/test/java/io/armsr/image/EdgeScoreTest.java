package io.armsr.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EdgeScoreTest {

  /** A gray image (R = G = B, so gray == the value) of the given rows. */
  private static Rgb8Image grayImage(int[][] rows) {
    int h = rows.length;
    int w = rows[0].length;
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        px[(y * w + x) * 3] = px[(y * w + x) * 3 + 1] = px[(y * w + x) * 3 + 2] = (byte) rows[y][x];
      }
    }
    return new Rgb8Image(w, h, px);
  }

  @Test
  void handComputedThreeByThree() {
    // a b c   10 20 30     reflect-101 in a 3x3 patch maps both outside neighbours (-1 and 3)
    // d e f = 40 50 60     to index 1, so L = 2*(sum of the four diagonal neighbours) - 8*centre:
    // g h i   70 80 95
    //   (0,0): 8e - 8a = 400 - 80   = 320 -> 255 (saturated)
    //   (1,0): 4(d+f) - 8b = 400 - 160 = 240
    //   (2,0): 8e - 8c = 400 - 240  = 160
    //   (0,1): 4(b+h) - 8d = 400 - 320 = 80
    //   (1,1): 2(a+c+g+i) - 8e = 410 - 400 = 10
    //   (2,1): 4(b+h) - 8f = 400 - 480 = -80 -> 80
    //   (0,2): 8e - 8g = 400 - 560  = -160 -> 160
    //   (1,2): 4(d+f) - 8h = 400 - 640 = -240 -> 240
    //   (2,2): 8e - 8i = 400 - 760  = -360 -> 255
    // sum 1480, mean 1480 / 9
    Rgb8Image img = grayImage(new int[][] {{10, 20, 30}, {40, 50, 60}, {70, 80, 95}});
    assertEquals(1480 / 9.0, EdgeScore.of(img), 0.0);
  }

  @Test
  void degenerateSizesUseThePixelItselfAsNeighbour() {
    // 1x1: L = 2*4v - 8v = 0.
    assertEquals(0.0, EdgeScore.of(grayImage(new int[][] {{200}})), 0.0);
    // One row 10 50 95: the rows above and below are the row itself (OpenCV borderInterpolate
    // with len 1 returns 0); columns reflect-101.
    //   x=0: 2*4*50 - 80 = 320 -> 255; x=1: 2*(10+95+10+95) - 400 = 20; x=2: 400 - 760 -> 255
    assertEquals(530 / 3.0, EdgeScore.of(grayImage(new int[][] {{10, 50, 95}})), 0.0);
    // The same pixels as one column give the same score by symmetry of the kernel.
    assertEquals(530 / 3.0, EdgeScore.of(grayImage(new int[][] {{10}, {50}, {95}})), 0.0);
    // A constant image has no edges.
    assertEquals(0.0, EdgeScore.of(grayImage(new int[][] {{7, 7}, {7, 7}})), 0.0);
  }

  @Test
  void rejectsRegionsOutsideTheImage() {
    Rgb8Image img = grayImage(new int[][] {{1, 2}, {3, 4}});
    assertThrows(IllegalArgumentException.class, () -> EdgeScore.of(img, 1, 0, 2, 1));
    assertThrows(IllegalArgumentException.class, () -> EdgeScore.of(img, 0, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> EdgeScore.of(img, -1, 0, 1, 1));
  }

  @Test
  void matchesGoldenScoresOfSet5Baby() throws IOException {
    Path golden = Shared.require("reference/golden/edge-scores-set5-baby.json");
    JsonNode g = new ObjectMapper().readTree(golden.toFile());
    Rgb8Image lr =
        ImageFiles.read(Shared.require("data/test/Set5/LR/" + g.get("image").asText() + "_LR.png"));
    assertEquals(g.get("lr_hw").get(0).asInt(), lr.height());
    assertEquals(g.get("lr_hw").get(1).asInt(), lr.width());
    int cols = g.get("grid").get(1).asInt();
    int n = g.get("edge_scores").size();
    double[] expected = new double[n];
    double[] fromRegion = new double[n];
    double[] fromCrop = new double[n];
    for (int k = 0; k < n; k++) {
      expected[k] = g.get("edge_scores").get(k).asDouble();
      assertEquals(g.get("edge_scores_x1024").get(k).asLong() / 1024.0, expected[k], 0.0);
      int y0 = 28 * (k / cols);
      int x0 = 28 * (k % cols);
      fromRegion[k] = EdgeScore.of(lr, x0, y0, 32, 32);
      fromCrop[k] = EdgeScore.of(lr.crop(x0, y0, 32, 32));
    }
    assertArrayEquals(expected, fromRegion, 0.0);
    assertArrayEquals(expected, fromCrop, 0.0);
  }

  @Test
  void matchesGoldenPatchScoresOfSet14() throws IOException {
    Path golden = Shared.require("reference/golden/fsrcnn-Set14.json");
    Path lrDir = Shared.require("data/test/Set14/LR");
    JsonNode images = new ObjectMapper().readTree(golden.toFile()).get("images");
    List<Path> files;
    try (Stream<Path> s = Files.list(lrDir)) {
      files = s.filter(p -> p.toString().endsWith(".png")).sorted().collect(Collectors.toList());
    }
    assertEquals(images.size(), files.size());
    int patches = 0;
    for (int i = 0; i < images.size(); i++) {
      JsonNode im = images.get(i);
      Path file = files.get(i);
      assertEquals(im.get("name").asText() + "_LR.png", file.getFileName().toString());
      Rgb8Image lr = ImageFiles.read(file);
      assertEquals(im.get("lr_hw").get(0).asInt(), lr.height(), file.toString());
      assertEquals(im.get("lr_hw").get(1).asInt(), lr.width(), file.toString());
      int rows = im.get("grid").get(0).asInt();
      int cols = im.get("grid").get(1).asInt();
      // ARM.md 5.2: the 32/28 grid without a flush last row/column.
      assertEquals((lr.height() - 32) / 28 + 1, rows);
      assertEquals((lr.width() - 32) / 28 + 1, cols);
      JsonNode edge = im.get("edge");
      assertEquals(rows * cols, edge.size());
      for (int k = 0; k < edge.size(); k++) {
        double score = EdgeScore.of(lr, 28 * (k % cols), 28 * (k / cols), 32, 32);
        assertEquals(edge.get(k).asDouble(), score, 0.0, file + " patch " + k);
        patches++;
      }
    }
    System.out.println("EdgeScore: " + patches + " Set14 patches equal to the golden scores");
  }
}
