"""``screen --shard I/N``: the inputs that one of N runs (machines, jobs of a cluster) screens.

Shards are numbered from 1, as people count them: ``1/3``, ``2/3``, ``3/3``. An input belongs to
shard ``sha256(key) mod N + 1`` (the first 64 bits of the digest), where the key is its input hash
(the SHA-256 of its bytes). Every case identity contains the input hash (``case id`` + input hash;
an input that could not be decided: the input hash alone), so one identity always lands in the
same shard, whatever the order of the inputs, the label they are read under or the machine; and
the shard is known before the input is parsed, so a shard run reads and hashes every input but
parses and decides only its own (parsing is most of the cost of a decision). An input that could
not even be read has no bytes: its label is the key instead.

Never Python's ``hash()``: it is salted per process, and the shards of two machines would overlap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Iterator

from .inputs import Item


@dataclass(frozen=True)
class Shard:
    index: int  # 1..count
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def zh(self) -> str:
        return f"第 {self.index} 片（共 {self.count} 片）"

    def owns(self, item: Item) -> bool:
        return shard_of(item.digest or item.label, self.count) == self.index

    def select(self, items: Iterable[Item]) -> Iterator[Item]:
        return (item for item in items if self.owns(item))


def shard_of(key: str, count: int) -> int:
    """The shard (1..count) of an input whose key (input hash, or label when unreadable) is ``key``."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> Shard:
    """``I/N`` as a shard, or ValueError with a Chinese message saying what is wrong."""
    index, sep, count = text.strip().partition("/")
    if not sep or not index.strip().isdigit() or not count.strip().isdigit():
        raise ValueError(f"「{text}」不是「第几片/共几片」的形式，例如 2/3（从 1 数起）")
    i, n = int(index), int(count)
    if n < 1:
        raise ValueError(f"「{text}」：共几片至少为 1")
    if not 1 <= i <= n:
        raise ValueError(f"「{text}」：片号从 1 数起，应在 1 到 {n} 之间")
    return Shard(i, n)
