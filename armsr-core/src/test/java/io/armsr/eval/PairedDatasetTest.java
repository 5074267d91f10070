package io.armsr.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HR/LR folders pair by sorted name, with every image extension armsr reads. */
class PairedDatasetTest {
  @TempDir Path dir;

  @Test
  void tiffAndWebpPairsAreFoundLikePngs() throws IOException {
    Path hr = Files.createDirectories(dir.resolve("Set3/HR"));
    Path lr = Files.createDirectories(dir.resolve("Set3/LR"));
    ImageFiles.write(new Rgb8Image(16, 16, new byte[16 * 16 * 3]), hr.resolve("a_HR.png"));
    ImageFiles.write(new Rgb8Image(4, 4, new byte[4 * 4 * 3]), lr.resolve("a_LR.png"));
    ImageFiles.write(new Rgb8Image(16, 16, new byte[16 * 16 * 3]), hr.resolve("b_HR.tif"));
    ImageFiles.write(new Rgb8Image(4, 4, new byte[4 * 4 * 3]), lr.resolve("b_LR.TIFF"));
    Files.write(hr.resolve("c_HR.webp"), new byte[] {0}); // paired by name; read when evaluated
    Files.write(lr.resolve("c_LR.webp"), new byte[] {0});
    Files.writeString(hr.resolve("notes.txt"), "not an image");
    PairedDataset d = PairedDataset.open(hr, lr);
    assertEquals("Set3", d.name());
    assertEquals(List.of("a", "b", "c"), d.pairs().stream().map(PairedDataset.Pair::name).toList());
    assertEquals(lr.resolve("b_LR.TIFF"), d.pairs().get(1).lr());
  }

  @Test
  void messagesSpeakOfFoldersNotFlags() throws IOException {
    Path hr = Files.createDirectories(dir.resolve("HR"));
    Path lr = Files.createDirectories(dir.resolve("LR"));
    var empty = assertThrows(IllegalArgumentException.class, () -> PairedDataset.open(hr, lr));
    assertEquals(
        "HR folder " + hr + ": no images (.png, .jpg, .jpeg, .bmp, .tif, .tiff, .webp)",
        empty.getMessage());
    ImageFiles.write(new Rgb8Image(16, 16, new byte[16 * 16 * 3]), hr.resolve("a.png"));
    Path none = dir.resolve("none");
    var missing = assertThrows(IllegalArgumentException.class, () -> PairedDataset.open(hr, none));
    assertEquals("LR folder " + none + ": not a folder", missing.getMessage());
    ImageFiles.write(new Rgb8Image(4, 4, new byte[4 * 4 * 3]), lr.resolve("a.png"));
    ImageFiles.write(new Rgb8Image(4, 4, new byte[4 * 4 * 3]), lr.resolve("b.png"));
    var counts = assertThrows(IllegalArgumentException.class, () -> PairedDataset.open(hr, lr));
    assertEquals(
        "HR folder "
            + hr
            + " has 1 images but LR folder "
            + lr
            + " has 2; they pair by sorted order",
        counts.getMessage());
  }
}
