package dev.promptcanary.activities.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UnitSumsTest {

  /**
   * Three sessions of 2, 1 and 3 requests with 1, 1 and 0 errors. n = 6, s = 2, R = 1/3. Over the
   * units: mean N = 2, Var(N) = (0 + 1 + 1) / 2 = 1; mean S = 2/3, Var(S) = (1/9 + 1/9 + 4/9) / 2 =
   * 1/3; Cov(S, N) = (0 + (1/3)(-1) + (-2/3)(1)) / 2 = -1/2. Var(R) = (1/3 - 2 (1/3)(-1/2) + (1/9)
   * 1) / (3 * 2^2) = (7/9) / 12 = 7/108. The same from the residuals S_u - R N_u = 1/3, 2/3, -1:
   * (14/9) / 2 / 12 = 7/108.
   */
  @Test
  void deltaMethodVarianceOfUnequalUnitsMatchesHandComputation() {
    UnitSums sums = UnitSums.ofUnits(new double[] {2, 1, 3}, new double[] {1, 1, 0});
    assertEquals(3, sums.units());
    assertEquals(6, sums.n(), 0);
    assertEquals(2, sums.s(), 0);
    assertEquals(14, sums.nn(), 0);
    assertEquals(2, sums.ss(), 0);
    assertEquals(3, sums.ns(), 0);
    assertEquals(1.0 / 3, sums.mean(), 1e-15);
    assertEquals(2, sums.itemsPerUnit(), 0);
    assertEquals(7.0 / 108, sums.varianceOfMean(), 1e-15);
  }

  /**
   * Judge score sums of four sessions: (N, S) = (1, 0.9), (4, 2.0), (2, 1.5), (1, 0.2). n = 8, s =
   * 4.6, R = 0.575. Residuals S_u - R N_u = 0.325, -0.3, 0.35, -0.375, squares summing to 0.45875;
   * mean N = 2. Var(R) = 0.45875 / 3 / (4 * 4) = 0.0095573.
   */
  @Test
  void deltaMethodVarianceOfScoreSums() {
    UnitSums sums = UnitSums.ofUnits(new double[] {1, 4, 2, 1}, new double[] {0.9, 2.0, 1.5, 0.2});
    assertEquals(0.575, sums.mean(), 1e-12);
    assertEquals(0.45875 / 3 / 16, sums.varianceOfMean(), 1e-12);
  }

  /** One item per unit: varN = cov = 0, so the variance is the textbook s^2 / n. */
  @Test
  void oneItemUnitsGiveTheIidVariance() {
    double[] values = {0.2, 0.9, 0.5, 0.7, 0.4};
    Moments m = Moments.of(values);
    UnitSums iid = UnitSums.iid(m);
    UnitSums explicit = UnitSums.ofUnits(new double[] {1, 1, 1, 1, 1}, values);
    assertEquals(explicit, iid);
    // mean 0.54, squared deviations 0.1156 + 0.1296 + 0.0016 + 0.0256 + 0.0196 = 0.292,
    // s^2 = 0.073, s^2 / n = 0.0146.
    assertEquals(0.073, m.variance(), 1e-12);
    assertEquals(0.0146, iid.varianceOfMean(), 1e-12);
    assertEquals(1, iid.designEffect(m.variance()), 1e-12);
    // A rate: 3 events in 10 independent requests, p(1-p)/n up to the n/(n-1) of s^2.
    UnitSums rate = UnitSums.iid(new Proportion(10, 3));
    assertEquals(0.3 * 0.7 / 9, rate.varianceOfMean(), 1e-12);
  }

  /**
   * Sessions whose requests are all alike (rho = 1): four sessions of 3 requests, each session's
   * requests all errored or all fine (2 of 4 sessions). R = 0.5; the residuals S_u - R N_u are
   * +-1.5, so Var(R) = 4 * 2.25 / 3 / (4 * 9) = 1/12: the variance of a mean of K = 4 session rates
   * (s^2 = 1/3 over the sessions), as if there were 4 observations, not 12. With 1,000 such
   * sessions it is 0.25 / 999 against the 0.25 / 3000 of 3,000 independent requests: the design
   * effect 1 + (m - 1) rho = 3 (times K / (K - 1)).
   */
  @Test
  void perfectlyCorrelatedSessionsCountAsOneRequestEach() {
    UnitSums four = UnitSums.ofUnits(new double[] {3, 3, 3, 3}, new double[] {3, 0, 3, 0});
    assertEquals(1.0 / 12, four.varianceOfMean(), 1e-15);
    UnitSums many = UnitSums.EMPTY;
    for (int u = 0; u < 1_000; u++) {
      many = many.plusUnit(3, u % 2 == 0 ? 3 : 0);
    }
    assertEquals(0.25 / 999, many.varianceOfMean(), 1e-15);
    assertEquals(3 * 1000.0 / 999, many.designEffect(0.25), 1e-12);
  }

  /**
   * 20,000 sessions of m = 5 scores with intra-session correlation rho = 0.3 (a session effect of
   * variance 0.3 plus request noise of variance 0.7): the delta-method variance is the iid one
   * times 1 + (m - 1) rho = 2.2. The estimate's sampling error at 20,000 sessions is about 1%.
   */
  @Test
  void clusteredSessionsShowTheDesignEffect() {
    SplittableRandom rng = new SplittableRandom(42);
    int sessions = 20_000;
    int m = 5;
    double rho = 0.3;
    double[] counts = new double[sessions];
    double[] sums = new double[sessions];
    Moments perRequest = Moments.EMPTY;
    for (int u = 0; u < sessions; u++) {
      double effect = Math.sqrt(rho) * rng.nextGaussian();
      counts[u] = m;
      for (int i = 0; i < m; i++) {
        double x = effect + Math.sqrt(1 - rho) * rng.nextGaussian();
        sums[u] += x;
        perRequest = perRequest.plus(x);
      }
    }
    UnitSums clustered = UnitSums.ofUnits(counts, sums);
    double deff = clustered.designEffect(perRequest.variance());
    assertEquals(1 + (m - 1) * rho, deff, 0.06);
    // Ignoring the sessions would understate the variance by that factor.
    double iid = UnitSums.iid(perRequest).varianceOfMean();
    assertTrue(clustered.varianceOfMean() > 2 * iid, clustered.varianceOfMean() + " vs " + iid);
  }

  /**
   * Arm A: the three sessions above, RSS = 14/9, Var = 7/108. Arm B: three one-request sessions
   * with S = 1, 0, 0: R = 1/3, RSS = 4/9 + 1/9 + 1/9 = 6/9, Var = (6/9) / 2 / 3 = 12/108. Pooled
   * residual variance (14/9 + 6/9) / (6 - 2) = 5/9. For A: 5/9 / (3 * 2^2) = 5/108 < 7/108, so A
   * keeps its own; for B: 5/9 / (3 * 1) = 20/108 > 12/108, so B takes the pooled one.
   */
  @Test
  void pooledVarianceIsTheLargerOfOwnAndPooledResiduals() {
    UnitSums a = UnitSums.ofUnits(new double[] {2, 1, 3}, new double[] {1, 1, 0});
    UnitSums b = UnitSums.ofUnits(new double[] {1, 1, 1}, new double[] {1, 0, 0});
    assertEquals(14.0 / 9, a.residualSumOfSquares(), 1e-12);
    assertEquals(6.0 / 9, b.residualSumOfSquares(), 1e-12);
    assertEquals(7.0 / 108, a.varianceOfMeanPooledWith(b), 1e-15);
    assertEquals(12.0 / 108, b.varianceOfMean(), 1e-15);
    assertEquals(20.0 / 108, b.varianceOfMeanPooledWith(a), 1e-15);
  }

  @Test
  void plusAddsDisjointUnitsAndEmptyUnitsAddNothing() {
    UnitSums a = UnitSums.ofUnits(new double[] {2, 1}, new double[] {1, 1});
    UnitSums b = UnitSums.ofUnits(new double[] {3}, new double[] {0});
    assertEquals(UnitSums.ofUnits(new double[] {2, 1, 3}, new double[] {1, 1, 0}), a.plus(b));
    assertEquals(a, a.plusUnit(0, 0));
    assertEquals(0, UnitSums.EMPTY.varianceOfMean(), 0);
    assertEquals(0, UnitSums.EMPTY.mean(), 0);
    assertEquals(0, b.varianceOfMean(), 0, "one unit: no variance estimate");
  }

  @Test
  void rejectsImpossibleSums() {
    assertThrows(IllegalArgumentException.class, () -> new UnitSums(-1, 0, 0, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new UnitSums(0, 3, 1, 9, 1, 3));
    assertThrows(IllegalArgumentException.class, () -> new UnitSums(1, Double.NaN, 0, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new UnitSums(1, 1, 0, -1, 0, 0));
  }
}
