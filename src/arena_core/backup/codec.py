"""Compression codecs of backups, streamed file to file.

Measured on a real recording (``benchmarks/api.py``), zstd at level 19 compresses
within a few percent of xz -6 and of zstd 22 --long, several times faster than either,
and decompresses an order of magnitude faster, so it is the default; the others stay
available for the harness and for ``arena backup --codec``.
"""

from __future__ import annotations

import lzma
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import zstandard

CHUNK = 1 << 20
LONG_WINDOW_LOG = 27
"""``--long``: a 128 MiB match window (the decoder must allow it too)."""


class Codec(StrEnum):
    """A compression method and level."""

    zstd19 = "zstd-19"
    zstd22_long = "zstd-22-long"
    xz6 = "xz-6"


DEFAULT_CODEC = Codec.zstd19
SUFFIX = {Codec.zstd19: ".zst", Codec.zstd22_long: ".zst", Codec.xz6: ".xz"}


def _zstd(codec: Codec, threads: int) -> zstandard.ZstdCompressor:
    if codec is Codec.zstd22_long:
        params = zstandard.ZstdCompressionParameters.from_level(
            22, window_log=LONG_WINDOW_LOG, enable_ldm=True, threads=threads
        )
        return zstandard.ZstdCompressor(compression_params=params)
    return zstandard.ZstdCompressor(level=19, threads=threads)


def compress(codec: Codec, source: Path, target: Path, *, threads: int = 0) -> None:
    with source.open("rb") as src, target.open("wb") as dst:
        if codec is Codec.xz6:
            comp = lzma.LZMACompressor(preset=6)
            while chunk := src.read(CHUNK):
                dst.write(comp.compress(chunk))
            dst.write(comp.flush())
            return
        _zstd(codec, threads).copy_stream(src, dst, read_size=CHUNK, write_size=CHUNK)


def decompress(codec: Codec, source: Path, target: Path) -> None:
    with source.open("rb") as src, target.open("wb") as dst:
        _decompress(codec, src, dst)


def _decompress(codec: Codec, src: BinaryIO, dst: BinaryIO) -> None:
    if codec is Codec.xz6:
        decomp = lzma.LZMADecompressor()
        while chunk := src.read(CHUNK):
            dst.write(decomp.decompress(chunk))
        if not decomp.eof:
            raise ValueError("truncated xz stream")
        return
    zd = zstandard.ZstdDecompressor(max_window_size=1 << LONG_WINDOW_LOG)
    zd.copy_stream(src, dst, read_size=CHUNK, write_size=CHUNK)
