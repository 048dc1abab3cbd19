"""The postback server of the original system's stack, for the postback benchmark's comparison.

A minimal Flask app doing what our POST /postback does: read the raw body, parse the JSON, check
checksum == sha256(order_id + order_timestamp + api_secret), and insert the update into SQLite
(WAL, synchronous=NORMAL, the same order_events / order_event_arrivals shape as our schema v2: the
raw payload once, in the arrival; idempotent on the update's identity), answering 200. Served by Flask's own threaded server, as the original
postback_server.py was.

Usage: python3 flask_postback.py <port> <database> (the api_secret in PIVOT_BENCH_SECRET)
"""

import hashlib
import hmac
import json
import logging
import os
import sqlite3
import sys
import threading
import time

from flask import Flask, request

PORT = int(sys.argv[1])
DATABASE = sys.argv[2]
SECRET = os.environ["PIVOT_BENCH_SECRET"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS order_events (
  id INTEGER PRIMARY KEY,
  kite_order_id TEXT NOT NULL, tag TEXT, status TEXT NOT NULL,
  filled_quantity INTEGER NOT NULL, pending_quantity INTEGER NOT NULL, quantity INTEGER NOT NULL,
  price REAL NOT NULL, trigger_price REAL NOT NULL, average_price REAL NOT NULL,
  status_message TEXT, order_timestamp TEXT NOT NULL, source TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  UNIQUE (kite_order_id, status, filled_quantity, quantity, price, trigger_price)
);
CREATE TABLE IF NOT EXISTS order_event_arrivals (
  id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL REFERENCES order_events(id),
  source TEXT NOT NULL, raw TEXT NOT NULL, received_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS order_event_arrivals_by_event ON order_event_arrivals (event_id);
"""

local = threading.local()


def connection():
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DATABASE, timeout=5, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        local.conn = conn
    return conn


app = Flask(__name__)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/postback")
def postback():
    raw = request.get_data(as_text=True)
    try:
        body = json.loads(raw)
    except ValueError:
        return {"error": "invalid JSON"}, 400
    if not isinstance(body, dict):
        return {"error": "invalid JSON"}, 400
    order_id = body.get("order_id")
    timestamp = body.get("order_timestamp")
    checksum = body.get("checksum")
    if not isinstance(order_id, str) or not isinstance(timestamp, str) or not isinstance(checksum, str):
        return {"error": "missing or wrong checksum"}, 401
    expected = hashlib.sha256((order_id + timestamp + SECRET).encode()).hexdigest()
    if not hmac.compare_digest(expected, checksum.lower()):
        return {"error": "missing or wrong checksum"}, 401
    now = int(time.time() * 1000)
    conn = connection()
    conn.execute("BEGIN IMMEDIATE")
    try:
        cur = conn.execute(
            """INSERT INTO order_events (kite_order_id, tag, status, filled_quantity, pending_quantity, quantity,
                 price, trigger_price, average_price, status_message, order_timestamp, source, received_at_ms)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'postback', ?) ON CONFLICT DO NOTHING""",
            (order_id, body.get("tag"), body.get("status"), body.get("filled_quantity", 0),
             body.get("pending_quantity", 0), body.get("quantity", 0), body.get("price", 0),
             body.get("trigger_price", 0), body.get("average_price", 0), body.get("status_message"),
             timestamp, now),
        )
        event_id = cur.lastrowid if cur.rowcount > 0 else conn.execute(
            "SELECT id FROM order_events WHERE kite_order_id = ? AND status = ? AND filled_quantity = ?",
            (order_id, body.get("status"), body.get("filled_quantity", 0)),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO order_event_arrivals (event_id, source, raw, received_at_ms) VALUES (?, 'postback', ?, ?)",
            (event_id, raw, now),
        )
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return {"status": "ok"}


if __name__ == "__main__":
    setup = sqlite3.connect(DATABASE)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.executescript(SCHEMA)
    setup.close()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.run(host="127.0.0.1", port=PORT, threaded=True)
