#!/usr/bin/env python3
"""Which low-pass makes 48 kHz -> 44.1 kHz trim like librosa's soxr_hq? (evidence for issue 2)

A polyphase Kaiser-windowed sinc with soxr HQ's band edges (passband end 0.913, stopband
begin 1.0 of the output Nyquist, 110 dB) is checked against librosa.load(sr=44100) on every
shared RAVDESS file: trim bounds (fixtures.json *_44k) and SNR vs soxr_hq (middle half).
Run: .venv/bin/python tools/parity/resampler_experiment.py   (about 1 minute per filter)
"""
import glob
import json

import librosa
import numpy as np
import scipy.signal as ss

m = json.load(open("crates/ser-dsp/tests/fixtures/fixtures.json"))
T = {t["path"]: t for t in m["trim"]["files"]}


def design(pass_end, stop_begin, atten=110.0, up=147, fs_in=48000, nyq_out=22050):
    """Kaiser-windowed sinc at the upsampled rate, transition band [pass_end, stop_begin]·nyq_out."""
    fs = fs_in * up
    width = (stop_begin - pass_end) * nyq_out
    n, beta = ss.kaiserord(atten, width / (fs / 2))
    return ss.firwin(n | 1, (pass_end + stop_begin) / 2 * nyq_out, window=("kaiser", beta), fs=fs)


for pass_end, stop_begin in [(0.913, 1.0), (0.93, 1.0)]:
    h = design(pass_end, stop_begin)
    bad, snrs = 0, []
    for p in sorted(glob.glob("../shared/data/ravdess/*/*.wav")):
        rel = p.split("data/")[1]
        y, _ = librosa.load(p, sr=None)
        n = T[rel]["len_44k"]
        r = librosa.util.fix_length(ss.resample_poly(y.astype(np.float64), 147, 160, window=h), size=n)
        _, (s, e) = librosa.effects.trim(r.astype(np.float32), top_db=60)
        bad += (s, e) != (T[rel]["start_44k"], T[rel]["end_44k"])
        ref = librosa.resample(y, orig_sr=48000, target_sr=44100).astype(np.float64)
        c = slice(n // 4, 3 * n // 4)
        snrs.append(10 * np.log10((ref[c] ** 2).sum() / ((ref[c] - r[c]) ** 2).sum()))
    print(f"band edges {pass_end}-{stop_begin}, {len(h)} taps: trim mismatches {bad}/120, "
          f"SNR vs soxr_hq min {min(snrs):.1f} dB, median {np.median(snrs):.1f} dB")
