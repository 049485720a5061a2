"""`seqbot data fetch` / `list` and seqbot.data.fetch against a local HTTP server on 127.0.0.1
serving fixture files: success, wrong checksum, truncated transfer, 404, archive member."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import threading
import zipfile
from pathlib import Path

import pytest

from seqbot.cli import main
from seqbot.data.fetch import fetch_corpus, fetch_file
from seqbot.data.locate import CorpusFile, find_corpus, load_manifest, locate
from seqbot.errors import CorpusError

FILES = {
    "tinyshakespeare/input.txt": b"First Citizen:\nBefore we proceed any further, hear me speak.\n" * 50,
    "sms-spam/SMSSpamCollection": b"ham\tOk lar... Joking wif u oni...\nspam\tFree entry in 2 a wkly comp\n",
}


class Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.lstrip("/")
        cut = path.startswith("cut/")
        body = self.files.get(path.removeprefix("cut/"))
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) + (5000 if cut else 0)))  # cut: promise more than is sent
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme", "the UCI readme")
        zipped.writestr("SMSSpamCollection", FILES["sms-spam/SMSSpamCollection"])
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as zipped:
        zipped.writestr("readme", "no messages here")
    Handler.files = dict(FILES) | {"official/smsspamcollection.zip": archive.getvalue(),
                                   "official/cut.zip": archive.getvalue()[:40], "official/other.zip": other.getvalue()}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry(path: str, url: str, digest: str, member: str | None = None) -> dict:
    return {"path": path, "url": url, "sha256": digest, "size": len(FILES.get(path, b"")), "records": 2, "member": member}


def write_manifest(tmp_path: Path, server: str) -> Path:
    corpora = [
        {"name": "tinyshakespeare", "files": [entry("tinyshakespeare/input.txt", f"{server}/tinyshakespeare/input.txt",
                                                    sha(FILES["tinyshakespeare/input.txt"]))],
         "reader": "seqbot.data.shakespeare.read_text"},
        {"name": "sms-spam", "files": [entry("sms-spam/SMSSpamCollection", f"{server}/official/smsspamcollection.zip",
                                             sha(FILES["sms-spam/SMSSpamCollection"]), member="SMSSpamCollection")],
         "reader": "seqbot.data.sms_spam.read_messages"},
        {"name": "wrong-sum", "files": [entry("tinyshakespeare/input.txt", f"{server}/tinyshakespeare/input.txt", "0" * 64)],
         "reader": "seqbot.data.shakespeare.read_text"},
        {"name": "cut", "files": [entry("tinyshakespeare/input.txt", f"{server}/cut/tinyshakespeare/input.txt",
                                        sha(FILES["tinyshakespeare/input.txt"]))], "reader": "seqbot.data.shakespeare.read_text"},
        {"name": "gone", "files": [entry("tinyshakespeare/input.txt", f"{server}/nowhere/input.txt",
                                         sha(FILES["tinyshakespeare/input.txt"]))], "reader": "seqbot.data.shakespeare.read_text"},
        {"name": "absent", "files": [entry("absent/never.txt", f"{server}/absent/never.txt", "1" * 64)],
         "reader": "seqbot.data.shakespeare.read_text"},
    ]
    for corpus in corpora:
        corpus.update(title=corpus["name"], homepage="", license="", format="", official_download="identical")
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"version": 1, "corpora": corpora}))
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_fetch_downloads_verifies_and_then_skips(tmp_path, server):
    manifest = load_manifest(write_manifest(tmp_path, server))
    folder = tmp_path / "corpora"
    [result] = fetch_corpus(find_corpus("tinyshakespeare", manifest), folder, stream=io.StringIO())
    assert result.status == "downloaded"
    assert (folder / "tinyshakespeare/input.txt").read_bytes() == FILES["tinyshakespeare/input.txt"]
    assert leftovers(folder) == ["input.txt"]
    [again] = fetch_corpus(find_corpus("tinyshakespeare", manifest), folder, stream=io.StringIO())
    assert again.status == "present"


def test_fetch_extracts_the_member_of_an_official_zip(tmp_path, server):
    manifest = load_manifest(write_manifest(tmp_path, server))
    folder = tmp_path / "corpora"
    fetch_corpus(find_corpus("sms-spam", manifest), folder, stream=io.StringIO())
    assert (folder / "sms-spam/SMSSpamCollection").read_bytes() == FILES["sms-spam/SMSSpamCollection"]
    assert leftovers(folder) == ["SMSSpamCollection"]


def test_fetch_from_a_mirror_uses_the_corpora_layout(tmp_path, server):
    manifest = load_manifest(write_manifest(tmp_path, server))
    folder = tmp_path / "corpora"
    [result] = fetch_corpus(find_corpus("gone", manifest), folder, mirror=server + "/", stream=io.StringIO())
    assert result.status == "downloaded" and leftovers(folder) == ["input.txt"]


def test_wrong_checksum_saves_nothing_unless_accepted(tmp_path, server):
    manifest = load_manifest(write_manifest(tmp_path, server))
    folder = tmp_path / "corpora"
    with pytest.raises(CorpusError, match=r"checksum mismatch for tinyshakespeare/input.txt.*Nothing was saved"):
        fetch_corpus(find_corpus("wrong-sum", manifest), folder, stream=io.StringIO())
    assert leftovers(folder) == []
    [kept] = fetch_corpus(find_corpus("wrong-sum", manifest), folder, accept_checksum=True, stream=io.StringIO())
    assert kept.status == "accepted" and leftovers(folder) == ["input.txt"]


def test_truncated_transfer_and_404_leave_the_old_file_alone(tmp_path, server):
    manifest = load_manifest(write_manifest(tmp_path, server))
    folder = tmp_path / "corpora"
    old = folder / "tinyshakespeare" / "input.txt"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"an older, different copy")
    with pytest.raises(CorpusError, match=r"cut/tinyshakespeare/input.txt was cut off.*Nothing was saved"):
        fetch_corpus(find_corpus("cut", manifest), folder, stream=io.StringIO())
    with pytest.raises(CorpusError, match=r"nowhere/input.txt failed: HTTP 404"):
        fetch_corpus(find_corpus("gone", manifest), folder, stream=io.StringIO())
    assert leftovers(folder) == ["input.txt"] and old.read_bytes() == b"an older, different copy"


def test_unreachable_server_is_a_clear_error(tmp_path):
    corpus = find_corpus("tinyshakespeare")
    with pytest.raises(CorpusError, match=r"download of http://127.0.0.1:9/tinyshakespeare/input.txt failed"):
        fetch_corpus(corpus, tmp_path, mirror="http://127.0.0.1:9", stream=io.StringIO(), timeout=5)
    assert leftovers(tmp_path) == []


def test_cli_fetch_and_list(tmp_path, server, capsys):
    manifest = str(write_manifest(tmp_path, server))
    folder = str(tmp_path / "corpora")
    assert main(["data", "fetch", "tinyshakespeare", "--manifest", manifest, "--corpora", folder]) == 0
    assert "tinyshakespeare" in capsys.readouterr().out
    assert main(["data", "fetch", "gone", "--manifest", manifest, "--corpora", str(tmp_path / "elsewhere")]) == 2
    assert "HTTP 404" in capsys.readouterr().err
    (tmp_path / "corpora/sms-spam").mkdir()
    (tmp_path / "corpora/sms-spam/SMSSpamCollection").write_text("ham\tone\nham\ttwo\nspam\tthree\n")
    assert main(["data", "list", "--manifest", manifest, "--corpora", folder]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert " ok " in lines["tinyshakespeare"] and " 2 " in lines["tinyshakespeare"]
    assert "mismatch" in lines["sms-spam"] and " 3 " in lines["sms-spam"]  # counted by reading the file
    assert "missing" in lines["absent"] and "seqbot data fetch absent" in lines["absent"]


def test_locate_names_the_file_the_folder_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("SEQBOT_CORPORA", raising=False)
    with pytest.raises(CorpusError) as error:
        locate("imdb", corpora=tmp_path)
    message = str(error.value)
    assert "aclImdb_v1.tar.gz" in message and str(tmp_path / "imdb") in message and "seqbot data fetch imdb" in message
    (tmp_path / "nsmc").mkdir()
    (tmp_path / "nsmc/ratings_test.txt").write_text("id\tdocument\tlabel\n")
    assert locate("nsmc", "ratings_test.txt", corpora=tmp_path) == tmp_path / "nsmc/ratings_test.txt"
    with pytest.raises(ValueError, match="unknown corpus 'bogus'"):
        locate("bogus")


def test_shipped_manifest_matches_the_corpora_readme_checksums(real_corpora):
    sums = dict(line.split()[::-1] for line in (real_corpora / "SHA256SUMS").read_text().splitlines() if line.strip())
    manifest = load_manifest()
    files = [f for corpus in manifest for f in corpus.files]
    assert {f"./{f.path}": f.sha256 for f in files} == {path: digest for path, digest in sums.items()}
    assert all((real_corpora / f.path).stat().st_size == f.size for f in files)


def test_damaged_or_wrong_official_archive_saves_nothing(tmp_path, server):
    digest = sha(FILES["sms-spam/SMSSpamCollection"])
    for name, message in [("cut.zip", "cut.zip is not a readable zip or tar archive"),
                          ("other.zip", "other.zip holds no SMSSpamCollection")]:
        entry = CorpusFile("sms-spam/SMSSpamCollection", f"{server}/official/{name}", digest, 0, 0, "SMSSpamCollection")
        with pytest.raises(CorpusError, match=message + ".*Nothing was saved"):
            fetch_file("sms-spam", entry, tmp_path, stream=io.StringIO())
    assert leftovers(tmp_path) == []


def test_list_reports_an_unreadable_file(tmp_path, server, capsys):
    manifest = str(write_manifest(tmp_path, server))
    broken = tmp_path / "corpora/sms-spam/SMSSpamCollection"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert main(["data", "list", "--manifest", manifest, "--corpora", str(tmp_path / "corpora")]) == 0
    captured = capsys.readouterr()
    assert "unreadable" in captured.out and "SMSSpamCollection is not utf-8" in captured.err


def test_broken_manifest_is_a_clear_error(tmp_path):
    bad = tmp_path / "manifest.json"
    bad.write_text("{not json")
    with pytest.raises(CorpusError, match="manifest.json is not a valid corpus manifest"):
        load_manifest(bad)


def test_downloaded_file_gets_the_usual_mode_not_mkstemps_0600(tmp_path, server):
    manifest = load_manifest(write_manifest(tmp_path, server))
    old_umask = os.umask(0o022)
    try:
        [result] = fetch_corpus(find_corpus("tinyshakespeare", manifest), tmp_path / "corpora", stream=io.StringIO())
    finally:
        os.umask(old_umask)
    assert result.path.stat().st_mode & 0o777 == 0o644


def test_cli_fetch_all_goes_on_after_a_failure_and_names_every_failure(tmp_path, server, capsys):
    manifest = str(write_manifest(tmp_path, server))
    folder = tmp_path / "corpora"
    assert main(["data", "fetch", "all", "--manifest", manifest, "--corpora", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "sms-spam:" in captured.out and (folder / "sms-spam/SMSSpamCollection").is_file()
    assert "gone:" in captured.out  # handled after wrong-sum failed
    assert "checksum mismatch" in captured.err and "HTTP 404" in captured.err
    # "cut" and "gone" share tinyshakespeare's path and checksum: already present, so not downloaded again
    assert "2 of 6 corpora not fetched: wrong-sum, absent" in captured.err
    assert leftovers(folder) == ["SMSSpamCollection", "input.txt"]
