import { describe, expect, it } from 'vitest';
import { coerceNumber, promptsToText, sameValue, textToPrompts } from '../../src/plugin/param-values.js';

describe('param values from user input', () => {
  it('snaps numbers to whole numbers and to the range', () => {
    const def = { kind: 'number' as const, default: 256, min: 1, max: 4096, integer: true, help: 'width' };
    expect(coerceNumber(def, 127.6)).toBe(128);
    expect(coerceNumber(def, -5)).toBe(1);
    expect(coerceNumber(def, 1e6)).toBe(4096);
    expect(coerceNumber({ kind: 'number', default: 0, help: 'free' }, -2.5)).toBe(-2.5);
  });

  it('reads one prompt per line, trimmed, without blank lines', () => {
    expect(textToPrompts('  a face with a beard \n\n a smiling face\n')).toEqual([
      'a face with a beard',
      'a smiling face',
    ]);
    expect(promptsToText(['a', 'b'])).toBe('a\nb');
    expect(promptsToText('not a list')).toBe('');
    expect(sameValue(['a'], ['a'])).toBe(true);
    expect(sameValue(['a'], ['a', 'b'])).toBe(false);
    expect(sameValue(['a'], 'a')).toBe(false);
    expect(sameValue(0.5, 0.5)).toBe(true);
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
  });
});
