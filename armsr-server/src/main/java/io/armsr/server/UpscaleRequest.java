package io.armsr.server;

import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.infer.Grid;
import io.armsr.infer.OutputSize;
import io.armsr.route.RoutingChoice;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parameters of {@code POST /v1/upscale}, from its query string; each is the {@code armsr
 * upscale} option of the same name without its {@code --}:
 *
 * <ul>
 *   <li>routing, at most one: {@code subnet=J}, {@code best}, {@code k=K}, {@code budget=F}, {@code
 *       budget-ms=T} (a time budget on the server's time model), checked by the library's {@link
 *       RoutingChoice}; or {@code auto}, the same as none: the server's routing ({@link SloPolicy}:
 *       the SLO's time budget, or {@code k=4} without an SLO);
 *   <li>{@code deadline-ms=T}: the any-time mode, counted from the request's arrival (queueing
 *       included);
 *   <li>{@code grid=full|reference}: the patch grid (default: the server's);
 *   <li>{@code format=png|jpg|bmp|tif} (default: the input's format, WebP as PNG) and {@code
 *       quality=Q} (JPEG, 1..100, default 95);
 *   <li>{@code scale=S}, {@code width=W}, {@code height=H}: a smaller output ({@link OutputSize});
 *   <li>{@code strip-metadata}: no ICC profile, EXIF or XMP in the output;
 *   <li>{@code mask}: answer with the routing mask (PNG, legend below) instead of the image.
 * </ul>
 *
 * An unknown or repeated parameter is refused, so that a typo ({@code budjet=0.5}) is not silently
 * ignored.
 *
 * @param routing the routing named, {@link RoutingChoice#DEFAULT} when none is
 * @param named whether the request names a routing (anything but {@code auto} or none)
 * @param grid null for the server's
 * @param format null for the input's format
 */
public record UpscaleRequest(
    RoutingChoice routing,
    boolean named,
    Grid grid,
    Double deadlineMs,
    ImageFormat format,
    int quality,
    OutputSize size,
    boolean stripMetadata,
    boolean mask) {

  /** Every parameter name the endpoint takes. */
  public static final Set<String> NAMES;

  static {
    Set<String> names = new TreeSet<>(RoutingChoice.NAMES);
    names.addAll(
        List.of(
            "auto",
            "deadline-ms",
            "grid",
            "format",
            "quality",
            "scale",
            "width",
            "height",
            "strip-metadata",
            "mask"));
    NAMES = java.util.Collections.unmodifiableSet(names);
  }

  /**
   * Reads the parameters.
   *
   * @throws ApiError 400 naming the parameter
   */
  public static UpscaleRequest parse(Map<String, List<String>> query) {
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : query.entrySet()) {
      if (!NAMES.contains(e.getKey())) {
        unknown.add(e.getKey());
      } else if (e.getValue().size() > 1) {
        throw ApiError.badParameter("parameter '" + e.getKey() + "' is given more than once");
      }
    }
    if (!unknown.isEmpty()) {
      throw ApiError.badParameter(
          "unknown parameter"
              + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown.stream().map(u -> "'" + u + "'").toList())
              + " (known: "
              + String.join(", ", NAMES)
              + ")");
    }
    java.util.function.Function<String, String> value =
        name -> query.containsKey(name) ? query.get(name).get(0) : null;
    try {
      RoutingChoice routing = RoutingChoice.parse(value, "");
      boolean named = !routing.equals(RoutingChoice.DEFAULT);
      boolean auto = RoutingChoice.flag(value, "auto", "");
      if (named && auto) {
        throw ApiError.badParameter(
            "auto and " + routing + " are mutually exclusive (auto is the server's routing)");
      }
      Grid grid = null;
      String g = value.apply("grid");
      if (g != null) {
        try {
          grid = Grid.parse(g.trim());
        } catch (IllegalArgumentException e) {
          throw ApiError.badParameter("grid must be full or reference, got '" + g + "'");
        }
      }
      Double deadline = RoutingChoice.number(value, "deadline-ms", "");
      if (deadline != null && !(deadline >= 0 && Double.isFinite(deadline))) {
        throw ApiError.badParameter("deadline-ms must be >= 0, got " + deadline);
      }
      ImageFormat format = null;
      String f = value.apply("format");
      if (f != null) {
        format = ImageFormat.ofExtension(f.trim().toLowerCase(Locale.ROOT));
        if (format == null) {
          throw ApiError.badParameter("format must be png, jpg, bmp or tif, got '" + f + "'");
        }
      }
      int quality = ImageFiles.DEFAULT_JPEG_QUALITY;
      Double q = RoutingChoice.number(value, "quality", "");
      if (q != null) {
        if (q != Math.rint(q) || q < 1 || q > 100) {
          throw ApiError.badParameter(
              "quality must be an integer 1..100, got " + value.apply("quality"));
        }
        quality = q.intValue();
      }
      OutputSize size;
      try {
        String s = value.apply("scale");
        size =
            new OutputSize(
                s == null ? null : new BigDecimal(s.trim()),
                RoutingChoice.integer(value, "width", ""),
                RoutingChoice.integer(value, "height", ""));
      } catch (NumberFormatException e) {
        throw ApiError.badParameter("scale must be a number, got '" + value.apply("scale") + "'");
      }
      return new UpscaleRequest(
          routing,
          named,
          grid,
          deadline,
          format,
          quality,
          size,
          RoutingChoice.flag(value, "strip-metadata", ""),
          RoutingChoice.flag(value, "mask", ""));
    } catch (ApiError e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // The library's checks speak of command-line flags; here they are parameters.
      throw ApiError.badParameter(e.getMessage().replaceAll("--(scale|width|height)", "$1"));
    }
  }
}
