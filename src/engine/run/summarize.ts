// What the editor shows for an output value when its node did not say otherwise: a small image for
// images, the value for numbers and texts, and a short description for everything else.
import type { OutputSummary } from '../graph/definition.js';
import { downscaleForPreview, isImageValue } from '../tensor/image.js';

export const PREVIEW_MAX_SIDE = 256;

export function summarizeOutput(value: unknown, type: string): OutputSummary {
  if (isImageValue(value)) return { kind: 'image', image: downscaleForPreview(value, PREVIEW_MAX_SIDE) };
  if (typeof value === 'number') return { kind: 'value', text: formatNumber(value) };
  if (typeof value === 'string') return { kind: 'value', text: shorten(value, 200) };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return {
      kind: 'value',
      text: `${value.length} ${value.length === 1 ? 'prompt' : 'prompts'}: ${shorten(value.join(' · '), 160)}`,
    };
  }
  const shape = shapeOf(value);
  return { kind: 'value', text: shape ? `${type.toLowerCase()} · ${shape}` : type.toLowerCase() };
}

/** Previews shown by a node go through the same size bound as output images. */
export function boundSummary(summary: OutputSummary): OutputSummary {
  return summary.kind === 'image'
    ? { ...summary, image: downscaleForPreview(summary.image, PREVIEW_MAX_SIDE) }
    : summary;
}

function shapeOf(value: unknown): string | undefined {
  if (ArrayBuffer.isView(value) && 'length' in value) return String((value as unknown as { length: number }).length);
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { dims?: unknown; shape?: unknown; data?: unknown };
  const dims = Array.isArray(v.dims) ? v.dims : Array.isArray(v.shape) ? v.shape : undefined;
  if (dims?.every((d) => typeof d === 'number')) return dims.join('×');
  if (ArrayBuffer.isView(v.data) && 'length' in v.data) return String((v.data as unknown as { length: number }).length);
  return undefined;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 1e-3 && Math.abs(n) < 1e6 ? String(Number(n.toPrecision(6))) : n.toExponential(4);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
