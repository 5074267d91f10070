package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ReadLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load benchmark's inputs and statistics, against hand-made references. */
class BenchServeCommandTest {
  @TempDir Path dir;

  @Test
  void eachPhotographIsItsCentreCropAndThatCropMadeLrByMatlabsBicubic() throws Exception {
    byte[] px = new byte[300 * 280 * 3];
    new SplittableRandom(5).nextBytes(px);
    Rgb8Image big = new Rgb8Image(300, 280, px);
    ImageFiles.writeImage(DecodedImage.of(big), dir.resolve("a.png"), 95);
    ImageFiles.writeImage(DecodedImage.of(big.crop(0, 0, 200, 280)), dir.resolve("small.png"), 95);
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    List<BenchServeCommand.Photo> photos = BenchServeCommand.photos(List.of(dir));
    assertEquals(1, photos.size(), "the image narrower than the crop is left out");
    BenchServeCommand.Photo p = photos.get(0);
    assertEquals("a.png", p.name());
    Rgb8Image crop = big.crop(22, 12, 256, 256); // (300 - 256) / 2, (280 - 256) / 2
    assertArrayEquals(crop.pixels(), p.hr().pixels());
    Rgb8Image lr = ImageFiles.readImage(p.lr(), "lr", ReadLimits.DEFAULT).rgb();
    assertEquals(64, lr.width());
    assertArrayEquals(MatlabResize.resize(crop, 0.25).pixels(), lr.pixels());
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchServeCommand.photos(List.of(dir.resolve("missing"))));
  }

  @Test
  void percentilesAreNearestRank() {
    double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, BenchServeCommand.pct(v, 0.5));
    assertEquals(10, BenchServeCommand.pct(v, 0.95)); // rank ceil(9.5) = 10
    assertEquals(10, BenchServeCommand.pct(v, 0.99));
    assertEquals(1, BenchServeCommand.pct(v, 0.01));
    assertTrue(Double.isNaN(BenchServeCommand.pct(new double[0], 0.5)));
  }
}
