"""Tell whether PostgreSQL, Redis and RabbitMQ answer at the URLs the services column uses.

Standard library only, so the Makefile can ask before anything is installed. Exit 0 when
all answer; otherwise print what did not and exit 1.
"""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit

DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "redis": 6379, "amqp": 5672, "pyamqp": 5672}


def answers(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def main(urls: list[str]) -> int:
    silent = [url for url in urls if not answers(url)]
    for url in silent:
        print(f"not answering: {urlsplit(url).scheme}://{urlsplit(url).hostname}:{urlsplit(url).port}")
    return 1 if silent else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
