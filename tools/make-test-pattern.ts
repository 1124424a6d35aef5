// Writes public/images/test-pattern.png: a synthetic 320×240 test pattern (hue sweep, gray ramp,
// a centred circle and cross) for the example graphs that run without any model. It is not a
// photo; the circle and cross show at a glance whether a crop kept the centre.
// Run: npx tsx tools/make-test-pattern.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createImage } from '../src/engine/tensor/image.js';
import { encodePng } from '../src/engine/tensor/png.js';

const width = 320;
const height = 240;
const image = createImage(width, height);
const plane = width * height;

function hue(h: number): [number, number, number] {
  const k = (n: number) => (n + h * 6) % 6;
  const f = (n: number) => 1 - Math.max(0, Math.min(k(n), 4 - k(n), 1));
  return [f(5), f(3), f(1)];
}

for (let y = 0; y < height; y++) {
  for (let x = 0; x < width; x++) {
    const u = x / (width - 1);
    let rgb: [number, number, number];
    if (y < height * 0.6) {
      const [r, g, b] = hue(u);
      const shade = 0.35 + 0.65 * (1 - y / (height * 0.6));
      rgb = [r * shade, g * shade, b * shade];
    } else {
      rgb = [u, u, u];
    }
    const dx = x - (width - 1) / 2;
    const dy = y - (height - 1) / 2;
    const ring = Math.abs(Math.hypot(dx, dy) - 80) < 2;
    const cross = (Math.abs(dx) < 1 && Math.abs(dy) < 20) || (Math.abs(dy) < 1 && Math.abs(dx) < 20);
    if (ring || cross) rgb = [1, 1, 1];
    const i = y * width + x;
    image.data[i] = rgb[0];
    image.data[plane + i] = rgb[1];
    image.data[2 * plane + i] = rgb[2];
  }
}

const out = fileURLToPath(new URL('../public/images/test-pattern.png', import.meta.url));
writeFileSync(out, encodePng(image, { text: { Description: 'rete-clip-pae synthetic test pattern (not a photo)' } }));
console.log(`wrote ${out}`);
