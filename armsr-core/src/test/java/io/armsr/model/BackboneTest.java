package io.armsr.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BackboneTest {

  @Test
  void paperFlopsAreTheLoggedCostLists() {
    // ARM.md 3.2, equal to cost_list in the official logs and .state files.
    assertEquals(141_262_852L, Backbone.FSRCNN.paperFlops(1));
    assertEquals(304_570_372L, Backbone.FSRCNN.paperFlops(2));
    assertEquals(467_877_892L, Backbone.FSRCNN.paperFlops(3));
    assertEquals(380_215_296L, Backbone.CARN.paperFlops(1));
    assertEquals(771_563_520L, Backbone.CARN.paperFlops(2));
    assertEquals(1_154_875_392L, Backbone.CARN.paperFlops(3));
    assertEquals(1_658_216_448L, Backbone.SRRESNET.paperFlops(1));
    assertEquals(3_438_010_368L, Backbone.SRRESNET.paperFlops(2));
    assertEquals(5_193_990_144L, Backbone.SRRESNET.paperFlops(3));
    for (Backbone b : Backbone.values()) {
      assertEquals(0, b.paperFlops(0));
      assertEquals(0, b.multiplyAdds(0));
    }
  }

  @Test
  void multiplyAddsCountTheDeconvolutionOnItsInput() {
    // FSRCNN w56 per LR pixel: head 5*5*3*56 = 4200, shrink 56*12 = 672, mapping 4*9*12*12 = 5184,
    // expand 12*56 = 672, deconvolution 81*56*3 = 13608 -> 24,336 x 1024 pixels = 24,920,064.
    assertEquals(24_920_064L, Backbone.FSRCNN.multiplyAdds(3));
    // Without the deconvolution's 16x overcount and PReLU terms, CARN and SRResNet are half the
    // paper's FLOPs.
    assertEquals(Backbone.CARN.paperFlops(2) / 2, Backbone.CARN.multiplyAdds(2));
    assertEquals(Backbone.SRRESNET.paperFlops(3) / 2, Backbone.SRRESNET.multiplyAdds(3));
  }

  @Test
  void parsesIdsAndRejectsOthers() {
    assertEquals(Backbone.CARN, Backbone.parse("CARN"));
    assertEquals(56, Backbone.FSRCNN.width(3));
    assertThrows(IllegalArgumentException.class, () -> Backbone.parse("edsr"));
    assertThrows(IllegalArgumentException.class, () -> Backbone.FSRCNN.width(4));
  }
}
