package org.dnckernels.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import org.junit.jupiter.api.Test;

class PlotTest {
  @Test
  void whiskersSpanValuePlusMinusErrorCutAtTheAxis() {
    assertArrayEquals(new double[] {7, 13}, Plot.whisker(10, 3, 1, 100), 1e-12);
    // an error larger than the value: the bottom is the axis floor, not value / (1 + error / value)
    assertArrayEquals(new double[] {1, 25}, Plot.whisker(10, 15, 1, 100), 1e-12);
    assertArrayEquals(new double[] {0, 25}, Plot.whisker(10, 15, 0, 100), 1e-12);
    assertArrayEquals(new double[] {5, 100}, Plot.whisker(50, 60, 5, 100), 1e-12);
    assertArrayEquals(new double[] {5, 95}, Plot.whisker(50, 45, 1, 100), 1e-12);
  }

  @Test
  void barsStartAtZeroAndPointsSitBetweenDecades() {
    Plot bars = new Plot("t", "x", "y", Plot.Style.BARS_LINEAR).series("s", Color.GRAY, Plot.Marker.CIRCLE);
    bars.add("a", "s", 19.5, 2.5).add("b", "s", 100.6, 1.5);
    assertEquals(0, bars.yRange()[0]);
    assertEquals(120, bars.yRange()[1], 1e-9);

    Plot points = new Plot("t", "x", "y", Plot.Style.POINTS_LOG).series("s", Color.GRAY, Plot.Marker.CIRCLE);
    points.add("a", "s", 3.2, 0.4).add("b", "s", 45, 10).add("c", "s", -1, 0);
    assertArrayEquals(new double[] {1, 100}, points.yRange(), 1e-9);
    assertEquals(2, points.points().size(), "no non-positive value on a log axis");
    // a value or a reference line right on a decade gets a decade of room below it
    points.reference(1.0);
    assertEquals(0.1, points.yRange()[0], 1e-12);
  }
}
