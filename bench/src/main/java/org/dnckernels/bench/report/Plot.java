package org.dnckernels.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A category chart drawn with Java2D, in one of two honest forms: points on a log axis, or bars on a linear axis
 * that starts at zero (a bar's length means something only from zero). Whiskers span value ± error in data space
 * and are cut at the axis ends; a whisker cut at the bottom has no cap there, so the cut shows.
 */
final class Plot {
  enum Style {
    /** Markers on a log y axis from the decade below the smallest value. */
    POINTS_LOG,
    /** Bars on a linear y axis from zero. */
    BARS_LINEAR
  }

  enum Marker { CIRCLE, DIAMOND }

  record Series(String name, Color color, Marker marker) {}

  /** One value; {@code error} NaN (or 0) draws no whisker. */
  record Point(String category, String series, double value, double error) {}

  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font AXIS_TITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Color GRID = new Color(0xE4, 0xE4, 0xE4);
  private static final Color MINOR_GRID = new Color(0xF3, 0xF3, 0xF3);
  private static final double LABEL_ANGLE = Math.toRadians(40);
  private static final double LOG_PADDING = 1.3;

  private final String title, xTitle, yTitle;
  private final Style style;
  private final List<String> categories = new ArrayList<>();
  private final Map<String, Series> series = new LinkedHashMap<>();
  private final List<Point> points = new ArrayList<>();
  private final List<double[]> references = new ArrayList<>();

  Plot(String title, String xTitle, String yTitle, Style style) {
    this.title = title;
    this.xTitle = xTitle;
    this.yTitle = yTitle;
    this.style = style;
  }

  Plot series(String name, Color color, Marker marker) {
    series.putIfAbsent(name, new Series(name, color, marker));
    return this;
  }

  /** Adds a value (its category and series in first-seen order); non-finite or, on a log axis, non-positive ones are left out. */
  Plot add(String category, String seriesName, double value, double error) {
    if (!series.containsKey(seriesName)) {
      throw new IllegalArgumentException("unknown series " + seriesName);
    }
    if (!categories.contains(category)) {
      categories.add(category);
    }
    if (Double.isFinite(value) && (style == Style.BARS_LINEAR || value > 0)) {
      points.add(new Point(category, seriesName, value, error));
    }
    return this;
  }

  /** A dashed horizontal line at {@code y} (speedup 1). */
  Plot reference(double y) {
    references.add(new double[] {y});
    return this;
  }

  List<Point> points() {
    return points;
  }

  /**
   * The y range drawn: {lo, hi}. Log: the decades around every value, whisker top and reference line, with room when
   * one sits close to a decade line (whisker bottoms below are cut); linear: 0 to a round top.
   */
  double[] yRange() {
    double lo = Double.POSITIVE_INFINITY, hi = 0;
    for (Point p : points) {
      lo = Math.min(lo, p.value());
      hi = Math.max(hi, p.value() + (Double.isFinite(p.error()) ? p.error() : 0));
    }
    for (double[] r : references) {
      lo = Math.min(lo, r[0]);
      hi = Math.max(hi, r[0]);
    }
    if (style == Style.POINTS_LOG) {
      if (!Double.isFinite(lo)) {
        return new double[] {1, 10};
      }
      // a decade of room when a value or a whisker top sits within 30% of a decade line
      double a = Math.pow(10, Math.floor(Math.log10(lo / LOG_PADDING)));
      double b = Math.pow(10, Math.ceil(Math.log10(hi * LOG_PADDING)));
      return new double[] {a, Math.max(b, a * 10)};
    }
    double step = niceStep(hi > 0 ? hi : 1);
    return new double[] {0, Math.ceil(hi / step - 1e-9) * step};
  }

  /** Where a whisker is drawn: {bottom, top}, value ± error cut to the axis range. */
  static double[] whisker(double value, double error, double lo, double hi) {
    return new double[] {Math.max(value - error, lo), Math.min(value + error, hi)};
  }

  // a 1-2-5 step giving 4 to 8 ticks up to max
  private static double niceStep(double max) {
    double raw = max / 6, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
  }

  void write(Path png, int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      paint(g, width, height);
    } finally {
      g.dispose();
    }
    ImageIO.write(image, "png", png.toFile());
  }

  private void paint(Graphics2D g, int width, int height) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);

    double[] range = yRange();
    double lo = range[0], hi = range[1];
    boolean log = style == Style.POINTS_LOG;
    List<double[]> ticks = ticks(lo, hi);

    FontMetrics label = g.getFontMetrics(LABEL);
    int maxCategory = categories.stream().mapToInt(label::stringWidth).max().orElse(0);
    double plotWidthGuess = width - 300.0;
    boolean rotate = !categories.isEmpty() && maxCategory + 8 > plotWidthGuess / categories.size();
    int xLabelsHeight = rotate ? (int) Math.ceil(maxCategory * Math.sin(LABEL_ANGLE) + label.getHeight()) + 6
        : label.getHeight() + 6;
    int yLabelWidth = ticks.stream().filter(t -> t[1] > 0).mapToInt(t -> label.stringWidth(tickLabel(t[0])))
        .max().orElse(20);
    FontMetrics legendMetrics = g.getFontMetrics(LABEL);
    int legendWidth = series.keySet().stream().mapToInt(legendMetrics::stringWidth).max().orElse(0) + 40;

    int right = width - legendWidth - 20, top = 45;
    int left = 30 + yLabelWidth + 10;
    if (rotate) {
      // the first category's label runs left from its slot's middle: keep all of it on the image
      double slotGuess = (right - left) / (double) categories.size();
      int needed = left;
      for (int c = 0; c < categories.size(); c++) {
        needed = Math.max(needed, (int) Math.ceil(label.stringWidth(categories.get(c)) * Math.cos(LABEL_ANGLE)
            - (c + 0.5) * slotGuess + 8));
      }
      left = needed;
    }
    int bottom = height - xLabelsHeight - 35;
    Rectangle2D plot = new Rectangle2D.Double(left, top, right - left, bottom - top);

    // title
    g.setFont(TITLE);
    g.setColor(Color.BLACK);
    FontMetrics tm = g.getFontMetrics();
    g.drawString(title, (float) (width - tm.stringWidth(title)) / 2, 25);

    // grid and y labels
    g.setFont(LABEL);
    for (double[] t : ticks) {
      double y = yScreen(t[0], lo, hi, log, plot);
      g.setColor(t[1] > 0 ? GRID : MINOR_GRID);
      g.draw(new Line2D.Double(plot.getMinX(), y, plot.getMaxX(), y));
      if (t[1] > 0) {
        g.setColor(Color.DARK_GRAY);
        String s = tickLabel(t[0]);
        g.drawString(s, (float) (left - 6 - label.stringWidth(s)), (float) (y + label.getAscent() / 2.0 - 1));
      }
    }
    g.setColor(Color.GRAY);
    g.draw(plot);

    // y title, rotated
    g.setFont(AXIS_TITLE);
    FontMetrics am = g.getFontMetrics();
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.setColor(Color.BLACK);
    g.drawString(yTitle, (float) -(plot.getCenterY() + am.stringWidth(yTitle) / 2.0), 18f);
    g.setTransform(saved);
    g.drawString(xTitle, (float) (plot.getCenterX() - am.stringWidth(xTitle) / 2.0), height - 10f);

    // categories
    int n = Math.max(1, categories.size());
    double slot = plot.getWidth() / n;
    List<String> names = new ArrayList<>(series.keySet());
    double groupWidth = slot * 0.75, each = groupWidth / Math.max(1, names.size());
    g.setFont(LABEL);
    for (int c = 0; c < categories.size(); c++) {
      String s = categories.get(c);
      double x = plot.getMinX() + (c + 0.5) * slot;
      g.setColor(Color.DARK_GRAY);
      if (rotate) {
        AffineTransform t = g.getTransform();
        g.translate(x + 4, plot.getMaxY() + 8);
        g.rotate(-LABEL_ANGLE);
        g.drawString(s, -label.stringWidth(s), label.getAscent());
        g.setTransform(t);
      } else {
        g.drawString(s, (float) (x - label.stringWidth(s) / 2.0), (float) (plot.getMaxY() + 6 + label.getAscent()));
      }
    }

    // reference lines
    g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    g.setColor(Color.GRAY);
    for (double[] r : references) {
      double y = yScreen(r[0], lo, hi, log, plot);
      g.draw(new Line2D.Double(plot.getMinX(), y, plot.getMaxX(), y));
    }

    // values
    for (Point p : points) {
      int c = categories.indexOf(p.category()), s = names.indexOf(p.series());
      double x = plot.getMinX() + (c + 0.5) * slot - groupWidth / 2 + (s + 0.5) * each;
      Series sr = series.get(p.series());
      double y = yScreen(p.value(), lo, hi, log, plot);
      if (style == Style.BARS_LINEAR) {
        double w = Math.max(2, each * 0.85), zero = yScreen(0, lo, hi, log, plot);
        g.setColor(sr.color());
        g.fill(new Rectangle2D.Double(x - w / 2, Math.min(y, zero), w, Math.abs(zero - y)));
      }
      if (Double.isFinite(p.error()) && p.error() > 0) {
        double[] wk = whisker(p.value(), p.error(), lo, hi);
        double yb = yScreen(wk[0], lo, hi, log, plot), yt = yScreen(wk[1], lo, hi, log, plot);
        g.setStroke(new BasicStroke(1.3f));
        g.setColor(style == Style.BARS_LINEAR ? Color.BLACK : sr.color().darker());
        g.draw(new Line2D.Double(x, yb, x, yt));
        double cap = Math.min(5, each * 0.3);
        if (wk[1] == p.value() + p.error()) {
          g.draw(new Line2D.Double(x - cap, yt, x + cap, yt));
        }
        if (wk[0] == p.value() - p.error()) {
          g.draw(new Line2D.Double(x - cap, yb, x + cap, yb));
        }
      }
      if (style == Style.POINTS_LOG) {
        g.setColor(sr.color());
        g.fill(marker(sr.marker(), x, y, 4.5));
        g.setStroke(new BasicStroke(0.8f));
        g.setColor(sr.color().darker());
        g.draw(marker(sr.marker(), x, y, 4.5));
      }
    }

    // legend
    g.setFont(LABEL);
    int ly = top + 10;
    for (Series s : series.values()) {
      g.setColor(s.color());
      if (style == Style.BARS_LINEAR) {
        g.fillRect(right + 20, ly - 9, 12, 12);
      } else {
        g.fill(marker(s.marker(), right + 26, ly - 3, 5));
      }
      g.setColor(Color.BLACK);
      g.drawString(s.name(), right + 38, ly + 2);
      ly += 20;
    }
  }

  private static Shape marker(Marker m, double x, double y, double r) {
    if (m == Marker.DIAMOND) {
      Path2D.Double d = new Path2D.Double();
      d.moveTo(x, y - r * 1.3);
      d.lineTo(x + r * 1.3, y);
      d.lineTo(x, y + r * 1.3);
      d.lineTo(x - r * 1.3, y);
      d.closePath();
      return d;
    }
    return new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r);
  }

  private static double yScreen(double v, double lo, double hi, boolean log, Rectangle2D plot) {
    double f = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
    return plot.getMaxY() - f * plot.getHeight();
  }

  /** {value, 1 if labelled else 0}: log axes label decades (and 2, 5 within up to 2 decades); linear 1-2-5 steps. */
  private List<double[]> ticks(double lo, double hi) {
    List<double[]> out = new ArrayList<>();
    if (style == Style.POINTS_LOG) {
      int decades = (int) Math.round(Math.log10(hi / lo));
      for (double d = lo; d < hi * 1.0001; d *= 10) {
        for (int m = 1; m <= 9; m++) {
          double v = d * m;
          if (v > hi * 1.0001) {
            break;
          }
          boolean labelled = m == 1 || (decades <= 2 && (m == 2 || m == 5));
          out.add(new double[] {v, labelled ? 1 : 0});
        }
      }
      return out;
    }
    double step = niceStep(hi);
    for (double v = 0; v <= hi * 1.0001; v += step) {
      out.add(new double[] {v, 1});
    }
    return out;
  }

  private static String tickLabel(double v) {
    return new DecimalFormat(v != 0 && Math.abs(v) < 0.01 ? "0.###E0" : "#,##0.###",
        DecimalFormatSymbols.getInstance(Locale.ROOT)).format(v);
  }
}
