"""Train the glyph network with PyTorch and export it to the numpy layout of `recognise.py`.

Training only: PyTorch (`pip install torch==2.13.0`, the CPU build) is imported here and
nowhere in the reader. Cells come from `edge.mrz.ocr.train`; each batch is augmented on the
fly (sub-pixel shifts and scale, extra blur, contrast, noise) so that the network sees far
more variations of small, soft prints than the documents alone give.
"""

from __future__ import annotations

import itertools
import logging
import math
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from edge.mrz.ocr.recognise import ALPHABET, FLOOR_QUANTILE

logger = logging.getLogger(__name__)

CONV_CHANNELS = (16, 32)
HIDDEN = 128


class GlyphNet(nn.Module):
    """Two 3x3 conv + max-pool stages and two dense layers; mirrors `Recogniser.logits`."""

    def __init__(self, h: int, w: int, channels=CONV_CHANNELS, hidden: int = HIDDEN):
        super().__init__()
        chans = (1, *channels)
        self.convs = nn.ModuleList(
            nn.Conv2d(a, b, 3, padding=1) for a, b in itertools.pairwise(chans)
        )
        flat = channels[-1] * (h >> len(channels)) * (w >> len(channels))
        self.fc0 = nn.Linear(flat, hidden)
        self.fc1 = nn.Linear(hidden, len(ALPHABET))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        return self.fc1(F.relu(self.fc0(x.flatten(1))))


def unit_peak(x: torch.Tensor) -> torch.Tensor:
    """The same contrast normalisation as `recognise.features`, on (n, 1, h, w)."""
    flat = x.flatten(1)
    k = int(FLOOR_QUANTILE * (flat.shape[1] - 1))
    floor = flat.kthvalue(k + 1, dim=1).values
    peak = (flat.amax(1) - floor).clamp_min(0.2)
    return (x - floor[:, None, None, None]) / peak[:, None, None, None]


def _blur(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Per-sample Gaussian blur (separable, 5 taps) with standard deviations `sigma` (n,)."""
    t = torch.arange(-2, 3, dtype=x.dtype)
    k = torch.exp(-(t[None, :] ** 2) / (2 * sigma[:, None].clamp_min(1e-3) ** 2))
    k = k / k.sum(1, keepdim=True)  # (n, 5)
    n = len(x)
    y = F.conv2d(
        F.pad(x.transpose(0, 1), (2, 2, 0, 0), mode="replicate"), k[:, None, None, :], groups=n
    )
    y = F.conv2d(F.pad(y, (0, 0, 2, 2), mode="replicate"), k[:, None, :, None], groups=n)
    return y.transpose(0, 1)


def _clutter(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Ink that is not the glyph at a patch's borders: a portrait's or a page's edge, a
    neighbouring line's descenders. Bars across the top or bottom rows, or down one side."""
    n, _, h, w = x.shape
    x = x.clone()
    pick = torch.rand(n, generator=gen)
    level = 0.4 + 0.6 * torch.rand(n, generator=gen)
    rows = torch.randint(1, 4, (n,), generator=gen)
    start = torch.randint(0, w // 2, (n,), generator=gen)
    span = torch.randint(w // 3, w + 1, (n,), generator=gen)
    for i in torch.nonzero(pick < 0.16).flatten().tolist():
        r, a, b, v = int(rows[i]), int(start[i]), int(start[i] + span[i]), float(level[i])
        if pick[i] < 0.08:
            x[i, 0, :r, a:b] = torch.maximum(x[i, 0, :r, a:b], torch.tensor(v))
        elif pick[i] < 0.13:
            x[i, 0, h - r :, a:b] = torch.maximum(x[i, 0, h - r :, a:b], torch.tensor(v))
        else:
            cols = slice(0, r) if int(start[i]) % 2 else slice(w - r, w)
            x[i, 0, :, cols] = torch.maximum(x[i, 0, :, cols], torch.tensor(v))
    return x


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random sub-pixel shift and scale, blur, contrast and noise of (n, 1, h, w) ink."""
    n, _, h, w = x.shape

    def u(lo: float, hi: float, *shape: int) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(shape or (n,), generator=gen)

    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = u(0.9, 1.12)
    theta[:, 1, 1] = theta[:, 0, 0] * u(0.94, 1.06)
    theta[:, 0, 1] = u(-0.05, 0.05)
    theta[:, 0, 2] = u(-1.6, 1.6) * 2 / w  # pixels to normalised coordinates
    theta[:, 1, 2] = u(-1.2, 1.2) * 2 / h
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="zeros", align_corners=False)
    x = _clutter(x, gen)
    soft = torch.rand(n, generator=gen) < 0.35
    if soft.any():
        x[soft] = _blur(x[soft], u(0.4, 1.3, int(soft.sum())))
    x = x * u(0.55, 1.2)[:, None, None, None] + u(-0.08, 0.08)[:, None, None, None]
    x = x + torch.randn(x.shape, generator=gen) * u(0.0, 0.08)[:, None, None, None]
    return x.clamp(0, 1)


def train(
    patches: np.ndarray, labels: np.ndarray, epochs: int, seed: int, batch: int = 512
) -> tuple[GlyphNet, float, float]:
    """Train a GlyphNet with Adam and a cosine schedule: (net, input mean, input std)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x_all = torch.from_numpy(patches.astype(np.float32))[:, None]
    y_all = torch.from_numpy(labels.astype(np.int64))
    sample = unit_peak(x_all[:20000])
    mean, std = float(sample.mean()), float(sample.std())
    net = GlyphNet(patches.shape[1], patches.shape[2])
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = epochs * math.ceil(len(y_all) / batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    counts = torch.bincount(y_all, minlength=len(ALPHABET)).float()
    class_w = (counts.sum() / counts.clamp_min(1) / len(ALPHABET)) ** 0.5
    for epoch in range(epochs):
        t, total, right = time.time(), 0.0, 0
        net.train()
        for idx in torch.randperm(len(y_all), generator=gen).split(batch):
            x = (unit_peak(augment(x_all[idx], gen)) - mean) / std
            z = net(x)
            loss = F.cross_entropy(z, y_all[idx], weight=class_w)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
            right += int((z.argmax(1) == y_all[idx]).sum())
        logger.info(
            "epoch %d loss %.4f train acc %.4f (%.0f s)",
            epoch,
            total / len(y_all),
            right / len(y_all),
            time.time() - t,
        )
    return net.eval(), mean, std


def export(net: GlyphNet, mean: float, std: float, h: int, w: int) -> dict[str, np.ndarray]:
    """The weights in the layout `recognise.Recogniser` reads (NHWC, im2col matrices)."""
    out: dict[str, np.ndarray] = {
        "kind": np.array("cnn"),
        "mean": np.array(mean, np.float32),
        "std": np.array(std, np.float32),
        "n_conv": np.array(len(net.convs)),
        "n_fc": np.array(2),
    }
    for i, conv in enumerate(net.convs):
        wt = conv.weight.detach().numpy()  # (out, in, 3, 3) -> (3, 3, in, out) -> (9 in, out)
        out[f"conv{i}_w"] = wt.transpose(2, 3, 1, 0).reshape(-1, wt.shape[0]).astype(np.float32)
        out[f"conv{i}_b"] = conv.bias.detach().numpy().astype(np.float32)
    c = net.convs[-1].out_channels
    hh, ww = h >> len(net.convs), w >> len(net.convs)
    fc0 = net.fc0.weight.detach().numpy().reshape(-1, c, hh, ww)  # torch flattens C, H, W
    out["fc0_w"] = fc0.transpose(2, 3, 1, 0).reshape(hh * ww * c, -1).astype(np.float32)
    out["fc0_b"] = net.fc0.bias.detach().numpy().astype(np.float32)
    out["fc1_w"] = net.fc1.weight.detach().numpy().T.astype(np.float32).copy()
    out["fc1_b"] = net.fc1.bias.detach().numpy().astype(np.float32)
    return out
