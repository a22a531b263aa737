#!/usr/bin/python3
"""An independent reader for the e-mails notify/mime.c writes (test_mime.c).

Usage: mime_check.py MESSAGE.eml

Parses the message with Python's email package (policy=default, the
modern, strict parser) and prints one JSON object that test_mime.c
asserts on:

  {"headers": [[name, decoded value]...],      top-level, in order
   "from" / "to" / "reply_to": [{"name", "addr", "rfc2047"}...] or null,
   "tree": "multipart/mixed(multipart/alternative(text/plain,...),...)",
   "parts": [{"type", "params": {k: v}, "cte", "disposition", "filename",
              "content": decoded text (CRLF kept as is)}...], leaves only,
   "defects": ["where: defect"...],           every defect the parser saw
   "raw": {"bare_line_ends": N,   CR or LF not in a CRLF pair
           "max_header_line": N,  longest line of any header section
           "max_body_line": N,    longest line of any part body
           "encoded_words": N, "max_encoded_word": N,
           "split_utf8_words": N,  encoded-words whose octets are not
                                   UTF-8 on their own (RFC 2047 6.3)
           "whitespace_only_header_lines": N,
           "boundary_in_body": N}}  lines inside a part that start with a
                                   boundary delimiter of the message

It exits 0 even when it finds problems: the C test decides what matters.
"""
import base64
import email
import email.header
import email.policy
import json
import re
import sys

EW = re.compile(rb"=\?([^?]+)\?([bBqQ])\?([^?]*)\?=")


def addresses(msg, legacy, name):
    """The modern parser's reading, plus the whole header decoded by the
    legacy email.header.decode_header, which follows RFC 2047 6.2 (blanks
    between adjacent encoded-words are dropped). The modern parser keeps
    such a blank inside a display name, so the C test compares its names
    with blanks collapsed and the legacy text exactly."""
    h = msg.get(name)
    if h is None:
        return None
    raw = re.sub(r"\r?\n(?=[ \t])", "", legacy.get(name))
    decoded = str(email.header.make_header(email.header.decode_header(raw)))
    return [{"name": a.display_name, "addr": a.addr_spec, "rfc2047": decoded}
            for a in h.addresses]


def tree(part):
    if part.is_multipart():
        return "%s(%s)" % (part.get_content_type(), ",".join(tree(p) for p in part.iter_parts()))
    return part.get_content_type()


def leaves(part, out, defects, where="message"):
    for d in part.defects:
        defects.append("%s: %s" % (where, type(d).__name__))
    for name, value in part.items():
        for d in getattr(value, "defects", []):
            defects.append("%s header %s: %s" % (where, name, type(d).__name__))
    if part.is_multipart():
        for i, p in enumerate(part.iter_parts(), 1):
            leaves(p, out, defects, "%s.%d" % (where, i))
        return
    content = part.get_content()
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    out.append({
        "type": part.get_content_type(),
        "params": {k: v for k, v in part.get_params()[1:]} if part.get_params() else {},
        "cte": part.get("Content-Transfer-Encoding"),
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "content": content,
    })


def raw_checks(data, boundaries):
    bare = len(re.findall(rb"\r(?!\n)|(?<!\r)\n", data))
    lines = data.split(b"\r\n")
    max_header = max_body = ws_only = 0
    in_header = True
    words = max_word = split = in_body_boundary = 0
    delims = [b"--" + b.encode() for b in boundaries]
    for line in lines:
        if in_header:
            if line == b"":
                in_header = False
                continue
            max_header = max(max_header, len(line))
            if line.strip(b" \t") == b"" :
                ws_only += 1
            for m in EW.finditer(line):
                words += 1
                max_word = max(max_word, len(m.group(0)))
                if m.group(2) in b"bB":
                    raw = base64.b64decode(m.group(3))
                else:
                    raw = m.group(3)
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    split += 1
            continue
        if any(line.startswith(d) for d in delims):
            # A delimiter line: its own, or (wrongly) one inside a part.
            in_header = True
            continue
        max_body = max(max_body, len(line))
    # Count delimiter-looking lines that are not exactly a delimiter.
    for line in lines:
        for d in delims:
            if line.startswith(d) and line not in (d, d + b"--"):
                in_body_boundary += 1
    return {"bare_line_ends": bare, "max_header_line": max_header, "max_body_line": max_body,
            "encoded_words": words, "max_encoded_word": max_word, "split_utf8_words": split,
            "whitespace_only_header_lines": ws_only, "boundary_in_body": in_body_boundary}


def main():
    data = open(sys.argv[1], "rb").read()
    msg = email.message_from_bytes(data, policy=email.policy.default)
    legacy = email.message_from_bytes(data, policy=email.policy.compat32)
    boundaries = [p.get_boundary() for p in msg.walk() if p.is_multipart()]
    parts, defects = [], []
    leaves(msg, parts, defects)
    out = {
        "headers": [[k, str(v)] for k, v in msg.items()],
        "from": addresses(msg, legacy, "From"),
        "to": addresses(msg, legacy, "To"),
        "reply_to": addresses(msg, legacy, "Reply-To"),
        "tree": tree(msg),
        "parts": parts,
        "defects": defects,
        "raw": raw_checks(data, boundaries),
    }
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
