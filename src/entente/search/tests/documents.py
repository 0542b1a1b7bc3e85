"""Small documents of each format, built in memory for the tests (no fixture files)."""

from __future__ import annotations

import io
import zipfile


def pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII) in Helvetica, with a correct xref table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode())
    out.write(f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _zip(parts: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def odt(*paragraphs: str) -> bytes:
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:text><text:h>Titre</text:h>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content})


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    return _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": document})


def xlsx(*cells: str) -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = "".join(f"<si><t>{c}</t></si>" for c in cells)
    return _zip({"xl/sharedStrings.xml": f'<sst xmlns="{ns}">{strings}</sst>'})


def pptx(*slides: str) -> bytes:
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    parts = {
        f"ppt/slides/slide{n}.xml": f'<p:sld xmlns:p="x" xmlns:a="{a}"><a:p><a:r><a:t>{text}'
        "</a:t></a:r></a:p></p:sld>"
        for n, text in enumerate(slides, start=1)
    }
    return _zip(parts)


def zip_bomb(megabytes: int = 64) -> bytes:
    """A .docx whose document part inflates to ``megabytes`` of one repeated paragraph."""
    paragraph = f"<w:p><w:r><w:t>{'bombe ' * 100}</w:t></w:r></w:p>".encode()
    head = f'<w:document xmlns:w="{W}"><w:body>'.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            chunk = paragraph * (1024 * 1024 // len(paragraph) + 1)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()
