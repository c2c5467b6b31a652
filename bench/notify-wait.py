#!/usr/bin/python3
"""Binds a datagram socket at argv[1], runs argv[2:], and prints how many
milliseconds passed until READY=1 arrived on the socket (the command gets
the socket as NOTIFY_SOCKET). The command keeps running; its pid is printed
too, so the caller can stop it."""
import os
import socket
import subprocess
import sys
import time

path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.settimeout(30)
start = time.monotonic()
process = subprocess.Popen(sys.argv[2:], env={**os.environ, "NOTIFY_SOCKET": path},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while b"READY=1" not in sock.recv(4096):
    pass
print(f"{(time.monotonic() - start) * 1000:.1f} {process.pid}")
