// `rete-clip-pae onnx info <model>` and `rete-clip-pae onnx grad <model> --of … --wrt … -o …`:
// inspect a model, and write the gradient model of any exported graph.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gradientModel } from '../engine/onnx/gradient.js';
import { readValueInfo, typeName } from '../engine/onnx/graph.js';
import { readModel, writeModel, type ModelProto } from '../engine/onnx/model.js';

export interface OnnxIo {
  out(s: string): void;
  err(s: string): void;
}

export const ONNX_USAGE = `usage:
  rete-clip-pae onnx info <model.onnx>
      inputs, outputs, opset, op counts and parameter count
  rete-clip-pae onnx grad <model.onnx> --of <output> --wrt <name>[,<name>…] [--shape <input>=<d0>x<d1>…]… -o <out.onnx>
      writes a model computing the original outputs plus <name>_grad for each --wrt name
      (graph inputs or initializers); it takes an extra input <output>_grad, the upstream
      gradient with the shape of <output> (all ones for a scalar loss: 1)
`;

class Usage extends Error {}

async function load(path: string): Promise<ModelProto> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(resolve(path)));
  } catch (e) {
    throw new Error(`cannot read model '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return readModel(bytes, `'${path}'`);
}

function dimsText(dims: (number | string)[]): string {
  return `[${dims.join(', ')}]`;
}

export function describeModel(model: ModelProto): string {
  const g = model.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  const lines: string[] = [];
  const opsets = model.opsetImport.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  lines.push(`graph: ${g.name || '(unnamed)'}   opset: ${opsets}   ir_version: ${model.irVersion}`);
  lines.push('inputs:');
  for (const v of g.input) {
    if (inits.has(v.name)) continue;
    const t = readValueInfo(v);
    lines.push(`  ${v.name}: ${t ? `${typeName(t.elemType)} ${dimsText(t.dims)}` : '(not a tensor)'}`);
  }
  lines.push('outputs:');
  for (const v of g.output) {
    const t = readValueInfo(v);
    lines.push(`  ${v.name}: ${t ? `${typeName(t.elemType)} ${dimsText(t.dims)}` : '(type not declared)'}`);
  }
  let params = 0;
  for (const t of g.initializer) params += t.dims.reduce((a, d) => a * Number(d), 1);
  lines.push(`parameters: ${params.toLocaleString('en-US')} in ${g.initializer.length} initializers`);
  const counts = new Map<string, number>();
  for (const n of g.node) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  lines.push(`nodes: ${g.node.length}`);
  for (const [op, c] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
    lines.push(`  ${op.padEnd(24)}${c}`);
  return `${lines.join('\n')}\n`;
}

function parseShape(spec: string): [string, number[]] {
  const eq = spec.lastIndexOf('=');
  if (eq <= 0) throw new Usage(`--shape '${spec}': expected <input>=<d0>x<d1>… (e.g. pixel_values=1x3x224x224)`);
  const name = spec.slice(0, eq);
  const body = spec.slice(eq + 1);
  const dims = body === '' ? [] : body.split('x').map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0))
    throw new Usage(`--shape '${spec}': dims must be non-negative integers separated by 'x'`);
  return [name, dims];
}

interface GradArgs {
  model: string;
  of: string;
  wrt: string[];
  shapes: Record<string, number[]>;
  out: string;
}

function parseGrad(args: string[]): GradArgs {
  let model: string | undefined, of: string | undefined, out: string | undefined;
  const wrt: string[] = [];
  const shapes: Record<string, number[]> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Usage(`${a} needs a value`);
      return v;
    };
    if (a === '--of') of = value();
    else if (a === '--wrt')
      wrt.push(
        ...value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (a === '--shape') {
      const [n, d] = parseShape(value());
      shapes[n] = d;
    } else if (a === '-o' || a === '--out') out = value();
    else if (a.startsWith('-')) throw new Usage(`unknown option '${a}'`);
    else if (model === undefined) model = a;
    else throw new Usage(`unexpected argument '${a}'`);
  }
  if (!model) throw new Usage('onnx grad: missing <model.onnx>');
  if (!of) throw new Usage('onnx grad: missing --of <output>');
  if (wrt.length === 0) throw new Usage('onnx grad: missing --wrt <name>[,<name>…]');
  if (!out) throw new Usage('onnx grad: missing -o <out.onnx>');
  return { model, of, wrt, shapes, out };
}

export async function onnxCommand(argv: string[], io: OnnxIo): Promise<number> {
  const args = argv[0] === 'onnx' ? argv.slice(1) : argv;
  const [sub, ...rest] = args;
  try {
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      (sub === undefined ? io.err : io.out)(ONNX_USAGE);
      return sub === undefined ? 2 : 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(ONNX_USAGE);
      return 0;
    }
    if (sub === 'info') {
      if (rest.length !== 1)
        throw new Usage(
          rest.length === 0 ? 'onnx info: missing <model.onnx>' : `onnx info: unexpected argument '${rest[1]}'`,
        );
      io.out(describeModel(await load(rest[0]!)));
      return 0;
    }
    if (sub === 'grad') {
      const a = parseGrad(rest);
      const model = await load(a.model);
      const gm = gradientModel(model, { of: a.of, wrt: a.wrt, inputShapes: a.shapes });
      const bytes = writeModel(gm);
      await writeFile(resolve(a.out), bytes);
      const g = gm.graph!;
      io.out(`wrote ${a.out} (${g.node.length} nodes, ${(bytes.length / 1024).toFixed(0)} KiB)\n`);
      io.out(`  inputs:  ${g.input.map((i) => i.name).join(', ')}\n`);
      io.out(`  outputs: ${g.output.map((o) => o.name).join(', ')}\n`);
      return 0;
    }
    throw new Usage(`unknown onnx subcommand '${sub}' (expected info or grad)`);
  } catch (e) {
    if (e instanceof Usage) {
      io.err(`${e.message}\n\n${ONNX_USAGE}`);
      return 2;
    }
    io.err(`rete-clip-pae onnx ${sub}: ${(e as Error).message}\n`);
    return 1;
  }
}
