package io.sparklstm.jobs.train;

import io.sparklstm.jobs.config.TrainSection.LossCurveScale;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * The loss curve picture: training and validation loss per epoch, as a PNG (headless AWT), on a y
 * axis with round ticks, linear or log ({@link LossAxis}).
 */
final class LossCurve {
  private static final int WIDTH = 800;
  private static final int HEIGHT = 500;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;

  private LossCurve() {}

  /** {@code train[e]} and {@code validation[e]} (NaN where absent) for epochs 1..n. */
  static byte[] png(String title, double[] train, double[] validation, LossCurveScale scale) {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    LossAxis axis = LossAxis.of(scale, train, validation);
    int n = Math.max(train.length, 2);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    // grid and y labels
    FontMetrics metrics = g.getFontMetrics();
    for (LossAxis.Tick tick : axis.ticks()) {
      int y = TOP + plotH - (int) Math.round(plotH * axis.fraction(tick.value()));
      g.setColor(new Color(230, 230, 230));
      g.drawLine(LEFT, y, LEFT + plotW, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(tick.label(), LEFT - 8 - metrics.stringWidth(tick.label()), y + 4);
    }
    // x labels
    int step = Math.max(1, train.length / 10);
    for (int e = 1; e <= train.length; e += step) {
      int x = LEFT + (int) Math.round(plotW * (e - 1) / (double) (n - 1));
      g.drawString(Integer.toString(e), x - 4, TOP + plotH + 18);
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, plotW, plotH);
    g.drawString("epoch", LEFT + plotW / 2 - 15, HEIGHT - 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(axis.log() ? title + " (log scale)" : title, LEFT, 25);
    drawSeries(g, train, new Color(31, 119, 180), axis, n, plotW, plotH);
    drawSeries(g, validation, new Color(255, 127, 14), axis, n, plotW, plotH);
    // legend
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    legend(g, "training loss", new Color(31, 119, 180), 0);
    if (hasFinite(validation)) {
      legend(g, "validation loss", new Color(255, 127, 14), 1);
    }
    g.dispose();
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean hasFinite(double[] v) {
    for (double d : v) {
      if (Double.isFinite(d)) {
        return true;
      }
    }
    return false;
  }

  private static void legend(Graphics2D g, String label, Color color, int row) {
    int x = WIDTH - RIGHT - 150;
    int y = TOP + 20 + row * 18;
    g.setColor(color);
    g.setStroke(new BasicStroke(2.5f));
    g.drawLine(x, y - 4, x + 20, y - 4);
    g.setColor(Color.BLACK);
    g.drawString(label, x + 26, y);
  }

  private static void drawSeries(Graphics2D g, double[] v, Color color, LossAxis axis, int n, int plotW,
                                 int plotH) {
    g.setColor(color);
    g.setStroke(new BasicStroke(2.5f));
    int px = -1;
    int py = -1;
    for (int e = 0; e < v.length; e++) {
      double f = axis.fraction(v[e]);
      if (Double.isNaN(f)) {
        px = -1;
        continue;
      }
      int x = LEFT + (int) Math.round(plotW * e / (double) (n - 1));
      int y = TOP + plotH - (int) Math.round(plotH * f);
      g.fillOval(x - 3, y - 3, 6, 6);
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
  }
}
