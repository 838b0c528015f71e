package dev.graft.gateway.agent.journal;

import java.util.Locale;

/** A floor was asked to go down; floors only rise, so the journal refused and kept its value. */
public final class FloorLoweringException extends JournalException {
  private static final long serialVersionUID = 1L;

  private final FloorKind kind;
  private final long current;
  private final long requested;

  private FloorLoweringException(FloorKind kind, long current, long requested) {
    super(
        kind.name().toLowerCase(Locale.ROOT)
            + " floor "
            + requested
            + " is below the journal's floor "
            + current
            + " — floors only rise (possible rollback); refusing and keeping "
            + current);
    this.kind = kind;
    this.current = current;
    this.requested = requested;
  }

  static FloorLoweringException of(FloorKind kind, long current, long requested) {
    return new FloorLoweringException(kind, current, requested);
  }

  public FloorKind kind() {
    return kind;
  }

  public long current() {
    return current;
  }

  public long requested() {
    return requested;
  }
}
