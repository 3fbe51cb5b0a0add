#!/usr/bin/env python3
"""A VC0706 host written the way the common host libraries are (pyserial, fixed request
bytes, flush-with-timeout before each command, 32-byte chunked reads), used to check that
Vigil's emulator behaves like the real module for software that is not ours.

Usage: vc0706_host.py PORT OUTPUT_DIR [BAUD]
Writes chunked.jpg and whole.jpg to OUTPUT_DIR; exits 0 when both are identical JPEGs.
"""
import os
import sys
import time

import serial

RESET = bytes([0x56, 0x00, 0x26, 0x00])
VERSION = bytes([0x56, 0x00, 0x11, 0x00])
FREEZE = bytes([0x56, 0x00, 0x36, 0x01, 0x00])
RESUME = bytes([0x56, 0x00, 0x36, 0x01, 0x03])
FRAME_LENGTH = bytes([0x56, 0x00, 0x34, 0x01, 0x00])


def fail(message):
    print("vc0706_host: " + message, file=sys.stderr)
    sys.exit(1)


def flush(port):
    """What the libraries do before each command: read up to 100 bytes with a short timeout."""
    port.timeout = 0.05
    port.read(100)


def command(port, request, reply_length, timeout=2.0):
    flush(port)
    port.write(request)
    port.timeout = timeout
    reply = port.read(reply_length)
    if len(reply) != reply_length or reply[0] != 0x76 or reply[2] != request[2] or reply[3] != 0:
        fail("bad reply to %s: %s" % (request.hex(" "), reply.hex(" ")))
    return reply


def read_frame_buffer(port, address, length):
    request = bytes([0x56, 0x00, 0x32, 0x0C, 0x00, 0x0A]) + address.to_bytes(4, "big") \
        + length.to_bytes(4, "big") + bytes([0x00, 0x0A])
    port.write(request)
    port.timeout = 5.0 + length * 10 / port.baudrate * 2
    reply = port.read(5 + length + 5)
    if len(reply) != 10 + length or reply[:5] != bytes([0x76, 0, 0x32, 0, 0]) or reply[-5:] != bytes([0x76, 0, 0x32, 0, 0]):
        fail("bad READ_FBUF reply for %d bytes at %d: got %d bytes" % (length, address, len(reply)))
    return reply[5:-5]


def main():
    if len(sys.argv) < 3:
        fail("usage: vc0706_host.py PORT OUTPUT_DIR [BAUD]")
    path, output = sys.argv[1], sys.argv[2]
    baud = int(sys.argv[3]) if len(sys.argv) > 3 else 38400
    port = serial.Serial(path, baud, timeout=1)

    # Reset and wait for the banner's last line.
    flush(port)
    port.write(RESET)
    port.timeout = 3
    seen = port.read_until(b"Init end\r\n")
    if not seen.endswith(b"Init end\r\n") or not seen.startswith(bytes([0x76, 0x00, 0x26, 0x00, 0x00])):
        fail("no reset reply and banner: %r" % seen)

    version = command(port, VERSION, 16)
    if version[5:] != b"VC0703 1.00":
        fail("unexpected version %r" % version[5:])

    command(port, FREEZE, 5)
    length = int.from_bytes(command(port, FRAME_LENGTH, 9)[5:9], "big")

    chunked = bytearray()
    started = time.monotonic()
    while len(chunked) < length:
        size = min(32, length - len(chunked))
        chunked += read_frame_buffer(port, len(chunked), size)
    chunked_seconds = time.monotonic() - started
    started = time.monotonic()
    whole = read_frame_buffer(port, 0, length)
    whole_seconds = time.monotonic() - started
    command(port, RESUME, 5)

    os.makedirs(output, exist_ok=True)
    for name, data in (("chunked.jpg", chunked), ("whole.jpg", whole)):
        with open(os.path.join(output, name), "wb") as file:
            file.write(data)
    if bytes(chunked) != bytes(whole):
        fail("the chunked and whole-frame reads differ")
    if whole[:2] != b"\xff\xd8" or whole[-2:] != b"\xff\xd9":
        fail("the frame is not a complete JPEG")
    print("ok %d bytes, %s, chunked %.2f s, whole %.2f s" % (length, version[5:].decode(), chunked_seconds, whole_seconds))


main()
