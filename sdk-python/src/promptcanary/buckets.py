"""The server's placement of a unit in one of 10,000 buckets (its ``Buckets`` and ``Route``).

A seed per (prompt, salt), then the unit's MurmurHash3 x86_32 under that seed, unsigned, mod 10,000;
a unit is in the canary when its bucket is below the canary weight in basis points.
``sdk-vectors/bucketing.json`` holds the cases every SDK must reproduce.
"""

from __future__ import annotations

import re
import struct

COUNT = 10_000

_SURROGATE = re.compile("[\ud800-\udfff]")


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86_32 of ``data``, as an unsigned 32-bit integer (Guava's murmur3_32_fixed)."""
    h1 = seed & 0xFFFFFFFF
    length = len(data)
    blocks = length >> 2
    # Locals and one unpack of every 4-byte block: about twice as fast as slicing block by block.
    for k1 in struct.unpack_from(f"<{blocks}I", data):
        k1 = (k1 * 0xCC9E2D51) & 0xFFFFFFFF
        k1 = ((k1 << 15) | (k1 >> 17)) & 0xFFFFFFFF
        h1 ^= (k1 * 0x1B873593) & 0xFFFFFFFF
        h1 = ((h1 << 13) | (h1 >> 19)) & 0xFFFFFFFF
        h1 = (h1 * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[blocks << 2 :]
    if tail:
        k1 = (int.from_bytes(tail, "little") * 0xCC9E2D51) & 0xFFFFFFFF
        k1 = ((k1 << 15) | (k1 >> 17)) & 0xFFFFFFFF
        h1 ^= (k1 * 0x1B873593) & 0xFFFFFFFF
    h1 ^= length
    h1 ^= h1 >> 16
    h1 = (h1 * 0x85EBCA6B) & 0xFFFFFFFF
    h1 ^= h1 >> 13
    h1 = (h1 * 0xC2B2AE35) & 0xFFFFFFFF
    h1 ^= h1 >> 16
    return h1


def utf8(text: str) -> bytes:
    """UTF-8 as Java's ``String.getBytes(UTF_8)`` gives it to the server's hash.

    A Python string holds code points, so text read from JSON or a socket never has lone surrogates;
    one built by hand may. Java sees the same text as UTF-16: a surrogate pair is one code point
    (4 bytes) and a lone surrogate is encoded as ``?``. Both are mirrored here.
    """
    if not _SURROGATE.search(text):
        return text.encode("utf-8")
    return _java_utf16_view(text).encode("utf-8")


def _java_utf16_view(text: str) -> str:
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        code = ord(c)
        if 0xD800 <= code <= 0xDBFF and i + 1 < n and 0xDC00 <= ord(text[i + 1]) <= 0xDFFF:
            low = ord(text[i + 1])
            out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
            i += 2
            continue
        out.append("?" if 0xD800 <= code <= 0xDFFF else c)
        i += 1
    return "".join(out)


def seed(prompt: str, salt: str) -> int:
    """The hash seed of one prompt's routing: murmur3 (seed 0) of ``prompt + U+0000 + salt``."""
    return murmur3_32(utf8(prompt + "\u0000" + salt), 0)


def bucket_for_seed(prompt_seed: int, unit: str) -> int:
    return murmur3_32(utf8(unit), prompt_seed) % COUNT


def bucket(prompt: str, salt: str, unit: str) -> int:
    """The bucket (0..9999) of ``unit`` for ``prompt`` under ``salt``, as the server computes it."""
    return bucket_for_seed(seed(prompt, salt), unit)


def java_length(text: str) -> int:
    """``String.length()`` in Java: UTF-16 code units, the measure the server's 200-character limit uses."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)
