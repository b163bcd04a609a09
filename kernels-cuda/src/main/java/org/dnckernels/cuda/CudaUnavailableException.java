package org.dnckernels.cuda;

/**
 * Why CUDA cannot be used here (no driver, no device, a driver too old for the PTX, ...), with a hint when the
 * user can do something about it. Plain Java: the provider catches it without linking JCuda.
 */
final class CudaUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String hint;

  CudaUnavailableException(String reason, String hint) {
    super(reason);
    this.hint = hint;
  }

  CudaUnavailableException(String reason, String hint, Throwable cause) {
    super(reason, cause);
    this.hint = hint;
  }

  String reason() {
    return getMessage();
  }

  /** How to fix it, or null when there is nothing to do (e.g. no GPU in this machine). */
  String hint() {
    return hint;
  }
}
