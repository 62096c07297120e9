"""Rebuild the receipt font (wqy-microhei-gbk.ttf) from Debian's fonts-wqy-microhei.

Not run at install or render time: the built file is committed. See README.md beside this file
for where the source comes from, its licence and the exact command.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

# Printable ASCII and Latin-1 (¥ ×), then everything GBK encodes: the 20,902 CJK ideographs a
# Chinese name or address may need (喆 堃 珺 are GBK, not GB2312), full-width forms, ㎡, ①…
_EXTRA = "￥€…—–·•“”‘’"


def receipt_codepoints() -> set[int]:
    codepoints = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | {ord(c) for c in _EXTRA}
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        codepoints.add(cp)
    return codepoints


def build(source: Path, output: Path) -> None:
    font = TTFont(str(source), fontNumber=0, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "vhea", "vmtx"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=receipt_codepoints())
    subsetter.subset(font)
    font.save(str(output))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="wqy-microhei.ttc from the Debian package")
    parser.add_argument("output", type=Path, nargs="?", default=Path(__file__).with_name("wqy-microhei-gbk.ttf"))
    args = parser.parse_args()
    build(args.source, args.output)
    for path in (args.source, args.output):
        print(f"{path}: {path.stat().st_size} bytes sha256={hashlib.sha256(path.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
