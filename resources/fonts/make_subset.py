#!/usr/bin/env python3
"""Makes resources/fonts/NotoSansSC-GridCare-subset.otf from Noto Sans CJK SC (SIL OFL 1.1).

Run from the repository root (see README.md in this folder):
    python3 resources/fonts/make_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

The subset holds ASCII, every character of GB2312 (levels 1 and 2: 6,763 hanzi and the
GB2312 symbols), CJK and fullwidth punctuation, and every non-ASCII character that appears
in the repository's sources, data and UI strings (the demo city's names and addresses, the
basemap labels), so that nothing GridCare shows falls back to a tofu box.
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "resources/fonts/NotoSansSC-GridCare-subset.otf"
SOURCE_FONT_NUMBER = 2  # index of "Noto Sans CJK SC" inside NotoSansCJK-Regular.ttc


def gb2312_chars():
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def repo_chars():
    out = set()
    globs = ["src/**/*.rs", "src/**/data/*", "maps/**/*", "resources/**/*.json",
             "resources/**/*.csv", "resources/**/*.txt", "tests/*.rs"]
    for g in globs:
        for p in ROOT.glob(g):
            if p.is_file():
                try:
                    out.update(c for c in p.read_text("utf-8") if ord(c) > 0x7E)
                except (UnicodeDecodeError, OSError):
                    pass
    return out


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= gb2312_chars()
    for lo, hi in [(0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2010, 0x2027), (0x2030, 0x203B),
                   (0x2190, 0x2199), (0x25A0, 0x25CF), (0x00A0, 0x00FF)]:
        chars |= {chr(c) for c in range(lo, hi + 1)}
    chars |= repo_chars()
    chars = {c for c in chars if c.isprintable() or c == "\u3000"}
    text = "".join(sorted(chars))
    tmp = ROOT / "target/font-subset-chars.txt"
    tmp.parent.mkdir(exist_ok=True)
    tmp.write_text(text, "utf-8")
    subprocess.run([
        sys.executable, "-m", "fontTools.subset", src,
        f"--font-number={SOURCE_FONT_NUMBER}", f"--text-file={tmp}", f"--output-file={OUT}",
        "--layout-features=*", "--no-hinting", "--name-IDs=*",
        "--name-languages=*",
    ], check=True)
    print(f"{OUT}: {len(chars)} characters, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
