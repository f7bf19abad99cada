"""The SDK places every unit where the server does: the published vectors, read from the repository."""

import json
from pathlib import Path

import pytest

from promptcanary import buckets

VECTORS = Path(__file__).resolve().parents[2] / "sdk-vectors" / "bucketing.json"


def vectors():
    with open(VECTORS, encoding="utf-8") as f:
        return json.load(f)["vectors"]


def test_every_published_vector_is_reproduced():
    cases = vectors()
    assert len(cases) >= 200
    wrong = [
        (v["prompt"], v["salt"], v["unit"], v["bucket"], buckets.bucket(v["prompt"], v["salt"], v["unit"]))
        for v in cases
        if buckets.bucket(v["prompt"], v["salt"], v["unit"]) != v["bucket"]
    ]
    assert wrong == []


def test_the_vectors_cover_text_beyond_ascii():
    units = {v["unit"] for v in vectors()}
    assert any(any(ord(c) > 0xFFFF for c in u) for u in units), "a unit outside the BMP"
    assert any(any(0x80 <= ord(c) <= 0x7FF for c in u) for u in units), "a two-byte unit"


@pytest.mark.parametrize(
    "data, seed, expected",
    [
        # MurmurHash3 x86_32 reference values (Appleby's SMHasher verification set).
        (b"", 0, 0),
        (b"", 1, 0x514E28B7),
        (b"", 0xFFFFFFFF, 0x81F16F39),
        (b"\x00\x00\x00\x00", 0, 0x2362F9DE),
        (b"aaaa", 0x9747B28C, 0x5A97808A),
        (b"abc", 0, 0xB3DD93FA),
        (b"Hello, world!", 0x9747B28C, 0x24884CBA),
        (b"The quick brown fox jumps over the lazy dog", 0x9747B28C, 0x2FA826CD),
    ],
)
def test_murmur3_matches_reference_values(data, seed, expected):
    assert buckets.murmur3_32(data, seed) == expected


def test_text_is_encoded_as_java_encodes_it():
    # A surrogate pair built by hand is one code point to Java; a lone surrogate becomes '?'.
    assert buckets.utf8("\ud83d\udc24") == "🐤".encode("utf-8")
    assert buckets.utf8("a\ud800b") == b"a?b"
    assert buckets.bucket("a", "", "\ud83d\udc24") == buckets.bucket("a", "", "🐤")
    assert buckets.java_length("🐤") == 2
