package io.armsr.lut;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.EdgeScore;
import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidationPatchesTest {

  private static Rgb8Image noise(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return new Rgb8Image(w, h, px);
  }

  @Test
  void startsFollowTheReleaseGridWithAFlushLastPatch() {
    assertEquals(List.of(0, 28), ValidationPatches.starts(64, 28));
    assertEquals(List.of(0, 8, 16, 24, 32), ValidationPatches.starts(64, 8));
    // 80 - (28 + 32) = 20 > 12 uncovered pixels: one more patch flush with the border.
    assertEquals(List.of(0, 28, 48), ValidationPatches.starts(80, 28));
    // 72 - 60 = 12 is not more than the threshold.
    assertEquals(List.of(0, 28), ValidationPatches.starts(72, 28));
    assertEquals(List.of(0), ValidationPatches.starts(32, 28));
  }

  @Test
  void cutsAlignedPairsFromTheModcroppedImage() {
    Rgb8Image hr = noise(259, 258, 1);
    List<PatchPair> pairs = ValidationPatches.cut(hr, 28, false);
    assertEquals(4, pairs.size());
    Rgb8Image gt = hr.crop(0, 0, 256, 256);
    Rgb8Image lr = MatlabResize.resize(gt, 0.25);
    // Row-major: (x, y) = (0, 0), (28, 0), (0, 28), (28, 28).
    int[][] at = {{0, 0}, {28, 0}, {0, 28}, {28, 28}};
    for (int i = 0; i < 4; i++) {
      int x = at[i][0];
      int y = at[i][1];
      assertArrayEquals(lr.crop(x, y, 32, 32).pixels(), pairs.get(i).lr().pixels());
      assertArrayEquals(gt.crop(4 * x, 4 * y, 128, 128).pixels(), pairs.get(i).hr().pixels());
    }
    assertEquals(25, ValidationPatches.cut(hr, 8, false).size());
    assertEquals(200, ValidationPatches.cut(hr, 8, true).size());
    assertThrows(
        IllegalArgumentException.class, () -> ValidationPatches.cut(noise(127, 200, 2), 8, false));
  }

  @Test
  void dihedralVariantsAreTheEightSymmetriesWithOneEdgeScore() {
    // A 3x2 image whose red channel numbers the pixels 1..6 row by row.
    byte[] px = new byte[3 * 2 * 3];
    for (int i = 0; i < 6; i++) {
      px[i * 3] = (byte) (i + 1);
    }
    Rgb8Image img = new Rgb8Image(3, 2, px);
    int[][] expected = {
      {1, 2, 3, 4, 5, 6}, // identity
      {3, 2, 1, 6, 5, 4}, // left-right
      {4, 5, 6, 1, 2, 3}, // top-bottom
      {6, 5, 4, 3, 2, 1}, // rotate 180
      {1, 4, 2, 5, 3, 6}, // transpose
      {3, 6, 2, 5, 1, 4}, // left-right, then transpose
      {4, 1, 5, 2, 6, 3}, // top-bottom, then transpose
      {6, 3, 5, 2, 4, 1}, // anti-transpose
    };
    for (int t = 0; t < 8; t++) {
      Rgb8Image v = ValidationPatches.dihedral(img, t);
      assertEquals(t < 4 ? 3 : 2, v.width());
      int[] red = new int[6];
      for (int i = 0; i < 6; i++) {
        red[i] = v.pixels()[i * 3] & 0xff;
      }
      assertArrayEquals(expected[t], red, "variant " + t);
    }

    List<PatchPair> pairs = ValidationPatches.cut(noise(128, 128, 3), 8, true);
    assertEquals(8, pairs.size());
    Set<String> distinct = new HashSet<>();
    double score = EdgeScore.of(pairs.get(0).lr());
    for (PatchPair p : pairs) {
      distinct.add(new String(p.hr().pixels(), StandardCharsets.ISO_8859_1));
      // The Laplacian kernel and reflect-101 border are symmetric under all 8.
      assertEquals(score, EdgeScore.of(p.lr()), 0);
    }
    assertEquals(8, distinct.size());
  }

  @Test
  void readsFoldersLazilyInNameOrder(@TempDir Path dir) throws IOException {
    ImageFiles.write(noise(128, 128, 4), dir.resolve("b.png"));
    ImageFiles.write(noise(160, 128, 5), dir.resolve("a.png"));
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    assertEquals(
        List.of(dir.resolve("a.png"), dir.resolve("b.png")), ValidationPatches.imageFiles(dir));
    List<PatchPair> all = new ArrayList<>();
    ValidationPatches.fromFolder(dir, 8, false).forEach(all::add);
    // a.png: 40x32 LR -> x starts 0, 8; b.png: one patch.
    assertEquals(3, all.size());
    assertArrayEquals(
        ValidationPatches.cut(noise(128, 128, 4), 8, false).get(0).hr().pixels(),
        all.get(2).hr().pixels());

    Files.writeString(dir.resolve("c.png"), "broken");
    Iterable<PatchPair> broken = ValidationPatches.fromFolder(dir, 8, false);
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> broken.forEach(p -> {}));
    assertTrue(e.getMessage().contains("c.png"), e.getMessage());
  }
}
