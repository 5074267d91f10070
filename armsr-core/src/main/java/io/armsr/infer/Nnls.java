package io.armsr.infer;

/**
 * Non-negative least squares, {@code min ||A x - b||} subject to {@code x >= 0}, by the active-set
 * method of Lawson and Hanson (Solving Least Squares Problems, 1974, ch. 23). Small dense problems
 * only (the calibration fits 9 coefficients): each inner least-squares solve uses the normal
 * equations of the free columns, which are scaled to unit norm first so that an intercept and
 * counts in the hundreds are equally well conditioned.
 */
final class Nnls {
  private Nnls() {}

  /**
   * @param a {@code [row][column]}, finite
   * @param b {@code [row]}, finite
   * @return the solution, one value per column, every one {@code >= 0}; columns that are all zero
   *     get 0
   */
  static double[] solve(double[][] a, double[] b) {
    int m = a.length;
    if (m == 0 || b.length != m) {
      throw new IllegalArgumentException("need as many right-hand sides as rows, at least one");
    }
    int n = a[0].length;
    double[] norm = new double[n];
    for (double[] row : a) {
      if (row.length != n) {
        throw new IllegalArgumentException("rows of different lengths");
      }
      for (int j = 0; j < n; j++) {
        norm[j] += row[j] * row[j];
      }
    }
    // Scaled columns: A' = A D^-1 with D = diag(column norms); x = D^-1 x'.
    double[][] s = new double[m][n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        s[i][j] = norm[j] == 0 ? 0 : a[i][j] / Math.sqrt(norm[j]);
      }
    }
    double bNorm = 0;
    for (double v : b) {
      bNorm += v * v;
    }
    double tol = 1e-12 * Math.max(1, Math.sqrt(bNorm)) * Math.max(m, n);

    boolean[] free = new boolean[n];
    double[] x = new double[n];
    for (int outer = 0; outer < 3 * n + 3; outer++) {
      double[] w = gradient(s, b, x);
      int t = -1;
      for (int j = 0; j < n; j++) {
        if (!free[j] && norm[j] > 0 && w[j] > tol && (t < 0 || w[j] > w[t])) {
          t = j;
        }
      }
      if (t < 0) {
        break;
      }
      free[t] = true;
      while (true) {
        double[] z = leastSquares(s, b, free);
        if (z == null) {
          // The new column is dependent on the free ones: nothing to gain from it.
          free[t] = false;
          break;
        }
        boolean feasible = true;
        for (int j = 0; j < n; j++) {
          feasible &= !free[j] || z[j] > 0;
        }
        if (feasible) {
          x = z;
          break;
        }
        // Step from x towards z as far as stays feasible, and fix the columns that hit zero.
        double alpha = Double.POSITIVE_INFINITY;
        int hit = -1;
        for (int j = 0; j < n; j++) {
          if (free[j] && z[j] <= 0 && x[j] / (x[j] - z[j]) < alpha) {
            alpha = x[j] / (x[j] - z[j]);
            hit = j;
          }
        }
        for (int j = 0; j < n; j++) {
          x[j] += alpha * (z[j] - x[j]);
          if (free[j] && (j == hit || x[j] <= tol)) {
            free[j] = false;
            x[j] = 0;
          }
        }
      }
    }
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      out[j] = norm[j] == 0 ? 0 : Math.max(0, x[j]) / Math.sqrt(norm[j]);
    }
    return out;
  }

  /** {@code A^T (b - A x)}: minus half the gradient of the squared residual. */
  private static double[] gradient(double[][] a, double[] b, double[] x) {
    int n = x.length;
    double[] w = new double[n];
    for (int i = 0; i < a.length; i++) {
      double r = b[i];
      for (int j = 0; j < n; j++) {
        r -= a[i][j] * x[j];
      }
      for (int j = 0; j < n; j++) {
        w[j] += a[i][j] * r;
      }
    }
    return w;
  }

  /**
   * Unconstrained least squares over the free columns (the others 0), from the normal equations by
   * Gaussian elimination with partial pivoting; null if they are singular.
   */
  private static double[] leastSquares(double[][] a, double[] b, boolean[] free) {
    int n = free.length;
    int[] cols = new int[n];
    int k = 0;
    for (int j = 0; j < n; j++) {
      if (free[j]) {
        cols[k++] = j;
      }
    }
    double[][] g = new double[k][k + 1];
    for (int i = 0; i < a.length; i++) {
      double[] row = a[i];
      for (int p = 0; p < k; p++) {
        for (int q = 0; q < k; q++) {
          g[p][q] += row[cols[p]] * row[cols[q]];
        }
        g[p][k] += row[cols[p]] * b[i];
      }
    }
    for (int c = 0; c < k; c++) {
      int pivot = c;
      for (int r = c + 1; r < k; r++) {
        if (Math.abs(g[r][c]) > Math.abs(g[pivot][c])) {
          pivot = r;
        }
      }
      // Columns have unit norm, so the Gram matrix's scale is 1: a tiny pivot is a dependence.
      if (Math.abs(g[pivot][c]) < 1e-10) {
        return null;
      }
      double[] tmp = g[c];
      g[c] = g[pivot];
      g[pivot] = tmp;
      for (int r = 0; r < k; r++) {
        if (r != c) {
          double f = g[r][c] / g[c][c];
          for (int q = c; q <= k; q++) {
            g[r][q] -= f * g[c][q];
          }
        }
      }
    }
    double[] z = new double[n];
    for (int p = 0; p < k; p++) {
      z[cols[p]] = g[p][k] / g[p][p];
    }
    return z;
  }
}
