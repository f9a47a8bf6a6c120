/** The Suportra reference server. Start it with `startServer()` or the `suportra-server` command. */
export { type Config, DEFAULT_CONFIG, DEFAULT_TOOLS, type RateLimits, type ServerOptions } from './config.js'
export { DEMO } from './seed.js'
export { createContext, type StartOptions, type SuportraServer, startServer } from './server.js'
