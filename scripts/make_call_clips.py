"""Generate the board's recorded calls: short clips spoken by espeak-ng (Debian), shipped as
static audio in mpp/visits/static/visits/calls/<language>/<name>.ogg and assembled on the
board ("nomor antrean", "A", "dua", "belas", "silakan menuju loket", "tiga").

Run once at build time, or after changing a phrase (the clips are committed):

    apt-get install espeak-ng sox libsox-fmt-all
    python scripts/make_call_clips.py

Numbers are spoken the Indonesian way from a few clips (see board.js `numberClips`): digits,
"sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus"; English reads numbers digit by digit.
The clips are mono 16 kHz Ogg Vorbis, a few kilobytes each."""

import shutil
import string
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "mpp" / "visits" / "static" / "visits" / "calls"

ID_DIGITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

# name → text, per language (espeak-ng voice)
CLIPS = {
    "id": {
        **{str(d): word for d, word in enumerate(ID_DIGITS)},
        **{letter: letter for letter in string.ascii_uppercase},
        "sepuluh": "sepuluh",
        "sebelas": "sebelas",
        "belas": "belas",
        "puluh": "puluh",
        "seratus": "seratus",
        "ratus": "ratus",
        "nomor-antrean": "nomor antrean",
        "silakan-menuju-loket": "silakan menuju loket",
    },
    "en": {
        **{str(d): word for d, word in enumerate(EN_DIGITS)},
        **{letter: letter for letter in string.ascii_uppercase},
        "nomor-antrean": "ticket number",
        "silakan-menuju-loket": "please go to counter",
    },
}


def clip(voice: str, text: str, target: Path, work: Path) -> None:
    wav = work / "clip.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "140", "-w", str(wav), text], check=True)
    # mono 16 kHz, leading/trailing silence trimmed, a little gap kept between clips
    subprocess.run(
        ["sox", str(wav), "-r", "16000", "-c", "1", "-C", "0", str(target)]
        + ["silence", "1", "0.02", "1%", "reverse", "silence", "1", "0.02", "1%", "reverse"]
        + ["pad", "0", "0.08"],
        check=True,
    )


def main() -> None:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install espeak-ng sox libsox-fmt-all")
    with tempfile.TemporaryDirectory() as tmp:
        for language, clips in CLIPS.items():
            folder = OUT / language
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in clips.items():
                clip(language, text, folder / f"{name}.ogg", Path(tmp))
    total = sum(f.stat().st_size for f in OUT.rglob("*.ogg"))
    count = len(list(OUT.rglob("*.ogg")))
    print(f"{count} clips, {total / 1024:.0f} KiB in {OUT}")


if __name__ == "__main__":
    main()
