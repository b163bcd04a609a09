package org.dnckernels.scalar;

import org.dnckernels.BackendInfo;
import org.dnckernels.BackendProvider;
import org.dnckernels.DncKernels;

/** Service provider of the scalar reference backend: always available, lowest priority (100). */
public final class ScalarBackendProvider implements BackendProvider {
  private static final int PRIORITY = 100;

  /** Called by {@link java.util.ServiceLoader}. */
  public ScalarBackendProvider() {}

  @Override
  public String name() {
    return ScalarKernels.NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public BackendInfo probe() {
    return BackendInfo.available(ScalarKernels.NAME, PRIORITY, "reference, double accumulation");
  }

  @Override
  public DncKernels create() {
    return new ScalarKernels();
  }
}
