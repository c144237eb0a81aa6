"""Deterministic randomness: one independent stream per (seed, account, day,
purpose), and stateless hashes for values tied to an entity rather than a day.

Both keep the output prefix-stable: what day d draws never depends on how many
days are simulated after it.
"""

from __future__ import annotations

import hashlib

import numpy as np

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _key(*parts: object) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "little")


def stream(seed: int, account: str, day: int, purpose: str) -> np.random.Generator:
    """The random stream of one account, day index and purpose."""
    return np.random.default_rng([seed & 0xFFFFFFFF, _key(account, day, purpose)])


def mix(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of int64 values with a salt: uniform uint64 per value."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
        z = (z + np.uint64(0x9E3779B97F4A7C15)) & _MASK
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK
        return z ^ (z >> np.uint64(31))


def salt(seed: int, *parts: object) -> int:
    """A 64-bit salt for `mix` derived from the seed and a label."""
    return _key(seed, *parts)


def uniform(values: np.ndarray, salt_value: int) -> np.ndarray:
    """A uniform [0, 1) float per int64 value, stable for that value."""
    return (mix(values, salt_value) >> np.uint64(11)).astype(np.float64) / float(
        1 << 53
    )
