"""Photos leave a phone carrying its owner's whereabouts: GPS position, device, time in the EXIF block
(docs/security.md §Uploads). Every image the portal keeps as evidence is decoded and written again, so only
the pixels survive, and a file that merely starts like an image but does not decode is refused.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

# A photo a modern phone takes is ~12–50 Mpx; anything far beyond is a decompression bomb, not a photo.
MAX_PIXELS = 80_000_000
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


def is_image(name: str) -> bool:
    return Path(name).suffix.lower() in FORMATS


def reencode(upload) -> ContentFile:
    """``upload`` (a JPEG or PNG that passed the content check) decoded and saved anew: upright as the phone
    held it, without EXIF, XMP, ICC text or any other chunk. The result keeps the upload's name."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    fmt = FORMATS[Path(upload.name).suffix.lower()]
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("图片 %(name)s 的像素过大。") % {"name": upload.name})
            image.load()
            image = ImageOps.exif_transpose(image)
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("文件 %(name)s 不是可以打开的图片。") % {"name": upload.name}) from exc
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name=upload.name)


def thumbnail(handle, size: int = 480, quality: int = 72) -> bytes:
    """A small JPEG of a stored image for a printed record: its long side ``size`` px. A phone photo is ~3 MB
    of JPEG; dozens of them at full size would make an archive PDF hundreds of MB and slow to write. JPEGs are
    decoded at a reduced scale (``draft``), which is most of the saving."""
    from PIL import Image

    with Image.open(handle) as image:
        image.draft("RGB", (size, size))
        image = image.convert("RGB")
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()
