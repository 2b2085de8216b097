#!/usr/bin/env python3
"""Builds the larger benchmark corpora from Debian packages, on any machine that reaches apt.

    python3 Scripts/fetch-bench-corpora.py OUT_DIR [--english-mb 100] [--code-mb 10]

Writes OUT_DIR/en-bench.txt (English documentation and prose, about 100 MB by default),
OUT_DIR/code-python-bench.txt (CPython standard library sources) and OUT_DIR/MANIFEST.tsv (each
source with its package, version, licence and byte count). Packages are fetched with
`apt-get download` and unpacked with `dpkg-deb -x` into OUT_DIR/.cache (nothing is installed);
re-runs reuse the cache. Output is deterministic for given package versions: sources in a fixed
order, files sorted by path, documents separated by a blank line, stopping at the target size.
Files that are not valid UTF-8 are skipped.
"""
import argparse
import glob
import gzip
import html.parser
import os
import subprocess
import sys

# (package, licence, file patterns relative to the unpacked tree, how to read them)
ENGLISH = [
    ("bibledit-data", "public domain (KJV)", ["usr/share/bibledit/sources/kjv.xml"], "xml"),
    ("jargon-text", "public domain", ["usr/share/doc/jargon-text/jargon.txt.gz"], "text"),
    ("python3.11-doc", "PSF-2.0", ["usr/share/doc/python3.11/html/_sources/**/*.rst.txt"], "text"),
    ("perl-doc", "GPL-1+ or Artistic", ["usr/share/perl/**/*.pod", "usr/share/doc/perl/**/*.pod.gz",
                                         "usr/share/perl/**/*.pod.gz"], "text"),
    ("git-doc", "GPL-2", ["usr/share/doc/git/**/*.txt"], "text"),
    ("linux-doc-6.1", "GPL-2", ["usr/share/doc/linux-doc-6.1/**/*.rst", "usr/share/doc/linux-doc-6.1/**/*.rst.gz"], "text"),
    ("postgresql-doc-15", "PostgreSQL", ["usr/share/doc/postgresql-doc-15/html/*.html"], "html"),
    ("python-django-doc", "BSD-3-Clause", ["usr/share/doc/python-django-doc/html/**/*.html"], "html"),
    ("rust-doc", "MIT or Apache-2.0", [f"usr/share/doc/rust-doc/html/{book}/**/*.html" for book in
                                       ("book", "reference", "nomicon", "rust-by-example", "edition-guide", "rustc",
                                        "embedded-book", "cargo")], "html"),
    ("erlang-doc", "Apache-2.0", ["usr/share/doc/erlang-doc/**/*.html"], "html"),
    ("sqlite3-doc", "public domain", ["usr/share/doc/sqlite3-doc/**/*.html"], "html"),
]
CODE = [
    ("libpython3.11-minimal", "PSF-2.0", ["usr/lib/python3.11/**/*.py"], "text"),
    ("libpython3.11-stdlib", "PSF-2.0", ["usr/lib/python3.11/**/*.py"], "text"),
]


class TextFromHTML(html.parser.HTMLParser):
    """The visible text of an HTML page, one line per block element."""

    BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "dd", "br", "table", "section",
              "verse", "title", "chapter"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    def text(self):
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return "\n".join(line for line in lines if line)


def log(message):
    print(f"[fetch-bench-corpora] {message}", file=sys.stderr, flush=True)


def unpack(package, cache):
    tree = os.path.join(cache, "x", package)
    if os.path.isdir(tree):
        return tree, open(os.path.join(tree, ".version")).read().strip()
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    if not glob.glob(os.path.join(debs, f"{package}_*.deb")):
        log(f"apt-get download {package}")
        result = subprocess.run(["apt-get", "download", "-qq", package], cwd=debs, capture_output=True, text=True)
        if result.returncode != 0:
            log("apt-get update (once)")
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "download", "-qq", package], cwd=debs, check=True)
    deb = sorted(glob.glob(os.path.join(debs, f"{package}_*.deb")))[-1]
    os.makedirs(tree + ".tmp", exist_ok=True)
    subprocess.run(["dpkg-deb", "-x", deb, tree + ".tmp"], check=True)
    os.rename(tree + ".tmp", tree)
    version = os.path.basename(deb).split("_")[1]
    with open(os.path.join(tree, ".version"), "w") as f:
        f.write(version)
    return tree, version


def documents(tree, patterns, kind):
    paths = sorted({p for pattern in patterns for p in glob.glob(os.path.join(tree, pattern), recursive=True)
                    if os.path.isfile(p)})
    for path in paths:
        raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if kind in ("html", "xml"):
            parser = TextFromHTML()
            parser.feed(text)
            text = parser.text()
        text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip("\n")
        if text:
            yield text


def build(name, sources, target_bytes, out_dir, cache, manifest):
    path = os.path.join(out_dir, name)
    written = 0
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        for package, licence, patterns, kind in sources:
            if written >= target_bytes:
                break
            tree, version = unpack(package, cache)
            start = written
            for doc in documents(tree, patterns, kind):
                data = doc + "\n\n"
                out.write(data)
                written += len(data.encode("utf-8"))
                if written >= target_bytes:
                    break
            manifest.append((name, package, version, licence, written - start))
            log(f"{name}: {package} {version}: {(written - start) / 1e6:.1f} MB")
    os.replace(path + ".tmp", path)
    log(f"{name}: {written / 1e6:.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--english-mb", type=float, default=100)
    parser.add_argument("--code-mb", type=float, default=10)
    a = parser.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    cache = os.path.join(a.out_dir, ".cache")
    manifest = []
    build("en-bench.txt", ENGLISH, int(a.english_mb * 1e6), a.out_dir, cache, manifest)
    build("code-python-bench.txt", CODE, int(a.code_mb * 1e6), a.out_dir, cache, manifest)
    with open(os.path.join(a.out_dir, "MANIFEST.tsv"), "w") as f:
        f.write("file\tpackage\tversion\tlicence\tbytes\n")
        for row in manifest:
            f.write("\t".join(map(str, row)) + "\n")


if __name__ == "__main__":
    main()
