"""The MNIST-style pipeline for real images: each step, whole images, and every bad input."""

import io

import numpy as np
import pytest
import scipy.ndimage as ndi
from PIL import Image

from digitcourse import handwriting as hw
from digitcourse import reading


@pytest.fixture(scope="module")
def digit(mnist):
    """A real MNIST test digit (a 7), float32 in [0, 1], light on dark."""
    return mnist["x_test"][0].astype(np.float32) / 255


def photo_of(digit, size=(300, 400), at=(60, 40), zoom=8, seed=0):
    """Dark ink on light, textured, unevenly lit paper: the digit scaled by ``zoom`` at ``at``."""
    big = ndi.zoom(digit, zoom, order=1)
    ink = np.zeros(size, dtype=np.float32)
    ink[at[0]:at[0] + big.shape[0], at[1]:at[1] + big.shape[1]] = np.clip(big, 0, 1)
    rng = np.random.default_rng(seed)
    columns = np.linspace(0, 1, size[1])[None, :]
    paper = 0.9 - 0.35 * columns + 0.03 * rng.standard_normal(size)
    return np.clip(paper * (1 - 0.85 * ink), 0, 1).astype(np.float32)


def similarity(a, b):
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_mnist_constants_match_the_data(mnist):
    x = mnist["x_train"][:3000].astype(np.float32) / 255
    centers = np.array([ndi.center_of_mass(image) for image in x])
    assert np.allclose(centers.mean(axis=0), hw.MNIST_CENTER, atol=0.1)
    widths = [hw.stroke_width(image) for image in x[:500]]
    assert abs(np.median(widths) - hw.MNIST_STROKE_WIDTH) < 0.4


def test_an_mnist_digit_passes_through_almost_unchanged(digit):
    assert similarity(hw.to_mnist(digit), digit) > 0.9


@pytest.mark.parametrize("dark_ink", [True, False])
def test_polarity_is_detected_both_ways(digit, dark_ink):
    image = 1 - digit if dark_ink else digit
    ink, inverted = hw.fix_polarity(image)
    assert inverted == dark_ink and np.allclose(ink, digit)
    assert similarity(hw.to_mnist(image), digit) > 0.9


def test_photo_with_shadow_and_texture_lands_centred_in_a_20_pixel_box(digit):
    result, steps = hw.to_mnist(photo_of(digit), return_steps=True)
    assert result.shape == (28, 28) and result.dtype == np.float32
    assert 0 <= result.min() and result.max() <= 1 and steps.inverted
    rows, cols = np.nonzero(result > 0.05)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 <= hw.BOX_SIZE + 1
    assert np.allclose(ndi.center_of_mass(result), hw.MNIST_CENTER, atol=0.6)
    assert similarity(result, digit) > 0.85


@pytest.mark.parametrize("at", [(10, 10), (60, 150), (150, 20)])
def test_off_centre_digits_land_at_the_same_place(digit, at):
    result = hw.to_mnist(photo_of(digit, at=at, zoom=5))
    assert np.allclose(ndi.center_of_mass(result), hw.MNIST_CENTER, atol=0.6)
    assert similarity(result, hw.to_mnist(digit)) > 0.85


@pytest.mark.parametrize("zoom", [2, 5, 12])
def test_scaled_digits_fill_the_same_box(digit, zoom):
    boxed = hw.to_mnist(photo_of(digit, size=(420, 400), at=(5, 5), zoom=zoom), return_steps=True)[1].boxed
    assert max(boxed.shape) == hw.BOX_SIZE


def test_a_small_digit_in_a_large_photo_is_found(digit):
    photo = photo_of(digit, size=(1500, 2000), at=(900, 300), zoom=5)  # the digit covers 0.6% of it
    assert similarity(hw.to_mnist(photo), hw.to_mnist(digit)) > 0.8


def test_the_table_around_the_page_is_ignored(digit):
    photo = photo_of(digit, size=(300, 400), at=(60, 120), zoom=7)
    photo[:, :50] = 0.15  # a dark table along the left edge of the photo
    photo[280:, :] = 0.1  # and along the bottom
    assert similarity(hw.to_mnist(photo), hw.to_mnist(digit)) > 0.85


def test_a_tightly_cropped_digit_touching_the_edges_is_kept(digit):
    rows, cols = np.nonzero(digit)
    tight = 1 - digit[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert similarity(hw.to_mnist(tight), hw.to_mnist(digit)) > 0.9


def test_aspect_ratio_is_kept():
    bar = np.zeros((200, 120), dtype=np.float32)
    bar[20:180, 50:70] = 1  # a vertical bar, 160 x 20 pixels: aspect 8
    boxed = hw.to_mnist(bar, return_steps=True)[1].boxed
    assert boxed.shape[0] == hw.BOX_SIZE and 2 <= boxed.shape[1] <= 4  # 20 x 2.5, widened strokes aside


def test_thin_strokes_are_widened_and_thick_ones_kept():
    thin = np.zeros((300, 20), dtype=np.float32)
    thin[:, 8:12] = 1  # a 4-pixel line, 300 long: 0.27 px wide once scaled to 20 px
    widened = hw.widen_thin_strokes(thin)
    assert hw.stroke_width(widened) * hw.BOX_SIZE / max(widened.shape) >= 2.5
    thick = np.zeros((300, 80), dtype=np.float32)
    thick[:, 10:70] = 1  # 60 pixels: 4 px once scaled
    assert hw.widen_thin_strokes(thick) is thick


@pytest.mark.parametrize("shape, radius", [((40, 30), 0), ((40, 30), 1), ((37, 300), 5), ((120, 90), 12), ((20, 20), 30)])
def test_the_erosion_by_rows_of_the_disk_equals_scipys_with_the_disk(shape, radius):
    rng = np.random.default_rng(radius)
    image = (rng.random(shape) * (rng.random(shape) > 0.2)).astype(np.float32)  # grey levels, some 0
    y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    expected = ndi.grey_erosion(image, footprint=x**2 + y**2 <= radius**2, mode="constant", cval=0.0)
    eroded = hw._erode_with_disk(image, radius)
    assert eroded.dtype == np.float32 and np.array_equal(eroded, expected)
    assert radius == 0 or not np.array_equal(eroded, image)  # the erosion did something


def test_rgba_drawing_on_transparent_background(digit):
    for rgb in (0, 255):  # the hidden colour of transparent pixels does not matter
        rgba = np.zeros((280, 280, 4), dtype=np.uint8)
        rgba[..., :3] = rgb
        strokes = ndi.zoom(digit, 10, order=1) > 0.5
        rgba[strokes] = (20, 20, 160, 255)  # dark blue ink, opaque
        assert similarity(hw.to_mnist(Image.fromarray(rgba)), digit) > 0.85


def test_exif_rotated_photo_is_turned_upright(digit, tmp_path):
    upright = (photo_of(digit) * 255).astype(np.uint8)
    stored = Image.fromarray(np.rot90(upright, k=-1).copy())  # the camera stored it turned
    exif = stored.getexif()
    exif[0x0112] = 8  # Orientation: rotate 90° counter-clockwise to display
    path = tmp_path / "photo.jpg"
    stored.save(path, exif=exif, quality=95)
    assert hw.load_image(path).size == (upright.shape[1], upright.shape[0])
    assert similarity(hw.to_mnist(path), hw.to_mnist(upright)) > 0.95


@pytest.mark.parametrize("convert", [
    lambda a: a,                                     # float32 in [0, 1]
    lambda a: (a * 255).astype(np.uint8),            # uint8
    lambda a: (a * 65535).astype(np.uint16),         # 16-bit scan
    lambda a: np.repeat((a * 255).astype(np.uint8)[..., None], 3, axis=2),  # RGB
    lambda a: Image.fromarray((a * 255).astype(np.uint8)).convert("RGB"),  # PIL RGB
    lambda a: a > 0.5,                               # bool
    lambda a: Image.fromarray(a.astype(np.float32)),  # PIL 32-bit float
])
def test_the_usual_image_types_are_accepted(digit, convert):
    assert similarity(hw.to_mnist(convert(1 - digit)), digit) > 0.85


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such image file"):
        hw.to_mnist(tmp_path / "nope.png")


def test_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not a PNG")
    with pytest.raises(ValueError, match="not an image file"):
        hw.to_mnist(path)


def test_truncated_file(digit, tmp_path):
    buffer = io.BytesIO()
    Image.fromarray((photo_of(digit) * 255).astype(np.uint8)).save(buffer, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        hw.to_mnist(path)


@pytest.mark.parametrize("blank", [np.zeros((60, 60)), np.ones((60, 60)), np.full((60, 60), 0.4),
                                   np.random.default_rng(0).normal(0.8, 0.01, (60, 60)).clip(0, 1)])
def test_images_without_ink(blank):
    with pytest.raises(hw.NoInkError, match="no ink found"):
        hw.to_mnist(blank)

    blank_out = hw.to_mnist_or_blank(blank)  # for scoring a data set: a refused image becomes a blank one
    assert blank_out.shape == (28, 28) and blank_out.dtype == np.float32 and not blank_out.any()


def test_to_mnist_or_blank_passes_a_digit_and_other_errors_through(digit):
    np.testing.assert_array_equal(hw.to_mnist_or_blank(digit), hw.to_mnist(digit))
    with pytest.raises(ValueError, match="too small to hold a digit"):
        hw.to_mnist_or_blank(np.zeros((5, 40)))


def test_image_too_small():
    with pytest.raises(ValueError, match="too small to hold a digit"):
        hw.to_mnist(np.zeros((5, 40)))


@pytest.mark.parametrize("bad, error, message", [
    (np.zeros((2, 28, 28, 3)), ValueError, "pass a list"),
    (np.full((28, 28), np.nan), ValueError, "NaN"),
    (np.full((28, 28), 2.0), ValueError, r"\[0, 1\]"),
    ("", FileNotFoundError, "no such image file"),
    (42, TypeError, "file path, a PIL image or a NumPy array"),
])
def test_bad_arrays_and_arguments(bad, error, message):
    with pytest.raises(error, match=message):
        hw.to_mnist(bad)


def test_predict_one_image_and_a_batch(digit):
    class Fake:  # a stand-in model: its input shape says "MLP", its predictions are fixed
        input_shape = (None, 784)

        def __call__(self, x, training=False):
            probs = np.full((len(x), 10), 0.02, dtype=np.float32)
            probs[:, 7] = 0.82
            return probs

    one = reading.predict(Fake(), digit, top=2)
    assert one[0] == (7, pytest.approx(0.82)) and one[1][1] == pytest.approx(0.02) and len(one) == 2
    batch = reading.predict(Fake(), [digit, 1 - digit])
    assert len(batch) == 2 and all(len(b) == 3 and b[0][0] == 7 for b in batch)
    with pytest.raises(ValueError, match="image 1: no ink found"):
        reading.predict(Fake(), [digit, np.zeros((40, 40))])
    with pytest.raises(ValueError, match="top must be"):
        reading.predict(Fake(), digit, top=0)


# ---- The failure classes of real drawings and photos (issue 14), each on an image with that property ----

def test_one_pixel_strokes_survive(digit):
    """A 7 drawn with a 1-pixel pen, white on an opaque black 150 x 150 canvas (RGBA): a 3 x 3
    median filter alone would erase every stroke."""
    from PIL import ImageDraw

    def seven(width):
        image = Image.new("RGBA", (150, 150), (0, 0, 0, 255))
        ImageDraw.Draw(image).line([(35, 25), (115, 25), (60, 130)], fill=(255, 255, 255, 255), width=width)
        return image

    thin = hw.to_mnist(seven(1))
    assert similarity(thin, hw.to_mnist(seven(12))) > 0.85
    assert hw.stroke_width(thin) >= 2


@pytest.mark.parametrize("contrast", [0.04, 0.07])
def test_faint_drawings_are_read(digit, contrast):
    """A 28 x 28 drawing in light grey on white, its darkest stroke only 4% or 7% below the paper."""
    faint = np.round(255 * (1 - contrast * digit)).astype(np.uint8)
    assert similarity(hw.to_mnist(faint), hw.to_mnist(1 - digit)) > 0.9


def test_the_noise_of_a_blank_sheet_is_still_refused_and_says_so():
    sheet = np.random.default_rng(1).normal(0.85, 0.02, (300, 400)).clip(0, 1)
    with pytest.raises(hw.NoInkError, match="stands out from its noise.*blank or uniform"):
        hw.to_mnist(sheet)


def test_small_digits_drawn_with_a_broad_pen_get_mnist_strokes(mnist):
    """White on black canvas drawings: a digit 60 px high drawn with the widget's 18-px pen has
    strokes 6 to 8 px wide once enlarged to the 20-px box; MNIST's are about 3."""
    from digitcourse import synthetic

    rng = np.random.default_rng(0)
    for index in range(5):
        drawing = synthetic.canvas_drawing_of(mnist["x_test"][index], rng, size=280, pen=18, height=60)
        result = hw.to_mnist(drawing)
        assert hw.stroke_width(result) <= hw.MAX_STROKE_WIDTH + 0.75, index
        assert similarity(result, mnist["x_test"][index] / 255) > 0.6, index


def test_thick_digit_covering_most_of_a_tight_crop_keeps_its_polarity(digit):
    """A bold digit cropped tightly (as USPS stores its digits) has more ink than background; the
    border, mostly background, still tells which is which."""
    bold = ndi.grey_dilation(digit, size=(5, 5))
    rows, cols = np.nonzero(bold > 0.5)
    tight = bold[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert np.median(tight) > 0.5  # the median alone would call the ink background
    assert hw.fix_polarity(tight)[1] is False and hw.fix_polarity(1 - tight)[1] is True


def test_in_a_binarized_scan_with_a_split_border_the_corners_decide_the_polarity(mnist):
    """A bold 1 filling its crop: the ink is most of the image and about half of the border, and
    the four corners are paper. Both ways round."""
    bold = ndi.binary_dilation(mnist["x_test"][37] > 127, iterations=2)
    image = bold_binary(bold, 4) / np.float32(255)  # black on white
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    assert 1 / 3 < border.mean() < 2 / 3 and np.median(image) == 0  # neither the border nor the median tells
    assert hw.fix_polarity(image)[1] is True and hw.fix_polarity(1 - image)[1] is False


def test_a_digit_spanning_a_tight_crop_is_not_taken_for_the_page_edge(digit):
    """A tightly cropped 7 in two pieces, its long stroke touching the top and bottom: only shapes
    that run along a side are page edges."""
    rows, cols = np.nonzero(digit)
    tight = digit[rows.min():rows.max() + 1, cols.min():cols.max() + 1].copy()
    tight[:, 4:6] = 0  # cut the bar: a piece on the left, the rest spans the whole height
    kept = hw.to_mnist(tight, return_steps=True)[1].levelled
    assert kept[:, : kept.shape[1] // 5].any() and kept.any(axis=1).mean() > 0.9  # both pieces are kept


# ---- The reader's own image (chapter 7's entry points take a path, a Pillow image or an array) ----

class FakeCnn:
    """A stand-in model: its input shape says "CNN", it always answers 7."""
    input_shape = (None, 28, 28, 1)

    def __call__(self, x, training=False):
        probs = np.full((len(x), 10), 0.01, dtype=np.float32)
        probs[:, 7] = 0.91
        return probs


@pytest.fixture
def digit_file(digit, tmp_path):
    path = tmp_path / "my_digit.jpg"
    Image.fromarray((photo_of(digit) * 255).astype(np.uint8)).save(path, quality=95)
    return path


def test_every_entry_point_takes_a_path_a_pillow_image_or_an_array(digit_file):
    import matplotlib.pyplot as plt

    image = Image.open(digit_file)
    for source in (digit_file, str(digit_file), image, np.asarray(image)):
        assert hw.naive_resize(source).shape == (28, 28)
        assert np.allclose(hw.naive_resize(source), hw.naive_resize(digit_file))
        assert np.allclose(hw.to_mnist(source), hw.to_mnist(digit_file))
        assert reading.predict(FakeCnn(), source, top=1) == [(7, pytest.approx(0.91))]
        plt.close(reading.show_prediction(FakeCnn(), source, "mine"))


def test_below_the_threshold_the_answer_is_not_sure(digit_file):
    import matplotlib.pyplot as plt

    for threshold, title in [(0.9, "predicted: 7 (91%)"), (0.95, "not sure (91%)")]:
        fig = reading.show_prediction(FakeCnn(), digit_file, "mine", threshold=threshold)
        assert fig.axes[2].get_title() == fig.axes[4].get_title() == title
        plt.close(fig)


def test_the_chapters_own_image_cell_runs_on_a_file(digit_file):
    """Chapter 7's cell for the reader's own image, run as the reader would with `path` set."""
    import json
    import sys
    from pathlib import Path

    import matplotlib.pyplot as plt

    chapter = Path(__file__).resolve().parents[1] / "chapters" / "07_handwriting.ipynb"
    cells = ["".join(c["source"]) for c in json.loads(chapter.read_text())["cells"] if c["cell_type"] == "code"]
    (cell,) = [c for c in cells if c.startswith("path = None")]
    namespace = {"sys": sys, "io": io, "Image": Image, "show_prediction": reading.show_prediction, "threshold": 0.5,
                 "models": {"cnn": FakeCnn()}}
    exec(cell.replace("path = None", f"path = {str(digit_file)!r}", 1), namespace)
    assert isinstance(namespace["fig"], plt.Figure)
    assert namespace["fig"].axes[2].get_title() == "predicted: 7 (91%)"
    plt.close(namespace["fig"])


# ---- Notebook paper, bold digits filling a tight crop, small and faint digits (issue: notebook paper) ----

def long_line_left(levelled, fraction=0.5):
    """Whether a shape in the thresholded image spans more than ``fraction`` of its width or height."""
    labels, _ = ndi.label(levelled > 0)
    return any(piece[0].stop - piece[0].start > fraction * levelled.shape[0]
               or piece[1].stop - piece[1].start > fraction * levelled.shape[1] for piece in ndi.find_objects(labels))


def page_and_plain(mnist, index, paper, line_color, ink, **options):
    """MNIST test digit ``index`` photographed on ``paper``, and the same photo (same seed: light, pen,
    framing) on plain paper: two ``synthetic.notebook_page`` images."""
    from digitcourse import synthetic

    return tuple(synthetic.notebook_page(mnist["x_test"][index], np.random.default_rng(index), kind, line_color, ink,
                                         **options) for kind in (paper, "plain"))


@pytest.mark.parametrize("ink", ["pencil", "ballpoint", "marker"])
@pytest.mark.parametrize("line_color", ["blue", "grey", "black"])
@pytest.mark.parametrize("paper", ["ruled", "squared"])
def test_a_digit_on_notebook_paper_reads_as_on_plain_paper(mnist, paper, line_color, ink):
    """The ruling, grid and margin line go, the strokes that cross them stay: the 28 x 28 image of a
    page matches that of the same photo without the ruling (same seed). Measured on 4 digits of each
    of the 18 kinds: correlation 0.71 to 1.00, median 0.98; the previous pipeline kept the lines
    (a grey rectangle or a filled square): correlation below 0.1."""
    for index in range(3):
        page, plain = page_and_plain(mnist, index, paper, line_color, ink)
        result, steps = hw.to_mnist(page, return_steps=True)
        assert not long_line_left(steps.levelled), index
        assert similarity(result, hw.to_mnist(plain)) > 0.65, index


@pytest.mark.parametrize("line_color", ["blue", "grey", "black"])
@pytest.mark.parametrize("paper", ["ruled", "squared"])
def test_a_page_photographed_at_an_angle_reads_as_on_plain_paper(mnist, paper, line_color):
    """Perspective fans the lines out (keystone 0.1, a phone tilted by about 5 degrees): one tilt's
    opening kept most of them. Digit 6 of each kind: correlation 0.41 to 0.45 with one tilt, 0.75 to
    0.99 with the tilts that are at least half as sharp; digit 9, 0.16 to 1.00, and 0.95 to 1.00."""
    for index in (6, 9):
        page, plain = page_and_plain(mnist, index, paper, line_color, "pencil", keystone=0.1)
        ink = hw.fix_polarity(hw.to_grayscale(hw.load_image(page)))[0]
        assert max(len(hw._tilts(ink)), len(hw._tilts(ink.T))) > 1, "the lines must fan out"
        result, steps = hw.to_mnist(page, return_steps=True)
        assert not long_line_left(steps.levelled), index
        assert similarity(result, hw.to_mnist(plain)) > 0.65, index


@pytest.mark.parametrize("line_color", ["blue", "grey", "black"])
@pytest.mark.parametrize("paper", ["ruled", "squared"])
def test_a_page_photographed_at_a_steeper_angle_reads_as_on_plain_paper(mnist, paper, line_color):
    """Keystone 0.15 (a phone tilted by about 8 degrees): the lines fan out so far that the whole image's
    run of tilts misses the outer ones, and each half's own run reaches them. Digit 12: correlation 0.19
    to 0.30 with the whole image's tilts, 0.81 to 0.99 with the halves' too."""
    page, plain = page_and_plain(mnist, 12, paper, line_color, "pencil", keystone=0.15)
    result, steps = hw.to_mnist(page, return_steps=True)
    assert not long_line_left(steps.levelled)
    assert similarity(result, hw.to_mnist(plain)) > 0.75


@pytest.mark.parametrize("ink", ["pencil", "ballpoint"])
@pytest.mark.parametrize("line_color", ["blue", "grey", "black"])
def test_a_stroke_along_a_ruled_line_stays_on_a_page_taken_straight_on(mnist, line_color, ink):
    """Test digit 1, a 2 whose base runs along a ruled line. On a page taken straight on, the tilts
    next to the sharpest that are half as sharp are the blur of the lines' own peak, not a fan:
    opening the page at all of them took the base for line (correlation 0.73 to 0.76); at the
    sharpest only, 0.94 to 0.98."""
    page, plain = page_and_plain(mnist, 1, "ruled", line_color, ink)
    assert similarity(hw.to_mnist(page), hw.to_mnist(plain)) > 0.9


@pytest.mark.parametrize("line_color", ["blue", "grey"])
@pytest.mark.parametrize("paper", ["ruled", "squared"])
def test_a_small_digit_on_a_ruled_page_is_read_again_without_its_lines(mnist, paper, line_color):
    """Test digit 27, a small 4: to_mnist reads it again from the original pixels around it, a crop in
    which only one ruled line crosses the whole width (the digit breaks the other). The page's ruling,
    found at the working size, holds for the crop: correlation 0.29 to 0.39 with the lines left in,
    0.88 to 0.99 without."""
    page, plain = page_and_plain(mnist, 27, paper, line_color, "pencil")
    result, steps = hw.to_mnist(page, return_steps=True)
    assert max(steps.gray.shape) < hw.WORK_SIZE, "the digit must be read again from a crop"
    assert not long_line_left(steps.levelled)
    assert similarity(result, hw.to_mnist(plain)) > 0.8


def test_a_notebook_page_rejects_an_impossible_keystone(digit):
    from digitcourse import synthetic

    with pytest.raises(ValueError, match="keystone must lie in"):
        synthetic.notebook_page(digit, np.random.default_rng(0), keystone=0.8)


@pytest.mark.parametrize("paper, line_color", [
    ("plain", "grey"),
    ("ruled", "black"),
    pytest.param("squared", "black", marks=pytest.mark.xfail(reason="5 of 24 empty squared pages keep ink: where the "
                                                              "margin line runs about 7 pixels from a grid line (seeds "
                                                              "10 and 11), each hides the paper beside the other; "
                                                              "and a crossing's remains (seed 1, evenly lit)"))])
def test_an_empty_notebook_page_is_refused(paper, line_color):
    """Evenly lit and under light falling off across it, with a margin line."""
    from digitcourse import synthetic

    for seed in range(12):
        for shading in (False, True):
            page = synthetic.notebook_page(np.zeros((28, 28), np.uint8), np.random.default_rng(seed), paper, line_color,
                                           margin=True, shading=shading)
            with pytest.raises(hw.NoInkError, match="no ink found"):
                hw.to_mnist(page)


def test_lines_are_kept_when_there_is_no_ruling(digit):
    """One long thin stroke is not a ruling: an image without two parallel lines passes unchanged."""
    ink = hw.fix_polarity(photo_of(digit))[0]
    assert hw.remove_lines(ink) is ink
    bar = np.zeros((120, 200), np.float32)
    bar[60:63, 5:195] = 1  # a single thin line across the image: a minus sign or a 7's bar, not a ruling
    assert hw.remove_lines(bar) is bar


def bold_binary(image, scale):
    """A binarized digit cropped to its ink, enlarged ``scale`` times (nearest neighbour): black on white."""
    rows, cols = np.nonzero(image)
    tight = image[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    return np.where(np.kron(tight, np.ones((scale, scale), bool)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("scale", [4, 10])
def test_bold_binary_digits_filling_the_frame_are_read(mnist, scale):
    """As on a scanned form: thick strokes touching all four edges, wider than the background's
    window. Measured on the first 100 test digits (dilated by 2 pixels at 28 x 28): the previous
    pipeline refused some and garbled others (5th percentile of the correlation 0.22). Digits 37, 154
    and 196 are 1s whose ink covers most of the border and 86% of the image; the median took it for
    the background (correlation 0.18 to 0.36)."""
    sims = []
    for index in [*range(40), 154, 196]:
        bold = ndi.binary_dilation(mnist["x_test"][index] > 127, iterations=2)
        image = bold_binary(bold, scale)
        assert (image[[0, -1]] == 0).any(axis=1).all() and (image[:, [0, -1]] == 0).any(axis=0).all()
        sims.append(similarity(hw.to_mnist(image), hw.to_mnist(np.pad(bold, 8).astype(np.float32))))
    assert min(sims) > 0.8, np.argmin(sims)


def test_a_small_digit_in_the_corner_of_a_large_canvas_is_read(digit):
    """A 70-pixel digit on a 2400 x 1600 canvas is 12 pixels at the working size (correlation 0.55 when
    read there); to_mnist reads it again from the original pixels around it."""
    canvas = np.full((1600, 2400), 255, np.uint8)
    small = np.round(255 * (1 - ndi.zoom(digit, 2.5, order=1).clip(0, 1))).astype(np.uint8)  # 70 px
    canvas[-small.shape[0] - 10:-10, -small.shape[1] - 10:-10] = small
    assert similarity(hw.to_mnist(canvas), hw.to_mnist(digit)) > 0.8


def test_a_low_contrast_photo_is_read(digit):
    faint = 0.55 + 0.3 * photo_of(digit)  # grey paper, ink 15% darker at most, lighting gradient
    assert similarity(hw.to_mnist(faint), hw.to_mnist(digit)) > 0.85


def test_an_empty_sheet_under_uneven_light_is_refused():
    """The grain of an empty sheet, photographed under light falling off across it, crosses the noise
    floor in its highest specks: 26 of 100 such photos (the generator chapter 7 uses) were read as
    ink before the ink's level had to reach INK_OVER_FLOOR times the floor."""
    from digitcourse import synthetic

    rng = np.random.default_rng(7)
    for k in range(40):
        with pytest.raises(hw.NoInkError, match="no ink found"):
            hw.to_mnist(synthetic.photo_of(np.zeros((28, 28), np.uint8), rng))
