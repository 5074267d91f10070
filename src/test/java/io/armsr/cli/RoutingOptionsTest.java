package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.armsr.infer.DeviceProfile;
import io.armsr.infer.Grid;
import io.armsr.infer.Upscaler;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A device profile measured with other engine options is named in the warning. */
class RoutingOptionsTest {
  @Test
  void profileDifferencesAreListed() throws Exception {
    Path v1 = Path.of(getClass().getResource("/io/armsr/infer/profile-v1.json").toURI());
    DeviceProfile p = DeviceProfile.read(v1); // full grid, margin 4, batch 32, threads 0 (unknown)
    assertEquals("", RoutingOptions.differences(p, new Upscaler.Options(Grid.FULL, 4, 32, 2)));
    assertEquals(
        "--batch 32 (now 8)",
        RoutingOptions.differences(p, new Upscaler.Options(Grid.FULL, 4, 8, 1)));
    assertEquals(
        "--grid full (now reference), --margin 4 (now 0)",
        RoutingOptions.differences(p, new Upscaler.Options(Grid.REFERENCE, 4, 32, 1)));
  }
}
