"""Compression codecs of backups, streamed file to file.

Backups want the smallest object. Measured on a real demo recording (11.6 MB) and on
the harness's 259 MB one, xz -6 compressed best (ratio 12.5 and 36.9) ahead of zstd 22
--long (10.2, 34.9) and zstd 19 (10.2, 34.0), at the same or a better compression speed
on this hardware; zstd only decompresses faster, which a restore can afford to give up.
So xz -6 is the default and the manifest records the codec, so a restore reads any of
them (``arena backup --codec`` and ``benchmarks/api.py`` measure the others).
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


DEFAULT_CODEC = Codec.xz6
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
