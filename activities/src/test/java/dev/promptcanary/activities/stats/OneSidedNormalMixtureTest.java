package dev.promptcanary.activities.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OneSidedNormalMixtureTest {

  /**
   * V = 0.0004, tau = 0.05, alpha = 0.025, by hand: K = ln(1/0.05) + ln(0.0029/0.0004)/2 = 2.995732
   * + 0.990500 = 3.986232; z* solves z^2/2 + ln Phi(z) = K: z* = 2.824397 (ln Phi(2.8244) =
   * -0.002372); s = sqrt(0.0004 * 0.0029) / 0.05 = 0.0215407; radius = s z* = 0.060839.
   */
  @Test
  void radiusMatchesHandComputedValue() {
    assertEquals(0.060839, OneSidedNormalMixture.radius(0.0004, 0.05, 0.025), 2e-6);
    assertEquals(0.060839, OneSidedNormalMixture.exactRadius(0.0004, 0.05, 0.025), 2e-6);
  }

  /**
   * Without the ln Phi term the one-sided radius is the two-sided closed form at 2 alpha:
   * sqrt(V (V + tau^2) / tau^2 * (-2 ln(2 alpha) - ln(V / (V + tau^2)))); for the values above
   * sqrt(0.0004 * 7.25 * (5.991465 + 1.981001)) = 0.060821, a hair below the one-sided value.
   */
  @Test
  void oneSidedIsTheTwoSidedFormAtTwiceAlphaPlusATinyCorrection() {
    double closedForm = 0.060821;
    double radius = OneSidedNormalMixture.radius(0.0004, 0.05, 0.025);
    assertTrue(radius > closedForm, "the ln Phi term can only widen the bound");
    assertTrue(radius < closedForm * 1.001, "and only by a hair");
  }

  @Test
  void tailBoundShortcutIsConservativeAndTight() {
    for (double alpha : new double[] {0.000625, 0.001, 0.01, 0.045, 0.05, 0.1, 0.2}) {
      double slack = alpha <= 0.05 ? 2e-4 : alpha <= 0.1 ? 1.1e-3 : 1e-2;
      for (double variance : new double[] {1e-7, 1e-5, 1e-3, 0.1, 10}) {
        for (double tau : new double[] {0.001, 0.05, 1}) {
          double fast = OneSidedNormalMixture.radius(variance, tau, alpha);
          double exact = OneSidedNormalMixture.exactRadius(variance, tau, alpha);
          assertTrue(fast >= exact * (1 - 1e-12), "never narrower than the exact bound");
          assertTrue(fast <= exact * (1 + slack), "close to it: " + fast + " vs " + exact);
        }
      }
    }
  }

  @Test
  void radiusShrinksAsDataAccumulates() {
    double tau = OneSidedNormalMixture.tunedTau(0.045, 0.05);
    double previous = Double.POSITIVE_INFINITY;
    for (int n = 2; n < 200_000; n = n * 11 / 10 + 1) {
      double radius = OneSidedNormalMixture.radius(0.08 / n, tau, 0.045);
      assertTrue(radius < previous, "radius must fall with n, n = " + n);
      previous = radius;
    }
  }

  /**
   * alpha = 0.045: A = 2 ln(1 / 0.09) = 4.815891; the fixed point of r = A + ln(1 + r) is r =
   * 6.880251, so tau = effect * sqrt(r / (1 + r)) = 0.934398 * effect.
   */
  @Test
  void tunedTauMatchesHandComputedValue() {
    assertEquals(0.05 * 0.934398, OneSidedNormalMixture.tunedTau(0.045, 0.05), 1e-6);
  }

  @Test
  void tunedTauMinimisesTheRadiusWhereItMeetsTheEffect() {
    double alpha = 0.045;
    double effect = 0.05;
    double tau = OneSidedNormalMixture.tunedTau(alpha, effect);
    // Find the variance at which the tuned bound equals the effect ...
    double lo = 1e-8;
    double hi = 1;
    for (int i = 0; i < 200; i++) {
      double mid = Math.sqrt(lo * hi);
      if (OneSidedNormalMixture.radius(mid, tau, alpha) > effect) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    // ... no other tau gives a narrower bound there (up to the tiny ln Phi term).
    double best = OneSidedNormalMixture.radius(lo, tau, alpha);
    for (double factor : new double[] {0.7, 0.85, 0.95, 1.05, 1.2, 1.5}) {
      assertTrue(OneSidedNormalMixture.radius(lo, tau * factor, alpha) > best * (1 - 1e-4));
    }
  }

  @Test
  void rejectsMeaninglessArguments() {
    assertThrows(IllegalArgumentException.class, () -> OneSidedNormalMixture.radius(0, 1, 0.05));
    assertThrows(IllegalArgumentException.class, () -> OneSidedNormalMixture.radius(1, 0, 0.05));
    assertThrows(IllegalArgumentException.class, () -> OneSidedNormalMixture.radius(1, 1, 0.5));
    assertThrows(IllegalArgumentException.class, () -> OneSidedNormalMixture.tunedTau(0.05, 0));
  }
}
