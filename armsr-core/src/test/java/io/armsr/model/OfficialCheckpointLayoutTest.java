package io.armsr.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks {@link Supernets#expectedShapes} against the released checkpoints without parsing their
 * pickle (that reader lives elsewhere): a {@code .pth} stores one raw float32 blob per tensor under
 * {@code archive/data/<storage key>} (ARM.md 7), so the multiset of blob sizes must equal the
 * multiset of expected element counts x 4. Skipped when ../shared is absent.
 */
class OfficialCheckpointLayoutTest {

  @ParameterizedTest
  @CsvSource({"FSRCNN, arm-fsrcnn.pth", "CARN, arm-carn.pth"})
  void blobSizesMatchExpectedShapes(Backbone backbone, String file) throws IOException {
    Path pth = Shared.require("reference/arm-net/" + file);
    List<Long> blobs = new ArrayList<>();
    try (ZipFile zip = new ZipFile(pth.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        if (e.getName().matches(".*/data/\\d+")) {
          blobs.add(e.getSize());
        }
      }
    }
    List<Long> expected = new ArrayList<>();
    for (long[] shape : Supernets.expectedShapes(backbone).values()) {
      long n = 4;
      for (long d : shape) {
        n *= d;
      }
      expected.add(n);
    }
    Collections.sort(blobs);
    Collections.sort(expected);
    assertEquals(expected, blobs);
  }
}
