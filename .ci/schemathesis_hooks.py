"""Hooks for .ci/schemathesis.sh: the files a secure thread's attachment downloads answer with.

The document describes them as `type: string, format: binary` (their bytes); schemathesis needs to
be told how to read such a body to check it against that. Each byte becomes one character
(latin-1), so any file is a string and nothing about it is guessed.
"""

import schemathesis


@schemathesis.deserializer("application/pdf", "image/jpeg", "image/png")
def file_bytes(ctx, response):
    return response.content.decode("latin-1")
