#!/usr/bin/env python3
"""What many users would otherwise write: a Python `requests` loop over the same 200 pages.

Starts the end-to-end bench's local server (`cargo bench --bench end_to_end -- --serve`), walks
its 200 pages with a `requests.Session` (keep-alive, json decode) five times and prints pages per
second, to set beside the Paginator's figure from `cargo bench --bench end_to_end`.

Needs `pip install requests`.
"""
import statistics
import subprocess
import sys
import time

import requests

PAGES = 200
RUNS = 5


def main() -> int:
    server = subprocess.Popen(
        ["cargo", "bench", "--quiet", "--bench", "end_to_end", "--", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = server.stdout.readline().strip()
        session = requests.Session()
        headers = {"x-api-key": "bench-key", "content-type": "application/json"}
        rates = []
        for _ in range(RUNS):
            started = time.perf_counter()
            invitations = 0
            for page in range(1, PAGES + 1):
                body = {
                    "login_token": "bench-token",
                    "invitation_type": "CONNECTION",
                    "start_page": page,
                    "end_page": page,
                }
                reply = session.post(url, json=body, headers=headers, timeout=90).json()
                assert reply["status"] == "success"
                invitations += len(reply["data"]["invitations"])
            assert invitations == PAGES * 10
            rates.append(PAGES / (time.perf_counter() - started))
        print(f"python requests: {statistics.median(rates):,.0f} pages/s (median of {RUNS} walks of {PAGES} pages)")
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
