"""The server at one base URL, called with one API key, on the standard library's http.client.

Each caller (the routing thread, the reporting thread) holds its own ``Http``: one kept-alive
connection each, never shared between threads. ``abort()`` shuts the socket from another thread, so
a long-poll blocked in a read ends at once when the client closes.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Mapping, Optional


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def text(self, limit: int = 300) -> str:
        text = self.body.decode("utf-8", "replace")
        return text if len(text) <= limit else text[:limit] + "..."


class Http:
    def __init__(self, base_url: str, api_key: str, connect_timeout: float = 2.0):
        parsed = urllib.parse.urlsplit(base_url.rstrip("/"))
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"url must be http(s)://host[:port], was {base_url!r}")
        self._scheme = parsed.scheme
        self._host = parsed.hostname
        self._port = parsed.port
        self._prefix = parsed.path
        self._auth = "Bearer " + api_key
        self._connect_timeout = connect_timeout
        self._conn: Optional[http.client.HTTPConnection] = None
        self._lock = threading.Lock()
        self._aborted = False

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        with self._lock:
            if self._aborted:
                raise ConnectionAbortedError("the client is closed")
            if self._conn is None:
                cls = (
                    http.client.HTTPSConnection
                    if self._scheme == "https"
                    else http.client.HTTPConnection
                )
                self._conn = cls(self._host, self._port, timeout=self._connect_timeout)
                self._conn.connect()
            conn = self._conn
        # Connected within the connect timeout; reads may wait as long as the request needs.
        conn.sock.settimeout(timeout)
        return conn

    def request(
        self,
        method: str,
        path: str,
        body: Optional[bytes] = None,
        timeout: float = 30.0,
        if_none_match: Optional[str] = None,
    ) -> Reply:
        """Sends one request; an OSError or http.client error means no answer (the caller retries)."""
        headers = {"Authorization": self._auth, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if if_none_match is not None:
            headers["If-None-Match"] = '"' + if_none_match + '"'
        reused = self._conn is not None
        try:
            return self._send(method, path, body, headers, timeout)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            # The server closed a kept-alive connection while it was idle (Jetty after 30 s):
            # every request here is idempotent, so it goes once more on a fresh connection.
            return self._send(method, path, body, headers, timeout)

    def _send(self, method, path, body, headers, timeout) -> Reply:
        try:
            conn = self._connection(timeout)
            conn.request(method, self._prefix + path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
            if response.will_close:
                self.reset()
            return reply
        except BaseException:
            # A half-read or cut connection is never reused.
            self.reset()
            raise

    def get(self, path: str, timeout: float = 10.0, if_none_match: Optional[str] = None) -> Reply:
        return self.request("GET", path, timeout=timeout, if_none_match=if_none_match)

    def post_json(self, path: str, payload: Any, timeout: float = 30.0) -> Reply:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return self.request("POST", path, body=body, timeout=timeout)

    def reset(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def abort(self) -> None:
        """Ends a request blocked in another thread (the read fails at once) and any later one."""
        with self._lock:
            self._aborted = True
            conn = self._conn
        sock = getattr(conn, "sock", None) if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def quote_segment(text: str) -> str:
    return urllib.parse.quote(text, safe="")
