package io.armsr.chart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCurvesTest {
  @TempDir Path dir;

  @Test
  void readsTheTrainersCsvAndDrawsBothPanels() throws Exception {
    Path csv = dir.resolve("run.armw.csv");
    Files.writeString(
        csv,
        "iteration,loss,lr,elapsed_s,iterations_per_s,psnr_w16,psnr_w36,psnr_w56\n"
            + "2000,0.089782,9.33e-04,72.8,27.4,17.09,17.98,18.33\n"
            + "4000,0.059790,7.50e-04,145.1,27.5,18.10,21.56,21.69\n");
    TrainingCurves.Log log = TrainingCurves.read(csv);
    assertEquals("run", log.label());
    assertEquals(2, log.rows().size());
    assertArrayEquals(
        new double[] {4000, 0.059790, 7.50e-04, 145.1, 27.5, 18.10, 21.56, 21.69},
        log.rows().get(1),
        0);
    Path png = dir.resolve("curves.png");
    TrainingCurves.render(List.of(csv, csv), png);
    Rgb8Image img = ImageFiles.read(png);
    assertEquals(1200, img.width());
    assertEquals(900, img.height());
    // Something other than the white background is drawn in both halves.
    assertTrue(hasInk(img, 0, 450) && hasInk(img, 450, 900));
  }

  @Test
  void refusesAFileThatIsNotATrainingLog() throws Exception {
    Path csv = dir.resolve("x.csv");
    Files.writeString(csv, "a,b\n1,2\n");
    assertThrows(IllegalArgumentException.class, () -> TrainingCurves.read(csv));
  }

  private static boolean hasInk(Rgb8Image img, int y0, int y1) {
    int dark = 0;
    for (int y = y0; y < y1; y++) {
      for (int x = 0; x < img.width(); x++) {
        if (img.get(x, y, 0) < 100 && img.get(x, y, 1) < 100) {
          dark++;
        }
      }
    }
    return dark > 500;
  }
}
