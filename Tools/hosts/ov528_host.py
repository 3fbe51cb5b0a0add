#!/usr/bin/env python3
"""An OV528 / uCAM-III host written the way Seeed's Grove Serial Camera sketch is (pyserial,
SYNC until answered, INITIAL for JPEG, 128-byte packages, each asked for 10 ms after the last
with the input cleared first, its checksum checked and asked again if wrong), the baseline
Tools/bench measures our driver against.

Usage: ov528_host.py PORT OUTPUT_FILE [--baud B] [--size WxH] [--variant ov528|ucam3]
                     [--package BYTES] [--delay-ms MS] [--json]

The camera must already be at BAUD (115200 after power-up). Writes the JPEG to OUTPUT_FILE and
exits 0 when it starts FF D8 and ends FF D9. --json prints one JSON object (bytes, baud,
package size, seconds of the package transfer, and its fraction of the line rate: wire time of
the image at 10 bits a byte over the measured time) instead of an "ok ..." line.
"""
import argparse
import json
import sys
import time

import serial

RESOLUTIONS = {
    "ov528": {"80x60": 0x01, "160x120": 0x03, "320x240": 0x05, "640x480": 0x07},
    "ucam3": {"160x128": 0x03, "320x240": 0x05, "640x480": 0x07},
}
# INITIAL's raw-resolution byte as each variant's hosts send it.
RAW_RESOLUTION = {"ov528": 0x00, "ucam3": 0x07}


def fail(message):
    print("ov528_host: " + message, file=sys.stderr)
    sys.exit(1)


def message(command, p1=0, p2=0, p3=0, p4=0):
    return bytes([0xAA, command, p1, p2, p3, p4])


def read_message(port):
    reply = port.read(6)
    return reply if len(reply) == 6 and reply[0] == 0xAA else None


def command(port, request, expect_data=False):
    """Sends a command and waits for its ACK (and DATA after GET PICTURE)."""
    port.reset_input_buffer()
    port.write(request)
    ack = read_message(port)
    if ack is None or ack[1] != 0x0E or ack[2] != request[1]:
        fail("no ACK to %s: %s" % (request.hex(" "), ack.hex(" ") if ack else "nothing"))
    if expect_data:
        data = read_message(port)
        if data is None or data[1] != 0x0A:
            fail("no DATA after GET PICTURE: %s" % (data.hex(" ") if data else "nothing"))
        return data[3] | data[4] << 8 | data[5] << 16
    return None


def synchronise(port):
    port.timeout = 0.1
    for _ in range(60):
        port.write(message(0x0D))
        ack = read_message(port)
        if ack and ack[1] == 0x0E and ack[2] == 0x0D:
            sync = read_message(port)
            if sync and sync[1] == 0x0D:
                port.write(message(0x0E, 0x0D))
                port.timeout = 0.5
                return
    fail("no answer to SYNC")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", help="the camera's serial port or pty")
    parser.add_argument("output", help="the JPEG file to write")
    parser.add_argument("--baud", type=int, default=115200, help="the baud the camera is at (default 115200)")
    parser.add_argument("--size", default="640x480", help="JPEG resolution (default 640x480)")
    parser.add_argument("--variant", choices=sorted(RESOLUTIONS), default="ov528", help="camera variant (default ov528)")
    parser.add_argument("--package", type=int, default=128, help="package size, 64..512 (default 128, as Seeed's sketch)")
    parser.add_argument("--delay-ms", type=float, default=10, help="pause before each package request (default 10)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    arguments = parser.parse_args()
    resolution = RESOLUTIONS[arguments.variant].get(arguments.size)
    if resolution is None:
        fail("%s has no JPEG resolution %s (it has %s)" % (
            arguments.variant, arguments.size, ", ".join(RESOLUTIONS[arguments.variant])))
    if not 64 <= arguments.package <= 512:
        fail("--package must be from 64 to 512")

    port = serial.Serial(arguments.port, arguments.baud, timeout=0.5)
    synchronise(port)
    time.sleep(0.05)
    command(port, message(0x01, 0x00, 0x07, RAW_RESOLUTION[arguments.variant], resolution))
    command(port, message(0x06, 0x08, arguments.package & 0xFF, arguments.package >> 8))
    command(port, message(0x05))
    length = command(port, message(0x04, 0x01), expect_data=True)

    data_size = arguments.package - 6
    packages = (length + data_size - 1) // data_size
    image = bytearray()
    retries = 0
    started = time.monotonic()
    for package_id in range(packages):
        expected = min(data_size, length - package_id * data_size) + 6
        while True:
            time.sleep(arguments.delay_ms / 1000)
            port.reset_input_buffer()
            port.write(message(0x0E, 0, 0, package_id & 0xFF, package_id >> 8))
            package = port.read(expected)
            if len(package) == expected and sum(package[:-2]) & 0xFF == package[-2] \
                    and package[0] | package[1] << 8 == package_id:
                break
            retries += 1
            if retries > 100:
                fail("package %d never came right" % package_id)
        image += package[4:-2]
    seconds = time.monotonic() - started
    port.write(message(0x0E, 0, 0, 0xF0, 0xF0))

    with open(arguments.output, "wb") as file:
        file.write(image)
    if image[:2] != b"\xff\xd8" or image[-2:] != b"\xff\xd9":
        fail("the image is not a complete JPEG")
    if arguments.json:
        print(json.dumps({
            "bytes": length, "baud": arguments.baud, "package": arguments.package, "seconds": seconds,
            "retries": retries, "lineRateFraction": length * 10 / arguments.baud / seconds if seconds > 0 else 0,
        }))
    else:
        print("ok %d bytes in %d packages, %.2f s" % (length, packages, seconds))


main()
