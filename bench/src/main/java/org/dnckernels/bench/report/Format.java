package org.dnckernels.bench.report;

import java.util.Locale;

/** Numbers as the report prints them (dot decimals on every locale). */
final class Format {
  static final String NONE = "–";

  private Format() {}

  /** A time with a unit that keeps 3 significant digits: 850 ns, 12.3 µs, 4.56 ms. */
  static String nanos(double ns) {
    if (!Double.isFinite(ns)) {
      return NONE;
    }
    double a = Math.abs(ns);
    if (a < 1e3) {
      return sig(ns) + " ns";
    }
    if (a < 1e6) {
      return sig(ns / 1e3) + " µs";
    }
    if (a < 1e9) {
      return sig(ns / 1e6) + " ms";
    }
    return sig(ns / 1e9) + " s";
  }

  /** {@code value ± error} in the value's unit. */
  static String nanosWithError(double ns, double errorNs) {
    if (!Double.isFinite(errorNs)) {
      return nanos(ns);
    }
    double a = Math.abs(ns);
    double scale = a < 1e3 ? 1 : a < 1e6 ? 1e3 : a < 1e9 ? 1e6 : 1e9;
    String unit = a < 1e3 ? " ns" : a < 1e6 ? " µs" : a < 1e9 ? " ms" : " s";
    String value = sig(ns / scale);
    double error = errorNs / scale;
    // the error to the value's decimals, or one significant digit when it is smaller (at most two more)
    int decimals = value.contains(".") ? value.length() - value.indexOf('.') - 1 : 0;
    if (error > 0) {
      decimals = Math.max(decimals, Math.min(decimals + 2, (int) Math.ceil(-Math.log10(error))));
    }
    return value + " ± " + String.format(Locale.ROOT, "%." + decimals + "f", error) + unit;
  }

  /** 3 significant digits, no exponent for the ranges the report shows. */
  static String sig(double v) {
    if (!Double.isFinite(v)) {
      return NONE;
    }
    double a = Math.abs(v);
    if (a >= 100 || a == 0) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  static String gbps(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : NONE;
  }

  static String percent(double fraction) {
    return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.0f%%", 100 * fraction) : NONE;
  }

  static String speedup(double v, double error) {
    if (!Double.isFinite(v)) {
      return NONE;
    }
    return Double.isFinite(error)
        ? String.format(Locale.ROOT, "%.2f× ± %.2f", v, error)
        : String.format(Locale.ROOT, "%.2f×", v);
  }

  /** Allocation per call from which a row is flagged and explained: JMH's noise on microsecond calls stays well below it. */
  static final double ALLOCATION_FLAG_BYTES = 1024;

  /** Allocation per call (B/op from -prof gc), rounded to whole bytes. */
  static String allocation(double bytes) {
    return Double.isFinite(bytes) ? String.format(Locale.ROOT, "%.0f", bytes) : NONE;
  }

  /** Allocation per call, with † from {@value #ALLOCATION_FLAG_BYTES} bytes on (explained under the tables). */
  static String kernelAllocation(double bytes) {
    return allocation(bytes) + (Double.isFinite(bytes) && bytes >= ALLOCATION_FLAG_BYTES ? " †" : "");
  }

  /** 64 KiB, 4 MiB, 1.5 GiB. */
  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v))
        + " " + units[u];
  }
}
