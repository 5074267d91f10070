package io.armsr.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.armsr.imagefile.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The JSON form of a {@link DatasetEval}:
 *
 * <pre>{@code
 * {"backbone","dataset","grid","mode",
 *  "mean":{"psnr","psnrY","ssimY","flops","classes","psnrReferenceArea"},
 *  "images":[{"name","psnr","psnrY","ssimY","flops","classes","patches","psnrReferenceArea"}]}
 * }</pre>
 *
 * {@code psnrReferenceArea} is the RGB PSNR over only the pixels the official grid covers, so that
 * the full grid's result compares like for like with the reference grid's.
 *
 * <p>Non-finite numbers (PSNR of identical images) are written as strings ("Infinity").
 */
public final class EvalJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EvalJson() {}

  public static ObjectNode toJson(DatasetEval eval) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("backbone", eval.backbone());
    root.put("dataset", eval.dataset());
    root.put("grid", eval.grid());
    root.put("mode", eval.mode());
    ObjectNode mean = root.putObject("mean");
    number(mean, "psnr", eval.meanPsnr());
    number(mean, "psnrY", eval.meanPsnrY());
    number(mean, "ssimY", eval.meanSsimY());
    number(mean, "flops", eval.meanFlops());
    number(mean, "psnrReferenceArea", eval.meanPsnrReferenceArea());
    classes(mean, eval.classes());
    ArrayNode images = root.putArray("images");
    for (ImageEval e : eval.images()) {
      ObjectNode img = images.addObject();
      img.put("name", e.name());
      number(img, "psnr", e.psnr());
      number(img, "psnrY", e.psnrY());
      number(img, "ssimY", e.ssimY());
      number(img, "flops", e.flops());
      classes(img, e.classes());
      img.put("patches", e.patches());
      number(img, "psnrReferenceArea", e.psnrReferenceArea());
    }
    return root;
  }

  /** Writes the report to {@code file} atomically. */
  public static void write(DatasetEval eval, Path file) throws IOException {
    AtomicFiles.write(file, out -> MAPPER.writeValue(out, toJson(eval)));
  }

  private static void number(ObjectNode node, String key, double v) {
    if (Double.isFinite(v)) {
      node.put(key, v);
    } else {
      node.put(key, Double.toString(v));
    }
  }

  private static void classes(ObjectNode node, int[] classes) {
    ArrayNode a = node.putArray("classes");
    for (int c : classes) {
      a.add(c);
    }
  }
}
