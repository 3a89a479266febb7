"""The numpy ResNet reproduces dlib's own face descriptor from the same weights."""

from __future__ import annotations

import numpy as np
import pytest

from edge.face.resnet import FaceResNet, ModelFormatError, load_ops
from edge.face.variations import Look, booth_frame
from tests.face.conftest import face_box


def test_numpy_resnet_matches_dlib(verifier, models, collins, hopper, dg2_jp2):
    import dlib

    reference = dlib.face_recognition_model_v1(
        str(models.model_dir / "dlib_face_recognition_resnet_model_v1.dat")
    )
    frame = booth_frame(
        collins, face_box(models, collins), Look(face_height=180, angle=7, gamma=1.3)
    )
    for image in (collins, hopper, dg2_jp2, frame):
        chip = verifier.template(image, embed=False).chip
        ours = models.embedder.embed(chip)
        theirs = np.asarray(reference.compute_face_descriptor(chip), np.float32)
        assert ours.shape == (128,)
        assert np.abs(ours - theirs).max() < 1e-4


def test_network_shape(models):
    ops = models.embedder.ops
    kinds = [op.kind for op in ops]
    assert kinds.count("con") == 29 and kinds.count("add_prev") == 14
    assert ops[0].kind == "input" and ops[-1].kind == "fc"
    assert ops[-1].params["w"].shape == (256, 128)


def test_other_files_are_refused(models, tmp_path):
    with pytest.raises(ModelFormatError):
        load_ops(models.model_dir / "shape_predictor_5_face_landmarks.dat")
    truncated = tmp_path / "cut.dat"
    truncated.write_bytes(
        (models.model_dir / "dlib_face_recognition_resnet_model_v1.dat").read_bytes()[:5000]
    )
    with pytest.raises(ModelFormatError):
        FaceResNet(truncated)
