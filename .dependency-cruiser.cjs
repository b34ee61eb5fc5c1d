/**
 * The house's architecture rules, checked by `npm run lint` (dependency-cruiser). Layers, bottom up:
 *   foundation  src/util, src/errors, src/logging, src/metrics, src/notices (what the team is told unasked), src/i18n, src/charts, src/wechat-wire (the
 *               WXBizMsgCrypt scheme and safe XML shared by WeChat and WeCom): used by everyone, use no room
 *   db          src/db: the store; uses only the foundation
 *   config      src/config: reads and validates the configuration; composes the rooms' own config schemas
 *   rooms       the domain (profiles, timeline, ingest, rules, segments, pushes, webhooks, credentials, jobs, ai, audit)
 *   kernel      src/kernel: the contract every room's module (`<room>.module.ts`) is written against
 *   doors       src/http, src/bot, src/cli, src/plugins (the plugin host): the ways in, over the rooms
 *   roots       src/app.ts, src/main.ts and the CLI's entry points (src/cli/*.cli.ts): wire everything
 * Nothing imports upward, there are no circles, and plugins (plugins/) import only the SDK.
 */
const foundation = '^src/(util|errors|logging|metrics|notices|i18n|charts|wechat-wire)/';
const rooms = '^src/(profiles|timeline|ingest|rules|segments|pushes|webhooks|credentials|jobs|ai|audit)/';
const doors = '^src/(http|bot|cli|plugins)/';
const roots = '^src/((app|main)|cli/[^/]+\\.cli)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle of imports (types included) hides which of two files is the lower one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'foundation-stays-at-the-bottom',
      comment: 'util, errors, logging, metrics and i18n are used by every room and use none.',
      severity: 'error',
      from: { path: foundation },
      to: { path: '^src/', pathNot: foundation },
    },
    {
      name: 'db-uses-only-the-foundation',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: [foundation, '^src/db/'] },
    },
    {
      name: 'config-composes-only-room-schemas',
      comment:
        "The config schema takes each room's own config schema (and the checks beside it), nothing else of a room.",
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: rooms, pathNot: '\\.schema\\.ts$' },
    },
    {
      name: 'rooms-stay-below-the-doors',
      comment: 'http, the bot, the CLI and the plugin host sit above the rooms: a room never reaches up into them.',
      severity: 'error',
      from: { path: [rooms, '^src/db/'] },
      to: { path: [doors, roots] },
    },
    {
      name: 'config-composes-only-door-schemas',
      comment: "The config schema takes the bot's and other doors' own config schemas, nothing else of theirs.",
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: [doors, roots], pathNot: '\\.schema\\.ts$' },
    },
    {
      name: 'only-modules-use-the-kernel',
      comment: "The module contract is for a room's module file and the root that plugs modules together.",
      severity: 'error',
      from: { path: '^src/', pathNot: [roots, '\\.module\\.ts$', '^src/kernel/'] },
      to: { path: '^src/kernel/' },
    },
    {
      name: 'modules-are-built-by-the-root',
      comment: "A room's module is built by the composition root alone; other rooms use the services it hands over.",
      severity: 'error',
      from: { path: '^src/', pathNot: roots },
      to: { path: '\\.module\\.ts$' },
    },
    {
      name: 'only-roots-import-roots',
      severity: 'error',
      from: { path: '^src/', pathNot: roots },
      to: { path: roots },
    },
    {
      name: 'plugins-import-only-the-sdk',
      comment: 'A plugin reaches Persona through src/plugins/plugin-sdk.ts alone, so the SDK is the whole contract.',
      severity: 'error',
      from: { path: '^plugins/' },
      to: { path: '^src/', pathNot: '^src/plugins/plugin-sdk\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a circle of types is still a circle for the reader.
    tsPreCompilationDeps: true,
  },
};
