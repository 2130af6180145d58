"""Text fingerprints for duplicate detection: token hashes, an exact digest and a SimHash.

A token is a run of letters and digits, or a single CJK character (Chinese,
Japanese kana, Korean syllables have no spaces between words, so each
character counts as a word, as search engines' n-gram indexes do). Tokens
are compared without case: every character is case-folded first (where its
fold is one character, as for all but a handful such as ß). Pages hold
thousands of tokens, so tokenising and hashing are vectorised with NumPy over
the text's code points instead of looping in Python: a token's hash is the
polynomial ``sum(code * P ** (n - 1 - i))`` modulo 2**64, computed for all
tokens at once from prefix sums. The same formula in plain Python
(:func:`token_hash`) hashes single tokens. Every value is stable from run to
run and process to process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_P = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_P_INVERSE = pow(_P, -1, 1 << 64)
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF))
SHINGLE = 3
MAX_SHINGLES = 2_048
"""Shingles that vote in a SimHash; longer texts vote with a sample of this size."""


_OTHER, _WORD, _CJK = 0, 1, 2


@lru_cache(maxsize=1)
def _kinds_bmp() -> np.ndarray:
    """For every code point of the Basic Multilingual Plane: other, word character or CJK."""
    kinds = np.array([chr(code).isalnum() for code in range(0x10000)], dtype=np.uint8)
    for low, high in CJK_RANGES:
        kinds[low : high + 1] = np.where(kinds[low : high + 1], _CJK, _OTHER)
    return kinds


@lru_cache(maxsize=1)
def _fold_bmp() -> np.ndarray:
    """The case fold of every code point of the Basic Multilingual Plane (built once).

    A table lookup over the code points costs a fifth of ``str.casefold`` on a page.
    """
    return np.array([_fold(chr(code)) for code in range(0x10000)], dtype=np.uint32)


def _fold(char: str) -> int:
    folded = char.casefold()
    return ord(folded) if len(folded) == 1 else ord(char)


@lru_cache(maxsize=1)
def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k modulo 2**64 for k < length."""
    forward = np.full(length, _P, dtype=np.uint64)
    forward[0] = 1
    inverse = np.full(length, _P_INVERSE, dtype=np.uint64)
    inverse[0] = 1
    return np.cumprod(forward, dtype=np.uint64), np.cumprod(inverse, dtype=np.uint64)


def _powers_for(length: int) -> tuple[np.ndarray, np.ndarray]:
    # Cached at the next power of two so pages of similar size share one table.
    size = 1 << max(10, (length - 1).bit_length())
    forward, inverse = _powers(size)
    return forward[:length], inverse[:length]


MAX_CHARACTERS = 200_000
"""Text fingerprinted per page: the arrays take ~40 bytes a character, and the start of
a page's main text (a long book's worth) decides whether it duplicates another."""


def token_hashes(text: str) -> np.ndarray:
    """The 64-bit hash of every token of ``text``, case-folded, in order.

    Only the first :data:`MAX_CHARACTERS` characters count.
    """
    text = text[:MAX_CHARACTERS]
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    if not codes.size:
        return np.zeros(0, dtype=np.uint64)
    bmp = codes < 0x10000
    if bmp.all():
        kinds = _kinds_bmp()[codes]
        codes = _fold_bmp()[codes]
    else:  # no CJK range lies beyond the BMP
        kinds = np.zeros(codes.size, dtype=np.uint8)
        kinds[bmp] = _kinds_bmp()[codes[bmp]]
        kinds[~bmp] = [chr(code).isalnum() for code in codes[~bmp].tolist()]
        codes = codes.copy()
        codes[bmp] = _fold_bmp()[codes[bmp]]
        codes[~bmp] = [_fold(chr(code)) for code in codes[~bmp].tolist()]
    cjk = kinds == _CJK
    word = kinds == _WORD
    before = np.concatenate(([False], word[:-1]))
    after = np.concatenate((word[1:], [False]))
    starts = np.flatnonzero(cjk | (word & ~before))
    ends = np.flatnonzero(cjk | (word & ~after)) + 1
    forward, inverse = _powers_for(codes.size + 1)
    values = codes.astype(np.uint64)
    prefix = np.zeros(codes.size + 1, dtype=np.uint64)
    np.cumsum(values * inverse[: codes.size], dtype=np.uint64, out=prefix[1:])
    return forward[ends - 1] * (prefix[ends] - prefix[starts])


def token_hash(token: str) -> int:
    """One token's hash, equal to its entry in :func:`token_hashes`."""
    value = 0
    for char in token:
        value = (value * _P + _fold(char)) & _MASK
    return value


def text_digest(hashes: np.ndarray) -> str | None:
    """An exact-duplicate digest of the token sequence (None for no tokens)."""
    if not hashes.size:
        return None
    return hashlib.blake2b(hashes.astype("<u8").tobytes(), digest_size=12).hexdigest()


def simhash(tokens: Sequence[str]) -> int:
    """The SimHash of a token list (see :func:`simhash_of`)."""
    hashes = np.fromiter(map(token_hash, tokens), dtype=np.uint64, count=len(tokens))
    return simhash_of(hashes)


def simhash_of(hashes: np.ndarray, width: int = SHINGLE) -> int:
    """A 64-bit SimHash (Charikar) of the token shingles: near-equal texts differ in few bits."""
    count = max(1, hashes.size - width + 1)
    shingles = hashes[:count].copy()
    for offset in range(1, min(width, hashes.size)):
        shingles = shingles * np.uint64(_GOLDEN) ^ hashes[offset : offset + count]
    # splitmix64's finaliser spreads every input bit over the whole word.
    shingles ^= shingles >> np.uint64(30)
    shingles *= np.uint64(0xBF58476D1CE4E5B9)
    shingles ^= shingles >> np.uint64(27)
    shingles *= np.uint64(0x94D049BB133111EB)
    shingles ^= shingles >> np.uint64(31)
    if count > MAX_SHINGLES:
        # Vote with the smallest values (a bottom-k sample), not the first positions:
        # texts that share most shingles share most of the sample.
        shingles = np.partition(shingles, MAX_SHINGLES - 1)[:MAX_SHINGLES]
        count = MAX_SHINGLES
    # One row of 64 bits per shingle, bit i in column i (little-endian bytes and bits).
    bits = np.unpackbits(shingles.astype("<u8").view(np.uint8), bitorder="little")
    votes = bits.reshape(count, 64).sum(axis=0) * 2 > count
    return sum(1 << index for index in np.flatnonzero(votes).tolist())
