/**
 * Parity of the JS engine with the reference semantics (librosa 0.10 + scipy,
 * SPEC §1–2), on the fixtures of crates/ser-dsp/tests/fixtures, with the
 * tolerances of crates/ser-dsp/tests/parity.rs.
 */
import { describe, expect, it } from 'vitest';
import { readWavJs } from './decode.js';
import { MelFilterbank } from './mel.js';
import { JsLogMelExtractor } from './pipeline.js';
import { resample } from './resample.js';
import { PowerSpectrogram } from './stft.js';
import { dataPath, manifest, maxAbsDiff, readF32, snrDb } from './testing.js';
import { powerToDbInPlace } from './toDb.js';
import { trimBounds } from './trim.js';
import { wiener } from './wiener.js';

const m = manifest();

describe('JS engine parity with librosa/scipy fixtures', () => {
  for (const scale of ['slaney', 'htk'] as const) {
    it(`mel filterbank (${scale}) within 1e-6 × max weight`, () => {
      const reference = readF32(m.filterbank[scale]);
      const fb = new MelFilterbank(44100, 2048, 128, 0, 22050, scale);
      const peak = reference.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
      const [diff] = maxAbsDiff(fb.weights, reference);
      expect(diff / peak).toBeLessThanOrEqual(1e-6);
    });
  }

  it('STFT → mel → dB on librosa’s own waveform: max |Δ| ≤ 0.01 dB', () => {
    const y = readF32(m.mel_db.waveform);
    const reference = readF32(m.mel_db.db);
    const stft = new PowerSpectrogram(2048, 512);
    expect([stft.nBins, stft.nFrames(y.length)]).toEqual([1025, 259]);
    const fb = new MelFilterbank(44100, 2048, 128, 0, 22050, 'slaney');
    const mel = powerToDbInPlace(fb.apply(stft.process(y), 259), 1, 1e-10, 80);
    expect(maxAbsDiff(mel, reference)[0]).toBeLessThanOrEqual(0.01);
    const viaExtractor = new JsLogMelExtractor().logMel(y);
    expect(maxAbsDiff(viaExtractor, reference)[0]).toBeLessThanOrEqual(0.01);
  });

  it('trim: the same start and end as librosa on all 655 shared files', () => {
    const { top_db, frame_length, hop_length } = m.trim.params;
    const files = m.trim.files as {
      path: string;
      sr: number;
      len: number;
      start: number;
      end: number;
    }[];
    expect(files.length).toBe(655);
    const mismatches: string[] = [];
    for (const f of files) {
      const audio = readWavJs(dataPath(f.path));
      expect(audio.sampleRate).toBe(f.sr);
      expect(audio.samples.length).toBe(f.len);
      const [start, end] = trimBounds(audio.samples, top_db, frame_length, hop_length);
      if (start !== f.start || end !== f.end)
        mismatches.push(`${f.path}: [${start}, ${end}) vs [${f.start}, ${f.end})`);
    }
    expect(mismatches).toEqual([]);
  });

  it('Wiener filter: max |Δ| ≤ 1e-5 against scipy', () => {
    for (const c of m.wiener.cases) {
      const input = readF32(c.input);
      const reference = readF32(c.output);
      expect(maxAbsDiff(wiener(input, m.wiener.params.mysize), reference)[0]).toBeLessThanOrEqual(
        1e-5,
      );
    }
  });

  it('resampling: SNR ≥ 60 dB against soxr_hq, length ceil(len·to/from)', () => {
    for (const c of m.resample.cases) {
      const audio = readWavJs(dataPath(c.source));
      expect(audio.sampleRate).toBe(c.orig_sr);
      const ours = resample(audio.samples, c.orig_sr, c.target_sr);
      expect(ours.length).toBe(c.output_len);
      const snr = snrDb(readF32(c.output_slice), ours, c.slice_start);
      console.log(`resample ${c.source} ${c.orig_sr}→${c.target_sr}: SNR ${snr.toFixed(2)} dB`);
      expect(snr).toBeGreaterThanOrEqual(60);
    }
  });

  it('whole pipeline: mean |Δ| ≤ 0.1 dB within 60 dB of the peak', () => {
    const ex = new JsLogMelExtractor();
    for (const c of m.pipeline.cases) {
      const reference = readF32(c.db);
      const ours = ex.extractFile(dataPath(c.source));
      expect(ours.length).toBe(reference.length);
      const peak = reference.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
      let sum = 0;
      let n = 0;
      for (let i = 0; i < ours.length; i++) {
        if (reference[i] >= peak - 60) {
          sum += Math.abs(ours[i] - reference[i]);
          n++;
        }
      }
      console.log(`pipeline ${c.source}: mean |Δ| ${(sum / n).toFixed(4)} dB over ${n} bins`);
      expect(sum / n).toBeLessThanOrEqual(0.1);
    }
  });
});
