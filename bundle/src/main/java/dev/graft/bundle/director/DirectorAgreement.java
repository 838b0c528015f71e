package dev.graft.bundle.director;

import dev.graft.bundle.DirectorDisagreementException;
import dev.graft.bundle.DowngradeException;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.director.Agreement.Agreed;
import dev.graft.bundle.director.Agreement.Reason;
import dev.graft.bundle.director.Agreement.Refused;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides which bundle a gateway may install: the one target its director metadata names, when the
 * image repository lists the same path with the same length, SHA-256 and SHA-512, for this
 * gateway's hardware, with a release counter not below the gateway's floor. A compromised director
 * alone cannot install unsigned code or an old release; a compromised release key alone cannot push
 * code to gateways.
 */
public final class DirectorAgreement {
  /** Director targets under this prefix are grants, not bundles. */
  public static final String GRANTS_PREFIX = "grants/";

  private static final List<String> REQUIRED_HASHES = List.of("sha256", "sha512");

  private DirectorAgreement() {}

  /**
   * @param director the director's verified top-level targets for this gateway
   * @param imageLookup finds a path in the verified image repository (delegations included)
   * @param hardwareId this gateway's hardware id
   * @param floor the release counter of the gateway's last committed module
   */
  public static Agreement decide(
      Targets director,
      Function<String, Optional<TargetFile>> imageLookup,
      String hardwareId,
      long floor) {
    List<TargetFile> bundles =
        director.targets().values().stream()
            .filter(t -> !t.path().startsWith(GRANTS_PREFIX))
            .toList();
    if (bundles.isEmpty()) {
      return new Refused(
          Reason.NO_TARGET,
          "director targets version " + director.version() + " name no bundle for this gateway");
    }
    if (bundles.size() > 1) {
      return new Refused(
          Reason.AMBIGUOUS,
          "director targets version "
              + director.version()
              + " name "
              + bundles.size()
              + " bundles; a gateway runs exactly one");
    }
    TargetFile wanted = bundles.getFirst();
    Optional<TargetFile> released = imageLookup.apply(wanted.path());
    if (released.isEmpty()) {
      return new Refused(
          Reason.NOT_RELEASED,
          "director names '" + wanted.path() + "', which the image repository does not list");
    }
    TargetFile image = released.get();
    if (image.length() != wanted.length()) {
      return new Refused(
          Reason.DIFFERENT_CONTENT,
          "'"
              + wanted.path()
              + "': director says "
              + wanted.length()
              + " bytes, image repository says "
              + image.length());
    }
    for (String algorithm : REQUIRED_HASHES) {
      String fromDirector = wanted.hashes().get(algorithm);
      String fromImage = image.hashes().get(algorithm);
      if (fromDirector == null || fromImage == null) {
        return new Refused(
            Reason.DIFFERENT_CONTENT,
            "'" + wanted.path() + "': both repositories must list a " + algorithm + " hash");
      }
      if (!sameDigest(fromDirector, fromImage)) {
        return new Refused(
            Reason.DIFFERENT_CONTENT,
            "'"
                + wanted.path()
                + "': director "
                + algorithm
                + " "
                + fromDirector
                + " differs from image repository "
                + fromImage);
      }
    }
    ReleaseInfo release;
    try {
      release = ReleaseInfo.fromTarget(image);
    } catch (JsonFormatException e) {
      return new Refused(Reason.MALFORMED, String.valueOf(e.getMessage()));
    }
    if (!release.hardware().contains(hardwareId)) {
      return new Refused(
          Reason.WRONG_HARDWARE,
          "'"
              + wanted.path()
              + "' is released for "
              + release.hardware()
              + ", not for hardware '"
              + hardwareId
              + "'");
    }
    if (release.releaseCounter() < floor) {
      return new Refused(
          Reason.BELOW_FLOOR,
          DowngradeException.message(wanted.path(), release.releaseCounter(), floor));
    }
    return new Agreed(image, release);
  }

  /** Like {@link #decide}, throwing the rule's exception instead of returning a refusal. */
  public static Agreed require(
      Targets director,
      Function<String, Optional<TargetFile>> imageLookup,
      String hardwareId,
      long floor) {
    return switch (decide(director, imageLookup, hardwareId, floor)) {
      case Agreed agreed -> agreed;
      case Refused(Reason reason, String message) when reason == Reason.BELOW_FLOOR ->
          throw downgrade(director, imageLookup, floor);
      case Refused refused -> throw new DirectorDisagreementException(refused.message());
    };
  }

  /**
   * The typed refusal for a {@link Reason#BELOW_FLOOR} decision, which reached that point only with
   * exactly one bundle the image repository lists with readable release information.
   */
  private static DowngradeException downgrade(
      Targets director, Function<String, Optional<TargetFile>> imageLookup, long floor) {
    TargetFile wanted =
        director.targets().values().stream()
            .filter(t -> !t.path().startsWith(GRANTS_PREFIX))
            .findFirst()
            .orElseThrow();
    TargetFile image = imageLookup.apply(wanted.path()).orElseThrow();
    return DowngradeException.of(
        wanted.path(), ReleaseInfo.fromTarget(image).releaseCounter(), floor);
  }

  private static boolean sameDigest(String a, String b) {
    try {
      return MessageDigest.isEqual(HexFormat.of().parseHex(a), HexFormat.of().parseHex(b));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
