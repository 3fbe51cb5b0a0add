#!/usr/bin/env python3
"""A VC0706 host written the way the common host libraries are (pyserial, fixed request
bytes, flush-with-timeout before each command, 32-byte chunked reads), used to check that
Vigil's emulator behaves like the real module for software that is not ours, and as the
baseline Tools/bench measures our driver against.

Usage: vc0706_host.py PORT OUTPUT_DIR [BAUD] [--chunk BYTES] [--chunked-only] [--json]

Resets the camera at 38400 baud (where a reset leaves it) and waits for its banner; for another
BAUD it then moves the camera there with SET_PORT and reopens the port at that speed, as
Adafruit's setBaud115200() does. Then it freezes a frame and reads it in CHUNK-byte READ_FBUF
requests (32 by default, as the libraries do), and once more in one request, and writes
chunked.jpg and whole.jpg to OUTPUT_DIR; exits 0 when both are identical JPEGs. --chunked-only
skips the whole-frame read. --json prints one JSON object (bytes, baud, chunk, seconds of each
read, and the chunked read's fraction of the line rate: wire time of the frame at 10 bits a byte
over the measured time) instead of the "ok ..." line.
"""
import argparse
import json
import os
import sys
import time

import serial

RESET = bytes([0x56, 0x00, 0x26, 0x00])
VERSION = bytes([0x56, 0x00, 0x11, 0x00])
FREEZE = bytes([0x56, 0x00, 0x36, 0x01, 0x00])
RESUME = bytes([0x56, 0x00, 0x36, 0x01, 0x03])
FRAME_LENGTH = bytes([0x56, 0x00, 0x34, 0x01, 0x00])
# SET_PORT's baud codes, as in Adafruit_VC0706.
BAUD_CODES = {9600: 0xAEC8, 19200: 0x56E4, 38400: 0x2AF2, 57600: 0x1C1C, 115200: 0x0DA6}
RESET_BAUD = 38400


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


def set_baud(port, baud):
    """SET_PORT to `baud` (answered at the old rate), then the port follows."""
    code = BAUD_CODES[baud]
    command(port, bytes([0x56, 0x00, 0x24, 0x03, 0x01, code >> 8, code & 0xFF]), 5)
    time.sleep(0.05)
    port.baudrate = baud


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", help="the camera's serial port or pty")
    parser.add_argument("output", help="the folder chunked.jpg and whole.jpg go to")
    parser.add_argument("baud", nargs="?", type=int, default=RESET_BAUD, choices=sorted(BAUD_CODES),
                        help="the baud to read the frame at (default 38400; others through SET_PORT)")
    parser.add_argument("--chunk", type=int, default=32, help="bytes per READ_FBUF request (default 32)")
    parser.add_argument("--chunked-only", action="store_true", help="skip the whole-frame read")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    arguments = parser.parse_args()
    if arguments.chunk < 1:
        fail("--chunk must be at least 1")
    port = serial.Serial(arguments.port, RESET_BAUD, timeout=1)

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
    if arguments.baud != RESET_BAUD:
        set_baud(port, arguments.baud)
        command(port, VERSION, 16)

    command(port, FREEZE, 5)
    length = int.from_bytes(command(port, FRAME_LENGTH, 9)[5:9], "big")

    chunked = bytearray()
    started = time.monotonic()
    while len(chunked) < length:
        size = min(arguments.chunk, length - len(chunked))
        chunked += read_frame_buffer(port, len(chunked), size)
    chunked_seconds = time.monotonic() - started
    whole, whole_seconds = None, None
    if not arguments.chunked_only:
        started = time.monotonic()
        whole = read_frame_buffer(port, 0, length)
        whole_seconds = time.monotonic() - started
    command(port, RESUME, 5)

    os.makedirs(arguments.output, exist_ok=True)
    for name, data in (("chunked.jpg", chunked), ("whole.jpg", whole)):
        if data is not None:
            with open(os.path.join(arguments.output, name), "wb") as file:
                file.write(data)
    if whole is not None and bytes(chunked) != bytes(whole):
        fail("the chunked and whole-frame reads differ")
    if chunked[:2] != b"\xff\xd8" or chunked[-2:] != b"\xff\xd9":
        fail("the frame is not a complete JPEG")
    if arguments.json:
        wire = length * 10 / arguments.baud
        print(json.dumps({
            "bytes": length, "baud": arguments.baud, "chunk": arguments.chunk, "version": version[5:].decode(),
            "chunkedSeconds": chunked_seconds, "wholeSeconds": whole_seconds,
            "lineRateFraction": wire / chunked_seconds if chunked_seconds > 0 else 0,
        }))
    else:
        whole_text = "" if whole_seconds is None else ", whole %.2f s" % whole_seconds
        print("ok %d bytes, %s, chunked %.2f s%s" % (length, version[5:].decode(), chunked_seconds, whole_text))


main()
