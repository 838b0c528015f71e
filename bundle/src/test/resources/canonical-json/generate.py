#!/usr/bin/python3
"""Generates the canonical JSON test vectors for CanonicalJsonVectorTest.

Run once with Debian's interpreter (the only one here that imports securesystemslib):

    /usr/bin/python3 bundle/src/test/resources/canonical-json/generate.py

For every vector it writes, under vectors/<name>/:
  standard.json      json.dumps defaults: ASCII only, \\uXXXX escapes (surrogate pairs for astral)
  noncanonical.json  reversed member order, odd whitespace, raw UTF-8 mixed with every escape form
  pretty.json        python-tuf style: indent=1, separators (",", ": "), sorted keys, raw UTF-8
  canonical.bin      securesystemslib encode_canonical(value) as UTF-8: the expected bytes
and vectors/index.txt lists the names. The three inputs are checked to decode to the same value
before anything is written, so the expected bytes hold for each of them.
"""

import json
import os
import random
import shutil
import sys

import securesystemslib
from securesystemslib.formats import encode_canonical

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

CONTROLS = "".join(chr(c) for c in range(0x20))

VECTORS = [
    ("empty_object", {}),
    ("empty_array", []),
    ("empty_containers_nested", {"a": {}, "b": [], "c": [[], {}, [[]], {"d": {}}]}),
    ("scalars_in_array", [True, False, None, 0, 1, -1, "", "x"]),
    ("top_level_string", "a bare string at top level"),
    ("top_level_integer", 12345),
    ("top_level_negative", -98765),
    ("top_level_true", True),
    ("top_level_null", None),
    (
        "int64_bounds",
        {
            "max": INT64_MAX,
            "min": INT64_MIN,
            "max_minus_1": INT64_MAX - 1,
            "min_plus_1": INT64_MIN + 1,
            "two_pow_32": 2**32,
            "neg_two_pow_32_minus_1": -(2**32) - 1,
            "two_pow_53_plus_1": 2**53 + 1,
        },
    ),
    ("negative_integers", [-1, -10, -100, -1234567890123, 0, -0]),
    ("latin1_strings", {"café": "naïve façade", "ÿ": "ß¡¿", "\u00a0": "nbsp\u00a0inside"}),
    ("cjk_strings", {"漢字": "日本語のテキスト", "한국어": "中文", "key": "混合 mixed テキスト"}),
    ("astral_emoji", {"smile": "😀", "clef": "𝄞", "mix": "a😀b𝄞c", "flag": "🇩🇪"}),
    ("private_use_and_bmp_end", ["\ue000", "\uf8ff", "\ufffd", "\ufffe", "\uffff", "\ufeff"]),
    ("max_code_point", {"max": "\U0010ffff", "pua_b": "\U00100000", "first_astral": "\U00010000"}),
    ("key_order_ascii", {"b": 1, "a": 2, "B": 3, "A": 4, "_": 5, "0": 6, "aa": 7, "a ": 8, "": 9}),
    (
        "key_order_code_point_vs_utf16",
        # UTF-16 code-unit order (Java's String.compareTo) puts the astral keys, whose high
        # surrogates are 0xD8xx, before U+E000..U+FFFF; code-point order puts them after.
        {
            "a": 1,
            "B": 2,
            "é": 3,
            "\uffff": 4,
            "😀": 5,
            "\ue000": 6,
            "\U00010000": 7,
            "\ufffd": 8,
            "\U0010ffff": 9,
            "\ud7ff": 10,
        },
    ),
    (
        "key_order_prefixes",
        {"a": 1, "ab": 2, "a\u0000": 3, "a😀": 4, "a\uffff": 5, "abc": 6, "a\u007f": 7},
    ),
    ("key_order_astral_neighbours", {"😀": 1, "😁": 2, "😀a": 3, "😀😀": 4, "\U0001f5ff": 5}),
    ("escapes_quote_backslash", ['"', "\\", 'a\\"b', "\\\\", '""', "end\\"]),
    ("escaped_keys", {'"': 1, "\\": 2, 'a"': 3, "a\\": 4, "/": 5}),
    (
        "control_characters",
        {"newline": "\n", "tab": "\t", "cr": "\r", "bs": "\b", "ff": "\f", "all": CONTROLS},
    ),
    ("control_characters_in_keys", {"\n": 1, "\t": 2, "\u0001": 3, "\u0000": 4, "\u001f": 5}),
    ("delete_and_c1", {"del": "\u007f", "c1": "\u0080\u0085\u009f", "ls_ps": "\u2028\u2029"}),
    ("solidus", {"path": "a/b/c", "url": "https://example.com/x?y=1&z=<2>"}),
    (
        "deep_nesting",
        {"l1": {"l2": [{"l3": [[[{"l4": {"l5": [1, [2, [3, [4, {"l6": "deep"}]]]]}}]]]}]}},
    ),
    (
        "array_of_objects",
        [{"z": 1, "a": 2}, {"m": [3, 2, 1], "b": None}, {}, {"b": True, "a": False}],
    ),
    ("long_string", {"s": ("Grüße 😀 漢 \t \"q\" \\ " * 300)}),
    ("many_integers", list(range(-50, 50))),
    (
        "tuf_root_like",
        {
            "signatures": [
                {"keyid": "a" * 64, "sig": "0f" * 64},
                {"keyid": "b" * 64, "sig": "e1" * 64},
            ],
            "signed": {
                "_type": "root",
                "consistent_snapshot": True,
                "expires": "2030-01-01T00:00:00Z",
                "keys": {
                    "a" * 64: {
                        "keytype": "ed25519",
                        "keyval": {"public": "3b" * 32},
                        "scheme": "ed25519",
                    },
                    "b" * 64: {
                        "keytype": "ecdsa",
                        "keyval": {"public": "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"},
                        "scheme": "ecdsa-sha2-nistp256",
                        "x-graft-label": "Werkstatt Köln",
                    },
                },
                "roles": {
                    "root": {"keyids": ["a" * 64], "threshold": 1},
                    "targets": {"keyids": ["b" * 64], "threshold": 1},
                    "snapshot": {"keyids": ["b" * 64], "threshold": 1},
                    "timestamp": {"keyids": ["b" * 64], "threshold": 1},
                },
                "spec_version": "1.0.31",
                "version": 7,
            },
        },
    ),
    (
        "tuf_targets_like",
        {
            "signatures": [],
            "signed": {
                "_type": "targets",
                "expires": "2031-06-30T12:00:00Z",
                "spec_version": "1.0.31",
                "targets": {
                    "firmware/gw-ü-1.2.3.bin": {
                        "custom": {"hardware": ["edge-α", "edge-β"], "min_version": 3},
                        "hashes": {"sha256": "00" * 32, "sha512": "ff" * 64},
                        "length": 4294967296,
                    },
                    "apps/😀/app.wasm": {"hashes": {"sha256": "ab" * 32}, "length": 0},
                },
                "version": 42,
            },
        },
    ),
]


def check_representable(value, where="$"):
    """Refuses values the Graft parser would refuse, so no vector can be unparseable in Java."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(f"{where}: integer out of int64 range")
    elif isinstance(value, str):
        value.encode("utf-8")  # raises on lone surrogates
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_representable(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            key.encode("utf-8")
            check_representable(item, f"{where}.{key!r}")
    else:
        raise ValueError(f"{where}: unsupported type {type(value).__name__}")


class NonCanonicalWriter:
    """Writes valid but deliberately non-canonical JSON: every escape form and odd whitespace."""

    SHORT = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def ws(self):
        return self.rng.choice(["", " ", "\t", "\n", "\r\n", "  \n\t "])

    def unit_escape(self, code_unit):
        text = "\\u%04x" % code_unit
        return text.upper().replace("\\U", "\\u") if self.rng.random() < 0.5 else text

    def char(self, ch):
        cp = ord(ch)
        must_escape = cp < 0x20 or ch in '"\\'
        roll = self.rng.random()
        if ch in self.SHORT and roll < 0.5:
            return self.SHORT[ch]
        if must_escape or roll > 0.75:
            return self.escape_cp(cp)
        return ch

    def escape_cp(self, cp):
        if cp >= 0x10000:
            v = cp - 0x10000
            return self.unit_escape(0xD800 + (v >> 10)) + self.unit_escape(0xDC00 + (v & 0x3FF))
        return self.unit_escape(cp)

    def string(self, s):
        return '"' + "".join(self.char(c) for c in s) + '"'

    def value(self, v):
        if v is True:
            return "true"
        if v is False:
            return "false"
        if v is None:
            return "null"
        if isinstance(v, int):
            return "-0" if v == 0 and self.rng.random() < 0.3 else str(v)
        if isinstance(v, str):
            return self.string(v)
        if isinstance(v, list):
            parts = [self.ws() + self.value(item) + self.ws() for item in v]
            return "[" + self.ws() + ",".join(parts) + "]"
        items = list(v.items())
        items.reverse()
        parts = [self.ws() + self.string(k) + self.ws() + ":" + self.ws() + self.value(x) + self.ws() for k, x in items]
        return "{" + self.ws() + ",".join(parts) + "}"

    def document(self, v):
        return self.ws() + self.value(v) + self.ws()


def main():
    if securesystemslib.__version__ != "0.26.0":
        print(f"warning: generated with securesystemslib {securesystemslib.__version__}", file=sys.stderr)
    names = [name for name, _ in VECTORS]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate vector names")
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for index, (name, value) in enumerate(VECTORS):
        check_representable(value)
        inputs = {
            "standard.json": json.dumps(value).encode("ascii"),
            "noncanonical.json": NonCanonicalWriter(index).document(value).encode("utf-8"),
            "pretty.json": json.dumps(value, indent=1, separators=(",", ": "), sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n",
        }
        expected = encode_canonical(value).encode("utf-8")
        for file_name, data in inputs.items():
            decoded = json.loads(data)
            if decoded != value or encode_canonical(decoded).encode("utf-8") != expected:
                raise SystemExit(f"{name}/{file_name} does not decode to the vector's value")
        directory = os.path.join(OUT, name)
        os.makedirs(directory)
        for file_name, data in inputs.items():
            with open(os.path.join(directory, file_name), "wb") as f:
                f.write(data)
        with open(os.path.join(directory, "canonical.bin"), "wb") as f:
            f.write(expected)
    with open(os.path.join(OUT, "index.txt"), "w", encoding="ascii") as f:
        f.write("\n".join(names) + "\n")
    print(f"wrote {len(VECTORS)} vectors to {OUT} with securesystemslib {securesystemslib.__version__}")


if __name__ == "__main__":
    main()
