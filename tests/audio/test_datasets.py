"""Dataset readers on small trees in the real on-disk layouts, with real audio files."""

import hashlib
import os
import tarfile

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader
from ember_audio import save
from ember_audio.datasets import (
    LIBRISPEECH,
    LJSPEECH,
    SPEECHCOMMANDS,
    YESNO,
    AudioFolder,
    download_url_to_file,
    extract_archive,
)


def _write(path, value, frames=80, sample_rate=8000, channels=1, fmt=None):
    """A constant-valued clip, so that each file's content identifies it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = ember.full((channels, frames), float(value))
    save(path, data, sample_rate, format=fmt, bits_per_sample=16)


def _value(waveform):
    return round(float(waveform.numpy().mean()), 3)


# ------------------------------------------------------------------------------- YESNO


def _yesno_tree(root):
    names = ["1_0_1_1_0_0_0_1", "0_0_0_0_1_1_1_1", "0_1_0_0_1_0_1_1"]
    for i, name in enumerate(names):
        _write(os.path.join(root, "waves_yesno", name + ".wav"), 0.1 * (i + 1))
    return sorted(names)


def test_yesno_items(tmp_path):
    names = _yesno_tree(tmp_path)
    dataset = YESNO(tmp_path)
    assert len(dataset) == 3
    waveform, sample_rate, labels = dataset[0]
    assert sample_rate == 8000 and tuple(waveform.shape) == (1, 80)
    assert labels == [int(c) for c in names[0].split("_")] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert _value(waveform) == 0.2  # the file written second sorts first
    assert dataset[2][2] == [1, 0, 1, 1, 0, 0, 0, 1]


def test_yesno_missing_raises(tmp_path):
    with pytest.raises(RuntimeError, match=r"waves_yesno.*download=True"):
        YESNO(tmp_path)


def test_yesno_download_from_archive(tmp_path):
    source = tmp_path / "source"
    _yesno_tree(source)
    archive = tmp_path / "waves_yesno.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source / "waves_yesno", arcname="waves_yesno")
    root = tmp_path / "root"
    dataset = YESNO(root, url=archive.as_uri(), download=True)
    assert len(dataset) == 3
    assert (root / "waves_yesno.tar.gz").is_file()
    assert dataset[1][2] == [0, 1, 0, 0, 1, 0, 1, 1]


# ----------------------------------------------------------------------- SPEECHCOMMANDS


def _speechcommands_tree(root):
    base = os.path.join(root, "SpeechCommands", "speech_commands_v0.02")
    files = {
        "yes/aaa_nohash_0.wav": 0.1,
        "yes/bbb_nohash_1.wav": 0.2,
        "no/aaa_nohash_0.wav": 0.3,
        "no/ccc_nohash_2.wav": 0.4,
        "up/ddd_nohash_0.wav": 0.5,
    }
    for rel, value in files.items():
        _write(os.path.join(base, rel), value, sample_rate=16000)
    _write(os.path.join(base, "_background_noise_", "white_noise.wav"), 0.9, sample_rate=16000)
    with open(os.path.join(base, "validation_list.txt"), "w") as f:
        f.write("no/ccc_nohash_2.wav\n")
    with open(os.path.join(base, "testing_list.txt"), "w") as f:
        f.write("yes/bbb_nohash_1.wav\nup/ddd_nohash_0.wav\n")
    return base


def test_speechcommands_all_items_skip_background_noise(tmp_path):
    _speechcommands_tree(tmp_path)
    dataset = SPEECHCOMMANDS(tmp_path)
    assert len(dataset) == 5
    labels = [dataset.get_metadata(i)[2] for i in range(5)]
    assert labels == ["no", "no", "up", "yes", "yes"]  # sorted paths
    waveform, sample_rate, label, speaker_id, utterance_number = dataset[1]
    assert (sample_rate, label, speaker_id, utterance_number) == (16000, "no", "ccc", 2)
    assert _value(waveform) == 0.4
    assert dataset.get_metadata(1)[0] == os.path.join("no", "ccc_nohash_2.wav")


@pytest.mark.parametrize(
    "subset,expected",
    [
        ("training", {("no", "aaa"), ("yes", "aaa")}),
        ("validation", {("no", "ccc")}),
        ("testing", {("yes", "bbb"), ("up", "ddd")}),
    ],
)
def test_speechcommands_subsets(tmp_path, subset, expected):
    _speechcommands_tree(tmp_path)
    dataset = SPEECHCOMMANDS(tmp_path, subset=subset)
    found = {(dataset[i][2], dataset[i][3]) for i in range(len(dataset))}
    assert found == expected


def test_speechcommands_v001_layout_and_errors(tmp_path):
    base = os.path.join(tmp_path, "SpeechCommands", "speech_commands_v0.01")
    _write(os.path.join(base, "go", "eee_nohash_3.wav"), 0.25)
    assert len(SPEECHCOMMANDS(tmp_path, url="speech_commands_v0.01")) == 1
    with pytest.raises(ValueError, match=r"subset.*'train'"):
        SPEECHCOMMANDS(tmp_path, url="speech_commands_v0.01", subset="train")
    with pytest.raises(FileNotFoundError, match=r"validation_list.txt"):
        SPEECHCOMMANDS(tmp_path, url="speech_commands_v0.01", subset="validation")
    with pytest.raises(RuntimeError, match=r"speech_commands_v0.02"):
        SPEECHCOMMANDS(tmp_path)


def test_speechcommands_in_a_dataloader(tmp_path):
    _speechcommands_tree(tmp_path)
    loader = DataLoader(SPEECHCOMMANDS(tmp_path), batch_size=5)
    waveforms, _rates, labels, _speakers, numbers = next(iter(loader))
    assert tuple(waveforms.shape) == (5, 1, 80)
    assert list(labels) == ["no", "no", "up", "yes", "yes"]
    assert numbers.tolist() == [0, 2, 0, 0, 1]


# -------------------------------------------------------------------------- LIBRISPEECH


def _librispeech_tree(root):
    base = os.path.join(root, "LibriSpeech", "dev-clean")
    transcripts = {
        ("84", "121123"): ["84-121123-0000 GO DO YOU HEAR", "84-121123-0001 BUT IN LESS"],
        ("174", "50561"): ["174-50561-0005 A SECOND LINE"],
    }
    value = 0.1
    for (speaker, chapter), lines in transcripts.items():
        folder = os.path.join(base, speaker, chapter)
        for line in lines:
            _write(os.path.join(folder, line.split()[0] + ".flac"), value, sample_rate=16000)
            value += 0.1
        with open(os.path.join(folder, f"{speaker}-{chapter}.trans.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")


def test_librispeech_items(tmp_path):
    _librispeech_tree(tmp_path)
    dataset = LIBRISPEECH(tmp_path, url="dev-clean")
    assert len(dataset) == 3
    # sorted by file id: "174-..." before "84-..."
    waveform, sample_rate, transcript, speaker, chapter, utterance = dataset[0]
    assert (sample_rate, transcript, speaker, chapter, utterance) == (
        16000,
        "A SECOND LINE",
        174,
        50561,
        5,
    )
    assert _value(waveform) == 0.3
    assert dataset[2][2:] == ("BUT IN LESS", 84, 121123, 1)
    assert dataset.get_metadata(1)[0] == os.path.join(
        "dev-clean", "84", "121123", "84-121123-0000.flac"
    )


def test_librispeech_errors(tmp_path):
    with pytest.raises(ValueError, match=r"'dev'"):
        LIBRISPEECH(tmp_path, url="dev")
    with pytest.raises(RuntimeError, match=r"dev-clean.*download=True"):
        LIBRISPEECH(tmp_path, url="dev-clean")
    _librispeech_tree(tmp_path)
    os.remove(os.path.join(tmp_path, "LibriSpeech/dev-clean/174/50561/174-50561.trans.txt"))
    dataset = LIBRISPEECH(tmp_path, url="dev-clean")
    with pytest.raises(FileNotFoundError, match=r"174-50561\.trans\.txt"):
        dataset[0]


# ----------------------------------------------------------------------------- LJSPEECH


def test_ljspeech_items(tmp_path):
    base = tmp_path / "LJSpeech-1.1"
    _write(str(base / "wavs" / "LJ001-0001.wav"), 0.1, sample_rate=22050)
    _write(str(base / "wavs" / "LJ001-0002.wav"), 0.2, sample_rate=22050)
    (base / "metadata.csv").write_text(
        'LJ001-0001|Printing, in the "only" sense|Printing, in the "only" sense\n'
        "LJ001-0002|in 1470 Dr. Smith|in fourteen seventy Doctor Smith\n",
        encoding="utf-8",
    )
    dataset = LJSPEECH(tmp_path)
    assert len(dataset) == 2
    waveform, sample_rate, transcript, _normalized = dataset[0]
    assert sample_rate == 22050 and _value(waveform) == 0.1
    assert transcript == 'Printing, in the "only" sense'  # quotes kept: no CSV quoting
    assert dataset[1][2:] == ("in 1470 Dr. Smith", "in fourteen seventy Doctor Smith")


def test_ljspeech_errors(tmp_path):
    with pytest.raises(RuntimeError, match=r"LJSpeech-1.1"):
        LJSPEECH(tmp_path)
    base = tmp_path / "LJSpeech-1.1"
    (base / "wavs").mkdir(parents=True)
    (base / "metadata.csv").write_text("LJ001-0001|only two fields\n")
    with pytest.raises(ValueError, match=r"line 1.*metadata.csv.*2 fields"):
        LJSPEECH(tmp_path)


# --------------------------------------------------------------------------- AudioFolder


def test_audio_folder(tmp_path):
    _write(str(tmp_path / "dog" / "a.wav"), 0.1)
    _write(str(tmp_path / "dog" / "nested" / "b.flac"), 0.2)
    _write(str(tmp_path / "cat" / "c.WAV"), 0.3, fmt="wav")
    (tmp_path / "cat" / "readme.txt").write_text("not audio")
    dataset = AudioFolder(tmp_path, target_transform=lambda t: t * 10)
    assert dataset.classes == ["cat", "dog"]
    assert dataset.class_to_idx == {"cat": 0, "dog": 1}
    assert dataset.targets == [0, 1, 1]
    assert [os.path.basename(p) for p, _ in dataset.samples] == ["c.WAV", "a.wav", "b.flac"]
    waveform, sample_rate, target = dataset[2]
    assert (sample_rate, target, _value(waveform)) == (8000, 10, 0.2)


def test_audio_folder_options_and_errors(tmp_path):
    _write(str(tmp_path / "x" / "a.wav"), 0.5)
    _write(str(tmp_path / "y" / "b.flac"), 0.5)
    only_wav = AudioFolder(tmp_path, extensions=(".wav",), allow_empty=True)
    assert only_wav.targets == [0]
    with pytest.raises(FileNotFoundError, match=r"\['y'\]"):
        AudioFolder(tmp_path, extensions=(".wav",))
    doubled = AudioFolder(tmp_path, transform=lambda w: w * 2)
    assert _value(doubled[0][0]) == 1.0
    custom = AudioFolder(
        tmp_path,
        loader=lambda p: (os.path.basename(p), 1),
        is_valid_file=lambda p: "b" in p,
        allow_empty=True,
    )
    assert custom[0] == ("b.flac", 1, 1)
    with pytest.raises(FileNotFoundError, match=r"no class folder"):
        AudioFolder(tmp_path / "x")


# ----------------------------------------------------------------------------- download


def test_download_verifies_sha256(tmp_path):
    source = tmp_path / "blob.bin"
    source.write_bytes(b"ember audio" * 100)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    target = tmp_path / "out" / "blob.bin"
    download_url_to_file(source.as_uri(), target, hash_prefix=digest[:10])
    assert target.read_bytes() == source.read_bytes()
    bad = tmp_path / "out" / "bad.bin"
    with pytest.raises(RuntimeError, match=r"invalid hash value.*'0000000000'"):
        download_url_to_file(source.as_uri(), bad, hash_prefix="0000000000")
    assert not bad.exists() and not (tmp_path / "out" / "bad.bin.part").exists()


def test_download_without_network_says_where_to_put_the_file(tmp_path):
    target = tmp_path / "archive.tar.gz"
    with pytest.raises(RuntimeError, match=r"Could not download .*archive\.tar\.gz.*abc123"):
        download_url_to_file(
            "http://127.0.0.1:9/archive.tar.gz", target, hash_prefix="abc123", timeout=5
        )
    assert not target.exists()


def test_extract_archive_zip_and_refuses_escapes(tmp_path):
    import zipfile

    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("inner/file.txt", "hello")
    names = extract_archive(archive, tmp_path / "out")
    assert names == ["inner/file.txt"]
    assert (tmp_path / "out" / "inner" / "file.txt").read_text() == "hello"
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../escape.txt", "x")
    with pytest.raises(RuntimeError, match=r"outside"):
        extract_archive(evil, tmp_path / "out2")
    not_archive = tmp_path / "plain.txt"
    not_archive.write_text("plain")
    with pytest.raises(RuntimeError, match=r"plain.txt.*not a tar or zip"):
        extract_archive(not_archive)


def test_waveforms_are_float32_channels_first(tmp_path):
    _write(str(tmp_path / "c" / "stereo.wav"), 0.25, channels=2)
    waveform, _, _ = AudioFolder(tmp_path)[0]
    assert waveform.dtype == ember.float32 and tuple(waveform.shape) == (2, 80)
    np.testing.assert_allclose(waveform.numpy(), 0.25)
