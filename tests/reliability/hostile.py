"""Hostile inputs for the bounds suite (issue #17), generated in the test's tmp folder.

Bombs are built in about a second: a deflate stream can be cut into segments with a full
flush, after which the compressor starts afresh, so one compressed segment of a 16 MB block
repeated n times is a valid stream of n blocks (only the CRC is computed over everything).
"""

from __future__ import annotations

import json
import os
import socket
import struct
import zlib
from io import BytesIO
from pathlib import Path

from reliability.corpus import PARAGRAPHS, article_text, html_page, own

MB = 1024 * 1024
BLOCK = b"A" * (16 * MB)  # the filler a bomb repeats


def gzip_stream(parts: list[tuple[bytes, int]]) -> bytes:
    """One gzip member holding each (bytes, times) part repeated, in order."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body, crc, size = [], 0, 0
    for data, times in parts:
        segment = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
        body.append(segment * times)
        for _ in range(times):
            crc = zlib.crc32(data, crc)
        size += len(data) * times
    body.append(compressor.flush())
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + b"".join(body) + struct.pack("<II", crc, size & 0xFFFFFFFF)


def html_bomb(path: Path, inflated_mb: int = 1024) -> None:
    """A ``.html.gz`` of about 1 MB that inflates to ``inflated_mb`` MB of one paragraph."""
    head = html_page("Talks resume in Istanbul", PARAGRAPHS[:3]).replace("</article>", "<p>").encode()
    path.write_bytes(gzip_stream([(head, 1), (BLOCK, inflated_mb // 16), (b"</p></article></body></html>", 1)]))


def jsonl_bomb(path: Path, field_mb: int = 208) -> None:
    """A ``.jsonl.gz``: a good line, a line whose text field is ``field_mb`` MB, a good line."""
    good = [json.dumps({"url": f"https://news.example.org/world/{n}", "title": f"Dispatch {n}", "text": article_text(n)})
            for n in (1, 2)]
    huge = (b'{"url": "https://news.example.org/world/huge", "title": "Huge", "text": "', b'"}\n')
    path.write_bytes(gzip_stream([
        (good[0].encode() + b"\n" + huge[0], 1), (BLOCK, field_mb // 16), (huge[1] + good[1].encode() + b"\n", 1),
    ]))


def warc_bomb(path: Path, inflated_mb: int = 512) -> None:
    """A WARC of two responses: the first's payload is gzip-encoded (a bomb), the second is a plain page."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    bomb = gzip_stream([(b"<html><body><p>", 1), (BLOCK, inflated_mb // 16), (b"</p></body></html>", 1)])
    page = html_page("Ukraine talks resume in Istanbul", own(PARAGRAPHS[:3], 17)).encode()
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        for url, payload, encoding in (("https://a.example.com/bomb", bomb, "gzip"), ("https://b.example.org/talks", page, None)):
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(payload)))]
            if encoding:
                headers.append(("Content-Encoding", encoding))
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(payload), http_headers=http))


def looping_folder(folder: Path) -> dict[str, str]:
    """Articles under links that loop back (twice, so a walk that follows them branches without end),
    special files, and links to an article and a folder outside; file name -> its expected fate."""
    outside = folder.parent / f"{folder.name}-outside"
    (outside / "shelf").mkdir(parents=True)
    (outside / "shelf" / "elsewhere.txt").write_text(article_text(40), encoding="utf-8")
    (outside / "linked.txt").write_text(article_text(41), encoding="utf-8")
    (folder / "sub" / "deeper").mkdir(parents=True)
    for n, place in enumerate([folder, folder / "sub", folder / "sub" / "deeper"]):
        (place / f"dispatch-{n:03d}.txt").write_text(article_text(n), encoding="utf-8")
    os.symlink(".", folder / "self")  # in/self -> in
    os.symlink("..", folder / "sub" / "up")  # in/sub/up -> in
    os.symlink("../..", folder / "sub" / "deeper" / "top")  # in/sub/deeper/top -> in
    os.symlink(outside / "shelf", folder / "shelf")  # a folder outside: read once
    os.symlink(outside / "linked.txt", folder / "linked.txt")  # a file outside: read once
    fates = {f"dispatch-{n:03d}.txt": "indexed" for n in range(3)}
    fates.update({"elsewhere.txt": "indexed", "linked.txt": "indexed"})
    fates.update(special_files(folder))
    return fates


def special_files(folder: Path) -> dict[str, str]:
    """A FIFO (opening it blocks until a writer comes), a socket and a link to a device, named as articles."""
    os.mkfifo(folder / "pipe.html")
    os.symlink("/dev/zero", folder / "zero.txt")  # endless bytes
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "control.html"))
    server.close()  # the socket file stays
    return {"pipe.html": "rejected", "zero.txt": "rejected", "control.html": "rejected"}
