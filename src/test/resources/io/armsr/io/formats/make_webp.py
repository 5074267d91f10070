"""Writes the WebP fixtures read by ImageFormatsTest (run once; the .webp files are committed).

The pixels follow the formulas in ImageFormatsTest.webpPixel: r = 16x, g = 16y, b = 255 - 8(x+y),
alpha = 255 - 12x for the RGBA file. Needs cwebp (Debian: apt-get install webp, libwebp 1.2.4):
    python3 make_webp.py
"""
import struct, subprocess, zlib

W = H = 16


def png(path, alpha):
    rows = b""
    for y in range(H):
        rows += b"\0"
        for x in range(W):
            px = [16 * x, 16 * y, 255 - 8 * (x + y)]
            if alpha:
                px.append(255 - 12 * x)
            rows += bytes(px)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c))

    ihdr = struct.pack(">IIBBBBB", W, H, 8, 6 if alpha else 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows))
                + chunk(b"IEND", b""))


png("/tmp/rgba.png", True)
png("/tmp/rgb.png", False)
subprocess.run(["cwebp", "-quiet", "-lossless", "-exact", "/tmp/rgba.png", "-o", "lossless-rgba.webp"], check=True)
subprocess.run(["cwebp", "-quiet", "-q", "95", "/tmp/rgb.png", "-o", "lossy-rgb.webp"], check=True)
