package io.armsr.spark;

import io.armsr.route.BudgetRouter;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One compute budget for a whole corpus: every patch of every image gets a subnet so that the
 * corpus costs at most the budget and, within it, its total predicted squared error is small: one
 * Lagrange multiplier for all images, where {@code --budget} finds one per image. A flat image,
 * whose patches gain little from the networks, thus gives its compute to a textured one.
 *
 * <h2>The problem and its solution</h2>
 *
 * The corpus is one multiple-choice knapsack, as an image is for {@link BudgetRouter}: each patch
 * is a class, its options the subnets with their cost (the table's FLOPs) and predicted MSE. Per
 * patch only its lower convex hull of (cost, MSE) matters to the Lagrangian relaxation ({@link
 * BudgetRouter#hull}); a hull step {@code a -> b} saves {@code (mse_a - mse_b) / (cost_b - cost_a)}
 * of MSE per unit of cost, its <em>efficiency</em>. For a multiplier lambda every patch takes the
 * steps of its hull whose efficiency is above lambda: the cost falls as lambda rises, and the
 * smallest lambda whose cost fits is the LP optimum rounded down (Everett 1963; Sinha and Zoltners
 * 1979). A corpus of millions of patches cannot be sorted on one machine, but the cost at a given
 * lambda is a sum over images, which Spark aggregates: the driver {@link #search searches} lambda
 * over the doubles by aggregations, each evaluating {@value #FANOUT} candidates at once.
 *
 * <p>Ties matter: the table's predictions come from its bins, so all patches of one bin have the
 * same hull, and thousands of steps share one efficiency. The order of the steps is therefore
 * total: efficiency (descending), then a 64-bit hash of (image, patch, step) (ascending), and a
 * {@link Threshold} {@code (lambda, tie)} takes the steps before it in that order: efficiency above
 * lambda, or equal to it with a hash below {@code tie}. The search finds lambda, then {@code tie},
 * so that the steps taken are the longest prefix of that order that fits: the greedy that takes
 * steps by efficiency until the next one does not fit, spread evenly over the tied images by the
 * hash rather than by their names.
 *
 * <p>Exact and repeatable: costs are counted per subnet ({@code long}) and summed exactly as {@link
 * BigDecimal}s of the table's doubles, so the corpus is never over budget by any rounding; and the
 * second pass, which routes each image at the threshold found (as {@link
 * io.armsr.route.RoutingMode.Given}), recomputes exactly the choices the first pass counted (the
 * same bytes, the same code, no randomness). A patch takes a prefix of its hull, so the steps of
 * one patch are taken in order even where rounding puts two efficiencies the wrong way round: the
 * efficiencies are made non-increasing along the hull (each the least so far).
 */
public final class CorpusBudget {

  /** Candidates evaluated by one aggregation: 6 bits of the 64-bit search per pass. */
  public static final int FANOUT = 63;

  private CorpusBudget() {}

  /**
   * Where the taken steps end: a step of efficiency {@code e} and hash {@code h} is taken when
   * {@code e > lambda}, or {@code e == lambda && h < tie}, and a patch takes the longest prefix of
   * its hull's steps that are taken.
   */
  public record Threshold(double lambda, long tie) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every step (every efficiency is positive): each patch at the end of its hull. */
    public static final Threshold ALL = new Threshold(0.0, Long.MIN_VALUE);

    /** No step: each patch at its cheapest usable subnet. */
    public static final Threshold NONE = new Threshold(Double.POSITIVE_INFINITY, Long.MIN_VALUE);

    public Threshold {
      if (!(lambda >= 0)) {
        throw new IllegalArgumentException("a multiplier must be >= 0, got " + lambda);
      }
    }

    boolean takes(double efficiency, long hash) {
      return efficiency > lambda || (efficiency == lambda && hash < tie);
    }
  }

  /**
   * The part of one image the corpus budget needs, without its pixels: its patches grouped by their
   * prediction (patches of one table bin share one), each group's hull and step efficiencies. A few
   * bytes per patch.
   */
  public static final class ImageHulls implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long key;
    private final int[] typeOf; // [patch] -> group
    private final int[] typeCount; // [group] -> patches
    private final int[][] points; // [group] -> hull subnets, cheapest first
    private final double[][] efficiency; // [group][step], non-increasing
    private final double[][] mse; // [group][point] predicted MSE (NaN: no usable prediction)

    private ImageHulls(
        long key,
        int[] typeOf,
        int[] typeCount,
        int[][] points,
        double[][] efficiency,
        double[][] mse) {
      this.key = key;
      this.typeOf = typeOf;
      this.typeCount = typeCount;
      this.points = points;
      this.efficiency = efficiency;
      this.mse = mse;
    }

    /**
     * The hulls of an image's patches.
     *
     * @param key the image's key ({@link #key(String)} of its relative path), which orders its tied
     *     steps among the corpus's
     * @param predicted {@code [patch][subnet]} predicted PSNR, as the engine routes with
     * @param costs the cost of every subnet
     */
    public static ImageHulls of(long key, double[][] predicted, double[] costs) {
      Map<List<Long>, Integer> groups = new HashMap<>();
      List<double[]> vectors = new ArrayList<>();
      int[] typeOf = new int[predicted.length];
      for (int p = 0; p < predicted.length; p++) {
        List<Long> bits = new ArrayList<>(predicted[p].length);
        for (double v : predicted[p]) {
          bits.add(Double.doubleToLongBits(v));
        }
        Integer g = groups.get(bits);
        if (g == null) {
          g = vectors.size();
          groups.put(bits, g);
          vectors.add(predicted[p]);
        }
        typeOf[p] = g;
      }
      int n = vectors.size();
      int[] typeCount = new int[n];
      for (int t : typeOf) {
        typeCount[t]++;
      }
      int[][] points = new int[n][];
      double[][] efficiency = new double[n][];
      double[][] mse = new double[n][];
      for (int g = 0; g < n; g++) {
        int[] hull = BudgetRouter.hull(vectors.get(g), costs);
        points[g] = hull;
        mse[g] = new double[hull.length];
        for (int k = 0; k < hull.length; k++) {
          double m = BudgetRouter.mse(vectors.get(g)[hull[k]]);
          mse[g][k] = Double.isFinite(m) ? m : Double.NaN;
        }
        efficiency[g] = new double[hull.length - 1];
        double least = Double.POSITIVE_INFINITY;
        for (int k = 0; k + 1 < hull.length; k++) {
          double e = (mse[g][k] - mse[g][k + 1]) / (costs[hull[k + 1]] - costs[hull[k]]);
          least = Math.min(least, e);
          efficiency[g][k] = least;
        }
      }
      return new ImageHulls(key, typeOf, typeCount, points, efficiency, mse);
    }

    public long key() {
      return key;
    }

    public int patches() {
      return typeOf.length;
    }

    /** The subnet of every patch at {@code t}, unweighted. */
    public int[] choices(Threshold t) {
      return choices(t, 1);
    }

    /** The subnet of every patch under a routing (its rounds' weights, then its threshold). */
    public int[] choices(Routing r) {
      return choices(r.last(), weight(r.rounds().subList(0, r.rounds().size() - 1)));
    }

    private int[] choices(Threshold t, double w) {
      int[] out = new int[typeOf.length];
      int[] uniform = uniformSteps(t, w);
      for (int p = 0; p < out.length; p++) {
        int g = typeOf[p];
        out[p] = points[g][uniform[g] >= 0 ? uniform[g] : steps(g, p, t, w)];
      }
      return out;
    }

    /** How many patches take each of {@code subnets} subnets at {@code t}, unweighted. */
    public long[] counts(Threshold t, int subnets) {
      return counts(t, 1, subnets);
    }

    /**
     * How many patches take each subnet at {@code t}, the image weighted by {@code w} (its MSEs
     * multiplied, so its efficiencies too).
     */
    long[] counts(Threshold t, double w, int subnets) {
      long[] out = new long[subnets];
      int[] uniform = uniformSteps(t, w);
      for (int g = 0; g < points.length; g++) {
        if (uniform[g] >= 0) {
          out[points[g][uniform[g]]] += typeCount[g];
        }
      }
      for (int p = 0; p < typeOf.length; p++) {
        int g = typeOf[p];
        if (uniform[g] < 0) {
          out[points[g][steps(g, p, t, w)]]++;
        }
      }
      return out;
    }

    /**
     * The predicted MSE of the image routed at {@code t} with weight {@code w}, the mean over
     * patches with a usable prediction (as {@link BudgetRouter.Allocation#meanMse()}), or 0 if none
     * has.
     */
    double meanMse(Threshold t, double w) {
      int[] uniform = uniformSteps(t, w);
      double sum = 0;
      int counted = 0;
      for (int p = 0; p < typeOf.length; p++) {
        int g = typeOf[p];
        double m = mse[g][uniform[g] >= 0 ? uniform[g] : steps(g, p, t, w)];
        if (!Double.isNaN(m)) {
          sum += m;
          counted++;
        }
      }
      return counted == 0 ? 0 : sum / counted;
    }

    /**
     * The image's weight after these rounds of {@link Objective#PSNR}: 1 at first, then after each
     * round the reciprocal of its total predicted MSE routed at that round's threshold with the
     * weight it had (the derivative of the log of its MSE: each image's PSNR counts alike).
     */
    double weight(List<Threshold> rounds) {
      double w = 1;
      for (Threshold t : rounds) {
        double total = meanMse(t, w) * typeOf.length;
        w = total > 0 && Double.isFinite(total) ? 1 / total : w;
      }
      return w;
    }

    /**
     * Per group, the steps every patch of it takes at {@code t}, or -1 where the group has a step
     * at exactly lambda (its patches then differ by their hashes).
     */
    private int[] uniformSteps(Threshold t, double w) {
      int[] out = new int[points.length];
      for (int g = 0; g < points.length; g++) {
        double[] e = efficiency[g];
        int k = 0;
        while (k < e.length && w * e[k] > t.lambda()) {
          k++;
        }
        out[g] = k < e.length && w * e[k] == t.lambda() ? -1 : k;
      }
      return out;
    }

    /** The steps patch {@code p} of group {@code g} takes at {@code t}: the prefix taken. */
    private int steps(int g, int p, Threshold t, double w) {
      double[] e = efficiency[g];
      int k = 0;
      while (k < e.length && t.takes(w * e[k], stepHash(key, p, k))) {
        k++;
      }
      return k;
    }
  }

  /**
   * What the corpus budget minimises: {@link #MSE} the corpus's total predicted squared error (one
   * multiplier, one search); {@link #PSNR} the sum of the logs of the images' predicted MSEs, i.e.
   * the images' mean predicted PSNR, by majorise-minimise: the log is concave, so each round
   * minimises the images' MSEs weighted by the reciprocal of what each had after the round before
   * (its tangent), one search per round, {@value #ROUNDS} rounds in all.
   */
  public enum Objective {
    MSE,
    PSNR;

    /** {@code mse} or {@code psnr}. */
    public static Objective parse(String s) {
      for (Objective o : values()) {
        if (o.name().equalsIgnoreCase(s)) {
          return o;
        }
      }
      throw new IllegalArgumentException("--corpus-objective must be mse or psnr, got '" + s + "'");
    }
  }

  /** Searches under {@link Objective#PSNR}: the first unweighted, then reweighted. */
  public static final int ROUNDS = 4;

  /**
   * The routing the second pass applies: the thresholds of every round (one for {@link
   * Objective#MSE}); each image derives its weight from the rounds before the last ({@link
   * ImageHulls#weight}) and routes at the last.
   */
  public record Routing(List<Threshold> rounds) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Routing {
      rounds = List.copyOf(rounds);
      if (rounds.isEmpty()) {
        throw new IllegalArgumentException("a routing needs a threshold");
      }
    }

    public Threshold last() {
      return rounds.get(rounds.size() - 1);
    }
  }

  /**
   * An image's key: the 64-bit FNV-1a hash of its path relative to the input (UTF-8), the same on
   * every machine and in every run.
   */
  public static long key(String relativePath) {
    long h = 0xcbf29ce484222325L;
    for (byte b : relativePath.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** The tie-breaking hash of step {@code step} of patch {@code patch} (SplitMix64's finaliser). */
  static long stepHash(long imageKey, int patch, int step) {
    long z = imageKey + (((long) patch << 3) + step + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Evaluates candidate thresholds over the whole corpus: one aggregation for all of them. */
  @FunctionalInterface
  public interface Evaluator {
    /**
     * @return {@code [candidate][subnet]}: the corpus's patches on each subnet at each candidate
     */
    long[][] counts(List<Threshold> candidates);
  }

  /**
   * The corpus under earlier rounds' thresholds: one aggregation evaluates candidates with every
   * image weighted as those rounds leave it ({@link ImageHulls#weight}).
   */
  @FunctionalInterface
  public interface Corpus {
    long[][] counts(List<Threshold> rounds, List<Threshold> candidates);
  }

  /**
   * The outcome of the search.
   *
   * @param routing the thresholds found, one per round; the last ends the taken steps
   * @param counts the corpus's patches per subnet there
   * @param cost their exact total cost
   * @param withinBudget false only when even every patch's cheapest subnet is over the budget (then
   *     the threshold is {@link Threshold#NONE})
   * @param passes the aggregations the search took
   */
  public record Result(
      Routing routing, long[] counts, BigDecimal cost, boolean withinBudget, int passes) {
    public Result {
      Objects.requireNonNull(routing, "routing");
      counts = counts.clone();
    }

    public Threshold threshold() {
      return routing.last();
    }

    public long patches() {
      return Arrays.stream(counts).sum();
    }
  }

  /**
   * The routing of the corpus within {@code budget} for {@code objective}: one {@link #search} for
   * {@link Objective#MSE}, {@value #ROUNDS} reweighted ones for {@link Objective#PSNR}. Every round
   * fits the budget; the last is the routing.
   */
  public static Result solve(
      Corpus corpus, double[] costs, BigDecimal budget, Objective objective) {
    List<Threshold> rounds = new ArrayList<>();
    Result r = null;
    int passes = 0;
    int n = objective == Objective.MSE ? 1 : ROUNDS;
    for (int i = 0; i < n && (r == null || r.withinBudget()); i++) {
      List<Threshold> prior = new ArrayList<>(rounds);
      r = search(candidates -> corpus.counts(prior, candidates), costs, budget);
      passes += r.passes();
      rounds.add(r.threshold());
    }
    return new Result(new Routing(rounds), r.counts(), r.cost(), r.withinBudget(), passes);
  }

  /** The exact cost of these per-subnet counts. */
  public static BigDecimal cost(long[] counts, double[] costs) {
    BigDecimal total = BigDecimal.ZERO;
    for (int j = 0; j < counts.length; j++) {
      total = total.add(new BigDecimal(costs[j]).multiply(BigDecimal.valueOf(counts[j])));
    }
    return total;
  }

  /**
   * The budget of {@code fraction} of running all {@code patches} at full width: {@code fraction x
   * patches x cost_full}, exactly (the fraction as written in decimal).
   */
  public static BigDecimal budget(BigDecimal fraction, long patches, double[] costs) {
    return fraction
        .multiply(BigDecimal.valueOf(patches))
        .multiply(new BigDecimal(costs[costs.length - 1]));
  }

  /**
   * Finds the threshold whose steps are the longest prefix of the corpus's step order that fits
   * {@code budget}: first lambda (the least double whose strictly more efficient steps fit), then
   * the hash cut among the steps of efficiency exactly lambda. About 11 + 11 evaluations of {@value
   * #FANOUT} candidates each.
   */
  public static Result search(Evaluator corpus, double[] costs, BigDecimal budget) {
    Search s = new Search(corpus, costs, budget);
    long[][] ends = s.eval(List.of(Threshold.ALL, Threshold.NONE));
    if (s.fits(ends[0])) {
      return s.result(Threshold.ALL, ends[0], true);
    }
    if (!s.fits(ends[1])) {
      return s.result(Threshold.NONE, ends[1], false);
    }
    // Invariant: lambda with bits lo does not fit, with bits hi fits (positive doubles are ordered
    // as their bits).
    long lo = Double.doubleToLongBits(0.0);
    long hi = Double.doubleToLongBits(Double.POSITIVE_INFINITY);
    long[] hiCounts = ends[1];
    while (hi - lo > 1) {
      List<Long> cuts = cuts(BigInteger.valueOf(lo), BigInteger.valueOf(hi));
      List<Threshold> candidates = new ArrayList<>();
      for (long c : cuts) {
        candidates.add(new Threshold(Double.longBitsToDouble(c), Long.MIN_VALUE));
      }
      long[][] counts = s.eval(candidates);
      long newLo = lo;
      long newHi = hi;
      long[] newHiCounts = hiCounts;
      for (int i = cuts.size() - 1; i >= 0; i--) {
        if (s.fits(counts[i])) {
          newHi = cuts.get(i);
          newHiCounts = counts[i];
        } else {
          newLo = cuts.get(i);
          break;
        }
      }
      lo = newLo;
      hi = newHi;
      hiCounts = newHiCounts;
    }
    double lambda = Double.longBitsToDouble(hi);
    // Among the steps of efficiency exactly lambda: the largest hash cut that fits. Invariant: a
    // cut at tieLo fits, at tieHi it does not (or tieHi = MAX fits and is taken).
    long[][] top = s.eval(List.of(new Threshold(lambda, Long.MAX_VALUE)));
    if (s.fits(top[0])) {
      return s.result(new Threshold(lambda, Long.MAX_VALUE), top[0], true);
    }
    BigInteger tieLo = BigInteger.valueOf(Long.MIN_VALUE);
    BigInteger tieHi = BigInteger.valueOf(Long.MAX_VALUE);
    long[] loCounts = hiCounts;
    while (tieHi.subtract(tieLo).compareTo(BigInteger.ONE) > 0) {
      List<Long> cuts = cuts(tieLo, tieHi);
      List<Threshold> candidates = new ArrayList<>();
      for (long c : cuts) {
        candidates.add(new Threshold(lambda, c));
      }
      long[][] counts = s.eval(candidates);
      BigInteger newLo = tieLo;
      BigInteger newHi = tieHi;
      long[] newLoCounts = loCounts;
      for (int i = 0; i < cuts.size(); i++) {
        if (s.fits(counts[i])) {
          newLo = BigInteger.valueOf(cuts.get(i));
          newLoCounts = counts[i];
        } else {
          newHi = BigInteger.valueOf(cuts.get(i));
          break;
        }
      }
      tieLo = newLo;
      tieHi = newHi;
      loCounts = newLoCounts;
    }
    return s.result(new Threshold(lambda, tieLo.longValueExact()), loCounts, true);
  }

  /** Up to {@value #FANOUT} distinct values strictly between {@code lo} and {@code hi}, rising. */
  static List<Long> cuts(BigInteger lo, BigInteger hi) {
    BigInteger gap = hi.subtract(lo);
    BigInteger parts = BigInteger.valueOf(FANOUT + 1L);
    List<Long> out = new ArrayList<>();
    if (gap.compareTo(parts) <= 0) {
      for (BigInteger v = lo.add(BigInteger.ONE); v.compareTo(hi) < 0; v = v.add(BigInteger.ONE)) {
        out.add(v.longValueExact());
      }
      return out;
    }
    for (int i = 1; i <= FANOUT; i++) {
      out.add(lo.add(gap.multiply(BigInteger.valueOf(i)).divide(parts)).longValueExact());
    }
    return out;
  }

  /** The search's evaluations and budget test. */
  private static final class Search {
    final Evaluator corpus;
    final double[] costs;
    final BigDecimal budget;
    int passes;

    Search(Evaluator corpus, double[] costs, BigDecimal budget) {
      this.corpus = corpus;
      this.costs = costs.clone();
      this.budget = budget;
    }

    long[][] eval(List<Threshold> candidates) {
      passes++;
      long[][] counts = corpus.counts(candidates);
      if (counts.length != candidates.size()) {
        throw new IllegalStateException(
            counts.length + " results for " + candidates.size() + " candidates");
      }
      return counts;
    }

    boolean fits(long[] counts) {
      return cost(counts, costs).compareTo(budget) <= 0;
    }

    Result result(Threshold t, long[] counts, boolean within) {
      return new Result(new Routing(List.of(t)), counts, cost(counts, costs), within, passes);
    }
  }

  /**
   * An evaluator over hulls in memory, unweighted (tests; a corpus small enough for one machine).
   */
  public static Evaluator inMemory(List<ImageHulls> images, int subnets) {
    Corpus c = inMemoryCorpus(images, subnets);
    return candidates -> c.counts(List.of(), candidates);
  }

  /** The corpus of these hulls in memory. */
  public static Corpus inMemoryCorpus(List<ImageHulls> images, int subnets) {
    return (rounds, candidates) -> {
      long[][] out = new long[candidates.size()][subnets];
      for (ImageHulls h : images) {
        add(out, h, rounds, candidates);
      }
      return out;
    };
  }

  /** Adds one image's counts at every candidate, weighted as {@code rounds} leave it. */
  static long[][] add(
      long[][] acc, ImageHulls h, List<Threshold> rounds, List<Threshold> candidates) {
    double w = h.weight(rounds);
    for (int i = 0; i < acc.length; i++) {
      long[] c = h.counts(candidates.get(i), w, acc[i].length);
      for (int j = 0; j < c.length; j++) {
        acc[i][j] += c[j];
      }
    }
    return acc;
  }

  /** Adds {@code b} into {@code a}. */
  static long[][] sum(long[][] a, long[][] b) {
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        a[i][j] += b[i][j];
      }
    }
    return a;
  }
}
