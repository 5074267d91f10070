package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.armsr.infer.DeviceProfile;
import io.armsr.infer.Grid;
import io.armsr.infer.Upscaler;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A device profile measured with other engine options is named in the warning. */
class RoutingOptionsTest {
  @TempDir Path dir;

  @Test
  void profileDifferencesAreListed() throws Exception {
    // The fixture lives in armsr-core's test jar: copied out, since a jar entry is no file.
    Path v1 = dir.resolve("profile-v1.json");
    try (InputStream in = getClass().getResourceAsStream("/io/armsr/infer/profile-v1.json")) {
      Files.write(v1, in.readAllBytes());
    }
    // Full grid, margin 4, batch 32, threads 0 (unknown); a version-1 profile was measured in fp32
    // with every patch alone, before the full grid's shared windows.
    DeviceProfile p = DeviceProfile.read(v1);
    assertEquals("fp32", p.precision());
    assertEquals("1x1", p.windows());
    assertEquals(
        "shared windows 1x1 (now 4x8)",
        RoutingOptions.differences(p, new Upscaler.Options(Grid.FULL, 4, 32, 2)));
    assertEquals(
        "--batch 32 (now 8), --precision fp32 (now bf16), shared windows 1x1 (now 4x8)",
        RoutingOptions.differences(
            p, new Upscaler.Options(Grid.FULL, 4, 8, 1, io.armsr.model.Precision.BF16)));
    assertEquals(
        "--grid full (now reference), --margin 4 (now 0)",
        RoutingOptions.differences(p, new Upscaler.Options(Grid.REFERENCE, 4, 32, 1)));
  }
}
