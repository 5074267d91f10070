package io.armsr.route;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Budget routing: one subnet per patch so that the image's predicted error is smallest while the
 * total cost stays within a budget. This is the multiple-choice knapsack problem (MCKP): each patch
 * is a class, each usable subnet an item with a cost ({@code cost_list}, ARM.md 3.2, or any
 * non-negative vector such as measured milliseconds) and a weight, the predicted MSE {@code 255^2 *
 * 10^(-PSNR/10)} of the LUT prediction (ARM.md 4.3). Every patch has the same pixel count, so the
 * image's predicted MSE is the mean of the patches' and minimising the sum minimises it.
 *
 * <h2>Algorithm</h2>
 *
 * <ol>
 *   <li><b>Frontiers and hulls.</b> Per patch, the usable options that no other option beats on
 *       both cost and MSE (a dominated option is never needed), cheapest first, and their lower
 *       convex hull. Each hull step {@code a -> b} has an efficiency {@code (mse_a - mse_b) /
 *       (cost_b - cost_a)}, non-increasing along the hull.
 *   <li><b>Lagrangian greedy.</b> Every patch starts at its cheapest hull point. The next hull step
 *       of every patch sits in a heap ordered by efficiency (ties: lower patch index); the best is
 *       taken if it fits the remaining budget, and that patch's following step is pushed. A step
 *       that does not fit retires its patch. The steps taken before the first refusal are exactly
 *       those with efficiency above the critical multiplier lambda, i.e. the LP relaxation's
 *       optimum rounded down (Sinha and Zoltners, Oper. Res. 1979). The heap, rather than one
 *       global sort, keeps each patch's steps in hull order even when rounding makes two
 *       consecutive efficiencies compare the wrong way.
 *   <li><b>Core.</b> Only patches whose trade-off is close to lambda can be wrong in the LP
 *       solution (Pisinger's "core"). The patches that stepped after a refusal, then those with a
 *       move from their choice whose efficiency is closest to lambda, are searched exhaustively
 *       over their frontiers (at most {@value #CORE_LEAVES} leaves), every other patch keeping its
 *       greedy choice.
 *   <li><b>Retries.</b> The first {@value #RETRIED} refused patches are each forced to each of
 *       their other frontier options and the rest re-solved by steps 2-3: one large upgrade that
 *       many small, more efficient ones crowded out.
 *   <li><b>Fill.</b> After each candidate: single changes of any patch to any option that lowers
 *       its MSE and fits the remainder, largest reduction first, at most one per patch. The best
 *       candidate wins (ties: the plain greedy, then the order above).
 * </ol>
 *
 * <p>Cost: {@code O(P S log P)} per greedy run for P patches and S subnets, at most {@code 1 +
 * RETRIED * (S - 1)} runs and as many core searches of constant size, so {@code O(P S^2 log P)}:
 * linear in the image for ARM's 4 subnets. Deterministic: no randomness, every tie broken by patch
 * and subnet index.
 *
 * <p>Optimality gap: never worse than the plain greedy, whose MSE exceeds the optimum by at most
 * the gain of the one refused hull step (the LP bound), negligible on an image of thousands of
 * patches. On small instances that one step is a large share, which the core and the retries
 * recover: the property test ({@code BudgetRouterTest}) compares against an exhaustive solver.
 *
 * <p>Never over budget: costs are summed exactly (as {@link BigDecimal}s of the given doubles), so
 * no rounding can let a step through that the real sum would refuse. If even the cheapest option of
 * every patch exceeds the budget (impossible when bicubic costs 0 and the budget is at least 0),
 * the cheapest options are returned with {@link Allocation#withinBudget()} false.
 *
 * <p>Unusable predictions: a NaN prediction (an empty LUT bin, ARM.md 4.2) or one of {@code
 * -Infinity} gives no finite MSE, so that subnet is never chosen for the patch. A patch with no
 * usable prediction gets its cheapest subnet and adds nothing to the objective.
 */
public final class BudgetRouter {

  /**
   * Most leaves of the core's exhaustive search (the product of its patches' option counts): 6
   * patches of 4 options, microseconds of work.
   */
  static final int CORE_LEAVES = 4096;

  /** How many of the first refused patches are re-solved at each of their other options. */
  static final int RETRIED = 4;

  private static final double PEAK_SQUARED = 255.0 * 255.0;

  private BudgetRouter() {}

  /**
   * The outcome of budget routing.
   *
   * @param choices the subnet of every patch
   * @param cost total cost of the choices (their exact sum, rounded once to a double)
   * @param meanMse predicted MSE of the image: the mean over patches with a usable prediction (0 if
   *     there are none), on the 0..255 scale
   * @param withinBudget false only when the cheapest option of every patch already exceeds the
   *     budget; the choices are then those cheapest options
   */
  public record Allocation(int[] choices, double cost, double meanMse, boolean withinBudget) {
    public Allocation {
      Objects.requireNonNull(choices, "choices");
      if (!(cost >= 0) || !(meanMse >= 0)) {
        throw new IllegalArgumentException(
            "cost and MSE must be non-negative, got " + cost + " and " + meanMse);
      }
    }

    /** The predicted PSNR of the image from its predicted MSE, {@code 10 log10(255^2 / mse)}. */
    public double predictedPsnr() {
      return 10 * Math.log10(PEAK_SQUARED / meanMse);
    }
  }

  /** The routing of {@code patches} patches all to {@code subnet}. */
  public static int[] uniform(int patches, int subnet) {
    int[] out = new int[patches];
    Arrays.fill(out, subnet);
    return out;
  }

  /** Predicted MSE on the 0..255 scale of a predicted PSNR: {@code 255^2 * 10^(-psnr/10)}. */
  public static double mse(double psnr) {
    return PEAK_SQUARED * Math.pow(10, -psnr / 10);
  }

  /**
   * The predicted MSE of an image routed {@code choices}, as {@link Allocation#meanMse()}: the mean
   * over patches whose chosen subnet has a usable prediction, 0 if none has.
   */
  static double meanMse(double[][] predictedPsnr, int[] choices) {
    double sum = 0;
    int counted = 0;
    for (int p = 0; p < choices.length; p++) {
      double m = mse(predictedPsnr[p][choices[p]]);
      if (Double.isFinite(m)) {
        sum += m;
        counted++;
      }
    }
    return counted == 0 ? 0 : sum / counted;
  }

  /**
   * The lower convex hull of one patch's options, as the router uses it: the usable subnets that no
   * other beats on both cost and predicted MSE, cheapest first, less those strictly above the
   * segment joining their neighbours. Predicted MSE falls strictly and cost rises strictly along
   * it; a patch with no usable prediction has its cheapest subnet alone. A corpus-wide budget (many
   * images, one multiplier) steps along these hulls as the greedy here does.
   *
   * @param predictedPsnr the patch's predicted PSNR of every subnet (NaN: unusable)
   * @param costs cost of every subnet
   * @return the hull's subnets, cheapest first
   */
  public static int[] hull(double[] predictedPsnr, double[] costs) {
    double[] m = new double[costs.length];
    for (int j = 0; j < m.length; j++) {
      double v = mse(predictedPsnr[j]);
      m[j] = Double.isFinite(v) ? v : Double.NaN;
    }
    return Instance.hull(Instance.frontier(m, costs), m, costs);
  }

  /** Whether these choices cost at most {@code budget}, summed exactly. */
  public static boolean fits(int[] choices, double[] costs, double budget) {
    BigDecimal total = BigDecimal.ZERO;
    for (int c : choices) {
      total = total.add(new BigDecimal(costs[c]));
    }
    return total.compareTo(new BigDecimal(budget)) <= 0;
  }

  /**
   * Routes every patch within the budget.
   *
   * @param predictedPsnr {@code [patch][subnet]} predicted PSNR (NaN: unusable)
   * @param costs cost of every subnet, finite and non-negative
   * @param budget the largest total cost over all patches, finite and non-negative
   */
  public static Allocation route(double[][] predictedPsnr, double[] costs, double budget) {
    return route(predictedPsnr, costs, budget, CORE_LEAVES);
  }

  /**
   * {@link #route} with a given bound on the core's exhaustive search; at most 1 leaves the plain
   * greedy and fill alone (no core, no retries), which the property test reports for comparison.
   */
  static Allocation route(double[][] predictedPsnr, double[] costs, double budget, int coreLimit) {
    Objects.requireNonNull(predictedPsnr, "predictedPsnr");
    Objects.requireNonNull(costs, "costs");
    if (costs.length == 0) {
      throw new IllegalArgumentException("no subnets to route to");
    }
    for (double c : costs) {
      if (!(c >= 0) || Double.isInfinite(c)) {
        throw new IllegalArgumentException(
            "subnet costs must be finite and non-negative, got " + Arrays.toString(costs));
      }
    }
    if (!(budget >= 0) || Double.isInfinite(budget)) {
      throw new IllegalArgumentException("budget must be finite and non-negative, got " + budget);
    }
    Instance in = new Instance(predictedPsnr, costs);
    BigDecimal limit = new BigDecimal(budget);

    int[] cheapest = new int[in.patches];
    BigDecimal floor = BigDecimal.ZERO;
    for (int p = 0; p < in.patches; p++) {
      cheapest[p] = in.hull[p][0];
      floor = floor.add(in.cost[cheapest[p]]);
    }
    if (floor.compareTo(limit) > 0) {
      return in.allocation(cheapest, floor, false);
    }

    int[] greedy = cheapest.clone();
    Greedy g = in.greedy(greedy, floor, limit, -1);
    int[] best = greedy.clone();
    BigDecimal bestTotal = in.fill(best, g.total(), limit);
    double bestMse = in.objective(best);
    if (g.refused().isEmpty() || coreLimit <= 1) {
      // Nothing refused: every patch reached the end of its hull, its lowest MSE.
      return in.allocation(best, bestTotal, true);
    }
    // Candidates after the plain greedy + fill, the first strictly better one kept: the core
    // searched exhaustively, then each early-refused patch forced to each of its other options
    // and the rest re-solved by greedy, core and fill (this recovers a large upgrade that many
    // small ones crowded out).
    List<int[]> candidates = new ArrayList<>();
    List<BigDecimal> totals = new ArrayList<>();
    int[] cored = greedy.clone();
    BigDecimal coredTotal = in.core(cored, g.total(), limit, g, coreLimit);
    candidates.add(cored);
    totals.add(in.fill(cored, coredTotal, limit));
    for (int p : g.refused().stream().distinct().limit(RETRIED).toList()) {
      for (int j : in.frontier[p]) {
        if (j == greedy[p]) {
          continue;
        }
        int[] forced = cheapest.clone();
        forced[p] = j;
        BigDecimal start = floor.subtract(in.cost[cheapest[p]]).add(in.cost[j]);
        if (start.compareTo(limit) <= 0) {
          Greedy h = in.greedy(forced, start, limit, p);
          BigDecimal t =
              h.refused().isEmpty() ? h.total() : in.core(forced, h.total(), limit, h, coreLimit);
          candidates.add(forced);
          totals.add(in.fill(forced, t, limit));
        }
      }
    }
    for (int i = 0; i < candidates.size(); i++) {
      double mse = in.objective(candidates.get(i));
      if (mse < bestMse) {
        best = candidates.get(i);
        bestTotal = totals.get(i);
        bestMse = mse;
      }
    }
    return in.allocation(best, bestTotal, true);
  }

  /** The end of the greedy: total cost, and the efficiency of its first refused step (or NaN). */
  private record Greedy(
      BigDecimal total, double criticalEfficiency, List<Integer> refused, boolean[] late) {}

  /** Changing a patch to another subnet, and the MSE it saves. */
  private record Move(int patch, int subnet, double gain) {}

  /** The per-patch MSE options, frontiers and hulls. */
  private static final class Instance {
    final int patches;
    final int subnets;
    final double[] costs;
    final BigDecimal[] cost;
    final double[][] mse; // [patch][subnet], NaN where unusable
    final int[][] frontier; // [patch][k]: non-dominated subnets, cost ascending, MSE descending
    final int[][] hull; // [patch][k]: the frontier's lower convex hull

    Instance(double[][] predictedPsnr, double[] costs) {
      this.patches = predictedPsnr.length;
      this.subnets = costs.length;
      this.costs = costs;
      this.cost = new BigDecimal[subnets];
      for (int j = 0; j < subnets; j++) {
        cost[j] = new BigDecimal(costs[j]);
      }
      this.mse = new double[patches][subnets];
      this.frontier = new int[patches][];
      this.hull = new int[patches][];
      for (int p = 0; p < patches; p++) {
        double[] psnr = predictedPsnr[p];
        if (psnr == null || psnr.length != subnets) {
          throw new IllegalArgumentException(
              "patch "
                  + p
                  + " has "
                  + (psnr == null ? 0 : psnr.length)
                  + " predictions for "
                  + subnets
                  + " subnets");
        }
        for (int j = 0; j < subnets; j++) {
          double m = mse(psnr[j]);
          mse[p][j] = Double.isFinite(m) ? m : Double.NaN;
        }
        frontier[p] = frontier(mse[p], costs);
        hull[p] = hull(frontier[p], mse[p], costs);
      }
    }

    boolean usable(int p, int j) {
      return !Double.isNaN(mse[p][j]);
    }

    /** Total predicted MSE, summed in patch order; a patch with no usable prediction adds 0. */
    double objective(int[] choice) {
      double sum = 0;
      for (int p = 0; p < patches; p++) {
        sum += usable(p, choice[p]) ? mse[p][choice[p]] : 0;
      }
      return sum;
    }

    /**
     * The usable options that no other option beats on both cost and MSE, cheapest first (ties:
     * lower MSE, then lower index). A dominated option is never needed: swapping it for the option
     * that dominates it costs no more and predicts no worse. A patch with no usable prediction gets
     * its cheapest subnet (lowest index on ties) as its only option.
     */
    static int[] frontier(double[] mse, double[] costs) {
      List<Integer> usable = new ArrayList<>();
      for (int j = 0; j < costs.length; j++) {
        if (!Double.isNaN(mse[j])) {
          usable.add(j);
        }
      }
      if (usable.isEmpty()) {
        int cheapest = 0;
        for (int j = 1; j < costs.length; j++) {
          if (costs[j] < costs[cheapest]) {
            cheapest = j;
          }
        }
        return new int[] {cheapest};
      }
      usable.sort(
          Comparator.<Integer>comparingDouble(j -> costs[j])
              .thenComparingDouble(j -> mse[j])
              .thenComparingInt(j -> j));
      int[] f = new int[usable.size()];
      int size = 0;
      for (int j : usable) {
        if (size == 0 || mse[j] < mse[f[size - 1]]) {
          f[size++] = j;
        }
      }
      return Arrays.copyOf(f, size);
    }

    /** The lower convex hull of a frontier (strictly rising cost, strictly falling MSE). */
    static int[] hull(int[] frontier, double[] mse, double[] costs) {
      int[] h = new int[frontier.length];
      int size = 0;
      for (int j : frontier) {
        // Pop points strictly above the segment to j; collinear points stay, as smaller steps
        // of the same efficiency fill the budget more finely.
        while (size >= 2 && above(h[size - 2], h[size - 1], j, mse, costs)) {
          size--;
        }
        h[size++] = j;
      }
      return Arrays.copyOf(h, size);
    }

    /** Whether point b lies strictly above the segment from a to c (costs a < b < c). */
    private static boolean above(int a, int b, int c, double[] mse, double[] costs) {
      return (mse[b] - mse[a]) * (costs[c] - costs[a]) > (mse[c] - mse[a]) * (costs[b] - costs[a]);
    }

    /** MSE saved per unit of cost going from option a to option b of patch p. */
    double efficiency(int p, int a, int b) {
      return (mse[p][a] - mse[p][b]) / (costs[b] - costs[a]);
    }

    /**
     * The Lagrangian greedy: from each patch's first hull point, hull steps in order of efficiency
     * while they fit; a refused step retires its patch.
     *
     * @param choice every patch at its first hull point (the fixed one anywhere); updated in place
     * @param fixed a patch that takes no steps, or -1
     */
    Greedy greedy(int[] choice, BigDecimal total, BigDecimal limit, int fixed) {
      int[] step = new int[patches]; // index of the current hull point
      double[] next = new double[patches];
      PriorityQueue<Integer> heap =
          new PriorityQueue<>(
              Math.max(1, patches),
              Comparator.<Integer>comparingDouble(p -> -next[p]).thenComparingInt(p -> p));
      for (int p = 0; p < patches; p++) {
        if (p != fixed && hull[p].length > 1) {
          next[p] = efficiency(p, hull[p][0], hull[p][1]);
          heap.add(p);
        }
      }
      double critical = Double.NaN;
      List<Integer> refused = new ArrayList<>();
      boolean[] late = new boolean[patches];
      while (!heap.isEmpty()) {
        int p = heap.poll();
        int to = hull[p][step[p] + 1];
        BigDecimal after = total.subtract(cost[choice[p]]).add(cost[to]);
        if (after.compareTo(limit) > 0) {
          if (Double.isNaN(critical)) {
            critical = next[p];
          }
          refused.add(p);
          continue;
        }
        // A step taken after a refusal is one the LP solution would not take: its patch is in
        // doubt, like the refused ones, and joins the core first.
        late[p] = !refused.isEmpty();
        total = after;
        choice[p] = to;
        step[p]++;
        if (step[p] + 1 < hull[p].length) {
          next[p] = efficiency(p, to, hull[p][step[p] + 1]);
          heap.add(p);
        }
      }
      return new Greedy(total, critical, refused, late);
    }

    /**
     * Exhaustive search over the core: the patches whose trade-offs are closest to the critical
     * efficiency {@code lambda} (the LP multiplier), the only ones whose LP choice is in doubt.
     * Every other patch keeps its greedy choice. Patches join, closest first (distance {@code min
     * |ln(e / lambda)|} over the efficiencies e between any two of its frontier options; ties:
     * lower index), while the product of their frontier sizes stays within {@code leaves}.
     *
     * @param choice the greedy's choices; the core patches are updated in place
     * @return the new total cost
     */
    BigDecimal core(int[] choice, BigDecimal total, BigDecimal limit, Greedy greedy, int leaves) {
      double lambda = greedy.criticalEfficiency();
      double[] distance = new double[patches];
      List<Integer> candidates = new ArrayList<>();
      for (int p = 0; p < patches; p++) {
        int[] f = frontier[p];
        if (f.length < 2) {
          continue;
        }
        double d = Double.POSITIVE_INFINITY;
        int c = choice[p];
        for (int j : f) {
          if (j != c) {
            double e = costs[j] > costs[c] ? efficiency(p, c, j) : efficiency(p, j, c);
            d = Math.min(d, Math.abs(Math.log(e / lambda)));
          }
        }
        distance[p] = greedy.late()[p] ? -1 : d;
        candidates.add(p);
      }
      candidates.sort(
          Comparator.<Integer>comparingDouble(p -> distance[p]).thenComparingInt(p -> p));
      List<Integer> core = new ArrayList<>();
      long product = 1;
      for (int p : candidates) {
        if (product * frontier[p].length > leaves) {
          break;
        }
        product *= frontier[p].length;
        core.add(p);
      }
      BigDecimal rest = total;
      for (int p : core) {
        rest = rest.subtract(cost[choice[p]]);
      }
      CoreSearch search = new CoreSearch(core.stream().mapToInt(Integer::intValue).toArray());
      search.run(0, rest, 0, limit);
      for (int i = 0; i < search.members.length; i++) {
        choice[search.members[i]] = search.best[i];
      }
      return search.bestTotal;
    }

    /** Depth-first search of the core's frontier options, exact in cost. */
    private final class CoreSearch {
      final int[] members;
      final int[] current;
      int[] best;
      BigDecimal bestTotal;
      double bestMse = Double.POSITIVE_INFINITY;

      CoreSearch(int[] members) {
        this.members = members;
        this.current = new int[members.length];
      }

      void run(int depth, BigDecimal total, double sum, BigDecimal limit) {
        if (total.compareTo(limit) > 0) {
          return; // costs are non-negative: no completion can fit
        }
        if (depth == members.length) {
          if (sum < bestMse) {
            bestMse = sum;
            best = current.clone();
            bestTotal = total;
          }
          return;
        }
        int p = members[depth];
        for (int j : frontier[p]) {
          current[depth] = j;
          run(depth + 1, total.add(cost[j]), sum + (usable(p, j) ? mse[p][j] : 0), limit);
        }
      }
    }

    /**
     * Spends what the greedy left: single changes to any option that lowers a patch's MSE and fits,
     * largest reduction first (ties: patch, then subnet), at most one per patch.
     */
    BigDecimal fill(int[] choice, BigDecimal total, BigDecimal limit) {
      List<Move> moves = new ArrayList<>();
      BigDecimal left = limit.subtract(total);
      for (int p = 0; p < patches; p++) {
        int c = choice[p];
        if (!usable(p, c)) {
          continue;
        }
        for (int j = 0; j < subnets; j++) {
          if (usable(p, j)
              && mse[p][j] < mse[p][c]
              && cost[j].subtract(cost[c]).compareTo(left) <= 0) {
            moves.add(new Move(p, j, mse[p][c] - mse[p][j]));
          }
        }
      }
      moves.sort(
          Comparator.comparingDouble((Move m) -> -m.gain())
              .thenComparingInt(Move::patch)
              .thenComparingInt(Move::subnet));
      boolean[] changed = new boolean[patches];
      for (Move m : moves) {
        if (changed[m.patch()]) {
          continue;
        }
        BigDecimal after = total.subtract(cost[choice[m.patch()]]).add(cost[m.subnet()]);
        if (after.compareTo(limit) <= 0) {
          total = after;
          choice[m.patch()] = m.subnet();
          changed[m.patch()] = true;
        }
      }
      return total;
    }

    Allocation allocation(int[] choices, BigDecimal total, boolean withinBudget) {
      double sum = 0;
      int counted = 0;
      for (int p = 0; p < patches; p++) {
        if (usable(p, choices[p])) {
          sum += mse[p][choices[p]];
          counted++;
        }
      }
      return new Allocation(
          choices.clone(), total.doubleValue(), counted == 0 ? 0 : sum / counted, withinBudget);
    }
  }
}
