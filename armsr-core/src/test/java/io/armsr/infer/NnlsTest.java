package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NnlsTest {

  @Test
  void handSolvedCaseWithAnActiveConstraint() {
    // min (x1 - 2)^2 + (x2 + 1)^2 + (x1 + x2 - 1)^2. Unconstrained: A^T A = [[2, 1], [1, 2]],
    // A^T b = [3, 0], x = [2, -1]. With x >= 0, x2 = 0 and x1 minimises (x1 - 2)^2 + (x1 - 1)^2:
    // x1 = 1.5; the gradient for x2 at that point, A_2^T r = -1 - 0.5 < 0, keeps it at 0.
    double[][] a = {{1, 0}, {0, 1}, {1, 1}};
    assertArrayEquals(new double[] {1.5, 0}, Nnls.solve(a, new double[] {2, -1, 1}), 1e-12);
  }

  @Test
  void interiorSolutionIsTheLeastSquaresSolution() {
    // Consistent system with positive solution [1, 2, 3]; columns of very different scales.
    double[][] a = {{1, 10, 100}, {1, 20, 300}, {1, 35, 200}, {1, 50, 900}};
    double[] x = {1, 2, 3};
    double[] b = new double[4];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 3; j++) {
        b[i] += a[i][j] * x[j];
      }
    }
    assertArrayEquals(x, Nnls.solve(a, b), 1e-9);
  }

  @Test
  void allNegativeTargetsGiveZeroAndZeroColumnsStayZero() {
    double[][] a = {{1, 0, 2}, {0, 0, 1}, {1, 0, 1}};
    assertArrayEquals(new double[3], Nnls.solve(a, new double[] {-1, -2, -3}), 0);
    // Identity with mixed signs: the positive entries, the negative ones clamped to 0.
    double[][] id = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    assertArrayEquals(new double[] {1, 0, 3}, Nnls.solve(id, new double[] {1, -2, 3}), 1e-12);
  }

  @Test
  void satisfiesTheOptimalityConditionsOnRandomProblems() {
    // KKT: x >= 0, w = A^T (b - A x) <= 0 everywhere, and w = 0 where x > 0.
    Random r = new Random(11);
    for (int t = 0; t < 300; t++) {
      int m = 2 + r.nextInt(12);
      int n = 1 + r.nextInt(9);
      double[][] a = new double[m][n];
      double[] b = new double[m];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          a[i][j] = r.nextInt(4) == 0 ? 0 : r.nextGaussian() * (1 + j);
        }
        b[i] = r.nextGaussian() * 5;
      }
      double[] x = Nnls.solve(a, b);
      double scale = 0;
      for (double v : b) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int j = 0; j < n; j++) {
        assertTrue(x[j] >= 0, "x negative in problem " + t);
        double w = 0;
        for (int i = 0; i < m; i++) {
          double res = b[i];
          for (int k = 0; k < n; k++) {
            res -= a[i][k] * x[k];
          }
          w += a[i][j] * res;
        }
        double colNorm = 0;
        for (int i = 0; i < m; i++) {
          colNorm += a[i][j] * a[i][j];
        }
        double tol = 1e-7 * (1 + scale) * Math.sqrt(colNorm + 1);
        assertTrue(w <= tol, "gradient " + w + " for column " + j + " in problem " + t);
        if (x[j] > 1e-9) {
          assertTrue(Math.abs(w) <= tol, "free column " + j + " not stationary in problem " + t);
        }
      }
    }
  }
}
