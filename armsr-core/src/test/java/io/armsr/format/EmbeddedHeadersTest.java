package io.armsr.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.model.Backbone;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped default model says where it came from without naming the machine it was made on: its
 * provenance holds data set and file names relative to the repository ({@code ../shared/...}), no
 * absolute path.
 */
class EmbeddedHeadersTest {
  @TempDir Path dir;

  /** An absolute Unix or Windows path inside a text: {@code /work/...}, {@code C:\...}. */
  private static final Pattern ABSOLUTE =
      Pattern.compile("(^|[\\s=\"'(,])(/[A-Za-z0-9_.-]+/|[A-Za-z]:[\\\\/])");

  private Path resource(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/io/armsr/default/" + name)) {
      Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return p;
  }

  private static void assertRelative(List<String> texts) {
    for (String t : texts) {
      assertFalse(ABSOLUTE.matcher(t).find(), "absolute path in the embedded provenance: " + t);
    }
  }

  @Test
  void theDetectorFindsAbsolutePaths() {
    assertTrue(ABSOLUTE.matcher("--data /work/shared/data/train/T91").find());
    assertTrue(ABSOLUTE.matcher("/home/me/x.armw").find());
    assertTrue(ABSOLUTE.matcher("--out C:\\runs\\x.armw").find());
    assertFalse(ABSOLUTE.matcher("--data ../shared/data/train/T91 --lr 1.25e-4").find());
  }

  @Test
  void weightsAndTableHeadersHoldNoAbsolutePath() throws IOException {
    WeightsFile.Contents w = WeightsFile.read(resource("fsrcnn.armw"));
    assertEquals(Backbone.FSRCNN, w.backbone());
    List<String> texts = new ArrayList<>();
    for (TrainingProvenance p : w.provenance().chain()) {
      texts.add(p.commandLine());
      p.data().forEach(d -> texts.add(d.folder()));
    }
    assertEquals(
        List.of(
            "../shared/data/train/BSD200",
            "../shared/data/train/T91",
            "../shared/data/train/USC_SIPI_aerials",
            "../shared/data/train/RealSR_GT",
            "../shared/data/train/skimage"),
        w.provenance().data().stream().map(TrainingProvenance.DataFolder::folder).toList());
    LutFile.Contents l = LutFile.read(resource("fsrcnn.arml"));
    LutProvenance lp = l.provenance();
    texts.add(lp.commandLine());
    texts.add(lp.weights());
    texts.add(lp.dataFolder());
    assertEquals("../shared/data/val/DIV2K_valid_c256/HR", lp.dataFolder());
    assertEquals("fsrcnn-restart3.armw", lp.weights());
    assertRelative(texts);
    // And nowhere else in the raw headers either.
    for (String name : new String[] {"fsrcnn.armw", "fsrcnn.arml"}) {
      String raw =
          new String(
              Files.readAllBytes(resource(name)), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertFalse(raw.contains("/work/"), name);
      assertFalse(raw.contains("/home/"), name);
    }
  }
}
