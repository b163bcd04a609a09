package org.dnckernels.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RatioTest {
  @Test
  void relativeErrorsOfBothValuesAddInQuadrature() {
    // 300 ± 3 (1%) over 50 ± 1 (2%): 6 ± 6·√(0.01² + 0.02²)
    Ratio r = Ratio.of(300, 3, 50, 1);
    assertEquals(6.0, r.value(), 1e-12);
    assertEquals(6.0 * Math.hypot(0.01, 0.02), r.error(), 1e-12);
    // an exact denominator leaves the numerator's relative error
    assertEquals(0.5, Ratio.of(8, 1, 2, 0).error(), 1e-12);
    // a missing error makes the ratio's unknown, not zero
    assertTrue(Double.isNaN(Ratio.of(8, Double.NaN, 2, 0.1).error()));
  }

  @Test
  void geometricMeanCarriesTheErrorOfTheMeanOfTheLogs() {
    Ratio g = Ratio.geometricMean(List.of(new Ratio(6, 0.6), new Ratio(4, 0.2)));
    assertEquals(Math.sqrt(24), g.value(), 1e-12);
    assertEquals(Math.sqrt(24) * Math.hypot(0.1, 0.05) / 2, g.error(), 1e-12);
  }

  @Test
  void aRatioIsNotSettledWhenItsErrorIsMoreThanHalfItsValue() {
    assertTrue(new Ratio(3.2, 0.4).settled());
    assertTrue(new Ratio(3.2, 1.6).settled(), "exactly half is still settled");
    assertFalse(new Ratio(3.2, 1.61).settled());
    assertFalse(new Ratio(3.2, Double.NaN).settled(), "an unknown error settles nothing");
    assertTrue(Ratio.exact(1).settled());
  }

  @Test
  void formatsTheErrorToItsFirstDigitAndSaysWhenNotSettled() {
    assertEquals("3.2× ± 0.4", Format.times(new Ratio(3.21, 0.4)));
    assertEquals("6.00× ± 0.13", Format.times(new Ratio(6, 0.134)));
    assertEquals("16× ± 5", Format.times(new Ratio(15.76, 5.1)));
    assertEquals("not settled (3.2× ± 2.1)", Format.times(new Ratio(3.2, 2.1)));
    assertEquals("not settled (14× ± 27)", Format.times(new Ratio(14.2, 26.86)));
    assertEquals("2.9× ± 1.0", Format.times(new Ratio(2.93, 0.99)));
    assertEquals("1.00×", Format.times(Ratio.exact(1)));
    assertEquals("2.00× (error unknown)", Format.times(new Ratio(2, Double.NaN)));
    assertEquals("87% ± 15%", Format.percent(new Ratio(0.87, 0.15)));
    assertEquals("not settled (170% ± 151%)", Format.percent(new Ratio(1.70, 1.51)));
    assertEquals("2.6 ± 0.2", Format.plain(new Ratio(2.64, 0.21)));
    assertEquals(Format.NONE, Format.times(Ratio.none()));
  }
}
