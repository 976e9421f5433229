"""Canvas: a QTI 1.2 zip (Settings → Import course content → "QTI .zip file"), as Canvas itself
exports one:

    imsmanifest.xml                             the manifest: one imsqti_xmlv1p2 resource per variant
    handprop-KEY-CODE/handprop-KEY-CODE.xml     the variant's assessment: a numerical_question per asked quantity
    images/handprop-KEY-CODE-network.svg        its drawing (a webcontent resource)

KEY (:attr:`~.questions.Quiz.key`) is the set's own: Canvas replaces on import what has the same
identifier, so two sets never share one.

One assessment per variant, so that Canvas makes one quiz per variant ("Variant CODE"), to be
assigned to the students holding that worksheet.  An item's answer is a range, as Canvas writes
"answer in the range": ``<vargte>`` the answer minus the tolerance, ``<varlte>`` plus it.

**The 1e-4 rule.**  Canvas turns a numerical value of magnitude below 1e-4 into 0, in the
answers it keeps and in what students type.  An item whose range has a bound of magnitude
between 0 and 1e-4 is therefore **scaled**: the question asks for the value multiplied by
10**k (said in the question), the smallest k that lifts every such bound to 1e-4 or more, at
most :data:`MAX_SCALE`; beyond that the export is refused with one line.  A range that
crosses 0 is left as it is (a value Canvas turns into 0 stays inside it).
"""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from ...errors import UsageError
from .html import question
from .questions import Asked, Item, Quiz
from .tolerance import number

SMALLEST = Decimal("0.0001")
"""Canvas keeps no numerical value of smaller magnitude (it becomes 0)."""
MAX_SCALE = 6
"""The largest power of ten an answer is asked multiplied by."""
QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
FILEBASE = "%24IMS-CC-FILEBASE%24"
"""How a Canvas question's HTML names a file of the package (``$IMS-CC-FILEBASE$``)."""
WHEN = (1980, 1, 1, 0, 0, 0)
"""Every entry's date in the zip: the same set gives the same bytes."""


def bounds(a: Asked, scale: int) -> tuple[Decimal, Decimal]:
    s = Decimal(10) ** scale
    return (a.answer - a.tolerance) * s, (a.answer + a.tolerance) * s


def scale_of(a: Asked, code: str) -> int:
    """The power of ten ``a`` is asked multiplied by (0: as it is) -- see the module's 1e-4 rule."""
    for k in range(MAX_SCALE + 1):
        lo, hi = bounds(a, k)
        if (lo < 0 < hi) or all(b == 0 or abs(b) >= SMALLEST for b in (lo, hi)):
            return k
    raise UsageError(f"variant {code}: {a.label} = {number(a.answer)} is too small for Canvas, which turns "
                     f"numbers below 1e-4 into 0, even asked ×10^{MAX_SCALE}: leave it out of the set or "
                     "use another format", a.id, "canvas-qti.zip")


def ident(quiz: Quiz, code: str) -> str:
    """A variant's identifier: ``handprop-KEY-CODE`` (:attr:`Quiz.key`), unique to its set."""
    return f"handprop-{quiz.key}-{code}"


def _field(parent, label: str, entry: str) -> None:
    from lxml import etree
    f = etree.SubElement(parent, f"{{{QTI_NS}}}qtimetadatafield")
    etree.SubElement(f, f"{{{QTI_NS}}}fieldlabel").text = label
    etree.SubElement(f, f"{{{QTI_NS}}}fieldentry").text = entry


def assessment(item: Item, quiz: Quiz) -> bytes:
    """The QTI 1.2 assessment of one variant."""
    from lxml import etree
    q = lambda tag: f"{{{QTI_NS}}}{tag}"       # noqa: E731 -- a tag in the QTI namespace
    root = etree.Element(q("questestinterop"), nsmap={None: QTI_NS})
    test = etree.SubElement(root, q("assessment"), ident=ident(quiz, item.code),
                            title=f"Variant {item.code}: {item.title}")
    meta = etree.SubElement(test, q("qtimetadata"))
    _field(meta, "cc_maxattempts", "1")
    section = etree.SubElement(test, q("section"), ident="root_section")
    image = f"{FILEBASE}/{image_file(quiz, item)}"
    for n, a in enumerate(item.asked, start=1):
        k = scale_of(a, item.code)
        lo, hi = bounds(a, k)
        it = etree.SubElement(section, q("item"), ident=f"{ident(quiz, item.code)}-{n}",
                              title=f"{item.code} {n}: {a.label}")
        md = etree.SubElement(etree.SubElement(it, q("itemmetadata")), q("qtimetadata"))
        _field(md, "question_type", "numerical_question")
        _field(md, "points_possible", "1.0")
        _field(md, "original_answer_ids", f"{ident(quiz, item.code)}-{n}-answer")
        _field(md, "handprop_quantity", a.id)
        _field(md, "handprop_scale", str(k))
        pres = etree.SubElement(it, q("presentation"))
        mat = etree.SubElement(etree.SubElement(pres, q("material")), q("mattext"), texttype="text/html")
        mat.text = question(item, a, image, quiz.policy, scale=k)
        resp = etree.SubElement(pres, q("response_str"), ident="response1", rcardinality="Single")
        etree.SubElement(etree.SubElement(resp, q("render_fib"), fibtype="Decimal"), q("response_label"),
                         ident="answer1")
        proc = etree.SubElement(it, q("resprocessing"))
        etree.SubElement(etree.SubElement(proc, q("outcomes")), q("decvar"), maxvalue="100", minvalue="0",
                         varname="SCORE", vartype="Decimal")
        cond = etree.SubElement(proc, q("respcondition"), {"continue": "No"})
        var = etree.SubElement(cond, q("conditionvar"))
        etree.SubElement(var, q("vargte"), respident="response1").text = number(lo)
        etree.SubElement(var, q("varlte"), respident="response1").text = number(hi)
        etree.SubElement(cond, q("setvar"), action="Set", varname="SCORE").text = "100"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def manifest(quiz: Quiz) -> bytes:
    """``imsmanifest.xml``: each variant's assessment and drawing as a resource."""
    from lxml import etree
    c = lambda tag: f"{{{CP_NS}}}{tag}"        # noqa: E731 -- a tag in the content-package namespace
    root = etree.Element(c("manifest"), nsmap={None: CP_NS}, identifier=f"handprop-{quiz.key}")
    md = etree.SubElement(root, c("metadata"))
    etree.SubElement(md, c("schema")).text = "IMS Content"
    etree.SubElement(md, c("schemaversion")).text = "1.1.3"
    etree.SubElement(root, c("organizations"))
    res = etree.SubElement(root, c("resources"))
    for item in quiz.items:
        r = etree.SubElement(res, c("resource"), identifier=ident(quiz, item.code), type="imsqti_xmlv1p2")
        etree.SubElement(r, c("file"), href=item_file(quiz, item))
        etree.SubElement(r, c("dependency"), identifierref=f"{ident(quiz, item.code)}-drawing")
        path = image_file(quiz, item)
        d = etree.SubElement(res, c("resource"), identifier=f"{ident(quiz, item.code)}-drawing", type="webcontent",
                             href=path)
        etree.SubElement(d, c("file"), href=path)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def image_file(quiz: Quiz, item: Item) -> str:
    return f"images/{ident(quiz, item.code)}-network.svg"


def item_file(quiz: Quiz, item: Item) -> str:
    return f"{ident(quiz, item.code)}/{ident(quiz, item.code)}.xml"


def qti_zip(quiz: Quiz) -> bytes:
    """``canvas-qti.zip``: the manifest, each variant's assessment and drawing."""
    files = {"imsmanifest.xml": manifest(quiz)}
    for item in quiz.items:
        files[item_file(quiz, item)] = assessment(item, quiz)
        files[image_file(quiz, item)] = item.drawing.encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=WHEN)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()
