"""A client in another language, written from docs/protocol.md and the schemas alone.

Run by python.test.ts with Debian's python3 and protobuf: argv = <dir of the *_pb2 modules
protoc generated from schemas/> <ws url> <http base url>. It calls the demo over WebSocket
(a small stdlib WebSocket client below) and POST /rpc, checks what docs/protocol.md promises,
prints one line per check and exits non-zero on the first failure.
"""
import base64
import http.client
import os
import socket
import struct
import sys
import urllib.parse

sys.path.insert(0, sys.argv[1])
from rony import envelope_pb2  # noqa: E402
from examples import echo_pb2, notes_pb2  # noqa: E402


def fnv1a32(name):
    h = 0x811C9DC5
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


RPC_ERROR = fnv1a32("rony.RpcError")
CONTAINER = fnv1a32("rony.MessageContainer")
SAY = fnv1a32("examples.echo.Echo.Say")
PING = fnv1a32("examples.echo.Echo.Ping")
ECHO_REPLY = fnv1a32("examples.echo.EchoReply")
NOTES_CREATE = fnv1a32("examples.notes.Notes.Create")
NOTES_GET = fnv1a32("examples.notes.Notes.Get")
NOTE = fnv1a32("examples.notes.Note")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def check(cond, what):
    if not cond:
        print("FAIL", what)
        sys.exit(1)
    print("ok", what)


class WebSocket:
    """RFC 6455, client side: binary frames, masked, pings answered."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"upgrade refused: {head!r}")

    def _send(self, opcode, data):
        header = bytes([0x80 | opcode])
        n = len(data)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def send(self, data):
        self._send(0x2, data)

    def _exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError("connection closed")
            out += chunk
        return out

    def recv(self):
        """The next binary message (control frames are handled here)."""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            data = self._exact(n)
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self._send(0xA, data)
            elif opcode == 0x8:
                raise EOFError(f"closed by the server: {data!r}")
            elif opcode == 0x2:
                return data

    def close(self):
        self._send(0x8, struct.pack(">H", 1000))
        self.sock.close()


def encode_varint(n):
    out = b""
    while n > 0x7F:
        out += bytes([(n & 0x7F) | 0x80])
        n >>= 7
    return out + bytes([n])


def envelope(constructor_id, request_id, message=None, headers=None):
    env = envelope_pb2.Envelope(constructor_id=constructor_id, request_id=request_id)
    if message is not None:
        env.payload = message.SerializeToString()
    for k, v in (headers or {}).items():
        env.headers[k] = v
    return env


def container(outer_id, calls):
    batch = envelope_pb2.MessageContainer(envelopes=calls)
    env = envelope_pb2.Envelope(constructor_id=CONTAINER, request_id=outer_id, payload=batch.SerializeToString())
    return env


def parse(data):
    env = envelope_pb2.Envelope()
    env.ParseFromString(data)
    return env


def error_of(env):
    err = envelope_pb2.RpcError()
    err.ParseFromString(env.payload)
    return err


def post(base, body, content_type):
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("POST", "/rpc", body=body, headers={"content-type": content_type})
    res = conn.getresponse()
    out = (res.status, res.getheader("content-type"), res.read())
    conn.close()
    return out


def websocket_checks(url):
    ws = WebSocket(url)
    # ids and int64 round trips, at both ends of the range
    for rid, value in [(1, INT64_MAX), (2, INT64_MIN), (3, -9007199254740993)]:
        ws.send(envelope(SAY, rid, echo_pb2.EchoRequest(int_value=value, bool_value=True, text="héllo")).SerializeToString())
        env = parse(ws.recv())
        reply = echo_pb2.EchoReply()
        reply.ParseFromString(env.payload)
        check(env.request_id == rid and env.constructor_id == ECHO_REPLY, f"ws: Say #{rid} answered with EchoReply's id")
        check(reply.int_value == value and reply.bool_value and reply.text == "héllo", f"ws: int64 {value} round-trips")

    # errors: an internal rpc, an unknown constructor, request id 0, a string that is not UTF-8
    ws.send(envelope(PING, 10, echo_pb2.PingRequest()).SerializeToString())
    env = parse(ws.recv())
    check(env.request_id == 10 and env.constructor_id == RPC_ERROR and error_of(env).code == envelope_pb2.UNIMPLEMENTED, "ws: internal rpc refused with UNIMPLEMENTED")
    ws.send(envelope(0x12345678, 11).SerializeToString())
    env = parse(ws.recv())
    check(env.request_id == 11 and error_of(env).code == envelope_pb2.UNIMPLEMENTED, "ws: unknown constructor gets UNIMPLEMENTED")
    ws.send(envelope(SAY, 0, echo_pb2.EchoRequest(text="x")).SerializeToString())
    env = parse(ws.recv())
    check(env.request_id == 0 and env.constructor_id == RPC_ERROR and error_of(env).items == "requestId", "ws: request id 0 refused (reserved for pushes)")
    bad = envelope_pb2.Envelope(constructor_id=SAY, request_id=12, payload=bytes.fromhex("1a02c328"))
    ws.send(bad.SerializeToString())
    env = parse(ws.recv())
    check(env.request_id == 12 and error_of(env).code == envelope_pb2.INVALID_ARGUMENT, "ws: invalid UTF-8 in a string field refused")

    # a container: one reply per inner call, matched by id (completion order)
    calls = [envelope(SAY, 20 + i, echo_pb2.EchoRequest(int_value=i, text=f"n{i}")) for i in range(3)] + [envelope(PING, 23, echo_pb2.PingRequest())]
    ws.send(container(0, calls).SerializeToString())
    got = {}
    for _ in range(4):
        env = parse(ws.recv())
        got[env.request_id] = env
    check(sorted(got) == [20, 21, 22, 23], "ws: a container gets one reply per inner call")
    check(all(got[20 + i].constructor_id == ECHO_REPLY for i in range(3)) and got[23].constructor_id == RPC_ERROR, "ws: inner replies and inner errors carry the inner ids")

    # headers and a REST-bound service over the same socket
    note = notes_pb2.CreateNoteRequest(notebook="py", slug="s1", title="from python", tags=["a"])
    ws.send(envelope(NOTES_CREATE, 30, note, {"x-trace": "py"}).SerializeToString())
    env = parse(ws.recv())
    created = notes_pb2.Note()
    created.ParseFromString(env.payload)
    check(env.constructor_id == NOTE and created.id > 0 and created.title == "from python", "ws: Notes.Create over WebSocket")
    ws.send(envelope(NOTES_GET, 31, notes_pb2.GetNoteRequest(notebook="py", id=999999)).SerializeToString())
    env = parse(ws.recv())
    check(error_of(env).code == envelope_pb2.NOT_FOUND, "ws: NOT_FOUND comes back typed")
    ws.close()


def http_checks(base):
    status, ctype, body = post(base, envelope(SAY, 5, echo_pb2.EchoRequest(int_value=INT64_MIN, text="http")).SerializeToString(), "application/x-protobuf")
    env = parse(body)
    reply = echo_pb2.EchoReply()
    reply.ParseFromString(env.payload)
    check(status == 200 and ctype == "application/x-protobuf" and env.request_id == 5 and reply.int_value == INT64_MIN, "rpc: binary call, int64 min round-trips")

    # fields written out of order: request_id and payload before constructor_id
    env = envelope(SAY, 6, echo_pb2.EchoRequest(text="late id"))
    raw = b"\x10\x06" + b"\x1a" + encode_varint(len(env.payload)) + env.payload + b"\x0d" + struct.pack("<I", SAY)
    status, _, body = post(base, raw, "application/x-protobuf")
    check(status == 200 and parse(body).request_id == 6, "rpc: an envelope with constructor_id last is read")

    calls = [envelope(SAY, 40 + i, echo_pb2.EchoRequest(int_value=INT64_MAX - i)) for i in range(3)] + [envelope(PING, 43)]
    outer = container(7, calls)
    # written by hand, request_id first: the field order must not matter (docs/protocol.md)
    raw = b"\x10\x07" + b"\x1a" + encode_varint(len(outer.payload)) + outer.payload + b"\x0d" + struct.pack("<I", CONTAINER)
    status, _, body = post(base, raw, "application/x-protobuf")
    env = parse(body)
    batch = envelope_pb2.MessageContainer()
    batch.ParseFromString(env.payload)
    ids = sorted(e.request_id for e in batch.envelopes)
    check(status == 200 and env.constructor_id == CONTAINER and ids == [40, 41, 42, 43], "rpc: a container is answered with a container of every reply")
    values = {e.request_id: e for e in batch.envelopes}
    r = echo_pb2.EchoReply()
    r.ParseFromString(values[40].payload)
    check(r.int_value == INT64_MAX and values[43].constructor_id == RPC_ERROR, "rpc: inner int64 max round-trips, inner error typed")

    status, _, body = post(base, container(0, []).SerializeToString(), "application/x-protobuf")
    env = parse(body)
    check(status == 200 and env.constructor_id == CONTAINER and env.payload == b"", "rpc: an empty container gets an empty container")

    status, _, body = post(base, b"\xff\xff", "application/x-protobuf")
    env = parse(body)
    check(status == 200 and env.request_id == 0 and error_of(env).code == envelope_pb2.INVALID_ARGUMENT, "rpc: an unreadable body gets an RpcError with request id 0")

    status, ctype, body = post(base, b'{"requestId":9,"method":"examples.echo.Echo.Say","input":{"intValue":"9223372036854775808"}}', "application/json")
    check(status == 200 and ctype == "application/json" and b'"INVALID_ARGUMENT"' in body and b"intValue" in body, "rpc json: an out-of-range int64 is refused naming the field")


if __name__ == "__main__":
    websocket_checks(sys.argv[2])
    http_checks(sys.argv[3])
    print("all checks passed")
