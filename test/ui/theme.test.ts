// The plugin's theme: the colours of the package's socket types and palette groups, and a stable
// colour of its own for a name the theme does not know.
import { describe, expect, it } from 'vitest';
import { NodeRegistry } from '../../src/engine/graph/registry.js';
import { catalogue } from '../../src/nodes/registry.js';
import { CATEGORY_COLORS, SOCKET_COLORS, categoryColor, socketColor } from '../../src/plugin/theme.js';
import { socketFor } from '../../src/plugin/sockets.js';
import type { NodeCatalogue } from '../../src/plugin/types.js';

describe('the theme', () => {
  it('has a colour for every socket type the catalogue registers', () => {
    for (const { name } of catalogue.socketTypes()) expect(SOCKET_COLORS[name], name).toMatch(/^#[0-9a-f]{6}$/);
    expect(socketColor('Image')).toBe('#4caf50');
    expect(socketColor('Number')).toBe('#9e9e9e');
  });

  it('has a colour for every palette group of the catalogue', () => {
    for (const category of catalogue.categories()) expect(categoryColor(category), category).toBeTruthy();
    expect(categoryColor('PAE')).toBe(CATEGORY_COLORS.PAE);
  });

  it('gives a name it does not know a colour derived from the name: the same each time, others differ', () => {
    expect(socketColor('Mask')).toBe(socketColor('Mask'));
    expect(socketColor('Mask')).toMatch(/^hsl\(\d+ 60% 55%\)$/);
    expect(socketColor('Mask')).not.toBe(socketColor('Depth'));
    expect(categoryColor('Audio')).toMatch(/^hsl\(\d+ 38% 42%\)$/);
    // Not inherited from Object.prototype either.
    expect(socketColor('constructor')).toMatch(/^hsl\(/);
  });

  it('colours the sockets of a family a host registered, which the theme does not know', () => {
    const hosted: NodeCatalogue = {
      get: () => undefined,
      list: () => [],
      categories: () => [],
      socketTypes: () => [{ name: 'Mask', help: 'A one-channel mask' }],
      socketType: (name) => (name === 'Mask' ? { name, help: 'A one-channel mask' } : undefined),
      canConnect: (a, b) => a === b,
      paramSocket: () => undefined,
    };
    const mask = socketFor(hosted, 'Mask');
    expect(mask.color).toBe(socketColor('Mask'));
    expect(mask.help).toBe('A one-channel mask');
    expect(mask.isCompatibleWith(socketFor(hosted, 'Mask'))).toBe(true);
    expect(() => socketFor(hosted, 'Image')).toThrow('unknown socket type "Image" (known: Mask)');
  });
});

describe('what the registry tells the plugin about sockets', () => {
  it('lists the socket types and connects a type only to itself', () => {
    expect(catalogue.socketTypes().map((s) => s.name)).toContain('Latent');
    expect(catalogue.socketType('Prompts')?.help).toBe('A list of prompts (a corpus)');
    expect(catalogue.socketType('Nope')).toBeUndefined();
    expect(catalogue.canConnect('Image', 'Image')).toBe(true);
    expect(catalogue.canConnect('Image', 'Latent')).toBe(false);
    expect(catalogue.canConnect('Nope', 'Nope')).toBe(false);
  });

  it('names the socket type that may feed a number, text or prompts param, and none for the rest', () => {
    expect(catalogue.paramSocket('image/resize', 'width')).toBe('Number');
    expect(catalogue.paramSocket('image/resize', 'mode')).toBeUndefined();
    expect(catalogue.paramSocket('value/text', 'text')).toBe('Text');
    expect(catalogue.paramSocket('image/resize', 'nope')).toBeUndefined();
    expect(catalogue.paramSocket('no/such', 'width')).toBeUndefined();
    const prompts = catalogue.list().find((d) => Object.values(d.params).some((p) => p.kind === 'prompts'));
    const name = Object.entries(prompts!.params).find(([, p]) => p.kind === 'prompts')![0];
    expect(catalogue.paramSocket(prompts!.type, name)).toBe('Prompts');
    expect(new NodeRegistry([]).paramSocket('image/resize', 'width')).toBeUndefined();
  });
});
