package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one list of image extensions: what it holds, how it matches, and that it is the only one. */
class ImageExtensionsTest {
  @TempDir Path dir;

  private static final List<String> EXEMPT = List.of("ImageExtensions.java", "ImageFiles.java");

  @Test
  void everyFormatTheReaderDecodesIsListedAndMatchesInAnyCase() {
    assertEquals(
        List.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp"), ImageExtensions.READABLE);
    assertEquals(List.of("png", "jpg", "jpeg", "bmp", "tif", "tiff"), ImageExtensions.WRITABLE);
    for (String name : new String[] {"a.PNG", "b.Jpeg", "c.TIF", "d.tiff", "e.WebP", "f.bmp"}) {
      assertTrue(ImageExtensions.isReadable(Path.of(name)), name);
    }
    for (String name : new String[] {"notes.txt", "png", "a.png.txt", ".hidden", "x.gif"}) {
      assertFalse(ImageExtensions.isReadable(Path.of(name)), name);
    }
    assertEquals("tif", ImageExtensions.of(Path.of("/x/y/Photo.TIF")));
    assertEquals("", ImageExtensions.of(Path.of("README")));
    assertEquals(".png, .jpg, .jpeg, .bmp, .tif, .tiff, .webp", ImageExtensions.describeReadable());
    // Every writable extension is one ImageFormat accepts.
    for (String ext : ImageExtensions.WRITABLE) {
      ImageFormat.forOutput(Path.of("out." + ext));
    }
  }

  @Test
  void listsTiffAndWebpBesideTheOthersSortedAndWalksSubFolders() throws IOException {
    Rgb8Image img = new Rgb8Image(4, 4, new byte[4 * 4 * 3]);
    ImageFiles.write(img, dir.resolve("c.tif"));
    ImageFiles.write(img, dir.resolve("a.png"));
    ImageFiles.write(img, dir.resolve("b.TIFF"));
    Files.write(dir.resolve("d.webp"), new byte[] {1}); // listed by name, whatever it holds
    Files.writeString(dir.resolve("notes.txt"), "x");
    Files.createDirectory(dir.resolve("sub.png")); // a folder named like an image is no image
    Path sub = Files.createDirectory(dir.resolve("sub"));
    ImageFiles.write(img, sub.resolve("e.jpg"));
    assertEquals(
        List.of(
            dir.resolve("a.png"),
            dir.resolve("b.TIFF"),
            dir.resolve("c.tif"),
            dir.resolve("d.webp")),
        ImageExtensions.list(dir));
    assertEquals(
        List.of(
            dir.resolve("a.png"),
            dir.resolve("b.TIFF"),
            dir.resolve("c.tif"),
            dir.resolve("d.webp"),
            sub.resolve("e.jpg")),
        ImageExtensions.walk(dir));
  }

  /**
   * No other list of image extensions in the main sources: two extension literals side by side
   * outside ImageExtensions mean a second list that can disagree. Exempt: ImageFiles' ImageIO
   * format names (not extensions).
   */
  @Test
  void noOtherExtensionListInTheSources() throws IOException {
    Pattern list =
        Pattern.compile(
            "\"\\.?(?:png|jpe?g|bmp|tiff?|webp)\"\\s*,\\s*\"\\.?(?:png|jpe?g|bmp|tiff?|webp)\"");
    List<String> found = new ArrayList<>();
    for (String module : new String[] {"armsr-core", "armsr-server", "armsr-cli"}) {
      try (Stream<Path> files = Files.walk(Shared.inRepo(module + "/src/main/java"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          if (EXEMPT.contains(f.getFileName().toString())) {
            continue;
          }
          Matcher m = list.matcher(Files.readString(f));
          while (m.find()) {
            found.add(f.getFileName() + ": " + m.group());
          }
        }
      }
    }
    assertTrue(found.isEmpty(), "extension lists outside ImageExtensions: " + found);
  }
}
