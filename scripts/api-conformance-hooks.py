"""schemathesis hooks for scripts/api-conformance.sh.

The email endpoint takes a raw RFC 822 message (`message/rfc822`), a media type schemathesis
has no serializer for: send the generated text as it is, like text/plain.
"""

import schemathesis

schemathesis.serializer.alias("message/rfc822", "text/plain")
