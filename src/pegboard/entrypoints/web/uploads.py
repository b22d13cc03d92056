"""Reading a file upload (multipart/form-data) with the standard library's MIME parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

from fastapi import Request

#: A CSV a person uploads from the browser; bigger files go through `pegboard import`.
MAX_UPLOAD_BYTES = 20_000_000


@dataclass
class Upload:
    """The posted fields and files (name -> (file name, bytes))."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    too_big: bool = False


async def read_upload(request: Request) -> Upload:
    """The request's multipart body as fields and files (empty for any other kind of body)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return Upload()
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        return Upload(too_big=True)
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    found = Upload()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            found.files[name] = (filename, data)
        else:
            found.fields[name] = data.decode("utf-8", "replace").strip()
    return found
