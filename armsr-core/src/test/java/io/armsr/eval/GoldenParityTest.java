package io.armsr.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Grid;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The acceptance test of the port: with the official checkpoints and the reference grid, every
 * per-image PSNR of {@code ../shared/reference/golden/{fsrcnn,carn}-{Set5,Set14,BSD100}.json} is
 * reproduced within 0.01 dB, and every edge score, class count and FLOPs figure exactly, for every
 * mode the files list.
 */
class GoldenParityTest {

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String b : List.of("fsrcnn", "carn")) {
      for (String d : List.of("Set5", "Set14", "BSD100")) {
        out.add(Arguments.of(b, d));
      }
    }
    return out.stream();
  }

  static RoutingMode mode(JsonNode spec) {
    return switch (spec.get("type").asText()) {
      case "fixed" -> new RoutingMode.Fixed(spec.get("subnet").asInt());
      case "best" -> new RoutingMode.Best();
      case "k" -> new RoutingMode.Tradeoff(spec.get("k").asDouble());
      default -> throw new IllegalArgumentException("unknown mode " + spec);
    };
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void reproducesTheOfficialPipeline(String backboneId, String dataset) throws IOException {
    Path golden = Shared.require("reference/golden/" + backboneId + "-" + dataset + ".json");
    Path weights = Shared.require("reference/arm-net/arm-" + backboneId + ".pth");
    Path state = Shared.require("reference/arm-net/arm-" + backboneId + ".state");
    Path data = Shared.require("data/test/" + dataset);
    JsonNode g = new ObjectMapper().readTree(golden.toFile());

    List<String> labels = new ArrayList<>();
    List<RoutingMode> modes = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = g.get("modes").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      labels.add(e.getKey());
      modes.add(mode(e.getValue()));
    }
    for (int m = 0; m < modes.size(); m++) {
      assertEquals(labels.get(m), modes.get(m).label());
    }

    PairedDataset ds = PairedDataset.open(data.resolve("HR"), data.resolve("LR"));
    JsonNode images = g.get("images");
    assertEquals(images.size(), ds.pairs().size());
    double worst = 0;
    try (ArmModel model = ArmModel.load(Backbone.parse(backboneId), weights, state)) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(Grid.REFERENCE));
      List<List<ImageEval>> perMode = new ArrayList<>();
      modes.forEach(m -> perMode.add(new ArrayList<>()));
      for (int i = 0; i < images.size(); i++) {
        JsonNode gi = images.get(i);
        PairedDataset.Pair pair = ds.pairs().get(i);
        assertEquals(gi.get("name").asText(), pair.name());
        Rgb8Image lr = ImageFiles.read(pair.lr());
        Rgb8Image hr = ImageFiles.read(pair.hr());
        List<UpscaleResult> rs = up.upscale(lr, modes);
        double[] edges = rs.get(0).edgeScores();
        JsonNode ge = gi.get("edge");
        assertEquals(ge.size(), edges.length, pair.name() + " patch count");
        for (int p = 0; p < edges.length; p++) {
          assertEquals(ge.get(p).asDouble(), edges[p], 0.0, pair.name() + " edge score " + p);
        }
        for (int m = 0; m < modes.size(); m++) {
          JsonNode gm = gi.get("modes").get(labels.get(m));
          ImageEval e = Evaluator.score(pair.name(), rs.get(m), hr);
          perMode.get(m).add(e);
          assertEquals(
              e.psnr(), e.psnrReferenceArea(), 1e-12, "reference grid scores its own area");
          String what = backboneId + " " + pair.name() + " " + labels.get(m);
          assertArrayEquals(ints(gm.get("classes")), e.classes(), what + " classes");
          assertEquals(gm.get("flops").asDouble(), e.flops(), 5e-4, what + " flops");
          double diff = Math.abs(gm.get("psnr").asDouble() - e.psnr());
          worst = Math.max(worst, diff);
          assertTrue(diff <= 0.01, what + " psnr " + e.psnr() + " vs golden " + gm.get("psnr"));
        }
      }
      for (int m = 0; m < modes.size(); m++) {
        JsonNode gm = g.get("mean").get(labels.get(m));
        DatasetEval d =
            new DatasetEval(
                backboneId,
                dataset,
                "reference",
                labels.get(m),
                model.table().costs(),
                perMode.get(m));
        assertArrayEquals(ints(gm.get("classes")), d.classes(), labels.get(m) + " mean classes");
        assertEquals(
            gm.get("flops").asDouble(), d.meanFlops(), 5e-4, labels.get(m) + " mean flops");
        assertEquals(gm.get("psnr").asDouble(), d.meanPsnr(), 0.01, labels.get(m) + " mean psnr");
      }
    }
    System.out.printf(
        "golden %s %s: %d images x %d modes, worst |PSNR - golden| = %.2e dB%n",
        backboneId, dataset, images.size(), modes.size(), worst);
  }

  private static int[] ints(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asInt();
    }
    return out;
  }
}
