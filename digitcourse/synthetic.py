"""Generated images of handwritten digits whose labels we know, for chapter 7 and its tests.

Each function re-renders an MNIST digit (uint8, (28, 28), 255 = ink) in another medium: a phone
photo of dark ink on paper, a pen drawing saved by a drawing app, a white drawing on a black canvas.
They make the conditions of real images (lighting, texture, pen width, size, position) on digits
whose labels are known, so that chapter 7 can measure :mod:`digitcourse.handwriting` on hundreds of
them. Real handwriting from elsewhere (USPS, :func:`digitcourse.data.load_usps`) is the real test.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi


def photo_of(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An RGB "photo", uint8 (H, W, 3), of an MNIST digit (uint8, 28 x 28) written in dark ink on paper.

    The digit is enlarged 4 to 10 times, rotated by up to 12 degrees and placed off centre on a
    sheet 1.3 to 2.2 times larger, with paper texture, a warm tint, light falling off across the
    sheet, and a slight blur, all drawn from ``rng``.
    """
    strokes = ndi.zoom(digit.astype(np.float32) / 255, rng.uniform(4, 10), order=1)
    strokes = np.clip(ndi.rotate(strokes, rng.uniform(-12, 12), order=1), 0, 1)
    height, width = (np.array(strokes.shape) * rng.uniform(1.3, 2.2, size=2)).astype(int)
    top, left = rng.integers(0, height - strokes.shape[0]), rng.integers(0, width - strokes.shape[1])
    ink = np.zeros((height, width), dtype=np.float32)
    ink[top:top + strokes.shape[0], left:left + strokes.shape[1]] = strokes
    angle = rng.uniform(0, 2 * np.pi)  # direction of the light
    rows, cols = np.mgrid[0:height, 0:width] / max(height, width)
    light = 1 - rng.uniform(0, 0.4) * (np.cos(angle) * rows + np.sin(angle) * cols + 1) / 2
    texture = ndi.gaussian_filter(rng.normal(0, rng.uniform(0.02, 0.06), (height, width)), 1.5)
    paper = rng.uniform(0.8, 0.95) * light + texture
    gray = ndi.gaussian_filter(paper * (1 - rng.uniform(0.6, 0.9) * ink), rng.uniform(0, 1.2))
    tint = np.array([1.0, 0.97, 0.9]) * rng.uniform(0.95, 1.05, size=3)  # warm paper, blue-black ink
    return (np.clip(gray[:, :, None] * tint, 0, 1) * 255).astype(np.uint8)


def centre_line(digit: np.ndarray, height: int) -> np.ndarray:
    """The middle of the strokes of an MNIST digit enlarged to ``height`` pixels, bool (height, height)."""
    strokes = ndi.zoom(digit.astype(np.float32) / 255, height / digit.shape[0], order=1) > 0.5
    distance = ndi.distance_transform_edt(strokes)
    return strokes & (distance >= 0.8 * ndi.maximum_filter(distance, size=max(3, round(1.5 * height / 28))))


def drawing_of(digit: np.ndarray, pen: float, rng: np.random.Generator, transparent: bool = False) -> np.ndarray:
    """A drawing of an MNIST digit (uint8, 28 x 28), 280 pixels high, with strokes ``pen`` pixels wide,
    somewhere on a canvas of 300 to 480 pixels: black on white (uint8), or on a transparent
    background (RGBA) if ``transparent``."""
    strokes = ndi.distance_transform_edt(~centre_line(digit, 280)) <= pen / 2
    size = rng.integers(300, 481)
    top, left = rng.integers(0, size - 280, size=2)
    canvas = np.zeros((size, size), dtype=bool)
    canvas[top:top + 280, left:left + 280] = strokes
    if transparent:
        rgba = np.zeros((size, size, 4), dtype=np.uint8)
        rgba[canvas] = (30, 30, 30, 255)
        return rgba
    return np.where(canvas, 0, 255).astype(np.uint8)


def canvas_drawing_of(digit: np.ndarray, rng: np.random.Generator, size: int = 280, pen: float = 18,
                      height: int | None = None) -> np.ndarray:
    """A drawing app's picture, RGBA uint8 (size, size, 4), fully opaque: an MNIST digit drawn in
    white with an anti-aliased round pen ``pen`` pixels wide on a black canvas, as chapter 7's
    widget and many web canvases make. The digit is ``height`` pixels high (by default drawn from
    ``rng`` between a quarter and 90% of the canvas), at a random place on it."""
    height = int(height or rng.integers(size // 4, int(0.9 * size) + 1))
    distance = ndi.distance_transform_edt(~centre_line(digit, height))
    strokes = np.clip(pen / 2 - distance + 0.5, 0, 1)  # anti-aliased edge, one pixel wide
    top, left = rng.integers(0, size - height + 1, size=2)
    gray = np.zeros((size, size), dtype=np.float32)
    gray[top:top + height, left:left + height] = strokes
    rgba = np.full((size, size, 4), 255, dtype=np.uint8)
    rgba[..., :3] = np.round(gray * 255)[..., None]
    return rgba
