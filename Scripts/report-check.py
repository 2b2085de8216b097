#!/usr/bin/env python3
"""Renders a `vocab sweep` report in headless Chromium and checks what a reader would see.

1. Runs a small sweep (English and Chinese, 3 folds, 3 sizes) into a temporary directory.
2. Checks report.json, report.csv and report.md agree on the recommendation and the rows.
3. Loads report.html in headless Chromium (Debian's `chromium`): the DOM after rendering must hold
   the six SVG charts, one line per algorithm in each, and the recommended point's marker.
4. Takes a screenshot and decodes the PNG (pure Python): it must not be blank, and every
   algorithm's line colour must cover a visible number of pixels.

Usage: Scripts/report-check.py --vocab .build/release/vocab
"""
import argparse
import atexit
import csv
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import exit_cleanly_on_sigterm  # noqa: E402

ALGORITHMS = {"bpe": (0x1F, 0x77, 0xB4), "wordpiece": (0xFF, 0x7F, 0x0E), "unigram": (0x2C, 0xA0, 0x2C), "hybrid": (0xD6, 0x27, 0x28),
              "word": None}  # grey, like the axes: checked in the DOM only


def read_png(path):
    """Decodes an 8-bit RGB or RGBA PNG into (width, height, rows of bytes, channels)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unsupported PNG depth {depth} colour type {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[x] = (line[x] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels


def main():
    exit_cleanly_on_sigterm()
    parser = argparse.ArgumentParser()
    parser.add_argument("--vocab", required=True)
    parser.add_argument("--keep", help="copy the report and screenshot here")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        sys.exit("report-check: chromium is not installed (apt-get install chromium)")
    work = tempfile.mkdtemp(prefix="vocab-report-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # on success, failure, Ctrl-C and SIGTERM
    report = os.path.join(work, "report")
    # 1. The sweep.
    subprocess.run([args.vocab, "sweep", f"en={root}/Corpora/en.txt", f"zh={root}/Corpora/zh.txt", "--max-units", "3000",
                    "--sizes", "2k,4k,8k", "--folds", "3", "--report", report, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    # 2. The files agree.
    data = json.load(open(os.path.join(report, "report.json")))
    recommendation = data["recommendation"]
    rows = list(csv.DictReader(open(os.path.join(report, "report.csv"))))
    assert len(rows) == len(data["results"]["cells"]), "CSV rows != JSON cells"
    assert {r["group"] for r in rows} == {"en", "zh", "all"}, {r["group"] for r in rows}
    markdown = open(os.path.join(report, "report.md")).read()
    headline = f"Recommended: {recommendation['algorithm']} with {recommendation['size']} tokens"
    assert headline in markdown, "report.md lacks the recommendation"
    # 3. The rendered DOM.
    page = "file://" + os.path.join(report, "report.html")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files"]
    dom = subprocess.run([browser, *flags, "--dump-dom", page], check=True, capture_output=True, text=True).stdout
    assert dom.count("<svg") == 6, f"expected 6 charts, found {dom.count('<svg')}"
    for name in ALGORITHMS:
        assert dom.count(f'data-series="{name}"') == 6, f"{name} is not drawn in every chart"
    assert 'class="marker"' in dom and headline in dom
    # 4. The screenshot.
    shot = os.path.join(work, "report.png")
    subprocess.run([browser, *flags, "--window-size=1400,1500", f"--screenshot={shot}", page], check=True, capture_output=True)
    width, height, pixels, channels = read_png(shot)
    colours, non_white = {}, 0
    for row in pixels:
        for x in range(0, width * channels, channels):
            rgb = (row[x], row[x + 1], row[x + 2])
            if rgb != (255, 255, 255):
                non_white += 1
            colours[rgb] = colours.get(rgb, 0) + 1
    share = non_white / (width * height)
    assert share > 0.05, f"the screenshot is almost blank ({share:.1%} non-white pixels)"
    for name, target in ALGORITHMS.items():
        if target is None:
            continue
        near = sum(count for rgb, count in colours.items() if all(abs(a - b) <= 24 for a, b in zip(rgb, target)))
        assert near > 300, f"{name}'s colour covers only {near} pixels"
    if args.keep:
        shutil.copytree(report, args.keep, dirs_exist_ok=True)
        shutil.copy(shot, args.keep)
    print(f"report check: {len(rows)} CSV rows, 6 charts with 5 lines each, screenshot {width}x{height} "
          f"with {share:.1%} non-white pixels, recommendation {recommendation['algorithm']} {recommendation['size']}")


if __name__ == "__main__":
    main()
