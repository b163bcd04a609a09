package org.dnckernels.testing;

import java.util.Arrays;
import org.dnckernels.DncKernels;
import org.dnckernels.InterfaceValues;
import org.dnckernels.KernelMath;
import org.dnckernels.Tensor;

/**
 * A test-only backend that checks the suite itself: every kernel in plain float32 with sequential float sums
 * (the worst case the tolerances must admit), and tensors that, like a GPU's, cannot be wrapped: the suite must
 * reach them only through upload and copyTo. Not registered as a service.
 */
class NaiveFloatKernels extends DncKernels {
  static final String NAME = "naive-float";

  NaiveFloatKernels() {
    super(table(new NaiveMath()), backwardOnHostViews());
  }

  /**
   * The backwards: the scalar reference's, run on host views of the buffers (the suites still reach the buffers
   * only through upload and copyTo). The float-accumulation worst case is shown by the forward suites only.
   */
  private static KernelMath.BackwardTable backwardOnHostViews() {
    KernelMath.BackwardTable scalar = org.dnckernels.scalar.ScalarKernels.backwardTable();
    DncKernels host = new org.dnckernels.scalar.ScalarKernels();
    Class<?>[] families = {
      KernelMath.ContentAddressingBackward.class, KernelMath.MemoryWriteBackward.class,
      KernelMath.MemoryReadBackward.class, KernelMath.UsageBackward.class, KernelMath.AllocationBackward.class,
      KernelMath.WriteWeightingBackward.class, KernelMath.TemporalLinkageBackward.class,
      KernelMath.ReadModesBackward.class, KernelMath.NtmAddressingBackward.class,
      KernelMath.InterfaceSplitBackward.class
    };
    Object[] targets = {
      scalar.contentAddressing(), scalar.memoryWrite(), scalar.memoryRead(), scalar.usage(), scalar.allocation(),
      scalar.writeWeighting(), scalar.temporalLinkage(), scalar.readModes(), scalar.ntmAddressing(),
      scalar.interfaceSplit()
    };
    Object[] views = new Object[families.length];
    for (int f = 0; f < families.length; f++) {
      Object target = targets[f];
      views[f] = java.lang.reflect.Proxy.newProxyInstance(NaiveFloatKernels.class.getClassLoader(),
          new Class<?>[] {families[f]}, (proxy, method, args) -> {
            Object[] mapped = args.clone();
            for (int i = 0; i < mapped.length; i++) {
              if (mapped[i] instanceof Buffer b) {
                mapped[i] = host.wrap(b.data, 0, b.shape());
              } else if (mapped[i] instanceof InterfaceValues v) {
                mapped[i] = new InterfaceValues(view(host, v.readKeys()), view(host, v.readStrengths()),
                    view(host, v.writeKeys()), view(host, v.writeStrengths()), view(host, v.eraseVectors()),
                    view(host, v.writeVectors()), view(host, v.freeGates()), view(host, v.allocationGates()),
                    view(host, v.writeGates()), view(host, v.readModes()));
              }
            }
            try {
              return method.invoke(target, mapped);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }
    return new KernelMath.BackwardTable((KernelMath.ContentAddressingBackward) views[0],
        (KernelMath.MemoryWriteBackward) views[1], (KernelMath.MemoryReadBackward) views[2],
        (KernelMath.UsageBackward) views[3], (KernelMath.AllocationBackward) views[4],
        (KernelMath.WriteWeightingBackward) views[5], (KernelMath.TemporalLinkageBackward) views[6],
        (KernelMath.ReadModesBackward) views[7], (KernelMath.NtmAddressingBackward) views[8],
        (KernelMath.InterfaceSplitBackward) views[9]);
  }

  private static Tensor view(DncKernels host, Tensor t) {
    return host.wrap(((Buffer) t).data, 0, t.shape());
  }

  @Override
  protected void copyImpl(Tensor src, Tensor dst) {
    System.arraycopy(d(src), 0, d(dst), 0, src.size());
  }

  @Override
  protected void zero(Tensor t, int b0, int b1) {
    int perEntry = t.size() / t.dim(0);
    Arrays.fill(d(t), b0 * perEntry, b1 * perEntry, 0f);
  }

  private static KernelMath.Table table(NaiveMath m) {
    return new KernelMath.Table(m, m, m, m, m, m, m, m, m, m);
  }

  /** A "device" buffer: private storage, reachable only by copies. */
  static final class Buffer extends Tensor {
    final float[] data;

    Buffer(int... shape) {
      super(shape);
      data = new float[size()];
    }

    @Override
    public String backend() {
      return NAME;
    }

    @Override
    public void copyFrom(float[] src, int offset) {
      check(src, offset);
      System.arraycopy(src, offset, data, 0, size());
    }

    @Override
    public void copyTo(float[] dst, int offset) {
      check(dst, offset);
      System.arraycopy(data, 0, dst, offset, size());
    }

    private void check(float[] a, int offset) {
      if (a == null || offset < 0 || (long) offset + size() > a.length) {
        throw new IllegalArgumentException("array: needs " + size() + " floats from offset " + offset);
      }
    }

    @Override
    public void fill(float value) {
      Arrays.fill(data, value);
    }

    @Override
    public boolean overlaps(Tensor other) {
      return other instanceof Buffer b && b.data == data;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Tensor allocate(int... shape) {
    return new Buffer(shape);
  }

  @Override
  protected boolean owns(Tensor t) {
    return t instanceof Buffer;
  }

  private static float[] d(Tensor t) {
    return ((Buffer) t).data;
  }

  /** The whole naive math in one class: it computes whole batches only (the api never splits this backend's). */
  private static final class NaiveMath implements KernelMath.ContentAddressing, KernelMath.MemoryWrite,
      KernelMath.MemoryRead, KernelMath.Usage, KernelMath.Allocation, KernelMath.WriteWeighting,
      KernelMath.TemporalLinkage, KernelMath.ReadModes, KernelMath.NtmAddressing, KernelMath.InterfaceSplit {
    private static void whole(int b0, int b1, int batch) {
      if (b0 != 0 || b1 != batch) {
        throw new UnsupportedOperationException("naive-float computes whole batches only: [" + b0 + ", " + b1 + ")");
      }
    }

    @Override
    public void contentWeights(Tensor memory, Tensor keys, Tensor strengths, Tensor out, int b0, int b1) {
      whole(b0, b1, memory.dim(0));
      int b = memory.dim(0), n = memory.dim(1), w = memory.dim(2), h = keys.dim(1);
      float[] m = d(memory), k = d(keys), beta = d(strengths), o = d(out);
      float eps = EPSILON;
      for (int bi = 0; bi < b; bi++) {
        for (int hi = 0; hi < h; hi++) {
          int kb = (bi * h + hi) * w, ob = (bi * h + hi) * n;
          float kk = 0;
          for (int j = 0; j < w; j++) {
            kk += k[kb + j] * k[kb + j];
          }
          float kn = (float) Math.sqrt(kk + eps);
          float max = Float.NEGATIVE_INFINITY;
          for (int i = 0; i < n; i++) {
            int mb = (bi * n + i) * w;
            float dot = 0, mm = 0;
            for (int j = 0; j < w; j++) {
              dot += k[kb + j] * m[mb + j];
              mm += m[mb + j] * m[mb + j];
            }
            float x = beta[bi * h + hi] * (dot / (kn * (float) Math.sqrt(mm + eps) + eps));
            if (!(kn * (float) Math.sqrt(mm) < 0x1p126f)) {
              // the float sums may have overflowed: this one in double (the contract: finite for finite inputs)
              double dd = 0, kd = 0, md = 0;
              for (int j = 0; j < w; j++) {
                dd += (double) k[kb + j] * m[mb + j];
                kd += (double) k[kb + j] * k[kb + j];
                md += (double) m[mb + j] * m[mb + j];
              }
              double z = beta[bi * h + hi] * (dd / (Math.sqrt(kd + eps) * Math.sqrt(md + eps) + eps));
              x = (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, z));
            }
            o[ob + i] = x;
            max = Math.max(max, x);
          }
          float sum = 0;
          for (int i = 0; i < n; i++) {
            o[ob + i] = (float) Math.exp(o[ob + i] - max);
            sum += o[ob + i];
          }
          for (int i = 0; i < n; i++) {
            o[ob + i] /= sum;
          }
        }
      }
    }

    @Override
    public void eraseAndAdd(Tensor memory, Tensor writeWeights, Tensor erase, Tensor add, int b0, int b1) {
      whole(b0, b1, memory.dim(0));
      int b = memory.dim(0), n = memory.dim(1), w = memory.dim(2), wh = writeWeights.dim(1);
      float[] m = d(memory), ww = d(writeWeights), e = d(erase), a = d(add);
      for (int bi = 0; bi < b; bi++) {
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < w; j++) {
            float keep = 1, put = 0;
            for (int h = 0; h < wh; h++) {
              float wt = ww[(bi * wh + h) * n + i];
              keep *= 1 - wt * e[(bi * wh + h) * w + j];
              put += wt * a[(bi * wh + h) * w + j];
            }
            int k = (bi * n + i) * w + j;
            m[k] = m[k] * keep + put;
          }
        }
      }
    }

    @Override
    public void read(Tensor memory, Tensor readWeights, Tensor out, int b0, int b1) {
      whole(b0, b1, memory.dim(0));
      int b = memory.dim(0), n = memory.dim(1), w = memory.dim(2), r = readWeights.dim(1);
      float[] m = d(memory), rw = d(readWeights), o = d(out);
      for (int bi = 0; bi < b; bi++) {
        for (int ri = 0; ri < r; ri++) {
          for (int j = 0; j < w; j++) {
            float sum = 0;
            for (int i = 0; i < n; i++) {
              sum += rw[(bi * r + ri) * n + i] * m[(bi * n + i) * w + j];
            }
            o[(bi * r + ri) * w + j] = sum;
          }
        }
      }
    }

    @Override
    public void usage(
        Tensor prevUsage, Tensor prevWriteWeights, Tensor freeGates, Tensor prevReadWeights, Tensor out, int b0, int b1) {
      whole(b0, b1, prevUsage.dim(0));
      int b = prevUsage.dim(0), n = prevUsage.dim(1), wh = prevWriteWeights.dim(1), r = prevReadWeights.dim(1);
      float[] u = d(prevUsage), ww = d(prevWriteWeights), f = d(freeGates), rw = d(prevReadWeights), o = d(out);
      for (int bi = 0; bi < b; bi++) {
        for (int i = 0; i < n; i++) {
          float notWritten = 1, retention = 1;
          for (int h = 0; h < wh; h++) {
            notWritten *= 1 - ww[(bi * wh + h) * n + i];
          }
          for (int ri = 0; ri < r; ri++) {
            retention *= 1 - f[bi * r + ri] * rw[(bi * r + ri) * n + i];
          }
          float ui = u[bi * n + i];
          o[bi * n + i] = (ui + (1 - ui) * (1 - notWritten)) * retention;
        }
      }
    }

    @Override
    public void allocation(Tensor usage, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
      whole(b0, b1, usage.dim(0));
      int b = usage.dim(0), n = usage.dim(1), wh = writeGates.dim(1);
      float[] us = d(usage), gw = d(writeGates), ga = d(allocationGates), o = d(out);
      float eps = EPSILON;
      for (int bi = 0; bi < b; bi++) {
        float[] u = Arrays.copyOfRange(us, bi * n, (bi + 1) * n);
        for (int h = 0; h < wh; h++) {
          float[] remapped = new float[n];
          Integer[] order = new Integer[n];
          for (int i = 0; i < n; i++) {
            remapped[i] = eps + (1 - eps) * u[i];
            order[i] = i;
          }
          float[] key = u.clone();
          Arrays.sort(order, (x, y) -> Float.compare(key[x], key[y])); // stable: ties keep index order
          int ob = (bi * wh + h) * n;
          float product = 1;
          for (int j = 0; j < n; j++) {
            int slot = order[j];
            o[ob + slot] = (1 - remapped[slot]) * product;
            product *= remapped[slot];
          }
          float gate = ga[bi * wh + h] * gw[bi * wh + h];
          for (int i = 0; i < n; i++) {
            u[i] += (1 - u[i]) * gate * o[ob + i];
          }
        }
      }
    }

    @Override
    public void writeWeights(
        Tensor allocation, Tensor content, Tensor writeGates, Tensor allocationGates, Tensor out, int b0, int b1) {
      whole(b0, b1, allocation.dim(0));
      int rows = allocation.dim(0) * allocation.dim(1), n = allocation.dim(2);
      float[] a = d(allocation), c = d(content), gw = d(writeGates), ga = d(allocationGates), o = d(out);
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < n; i++) {
          int k = r * n + i;
          o[k] = gw[r] * (ga[r] * a[k] + (1 - ga[r]) * c[k]);
        }
      }
    }

    @Override
    public void precedence(Tensor precedence, Tensor writeWeights, int b0, int b1) {
      whole(b0, b1, precedence.dim(0));
      int rows = precedence.dim(0) * precedence.dim(1), n = precedence.dim(2);
      float[] p = d(precedence), w = d(writeWeights);
      for (int r = 0; r < rows; r++) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
          sum += w[r * n + i];
        }
        for (int i = 0; i < n; i++) {
          p[r * n + i] = Math.min(1f, Math.max(0f, 1 - sum) * p[r * n + i] + w[r * n + i]);
        }
      }
    }

    @Override
    public void linkUpdate(Tensor link, Tensor prevPrecedence, Tensor writeWeights, int b0, int b1) {
      whole(b0, b1, link.dim(0));
      int rows = link.dim(0) * link.dim(1), n = link.dim(2);
      float[] l = d(link), p = d(prevPrecedence), w = d(writeWeights);
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) {
            int k = (r * n + i) * n + j;
            float keep = Math.max(0f, 1 - w[r * n + i] - w[r * n + j]);
            l[k] = i == j ? 0 : Math.min(1f, keep * l[k] + w[r * n + i] * p[r * n + j]);
          }
        }
      }
    }

    @Override
    public void forwardBackward(Tensor link, Tensor prevReadWeights, Tensor forward, Tensor backward, int b0, int b1) {
      whole(b0, b1, link.dim(0));
      int b = link.dim(0), wh = link.dim(1), n = link.dim(2), r = prevReadWeights.dim(1);
      float[] l = d(link), w = d(prevReadWeights), f = d(forward), bk = d(backward);
      for (int bi = 0; bi < b; bi++) {
        for (int ri = 0; ri < r; ri++) {
          int wb = (bi * r + ri) * n;
          for (int h = 0; h < wh; h++) {
            int lb = (bi * wh + h) * n * n, ob = ((bi * r + ri) * wh + h) * n;
            for (int i = 0; i < n; i++) {
              float fs = 0, bs = 0;
              for (int j = 0; j < n; j++) {
                fs += l[lb + i * n + j] * w[wb + j];
                bs += l[lb + j * n + i] * w[wb + j];
              }
              f[ob + i] = fs;
              bk[ob + i] = bs;
            }
          }
        }
      }
    }

    @Override
    public void readModeMix(Tensor modes, Tensor backward, Tensor content, Tensor forward, Tensor out, int b0, int b1) {
      whole(b0, b1, modes.dim(0));
      int b = backward.dim(0), r = backward.dim(1), wh = backward.dim(2), n = backward.dim(3), m = 2 * wh + 1;
      float[] pi = d(modes), bk = d(backward), c = d(content), f = d(forward), o = d(out);
      for (int br = 0; br < b * r; br++) {
        for (int i = 0; i < n; i++) {
          float sum = 0;
          for (int h = 0; h < wh; h++) {
            sum += pi[br * m + h] * bk[(br * wh + h) * n + i];
          }
          sum += pi[br * m + wh] * c[br * n + i];
          for (int h = 0; h < wh; h++) {
            sum += pi[br * m + wh + 1 + h] * f[(br * wh + h) * n + i];
          }
          o[br * n + i] = Math.min(1f, sum);
        }
      }
    }

    @Override
    public void ntmInterpolate(Tensor content, Tensor previous, Tensor gate, Tensor out, int b0, int b1) {
      whole(b0, b1, content.dim(0));
      int rows = content.dim(0) * content.dim(1), n = content.dim(2);
      float[] c = d(content), p = d(previous), g = d(gate), o = d(out);
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < n; i++) {
          int k = r * n + i;
          o[k] = g[r] * c[k] + (1 - g[r]) * p[k];
        }
      }
    }

    @Override
    public void ntmShift(Tensor weights, Tensor shift, Tensor out, int b0, int b1) {
      whole(b0, b1, weights.dim(0));
      int rows = weights.dim(0) * weights.dim(1), n = weights.dim(2), width = shift.dim(2), k = width / 2;
      float[] w = d(weights), s = d(shift), o = d(out);
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < n; i++) {
          float sum = 0;
          for (int dd = -k; dd <= k; dd++) {
            sum += w[r * n + Math.floorMod(i - dd, n)] * s[r * width + dd + k];
          }
          o[r * n + i] = sum;
        }
      }
    }

    @Override
    public void ntmSharpen(Tensor weights, Tensor gamma, Tensor out, int b0, int b1) {
      whole(b0, b1, weights.dim(0));
      int rows = weights.dim(0) * weights.dim(1), n = weights.dim(2);
      float[] w = d(weights), g = d(gamma), o = d(out);
      for (int r = 0; r < rows; r++) {
        float max = 0;
        for (int i = 0; i < n; i++) {
          max = Math.max(max, w[r * n + i]);
        }
        if (max == 0) {
          Arrays.fill(o, r * n, (r + 1) * n, 1f / n);
          continue;
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
          o[r * n + i] = (float) Math.exp(g[r] * (float) Math.log(w[r * n + i] / max)); // exp(γ ln x) in float steps
          sum += o[r * n + i];
        }
        for (int i = 0; i < n; i++) {
          o[r * n + i] /= sum;
        }
      }
    }

    @Override
    public void interfaceSplit(Tensor raw, InterfaceValues out, int b0, int b1) {
      whole(b0, b1, raw.dim(0));
      int b = raw.dim(0), size = raw.dim(1), r = out.readKeys().dim(1), w = out.readKeys().dim(2);
      float[] x = d(raw);
      for (int bi = 0; bi < b; bi++) {
        int o = bi * size;
        System.arraycopy(x, o, d(out.readKeys()), bi * r * w, r * w);
        o += r * w;
        for (int i = 0; i < r; i++) {
          d(out.readStrengths())[bi * r + i] = oneplus(x[o++]);
        }
        System.arraycopy(x, o, d(out.writeKeys()), bi * w, w);
        o += w;
        d(out.writeStrengths())[bi] = oneplus(x[o++]);
        for (int i = 0; i < w; i++) {
          d(out.eraseVectors())[bi * w + i] = sigmoid(x[o++]);
        }
        System.arraycopy(x, o, d(out.writeVectors()), bi * w, w);
        o += w;
        for (int i = 0; i < r; i++) {
          d(out.freeGates())[bi * r + i] = sigmoid(x[o++]);
        }
        d(out.allocationGates())[bi] = sigmoid(x[o++]);
        d(out.writeGates())[bi] = sigmoid(x[o++]);
        for (int i = 0; i < r; i++) {
          float max = Math.max(x[o], Math.max(x[o + 1], x[o + 2])), sum = 0;
          float[] modes = d(out.readModes());
          for (int m = 0; m < 3; m++) {
            modes[(bi * r + i) * 3 + m] = (float) Math.exp(x[o + m] - max);
            sum += modes[(bi * r + i) * 3 + m];
          }
          for (int m = 0; m < 3; m++) {
            modes[(bi * r + i) * 3 + m] /= sum;
          }
          o += 3;
        }
      }
    }

    private static float oneplus(float x) {
      return 1 + Math.max(x, 0) + (float) Math.log1p((float) Math.exp(-Math.abs(x)));
    }

    private static float sigmoid(float x) {
      return 1 / (1 + (float) Math.exp(-x));
    }
  }
}
