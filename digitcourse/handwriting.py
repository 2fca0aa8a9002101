"""Turn a real image of one handwritten digit into an MNIST-style 28 x 28 image (chapter 7).

MNIST's digits are light strokes on a black background; each was scaled to fit a 20 x 20 pixel box
keeping its aspect ratio (anti-aliased, hence the gray levels), then placed in a 28 x 28 image so that
its centre of mass lies at the centre (LeCun, Cortes & Burges, "The MNIST database",
http://yann.lecun.com/exdb/mnist/). A photo of dark ink on paper, resized whole to 28 x 28, looks
nothing like that. :func:`to_mnist` applies the same procedure to any image, one small step at a
time; each step is a public function so that chapter 7 can show it.

Everything is computed with Pillow and ``scipy.ndimage``; nothing is written to disk. This is an image
module: it imports nothing above :mod:`digitcourse.preprocess` and knows no model (reading the digit
is :func:`digitcourse.reading.predict`'s job).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
import scipy.ndimage as ndi
from PIL import Image, ImageOps, UnidentifiedImageError

#: Side of MNIST's images, and of the box the digit is scaled into (pixels).
MNIST_SIZE, BOX_SIZE = 28, 20
#: Where MNIST puts the centre of mass: (row, column) in pixel indices (measured mean over the
#: training set: 14.00, 14.01).
MNIST_CENTER = (14.0, 14.0)
#: Median stroke width of MNIST's digits in pixels, measured as :func:`stroke_width` does.
MNIST_STROKE_WIDTH = 3.0
#: Strokes wider than this once the digit fills the 20-pixel box are thinned (:func:`thin_thick_strokes`).
MAX_STROKE_WIDTH = 4.5
#: Images are first reduced so that their longest side is at most this many pixels (a 12-megapixel
#: photo holds far more detail than a 20-pixel digit needs, and the filters run in milliseconds).
WORK_SIZE = 400
#: Smaller images are first enlarged so that their longest side is at least this many pixels, so
#: that the filters below work at one scale (sklearn's 8 x 8 digits, MNIST's own 28 x 28 images).
MIN_WORK_SIZE = 112
#: The smallest image side that can hold a recognisable digit (pixels).
MIN_SIZE = 8
#: A digit whose ink spans less than this fraction of the working size, in an image that was reduced
#: to it, is read again from the original pixels around it (:func:`to_mnist`).
SMALL_INK = 0.25
#: Fewer pixels than this standing out from the background (at the working size) is no digit.
MIN_INK_PIXELS = 12
#: Ink usually stands out from the background by CLEAR_CONTRAST; in a faint image it must stand out
#: by NOISE_SIGMAS robust standard deviations of the image's noise, and by at least MIN_CONTRAST
#: (two grey levels in 8 bits; see :func:`noise_floor`).
CLEAR_CONTRAST, NOISE_SIGMAS, MIN_CONTRAST = 0.08, 5.0, 0.008
#: Ink's level (the 90th percentile of what stands out) reaches at least INK_OVER_FLOOR times the
#: floor it must stand out by: the grain of an empty sheet crosses its floor only in its highest
#: specks (see :func:`level_background`).
INK_OVER_FLOOR = 1.5
#: An image whose two Otsu classes explain at least this fraction of its variance is already two-level
#: (a binarized scan, a clean drawing): it has no shading to remove (:func:`subtract_background`).
TWO_LEVEL = 0.97
#: Page structure (:func:`remove_lines`): a printed line runs at least LINE_LENGTH of the image's
#: side, is at most MAX_LINE_WIDTH pixels wide at the working size (anti-aliasing and blur
#: included), tilts by at most MAX_TILT degrees from the rows or columns, and stands out from the
#: paper by LINE_CONTRAST; it is page structure only where at least two run the same way.
LINE_LENGTH, MAX_LINE_WIDTH, MAX_TILT, LINE_CONTRAST = 0.6, 7, 8.0, 0.03
#: In a photo taken at an angle the lines fan out by a few degrees (perspective): where the sharpest
#: tilt stands out (the least sharp is at most TILT_PEAK as sharp), the tilts next to it that are
#: at least TILT_FAN as sharp are opened too, unless they shear the image's far end by no more
#: than MAX_LINE_WIDTH pixels: then they are the blur of one straight ruling's own peak.
TILT_FAN, TILT_PEAK = 0.5, 0.3
#: A line's contrast varies along it with the light (ink and paper darken multiplicatively); the
#: opening gives its lowest stretch, and LINE_SLACK times that is removed.
LINE_SLACK = 3.0
#: A ruling is recognised by at least two lines that cross the whole image (this fraction of it).
FULL_LINE = 0.9


class NoInkError(ValueError):
    """The image holds no digit: nothing in it stands out from its noise (blank or uniform)."""


@dataclass(frozen=True)
class Steps:
    """Every intermediate image of :func:`to_mnist`, float32 in [0, 1], for display."""

    gray: np.ndarray      #: grayscale, as loaded (any polarity), (H, W), resized to the working size
    ink: np.ndarray       #: polarity fixed: light ink on dark background, (H, W)
    unlined: np.ndarray   #: ruled lines, grids and margin lines removed (the ink itself if none), (H, W)
    levelled: np.ndarray  #: background removed and threshold applied, ink stretched to [0, 1], (H, W)
    cropped: np.ndarray   #: cropped to the ink's bounding box, strokes widened if too thin, (h, w)
    boxed: np.ndarray     #: scaled so that its longest side is 20 px, (<= 20, <= 20)
    mnist: np.ndarray     #: in 28 x 28, centre of mass at the centre, (28, 28)
    inverted: bool        #: whether the image was dark ink on a light background


def load_image(source) -> Image.Image:
    """Open ``source`` as a Pillow image, upright according to its EXIF orientation.

    Parameters
    ----------
    source : str, os.PathLike, PIL.Image.Image or numpy.ndarray
        A path to an image file (PNG, JPEG, ... anything Pillow reads), a Pillow image, or an array
        of shape (H, W) (grayscale), (H, W, 1), (H, W, 3) (RGB) or (H, W, 4) (RGBA), of dtype
        uint8 [0, 255], uint16 [0, 65535], bool, or float in [0, 1].

    Returns
    -------
    PIL.Image.Image
        Fully loaded, rotated or mirrored as its EXIF ``Orientation`` tag says (phones store
        photos sideways and set this tag).

    Raises
    ------
    FileNotFoundError
        If the path does not exist.
    ValueError
        If the file is not an image Pillow can read, is truncated or corrupt, or the array has an
        unsupported shape, dtype or values (NaN, outside the range of its dtype).
    TypeError
        If ``source`` is none of the above.
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise FileNotFoundError(f"no such image file: {path!r}; check the path and the working directory.")
        if os.path.isdir(path):
            raise ValueError(f"{path!r} is a folder; pass the path of one image file.")
        try:
            with Image.open(path) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
        except UnidentifiedImageError:
            raise ValueError(f"{path!r} is not an image file that Pillow can read "
                             "(PNG, JPEG, GIF, BMP, TIFF, WebP, ...).") from None
        except (OSError, SyntaxError) as error:
            raise ValueError(f"{path!r} could not be decoded, it is probably truncated or corrupt "
                             f"({error}); save or download it again.") from None
        return image
    if isinstance(source, Image.Image):
        try:
            source.load()
        except (OSError, SyntaxError) as error:
            raise ValueError(f"the image could not be decoded, it is probably truncated or corrupt ({error}).") from None
        return ImageOps.exif_transpose(source)
    if isinstance(source, np.ndarray):
        return Image.fromarray(_array_to_uint8(source))
    raise TypeError(f"expected a file path, a PIL image or a NumPy array, got {type(source).__name__}.")


def _array_to_uint8(array: np.ndarray) -> np.ndarray:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ValueError(f"an image array must have shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), "
                         f"got {array.shape}; for several images, pass a list.")
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ValueError("the image array contains NaN or infinite values.")
        if array.size and (array.min() < 0 or array.max() > 1):
            raise ValueError(f"a float image array must lie in [0, 1], got [{array.min():.3g}, {array.max():.3g}]; "
                             "for 0-255 values, convert it with .astype(np.uint8).")
        return np.round(array * 255).astype(np.uint8)
    if array.dtype == np.uint8:
        return array
    if np.issubdtype(array.dtype, np.integer):
        top = 65535 if array.dtype == np.uint16 or (array.size and array.max() > 255) else 255
        if array.size and (array.min() < 0 or array.max() > top):
            raise ValueError(f"integer pixel values must lie in [0, {top}], got [{array.min()}, {array.max()}].")
        return np.round(array.astype(np.float64) * (255 / top)).astype(np.uint8)
    raise ValueError(f"unsupported image dtype {array.dtype}.")


def to_grayscale(image: Image.Image) -> np.ndarray:
    """Grayscale brightness of ``image``, float32 (H, W) in [0, 1], its longest side brought into
    [MIN_WORK_SIZE, WORK_SIZE] pixels (Lanczos, aspect ratio kept).

    Transparent pixels are composited onto a background that contrasts with the opaque ones: onto
    white when the opaque pixels (the drawing) are dark, onto black when they are light. Drawing
    apps often save a digit as strokes on a fully transparent background whose hidden colour is
    arbitrary; this keeps the strokes visible either way.

    Raises
    ------
    ValueError
        If the image is smaller than MIN_SIZE pixels on a side.
    """
    if min(image.size) < MIN_SIZE:
        raise ValueError(f"the image is {image.size[0]} x {image.size[1]} pixels, too small to hold a digit "
                         f"(at least {MIN_SIZE} x {MIN_SIZE} needed).")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = Image.fromarray(_array_to_uint8(np.asarray(image).astype(np.uint16)))
    elif image.mode == "F":  # 32-bit float pixels, taken to lie in [0, 1] as for arrays
        image = Image.fromarray(_array_to_uint8(np.asarray(image)))
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba, dtype=np.float32)[:, :, 3] / 255
        gray = np.asarray(rgba.convert("L"), dtype=np.float32) / 255
        opaque = alpha > 0.5
        background = 1.0 if (not opaque.any() or np.median(gray[opaque]) < 0.5) else 0.0
        gray = alpha * gray + (1 - alpha) * background
        image = Image.fromarray(np.round(gray * 255).astype(np.uint8))
    else:
        image = image.convert("L")
    if not MIN_WORK_SIZE <= max(image.size) <= WORK_SIZE:
        scale = (WORK_SIZE if max(image.size) > WORK_SIZE else MIN_WORK_SIZE) / max(image.size)
        size = (max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.asarray(image, dtype=np.float32) / 255


def fix_polarity(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """Return the image as light ink on a dark background, as MNIST stores digits.

    The background is what surrounds the digit, so the image's border decides: Otsu's threshold
    (:func:`_otsu`) splits the pixels into light and dark, and if at least two thirds of the
    border's pixels are light, the image is dark ink on a light background (paper, a scan, most
    drawing apps, and an underexposed photo whose paper is grey) and is inverted; if at most a third
    are, it is kept. The border is mostly background even when the digit touches it (a tightly
    cropped digit) and when thick strokes cover most of the image, where the median brightness
    would take the ink for the background. When the border is split (between a third and two thirds
    light), the image's four corners decide if it is two-level (:func:`_two_level`; a binarized
    scan), and if three or four of them agree: a bold digit filling a tight crop covers most of the
    border and of the image, seldom three of its corners (1,000 of MNIST's test digits, dilated
    and cropped: 3 misjudged, 44 by the median). Otherwise (a photo of a page with a dark table
    along two sides of it, whose corners lie on the table) the median brightness decides: most
    pixels are background.

    Returns
    -------
    (numpy.ndarray, bool)
        float32 (H, W) in [0, 1], and whether it was inverted.
    """
    border = np.concatenate([gray[0], gray[-1], gray[1:-1, 0], gray[1:-1, -1]])
    cut = _otsu(gray)
    light = np.mean(border > cut)
    corners = np.mean(gray[[0, 0, -1, -1], [0, -1, 0, -1]] > cut)
    if light >= 2 / 3 or light <= 1 / 3:
        inverted = bool(light >= 2 / 3)
    elif corners != 0.5 and _two_level(gray) >= TWO_LEVEL:
        inverted = bool(corners > 0.5)
    else:
        inverted = bool(np.median(gray) > 0.5)
    return (1 - gray if inverted else gray).astype(np.float32), inverted


def remove_lines(ink: np.ndarray, ruled: bool = False) -> np.ndarray:
    """Remove a notebook page's printed lines (ruling, squared grid, margin line), keeping the
    strokes that cross them: float32 (H, W) in [0, 1].

    The standard morphological method for document images (a top-hat by long line segments: P.
    Soille, *Morphological Image Analysis*, 2nd ed., Springer 2003, sections 4.4 and 11.4; the
    deskew-then-open recipe of Leptonica's "line removal", http://www.leptonica.org/line-removal.html),
    for each direction, rows then columns:

    1. :func:`_tilts`: the tilt of the lines, within MAX_TILT degrees, the one whose shear gives the
       sharpest projection profile (W. Postl, "Detection of linear oblique structures and skew scan
       in digitized documents", ICPR 1986), and the tilts next to it that are at least half as
       sharp, and those of each half of the image: in a photo taken at an angle, perspective fans
       the lines out.
    2. :func:`_open_along`: a grey opening (a minimum filter, then a maximum filter) along segments
       LINE_LENGTH of the image's side long at the sharpest tilt keeps only what such a segment fits
       in: the lines and the paper; strokes shorter than the segment fall to the paper's level.
    3. :func:`_find_lines`: a line is thin: it is brighter than the paper on both sides of it, a
       little more than MAX_LINE_WIDTH / 2 pixels away (:func:`_beside`), in the opening and in the
       image itself (where a broad stroke, or a stroke crossing the line, lies beside it, it is no
       line there; lines the other way, found in the opening, are left out there); its own contrast
       is the difference. Where at least two lines stand out from the paper by LINE_CONTRAST across
       FULL_LINE of the image, the image shows page structure (one line alone may be a long stroke
       of a tightly cropped digit, and is kept). Then the lines are found again in the maximum of
       the openings at every tilt of step 1 (a union of openings, itself an opening: Soille,
       chapter 4), which keeps the lines of every tilt.
    4. The lines' contrast, times LINE_SLACK (the opening gives a line's faintest stretch), is
       subtracted, never below the paper beside them.
    5. Where a stroke crossed a line it lost the line's contrast: along each line, a grey closing
       across it (a maximum then a minimum filter, 2 MAX_LINE_WIDTH + 1 long, 0 beyond the image)
       bridges the gap between the stroke's two sides. Near the image's edge one side is missing,
       and nothing is bridged (mirrored there, a line's faint remains would be bridged to their own
       reflection).

    Every step is a minimum or maximum filter along a row or column of a sheared image, a
    difference or a threshold, so that the draw-a-digit widget can mirror it.

    Parameters
    ----------
    ink : numpy.ndarray, float32 (H, W) in [0, 1]
        Light ink on a dark background (:func:`fix_polarity`), at the working size.
    ruled : bool
        The image is known to show page structure (a crop of a page whose ruling was found), though
        fewer than two of its lines may cross it whole: step 3's check is skipped.

    Returns
    -------
    numpy.ndarray, float32 (H, W) in [0, 1]
        The same image with the lines at the paper's level; ``ink`` itself if it holds fewer than
        two long thin lines running the same way (unless ``ruled``).
    """
    images = (ink, ink.T)  # lines along the rows; along the columns, as rows of the transpose
    lengths = [max(3, int(LINE_LENGTH * image.shape[1])) for image in images]
    tilts = [_tilts(image) for image in images]
    opened = [_open_along(image, tilt[0], length) for image, tilt, length in zip(images, tilts, lengths)]
    if not ruled and _find_lines(images, opened)[0] < 2:  # under two lines at the sharpest tilt: no ruling
        return ink
    opened = [np.max([o] + [_open_along(image, t, length) for t in tilt[1:]], axis=0)
              for o, image, tilt, length in zip(opened, images, tilts, lengths)]
    _, contrast, papers, bands = _find_lines(images, opened)
    paper = np.minimum(papers[0], papers[1].T)
    unlined = np.maximum(ink - contrast[0] - contrast[1].T, np.minimum(ink, paper))
    closing = (2 * MAX_LINE_WIDTH + 1, 1)  # across lines along the rows; transposed for the columns'
    for band, size in ((bands[0], closing), (bands[1].T, closing[::-1])):
        unlined = np.where(band, np.maximum(unlined, ndi.grey_closing(unlined, size=size, mode="constant")), unlined)
    return unlined.astype(np.float32)


def _find_lines(images: tuple[np.ndarray, np.ndarray], opened: list[np.ndarray]) -> tuple:
    """Steps 3 and 4 of :func:`remove_lines`, for the lines along the rows of ``images`` (the image
    and its transpose) given their openings ``opened``: the most lines of one direction that cross
    FULL_LINE of the image, and per direction the contrast to subtract, the paper's level and the
    lines' mask (the bands)."""
    candidates = [np.clip(o - _beside(o), 0, None) for o in opened]  # long and thin in the opening
    found, contrast, papers, bands = 0, [], [], []
    for axis, image in enumerate(images):
        across = candidates[1 - axis].T  # lines the other way, which would hide the paper beside these
        paper = np.maximum(opened[axis] - candidates[axis], _beside(np.clip(image - across, 0, None)))
        line = np.clip(opened[axis] - paper, 0, None)
        labels, _ = ndi.label(line > LINE_CONTRAST)
        found = max(found, sum(piece[1].stop - piece[1].start >= FULL_LINE * image.shape[1]
                               for piece in ndi.find_objects(labels)))
        contrast.append(np.minimum(LINE_SLACK * line, np.clip(image - paper, 0, None)))
        papers.append(paper)
        bands.append(labels > 0)
    return found, contrast, papers, bands


def _beside(opened: np.ndarray) -> np.ndarray:
    """The paper on either side of a line along the rows: the lowest of the 4 pixels that start
    half of MAX_LINE_WIDTH + 1 above each pixel and of the 4 that start as far below it, whichever
    is higher (a line is brighter than both sides; a broad stroke is not); at the image's top and
    bottom edges, the side that lies within the image."""
    gap = (MAX_LINE_WIDTH + 2) // 2
    lowest = ndi.minimum_filter1d(opened, 4, axis=0, origin=-2)[:-3]  # row r: min of rows r .. r + 3
    above, below = np.zeros_like(opened), np.zeros_like(opened)
    above[gap + 3:] = lowest[:len(lowest) - gap]  # rows r - gap - 3 .. r - gap
    below[:len(lowest) - gap] = lowest[gap:]      # rows r + gap .. r + gap + 3
    return np.maximum(above, below)


def _tilts(image: np.ndarray, step: float = 0.25, halves: bool = True) -> np.ndarray:
    """The tilts in degrees, every ``step`` within +-MAX_TILT, of the lines along the rows of
    ``image``: shearing each column c by -c tan(tilt) rows makes them horizontal, and the row sums
    (the projection profile, every fourth column) sharp (the sum of squared differences, Postl 1986).
    The sharpest tilt, and if it stands out (the least sharp is at most TILT_PEAK as sharp),
    the run of tilts around it at least TILT_FAN as sharp: the lines of a page photographed at an
    angle, which perspective fans out (the openings tolerate a quarter of a degree). A run over
    which the shear of the image's far end changes by at most MAX_LINE_WIDTH pixels is no fan: a
    straight line that wide stays sharp over it (about a degree across 400 pixels, two across 200),
    and only the sharpest is returned. Where the lines do fan out, and ``halves``, the tilts of the
    image's top and bottom halves are added: each half's lines fan out less, so that its own run
    reaches tilts that the whole image's misses. Returns a float array of one or more angles, the
    sharpest first.

    The profile is that of the white top-hat down the columns (``scipy.ndimage.white_tophat``, 2
    MAX_LINE_WIDTH + 1 rows): what is thinner than that across, with the paper at 0. Of the paper
    itself, the profile's ends would count: at 0 degrees they jump from nothing to a whole row of
    paper at once, sharper than any shear, and on a shaded page that outweighed a lone margin line."""
    rows, cols = np.arange(image.shape[0])[:, None], np.arange(0, image.shape[1], 4)
    values = ndi.white_tophat(image, size=(2 * MAX_LINE_WIDTH + 1, 1))[:, ::4].ravel()
    angles = np.arange(-MAX_TILT, MAX_TILT + step / 2, step)
    shifts = np.round(cols * np.array([np.tan(np.radians(angle)) for angle in angles])[:, None]).astype(int)
    profiles = [np.bincount((rows + (shift.max() - shift)).ravel(), weights=values) for shift in shifts]
    scores = np.array([np.sum(np.diff(profile) ** 2) for profile in profiles])
    best = int(np.argmax(scores))
    if scores.min() >= TILT_PEAK * scores[best]:  # no tilt stands out: no lines (or nothing at all)
        return angles[best:best + 1]
    runs, _ = ndi.label(scores >= TILT_FAN * scores[best])
    run = np.flatnonzero(runs == runs[best])
    if image.shape[1] * np.ptp(np.tan(np.radians(angles[run]))) <= MAX_LINE_WIDTH:  # one tilt's peak
        return angles[best:best + 1]
    fan = angles[run[np.argsort(-scores[run], kind="stable")]]
    if halves:
        half = image.shape[0] // 2
        more = np.concatenate([_tilts(part, step, halves=False) for part in (image[:half], image[half:])])
        fan = np.concatenate([fan, np.setdiff1d(more, fan)])
    return fan


def _open_along(image: np.ndarray, tilt: float, length: int) -> np.ndarray:
    """Grey opening of ``image`` along segments ``length`` pixels long tilted by ``tilt`` degrees
    from its rows, tolerating one pixel of drift across them: float (H, W).

    Each column c is shifted by round(c tan(tilt)) rows (a shear), so that lines at that tilt run
    along the rows; a maximum over 3 rows absorbs the rounding; then a minimum and a maximum filter
    along the rows; pixels sheared in from outside the image count as line for the minimum (a line
    running out of the picture is still a line) and as nothing for the maximum; shifted back.
    """
    height, width = image.shape
    shifts = np.round(np.arange(width) * np.tan(np.radians(tilt))).astype(int)
    shifts -= shifts.min()
    rows = np.arange(height + shifts.max())[:, None] - shifts.max() + shifts[None, :]
    inside = (rows >= 0) & (rows < height)
    sheared = np.where(inside, np.take_along_axis(image, rows.clip(0, height - 1), axis=0), 1.0)
    sheared = ndi.maximum_filter1d(sheared, 3, axis=0)
    eroded = np.where(inside, ndi.minimum_filter1d(sheared, length, axis=1, mode="constant", cval=1.0), 0.0)
    opened = ndi.maximum_filter1d(eroded, length, axis=1, mode="constant", cval=0.0)
    return np.take_along_axis(opened, np.arange(height)[:, None] + shifts.max() - shifts[None, :], axis=0)


def subtract_background(ink: np.ndarray) -> np.ndarray:
    """Subtract the background (shadows, vignetting, the paper's tint): float32 (H, W) in [0, 1].

    The background is estimated by a morphological opening (``scipy.ndimage.grey_opening``, a
    minimum filter then a maximum filter) with a window half the image's shorter side: it erases
    bright structures narrower than the window (the strokes, even in a tightly cropped digit) and
    keeps slow variations (lighting).

    A bold digit that fills a tight crop (a binarized scan of a form) has strokes wider than that
    window, which the opening would take for background. Such an image is already two-level: when
    Otsu's two classes (:func:`_otsu`) explain at least TWO_LEVEL of its variance (photos: at most
    0.95, measured on chapter 7's real photos and scans), there is no shading to remove and the
    background is the image's darkest level.
    """
    if _two_level(ink) >= TWO_LEVEL:
        return (ink - ink.min()).astype(np.float32)
    window = max(3, min(ink.shape) // 2)
    return np.clip(ink - ndi.grey_opening(ink, size=(window, window)), 0, 1).astype(np.float32)


def _two_level(image: np.ndarray) -> float:
    """Otsu's effectiveness: the fraction of the variance of ``image`` between its two Otsu classes
    (1 for an image of two values, 0 for a uniform one)."""
    total = float(image.var())
    if total == 0:
        return 0.0
    dark = image <= _otsu(image)
    within = sum(float(part.var()) * part.size for part in (image[dark], image[~dark]) if part.size)
    return 1 - within / (total * image.size)


def noise_floor(difference: np.ndarray, min_contrast: float = CLEAR_CONTRAST) -> float:
    """The smallest brightness above the background that counts as ink.

    Most pixels are background: the median of ``difference`` (:func:`subtract_background`) is the
    background's typical level, and the median absolute deviation from it, times 1.4826, its noise
    (a robust standard deviation, unmoved by the strokes). Where thick strokes fill most of a tightly
    cropped image, the border, mostly background even where the digit touches it (as for
    :func:`fix_polarity`), tells the same better; the lower of the two estimates is used. In a
    two-level image (:func:`_two_level`; a binarized scan) the darker of Otsu's classes is the
    background whatever its share, and gives a third estimate: a bold 1 filling its crop covers
    most of the border too. Ink must stand out from that noise: lie NOISE_SIGMAS robust standard
    deviations above the typical level, and at least MIN_CONTRAST (two grey levels of an 8-bit
    image) above the background.

    Ink on paper usually differs from it by ``min_contrast`` or more, a level that no paper grain
    or uneven light reaches: if at least MIN_INK_PIXELS pixels of the 3 x 3 median of
    ``difference`` do, the floor is raised to ``min_contrast``. A faint drawing (light grey on white,
    4% darker than its clean paper) does not reach it and still stands out from the noise; the
    grain of a blank sheet does not.
    """
    def level(values):  # the typical level plus NOISE_SIGMAS robust standard deviations
        typical = float(np.median(values))
        return typical + NOISE_SIGMAS * 1.4826 * float(np.median(np.abs(values - typical)))

    border = np.concatenate([difference[0], difference[-1], difference[1:-1, 0], difference[1:-1, -1]])
    estimates = [level(border), level(difference)]
    if _two_level(difference) >= TWO_LEVEL:
        estimates.append(level(difference[difference <= _otsu(difference)]))
    floor = max(min(estimates), MIN_CONTRAST)
    clear = max(floor, min_contrast)
    if np.count_nonzero(ndi.median_filter(difference, size=3) > clear) >= MIN_INK_PIXELS:
        return clear
    return floor


def remove_specks(difference: np.ndarray, floor: float) -> np.ndarray:
    """A 3 x 3 median filter (``scipy.ndimage.median_filter``), which removes salt-and-pepper
    texture, but not strokes one pixel wide: float32 (H, W) in [0, 1].

    A median filter erases any line narrower than two pixels, a digit drawn with a 1-pixel pen as
    well as the grain. So the lines are found first: 8-connected shapes above ``floor`` at least a
    quarter of the image's shorter side long. If the median would erase most of their pixels, the
    strokes are that thin, and they are widened by a 3 x 3 grey dilation before the median.
    """
    levelled = ndi.median_filter(difference, size=3)
    labels, count = ndi.label(difference > floor, structure=np.ones((3, 3)))
    if count:
        sizes = np.bincount(labels.ravel())
        sizes[0] = 0
        lines = sizes[labels] >= min(difference.shape) // 4
        if np.count_nonzero(lines & (levelled > floor)) < 0.5 * np.count_nonzero(lines):
            levelled = ndi.median_filter(ndi.grey_dilation(difference, size=(3, 3)), size=3)
    return levelled.astype(np.float32)


def drop_clutter(mask: np.ndarray) -> np.ndarray:
    """Keep the digit's strokes in a thresholded image (bool (H, W)): erase shapes that run along a
    side of the image (the edge of the page, the table around it; at least half of a side's pixels)
    when there is other ink, and connected specks much smaller than the largest stroke (under 5%
    of its area). A digit that merely touches the sides, as in a tightly cropped image, is kept."""
    labels, count = ndi.label(mask)
    if count < 2:
        return mask
    index = np.arange(1, count + 1)
    sizes = ndi.sum_labels(mask, labels, index=index)
    sides = [labels[0], labels[-1], labels[:, 0], labels[:, -1]]
    edges = np.array([any(np.mean(side == number) >= 0.5 for side in sides) for number in index])
    if edges.any() and sizes[~edges].sum() >= MIN_INK_PIXELS:
        sizes[edges] = 0
    return np.isin(labels, index[sizes >= max(0.05 * sizes.max(), 1)])


def level_background(ink: np.ndarray, min_contrast: float = CLEAR_CONTRAST) -> np.ndarray:
    """Remove uneven background (shadows, paper texture, vignetting) and keep only the strokes.

    1. :func:`subtract_background`: a morphological opening estimates the background; it is subtracted.
    2. :func:`noise_floor`: how bright a pixel must be to stand out from the image's noise.
    3. :func:`remove_specks`: a 3 x 3 median filter, strokes one pixel wide widened first.
    4. The threshold separating ink from background is Otsu's (it maximizes the between-class
       variance of the histogram; N. Otsu, IEEE Trans. SMC 9(1), 1979), but at least the noise
       floor, and at least a third of the ink's level (the 90th percentile of the pixels above the
       floor, however small the digit is in the image): faint texture never counts as ink.
       Pixels below it become 0. The ink's level must reach INK_OVER_FLOOR times the floor: on
       generated photos of an empty sheet under uneven light, what crosses the floor reaches at
       most 1.27 times it (100 sheets), while the digits of 194 real photos, scans and drawings
       held for measuring reach at least 1.6 times it (median 12), and USPS's at least 6 times.
    5. :func:`drop_clutter`: the edge of the page and small specks are erased.
    6. The remaining ink is stretched so that the ink's level is 1, as in MNIST where stroke
       centres are saturated.

    Parameters
    ----------
    ink : numpy.ndarray, float32 (H, W) in [0, 1]
        Light ink on a dark background (:func:`fix_polarity`).
    min_contrast : float
        Difference from the background, in [0, 1], that counts as ink when the image holds some
        (:func:`noise_floor`).

    Returns
    -------
    numpy.ndarray, float32 (H, W) in [0, 1]
        0 on the background, up to 1 in the strokes.

    Raises
    ------
    NoInkError
        If fewer than MIN_INK_PIXELS pixels stand out from the noise (:func:`noise_floor`), or they
        barely do (under INK_OVER_FLOOR times the floor): a blank or uniform image, or one holding
        nothing but noise, such as the grain of an empty sheet.
    """
    difference = subtract_background(ink)
    floor = noise_floor(difference, min_contrast)
    levelled = remove_specks(difference, floor)
    candidates = levelled[levelled > floor]
    if candidates.size < MIN_INK_PIXELS:
        raise NoInkError(f"no ink found: nothing in the image stands out from its noise (at most {levelled.max():.3f} "
                         f"above the background, {floor:.3f} needed over at least {MIN_INK_PIXELS} pixels). "
                         "The image is blank or uniform: is the digit in it?")
    strong = float(np.percentile(candidates, 90))  # the level of the ink, however little of it there is
    if strong < INK_OVER_FLOOR * floor:
        raise NoInkError(f"no ink found: what stands out from the image's noise barely does ({strong:.3f} above the "
                         f"background, against a noise floor of {floor:.3f}; {INK_OVER_FLOOR} times it needed), as in "
                         "the grain of an empty sheet. Is the digit in the image, and dark enough to see?")
    mask = drop_clutter(levelled > max(_otsu(levelled), floor, strong / 3))
    return np.where(mask, np.clip(levelled / strong, 0, 1), 0).astype(np.float32)


def _otsu(image: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold of the values in ``image`` (in [0, 1])."""
    counts, edges = np.histogram(image, bins=bins, range=(0, 1))
    centers = (edges[:-1] + edges[1:]) / 2
    weight0 = np.cumsum(counts)
    weight1 = weight0[-1] - weight0
    mean0 = np.cumsum(counts * centers) / np.maximum(weight0, 1)
    mean1 = (np.sum(counts * centers) - np.cumsum(counts * centers)) / np.maximum(weight1, 1)
    return float(centers[np.argmax(weight0 * weight1 * (mean0 - mean1) ** 2)])


def crop_to_ink(levelled: np.ndarray) -> np.ndarray:
    """Crop to the bounding box of the ink (the non-zero pixels of :func:`level_background`).

    Raises
    ------
    NoInkError
        If there is no ink.
    """
    rows, cols = np.nonzero(levelled)
    if len(rows) == 0:
        raise NoInkError("no ink found in the image.")
    return levelled[rows.min():rows.max() + 1, cols.min():cols.max() + 1]


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width of a digit in pixels: 4 x the mean distance of an ink pixel (above 0.5)
    to the background, minus 2 (exact for a straight stroke, from ``scipy.ndimage.distance_transform_edt``).
    Returns 0 for an image without such pixels."""
    mask = ink > 0.5
    if not mask.any():
        return 0.0
    return float(max(4 * ndi.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1][mask].mean() - 2, 1.0))


def widen_thin_strokes(cropped: np.ndarray, box_size: int = BOX_SIZE) -> np.ndarray:
    """Thicken strokes that would be thinner than MNIST's once the digit is scaled to ``box_size``.

    A digit drawn with a fine pen on a large image becomes a faint, broken line when scaled down to
    20 pixels. The stroke width is measured (:func:`stroke_width`), and if it would be under
    ``MNIST_STROKE_WIDTH`` pixels after scaling, the strokes are widened by a grey dilation with a
    disk (``scipy.ndimage.grey_dilation``). Thick strokes are left alone.
    """
    scale = box_size / max(cropped.shape)
    missing = MNIST_STROKE_WIDTH / scale - stroke_width(cropped)
    radius = int(round(missing / 2))
    if radius < 1:
        return cropped
    padded = np.pad(cropped, radius)
    y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return ndi.grey_dilation(padded, footprint=x**2 + y**2 <= radius**2).astype(np.float32)


def thin_thick_strokes(cropped: np.ndarray, box_size: int = BOX_SIZE) -> np.ndarray:
    """Thin strokes that would be much thicker than MNIST's once the digit is scaled to ``box_size``.

    A digit drawn small with a broad pen (a finger on a phone, a fixed pen on a large canvas)
    keeps its broad strokes when it is enlarged to fill the box: 6 to 10 pixels wide at 20, which
    MNIST's digits never are, and the network reads them poorly. If the stroke width
    (:func:`stroke_width`) would exceed MAX_STROKE_WIDTH pixels after scaling, the strokes are
    thinned to MNIST_STROKE_WIDTH by a grey erosion with a disk (:func:`_erode_with_disk`), and the
    result is cropped to its ink again.
    """
    scale = box_size / max(cropped.shape)
    width = stroke_width(cropped)
    if width * scale <= MAX_STROKE_WIDTH:
        return cropped
    thinned = _erode_with_disk(cropped, int(round((width - MNIST_STROKE_WIDTH / scale) / 2)))
    return crop_to_ink(thinned.astype(np.float32)) if thinned.any() else cropped


def _erode_with_disk(image: np.ndarray, radius: int) -> np.ndarray:
    """``ndi.grey_erosion(image, footprint=disk, mode="constant", cval=0.0)`` for the disk of pixels
    x**2 + y**2 <= radius**2: the same values, in a fraction of the time for a large disk. The disk is
    the union of its rows, so the minimum over it is the minimum over its rows of a minimum filter
    along each (``scipy.ndimage.minimum_filter1d``, whose time does not grow with the length): a
    structuring element decomposed into line segments (Soille 2003, cited in :func:`remove_lines`)."""
    height, width = image.shape
    padded = np.pad(image, radius)  # outside the image counts as 0
    eroded = image
    for y in range(radius + 1):  # the disk's rows -y and y reach isqrt(radius**2 - y**2) pixels either side
        along = ndi.minimum_filter1d(padded, 2 * math.isqrt(radius**2 - y**2) + 1, axis=1, mode="constant")
        for top in (radius - y, radius + y):
            eroded = np.minimum(eroded, along[top:top + height, radius:radius + width])
    return eroded


def fit_in_box(cropped: np.ndarray, box_size: int = BOX_SIZE) -> np.ndarray:
    """Scale the cropped digit so that its longer side is ``box_size`` pixels, keeping the aspect
    ratio, with Pillow's anti-aliased Lanczos filter. Float32, values clipped to [0, 1]."""
    height, width = cropped.shape
    scale = box_size / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(cropped.astype(np.float32)).resize(size, Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized), 0, 1).astype(np.float32)


def center_by_mass(boxed: np.ndarray, size: int = MNIST_SIZE) -> np.ndarray:
    """Place the digit in a ``size`` x ``size`` image with its centre of mass at MNIST_CENTER.

    The digit is first pasted in the middle, then translated by the whole number of pixels that
    moves its centre of mass (``scipy.ndimage.center_of_mass``) closest to the centre.
    """
    canvas = np.zeros((size, size), dtype=np.float32)
    top, left = (size - boxed.shape[0]) // 2, (size - boxed.shape[1]) // 2
    canvas[top:top + boxed.shape[0], left:left + boxed.shape[1]] = boxed
    row, col = ndi.center_of_mass(canvas)
    shift = (int(round(MNIST_CENTER[0] - row)), int(round(MNIST_CENTER[1] - col)))
    return ndi.shift(canvas, shift, order=0, mode="constant", cval=0.0)


def to_mnist(source, return_steps: bool = False):
    """Turn an image of one handwritten digit into an MNIST-style image.

    Steps: :func:`load_image` (EXIF orientation), :func:`to_grayscale` (alpha composited),
    :func:`fix_polarity`, :func:`remove_lines` (a notebook's ruling, grid and margin line),
    :func:`level_background` (shadows and texture removed, threshold),
    :func:`crop_to_ink`, :func:`widen_thin_strokes`, :func:`fit_in_box` (20 px, aspect ratio kept),
    :func:`center_by_mass` (28 x 28). If the image was reduced to the working size and the ink
    spans less than SMALL_INK of it, the steps up to :func:`level_background` run again on the
    original pixels around the ink (three times its size), and ``steps`` show that second pass.

    Parameters
    ----------
    source : str, os.PathLike, PIL.Image.Image or numpy.ndarray
        One image, as :func:`load_image` takes it: a photo, a scan or a drawing, any size.
    return_steps : bool
        Also return every intermediate image (a :class:`Steps`).

    Returns
    -------
    numpy.ndarray, float32 (28, 28) in [0, 1]
        Light digit on black, like ``normalize(x_test[i])``. Add the batch or channel axes the
        models need with ``digitcourse.preprocess`` (``flatten_images``, ``add_channel_axis``).
        With ``return_steps``, the pair ``(image, steps)``.

    Raises
    ------
    FileNotFoundError, TypeError, ValueError
        From :func:`load_image` (missing file, not an image, truncated, bad array) and
        :func:`to_grayscale` (too small).
    NoInkError
        A ``ValueError``: the image is blank or uniform, or its strokes are too faint.
    """
    image = load_image(source)
    ruled = False
    for attempt in range(2):
        gray = to_grayscale(image)
        ink, inverted = fix_polarity(gray)
        unlined = remove_lines(ink, ruled)
        ruled = unlined is not ink  # a crop of a ruled page is ruled, though its lines may not cross it whole
        levelled = level_background(unlined)
        rows, cols = np.nonzero(levelled)
        side = max(np.ptp(rows), np.ptp(cols)) + 1 if rows.size else max(gray.shape)
        scale = max(image.size) / max(gray.shape)
        if attempt or scale <= 1 or side >= SMALL_INK * max(gray.shape):
            break
        # A small digit in a large image (a photo of a whole page) has lost its detail to the working
        # size: read it again from the original pixels around it, a margin of its size on each side.
        box = np.array([cols.min() - side, rows.min() - side, cols.max() + 1 + side, rows.max() + 1 + side]) * scale
        image = image.crop(tuple(int(v) for v in np.clip(np.round(box), 0, [image.width, image.height] * 2)))
    cropped = thin_thick_strokes(widen_thin_strokes(crop_to_ink(levelled)))
    boxed = fit_in_box(cropped)
    mnist = center_by_mass(boxed)
    if not return_steps:
        return mnist
    return mnist, Steps(gray, ink, unlined, levelled, cropped, boxed, mnist, inverted)


def to_mnist_or_blank(source) -> np.ndarray:
    """:func:`to_mnist`, or a blank image where it finds no ink: for scoring a whole data set.

    ``source`` as :func:`to_mnist` takes it. Returns float32 (28, 28) in [0, 1]; all zeros (an
    image every model reads wrong, so that a refused digit counts as an error) where :func:`to_mnist`
    raises :class:`NoInkError`. Raises what :func:`to_mnist` raises for an unreadable image.
    Chapters 7 and 8."""
    try:
        return to_mnist(source)
    except NoInkError:
        return np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float32)


def naive_resize(source) -> np.ndarray:
    """What a first attempt does: grayscale, and resize the whole image to 28 x 28 (Lanczos).

    ``source`` is a path, a Pillow image or an array, as :func:`load_image` takes it. Returns
    float32 (28, 28) in [0, 1], with no other processing (transparent pixels count as black)."""
    gray = load_image(source).convert("L").resize((MNIST_SIZE, MNIST_SIZE), Image.Resampling.LANCZOS)
    return np.asarray(gray, dtype=np.float32) / 255
