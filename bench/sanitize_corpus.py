#!/usr/bin/env python3
"""Builds the corpus of bench/sanitize_vs_peers.sh: real-shaped PDF, OOXML
and image files, deterministic for a seed, each named by its SHA-256.

    bench/sanitize_corpus.py OUTDIR [--seed N] [--scale F]

Sources, all from this machine (Debian packages) or generated here:
  pdf/    the PDF manuals under /usr/share/doc; manual pages typeset with
          groff and turned into PDF by Ghostscript (1 to several hundred
          pages per file: the large files); image-heavy PDFs made by
          Ghostscript from PostScript (JPEG and Flate images, up to tens of
          MB); qpdf variants of some of them (object streams, linearized,
          owner-password encryption); and damaged files (truncated, bytes
          flipped inside streams, a content stream that is not Flate data, a
          Flate-in-Flate decompression bomb) as a gateway receives them.
  ooxml/  docx, xlsx and pptx written with zipfile: real parts (content
          types, relationships, core/app properties with an author, styles,
          text, tables, shared strings, slides) and embedded JPEG/PNG media.
  image/  JPEG and PNG renderings of the manual pages by Ghostscript, with
          EXIF/XMP/comment metadata added by exiftool.

OUTDIR/MANIFEST lists "sha256 size kind origin" per file; when it exists and
names the same seed and scale, nothing is rebuilt. Needs gs, groff, qpdf,
exiftool.
"""
import argparse
import glob
import gzip
import hashlib
import io
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor

VERSION = 1


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class Corpus:
    def __init__(self, out, seed, scale):
        self.out = out
        self.rng = random.Random(seed)
        self.scale = scale
        self.entries = []
        self.tmp = tempfile.mkdtemp(prefix="mamori_corpus_")

    def add(self, kind, ext, data, origin):
        digest = sha256(data)
        directory = os.path.join(self.out, kind)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, digest[:16] + "." + ext), "wb") as f:
            f.write(data)
        self.entries.append((digest, len(data), kind, ext, origin))

    def run(self, args, stdin=None):
        return subprocess.run(args, input=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=True).stdout

    def tmpfile(self, name, data=None):
        path = os.path.join(self.tmp, name)
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        return path


# ------------------------------------------------------------------ PDF

GS_PDF = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite"]


def man_pages(rng, count):
    pages = sorted(glob.glob("/usr/share/man/man1/*.1.gz") +
                   glob.glob("/usr/share/man/man3/*.3.gz") +
                   glob.glob("/usr/share/man/man5/*.5.gz") +
                   glob.glob("/usr/share/man/man8/*.8.gz"))
    # Only real pages (not .so redirects), checked lazily.
    rng.shuffle(pages)
    return pages[:count]


def typeset(corpus, pages, name):
    """groff -Tps over the pages, then Ghostscript's ps2pdf: one PDF."""
    sources = []
    for i, page in enumerate(pages):
        with gzip.open(page, "rb") as f:
            text = f.read()
        if text.startswith(b".so "):
            continue
        sources.append(corpus.tmpfile("%s_%d.man" % (name, i), text))
    if not sources:
        return None
    ps = subprocess.run(["groff", "-t", "-man", "-Tps"] + sources, stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL).stdout
    for source in sources:
        os.unlink(source)
    if not ps:
        return None
    out = corpus.tmpfile(name + ".pdf")
    subprocess.run(GS_PDF + ["-sOutputFile=" + out, "-"], input=ps, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    with open(out, "rb") as f:
        data = f.read()
    os.unlink(out)
    return data


def image_postscript(rng, pages, width, height):
    """PostScript with `pages` pages, each a photo-like RGB image (smooth
    gradients plus noise: rows drawn from a set of noisy gradient rows, each
    shifted) and a caption."""
    out = io.StringIO()
    out.write("%!PS-Adobe-3.0\n")
    for page in range(pages):
        seed = rng.randrange(1 << 30)
        local = random.Random(seed)
        fx = local.uniform(0.5, 3)
        noise = local.randrange(8, 64)
        rows = []
        for r in range(32):
            row = bytearray(width * 3)
            for x in range(width):
                n = local.randrange(noise)
                row[3 * x] = (r * 8 + n) & 255
                row[3 * x + 1] = (int(x * fx * 255 // width) + n) & 255
                row[3 * x + 2] = (x * 128 // width + 64 + n) & 255
            rows.append(bytes(row))
        raw = bytearray()
        for y in range(height):
            row = rows[(y * 32 // height + local.randrange(3)) % 32]
            shift = 3 * local.randrange(width)
            raw += row[shift:] + row[:shift]
        out.write("/Helvetica findfont 14 scalefont setfont 72 40 moveto (Photo %d-%d) show\n"
                  % (seed, page))
        out.write("gsave 36 72 translate 540 700 scale\n")
        out.write("%d %d 8 [%d 0 0 -%d 0 %d]\n" % (width, height, width, height, height))
        out.write("currentfile /ASCIIHexDecode filter false 3 colorimage\n")
        hexed = raw.hex()
        for i in range(0, len(hexed), 128):
            out.write(hexed[i:i + 128] + "\n")
        out.write(">\ngrestore showpage\n")
    return out.getvalue().encode()


def image_pdf(corpus, pages, width, height, flate):
    ps = image_postscript(corpus.rng, pages, width, height)
    out = corpus.tmpfile("images.pdf")
    options = []
    if flate:
        options = ["-dAutoFilterColorImages=false", "-dColorImageFilter=/FlateEncode",
                   "-dDownsampleColorImages=false"]
    else:
        options = ["-dDownsampleColorImages=false"]
    subprocess.run(GS_PDF + options + ["-sOutputFile=" + out, "-"], input=ps,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    with open(out, "rb") as f:
        data = f.read()
    os.unlink(out)
    return data


def qpdf_variant(corpus, data, args):
    src = corpus.tmpfile("variant_in.pdf", data)
    dst = corpus.tmpfile("variant_out.pdf")
    status = subprocess.run(["qpdf"] + args + ["--", src, dst] if args and args[0] == "--encrypt"
                            else ["qpdf"] + args + [src, dst],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    if status not in (0, 3):
        return None
    with open(dst, "rb") as f:
        return f.read()


def flate_bomb(decoded_mb):
    content = b"0 0 m 10 10 l S\n" * (decoded_mb * (1 << 20) // 16)
    stream = zlib.compress(zlib.compress(content, 9), 9)
    return raw_pdf(stream, b"/Filter [/FlateDecode /FlateDecode]")


def raw_pdf(stream, filters):
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d %s >>\nstream\n" % (len(stream), filters) + stream + b"\nendstream",
    ]
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return out


def damage(rng, data):
    """Bytes flipped inside the stream data of a PDF."""
    data = bytearray(data)
    starts, at = [], data.find(b"stream\n")
    while at >= 0:
        starts.append(at)
        at = data.find(b"stream\n", at + 7)
    for start in rng.sample(starts, min(len(starts), 3)):
        for _ in range(8):
            i = start + 7 + rng.randrange(64)
            if i < len(data):
                data[i] = rng.randrange(256)
    return bytes(data)


def build_pdfs(corpus):
    s = corpus.scale
    for path in sorted(glob.glob("/usr/share/doc/**/*.pdf", recursive=True) +
                       glob.glob("/usr/share/doc/**/*.pdf.gz", recursive=True)):
        data = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
        if data.startswith(b"%PDF"):
            corpus.add("pdf", "pdf", data, "debian-doc:" + path)

    # Manual pages: mostly short documents, some long, a few very long.
    sizes = [1] * int(60 * s) + [3] * int(50 * s) + [12] * int(25 * s) + [40] * int(8 * s) + \
        [250] * max(1, int(3 * s))
    pages = man_pages(corpus.rng, sum(sizes))
    groups, at = [], 0
    for size in sizes:
        groups.append(pages[at:at + size])
        at += size
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(pool.map(lambda ig: typeset(corpus, ig[1], "man%d" % ig[0]),
                             enumerate(groups)))
    typeset_pdfs = []
    for group, data in zip(groups, made):
        if data:
            corpus.add("pdf", "pdf", data, "groff+gs:%d manual pages" % len(group))
            typeset_pdfs.append(data)

    # Image-heavy: scanned-photo-like pages, JPEG (DCT) and Flate images.
    for i in range(max(1, int(8 * s))):
        pages_count = corpus.rng.choice([1, 2, 4, 8])
        side = corpus.rng.choice([400, 600, 800])
        flate = i % 3 == 2
        data = image_pdf(corpus, pages_count, side, side * 4 // 3, flate)
        corpus.add("pdf", "pdf", data, "gs:%d image pages %s" % (pages_count,
                                                                "flate" if flate else "jpeg"))

    derive_pdfs(corpus, typeset_pdfs)


def merge(corpus, parts):
    sources = [corpus.tmpfile("merge_%d.pdf" % i, data) for i, data in enumerate(parts)]
    out = corpus.tmpfile("merged.pdf")
    status = subprocess.run(["qpdf", "--empty", "--pages"] + sources + ["--", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    for source in sources:
        os.unlink(source)
    if status not in (0, 3):
        return None
    with open(out, "rb") as f:
        data = f.read()
    os.unlink(out)
    return data


def derive_pdfs(corpus, typeset_pdfs, image_pdfs=()):
    """What qpdf makes from the typeset (and image) PDFs: large merged
    documents, variants, damaged copies."""
    s = corpus.scale
    # Large: many documents merged into one (hundreds to thousands of pages,
    # photos among them), 2 to 20 MB: where a rewrite's per-object cost shows.
    pool = list(typeset_pdfs) + list(image_pdfs)
    for i in range(max(1, int(10 * s))):
        count = corpus.rng.choice([20, 40, 80, len(pool)])
        parts = corpus.rng.sample(pool, min(count, len(pool)))
        data = merge(corpus, parts)
        if data:
            corpus.add("pdf", "pdf", data, "qpdf --pages: %d documents merged" % len(parts))

    # Variants made by qpdf from some of the typeset ones.
    variants = [["--object-streams=generate"], ["--linearize"],
                ["--encrypt", "", "owner-secret", "256"]]
    for i, data in enumerate(corpus.rng.sample(typeset_pdfs, min(len(typeset_pdfs), int(24 * s)))):
        args = variants[i % len(variants)]
        out = qpdf_variant(corpus, data, args)
        if out:
            corpus.add("pdf", "pdf", out, "qpdf " + " ".join(args))

    # Damaged, as they arrive: truncated, flipped bytes, not-Flate, a bomb.
    for data in corpus.rng.sample(typeset_pdfs, min(len(typeset_pdfs), int(6 * s))):
        corpus.add("pdf", "pdf", data[:len(data) * 7 // 10], "damaged: truncated to 70%")
        corpus.add("pdf", "pdf", damage(corpus.rng, data), "damaged: bytes flipped in streams")
    corpus.add("pdf", "pdf", raw_pdf(b"this is not flate data", b"/Filter /FlateDecode"),
               "damaged: content stream not Flate")
    corpus.add("pdf", "pdf", flate_bomb(64), "bomb: Flate in Flate, 64 MiB decoded")


# ------------------------------------------------------------------ images

def build_images(corpus, pdfs):
    """Pages of the typeset PDFs rendered to JPEG and PNG, with metadata."""
    s = corpus.scale
    sources = [d for d in pdfs if len(d) > 20000]
    corpus.rng.shuffle(sources)
    count = int(40 * s)
    made = []
    for i in range(count):
        data = sources[i % len(sources)]
        src = corpus.tmpfile("render_%d.pdf" % i, data)
        png = i % 2 == 1
        dpi = corpus.rng.choice([72, 100, 150, 200])
        out = corpus.tmpfile("render_%d.%s" % (i, "png" if png else "jpg"))
        device = ["-sDEVICE=png16m"] if png else ["-sDEVICE=jpeg", "-dJPEGQ=%d" % corpus.rng.choice(
            [75, 85, 95])]
        subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-r%d" % dpi,
                        "-dFirstPage=1", "-dLastPage=1", "-sOutputFile=" + out] + device + [src],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        os.unlink(src)
        made.append(out)
    # Camera-like metadata: author, GPS position, comment, XMP.
    for i, out in enumerate(made):
        subprocess.run(["exiftool", "-q", "-q", "-overwrite_original", "-Artist=Hannan Taro",
                        "-Copyright=Hannan City", "-ImageDescription=scan %d" % i,
                        "-XMP-dc:Creator=Hannan Taro", "-GPSLatitude=34.36",
                        "-GPSLatitudeRef=N", "-GPSLongitude=135.24", "-GPSLongitudeRef=E",
                        "-Comment=internal draft %d" % i, out],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out, "rb") as f:
            data = f.read()
        os.unlink(out)
        corpus.add("image", "png" if out.endswith(".png") else "jpg", data, "gs render + exiftool")
    return [d for d in corpus.entries if d[2] == "image"]


# ------------------------------------------------------------------ OOXML

WORDS = ("阪南市 情報 セキュリティ 対策 基準 職員 端末 管理 外部 記録媒体 持ち出し 申請 承認 "
         "system network policy record backup access control incident report review "
         "municipality office document schedule budget meeting resident service").split()

CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:title>{title}</dc:title><dc:creator>Hannan Taro</dc:creator>'
        '<cp:lastModifiedBy>Sennan Hanako</cp:lastModifiedBy>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-04-01T09:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-11-30T17:30:00Z</dcterms:modified>'
        '</cp:coreProperties>')
APP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
       '<Application>Microsoft Office Word</Application><Company>Hannan City</Company>'
       '<TotalTime>42</TotalTime></Properties>')
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def rels(items):
    body = "".join('<Relationship Id="%s" Type="%s/%s" Target="%s"/>' % (rid, R_DOC, kind, target)
                   for rid, kind, target in items)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="%s">%s</Relationships>' % (RELS_NS, body))


def root_rels(main_kind, main_target):
    body = ('<Relationship Id="rId1" Type="%s/officeDocument" Target="%s"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="%s/extended-properties" Target="docProps/app.xml"/>'
            % (R_DOC, main_target, R_DOC))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="%s">%s</Relationships>' % (RELS_NS, body))


def content_types(overrides, media):
    defaults = ('<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>')
    if "png" in media:
        defaults += '<Default Extension="png" ContentType="image/png"/>'
    if "jpg" in media:
        defaults += '<Default Extension="jpg" ContentType="image/jpeg"/>'
    body = "".join('<Override PartName="/%s" ContentType="%s"/>' % (p, t) for p, t in overrides)
    body += ('<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
             'package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType='
             '"application/vnd.openxmlformats-officedocument.extended-properties+xml"/>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types">%s%s</Types>' % (defaults, body))


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def zip_bytes(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 30, 17, 30, 0))
            info.compress_type = zipfile.ZIP_STORED if name.endswith((".jpg", ".png")) \
                else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buffer.getvalue()


def docx(rng, paragraphs, images):
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = []
    for i in range(paragraphs):
        if i % 40 == 0:
            body.append('<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>%s</w:t></w:r>'
                        '</w:p>' % sentence(rng, 4))
        runs = "".join('<w:r>%s<w:t xml:space="preserve">%s </w:t></w:r>'
                       % ('<w:rPr><w:b/></w:rPr>' if rng.random() < 0.1 else "",
                          sentence(rng, rng.randrange(4, 14))) for _ in range(rng.randrange(1, 5)))
        body.append("<w:p>%s</w:p>" % runs)
        if i % 60 == 30:
            rows = "".join("<w:tr>%s</w:tr>" % "".join(
                "<w:tc><w:p><w:r><w:t>%d</w:t></w:r></w:p></w:tc>" % rng.randrange(10000)
                for _ in range(5)) for _ in range(8))
            body.append("<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>%s</w:tbl>"
                        % rows)
    doc_rels = [("rId1", "styles", "styles.xml")]
    media_parts = []
    for n, (ext, data) in enumerate(images):
        rid = "rId%d" % (n + 10)
        doc_rels.append((rid, "image", "media/image%d.%s" % (n + 1, ext)))
        media_parts.append(("word/media/image%d.%s" % (n + 1, ext), data))
        body.append(
            '<w:p><w:r><w:drawing><wp:inline><wp:extent cx="3000000" cy="2000000"/>'
            '<wp:docPr id="%d" name="Picture %d"/><a:graphic><a:graphicData uri="http://schemas.'
            'openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="%d" '
            'name="image%d"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="%s"/>'
            '</pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline>'
            '</w:drawing></w:r></w:p>' % (n + 1, n + 1, n + 1, n + 1, rid))
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="%s" '
                'xmlns:r="%s" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
                'wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
                'main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
                '<w:body>%s<w:sectPr/></w:body></w:document>' % (W, R_DOC, "".join(body)))
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="%s">'
              '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
              '</w:style></w:styles>' % W)
    media = {ext for ext, _ in images}
    return zip_bytes([
        ("[Content_Types].xml", content_types(
            [("word/document.xml", "application/vnd.openxmlformats-officedocument."
              "wordprocessingml.document.main+xml"),
             ("word/styles.xml", "application/vnd.openxmlformats-officedocument."
              "wordprocessingml.styles+xml")], media)),
        ("_rels/.rels", root_rels("officeDocument", "word/document.xml")),
        ("docProps/core.xml", CORE.format(title=sentence(rng, 3))),
        ("docProps/app.xml", APP),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", rels(doc_rels)),
        ("word/styles.xml", styles),
    ] + media_parts)


def xlsx(rng, sheets, rows):
    S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = [sentence(rng, 3) for _ in range(200)]
    parts, overrides, book_rels = [], [], []
    sheet_list = []
    for n in range(sheets):
        data = []
        for r in range(1, rows + 1):
            cells = ['<c r="A%d" t="s"><v>%d</v></c>' % (r, rng.randrange(len(strings)))]
            for c in "BCDEFGH":
                cells.append('<c r="%s%d"><v>%d</v></c>' % (c, r, rng.randrange(1000000)))
            cells.append('<c r="I%d"><f>SUM(B%d:H%d)</f><v>0</v></c>' % (r, r, r))
            data.append('<row r="%d">%s</row>' % (r, "".join(cells)))
        parts.append(("xl/worksheets/sheet%d.xml" % (n + 1),
                      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                      'xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (S, "".join(data))))
        overrides.append(("xl/worksheets/sheet%d.xml" % (n + 1), "application/vnd.openxmlformats-"
                          "officedocument.spreadsheetml.worksheet+xml"))
        book_rels.append(("rId%d" % (n + 1), "worksheet", "worksheets/sheet%d.xml" % (n + 1)))
        sheet_list.append('<sheet name="Sheet%d" sheetId="%d" r:id="rId%d"/>' % (n + 1, n + 1, n + 1))
    book_rels.append(("rId100", "sharedStrings", "sharedStrings.xml"))
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="%s" count="%d" '
              'uniqueCount="%d">%s</sst>' % (S, len(strings), len(strings),
                                             "".join("<si><t>%s</t></si>" % t for t in strings)))
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="%s" '
                'xmlns:r="%s"><sheets>%s</sheets></workbook>' % (S, R_DOC, "".join(sheet_list)))
    overrides += [("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml."
                   "sheet.main+xml"),
                  ("xl/sharedStrings.xml", "application/vnd.openxmlformats-officedocument."
                   "spreadsheetml.sharedStrings+xml")]
    return zip_bytes([
        ("[Content_Types].xml", content_types(overrides, set())),
        ("_rels/.rels", root_rels("officeDocument", "xl/workbook.xml")),
        ("docProps/core.xml", CORE.format(title=sentence(rng, 3))),
        ("docProps/app.xml", APP.replace("Word", "Excel")),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels(book_rels)),
        ("xl/sharedStrings.xml", shared),
    ] + parts)


def pptx(rng, slides, images):
    P = "http://schemas.openxmlformats.org/presentationml/2006/main"
    A = "http://schemas.openxmlformats.org/drawingml/2006/main"
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    parts, overrides = [], []
    pres_rels = [("rId1", "slideMaster", "slideMasters/slideMaster1.xml")]
    ids = []
    media = set()
    for n in range(slides):
        texts = "".join('<a:p><a:r><a:t>%s</a:t></a:r></a:p>' % sentence(rng, rng.randrange(3, 12))
                        for _ in range(rng.randrange(2, 8)))
        shapes = ('<p:sp><p:nvSpPr><p:cNvPr id="2" name="Text"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
                  '<p:spPr/><p:txBody><a:bodyPr/>%s</p:txBody></p:sp>' % texts)
        slide_rels = [("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml")]
        if images and n % 2 == 0:
            ext, data = images[n % len(images)]
            media.add(ext)
            name = "image%d.%s" % (n + 1, ext)
            parts.append(("ppt/media/" + name, data))
            slide_rels.append(("rId2", "image", "../media/" + name))
            shapes += ('<p:pic><p:nvPicPr><p:cNvPr id="3" name="Picture"/><p:cNvPicPr/><p:nvPr/>'
                       '</p:nvPicPr><p:blipFill><a:blip r:embed="rId2"/></p:blipFill><p:spPr/>'
                       '</p:pic>')
        parts.append(("ppt/slides/slide%d.xml" % (n + 1),
                      head + '<p:sld xmlns:p="%s" xmlns:a="%s" xmlns:r="%s"><p:cSld><p:spTree>'
                      '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
                      '<p:grpSpPr/>%s</p:spTree></p:cSld></p:sld>' % (P, A, R_DOC, shapes)))
        parts.append(("ppt/slides/_rels/slide%d.xml.rels" % (n + 1), rels(slide_rels)))
        overrides.append(("ppt/slides/slide%d.xml" % (n + 1), "application/vnd.openxmlformats-"
                          "officedocument.presentationml.slide+xml"))
        pres_rels.append(("rId%d" % (n + 10), "slide", "slides/slide%d.xml" % (n + 1)))
        ids.append('<p:sldId id="%d" r:id="rId%d"/>' % (256 + n, n + 10))
    pres_rels.append(("rId2", "theme", "theme/theme1.xml"))
    tree = ('<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
            '</p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld>')
    parts += [
        ("ppt/presentation.xml", head + '<p:presentation xmlns:p="%s" xmlns:a="%s" xmlns:r="%s">'
         '<p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>'
         '<p:sldIdLst>%s</p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/>'
         '<p:notesSz cx="6858000" cy="9144000"/></p:presentation>' % (P, A, R_DOC, "".join(ids))),
        ("ppt/_rels/presentation.xml.rels", rels(pres_rels)),
        ("ppt/slideMasters/slideMaster1.xml", head + '<p:sldMaster xmlns:p="%s" xmlns:a="%s" '
         'xmlns:r="%s">%s<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" '
         'accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" '
         'accent6="accent6" hlink="hlink" folHlink="folHlink"/><p:sldLayoutIdLst><p:sldLayoutId '
         'id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>' % (P, A, R_DOC, tree)),
        ("ppt/slideMasters/_rels/slideMaster1.xml.rels",
         rels([("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml"),
               ("rId2", "theme", "../theme/theme1.xml")])),
        ("ppt/slideLayouts/slideLayout1.xml", head + '<p:sldLayout xmlns:p="%s" xmlns:a="%s" '
         'xmlns:r="%s">%s</p:sldLayout>' % (P, A, R_DOC, tree)),
        ("ppt/slideLayouts/_rels/slideLayout1.xml.rels",
         rels([("rId1", "slideMaster", "../slideMasters/slideMaster1.xml")])),
        ("ppt/theme/theme1.xml", head + '<a:theme xmlns:a="%s" name="Office"><a:themeElements>'
         '</a:themeElements></a:theme>' % A),
    ]
    overrides += [
        ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml."
         "presentation.main+xml"),
        ("ppt/slideMasters/slideMaster1.xml", "application/vnd.openxmlformats-officedocument."
         "presentationml.slideMaster+xml"),
        ("ppt/slideLayouts/slideLayout1.xml", "application/vnd.openxmlformats-officedocument."
         "presentationml.slideLayout+xml"),
        ("ppt/theme/theme1.xml", "application/vnd.openxmlformats-officedocument.theme+xml"),
    ]
    return zip_bytes([
        ("[Content_Types].xml", content_types(overrides, media)),
        ("_rels/.rels", root_rels("officeDocument", "ppt/presentation.xml")),
        ("docProps/core.xml", CORE.format(title=sentence(rng, 3))),
        ("docProps/app.xml", APP.replace("Word", "PowerPoint")),
    ] + parts)


def build_ooxml(corpus, images):
    s = corpus.scale
    rng = corpus.rng
    pool = []
    for digest, _, _, ext, _ in images:
        with open(os.path.join(corpus.out, "image", digest[:16] + "." + ext), "rb") as f:
            pool.append((ext, f.read()))
    for i in range(int(40 * s)):
        chosen = rng.sample(pool, rng.choice([0, 0, 1, 2, 4])) if pool else []
        corpus.add("ooxml", "docx", docx(rng, rng.choice([20, 80, 300, 1500]), chosen),
                   "zipfile: docx with %d images" % len(chosen))
    for i in range(int(25 * s)):
        corpus.add("ooxml", "xlsx", xlsx(rng, rng.choice([1, 2, 4]), rng.choice([50, 500, 3000])),
                   "zipfile: xlsx")
    for i in range(int(25 * s)):
        chosen = rng.sample(pool, rng.choice([0, 1, 3])) if pool else []
        corpus.add("ooxml", "pptx", pptx(rng, rng.choice([5, 20, 60]), chosen),
                   "zipfile: pptx with %d images" % len(chosen))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--resume", action="store_true",
                        help="keep the PDFs of an interrupted run and make the rest")
    args = parser.parse_args()
    stamp = "version=%d seed=%d scale=%g" % (VERSION, args.seed, args.scale)
    manifest = os.path.join(args.out, "MANIFEST")
    if os.path.exists(manifest):
        with open(manifest) as f:
            first = f.readline().strip()
            if first == "# " + stamp or first == "# " + stamp + " resumed":
                print("corpus: cached in %s (%s)" % (args.out, stamp), file=sys.stderr)
                return
    for tool in ("gs", "groff", "qpdf", "exiftool"):
        if shutil.which(tool) is None:
            sys.exit("sanitize_corpus: %s is not installed (scripts/install-deps.sh bench)" % tool)
    corpus = Corpus(args.out, args.seed, args.scale)
    pdf_dir = os.path.join(args.out, "pdf")
    if args.resume and os.path.isdir(pdf_dir):
        # An interrupted run: keep the PDFs it made (the slow part: groff and
        # Ghostscript) and make the rest from them.
        stamp += " resumed"
        print("corpus: resuming with the PDFs in %s" % pdf_dir, file=sys.stderr)
        for name in sorted(os.listdir(pdf_dir)):
            with open(os.path.join(pdf_dir, name), "rb") as f:
                data = f.read()
            os.unlink(os.path.join(pdf_dir, name))
            photos = b"/DCTDecode" in data or data.count(b"/Image") > 2
            corpus.add("pdf", "pdf", data, "resumed: " + ("gs image pages" if photos
                                                          else "groff+gs or debian-doc"))
        for kind in ("image", "ooxml"):
            shutil.rmtree(os.path.join(args.out, kind), ignore_errors=True)
        made = [(e, open(os.path.join(pdf_dir, e[0][:16] + ".pdf"), "rb").read())
                for e in corpus.entries]
        pdfs = [d for e, d in made if "groff" in e[4]]
        photos = [d for e, d in made if "image" in e[4]]
    else:
        shutil.rmtree(args.out, ignore_errors=True)
        os.makedirs(args.out)
    try:
        if args.resume and os.path.isdir(pdf_dir) and stamp.endswith("resumed"):
            print("corpus: PDFs made by qpdf...", file=sys.stderr)
            derive_pdfs(corpus, pdfs, photos)
        else:
            print("corpus: PDFs...", file=sys.stderr)
            build_pdfs(corpus)
            pdfs = [open(os.path.join(args.out, "pdf", d[0][:16] + ".pdf"), "rb").read()
                    for d in corpus.entries if d[4].startswith("groff")]
        print("corpus: images...", file=sys.stderr)
        images = build_images(corpus, pdfs)
        print("corpus: OOXML...", file=sys.stderr)
        build_ooxml(corpus, images)
    finally:
        shutil.rmtree(corpus.tmp, ignore_errors=True)
    with open(manifest, "w") as f:
        f.write("# " + stamp + "\n")
        for digest, size, kind, ext, origin in corpus.entries:
            f.write("%s %d %s %s %s\n" % (digest, size, kind, ext, origin))
    total = sum(e[1] for e in corpus.entries)
    print("corpus: %d files, %.1f MB in %s" % (len(corpus.entries), total / 1e6, args.out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
