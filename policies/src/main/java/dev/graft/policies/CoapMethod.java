package dev.graft.policies;

/** The CoAP methods a point may use: reads are GET, writes PUT or POST. */
public enum CoapMethod {
  GET,
  PUT,
  POST;

  /** The name used in manifests and grants. */
  public String wire() {
    return name();
  }
}
