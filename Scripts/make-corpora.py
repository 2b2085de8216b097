#!/usr/bin/env python3
"""Cuts the small test corpora in Corpora/ out of the larger shared corpora.

    python3 Scripts/make-corpora.py SHARED_CORPORA_DIR Corpora/

SHARED_CORPORA_DIR holds the *.txt.xz files that Scripts/fetch-bench-corpora.sh (or the team's
shared/corpora) provides. Each output is a run of whole lines taken from one licence-clean source,
located by the marker text at its start, so the selection is reproducible. See Corpora/README.md
for what each file holds and its licence.
"""
import lzma
import os
import sys

# (output, input, start marker (bytes) or None for the file start, bytes wanted)
SLICES = [
    ("en.txt", "en-prose.txt.xz", [
        (b"Project Gutenberg's Botchan", 274_000),          # Botchan: public domain
        (b"The Jargon File\n(version 4.4.7)", 700_000),     # Jargon File: public domain
        (None, 800_000),                                     # KJV Bible: public domain
        (b"The First Book of Moses,\nCommonly Called\nGenesis\nIn the beginning, God created", 500_000),  # WEB: public domain
    ]),
    ("code-python.txt", "code-python.txt.xz", [(None, 1_000_000)]),  # CPython stdlib: PSF
    ("de.txt", "de.txt.xz", [(None, 800_000)]),   # LibreOffice help de: MPL-2.0
    ("ru.txt", "ru.txt.xz", [(None, 800_000)]),   # LibreOffice help ru: MPL-2.0
    ("ja.txt", "ja.txt.xz", [(None, 800_000)]),   # LibreOffice help ja: MPL-2.0
    ("zh.txt", "zh.txt.xz", [(None, 800_000)]),   # LibreOffice help zh-CN: MPL-2.0
    ("ko.txt", "ko.txt.xz", [(None, 500_000)]),   # LibreOffice help ko: MPL-2.0
    ("th.txt", "th.txt.xz", [(None, 500_000)]),   # LibreOffice UI strings th: MPL-2.0
    ("ar.txt", "ar.txt.xz", [("أشّر\nأزل التّأشير".encode(), 500_000)]),  # LibreOffice UI strings ar: MPL-2.0 (after the handbook)
    ("hi.txt", "hi.txt.xz", [(None, 474_000)]),   # LibreOffice help hi: MPL-2.0
]


def take(data: bytes, marker, size: int) -> bytes:
    start = 0
    if marker is not None:
        start = data.find(marker)
        if start < 0:
            sys.exit(f"marker {marker[:40]!r} not found")
        start = data.rfind(b"\n", 0, start) + 1
    end = data.find(b"\n", start + size)
    return data[start:] if end < 0 else data[start:end + 1]


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    for output, source, parts in SLICES:
        with lzma.open(os.path.join(source_dir, source)) as f:
            data = f.read()
        text = b"\n".join(take(data, marker, size).strip(b"\n") + b"\n" for marker, size in parts)
        text.decode("utf-8")  # must be valid UTF-8
        with open(os.path.join(out_dir, output), "wb") as f:
            f.write(text)
        lines = text.count(b"\n")
        print(f"{output}: {len(text)} bytes, {lines} lines")


if __name__ == "__main__":
    main()
