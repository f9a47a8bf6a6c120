/**
 * The direction of imports, kept by a tool (`pnpm lint` runs it; docs/architecture.md explains it).
 * Every rule here failed on the code before the layering of issue 19.
 */

/** The server's domain folders: each owns its routes, its queries and its logic. */
const DOMAINS =
  'account|admin|apps|audits|auth|billing|builders|credits|email|messages|realtime|server-api|sessions|users|webhooks'

/** What a domain's routes may take from `http/`: the request toolkit, nothing of the app's wiring. */
const HTTP_TOOLKIT = 'request'

/** zod, wherever pnpm put it. */
const ZOD = 'node_modules/([.]pnpm/zod@|zod/)'

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle between files (and so none between folders or packages).',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment:
        'No cycle between folders either: a feature folder never imports, even indirectly, what imports it.',
      scope: 'folder',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'protocol-imports-only-zod',
      severity: 'error',
      comment: '@suportra/protocol is the wire contract: it depends on zod alone.',
      from: { path: '^packages/protocol/src/' },
      to: {
        pathNot: ['^packages/protocol/src/', ZOD],
      },
    },
    {
      name: 'protocol-constants-without-zod',
      severity: 'error',
      comment: 'The schema-free entry is what browser bundles import to stay without zod.',
      // Every file of the package but the schemas is a constant file (and so behind that entry).
      from: {
        path: '^packages/protocol/src/',
        pathNot:
          '/(models|requests|responses|realtime|errors|frames|context|account-export|server-api|batch|availability|patch|index)[.]ts$',
      },
      to: { path: ZOD },
    },
    {
      name: 'mcp-talks-to-the-server-through-the-client',
      severity: 'error',
      comment:
        'The MCP server is an API client like any other: it uses @suportra/client and the protocol, never the server, the widget or React.',
      from: { path: '^packages/mcp/src/' },
      to: { path: '^packages/(server|widget|react)/' },
    },
    {
      name: 'nothing-imports-the-mcp-server',
      severity: 'error',
      comment: 'The MCP server is an end product (a bin); no other package depends on it.',
      from: { path: '^packages/(?!mcp/)[^/]+/src/' },
      to: { path: '^packages/mcp/' },
    },
    {
      name: 'client-imports-no-ui-or-server',
      severity: 'error',
      comment:
        'The headless client runs anywhere: it never imports the widget, React bindings or the server.',
      from: { path: '^packages/client/src/' },
      to: { path: '^packages/(widget|react|server)/' },
    },
    {
      name: 'client-runs-without-node',
      severity: 'error',
      comment:
        'The client is for browsers, workers and Node alike: no Node built-ins, no `ws` (the command line, which needs them, is @suportra/cli).',
      from: { path: '^packages/client/src/' },
      to: { dependencyTypes: ['core'], path: '.' },
    },
    {
      name: 'client-imports-no-ws',
      severity: 'error',
      comment: 'Node 20 users pass `WebSocket` to createClient; the client does not depend on `ws`.',
      from: { path: '^packages/client/src/' },
      to: { path: 'node_modules/([.]pnpm/ws@|ws/)' },
    },
    {
      name: 'cli-takes-client-and-protocol-only',
      severity: 'error',
      comment:
        '@suportra/cli is a user of the client and the wire contract, like any app: never the server, the widget, React bindings or another tool.',
      from: { path: '^packages/cli/src/' },
      to: { path: '^packages/(server|widget|react|mcp)/' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      comment:
        'The command line sits on top: no library package depends on it (the MCP server only shares its stored sign-in, @suportra/cli/storage).',
      from: { path: '^packages/', pathNot: '^packages/cli/' },
      to: { path: '^packages/cli/', pathNot: '^packages/cli/(src|dist)/config/storage[.](ts|js|d[.]ts)$' },
    },
    {
      name: 'browser-packages-import-no-server',
      severity: 'error',
      comment: 'Nothing shipped to browsers imports the reference server.',
      from: { path: '^packages/(protocol|widget|react)/src/' },
      to: { path: '^packages/server/' },
    },
    {
      name: 'server-takes-its-contract-from-protocol',
      severity: 'error',
      comment: 'The server imports the wire contract from @suportra/protocol, not from the browser client.',
      from: { path: '^packages/server/src/' },
      to: { path: '^packages/client/' },
    },
    {
      name: 'domain-uses-only-the-http-toolkit',
      severity: 'error',
      comment: `Server domain folders take from http/ only the request toolkit (${HTTP_TOOLKIT}); errors come from src/errors.ts.`,
      from: { path: `^packages/server/src/(${DOMAINS})/` },
      to: {
        path: `^packages/server/src/http/`,
        pathNot: `^packages/server/src/http/(${HTTP_TOOLKIT})\\.ts$`,
      },
    },
    {
      name: 'domain-imports-no-wiring',
      severity: 'error',
      comment: 'The app and its route table import the domains, never the other way round.',
      from: { path: `^packages/server/src/(${DOMAINS})/` },
      to: { path: '^packages/server/src/(app|server|cli|index)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests start the real server and import across packages by design; they are nobody's dependency.
    exclude: { path: ['(^|/)dist/', '[.]test[.]tsx?$', '^packages/[^/]+/test/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
}
