"""Reads a Graft metadata file with securesystemslib: canonical JSON of "signed" must equal the
bytes Graft signed, and every signature must verify with the key root lists for it.

usage: check_metadata.py METADATA ROOT CANONICAL_BYTES_FILE
"""
import json
import sys

from securesystemslib.formats import encode_canonical
from securesystemslib.signer import Signature, SSlibKey

metadata_path, root_path, canonical_path = sys.argv[1:4]
with open(metadata_path, "rb") as f:
    metadata = json.load(f)
with open(root_path, "rb") as f:
    root = json.load(f)
with open(canonical_path, "rb") as f:
    graft_canonical = f.read()

canonical = encode_canonical(metadata["signed"]).encode("utf-8")
if canonical != graft_canonical:
    print("canonical JSON differs from Graft's", file=sys.stderr)
    sys.exit(2)

verified = 0
for sig in metadata["signatures"]:
    keydict = dict(root["signed"]["keys"][sig["keyid"]])
    key = SSlibKey.from_dict(sig["keyid"], keydict)
    key.verify_signature(Signature(sig["keyid"], sig["sig"]), canonical)
    verified += 1
print("verified %d signature(s), canonical %d bytes" % (verified, len(canonical)))
