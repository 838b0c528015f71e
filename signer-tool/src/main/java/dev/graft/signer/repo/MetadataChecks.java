package dev.graft.signer.repo;

import dev.graft.bundle.TrustException;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.keys.Verifier;
import dev.graft.bundle.keys.Verifiers;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signature;
import dev.graft.bundle.metadata.SignedMetadata;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks a repository's files must pass: signatures against a role's keys and threshold,
 * lengths and hashes against the metadata that names a file, and the one refusal ({@link
 * #tampered}) for a file that fails them.
 */
public final class MetadataChecks {
  private MetadataChecks() {}

  static boolean meets(SignedMetadata<?> metadata, Root root, RoleType role) {
    return validSigners(metadata, roleKeys(root, role)).size() >= root.role(role).threshold();
  }

  static Set<String> validSigners(SignedMetadata<?> metadata, Map<String, TufKey> keys) {
    byte[] message = metadata.canonicalSigned();
    Set<String> fingerprints = new HashSet<>();
    Set<String> signers = new LinkedHashSet<>();
    for (Signature signature : metadata.signatures()) {
      TufKey key = keys.get(signature.keyId());
      if (key == null) {
        continue;
      }
      Optional<Verifier> verifier = Verifiers.forKey(key);
      Optional<byte[]> bytes = signature.bytes();
      if (verifier.isPresent()
          && bytes.isPresent()
          && verifier.get().verify(message, bytes.get())
          && fingerprints.add(verifier.get().fingerprint())) {
        signers.add(signature.keyId());
      }
    }
    return signers;
  }

  /** The keys root lists for a role, by key id (ids root does not define are left out). */
  static Map<String, TufKey> roleKeys(Root root, RoleType role) {
    Map<String, TufKey> keys = new LinkedHashMap<>();
    for (String id : root.role(role).keyIds()) {
      TufKey key = root.keys().get(id);
      if (key != null) {
        keys.put(id, key);
      }
    }
    return keys;
  }

  static void requireThreshold(
      Path file, SignedMetadata<?> metadata, Root keysFrom, RoleType role, String whose) {
    Role entry = keysFrom.role(role);
    Map<String, TufKey> keys = roleKeys(keysFrom, role);
    int valid = validSigners(metadata, keys).size();
    if (valid < entry.threshold()) {
      throw tampered(
          file,
          "it has "
              + valid
              + " valid signature(s) by the "
              + role.typeName()
              + " keys of "
              + whose
              + ", which requires "
              + entry.threshold());
    }
  }

  static void requireMeta(Path file, byte[] bytes, MetaFile meta, String namedBy) {
    if (meta.length().isPresent() && meta.length().getAsLong() != bytes.length) {
      throw tampered(
          file,
          "it is " + bytes.length + " bytes but " + namedBy + " says " + meta.length().getAsLong());
    }
    for (Map.Entry<String, String> hash : meta.hashes().entrySet()) {
      String algorithm =
          switch (hash.getKey()) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> null;
          };
      if (algorithm != null && !RepoFiles.hex(algorithm, bytes).equals(hash.getValue())) {
        throw tampered(file, "its " + hash.getKey() + " is not the one " + namedBy + " names");
      }
    }
  }

  /** The documented refusal for a repository file that fails a check (docs/cli.md). */
  public static RepoException tampered(Path file, String why) {
    return new RepoException(
        file
            + " does not verify: "
            + why
            + ". The file was changed after it was signed, or is damaged; restore it from a"
            + " backup or the published copy, and do not sign or publish until it verifies");
  }

  interface Parse<T> {
    T get();
  }

  static <T> T parse(Path file, Parse<T> parse) {
    try {
      return parse.get();
    } catch (TrustException e) {
      throw tampered(file, String.valueOf(e.getMessage()));
    }
  }
}
