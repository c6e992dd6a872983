"""What an uploaded file really is, found by parsing it — a PDF must open with a PDF
library and have a page, an image must decode with Pillow — not by its first bytes: a
file that starts with `%PDF-` and continues as HTML is not a PDF."""

import io
import logging
import warnings

from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
MAX_PIXELS = 60_000_000  # a 60-megapixel scan; more is a decompression bomb, not a document


def uploaded_type(content: bytes) -> str:
    """The content type of a PDF, JPEG or PNG that parses; "" for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF if _pdf_opens(content) else ""
    return _image_type(content)


def _pdf_opens(content: bytes) -> bool:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=True)
            if reader.is_encrypted:
                return False  # an encrypted scan cannot be checked (or read by an officer)
            return len(reader.pages) > 0 and reader.pages[0].mediabox.width > 0
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, OSError):
        return False


def _image_type(content: bytes) -> str:
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = IMAGE_TYPES.get(image.format or "")
            if kind is None or image.width * image.height > MAX_PIXELS:
                return ""
            image.load()  # decode every pixel: a truncated or forged body fails here
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return ""
    return kind
