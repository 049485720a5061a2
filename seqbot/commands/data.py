"""List the lecture's corpora and download them.

    seqbot data list                     where each corpus is, its size, records, checksum
    seqbot data list --corpora DIR       look in DIR instead ($SEQBOT_CORPORA, then corpora/)
    seqbot data fetch nsmc               download into the corpora folder, sha256-verified
    seqbot data fetch all                every corpus
    seqbot data fetch imdb --mirror http://host/corpora   (or $SEQBOT_MIRROR): a copy of the layout

Files come from their official URLs (corpora/manifest.json). Where the official file is a newer
release or another packing than the reference copy, its checksum differs: fetch says so and keeps
nothing unless you pass --accept-checksum.
"""

from __future__ import annotations

import argparse
import importlib
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the usage lines of the docstring
    actions = parser.add_subparsers(title="actions", metavar="ACTION", dest="data_action", required=True)
    listing = actions.add_parser("list", help="every known corpus: where found, size, records, checksum status",
                                 description="Every known corpus: where it was found, its size, record count and checksum status.")
    listing.add_argument("--count", action="store_true",
                         help="count records by reading every file (default: trust the manifest's count when the checksum is ok)")
    fetch = actions.add_parser("fetch", help="download a corpus (or all) into the corpora folder",
                               description="Download NAME (or all) from its public URL, verify its sha256, write it atomically.")
    fetch.add_argument("name", metavar="NAME|all", help="a corpus name from `seqbot data list`, or all")
    fetch.add_argument("--mirror", metavar="URL", help="base URL serving the corpora folder layout (default: $SEQBOT_MIRROR, "
                                                       "else each file's official URL)")
    fetch.add_argument("--accept-checksum", action="store_true",
                       help="keep a download whose sha256 differs from the manifest (e.g. a newer official release)")
    for sub in (listing, fetch):
        sub.add_argument("--corpora", metavar="DIR", help="corpora folder (default: $SEQBOT_CORPORA, then corpora/)")
        sub.add_argument("--manifest", metavar="FILE", help=argparse.SUPPRESS)
        sub.set_defaults(data_run=run_list if sub is listing else run_fetch)


def run(args: argparse.Namespace) -> int:
    return args.data_run(args)


def count_records(reader: str, path) -> int:
    module_name, function_name = reader.rsplit(".", 1)
    return len(getattr(importlib.import_module(module_name), function_name)(path))


def run_list(args: argparse.Namespace) -> int:
    from seqbot.data.fetch import _size
    from seqbot.data.locate import load_manifest, sha256_of, where_from
    from seqbot.errors import CorpusError
    from seqbot.paths import corpora_dir

    folder = corpora_dir(args.corpora)
    print(f"corpora folder: {folder} (from {where_from(args.corpora)})")
    rows = [("corpus", "file", "size", "records", "sha256", "path")]
    missing = 0
    for corpus in load_manifest(args.manifest):
        for entry in corpus.files:
            path = folder / entry.path
            if not path.is_file():
                missing += 1
                rows.append((corpus.name, entry.name, "-", "-", "missing", f"`seqbot data fetch {corpus.name}`"))
                continue
            status = "ok" if sha256_of(path) == entry.sha256 else "mismatch"
            if status == "ok" and not args.count:
                records = f"{entry.records:,}"
            else:
                try:
                    records = f"{count_records(corpus.reader, path):,}"
                except CorpusError as error:
                    records = "unreadable"
                    print(f"{path}: {error}", file=sys.stderr)
            rows.append((corpus.name, entry.name, _size(path.stat().st_size), records, status, str(path)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.rjust(width) if i in (2, 3) else cell.ljust(width) for i, (cell, width) in enumerate(zip(row, widths)))
              + "  " + row[-1])
    if missing:
        print(f"{missing} file(s) missing: `seqbot data fetch all` downloads them, or set --corpora / $SEQBOT_CORPORA")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from seqbot.data.fetch import fetch_corpus, mirror_url
    from seqbot.data.locate import find_corpus, load_manifest
    from seqbot.errors import CorpusError
    from seqbot.paths import corpora_dir

    manifest = load_manifest(args.manifest)
    corpora = manifest if args.name == "all" else [find_corpus(args.name, manifest)]
    folder = corpora_dir(args.corpora)
    mirror = args.mirror or mirror_url()
    if args.name != "all":
        report_fetch(corpora[0], fetch_corpus(corpora[0], folder, mirror=mirror, accept_checksum=args.accept_checksum))
        return 0
    # `all` goes on after a failure (one corpus's mismatched or unreachable download must not
    # keep the others from being fetched), then names every failure and exits non-zero.
    failures = []
    for corpus in corpora:
        try:
            report_fetch(corpus, fetch_corpus(corpus, folder, mirror=mirror, accept_checksum=args.accept_checksum))
        except CorpusError as error:
            print(f"seqbot: error: {error}", file=sys.stderr)
            failures.append(corpus.name)
    if failures:
        print(f"seqbot: {len(failures)} of {len(corpora)} corpora not fetched: {', '.join(failures)}", file=sys.stderr)
        return 2  # what the CLI returns for any other SeqbotError
    return 0


def report_fetch(corpus, results) -> None:
    for result in results:
        print(f"{corpus.name}: {result.path} {result.status} (sha256 {result.sha256[:12]}...)")
