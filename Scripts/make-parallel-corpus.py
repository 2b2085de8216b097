#!/usr/bin/env python3
"""Builds Corpora/parallel/: line-parallel translations from Debian's iso-codes message catalogues.

    python3 Scripts/make-parallel-corpus.py Corpora/parallel

The iso-codes package ships gettext catalogues (.mo) of the ISO 3166 country and ISO 639
language names in many languages, each translation keyed by its English message id. Line i of
every output file is the same message: en.txt holds the English ids, de.txt ... hi.txt their
translations. Only messages translated in every language are kept, sorted by id, so the files are
aligned and the output is deterministic for a given package version. The package is fetched with
`apt-get download` and unpacked with `dpkg-deb -x` (nothing is installed). Licence: LGPL-2.1+
(iso-codes), see Corpora/README.md.
"""
import gettext
import glob
import os
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts"))
from peers import exit_cleanly_on_sigterm  # noqa: E402

LANGUAGES = [("de", "de"), ("ru", "ru"), ("ja", "ja"), ("zh", "zh_CN"), ("ko", "ko"), ("th", "th"), ("ar", "ar"), ("hi", "hi")]
DOMAINS = ["iso_3166-1", "iso_3166-3", "iso_639-2", "iso_639-3"]


def catalogue(root, locale, domain):
    path = os.path.join(root, "usr/share/locale", locale, "LC_MESSAGES", domain + ".mo")
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as handle:
        entries = gettext.GNUTranslations(handle)._catalog
    # Plain messages only (no context, no plural forms), one line each.
    return {key: value for key, value in entries.items()
            if isinstance(key, str) and key and "\x04" not in key and value and "\n" not in key + value}


def main():
    exit_cleanly_on_sigterm()
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["apt-get", "download", "iso-codes"], cwd=work, check=True, capture_output=True)
        package = glob.glob(os.path.join(work, "iso-codes_*.deb"))[0]
        root = os.path.join(work, "root")
        subprocess.run(["dpkg-deb", "-x", package, root], check=True)
        translations = {name: {} for name, _ in LANGUAGES}
        for domain in DOMAINS:
            for name, locale in LANGUAGES:
                for key, value in catalogue(root, locale, domain).items():
                    translations[name].setdefault(key, value.strip())
        common = sorted(set.intersection(*(set(t) for t in translations.values())))
        with open(os.path.join(out, "en.txt"), "w", encoding="utf-8") as handle:
            handle.write("".join(key.strip() + "\n" for key in common))
        for name, _ in LANGUAGES:
            with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as handle:
                handle.write("".join(translations[name][key] + "\n" for key in common))
        print(f"{len(common)} aligned messages from {os.path.basename(package)} in {out}")


if __name__ == "__main__":
    main()
