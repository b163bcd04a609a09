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

  /** {@code value ± error}, two decimals (GB/s). */
  static String gbpsWithError(double v, double error) {
    return Double.isFinite(error) ? gbps(v) + " ± " + gbps(error) : gbps(v);
  }

  static String percent(double fraction) {
    return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.0f%%", 100 * fraction) : NONE;
  }

  /** A speedup or other ratio of times: {@code 3.2× ± 0.4}, {@code not settled (14× ± 27)}, {@code 1.00×} exact. */
  static String times(Ratio r) {
    return ratio(r, 1, "×", "");
  }

  /** A fraction as a percentage: {@code 87% ± 15%}, {@code not settled (170% ± 151%)}. */
  static String percent(Ratio r) {
    return ratio(r, 100, "%", "%");
  }

  /** A ratio without a unit (backward / forward): {@code 2.64 ± 0.21}. */
  static String plain(Ratio r) {
    return ratio(r, 1, "", "");
  }

  /**
   * The value to the decimals of its error's first significant digit (two digits when that digit is 1; at least one
   * decimal below 10), then the error; {@code not settled (…)} around both when the error is more than half the value
   * ({@link Ratio#settled()}); an exact ratio to 2 decimals; an unknown error says so.
   */
  static String ratio(Ratio r, double scale, String unit, String errorUnit) {
    if (!r.isPresent()) {
      return NONE;
    }
    double v = r.value() * scale, e = r.error() * scale;
    if (e == 0) {
      return String.format(Locale.ROOT, scale == 100 ? "%.0f%s" : "%.2f%s", v, unit);
    }
    if (!Double.isFinite(e)) {
      return String.format(Locale.ROOT, "%s%s (error unknown)", sig(v), unit);
    }
    int magnitude = (int) Math.floor(Math.log10(e));
    int leading = (int) (e / Math.pow(10, magnitude));
    int decimals = Math.max(0, Math.min(3, -magnitude + (leading == 1 ? 1 : 0)));
    // a value below 10 keeps one decimal, so that 3.2 ± 2.1 does not round to 3 ± 2
    if (Math.abs(v) < 10 && !unit.equals("%")) {
      decimals = Math.max(decimals, 1);
    }
    String text = String.format(Locale.ROOT, "%." + decimals + "f%s ± %." + decimals + "f%s", v, unit, e, errorUnit);
    return r.settled() ? text : "not settled (" + text + ")";
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
