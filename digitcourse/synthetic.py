"""Generated images of handwritten digits whose labels we know, for chapter 7 and its tests.

Each function re-renders an MNIST digit (uint8, (28, 28), 255 = ink) in another medium: a phone
photo of dark ink on paper or on a ruled or squared notebook page, a pen drawing saved by a drawing
app, a white drawing on a black canvas.
They make the conditions of real images (lighting, texture, pen width, size, position) on digits
whose labels are known, so that chapter 7 can measure :mod:`digitcourse.handwriting` on hundreds of
them. Real handwriting from elsewhere (USPS, :func:`digitcourse.data.load_usps`) is the real test.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi

#: The smallest side, in pixels, a generated digit is drawn at (smaller would lose its strokes).
MIN_DIGIT_SIDE = 28


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


#: Colours of a notebook's ruling, RGB reflectance in [0, 1] (what fraction of the light each channel
#: of a line reflects): light blue, mid grey, black print.
LINE_COLORS = {"blue": (0.55, 0.72, 0.95), "grey": (0.6, 0.6, 0.6), "black": (0.22, 0.22, 0.22)}
#: Writing tools: RGB reflectance of the ink (pencil: grey graphite, lower contrast; ballpoint: dark
#: blue; marker: black) and the range of its stroke width in pixels at a 400-pixel page.
INKS = {"pencil": ((0.5, 0.5, 0.52), (2.0, 4.0)), "ballpoint": ((0.15, 0.18, 0.45), (2.0, 4.0)),
        "marker": ((0.08, 0.08, 0.08), (6.0, 10.0))}


def notebook_page(digit: np.ndarray, rng: np.random.Generator, paper: str = "ruled", line_color: str = "blue",
                  ink: str = "ballpoint", margin: bool | None = None, size: int = 400,
                  shading: bool = True, keystone: float = 0.0) -> np.ndarray:
    """An RGB "photo", uint8 (size, W, 3), of an MNIST digit written on a page of a notebook.

    The page is ``size`` pixels high and 0.75 to 1.25 times as wide. Its ``paper`` is ``"ruled"``
    (horizontal lines), ``"squared"`` (a grid) or ``"plain"`` (none: the same photo without the
    ruling, for comparisons), printed in ``line_color`` (a key of LINE_COLORS) 1 to 3 pixels wide,
    0.09 to 0.16 of the page height apart; with a red margin line 1 to 3 pixels wide if ``margin``
    (``None``: in a third of the pages). The digit (uint8 (28, 28), 255 = ink, as MNIST stores it)
    is written along its centre line (:func:`centre_line`) in ``ink`` (a key of INKS: pencil, grey
    and faint; ballpoint, dark blue; marker, broad and black), 1 to 2 line spacings high, so that it
    usually crosses a line, somewhere in the middle of the page. The page is turned by up to 5
    degrees (a hand-held photo), the digit by up to 5 more (the writer's slant), and photographed
    under light falling off across it (by up to 35%; evenly lit if not ``shading``), with paper
    grain and a slight blur; inks and lines darken
    the paper multiplicatively, as pigments do. With ``keystone`` (0 to 0.5), the page is seen at
    an angle: perspective (a homography) shrinks it towards one edge, chosen at random, the scale
    changing by that fraction across the photo, so that parallel lines fan out (0.1: a phone tilted
    by about 5 degrees from the page). Everything random is drawn from ``rng`` in the
    same order whatever the options, so the same seed gives the same digit, pen, place and light
    on every kind of paper.
    """
    if not 0 <= keystone <= 0.5:
        raise ValueError(f"keystone must lie in [0, 0.5], got {keystone}.")
    if paper not in ("ruled", "squared", "plain"):
        raise ValueError(f"paper must be 'ruled', 'squared' or 'plain', got {paper!r}.")
    line_rgb, (ink_rgb, pens) = np.array(LINE_COLORS[line_color]), INKS[ink]
    height, width = size, int(size * rng.uniform(0.75, 1.25))
    spacing = size * rng.uniform(0.09, 0.16)
    digit_height = spacing * rng.uniform(1.0, 2.0)  # the ink's height, 20 of MNIST's 28 pixels
    pen = rng.uniform(*pens) * size / 400
    page_angle, slant = np.radians(rng.uniform(-5, 5)), rng.uniform(-5, 5)
    offsets = rng.uniform(0, spacing, size=2)  # where the first horizontal and vertical lines fall
    line_width, margin_width = rng.uniform(1, 3, size=2) * size / 400
    margin_at, has_margin = rng.uniform(0.08, 0.3) * width, rng.random() < 1 / 3
    light_angle, light_drop = rng.uniform(0, 2 * np.pi), rng.uniform(0, 0.35) * shading
    grain, blur = rng.normal(0, rng.uniform(0.01, 0.03), (height, width)), rng.uniform(0.3, 1.0)
    tint = np.array([1.0, 0.98, 0.94]) * rng.uniform(0.97, 1.03, size=3)

    side = max(MIN_DIGIT_SIDE, int(round(digit_height * 28 / 20)))
    distance = ndi.distance_transform_edt(~centre_line(digit, side))
    strokes = np.clip(pen / 2 - distance + 0.5, 0, 1)  # anti-aliased edge
    strokes = np.clip(ndi.rotate(strokes, np.degrees(page_angle) + slant, order=1), 0, 1)
    top = int(rng.uniform(0.15, 0.85) * (height - strokes.shape[0])) if height > strokes.shape[0] else 0
    left = int(rng.uniform(0.15, 0.85) * (width - strokes.shape[1])) if width > strokes.shape[1] else 0
    far_edge = rng.integers(4)  # top, bottom, left or right, for a keystone
    strokes = strokes[:height - top, :width - left]
    ink_cover = np.zeros((height, width))
    ink_cover[top:top + strokes.shape[0], left:left + strokes.shape[1]] = strokes

    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    if keystone:  # where each pixel of the photo shows the page: (x, y) / (1 + keystone t), t in [-1/2, 1/2]
        y, x = rows - height / 2, cols - width / 2
        scale = 1 + keystone * [y / height, -y / height, x / width, -x / width][far_edge]
        rows, cols = y / scale + height / 2, x / scale + width / 2
        ink_cover = ndi.map_coordinates(ink_cover, [rows, cols], order=1, cval=0.0)
    across = np.cos(page_angle) * rows - np.sin(page_angle) * cols  # distance across the ruling
    along = np.sin(page_angle) * rows + np.cos(page_angle) * cols   # and along it

    def ruling(position, first, every, thickness):  # anti-aliased lines at first + k * every
        offset = np.abs((position - first + every / 2) % every - every / 2) if every else np.abs(position - first)
        return np.clip(thickness / 2 - offset + 0.5, 0, 1)

    reflectance = np.ones((height, width, 3))
    if paper != "plain":
        lines = ruling(across, offsets[0], spacing, line_width)
        if paper == "squared":
            lines = np.maximum(lines, ruling(along, offsets[1], spacing, line_width))
        reflectance *= 1 - lines[..., None] * (1 - line_rgb)
        if has_margin if margin is None else margin:
            reflectance *= 1 - ruling(along, margin_at, 0, margin_width)[..., None] * (1 - np.array([0.95, 0.5, 0.55]))
    reflectance *= 1 - ink_cover[..., None] * (1 - np.array(ink_rgb))
    light = 1 - light_drop * ((np.cos(light_angle) * rows + np.sin(light_angle) * cols) / max(height, width) + 1) / 2
    paper_level = 0.92 * light + ndi.gaussian_filter(grain, 1.0)
    photo = ndi.gaussian_filter(reflectance * paper_level[..., None], (blur, blur, 0)) * tint
    return (np.clip(photo, 0, 1) * 255).round().astype(np.uint8)
