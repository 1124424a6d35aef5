// Which way dependencies point: engine ← nodes ← plugin ← ui, with the cli and host layers on top.
// Run by `npm run lint:deps` (tools/deps/lint.mjs) as part of `npm test`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-is-generic',
      comment: 'The engine runs any registry it is given: it knows no node family, editor, app, command or host.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^src/(nodes|plugin|ui|cli|host)/' },
    },
    {
      name: 'nodes-know-no-editor',
      comment: 'Node definitions run in a worker and in the CLI: no editor, app or command.',
      severity: 'error',
      from: { path: '^src/nodes/' },
      to: { path: '^src/(plugin|ui|cli|host)/' },
    },
    {
      name: 'plugin-knows-no-app',
      comment: 'The plugin goes into any host editor: it knows neither this app nor the command line.',
      severity: 'error',
      from: { path: '^src/plugin/' },
      to: { path: '^src/(ui|cli)/' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle of static imports makes the load order fragile. A lazy import() that loads a host-specific part on demand (the Node runtime, the CLI batch mode) may point back, and so may an import of types only, which is erased before anything loads.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import', 'type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: they still tie one layer to another.
    tsPreCompilationDeps: true,
  },
};
