#!/usr/bin/python3
"""Live oracle for CanonicalJsonVectorTest: securesystemslib's encode_canonical over a stream.

stdin and stdout carry records framed as a 4-byte big-endian length followed by that many bytes.
Each input record is a JSON document; each output record is encode_canonical of it, as UTF-8.
strict=False lets json.loads read raw control characters in strings, which canonical JSON
(unlike RFC 8259) writes unescaped. Records are decoded as UTF-8 here: given bytes, json.loads
guesses the encoding from NUL bytes and takes a document starting with ["\u0000 for UTF-16.
Any failure ends the process with a traceback on stderr.
"""

import json
import struct
import sys

from securesystemslib.formats import encode_canonical


def main():
    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    offset = 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        offset += 4
        document = data[offset : offset + length]
        if len(document) != length:
            raise SystemExit("truncated record")
        offset += length
        encoded = encode_canonical(json.loads(document.decode("utf-8"), strict=False)).encode("utf-8")
        out.write(struct.pack(">I", len(encoded)))
        out.write(encoded)
    out.flush()


if __name__ == "__main__":
    main()
