#!/usr/bin/env bash
# Writes the image seeds of the image_decode fuzzer into DIR: tiny synthetic pictures (a colour test
# pattern, no photos) in every format the decoder sniffs, two cut short, and two very thin single-colour images (801x1,
# 1x2401: the shapes that once made empty detector tiles). Generated with Debian's ffmpeg rather than
# committed, so that the repository holds no images; the same ffmpeg gives the same bytes, which keeps
# the fixed-seed fuzz run of `make test` repeatable.
#   tests/fuzz/make-image-seeds.sh DIR
set -euo pipefail
out=${1:?usage: make-image-seeds.sh DIR}
mkdir -p "$out"
command -v ffmpeg >/dev/null && command -v python3 >/dev/null || { echo "ffmpeg or python3 is missing: scripts/setup.sh installs them" >&2; exit 2; }
image() {  # image "FILTER=" SIZE FILE [ffmpeg output options...]
    local source=$1 size=$2 file=$3
    shift 3
    ffmpeg -loglevel error -y -f lavfi -i "${source}size=$size:rate=1" -frames:v 1 -bitexact \
        -map_metadata -1 "$@" "$out/$file"
}
image testsrc= 8x6 seed.jpg -q:v 5
image testsrc= 8x6 seed.png
image testsrc= 8x6 seed.bmp
image testsrc= 8x6 seed.gif
image testsrc= 8x6 seed.tiff
image testsrc= 8x6 seed.webp -c:v libwebp -lossless 1
# Single-colour PNGs written directly (ffmpeg's colour source wants even sizes).
python3 - "$out" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
for w, h in ((801, 1), (1, 2401)):
    rows = b''.join(b'\x00' + bytes((200, 120, 90)) * w for _ in range(h))
    png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
           chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))
    open(f'{sys.argv[1]}/regression-thin-{w}x{h}.png', 'wb').write(png)
PY
head -c 100 "$out/seed.jpg" >"$out/truncated.jpg"
head -c 10 "$out/seed.gif" >"$out/truncated.gif"
