package io.armsr.route;

import io.armsr.model.Backbone;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The routing a user asks for by name, at most one of: {@code subnet J}, {@code best}, {@code k K},
 * {@code budget F}, {@code budget-ms T}; none means ARM-L ({@code k 4}). The command line's flags
 * ({@code --subnet}) and the HTTP service's query parameters ({@code subnet=}) are two spellings of
 * these names, so the values are checked here once, and a bad one is reported with the spelling the
 * user typed ({@code prefix}: {@code "--"} or {@code ""}).
 *
 * <p>A time budget ({@code budget-ms}) also needs a device profile, which the caller loads; {@link
 * #mode} builds every other mode.
 *
 * @param subnet fixed subnet, 0 (bicubic) .. {@link Backbone#SUBNETS}-1, or null
 * @param best the best predicted PSNR per patch
 * @param k ARM's trade-off, positive and finite, or null
 * @param budget a fraction of the full-width cost in (0, 1], or null
 * @param budgetMs a time budget in milliseconds, positive and finite, or null
 */
public record RoutingChoice(
    Integer subnet, boolean best, Double k, Double budget, Double budgetMs) {

  /** The paper's quality setting ARM-L: close to full-width PSNR at 60-80% of its FLOPs. */
  public static final double DEFAULT_K = 4.0;

  /** Nothing asked for: ARM-L. */
  public static final RoutingChoice DEFAULT = new RoutingChoice(null, false, null, null, null);

  /** The names, in the order of the record's components. */
  public static final List<String> NAMES = List.of("subnet", "best", "k", "budget", "budget-ms");

  /**
   * Parses the choice from text values by name ({@link #NAMES}; {@code value} returns null for a
   * name not given), as query parameters come. {@code best} takes no value, or {@code true} or
   * {@code false}.
   *
   * @throws IllegalArgumentException naming the parameter ({@code prefix} + name) for a value that
   *     is not a number, out of range, or for two choices at once
   */
  public static RoutingChoice parse(Function<String, String> value, String prefix) {
    RoutingChoice c =
        new RoutingChoice(
            integer(value, "subnet", prefix),
            flag(value, "best", prefix),
            number(value, "k", prefix),
            number(value, "budget", prefix),
            number(value, "budget-ms", prefix));
    c.check(prefix);
    return c;
  }

  /**
   * The number named {@code name}, or null when not given.
   *
   * @throws IllegalArgumentException naming it ({@code prefix} + name) when it is not a number
   */
  public static Double number(Function<String, String> value, String name, String prefix) {
    String v = value.apply(name);
    if (v == null) {
      return null;
    }
    try {
      return Double.valueOf(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(prefix + name + " must be a number, got '" + v + "'");
    }
  }

  /**
   * The integer named {@code name}, or null when not given.
   *
   * @throws IllegalArgumentException naming it when it is not an integer
   */
  public static Integer integer(Function<String, String> value, String name, String prefix) {
    String v = value.apply(name);
    if (v == null) {
      return null;
    }
    try {
      return Integer.valueOf(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(prefix + name + " must be an integer, got '" + v + "'");
    }
  }

  /**
   * Whether the switch named {@code name} is on: given without a value or as {@code true}; off when
   * not given or {@code false}.
   *
   * @throws IllegalArgumentException naming it for any other value
   */
  public static boolean flag(Function<String, String> value, String name, String prefix) {
    String v = value.apply(name);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.isEmpty() || v.equals("true")) {
      return true;
    }
    throw new IllegalArgumentException(
        prefix + name + " takes no value (or true/false), got '" + v + "'");
  }

  /**
   * Checks that at most one choice is made and that its value is in range, so that a bad one is
   * reported by its name (the library's modes check their parameters too, in their own terms).
   *
   * @param prefix how the user spells a name: {@code "--"} for flags, {@code ""} for parameters
   * @throws IllegalArgumentException naming the option
   */
  public void check(String prefix) {
    List<String> given = new ArrayList<>();
    if (subnet != null) {
      given.add(prefix + "subnet");
    }
    if (best) {
      given.add(prefix + "best");
    }
    if (k != null) {
      given.add(prefix + "k");
    }
    if (budget != null) {
      given.add(prefix + "budget");
    }
    if (budgetMs != null) {
      given.add(prefix + "budget-ms");
    }
    if (given.size() > 1) {
      throw new IllegalArgumentException(
          String.join(", ", given) + " are mutually exclusive (give at most one)");
    }
    if (subnet != null && (subnet < 0 || subnet >= Backbone.SUBNETS)) {
      throw new IllegalArgumentException(
          prefix + "subnet must be 0.." + (Backbone.SUBNETS - 1) + ", got " + subnet);
    }
    if (k != null && !(k > 0 && Double.isFinite(k))) {
      throw new IllegalArgumentException(prefix + "k must be a positive finite number, got " + k);
    }
    if (budget != null && !(budget > 0 && budget <= 1)) {
      throw new IllegalArgumentException(prefix + "budget must be in (0, 1], got " + budget);
    }
    if (budgetMs != null && !(budgetMs > 0 && Double.isFinite(budgetMs))) {
      throw new IllegalArgumentException(
          prefix + "budget-ms must be a positive number, got " + budgetMs);
    }
  }

  /** Whether this is a time budget, whose mode needs a device profile. */
  public boolean timed() {
    return budgetMs != null;
  }

  /**
   * The mode asked for, other than a time budget.
   *
   * @throws IllegalStateException for a time budget (the caller builds it with its profile)
   */
  public RoutingMode mode() {
    if (budgetMs != null) {
      throw new IllegalStateException("a time budget needs a device profile");
    }
    if (subnet != null) {
      return new RoutingMode.Fixed(subnet);
    }
    if (best) {
      return new RoutingMode.Best();
    }
    if (budget != null) {
      return new RoutingMode.Budget(budget);
    }
    return new RoutingMode.Tradeoff(k != null ? k : DEFAULT_K);
  }

  @Override
  public String toString() {
    return budgetMs != null ? String.format(Locale.ROOT, "budget-ms %s", budgetMs) : mode().label();
  }
}
