// Screenshots of the editor with a large graph organised by frames: graphs/chain-three-edits.json
// laid out as one band per edit, a frame around each band, notes, and a wire routed through a
// point. Writes docs/images/organised-graph.png and docs/images/organised-frame.png (palette PNGs,
// kept small for the README). Run: npm run screenshots
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { launchChromium, serveApp } from '../../test/browser/helpers.js';

const out = (name: string) => fileURLToPath(new URL(`../../docs/images/${name}`, import.meta.url));

/** The bands, top to bottom: a frame title and its nodes left to right. */
const BANDS: { title: string; nodes: string[] }[] = [
  { title: 'Start: a random demo face and its CLIP embedding', nodes: ['models', 'face', 'decode', 'clipImage'] },
  {
    title: 'Edit 1: happy (emotion corpus)',
    nodes: ['corpus_emotion', 'subspace_emotion', 'pae_happy', 'edit_happy', 'compare_happy'],
  },
  {
    title: 'Edit 2: grey hair (hair corpus)',
    nodes: ['corpus_hair', 'subspace_hair', 'pae_grey', 'edit_grey', 'compare_grey'],
  },
  {
    title: 'Edit 3: large eyes (eye corpus)',
    nodes: ['corpus_eyes', 'subspace_eyes', 'pae_eyes', 'edit_eyes', 'compare_eyes'],
  },
  { title: 'Result: before and after all three', nodes: ['final', 'save'] },
];

async function small(png: Buffer, path: string): Promise<number> {
  const bytes = await sharp(png).png({ palette: true, colours: 96, compressionLevel: 9 }).toBuffer();
  await writeFile(path, bytes);
  return bytes.byteLength;
}

const served = await serveApp('screenshots');
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(served.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.locator('clip-pae-toolbar select[data-action="examples"]').selectOption('chain-three-edits');
  await page.waitForFunction(() => (window as any).__app.clipPae.toDocument().nodes.some((n: any) => n.id === 'final'));
  await page.waitForTimeout(300);
  await page.evaluate(async (bands) => {
    const { clipPae, area, editor } = (window as any).__app;
    let y = 0;
    for (const band of bands) {
      let x = 0;
      let tallest = 0;
      for (const id of band.nodes) {
        await area.translate(id, { x, y });
        const node = editor.getNode(id);
        x += 300;
        tallest = Math.max(tallest, node.height ?? 200);
      }
      y += tallest + 140;
    }
    for (const band of bands) clipPae.notes.addFrame(band.title, band.nodes);
    // (No named functions in here: the page has no __name helper that tsx's output would call.)
    const compare = area.nodeViews.get('compare_happy').position;
    clipPae.notes.addComment('Each edit starts from the latent\nthe previous Optimize made', [
      compare.x + 290,
      compare.y + 40,
    ]);
    const subspace = area.nodeViews.get('subspace_emotion').position;
    const below = editor.getNode('subspace_emotion').height ?? 160;
    clipPae.notes.addComment('PAE projects the prompt onto the\ncorpus subspace; α scales it', [
      subspace.x,
      subspace.y + below + 20,
    ]);
    document.querySelector('clip-pae-notices')?.remove();
    // The final Compare's "after" wire routed around the last band.
    const wire = editor.getConnections().find((c: any) => c.target === 'final' && c.targetInput === 'after');
    if (wire) {
      const edit = area.nodeViews.get('edit_eyes').position;
      clipPae.reroutes.setPoints(wire.id, [{ x: edit.x + 330, y: edit.y - 60 }]);
    }
    await clipPae.zoomToFit();
  }, BANDS);
  await page.waitForTimeout(500);
  const whole = await small(await page.screenshot(), out('organised-graph.png'));

  // A close-up: the first edit's frame, with its note.
  await page.evaluate(async () => {
    const { area, editor } = (window as any).__app;
    const ids = ['clipImage', 'corpus_emotion', 'subspace_emotion', 'pae_happy', 'edit_happy', 'compare_happy'];
    const views = ids.map((id) => ({ p: area.nodeViews.get(id).position, n: editor.getNode(id) }));
    const left = Math.min(...views.map((v) => v.p.x)) - 40;
    const top = Math.min(...views.map((v) => v.p.y)) - 80;
    const right = Math.max(...views.map((v) => v.p.x + (v.n.width ?? 240))) + 40;
    const bottom = Math.max(...views.map((v) => v.p.y + (v.n.height ?? 200))) + 40;
    const box = area.container.getBoundingClientRect();
    const k = Math.min(box.width / (right - left), box.height / (bottom - top));
    area.area.transform.x = 0;
    area.area.transform.y = 0;
    await area.area.zoom(k, 0, 0);
    await area.area.translate(-left * k, -top * k);
  });
  await page.waitForTimeout(300);
  const close = await small(await page.screenshot(), out('organised-frame.png'));
  console.log(`organised-graph.png ${whole} bytes, organised-frame.png ${close} bytes`);
} finally {
  await browser.close();
  await served.close();
}
