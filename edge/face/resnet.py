"""dlib's face ResNet (dlib_face_recognition_resnet_model_v1.dat) run with numpy + BLAS.

The `dlib-bin` wheel is built without BLAS, so its embedding costs ~100-130 ms of CPU per face.
This module reads the very same weights from dlib's serialisation format and runs the same
network with numpy matrix products (OpenBLAS), which is several times faster on one core.
`tests/face/test_resnet.py` checks that it reproduces dlib's own embeddings.

Network (dlib's dnn_face_recognition_ex.cpp): input 150x150 RGB -> con 32 7x7/2 -> affine ->
relu -> max_pool 3x3/2 -> residual levels (32, 64, 128, 256 filters; "down" blocks use a
stride-2 conv and a 2x2 avg_pool shortcut, zero-padded where shapes differ) -> global
avg_pool -> fc 128 (no bias).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


class ModelFormatError(Exception):
    """The model file is not the dlib face ResNet this module knows how to read."""


@dataclass
class Op:
    """One layer of the network, innermost first after flattening."""

    kind: str  # input, con, affine, relu, max_pool, avg_pool, add_prev, fc, marker
    params: dict[str, Any] = field(default_factory=dict)


class _Reader:
    """dlib's serialisation primitives (dlib/serialize.h, dlib/cuda/tensor.h)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def int(self) -> int:
        control = self.byte()
        size, negative = control & 0x0F, control & 0x80
        value = int.from_bytes(self.data[self.pos : self.pos + size], "little")
        self.pos += size
        return -value if negative else value

    def str(self) -> str:
        n = self.int()
        text = self.data[self.pos : self.pos + n].decode("ascii")
        self.pos += n
        return text

    def float(self) -> float:
        mantissa = self.int()
        exponent = self.int()
        return float(mantissa) * 2.0**exponent

    def bool(self) -> bool:
        ch = chr(self.byte())
        if ch not in "01":
            raise ModelFormatError(f"bad bool at byte {self.pos - 1}")
        return ch == "1"

    def tensor(self) -> np.ndarray:
        if self.int() != 2:
            raise ModelFormatError(f"unexpected tensor version at byte {self.pos}")
        shape = tuple(self.int() for _ in range(4))
        count = int(np.prod(shape))
        values = np.frombuffer(self.data, "<f4", count, self.pos).reshape(shape)
        self.pos += 4 * count
        return values

    def alias(self) -> tuple[int, ...]:
        if self.int() != 1:
            raise ModelFormatError(f"unexpected alias_tensor version at byte {self.pos}")
        return tuple(self.int() for _ in range(4))


def _details(r: _Reader) -> Op:
    name = r.str()
    if name.startswith("con_"):
        params = r.tensor().reshape(-1)
        nf, nr, nc, sy, sx, py, px = (r.int() for _ in range(7))
        filters, _biases = r.alias(), r.alias()
        for _ in range(4):
            r.float()  # learning-rate and weight-decay multipliers
        if name in ("con_5", "con_6"):
            r.bool()  # use_bias
        if name == "con_6":
            r.bool()  # use_relu
        w = params[: int(np.prod(filters))].reshape(filters)  # (F, C, nr, nc)
        b = params[int(np.prod(filters)) :][:nf]
        if not (sy == sx and py == px and nr == nc):
            raise ModelFormatError("only square kernels, strides and paddings are supported")
        return Op("con", {"w": w, "b": b, "k": nr, "stride": sy, "pad": py})
    if name in ("affine_", "affine_2"):
        params = r.tensor().reshape(-1)
        gamma, _beta = r.alias(), r.alias()
        r.int()  # mode
        if name == "affine_2":
            r.bool()
        k = int(np.prod(gamma))
        return Op("affine", {"gamma": params[:k], "beta": params[k : 2 * k]})
    if name == "relu_":
        return Op("relu")
    if name == "relu_2":
        r.bool()
        return Op("relu")
    if name in ("max_pool_2", "avg_pool_2"):
        nr, nc, sy, sx, py, px = (r.int() for _ in range(6))
        return Op(name[:-2], {"k": nr, "stride": sy, "pad": py})
    if name == "add_prev_":
        return Op("add_prev")
    if name in ("fc_2", "fc_3"):
        n_out, n_in = r.int(), r.int()
        params = r.tensor().reshape(-1)
        r.alias(), r.alias()
        r.int()  # bias mode
        for _ in range(4):
            r.float()
        if name == "fc_3":
            r.bool()
        return Op("fc", {"w": params[: n_in * n_out].reshape(n_in, n_out)})
    raise ModelFormatError(f"unsupported layer {name!r}")


def _network(r: _Reader, ops: list[Op]) -> None:
    """Parse add_layer / add_tag_layer nesting; append ops innermost first."""
    version = r.int()
    if version == 1:  # add_tag_layer or add_skip_layer: just a subnetwork
        _network(r, ops)
        ops.append(Op("marker"))
        return
    if version == 3:  # add_layer whose subnetwork is the input layer
        if r.str() != "input_rgb_image_sized":
            raise ModelFormatError("expected input_rgb_image_sized")
        avg = [r.float() for _ in range(3)]
        size = (r.int(), r.int())
        ops.append(Op("input", {"avg": np.array(avg, np.float32), "size": size}))
        ops.append(_details(r))
        r.bool(), r.bool(), r.bool()
        r.tensor(), r.tensor(), r.tensor()
        r.int()  # sample expansion factor
        return
    if version != 2:
        raise ModelFormatError(f"unexpected add_layer version {version} at byte {r.pos}")
    _network(r, ops)
    ops.append(_details(r))
    r.bool(), r.bool(), r.bool()
    r.tensor(), r.tensor(), r.tensor()


def load_ops(path: Path) -> list[Op]:
    """Read the .dat file into a flat list of ops, innermost (input) first."""
    r = _Reader(path.read_bytes())
    ops: list[Op] = []
    try:
        if r.int() != 1 or r.str() != "loss_metric_2":
            raise ModelFormatError(f"{path} is not a dlib loss_metric network")
        r.float(), r.float()  # margin, distance threshold
        _network(r, ops)
    except (IndexError, UnicodeDecodeError, ValueError) as exc:
        raise ModelFormatError(f"{path} is truncated or not a dlib face ResNet: {exc}") from exc
    if r.pos != len(r.data):
        raise ModelFormatError(f"{len(r.data) - r.pos} unread bytes at the end of {path}")
    return ops


def _conv(
    x: np.ndarray, wm: np.ndarray, b: np.ndarray, k: int, stride: int, pad: int
) -> np.ndarray:
    if pad:
        x = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    h, w, c = x.shape
    ho, wo = 1 + (h - k) // stride, 1 + (w - k) // stride
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(0, 1))  # (h', w', c, k, k)
    cols = win[: (ho - 1) * stride + 1 : stride, : (wo - 1) * stride + 1 : stride]
    out = cols.reshape(ho * wo, c * k * k) @ wm
    out += b
    return out.reshape(ho, wo, -1)


def _pool(x: np.ndarray, k: int, stride: int, pad: int, kind: str) -> np.ndarray:
    if k == 0:  # avg_pool_everything
        return x.mean(axis=(0, 1), keepdims=True)
    if pad:
        fill = -np.inf if kind == "max_pool" else 0.0
        x = np.pad(x, ((pad, pad), (pad, pad), (0, 0)), constant_values=fill)
    h, w, _ = x.shape
    ho, wo = 1 + (h - k) // stride, 1 + (w - k) // stride
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(0, 1))
    win = win[: (ho - 1) * stride + 1 : stride, : (wo - 1) * stride + 1 : stride]
    return win.max(axis=(3, 4)) if kind == "max_pool" else win.mean(axis=(3, 4))


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's add_prev: element-wise sum, the smaller tensor zero-padded to the larger."""
    if a.shape == b.shape:
        return a + b
    shape = tuple(max(i, j) for i, j in zip(a.shape, b.shape, strict=True))
    out = np.zeros(shape, np.float32)
    out[: a.shape[0], : a.shape[1], : a.shape[2]] += a
    out[: b.shape[0], : b.shape[1], : b.shape[2]] += b
    return out


class FaceResNet:
    """The embedder: `embed(chip)` gives the same 128-d vector as dlib's compute_face_descriptor."""

    def __init__(self, path: Path) -> None:
        self.ops = load_ops(path)
        for op in self.ops:
            if op.kind == "con":  # (F, C, k, k) -> (C*k*k, F), matching the window layout
                w = op.params["w"]
                op.params["wm"] = np.ascontiguousarray(w.reshape(w.shape[0], -1).T)
        if self.ops[0].kind != "input" or self.ops[-1].kind != "fc":
            raise ModelFormatError("unexpected network shape")

    def embed(self, chip: np.ndarray) -> np.ndarray:
        """128-d float32 embedding of an aligned 150x150 RGB uint8 chip."""
        first = self.ops[0].params
        if chip.shape[:2] != first["size"]:
            raise ValueError(f"chip must be {first['size']}, got {chip.shape[:2]}")
        x = (chip.astype(np.float32) - first["avg"]) / 256.0
        markers: list[np.ndarray] = []
        ops = self.ops
        for i in range(1, len(ops)):
            op, p = ops[i], ops[i].params
            if op.kind == "con":
                x = _conv(x, p["wm"], p["b"], p["k"], p["stride"], p["pad"])
            elif op.kind == "affine":
                x = x * p["gamma"] + p["beta"]
            elif op.kind == "relu":
                x = np.maximum(x, 0)
            elif op.kind in ("max_pool", "avg_pool"):
                x = _pool(x, p["k"], p["stride"], p["pad"], op.kind)
            elif op.kind == "marker":
                if ops[i - 1].kind == "marker":  # tag2 then skip1: back to tag1's output
                    x = markers[-2]
                else:
                    markers.append(x)
            elif op.kind == "add_prev":
                # residual: add tag1 (last marker); residual_down: add tag2 (the marker
                # recorded just before the skip).
                x = _add(x, markers[-1])
            elif op.kind == "fc":
                x = x.reshape(-1) @ p["w"]
        return x.astype(np.float32)
