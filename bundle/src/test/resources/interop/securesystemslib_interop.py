"""Interop peer for SecuresystemslibInteropTest, run by /usr/bin/python3 with securesystemslib 0.26.

generate MESSAGE_HEX: makes an ed25519, an ecdsa and an rsa key, signs the message with each and
    prints one JSON document: for each key its TUF key object (as securesystemslib 0.26 writes it,
    with keyid_hash_algorithms), the key id securesystemslib computes and the signature.
verify: reads {"message": hex, "keys": [{"key": key object, "sig": hex}]} on stdin and prints, for
    each key, whether securesystemslib accepts the signature, and the key id it computes for the
    key object as given (SHA-256 of its canonical JSON).
"""
import hashlib
import json
import sys

from securesystemslib import exceptions, formats, keys


def key_id(key_object):
    return hashlib.sha256(formats.encode_canonical(key_object).encode("utf-8")).hexdigest()


def generate(message_hex):
    message = bytes.fromhex(message_hex)
    result = []
    for name, key in (
        ("ed25519", keys.generate_ed25519_key()),
        ("ecdsa", keys.generate_ecdsa_key()),
        ("rsa", keys.generate_rsa_key(2048)),
    ):
        signature = keys.create_signature(key, message)
        key_object = keys.format_keyval_to_metadata(
            key["keytype"], key["scheme"], key["keyval"], private=False
        )
        result.append(
            {
                "name": name,
                "key": key_object,
                "keyid": key["keyid"],
                "signature_keyid": signature["keyid"],
                "sig": signature["sig"],
            }
        )
    json.dump(result, sys.stdout)


def verify():
    request = json.load(sys.stdin)
    message = bytes.fromhex(request["message"])
    result = []
    for item in request["keys"]:
        key = dict(item["key"])
        key["keyid"] = key_id(item["key"])
        try:
            valid = keys.verify_signature(key, {"keyid": key["keyid"], "sig": item["sig"]}, message)
        except exceptions.Error:
            valid = False
        result.append({"valid": valid, "keyid": key["keyid"]})
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2])
    else:
        verify()
