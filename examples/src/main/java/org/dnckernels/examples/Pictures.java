package org.dnckernels.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The two pictures of a run, drawn with java.awt only: the loss curve and one solved example. */
final class Pictures {
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

  private Pictures() {}

  /** Loss and bit errors per sequence against the iteration, each averaged over windows of iterations. */
  static void lossCurve(List<Double> losses, List<Double> bitErrors, Path file) throws IOException {
    int width = 900, height = 560, left = 70, right = 30, top = 30, gap = 50;
    int plotH = (height - top - gap - 50) / 2;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    int window = Math.max(1, losses.size() / 300);
    plot(g, average(losses, window), window, left, top, width - left - right, plotH, "loss (per sequence)",
        new Color(31, 119, 180));
    plot(g, average(bitErrors, window), window, left, top + plotH + gap, width - left - right, plotH,
        "bit errors per sequence", new Color(214, 39, 40));
    g.setColor(Color.DARK_GRAY);
    g.drawString("iteration", width / 2 - 25, height - 12);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static double[] average(List<Double> values, int window) {
    double[] out = new double[(values.size() + window - 1) / window];
    for (int i = 0; i < out.length; i++) {
      double s = 0;
      int n = 0;
      for (int j = i * window; j < Math.min(values.size(), (i + 1) * window); j++, n++) {
        s += values.get(j);
      }
      out[i] = s / n;
    }
    return out;
  }

  private static void plot(Graphics2D g, double[] y, int window, int x0, int y0, int w, int h, String title,
      Color color) {
    double max = 0;
    for (double v : y) {
      max = Math.max(max, v);
    }
    max = max > 0 ? max : 1;
    g.setColor(Color.DARK_GRAY);
    g.drawRect(x0, y0, w, h);
    g.drawString(title + (window > 1 ? " (mean of " + window + ")" : ""), x0 + 6, y0 - 8);
    for (int k = 0; k <= 4; k++) {
      int yy = y0 + h - k * h / 4;
      g.setColor(new Color(225, 225, 225));
      g.drawLine(x0 + 1, yy, x0 + w - 1, yy);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(Locale.ROOT, "%.2f", max * k / 4), x0 - 45, yy + 4);
    }
    int iterations = y.length * window;
    for (int k = 0; k <= 4; k++) {
      int xx = x0 + k * w / 4;
      g.drawString(Integer.toString(iterations * k / 4), xx - 12, y0 + h + 16);
    }
    g.setColor(color);
    g.setStroke(new BasicStroke(1.6f));
    for (int i = 1; i < y.length; i++) {
      int xa = x0 + (int) ((i - 1) * (double) w / Math.max(1, y.length - 1));
      int xb = x0 + (int) (i * (double) w / Math.max(1, y.length - 1));
      g.drawLine(xa, y0 + h - (int) (y[i - 1] / max * h), xb, y0 + h - (int) (y[i] / max * h));
    }
    g.setStroke(new BasicStroke(1f));
  }

  /**
   * Sequence 0 of {@code batch} after a recorded forward of {@code model}: input, target, output (σ of the logits)
   * and the write and read weightings over time, each a heat map with time across and channels or slots down.
   */
  static void example(CopySequences.Batch batch, DncModel model, Path file) throws IOException {
    DncModel.Sizes s = model.sizes();
    int steps = batch.steps(), bits = s.bits(), x = s.inputSize(), n = s.slots(), r = s.readHeads();
    float[][] out = model.probabilities();
    float[][] input = new float[x][steps], target = new float[bits][steps], output = new float[bits][steps];
    float[][] write = new float[n][steps];
    float[][][] read = new float[r][n][steps];
    for (int t = 0; t < steps; t++) {
      for (int j = 0; j < x; j++) {
        input[j][t] = batch.input()[t][j];
      }
      for (int j = 0; j < bits; j++) {
        target[j][t] = batch.target()[t][j];
        output[j][t] = batch.mask()[t][0] > 0 ? out[t][j] : 0f;
      }
      for (int i = 0; i < n; i++) {
        write[i][t] = model.writeWeights()[t][i];
        for (int h = 0; h < r; h++) {
          read[h][i][t] = model.readWeights()[t][h * n + i];
        }
      }
    }
    // two rows of panels, time across and channels or slots down: the sequence, then the memory's weightings
    int cw = Math.max(10, Math.min(28, 240 / steps)), bitH = cw, slotH = Math.max(6, Math.min(cw, 240 / n));
    String[][] names = new String[2][];
    float[][][][] maps = new float[2][][][];
    names[0] = new String[] {"input", "target", "output"};
    maps[0] = new float[][][] {input, target, output};
    names[1] = new String[1 + r];
    maps[1] = new float[1 + r][][];
    names[1][0] = "write weights";
    maps[1][0] = write;
    for (int h = 0; h < r; h++) {
      names[1][1 + h] = "read weights " + (h + 1);
      maps[1][1 + h] = read[h];
    }
    int pad = 24, titleH = 22, panelW = steps * cw;
    int width = pad + Math.max(3, 1 + r) * (panelW + pad);
    int rowA = titleH + x * bitH, rowB = titleH + n * slotH;
    int height = pad + rowA + pad + rowB + 40;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    int y = pad;
    for (int row = 0; row < 2; row++) {
      int cellH = row == 0 ? bitH : slotH;
      for (int m = 0; m < maps[row].length; m++) {
        int x0 = pad + m * (panelW + pad);
        g.setColor(Color.DARK_GRAY);
        g.drawString(names[row][m], x0, y + 14);
        float[][] map = maps[row][m];
        for (int i = 0; i < map.length; i++) {
          for (int t = 0; t < steps; t++) {
            g.setColor(heat(map[i][t]));
            g.fillRect(x0 + t * cw, y + titleH + i * cellH, cw - 1, cellH - 1);
          }
        }
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(x0 - 1, y + titleH - 1, panelW, map.length * cellH);
      }
      y += (row == 0 ? rowA : rowB) + pad;
    }
    g.setColor(Color.DARK_GRAY);
    g.drawString("time →  (one sequence of length " + batch.lengths()[0] + ": input, delimiter, output phase;"
        + " rows: channels, bits, memory slots; white 0, dark blue 1)", pad, height - 14);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  // white (0) to dark blue (1), values clamped to [0, 1]
  private static Color heat(float v) {
    float a = Math.max(0f, Math.min(1f, v));
    return new Color(Math.round(255 - 247 * a), Math.round(255 - 207 * a), Math.round(255 - 148 * a));
  }

  private static Graphics2D canvas(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setFont(FONT);
    return g;
  }
}
