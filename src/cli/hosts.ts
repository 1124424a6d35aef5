// What `eval --hosts` and `eval-photos --hosts` share on the command line: the options (which host
// methods edit, the parameters of the global-directions and StyleMC hosts) parsed into host
// settings, their usage lines, and the progress line each edited case prints.
import {
  DEFAULT_HOST_EVAL,
  EVAL_HOSTS,
  type EvalHost,
  type HostEvalCase,
  type HostSettings,
} from '../engine/optimize/host-eval.js';
import { UsageError } from './io.js';
import { listOption, numberOption } from './options.js';

/** The parseArgs options; spread into a command's own. */
export const HOST_OPTIONS = {
  hosts: { type: 'string' },
  'global-alpha': { type: 'string' },
  'global-beta': { type: 'string' },
  'stylemc-faces': { type: 'string' },
  'stylemc-steps': { type: 'string' },
  'stylemc-alpha': { type: 'string' },
} as const;

export type HostOptionValues = Partial<Record<keyof typeof HOST_OPTIONS, string>>;

/** The lines of a command's usage that describe HOST_OPTIONS. */
export const HOST_OPTIONS_USAGE = `  --hosts list      comma-separated hosts: ${EVAL_HOSTS.join(', ')} (styleclip: StyleCLIP's latent optimization;
                    naive: the CLIP loss alone; stylemc: one learned style direction; global: StyleCLIP's global directions;
                    stylemc and global need a bundle with a StyleSpace, global its directions)
  --global-alpha a  global directions' strength (default ${DEFAULT_HOST_EVAL.globalAlpha})
  --global-beta b   global directions' threshold β (default ${DEFAULT_HOST_EVAL.globalBeta})
  --stylemc-faces n random faces StyleMC learns each direction on (default ${DEFAULT_HOST_EVAL.stylemcFaces})
  --stylemc-steps n StyleMC's steps (default ${DEFAULT_HOST_EVAL.stylemcSteps})
  --stylemc-alpha a strength a learned direction is applied with (default ${DEFAULT_HOST_EVAL.stylemcAlpha})
`;

/** `--hosts a,b`: host methods, each one of EVAL_HOSTS. */
export function hostsOption(value: string | undefined): EvalHost[] {
  return listOption(value, 'hosts', DEFAULT_HOST_EVAL.hosts).map((h) => {
    if (!(EVAL_HOSTS as readonly string[]).includes(h))
      throw new UsageError(`--hosts: unknown host '${h}' (choose from ${EVAL_HOSTS.join(', ')})`);
    return h as EvalHost;
  });
}

/** The host settings HOST_OPTIONS give (the defaults for those absent). */
export function hostOptionSettings(
  values: HostOptionValues,
): Pick<HostSettings, 'hosts' | 'globalAlpha' | 'globalBeta' | 'stylemcFaces' | 'stylemcSteps' | 'stylemcAlpha'> {
  const d = DEFAULT_HOST_EVAL;
  return {
    hosts: hostsOption(values.hosts),
    globalAlpha: numberOption(values['global-alpha'], 'global-alpha', d.globalAlpha),
    globalBeta: numberOption(values['global-beta'], 'global-beta', d.globalBeta),
    stylemcFaces: numberOption(values['stylemc-faces'], 'stylemc-faces', d.stylemcFaces, true),
    stylemcSteps: numberOption(values['stylemc-steps'], 'stylemc-steps', d.stylemcSteps, true),
    stylemcAlpha: numberOption(values['stylemc-alpha'], 'stylemc-alpha', d.stylemcAlpha),
  };
}

/** The stderr line of one edited case: which face, edit and host, the true class before → after. */
export function hostCaseLine(c: HostEvalCase, done: number, total: number): string {
  return `[${done}/${total}] ${c.face} "${c.edit}" ${c.host}/${c.target}: ${c.before} → ${c.after}${c.success ? ' ✓' : ''}${c.toward ? ' (toward)' : ' (not toward)'}, drift ${(100 * c.drift).toFixed(1)}%, ${c.seconds.toFixed(2)} s\n`;
}
