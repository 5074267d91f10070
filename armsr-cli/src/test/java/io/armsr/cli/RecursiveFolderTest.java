package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FixtureModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code armsr upscale --recursive IN OUT}: the tree mirrored with names that need quoting and
 * non-ASCII letters, links leading out of IN not followed, links inside followed once, OUT inside
 * IN left out, and a second run that skips everything.
 */
class RecursiveFolderTest {
  @TempDir Path dir;

  private Path weights;
  private Path lut;

  @BeforeEach
  void setUp() throws IOException {
    weights = FixtureModel.copy(dir, "checkpoint-v1.armw");
    lut = FixtureModel.copy(dir, "lut-v1.arml");
  }

  private static void image(Path file, int w, int h, long seed) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    ImageFiles.write(new Rgb8Image(w, h, px), file);
  }

  private CliTest.Run upscale(Path in, Path out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "upscale",
                in.toString(),
                out.toString(),
                "--weights",
                weights.toString(),
                "--lut",
                lut.toString()));
    a.addAll(List.of(extra));
    return CliTest.run(a.toArray(String[]::new));
  }

  /** Every regular file under {@code root}, relative, sorted, with {@code /}. */
  private static List<String> tree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  @Test
  void mirrorsATreeWithoutLeavingItAndSkipsEverythingTheSecondTime() throws IOException {
    Path in = dir.resolve("in");
    image(in.resolve("top.png"), 12, 10, 1);
    image(in.resolve("Été 2024/a b.bmp"), 9, 7, 2);
    image(in.resolve("Été 2024/ä ö/x.png"), 11, 8, 3);
    Files.writeString(in.resolve("Été 2024/ä ö/notes.txt"), "not an image");
    // Outside the tree: a folder with an image, linked from inside; it must not be upscaled.
    Path outside = dir.resolve("elsewhere");
    image(outside.resolve("secret.png"), 8, 8, 4);
    Files.createSymbolicLink(in.resolve("Été 2024/away"), outside);
    Files.createSymbolicLink(in.resolve("away.png"), outside.resolve("secret.png"));
    // Inside the tree: a link back up (a cycle) is followed no further than its first visit.
    Files.createSymbolicLink(in.resolve("Été 2024/ä ö/up"), in.resolve("Été 2024"));

    Path out = in.resolve("results"); // OUT inside IN
    CliTest.Run r = upscale(in, out, "--recursive", "--format", "png");
    assertEquals(0, r.code(), r.out() + r.err());
    assertEquals(
        List.of("top.png", "Été 2024/a b.png", "Été 2024/ä ö/x.png").stream().sorted().toList(),
        tree(out));
    Rgb8Image x = ImageFiles.read(out.resolve("Été 2024/ä ö/x.png"));
    assertEquals(44, x.width());
    assertEquals(32, x.height());
    assertTrue(r.out().contains("done 3, skipped 0, failed 0 (3 images in " + in), r.out());
    assertTrue(r.err().contains("armsr: note: not following 2 link(s) that leave " + in), r.err());
    assertFalse(r.err().contains("skipping"), r.err()); // OUT did not exist when planned

    // Second run: OUT now exists inside IN and is left out; every output exists and is skipped.
    r = upscale(in, out, "--recursive", "--format", "png");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("done 0, skipped 3, failed 0 (3 images"), r.out());
    assertTrue(r.err().contains("armsr: note: skipping " + out + " inside " + in), r.err());
    assertEquals(3, tree(out).size());

    // Without --recursive only the top folder's images are seen (the link to a file included,
    // as before).
    Path flat = dir.resolve("flat");
    r = upscale(in, flat);
    assertEquals(0, r.code(), r.out() + r.err());
    assertEquals(List.of("away.png", "top.png"), tree(flat));
  }

  @Test
  void failuresNameTheRelativePathAndStaleTemporariesGoPerFolder() throws IOException {
    Path in = dir.resolve("in");
    image(in.resolve("a/ok.png"), 10, 9, 5);
    Files.createDirectories(in.resolve("a/b"));
    Files.write(in.resolve("a/b/broken.png"), new byte[] {1, 2, 3});
    Path out = dir.resolve("out");
    // A temporary file left by a killed write of a/b/broken.png's output, in its own folder.
    Path stale = Files.createDirectories(out.resolve("a/b")).resolve(".broken.png.0123abcd.tmp");
    Files.write(stale, new byte[] {0});
    Files.setLastModifiedTime(
        stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    CliTest.Run r = upscale(in, out, "--recursive");
    assertEquals(3, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("failed: a/b/broken.png: "), r.out());
    assertTrue(r.err().contains("removed 1 temporary file(s)"), r.err());
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(out.resolve("a/ok.png")));
    // --recursive is for folders only.
    CliTest.Run single = upscale(in.resolve("a/ok.png"), dir.resolve("single.png"), "--recursive");
    assertEquals(2, single.code(), single.err());
  }

  /** {@code dir/raw}, where {@code raw} spells the name's bytes as URI percent escapes. */
  private static Path rawName(Path dir, String raw) {
    return Path.of(java.net.URI.create(dir.toAbsolutePath().toUri() + raw));
  }

  /**
   * Names that are not valid UTF-8 (Latin-1 {@code café.png} and {@code cafè.png}, which Java shows
   * alike, with U+FFFD) keep their bytes in the output, with or without a new extension, and do not
   * count as one output.
   */
  @Test
  void namesThatAreNotValidUtf8KeepTheirBytes() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "UTF-8".equals(System.getProperty("sun.jnu.encoding")),
        "file names are decoded as " + System.getProperty("sun.jnu.encoding") + ", not UTF-8");
    Path in = Files.createDirectories(dir.resolve("in"));
    image(rawName(in, "caf%E9.png"), 8, 6, 7);
    image(rawName(Files.createDirectories(rawName(in, "d%FCr")), "caf%E8.png"), 7, 5, 8);
    assertTrue(rawName(in, "caf%E9.png").toString().contains("\uFFFD"));
    for (String format : new String[] {null, "tif"}) {
      Path out = dir.resolve("out-" + format);
      CliTest.Run r =
          format == null
              ? upscale(in, out, "--recursive")
              : upscale(in, out, "--recursive", "--format", format);
      assertEquals(0, r.code(), r.out() + r.err());
      assertTrue(r.out().contains("done 2, skipped 0, failed 0"), r.out());
      String ext = format == null ? "png" : format;
      Path a = rawName(out, "caf%E9." + ext);
      Path b = rawName(rawName(out, "d%FCr"), "caf%E8." + ext);
      assertEquals(32, ImageFiles.read(a).width());
      assertEquals(28, ImageFiles.read(b).width());
      try (Stream<Path> s = Files.walk(out)) {
        assertEquals(2, s.filter(Files::isRegularFile).count());
      }
    }
  }
}
