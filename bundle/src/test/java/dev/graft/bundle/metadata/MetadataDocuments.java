package dev.graft.bundle.metadata;

import java.nio.charset.StandardCharsets;

/**
 * Hand-written metadata files with unknown members at every level a TUF document has: envelope,
 * signature, signed object, key, keyval, role, target, meta entry, delegations and delegated role.
 * The signatures are placeholders; these documents test the model, not the cryptography.
 */
final class MetadataDocuments {
  private MetadataDocuments() {}

  static final String KEY_ID = "a".repeat(64);
  static final String OTHER_KEY_ID = "b".repeat(64);

  private static final String KEY =
      """
      {"keytype": "ed25519", "scheme": "ed25519",
       "keyval": {"public": "%s", "x-keyval": "kv"},
       "x-key": {"nested": [1, true, null, "s"]}}
      """
          .formatted("0".repeat(64));

  private static final String ENVELOPE_TAIL =
      """
        "signatures": [{"keyid": "%s", "sig": "abcd", "x-signature": 7}],
        "x-envelope": [1, 2, 3]
      }
      """
          .formatted(KEY_ID);

  static final String ROOT =
      """
      {
        "signed": {
          "_type": "root",
          "spec_version": "1.0.31",
          "version": 3,
          "expires": "2030-01-01T00:00:00Z",
          "consistent_snapshot": true,
          "keys": {"%1$s": %2$s, "%3$s": %2$s},
          "roles": {
            "root": {"keyids": ["%1$s"], "threshold": 1, "x-role": "r"},
            "targets": {"keyids": ["%1$s", "%3$s"], "threshold": 2},
            "snapshot": {"keyids": ["%3$s"], "threshold": 1},
            "timestamp": {"keyids": ["%3$s"], "threshold": 1}
          },
          "x-signed": {"a": {"b": "c"}}
        },
      """
              .formatted(KEY_ID, KEY, OTHER_KEY_ID)
          + ENVELOPE_TAIL;

  static final String TARGETS =
      """
      {
        "signed": {
          "_type": "targets",
          "spec_version": "1.0",
          "version": 12,
          "expires": "2031-12-31T23:59:59Z",
          "targets": {
            "apps/boiler-control-1.4.0.graft": {
              "length": 183224,
              "hashes": {"sha256": "%1$s", "sha512": "%2$s"},
              "custom": {"graft": {"module": "boiler-control", "release_counter": 14}},
              "x-target": false
            },
            "empty.txt": {"length": 0, "hashes": {"sha256": "%1$s"}}
          },
          "delegations": {
            "keys": {"%3$s": %4$s},
            "roles": [
              {"name": "apps", "keyids": ["%3$s"], "threshold": 1, "terminating": true,
               "paths": ["apps/*", "firmware/?"], "x-delegated-role": {"why": "kept"}},
              {"name": "bins", "keyids": ["%3$s"], "threshold": 1, "terminating": false,
               "path_hash_prefixes": ["00", "ab"]}
            ],
            "x-delegations": "d"
          },
          "x-signed": 1
        },
      """
              .formatted("1".repeat(64), "2".repeat(128), KEY_ID, KEY)
          + ENVELOPE_TAIL;

  static final String SNAPSHOT =
      """
      {
        "signed": {
          "_type": "snapshot",
          "spec_version": "1.0.31",
          "version": 5,
          "expires": "2030-06-01T12:00:00Z",
          "meta": {
            "targets.json": {"version": 12, "length": 900, "hashes": {"sha256": "%s"},
                             "x-meta": "m"},
            "apps.json": {"version": 3}
          },
          "x-signed": []
        },
      """
              .formatted("3".repeat(64))
          + ENVELOPE_TAIL;

  static final String TIMESTAMP =
      """
      {
        "signed": {
          "_type": "timestamp",
          "spec_version": "1.0.31",
          "version": 40,
          "expires": "2030-06-02T00:00:00Z",
          "meta": {
            "snapshot.json": {"version": 5, "length": 1234, "hashes": {"sha256": "%s"},
                              "x-meta": "m"}
          },
          "gateway": "gw-1"
        },
      """
              .formatted("4".repeat(64))
          + ENVELOPE_TAIL;

  static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
