"""The glyph recogniser and the line cutter on lines of OCR-B drawn straight onto a canvas.

These pin the parts below `read_mrz` without the randomness of a photograph: the packaged
network reads every MRZ character, a dark block touching the line (a card's portrait) does
not throw off the text rows, and a line of fillers is accepted as the neighbour of a line
of capitals.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from edge.mrz import synth
from edge.mrz.ocr.locate import TextLine, _compatible
from edge.mrz.ocr.recognise import (
    ALPHABET,
    WEIGHTS_PATH,
    Recogniser,
    combine,
    default_recogniser,
)
from edge.mrz.ocr.segment import CAP_HEIGHT, Canvas, analyse_line, cut_band
from edge.mrz.ocr.train import cells_of_document

TEXT = "P<UTO" + ALPHABET[::-1] + "<<"  # every character, 44 cells as in a TD3 line


def _canvas(lines: list[str], *, blob: bool = False, blur: float = 0.0) -> Canvas:
    """`lines` in OCR-B with CAP_HEIGHT-pixel capitals on a flat grey canvas, as rectified."""
    size = 8
    while True:
        font = ImageFont.truetype(str(synth.OCRB_FONT), size)
        _, top, _, bottom = font.getbbox("M")
        if bottom - top >= CAP_HEIGHT:
            break
        size += 1
    pitch = synth.OCRB_ADVANCE_EM * size
    gap = 1.7 * pitch
    mx, my = 3.5 * CAP_HEIGHT, 1.6 * CAP_HEIGHT
    n = len(lines[0])
    width, height = int(2 * mx + n * pitch), int(2 * my + CAP_HEIGHT + gap * (len(lines) - 1))
    img = Image.new("L", (width, height), 215)
    draw = ImageDraw.Draw(img)
    rows = [my + i * gap for i in range(len(lines))]
    for text, row in zip(lines, rows, strict=True):
        for i, ch in enumerate(text):
            draw.text((mx + i * pitch, row - CAP_HEIGHT / 2 - top), ch, font=font, fill=35)
    if blob:  # a portrait's dark shoulder reaching down onto the first characters
        draw.ellipse((mx - 60, my - 90, mx + 12 * pitch, my - 6), fill=50)
    arr = np.asarray(img, np.float32)
    if blur:
        arr = cv2.GaussianBlur(arr, (0, 0), blur)
    return Canvas(arr, rows, mx, n * pitch)


def _cells(canvas: Canvas) -> np.ndarray:
    line = analyse_line(canvas, 0)
    assert line is not None
    return cut_band([line], len(TEXT))[0].patches


def _read(canvas: Canvas, rec: Recogniser) -> list[str]:
    lines = [analyse_line(canvas, i) for i in range(len(canvas.line_rows))]
    assert all(ln is not None for ln in lines)
    cells = cut_band(lines, len(TEXT))
    probs = [rec.probabilities(c.patches) for c in cells]
    return ["".join(ALPHABET[k] for k in p.argmax(1)) for p in probs]


def test_packaged_weights_are_two_small_convolutional_nets() -> None:
    assert WEIGHTS_PATH.stat().st_size < 500_000
    rec = default_recogniser()
    assert len(rec.nets) == 2 and all(len(net.convs) == 2 for net in rec.nets)
    patches = _cells(_canvas([TEXT]))
    fast, thorough = rec.probabilities(patches), rec.probabilities(patches, thorough=True)
    assert fast.shape == thorough.shape == (len(TEXT), len(ALPHABET))
    assert np.allclose(fast.sum(1), 1.0, atol=1e-5)
    assert not np.allclose(fast, thorough)  # the second opinion is a different network
    assert "".join(ALPHABET[k] for k in thorough.argmax(1)) == TEXT


def test_combined_weights_answer_like_their_first_network() -> None:
    with np.load(WEIGHTS_PATH) as data:
        weights = {k: data[k] for k in data.files}
    first = {k.removeprefix("net0_"): v for k, v in weights.items() if k.startswith("net0_")}
    single = Recogniser({"kind": np.array("cnn"), **first})
    again = Recogniser(combine([first, first]))
    patches = _cells(_canvas([TEXT]))
    assert np.allclose(single.probabilities(patches), default_recogniser().probabilities(patches))
    assert np.allclose(again.probabilities(patches, thorough=True), single.probabilities(patches))


@pytest.mark.parametrize("blur", [0.0, 2.5])
def test_every_character_read_from_a_clean_and_a_blurred_line(blur: float) -> None:
    assert _read(_canvas([TEXT], blur=blur), default_recogniser()) == [TEXT]


def test_dark_block_touching_the_first_line_leaves_its_rows_and_ends_alone() -> None:
    second = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    canvas = _canvas([TEXT, second], blob=True)
    line = analyse_line(canvas, 0)
    assert line is not None
    assert line.bottom - line.top + 1 <= 1.2 * CAP_HEIGHT  # not stretched up into the blob
    first, other = _read(canvas, default_recogniser())
    assert other == second
    assert first[12:] == TEXT[12:]  # the characters under the blob may be lost, not the rest


def test_a_line_of_fillers_is_a_compatible_neighbour() -> None:
    # Measured on a 527-pixel frame: the name line, mostly '<', is thinner than the data line.
    names = TextLine((40.0, 308.0), (438.0, 333.0), 5.6)
    data = TextLine((40.0, 323.0), (438.0, 347.0), 9.0)
    assert _compatible(names, data)
    far = TextLine((40.0, 360.0), (438.0, 385.0), 9.0)  # too far below to be the next line
    assert not _compatible(names, far)


def test_training_cells_are_labelled_with_the_documents_text() -> None:
    # The training data path (no PyTorch needed): one document, cut by the reader's pipeline.
    patches, labels = cells_of_document(1_000_003)
    assert patches.shape[1:] == (20, 16) and len(patches) == len(labels) >= 60
    predicted = default_recogniser().probabilities(patches).argmax(1)
    assert (predicted == labels).mean() > 0.9


def test_the_reader_does_not_import_pytorch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from edge.mrz.ocr.reader import read_mrz; "
        "read_mrz(np.full((400, 600), 200, np.uint8)); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
