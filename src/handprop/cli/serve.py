"""``handprop serve [--host 127.0.0.1] [--port 8000] [--open] [--workers N]``: the live editor
and its JSON API (``handprop.server``), run by uvicorn.  ``docs/server.md`` has the API.

The server is imported only here, when the command runs: the other commands never import
fastapi or uvicorn.
"""
from __future__ import annotations

import argparse
import ipaddress
import sys

from .io import whole_option

LOOPBACK = ("localhost",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=whole_option("--port", 1, 65535), default=8000,
                        help="the port (default 8000)")
    parser.add_argument("--open", action="store_true", help="open the editor in a web browser")
    parser.add_argument("--workers", type=whole_option("--workers", 1, 64), default=1,
                        help="worker processes (default 1); the server is stateless, so more "
                             "workers serve more requests at once")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def open_when_listening(url: str, port: int, within: float = 60.0) -> bool:
    """Open ``url`` in a web browser as soon as the server accepts connections on ``port``
    (each worker explains a problem before it listens: ``server/work.py: warm``)."""
    import socket
    import time
    import webbrowser
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        return False
    webbrowser.open(url)
    return True


def check_listen(host: str, port: int) -> None:
    """Refuse, in one line, an address this machine cannot listen on (the port taken, a host
    that is not this machine's, a name that resolves to nothing) before uvicorn starts, which
    would print its own error and exit 3.  Bound as asyncio binds (every address of the name,
    ``SO_REUSEADDR``, IPv6 only on an IPv6 socket, an address the machine lacks skipped) and
    closed again; ``""`` (every interface) is left to uvicorn."""
    import errno
    import socket

    from ..errors import UsageError
    if not host:
        return
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as err:
        raise UsageError(f"cannot listen on {host!r}: not an address or name of this machine "
                         f"({getattr(err, 'strerror', None) or err})", "--host") from None
    why = {errno.EADDRINUSE: f"port {port} is in use (another server? choose another with --port)",
           errno.EACCES: f"port {port} needs more rights than this user has (use a port above 1023)",
           errno.EADDRNOTAVAIL: "not an address of this machine"}
    failed: OSError | None = None
    bound = 0
    for family, kind, proto, _, address in dict.fromkeys(infos):         # each address once, in order
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind(address)
                bound += 1
        except OSError as err:
            if err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) and len(infos) > 1:
                failed = failed or err
                continue                # asyncio skips an address the machine lacks
            field = "--port" if err.errno in (errno.EADDRINUSE, errno.EACCES) else "--host"
            raise UsageError(f"cannot listen on {shown}: {why.get(err.errno, err.strerror or err)}",
                             field) from None
    if not bound and failed is not None:
        raise UsageError(f"cannot listen on {shown}: {why.get(failed.errno, failed.strerror or failed)}",
                         "--host")


def run(args) -> int:
    from importlib.util import find_spec

    from ..errors import MissingDependency
    if find_spec("fastapi") is None or find_spec("uvicorn") is None:
        raise MissingDependency("needs fastapi and uvicorn (pip install 'handprop[serve]', or make demo)",
                                source="serve")
    import uvicorn
    if args.host.startswith("[") and args.host.endswith("]"):
        args.host = args.host[1:-1]     # [::1] as URLs write it: uvicorn takes ::1
    check_listen(args.host, args.port)
    if not is_loopback(args.host):
        print(f"handprop: warning: listening on {args.host}, beyond this machine: anyone who can reach "
              f"port {args.port} can use the server (no login; see docs/server.md)", file=sys.stderr)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else shown}:{args.port}/"
    if args.open:
        import threading
        threading.Thread(target=open_when_listening, args=(url, args.port), daemon=True).start()
    print(f"handprop: serving the editor at {url} (Ctrl-C stops)", file=sys.stderr, flush=True)
    uvicorn.run("handprop.server:app", host=args.host, port=args.port, workers=args.workers,
                log_level="warning", server_header=False)
    return 0
