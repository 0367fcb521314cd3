#!/usr/bin/env python3
"""A product bot behind Kopeck (docs/embedding.md), in 60 lines of the standard library.

Kopeck keeps the updates it handles (its commands, buttons, conversations, payments) and forwards
the rest here as Telegram's JSON, with X-Kopeck-Secret. This product answers text with an echo,
/whoami with the user's balance (asked through Kopeck's Runner API), and anything else with nothing.
Its answers are webhook replies: Kopeck makes the Bot API call for it.

    KOPECK_URL=http://localhost:8080 RUNNER_KEY=... PRODUCT_SECRET=... python3 product.py 8090
    # and start Kopeck with PRODUCT_WEBHOOK_URL=http://localhost:8090/telegram PRODUCT_WEBHOOK_SECRET=...
"""
import hmac
import json
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KOPECK_URL = os.environ.get("KOPECK_URL", "http://localhost:8080")
RUNNER_KEY = os.environ["RUNNER_KEY"]
SECRET = os.environ["PRODUCT_SECRET"]


def balance(user_id):
    request = urllib.request.Request(f"{KOPECK_URL}/api/v1/users/{user_id}/balance",
                                     headers={"Authorization": "Bearer " + RUNNER_KEY})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def answer(update):
    """The webhook reply for an update, or None (nothing to say)."""
    message = update.get("message") or {}
    text, chat = message.get("text"), (message.get("chat") or {}).get("id")
    if not text or chat is None:
        return None
    if text.startswith("/whoami"):
        account = balance(message["from"]["id"])
        return {"method": "sendMessage", "chat_id": chat,
                "text": f"You have {account['available']} tokens available ({account['held']} held)."}
    return {"method": "sendMessage", "chat_id": chat, "text": "You said: " + text}


class Product(BaseHTTPRequestHandler):
    def do_POST(self):
        if not hmac.compare_digest(self.headers.get("X-Kopeck-Secret", ""), SECRET):
            self.send_response(403)
            self.end_headers()
            return
        update = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        reply = json.dumps(answer(update) or {}).encode()
        self.send_response(200)  # anything else is delivered again later, in order
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8090), Product).serve_forever()
