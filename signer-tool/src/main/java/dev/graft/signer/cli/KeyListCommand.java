package dev.graft.signer.cli;

import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.keys.KeyType;
import dev.graft.pkcs11.ListedTokenKey;
import dev.graft.pkcs11.Pkcs11Uri;
import dev.graft.pkcs11.TokenConnection;
import dev.graft.pkcs11.TokenKeyListing;
import dev.graft.signer.CliContext;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code graft key list --token URI}: the keys on a token. */
@Command(
    name = "list",
    header = "Lists the keys on a PKCS#11 token.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Lists the keys Graft can use on the token the URI names (object= is not needed): label, id,"
          + " type, TUF key id and whether the key can sign TUF metadata by itself. A plain Ed25519"
          + " key on a token signs only as the half of a composite key. Private keys Graft cannot"
          + " use are listed with the reason. Each key is checked with a probe signature.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  export GRAFT_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so",
      "  graft key list --token 'pkcs11:token=release?pin-source=env:PIN'",
      "  graft key list --token 'pkcs11:token=release' --json \\",
      "      | jq -r '.keys[].key_id'"
    })
final class KeyListCommand implements Runnable {
  private final CliContext context;

  @Option(
      names = "--token",
      required = true,
      paramLabel = "URI",
      description = "The token: a pkcs11: URI (token=, serial=, module-path=, pin-source=).")
  private String token = "";

  @Option(names = "--json", description = "Machine-readable output.")
  private boolean json;

  KeyListCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    Pkcs11Uri uri = Pkcs11Uri.parse(token);
    TokenKeyListing listing;
    String label;
    String serial;
    try (TokenConnection connection = KeyCommand.openToken(context, uri)) {
      listing = TokenKeyListing.of(connection.session());
      label = connection.token().label();
      serial = connection.token().serial();
    }
    PrintWriter out = context.terminal().out();
    if (json) {
      List<JsonValue> keys = new ArrayList<>();
      for (ListedTokenKey key : listing.keys()) {
        keys.add(
            JsonObject.builder()
                .put("label", key.label())
                .put("id", key.idHex())
                .put("type", typeWord(key.type()))
                .put("key_id", key.keyId())
                .put("signing", signs(key))
                .put("storage", key.storage())
                .put("public_key", key.publicKey().json())
                .build());
      }
      KeyCommand.printJson(
          out,
          JsonObject.builder()
              .put("token", JsonObject.builder().put("label", label).put("serial", serial).build())
              .put("keys", new JsonArray(keys))
              .put("unusable", strings(listing.skipped()))
              .put("notes", strings(listing.notes()))
              .build());
      return;
    }
    int n = listing.keys().size();
    out.println(
        "token '" + label + "' (serial " + serial + "): " + n + (n == 1 ? " key" : " keys"));
    for (String note : listing.notes()) {
      out.println("note: " + note);
    }
    if (n > 0) {
      String format = "%-20s %-32s %-11s %-16s %s%n";
      out.printf(format, "LABEL", "ID", "TYPE", "KEY ID", "SIGNS");
      for (ListedTokenKey key : listing.keys()) {
        out.printf(
            format,
            key.label(),
            key.idHex().isEmpty() ? "-" : key.idHex(),
            typeWord(key.type()),
            key.keyId().substring(0, 16),
            signs(key) ? "yes" : "no (only as half of a composite key)");
      }
    }
    for (String reason : listing.skipped()) {
      out.println("not usable by Graft: " + reason);
    }
    out.println("Full key ids and public keys: --json, or `graft key export URI`.");
    out.flush();
  }

  /** A plain Ed25519 key on a token signs only inside a composite key (trust.md). */
  private static boolean signs(ListedTokenKey key) {
    return key.type() != KeyType.ED25519;
  }

  private static String typeWord(KeyType type) {
    return switch (type) {
      case MLDSA65_ED25519 -> KeyKind.COMPOSITE.word();
      case ECDSA_P256 -> KeyKind.ECDSA_P256.word();
      default -> type.keyType();
    };
  }

  private static JsonArray strings(List<String> values) {
    List<JsonValue> json = new ArrayList<>();
    values.forEach(v -> json.add(new JsonString(v)));
    return new JsonArray(json);
  }
}
