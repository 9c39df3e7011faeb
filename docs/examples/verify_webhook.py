"""Verifying a Meterline webhook on the receiver's side, in Python with the standard library only.

    MTL_WEBHOOK_SECRET=... python3 verify_webhook.py      (a receiver on http://127.0.0.1:8080/)

Verify the raw body exactly as received: parsing and re-serialising JSON changes bytes.
"""
import hashlib
import hmac
import json
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Optional, Tuple

TOLERANCE_SECONDS = 300
"""How far the signed timestamp may be from this machine's clock."""


def verify_meterline_webhook(
    secret: str,
    raw_body: bytes,
    timestamp: Optional[str],
    signature: Optional[str],
    now: Optional[float] = None,
    tolerance_seconds: int = TOLERANCE_SECONDS,
) -> Tuple[bool, str]:
    """(True, "ok") when the meterline-timestamp and meterline-signature headers fit the body, else (False, why)."""
    if not timestamp or not signature:
        return False, "missing header"
    if not re.fullmatch(r"\d{1,12}", timestamp):
        return False, "bad timestamp"
    now = time.time() if now is None else now
    # A replayed request carries its old timestamp: refuse it once it is out of tolerance.
    if abs(now - int(timestamp)) > tolerance_seconds:
        return False, "stale timestamp"
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + raw_body, hashlib.sha256).hexdigest()
    expected = "v1=" + mac
    # Several signatures, comma-separated, while Meterline's secret is rotated: one must match.
    # hmac.compare_digest takes as long whatever the bytes, so the comparison leaks nothing.
    if any(hmac.compare_digest(candidate.strip().encode(), expected.encode()) for candidate in signature.split(",")):
        return True, "ok"
    return False, "signature mismatch"


def serve(secret: str, port: int) -> None:
    """A minimal receiver: verify, drop duplicates by idempotency key, answer 2xx quickly."""
    seen = set()  # in production, a store that outlives the process, kept a day or more

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw_body = self.rfile.read(int(self.headers.get("content-length", "0")))
            ok, why = verify_meterline_webhook(secret, raw_body, self.headers.get("meterline-timestamp"), self.headers.get("meterline-signature"))
            if not ok:
                self.send_response(401)
                self.end_headers()
                self.wfile.write(why.encode())
                return
            key = self.headers.get("idempotency-key")
            if key not in seen:
                seen.add(key)
                body = json.loads(raw_body)
                print(f"{key}: {body['status']} {body.get('rule') or body['groupLabels']['alertname']}, {len(body['alerts'])} alert(s)")
            self.send_response(204)
            self.end_headers()

    print(f"receiving Meterline webhooks on http://127.0.0.1:{port}/")
    HTTPServer(("127.0.0.1", port), Receiver).serve_forever()


if __name__ == "__main__":
    configured = os.environ.get("MTL_WEBHOOK_SECRET")
    if not configured:
        sys.exit("set MTL_WEBHOOK_SECRET to the subscription's secret")
    serve(configured, int(os.environ.get("PORT", "8080")))
